// Builds the background worker's parts once and connects them to the browser's events.

import { browser } from 'wxt/browser';
import { createCache } from './cache';
import { CheckService } from './check/check-service';
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
  const handler = createMessageHandler({
    checks,
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
  });

  browser.runtime.onMessage.addListener(handler.listener);
  browser.tabs.onRemoved.addListener((tabId) => handler.cancelTab(tabId));
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.status === 'loading' && change.url) handler.cancelTab(tabId);
  });
  return { scheduler, cache, hub, checks, handler };
}
