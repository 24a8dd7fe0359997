// The page's drawing beyond idle controls (Preact: verdicts, popovers, a bulk run's progress, our
// quantization list) is a module of its own, entrypoints/page-ui.ts, which the page session imports
// when a page first needs it. The module loaded on every Hugging Face page keeps to what every page
// shows: 40% less code to load on each of them.
// Until the drawing arrives (or if it cannot), a control shows its state as plain text.

import type { PageUi } from '../../components/page/page-ui';

/** Where the page UI module leaves itself, in the content scripts' own world. */
export const PAGE_UI_GLOBAL = '__gpustackPageUi';

let load: (() => Promise<unknown>) | undefined;
let loading: Promise<void> | undefined;

/** How to get the page UI (the extension's page session imports its module); none: it is there. */
export function usePageUiLoader(next: (() => Promise<unknown>) | undefined): void {
  load = next;
}

export function pageUi(): PageUi | undefined {
  return (globalThis as unknown as Record<string, PageUi | undefined>)[PAGE_UI_GLOBAL];
}

/** Runs `then` once the page UI is there, asking for it first when it is not. */
export function whenPageUi(then: () => void): void {
  if (pageUi()) {
    then();
    return;
  }
  // One request for every control waiting; a failed one is asked again by the next paint.
  // A loader that throws at once (the extension's runtime gone) fails like one that rejects.
  loading ??= Promise.resolve()
    .then(() => load?.())
    .catch(() => undefined)
    .then(() => {
      loading = undefined;
    });
  void loading.then(() => {
    if (pageUi()) then();
  });
}
