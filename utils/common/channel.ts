// The caller's side of the port protocol. Requests carry progress back ("queued #3", "waiting 42 s")
// and always end with a reply: when Chrome stops the worker the port disconnects, and the channel
// reconnects (waking a new worker) and asks again, a few times at most, then gives a retryable error.

import { browser } from 'wxt/browser';
import { t } from './i18n';
import type { ProgressView } from './protocol';
import { CHANNEL, type PortMessage, type ReplyFor, type Request } from './protocol';
import { MESSAGE_TIMING, timed } from './timing';

const MAX_ATTEMPTS = 3;

interface Pending {
  request: Request;
  attempts: number;
  onProgress?: (view: ProgressView) => void;
  resolve: (reply: ReplyFor<Request>) => void;
}

export interface Channel {
  request<R extends Request>(request: R, onProgress?: (view: ProgressView) => void): Promise<ReplyFor<R>>;
}

export function createChannel(): Channel {
  const pending = new Map<string, Pending>();
  let port: ReturnType<typeof browser.runtime.connect> | null = null;
  let counter = 0;

  function send(id: string, entry: Pending): void {
    entry.attempts += 1;
    timed(MESSAGE_TIMING, () => ensurePort().postMessage({ id, request: entry.request }));
  }

  function ensurePort() {
    if (port) return port;
    const fresh = browser.runtime.connect({ name: CHANNEL });
    fresh.onMessage.addListener((message: PortMessage) => {
      const entry = pending.get(message.id);
      if (!entry) return;
      if ('progress' in message) {
        entry.onProgress?.(message.progress);
      } else {
        pending.delete(message.id);
        entry.resolve(message.reply as ReplyFor<Request>);
      }
    });
    fresh.onDisconnect.addListener(() => {
      port = null;
      // The worker stopped (or was replaced): ask again, or give up with an answer.
      for (const [id, entry] of pending) {
        if (entry.attempts >= MAX_ATTEMPTS) {
          pending.delete(id);
          entry.resolve({
            ok: false,
            error: {
              code: 'internal',
              message: t('pageWorkerStopped'),
              retryable: true,
            },
          });
        } else {
          send(id, entry);
        }
      }
    });
    port = fresh;
    return fresh;
  }

  return {
    request(request, onProgress) {
      return new Promise((resolve) => {
        counter += 1;
        const id = `${Date.now().toString(36)}-${counter}`;
        const entry: Pending = { request, attempts: 0, onProgress, resolve: resolve as Pending['resolve'] };
        pending.set(id, entry);
        // Sent when the caller's current work is done: a page draws its controls first.
        queueMicrotask(() => {
          try {
            send(id, entry);
          } catch (error) {
            pending.delete(id);
            resolve({
              ok: false,
              error: {
                code: 'internal',
                message: t('pageWorkerUnreachable', String(error)),
                retryable: true,
              },
            } as ReplyFor<typeof request>);
          }
        });
      });
    },
  };
}
