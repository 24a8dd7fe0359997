// The CDN host huggingface.co redirects LFS/Xet downloads to (cas-bridge.xethub.hf.co). It serves the
// file named by the redirect's token, with Range support and the CORS headers a page needs to read a
// cross-origin 206.

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  delay,
  describeRequest,
  type FailureHook,
  type HfRequest,
  type LatencySetting,
  type LoggedRequest,
  latencyFor,
  logEntry,
  send,
  sendBytes,
  sendInjected,
} from './http-util';
import { byteSource, type FakeRepo, lfsSha256, parseCdnToken } from './hub-model';

export const CDN_HOST = 'cas-bridge.xethub.hf.co';

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Accept-Ranges',
};

/** What the CDN shares with the hub: the repos, the test's hooks and the request log. */
export interface CdnContext {
  findRepo(id: string): FakeRepo | undefined;
  latency(): LatencySetting;
  failure(): FailureHook | undefined;
  log: LoggedRequest[];
}

export function createCdnHandler(ctx: CdnContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const info = describeRequest(req, 'cdn', () => 'cdn');
    const entry = logEntry(info);
    ctx.log.push(entry);
    try {
      entry.status = await handle(ctx, info, req, res);
    } catch (error) {
      entry.status = 500;
      send(res, 500, CORS_HEADERS, String(error));
    }
  };
}

async function handle(
  ctx: CdnContext,
  info: HfRequest,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<number> {
  const wait = latencyFor(ctx.latency(), info);
  if (wait) await delay(wait);

  const injected = ctx.failure()?.(info);
  if (injected) {
    sendInjected(res, injected, CORS_HEADERS, info.method === 'HEAD');
    return injected.status;
  }

  if (info.method === 'OPTIONS') {
    send(res, 204, {
      ...CORS_HEADERS,
      'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers':
        info.headers['access-control-request-headers'] ?? 'Range, Authorization, Content-Type, If-None-Match',
      'Access-Control-Max-Age': '86400',
    });
    return 204;
  }
  if (info.method !== 'GET' && info.method !== 'HEAD') {
    send(res, 405, { ...CORS_HEADERS, Allow: 'GET, HEAD, OPTIONS' }, '');
    return 405;
  }

  const match = info.pathname.match(/^\/xet\/([A-Za-z0-9_-]+)$/);
  const token = match ? parseCdnToken(match[1] as string) : undefined;
  const repo = token ? ctx.findRepo(token.repoId) : undefined;
  const file = token && repo?.files.find((candidate) => candidate.path === token.path);
  if (!match) {
    send(res, 404, { ...CORS_HEADERS, 'Content-Type': 'text/plain' }, 'Not Found');
    return 404;
  }
  if (!repo || !file) {
    // What an unknown or expired signed URL gets from the real CDN.
    send(res, 403, { ...CORS_HEADERS, 'Content-Type': 'text/plain' }, 'AccessDenied');
    return 403;
  }
  return sendBytes(req, res, byteSource(file), {
    ...CORS_HEADERS,
    'Content-Type': 'application/octet-stream',
    ETag: `"${lfsSha256(repo, file)}"`,
    'Cache-Control': 'public, max-age=604800, immutable',
  });
}
