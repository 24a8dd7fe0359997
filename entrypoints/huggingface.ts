// Wiring only: on huggingface.co pages, the page session annotates the GGUF files for as long as the
// tab shows them (utils/content/page-session.ts). Declared in wxt.config.ts's manifest rather than
// with defineContentScript: WXT's content-script context would take 2.8 kB of the script's 40 kB
// budget and start-up time on every page, for one service we need: stopping when the extension is
// updated or removed, which the session does itself (an orphaned script's runtime has no id).

import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startPageSession } from '../utils/content/page-session';
import { createChannel } from '../utils/messaging/channel';

export default defineUnlistedScript(() => {
  startPageSession(window, {
    channel: createChannel(),
    alive: () => browser.runtime?.id !== undefined,
  });
});
