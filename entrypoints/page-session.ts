// Wiring only: on huggingface.co pages, the page session annotates the GGUF files for as long as the
// tab shows them (utils/content/page-session.ts). A module, imported by the content script
// (entrypoints/huggingface.ts says why), running in the content script's world.

import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { createChannel } from '../utils/common/channel';
import { startPageSession } from '../utils/page/session';

export default defineUnlistedScript(() => {
  startPageSession(window, {
    channel: createChannel(),
    alive: () => browser.runtime?.id !== undefined,
    // A module too, imported when a control first leaves its idle state.
    loadPageUi: () => import(/* @vite-ignore */ browser.runtime.getURL('/page-ui.js')),
  });
});
