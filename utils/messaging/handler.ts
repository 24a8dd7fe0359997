// The worker's side of the message protocol: validates every message, answers only this
// extension's own pages and content scripts, and ties each request to its tab so a closed or
// reloaded tab cancels what it still waits for.

import type { Browser } from 'wxt/browser';
import type { CheckService } from '../check/check-service';
import { toReplyError } from '../errors';
import { failure, parseRequest, type Reply } from './messages';

type Sender = Browser.runtime.MessageSender;

export interface HandlerOptions {
  checks: CheckService;
  extensionId: string;
  extensionOrigin: string;
}

export function createMessageHandler({ checks, extensionId, extensionOrigin }: HandlerOptions) {
  const byTab = new Map<number, Set<AbortController>>();

  function trusted(sender: Sender): boolean {
    if (sender.id !== extensionId) return false;
    const url = sender.url ?? sender.tab?.url ?? '';
    return url.startsWith(extensionOrigin) || url.startsWith('https://huggingface.co/');
  }

  async function answer(raw: unknown, sender: Sender): Promise<Reply<unknown>> {
    if (!trusted(sender)) return failure('bad-message', 'Messages are taken only from this extension.');
    const request = parseRequest(raw);
    if (typeof request === 'string') return failure('bad-message', request);
    const controller = new AbortController();
    const tabId = sender.tab?.id;
    if (tabId !== undefined) {
      const set = byTab.get(tabId) ?? new Set();
      set.add(controller);
      byTab.set(tabId, set);
    }
    try {
      if (request.type === 'cached') return { ok: true, value: await checks.cached(request) };
      const call = { priority: request.priority, signal: controller.signal };
      return { ok: true, value: await checks.check(request, call) };
    } catch (error) {
      return { ok: false, error: toReplyError(error) };
    } finally {
      if (tabId !== undefined) byTab.get(tabId)?.delete(controller);
    }
  }

  return {
    /** A runtime.onMessage listener that works with both promise and sendResponse conventions. */
    listener(raw: unknown, sender: Sender, sendResponse?: (reply: unknown) => void): Promise<unknown> | true {
      const reply = answer(raw, sender).catch((error) => ({ ok: false, error: toReplyError(error) }));
      if (typeof sendResponse === 'function') {
        void reply.then(sendResponse);
        return true;
      }
      return reply;
    },
    /** The tab is gone or loads another page: its queued requests are no longer wanted. */
    cancelTab(tabId: number): void {
      for (const controller of byTab.get(tabId) ?? []) {
        controller.abort(new DOMException('The tab closed or navigated away.', 'AbortError'));
      }
      byTab.delete(tabId);
    },
  };
}
