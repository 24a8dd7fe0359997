// The page's drawing beyond idle controls (Preact: verdicts, popovers, a bulk run's progress, our
// quantization list) is a module of its own, entrypoints/page-ui.ts, which the page session imports
// when a page first needs it: the module loaded on every Hugging Face page keeps to what every page
// shows (bench: content_script_bytes).
// Until the drawing arrives (or if it cannot), a control shows its state as plain text.

import { messageTemplates } from '../common/i18n';
import { PAGE_UI_GLOBAL, type PageUi } from './contract';

let load: (() => Promise<unknown>) | undefined;
let loading: Promise<void> | undefined;

/** How to get the page UI (the extension's page session imports its module); none: it is there. */
export function setPageUiLoader(next: (() => Promise<unknown>) | undefined): void {
  load = next;
}

let given: PageUi | undefined;

/** The page UI, once its module is there; handed the page's strings before its first drawing. */
export function pageUi(): PageUi | undefined {
  const ui = (globalThis as unknown as Record<string, PageUi | undefined>)[PAGE_UI_GLOBAL];
  if (ui && ui !== given) {
    ui.setStrings(messageTemplates());
    given = ui;
  }
  return ui;
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
