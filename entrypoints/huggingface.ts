// The content script on huggingface.co: a loader for the page session module (entrypoints/
// page-session.ts). A module is streamed in and, with every function compiled at once
// (wxt.config.ts's compileEagerly), compiled off the page's main thread; a content script's own
// functions are compiled on the main thread, each at its first call, on every page load: a third of
// the time annotating a page took. Declared in wxt.config.ts's manifest rather than with
// defineContentScript: WXT's content-script context would cost every page bytes and start-up time
// for one service we need (stopping when the extension is updated or removed), which the session
// does itself.

import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';

export default defineUnlistedScript(async () => {
  try {
    await import(/* @vite-ignore */ browser.runtime.getURL('/page-session.js'));
  } catch {
    // Only when the extension went away meanwhile: then there is nothing to draw.
  }
});
