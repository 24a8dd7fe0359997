// A small HTTPS client for talking to the impersonators from Node: it connects to the loopback port
// mapped to the URL's host (what --host-resolver-rules does for Chromium), sends the real host name
// (SNI and Host header) and accepts the self-signed certificates. Nothing global is changed (no
// NODE_TLS_REJECT_UNAUTHORIZED), and a host that is not mapped is refused rather than looked up.

import { request as httpsRequest } from 'node:https';

export interface NodeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Stop reading after this many body bytes (for 200s of multi-GB files); `truncated` says so. */
  maxBytes?: number;
  /** Follow 3xx Location headers (to mapped hosts only), up to 5 hops. Default false. */
  followRedirects?: boolean;
}

export interface NodeResponse {
  url: string;
  status: number;
  /** Lowercased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  /** Earlier hops when redirects were followed. */
  redirects: NodeResponse[];
  text(): string;
  json<T = unknown>(): T;
}

/** Sends one request for `url` to `127.0.0.1:hosts[url.hostname]`. */
export async function requestVia(
  hosts: Record<string, number>,
  url: string,
  init: NodeRequestInit = {},
): Promise<NodeResponse> {
  const hops: NodeResponse[] = [];
  let current = url;
  let currentInit = init;
  for (;;) {
    const response = await requestOnce(hosts, current, currentInit);
    const location = response.headers.location;
    if (!init.followRedirects || response.status < 300 || response.status >= 400 || !location) {
      response.redirects = hops;
      return response;
    }
    if (hops.length >= 5) throw new Error(`Too many redirects from ${url}`);
    hops.push(response);
    const next = new URL(location, current);
    const headers = { ...currentInit.headers };
    // Like browsers: credentials stay with their origin.
    if (next.origin !== new URL(current).origin) {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    const keepMethod = response.status === 307 || response.status === 308;
    currentInit = {
      ...currentInit,
      headers,
      method: keepMethod ? currentInit.method : currentInit.method === 'HEAD' ? 'HEAD' : 'GET',
      body: keepMethod ? currentInit.body : undefined,
    };
    current = next.href;
  }
}

function requestOnce(
  hosts: Record<string, number>,
  url: string,
  init: NodeRequestInit,
): Promise<NodeResponse> {
  const target = new URL(url);
  const port = hosts[target.hostname];
  if (target.protocol !== 'https:' || port === undefined) {
    return Promise.reject(
      new Error(`Refusing ${url}: only https to mapped hosts (${Object.keys(hosts).join(', ')})`),
    );
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        servername: target.hostname,
        method: init.method ?? 'GET',
        path: `${target.pathname}${target.search}`,
        headers: { host: target.hostname, ...init.headers },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const body = Buffer.concat(chunks);
          resolve({
            url,
            status: res.statusCode ?? 0,
            headers,
            body,
            truncated,
            redirects: [],
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = (init.maxBytes ?? Number.POSITIVE_INFINITY) - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size += room;
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          if (!truncated) finish();
        });
        res.on('error', (error) => {
          if (!truncated) reject(error);
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
