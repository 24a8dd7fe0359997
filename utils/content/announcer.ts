// One polite live region per page for screen readers: a verdict the user asked for, the end of a bulk
// run. Outside the controls on purpose: a button's content is presentational, so a live region
// inside one may never be read. Its own closed shadow root keeps the text from page scripts.

export interface Announcer {
  say(text: string): void;
  remove(): void;
}

export function createAnnouncer(doc: Document): Announcer {
  const host = doc.createElement('gpustack-live');
  const region = doc.createElement('span');
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  // Visually hidden, still read.
  region.style.cssText = 'position:fixed;clip-path:inset(50%)';
  host.attachShadow({ mode: 'closed' }).append(region);
  // The region must exist before it changes, or the first announcement may be missed.
  doc.body.append(host);
  return {
    say: (text) => {
      region.textContent = text;
    },
    remove: () => host.remove(),
  };
}
