// Wiring only: the scheduler, the cache, the Hub client and the check service live in utils/.

import { defineBackground } from 'wxt/utils/define-background';

import { createWorker } from '../utils/worker/index';

export default defineBackground(() => {
  createWorker();
});
