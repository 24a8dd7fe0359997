// The control's host element: a `<gpustack-check>` beside a file. The host itself is the button
// (role, tabindex, aria-label, click / Enter / Space) and carries the automation contract's data-*
// attributes; everything it shows, the popover included, lives in a CLOSED shadow root, so page
// scripts cannot read the user's hardware or server details.

import css from '../../common/check-control.css?inline';
import { writeAttributes } from '../../common/control-attributes';
import type { ControlState } from '../../common/control-state';
import { t } from '../../common/i18n';
import type { CheckResult } from '../../common/result';
import { PAINT_TIMING, timed } from '../../common/timing';
import { verdictSentence } from '../../common/verdict-text';
import { type PopoverPlace, TAGS } from '../contract';
import { pageUi, whenPageUi } from '../ui-loader';

/**
 * CheckControl's idle markup, drawn without the page UI: most controls of a page never leave it, and
 * a page's first controls drawn through Preact would cost it milliseconds of main-thread time.
 */
export function drawIdle(mount: HTMLElement): void {
  drawLabel(mount, t('controlIdle'));
}

/** A state as plain text, while the page UI is on its way (or if it cannot come). */
function drawLabel(mount: HTMLElement, text: string): void {
  const label = mount.ownerDocument.createElement('span');
  label.className = 'label';
  label.textContent = text;
  mount.replaceChildren(label);
}

function plainText(view: ControlState): string {
  if (view.state === 'idle') return t('controlIdle');
  if (view.state === 'done') return verdictSentence(view.result);
  if (view.state === 'error') return view.error.message;
  return t('controlChecking');
}

/** What the popover asks for: a fresh answer, maybe for another context size. */
export interface CheckAsk {
  force: true;
  ctxSize?: number;
}

export interface CheckHost {
  element: HTMLElement;
  file: string;
  show(view: ControlState): void;
  /** Marks (or unmarks) the quantization to pick: badge inside, data-best="true" outside. */
  setBest(best: boolean): void;
  /** Draws again (the "checked 5 min ago" text ages). */
  paint(): void;
  /** The page threw it away: stop its timers and listeners. */
  dispose(): void;
}

// Hugging Face's "dark" class on <html> cannot reach into closed shadow roots: every mount point
// of ours is known here, and setTheme() passes the class on.
const mounts = new Set<HTMLElement>();
let darkTheme = false;

export function setTheme(dark: boolean): void {
  darkTheme = dark;
  for (const mount of mounts) {
    if (mount.isConnected) mount.classList.toggle('dark', dark);
    else mounts.delete(mount);
  }
}

// One constructed sheet adopted by every shadow root of ours; where a browser will not adopt a sheet
// made by a content script, each root gets a <style> of the same text.
let shared: CSSStyleSheet | null | undefined;
let adopted = false;

function adoptStyles(root: ShadowRoot): boolean {
  try {
    if (shared === undefined) {
      shared = new CSSStyleSheet();
      shared.replaceSync(css);
    }
    if (shared) root.adoptedStyleSheets = [shared];
    // A browser that takes the assignment but keeps nothing (a content script's sheet it will not
    // adopt) gets <style>s too; one look at the first root tells.
    if (!adopted && root.adoptedStyleSheets.length !== 1) shared = null;
    adopted = true;
  } catch {
    shared = null;
  }
  return shared !== null;
}

/** A closed shadow root holding the shared stylesheet and a themed mount point. */
export function shadowMount(element: HTMLElement): HTMLElement {
  const doc = element.ownerDocument;
  const root = element.attachShadow({ mode: 'closed' });
  if (!adoptStyles(root)) {
    const style = doc.createElement('style');
    style.textContent = css;
    root.append(style);
  }
  const mount = doc.createElement('span');
  mount.className = darkTheme ? 'gs dark' : 'gs';
  root.append(mount);
  mounts.add(mount);
  return mount;
}

