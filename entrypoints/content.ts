// Wiring only: reads the page once, hands the user's saved hardware to the worker, and annotates the
// page's GGUF files (utils/content/annotator.ts).

import { defineContentScript } from 'wxt/utils/define-content-script';
import { startAnnotator } from '../utils/content/annotator';
import { createChannel } from '../utils/messaging/channel';
import { readPageContext } from '../utils/page/data-props';

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  main() {
    const ctx = readPageContext(document, location.href);
    const channel = createChannel();
    if (ctx.hardwareItems && ctx.hardwareItems.length > 0) {
      void channel.request({ type: 'hardware-seen', items: ctx.hardwareItems });
    }
    startAnnotator(document, ctx, { channel });
  },
});
