// Wiring only: reads the page and annotates its GGUF files (utils/content/annotator.ts).

import { defineContentScript } from 'wxt/utils/define-content-script';
import { startAnnotator } from '../utils/content/annotator';
import { createChannel } from '../utils/messaging/channel';

export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  main() {
    startAnnotator(document, new URL(location.href), { channel: createChannel() });
  },
});
