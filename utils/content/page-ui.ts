// The page's drawing beyond idle controls (Preact: verdicts, popovers, a bulk run's progress, our
// quantization list) is a script of its own, entrypoints/page-ui.ts, which the worker puts into the
// tab when a page first needs it. The content script, loaded on every Hugging Face page, keeps to
// what every page shows: a third less script to compile on each of them.
// Until the drawing arrives (or if it cannot), a control shows its state as plain text.

import type { PageUi } from '../../components/page-ui';

/** Where the page UI script leaves itself, in the content scripts' own world. */
export const PAGE_UI_GLOBAL = '__gpustackPageUi';

let load: (() => Promise<unknown>) | undefined;
let loading: Promise<void> | undefined;

/** How to get the page UI into the tab (the page session asks the worker). */
export function usePageUiLoader(next: () => Promise<unknown>): void {
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
  loading ??= Promise.resolve(load?.())
    .catch(() => undefined)
    .then(() => {
      loading = undefined;
    });
  void loading.then(() => {
    if (pageUi()) then();
  });
}
