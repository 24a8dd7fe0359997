// Wiring only: the page session annotates the page's GGUF files for as long as the tab shows
// huggingface.co (utils/content/page-session.ts).

import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPageSession } from '../utils/content/page-session';
import { createChannel } from '../utils/messaging/channel';

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  main(ctx) {
    const session = startPageSession(window, { channel: createChannel() });
    // An updated or removed extension leaves this script orphaned: take its controls away.
    ctx.onInvalidated(() => session.stop());
  },
});
