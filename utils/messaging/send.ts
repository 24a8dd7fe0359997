// The caller's side: sends a request to the worker and always ends with a reply. When Chrome stops
// the worker mid-request the pending message fails ("message port closed"); asking again wakes a new
// worker, which picks the work up from its cache and restored budgets.

import { browser } from 'wxt/browser';
import type { ReplyFor, Request } from './messages';

const ATTEMPTS = 3;

export async function sendRequest<R extends Request>(request: R): Promise<ReplyFor<R>> {
  let lastError = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      const reply = (await browser.runtime.sendMessage(request)) as ReplyFor<R> | undefined;
      if (reply && typeof reply === 'object' && 'ok' in reply) return reply;
      lastError = 'The extension gave no answer.';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    ok: false,
    error: {
      code: 'internal',
      message: `The extension's background worker did not answer (${lastError}). Try again.`,
      retryable: true,
    },
  } as ReplyFor<R>;
}
