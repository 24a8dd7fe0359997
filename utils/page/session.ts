// The content script's life on one tab: reads the page, annotates it, and reads it again when the
// URL changes without a page load (Hugging Face sometimes pushState()s between tabs; Back fires
// popstate). One MutationObserver serves both: a changed URL restarts the annotator (which takes
// its controls away first, so nothing is duplicated), an unchanged one re-scans. It also forwards
// Hugging Face's theme (class "dark" on <html>) into the closed shadow roots, and the user's saved
// hardware (if the page shows it) to the worker. The first GGUF page of a tab asks the worker for
// its strings before it draws controls (utils/i18n.ts says why).

import type { Channel } from '../common/channel';
import { setMessageTemplates } from '../common/i18n';
import { ANNOTATE_TIMING, timed } from '../common/timing';
import { type Annotator, type AnnotatorDeps, annotatable, startAnnotator } from './annotator';
import { setTheme } from './hosts/check-host';
import { readPageContext } from './read/page-context';
import { setPageUiLoader } from './ui-loader';

export interface PageSession {
  /** Re-reads the URL now (and the page when it changed); otherwise re-scans. */
  refresh(): void;
  stop(): void;
}

/** How long a page waits for the worker's strings before it asks the browser for them itself. */
const STRINGS_PATIENCE_MS = 2000;

/** The page's strings from the worker; settles within `patience` ms whatever the worker does. */
function loadStrings(channel: Channel, patience: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, patience);
    void channel.request({ type: 'page-messages' }).then((reply) => {
      // Late templates still help the controls drawn after them.
      if (reply.ok) setMessageTemplates(reply.value);
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface PageSessionDeps extends AnnotatorDeps {
  /** False once the extension was updated or removed: the session then takes its controls away. */
  alive?: () => boolean;
  /** Brings the page UI into the content script's world (utils/content/page-ui.ts), when first needed. */
  loadPageUi?: () => Promise<unknown>;
  stringsPatienceMs?: number;
}

export function startPageSession(win: Window, deps: PageSessionDeps): PageSession {
  const doc = win.document;
  setPageUiLoader(deps.loadPageUi);
  const html = doc.documentElement;
  const theme = () => setTheme(html.classList.contains('dark'));
  theme();
  let href = '';
  let page = '';
  let annotator: Annotator | null = null;
  let hardwareSent = false;
  let strings: Promise<void> | undefined;
  // Each page read gets a turn; only the latest one draws.
  let turn = 0;

  /** Reads the page (once per URL) and starts its annotator, or scans it again; timed whole. */
  const refresh = () => timed(ANNOTATE_TIMING, read);
  const read = () => {
    if (deps.alive?.() === false) {
      stop();
      return;
    }
    if (win.location.href === href) {
      annotator?.scan();
      return;
    }
    href = win.location.href;
    // The Location itself: its path is parsed already.
    const ctx = readPageContext(doc, win.location);
    // The signed-in user's saved hardware, once per tab: the worker may measure against it.
    const items = ctx.hardwareItems;
    if (!hardwareSent && items && items.length > 0) {
      hardwareSent = true;
      void deps.channel.request({ type: 'hardware-seen', items });
    }
    // A query change (the file-info drawer's ?show_file_info=) is the same page.
    const next = [ctx.repo, ctx.repoType, ctx.pageKind, ctx.revision, ctx.path, ctx.isGgufRepo].join('\n');
    if (next === page) {
      annotator?.scan();
      return;
    }
    page = next;
    annotator?.stop();
    annotator = null;
    const mine = ++turn;
    if (!annotatable(ctx)) return;
    strings ??= loadStrings(deps.channel, deps.stringsPatienceMs ?? STRINGS_PATIENCE_MS);
    void strings.then(() => {
      // Navigated on (or stopped) while the strings were on their way: the later page has its turn.
      if (mine !== turn) return;
      annotator = timed(ANNOTATE_TIMING, () => startAnnotator(doc, ctx, { lazy: true, ...deps }));
    });
  };

  let pending = false;
  const soon = () => {
    if (pending) return;
    pending = true;
    // One look per burst of mutations or navigation events.
    queueMicrotask(() => {
      pending = false;
      refresh();
    });
  };
  // Our own insertions (controls, the bulk bar) need no second look; a page that removes one does.
  const ours = (node: Node) => (node as Element).localName?.startsWith('gpustack-') === true;
  const body = new MutationObserver((records) => {
    if (records.some((r) => r.removedNodes.length > 0 || ![...r.addedNodes].every(ours))) soon();
  });
  body.observe(doc.body, { childList: true, subtree: true });
  const themeWatch = new MutationObserver(theme);
  themeWatch.observe(html, { attributes: true, attributeFilter: ['class'] });
  // Back and Forward; a pushState() of the page's router comes with new content, which the
  // observer above sees.
  win.addEventListener('popstate', soon);

  function stop(): void {
    turn += 1;
    body.disconnect();
    themeWatch.disconnect();
    win.removeEventListener('popstate', soon);
    annotator?.stop();
    annotator = null;
  }

  refresh();
  return { refresh, stop };
}
