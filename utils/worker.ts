// Builds the background worker's parts once and connects them to the browser's events.

import { browser } from 'wxt/browser';
import { createCache } from './cache';
import { CheckService } from './check/check-service';
import { ProgressBoard } from './check/progress';
import { HubClient } from './huggingface/client';
import { createMessageHandler } from './messaging/handler';
import { HF_BUCKETS } from './scheduler/buckets';
import { sessionBudgetStore } from './scheduler/budget-store';
import { Scheduler } from './scheduler/scheduler';

export function createWorker() {
  const scheduler = new Scheduler({ buckets: HF_BUCKETS, store: sessionBudgetStore() });
  const cache = createCache();
  const hub = new HubClient({ scheduler, cache });
  const checks = new CheckService({ hub, cache });
  const progress = new ProgressBoard(scheduler);
  const handler = createMessageHandler({
    checks,
    progress,
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
  });

  browser.runtime.onMessage.addListener(handler.listener);
  browser.runtime.onConnect.addListener(handler.connect);
  return { scheduler, cache, hub, checks, handler };
}
