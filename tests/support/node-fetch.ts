// A fetch for Node that reaches the impersonated hosts (as Chromium's host-resolver rules do), so
// the extension's own scheduler and Hub client can be measured from Node.

import { requestVia } from '../e2e/support/node-client';

export function fetchVia(hosts: Record<string, number>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const response = await requestVia(hosts, String(input), {
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      followRedirects: true,
    });
    return new Response(response.status === 204 ? null : new Uint8Array(response.body), {
      status: response.status,
      headers: response.headers,
    });
  }) as typeof fetch;
}
