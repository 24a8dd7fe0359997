// A test client for the worker's port protocol, run inside an extension page (popup.html): it sends
// check requests as a content script would and, like utils/messaging/channel.ts, asks again on a new
// port when the worker stops. Tests use it to act as several tabs at once.

import type { Page } from 'playwright-core';

export interface ClientOutcome {
  file: string;
  repo: string;
  ok: boolean;
  code?: string;
  retryable?: boolean;
  states: string[];
}

export interface ClientRequest {
  repo: string;
  revision: string;
  file: string;
  priority?: 'click' | 'popup' | 'bulk';
}

/** Sends every request at once from `page` and resolves when each has its final reply. */
export async function checkFromPage(
  page: Page,
  requests: ClientRequest[],
  maxAttempts = 3,
): Promise<ClientOutcome[]> {
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await page.evaluate('globalThis.__name ??= (fn) => fn');
  return page.evaluate(
    ({ requests, maxAttempts }) =>
      new Promise<ClientOutcome[]>((resolve) => {
        const outcomes: ClientOutcome[] = requests.map((r) => ({
          file: r.file,
          repo: r.repo,
          ok: false,
          states: [],
        }));
        const attempts = requests.map(() => 0);
        let open = requests.length;
        let port: ReturnType<typeof chrome.runtime.connect> | null = null;
        const finish = (i: number, reply: { ok: boolean; error?: { code: string; retryable: boolean } }) => {
          const outcome = outcomes[i] as ClientOutcome;
          outcome.ok = reply.ok;
          outcome.code = reply.error?.code;
          outcome.retryable = reply.error?.retryable;
          attempts[i] = Number.POSITIVE_INFINITY;
          open -= 1;
          if (open === 0) resolve(outcomes);
        };
        const send = (i: number) => {
          attempts[i] = (attempts[i] ?? 0) + 1;
          connect().postMessage({ id: `${i}-${attempts[i]}`, request: { type: 'check', ...requests[i] } });
        };
        const connect = (): ReturnType<typeof chrome.runtime.connect> => {
          if (port) return port;
          const fresh = chrome.runtime.connect({ name: 'gpustack-check' });
          fresh.onMessage.addListener(
            (message: { id: string; progress?: { state: string }; reply?: never }) => {
              const i = Number(message.id.split('-')[0]);
              if (message.progress) outcomes[i]?.states.push(message.progress.state);
              else if (message.reply && attempts[i] !== Number.POSITIVE_INFINITY) finish(i, message.reply);
            },
          );
          fresh.onDisconnect.addListener(() => {
            port = null;
            requests.forEach((_, i) => {
              if (attempts[i] === Number.POSITIVE_INFINITY) return;
              if ((attempts[i] ?? 0) >= maxAttempts) {
                finish(i, { ok: false, error: { code: 'worker-lost', retryable: true } });
              } else {
                send(i);
              }
            });
          });
          port = fresh;
          return fresh;
        };
        for (let i = 0; i < requests.length; i += 1) send(i);
      }),
    { requests, maxAttempts },
  );
}
