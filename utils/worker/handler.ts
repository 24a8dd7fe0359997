// The worker's side of the message protocol: validates every message and answers only this
// extension's own pages and content scripts. Two ways in:
// - a port (content scripts, the popup): requests with progress updates; when the port closes
//   (tab closed, navigated away, popup shut) whatever it still waited for is cancelled;
// - runtime.sendMessage: one-shot requests.

import type { Browser } from 'wxt/browser';
import { toReplyError } from '../common/errors';
import type { ProgressView, RepoGgufFiles, SearchPage } from '../common/protocol';
import {
  CHANNEL,
  type ConnectionReport,
  EXTENSION_PAGES_ONLY,
  failure,
  type PortMessage,
  parseRequest,
  type Reply,
  type Request,
  type SearchRequest,
  type TestConnectionRequest,
  type WorkerStatus,
} from '../common/protocol';
import type { CheckService } from './check/check-service';
import type { ProgressBoard } from './check/progress';
import type { CallOptions } from './huggingface/client';
import { pageMessageTemplates } from './page-strings';

type Sender = Browser.runtime.MessageSender;
type Port = Browser.runtime.Port;

/** The worker's services behind the requests that are not checks. */
export interface WorkerServices {
  testConnection(request: TestConnectionRequest): Promise<ConnectionReport>;
  clearCache(): Promise<void>;
  hardwareSeen(items: unknown[]): Promise<boolean>;
  search(request: SearchRequest, call: CallOptions): Promise<SearchPage>;
  modelFiles(repo: string, call: CallOptions): Promise<RepoGgufFiles>;
  status(): Promise<WorkerStatus>;
}

export interface HandlerOptions {
  checks: CheckService;
  progress: ProgressBoard;
  services: WorkerServices;
  extensionId: string;
  extensionOrigin: string;
}

/** Makes the compiler prove every request type has a route. */
function unreachable(request: never): never {
  throw new Error(`No route for ${JSON.stringify(request)}`);
}

export function createMessageHandler(options: HandlerOptions) {
  const { checks, progress, services, extensionId, extensionOrigin } = options;
  const senderUrl = (sender: Sender) => sender.url ?? sender.tab?.url ?? '';

  function trusted(sender: Sender | undefined): boolean {
    if (!sender || sender.id !== extensionId) return false;
    const url = senderUrl(sender);
    return url.startsWith(extensionOrigin) || url.startsWith('https://huggingface.co/');
  }

  async function route(request: Request, call: CallOptions): Promise<unknown> {
    switch (request.type) {
      case 'check':
        return checks.check(request, { ...call, priority: request.priority });
      case 'cached':
        return checks.cached(request);
      case 'test-connection':
        return services.testConnection(request);
      case 'clear-cache':
        await services.clearCache();
        return { cleared: true };
      case 'hardware-seen':
        return { stored: await services.hardwareSeen(request.items) };
      case 'search':
        return services.search(request, { ...call, priority: 'popup' });
      case 'model-files':
        return services.modelFiles(request.repo, { ...call, priority: 'popup' });
      case 'status':
        return services.status();
      case 'page-messages':
        return pageMessageTemplates();
      default:
        return unreachable(request);
    }
  }

  async function answer(
    raw: unknown,
    sender: Sender | undefined,
    signal?: AbortSignal,
    onProgress?: (view: ProgressView) => void,
  ): Promise<Reply<unknown>> {
    if (!trusted(sender)) return failure('bad-message', 'Messages are taken only from this extension.');
    const request = parseRequest(raw);
    if (typeof request === 'string') return failure('bad-message', request);
    if (EXTENSION_PAGES_ONLY.has(request.type) && !senderUrl(sender as Sender).startsWith(extensionOrigin)) {
      return failure('bad-message', "Only the extension's own pages may ask that.");
    }
    const watch = onProgress ? progress.watch(onProgress) : undefined;
    try {
      return { ok: true, value: await route(request, { signal, tracker: watch?.tracker }) };
    } catch (error) {
      return { ok: false, error: toReplyError(error) };
    } finally {
      watch?.stop();
    }
  }

  return {
    /** A runtime.onMessage listener that works with both promise and sendResponse conventions. */
    listener(raw: unknown, sender: Sender, sendResponse?: (reply: unknown) => void): Promise<unknown> | true {
      const reply = answer(raw, sender);
      if (typeof sendResponse === 'function') {
        void reply.then(sendResponse);
        return true;
      }
      return reply;
    },

    /** A runtime.onConnect listener. */
    connect(port: Port): void {
      if (port.name !== CHANNEL || !trusted(port.sender)) {
        port.disconnect();
        return;
      }
      const open = new Map<string, { controller: AbortController; keepAlive: boolean }>();
      const post = (message: PortMessage) => {
        try {
          port.postMessage(message);
        } catch {
          // The other side went away; its requests are being cancelled.
        }
      };
      port.onMessage.addListener((message: unknown) => {
        const { id, request } = (message ?? {}) as { id?: unknown; request?: unknown };
        if (typeof id !== 'string' || id.length > 100 || open.has(id)) {
          post({
            id: String(id).slice(0, 100),
            reply: failure('bad-message', 'A port message needs a fresh id.'),
          });
          return;
        }
        const controller = new AbortController();
        const keepAlive = (request as { keepAlive?: unknown } | null)?.keepAlive === true;
        open.set(id, { controller, keepAlive });
        void answer(request, port.sender, controller.signal, (progress) => post({ id, progress })).then(
          (reply) => {
            open.delete(id);
            post({ id, reply });
          },
        );
      });
      port.onDisconnect.addListener(() => {
        // A closed or navigated tab no longer wants its checks; requests marked keepAlive (the
        // popup's) go on, and a reopened popup finds the result in the cache.
        for (const { controller, keepAlive } of open.values()) {
          if (!keepAlive) controller.abort(new DOMException('The page that asked is gone.', 'AbortError'));
        }
        open.clear();
      });
    },
  };
}
