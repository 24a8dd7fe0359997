// Keeps the buckets' budgets in storage.session: it outlives a stopped service worker (Chrome stops
// idle workers after ~30 s) but not the browser session, like the Hub's own 5-minute windows.

import { browser } from 'wxt/browser';
import type { BudgetState } from './budget';
import type { BudgetStore } from './scheduler';

const KEY = 'scheduler.budgets.v2';

export function sessionBudgetStore(): BudgetStore {
  const area = browser.storage.session ?? browser.storage.local;
  return {
    async load() {
      const stored = await area.get(KEY);
      return (stored[KEY] as Record<string, BudgetState> | undefined) ?? {};
    },
    async save(states) {
      await area.set({ [KEY]: states });
    },
  };
}
