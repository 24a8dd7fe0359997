// One polite live region per page for screen readers: a verdict the user asked for, the end of a bulk
// run. Outside the controls on purpose: a button's content is presentational, so a live region
// inside one may never be read. Its own closed shadow root keeps the text from page scripts.
// Made when the user first asks for something, not on page load: most pages never announce, and a
// region needs only to exist before it changes (a verdict arrives a message round trip later).

import { TAGS } from '../contract';

export interface Announcer {
  /** Puts the region on the page now, so that what is said later is read. */
  ready(): void;
  say(text: string): void;
  remove(): void;
}

export function createAnnouncer(doc: Document): Announcer {
  const host = doc.createElement(TAGS.live);
  const region = doc.createElement('span');
  // Once on the page (or taken away for good), never put there again.
  let done = false;
  const ready = () => {
    if (done) return;
    done = true;
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    // Visually hidden, still read.
    region.style.cssText = 'position:fixed;clip-path:inset(50%)';
    host.attachShadow({ mode: 'closed' }).append(region);
    doc.body.append(host);
  };
  return {
    ready,
    say: (text) => {
      ready();
      region.textContent = text;
    },
    remove: () => {
      done = true;
      host.remove();
    },
  };
}