export function createCheckHost(
  doc: Document,
  target: { repo: string; revision: string; file: string },
  onActivate: (host: CheckHost, ask?: CheckAsk) => void,
  /** The aria-label, asked once by the caller for all its controls. */
  label = t('checkLabel'),
): CheckHost {
  const element = doc.createElement(TAGS.control);
  element.setAttribute('role', 'button');
  element.setAttribute('tabindex', '0');
  element.setAttribute('aria-label', label);
  element.setAttribute('data-repo', target.repo);
  element.setAttribute('data-revision', target.revision);
  element.setAttribute('data-file', target.file);
  element.setAttribute('data-state', 'idle');
  const mount = shadowMount(element);

  let current: ControlState = { state: 'idle' };
  // The popover keeps showing the last answer while a re-check runs.
  let last: CheckResult | undefined;
  let best = false;
  let open = false;
  // The context size picked in the popover, if any.
  let contextSize: number | undefined;
  let place: PopoverPlace = { left: 0 };
  let ticker: ReturnType<typeof setInterval> | undefined;

  // Idle and plain, it is drawn here; the page UI draws from the first change on.
  let drawn = false;
  const paint = () => {
    if (!drawn && current.state === 'idle' && !best && !open) {
      drawIdle(mount);
      return;
    }
    const ui = pageUi();
    if (!ui) {
      drawLabel(mount, plainText(current));
      whenPageUi(paint);
      return;
    }
    drawn = true;
    timed(PAINT_TIMING, () => paintWith(ui));
  };
  const paintWith = (ui: NonNullable<ReturnType<typeof pageUi>>) => {
    ui.paintControl(mount, {
      view: current,
      best,
      ...(open && last
        ? {
            popover: {
              result: last,
              busy: current.state !== 'done',
              now: Date.now(),
              ...(contextSize === undefined ? {} : { contextSize }),
              place,
              onClose: () => closePopover(true),
              onCheck: (size?: number) => {
                contextSize = size;
                onActivate(host, { force: true, ...(size ? { ctxSize: size } : {}) });
              },
            },
          }
        : {}),
    });
  };

  // Tabbing out of the popover closes it, as clicking elsewhere does.
  const leave = (event: Event) => {
    const to = (event as FocusEvent).relatedTarget as Node | null;
    if (open && to && to !== element && !mount.contains(to)) closePopover();
  };

  // Fixed to the viewport, so rows that clip their overflow cannot cut it.
  const measure = () => {
    const r = element.getBoundingClientRect();
    const height = innerHeight;
    const left = Math.max(8, Math.min(r.left, innerWidth - 368));
    place =
      r.bottom + 320 > height && r.top > height / 2
        ? { left, bottom: height - r.top + 6 }
        : { left, top: r.bottom + 6 };
  };
  const follow = () => {
    measure();
    paint();
  };
  const outside = (event: Event) => {
    if (!event.composedPath().includes(element)) closePopover(false);
  };
  const listen = (on: boolean) => {
    const method = on ? 'addEventListener' : 'removeEventListener';
    mount[method]('focusout', leave);
    doc[method]('pointerdown', outside, true);
    window[method]('scroll', follow, true);
    window[method]('resize', follow);
  };

  function openPopover(): void {
    open = true;
    element.setAttribute('aria-expanded', 'true');
    measure();
    paint();
    listen(true);
    mount.querySelector<HTMLElement>('.pop button')?.focus();
  }

  function closePopover(refocus = false): void {
    if (!open) return;
    open = false;
    element.setAttribute('aria-expanded', 'false');
    listen(false);
    paint();
    if (refocus) element.focus();
  }

  const host: CheckHost = {
    element,
    file: target.file,
    show(view) {
      current = view;
      if (view.state === 'done') {
        last = view.result;
        element.setAttribute('aria-haspopup', 'dialog');
        element.setAttribute('aria-expanded', String(open));
      } else if (view.state === 'error') {
        closePopover();
      }
      writeAttributes(element, view);
      paint();
      // A rate-limit wait counts down once a second; nothing ticks otherwise.
      clearInterval(ticker);
      ticker = view.state === 'waiting' ? setInterval(paint, 1000) : undefined;
    },
    setBest(value) {
      if (value === best) return;
      best = value;
      if (best) element.dataset.best = 'true';
      else delete element.dataset.best;
      paint();
    },
    paint,
    dispose() {
      closePopover();
      clearInterval(ticker);
    },
  };

  const activate = (event: Event) => {
    // The control sits inside links and rows: the page must not follow the link too.
    event.preventDefault();
    event.stopPropagation();
    if (current.state !== 'done') onActivate(host);
    else if (open) closePopover(true);
    else openPopover();
  };
  element.addEventListener('click', activate);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') activate(event);
    else if (event.key === 'Escape') closePopover(true);
  });
  paint();
  return host;
}
