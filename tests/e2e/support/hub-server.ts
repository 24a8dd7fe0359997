// The huggingface.co side of the impersonator: the API endpoints the extension uses, /resolve/
// redirects to the CDN, configured HTML pages, and the Hub's rate limits on all of them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { CDN_HOST, type CdnContext } from './cdn-server';
import {
  decodedSegments,
  delay,
  describeRequest,
  type HfRequest,
  latencyFor,
  logEntry,
  readBody,
  send,
  sendBytes,
  sendInjected,
  sendJson,
} from './http-util';
import {
  byteSource,
  cdnToken,
  type FakeRepo,
  fileSize,
  gitOid,
  isLfs,
  lfsSha256,
  modelInfoJson,
  pathsInfo,
  resolveRevision,
  type SearchModel,
  searchJson,
  treeEntries,
} from './hub-model';
import { bucketOf, type FixedWindowLimiter, rateLimitHeaders } from './rate-limit';

export const HUB_HOST = 'huggingface.co';
export const HUB_ORIGIN = `https://${HUB_HOST}`;
export const CDN_ORIGIN = `https://${CDN_HOST}`;

/** The Hub's biggest page of search results, also its page size when no `limit` is given. */
export const MAX_SEARCH_LIMIT = 1000;

export interface HubContext extends CdnContext {
  pages: Map<string, string>;
  searchModels(): SearchModel[];
  limiter: FixedWindowLimiter;
  retryAfter(): boolean;
}

const EXPOSED_HEADERS = [
  'RateLimit',
  'RateLimit-Policy',
  'Link',
  'X-Repo-Commit',
  'Retry-After',
  'X-Error-Code',
  'X-Error-Message',
  'X-Linked-Size',
  'ETag',
  'Content-Range',
  'Accept-Ranges',
].join(', ');

function corsHeaders(info: HfRequest): Record<string, string> {
  const origin = info.headers.origin;
  return {
    // Echo the origin (rather than '*') so credentialed requests from pages work too.
    'Access-Control-Allow-Origin': origin ?? '*',
    ...(origin ? { 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } : {}),
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
  };
}

export function createHubHandler(ctx: HubContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const info = describeRequest(req, 'hub', bucketOf);
    const entry = logEntry(info);
    ctx.log.push(entry);
    try {
      entry.status = await handle(ctx, info, req, res);
    } catch (error) {
      entry.status = 500;
      sendJson(res, 500, { error: `Impersonator bug: ${String(error)}` });
    }
  };
}

async function handle(ctx: HubContext, info: HfRequest, req: IncomingMessage, res: ServerResponse) {
  const wait = latencyFor(ctx.latency(), info);
  if (wait) await delay(wait);
  const headOnly = info.method === 'HEAD';
  const cors = corsHeaders(info);

  const injected = ctx.failure()?.(info);
  if (injected) {
    sendInjected(res, injected, cors, headOnly);
    return injected.status;
  }

  if (info.method === 'OPTIONS') {
    // Preflights are answered without counting against a bucket.
    send(res, 204, {
      ...cors,
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
      'Access-Control-Allow-Headers':
        info.headers['access-control-request-headers'] ?? 'Authorization, Range, Content-Type',
      'Access-Control-Max-Age': '86400',
    });
    return 204;
  }

  const bucket = info.bucket as Exclude<HfRequest['bucket'], 'cdn'>;
  const state = ctx.limiter.take(bucket);
  const headers = { ...cors, ...rateLimitHeaders(state) };
  if (!state.allowed) {
    if (ctx.retryAfter()) headers['Retry-After'] = String(state.resetSeconds);
    sendJson(
      res,
      429,
      { error: `Rate limit reached for "${bucket}": retry in ${state.resetSeconds} s` },
      headers,
      headOnly,
    );
    return 429;
  }

  const reply = new Reply(res, headers, headOnly);
  const segments = decodedSegments(info.pathname);
  if (!segments) return reply.error(400, 'BadRequest', 'Malformed percent-encoding in path');

  if (segments[0] === 'api') return handleApi(ctx, info, req, reply, segments);
  if (segments[2] === 'resolve' && segments.length >= 5)
    return handleResolve(ctx, info, req, res, reply, segments);

  const page = ctx.pages.get(info.path) ?? ctx.pages.get(info.pathname);
  if (page !== undefined && (info.method === 'GET' || headOnly)) {
    send(res, 200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, page, headOnly);
    return 200;
  }
  send(res, 404, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, '<h1>404</h1>', headOnly);
  return 404;
}

/** JSON answers that carry the bucket's headers. */
class Reply {
  constructor(
    private readonly res: ServerResponse,
    readonly headers: Record<string, string>,
    private readonly headOnly: boolean,
  ) {}

  json(status: number, value: unknown, extra: Record<string, string> = {}): number {
    sendJson(this.res, status, value, { ...this.headers, ...extra }, this.headOnly);
    return status;
  }

  /** The Hub's error shape: {"error": ...} plus X-Error-Code / X-Error-Message (used by huggingface_hub). */
  error(status: number, code: string, message: string): number {
    return this.json(status, { error: message }, { 'X-Error-Code': code, 'X-Error-Message': message });
  }

  repoNotFound(): number {
    // Anonymous callers get 401, not 404, for repos that do not exist (or are private).
    return this.error(401, 'RepoNotFound', 'Repository not found');
  }

  revisionNotFound(rev: string): number {
    return this.error(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
  }
}

async function handleApi(
  ctx: HubContext,
  info: HfRequest,
  req: IncomingMessage,
  reply: Reply,
  segments: string[],
): Promise<number> {
  if (segments[1] !== 'models') return reply.error(404, 'NotFound', 'Not Found');
  if (segments.length === 2 || (segments.length === 3 && segments[2] === '')) {
    return info.method === 'GET' || info.method === 'HEAD'
      ? search(ctx, info, reply)
      : methodNotAllowed(reply);
  }
  const [, , owner, name, action, ...rest] = segments;
  if (!owner || !name) return reply.error(404, 'NotFound', 'Not Found');
  const repo = ctx.findRepo(`${owner}/${name}`);

  if (action === 'paths-info' && rest.length > 0) {
    if (info.method !== 'POST') return methodNotAllowed(reply);
    if (!repo) return reply.repoNotFound();
    const rev = rest.join('/');
    if (!resolveRevision(repo, rev)) return reply.revisionNotFound(rev);
    return reply.json(200, pathsInfo(repo, await requestedPaths(req, info)));
  }
  if (info.method !== 'GET' && info.method !== 'HEAD') return methodNotAllowed(reply);

  if (action === undefined || (action === 'revision' && rest.length > 0)) {
    if (!repo) return reply.repoNotFound();
    const rev = action === undefined ? 'main' : rest.join('/');
    const commit = resolveRevision(repo, rev);
    if (!commit) return reply.revisionNotFound(rev);
    const blobs = ['true', '1'].includes(info.query.get('blobs') ?? '');
    return reply.json(200, modelInfoJson(repo, commit, blobs));
  }
  if (action === 'tree' && rest.length > 0) {
    if (!repo) return reply.repoNotFound();
    const [rev, ...pathParts] = rest as [string, ...string[]];
    if (!resolveRevision(repo, rev)) return reply.revisionNotFound(rev);
    const dir = pathParts.filter(Boolean).join('/');
    const recursive = ['true', '1'].includes(info.query.get('recursive') ?? '');
    const entries = treeEntries(repo, dir, recursive);
    if (!entries) return reply.error(404, 'EntryNotFound', `${dir} does not exist on "${rev}"`);
    return reply.json(200, entries);
  }
  return reply.error(404, 'NotFound', 'Not Found');
}

function methodNotAllowed(reply: Reply): number {
  return reply.error(405, 'MethodNotAllowed', 'Method not allowed');
}

/** paths-info takes form fields (huggingface_hub) or JSON (huggingface.js). */
async function requestedPaths(req: IncomingMessage, info: HfRequest): Promise<string[]> {
  const body = await readBody(req);
  if ((info.headers['content-type'] ?? '').includes('application/json')) {
    const parsed = JSON.parse(body || '{}') as { paths?: unknown };
    const paths = Array.isArray(parsed.paths) ? parsed.paths : [parsed.paths];
    return paths.filter((path): path is string => typeof path === 'string');
  }
  return new URLSearchParams(body).getAll('paths');
}

const SORT_FIELDS = new Set(['downloads', 'likes', 'lastModified', 'createdAt', 'trendingScore']);

interface Cursor {
  offset: number;
}

function search(ctx: HubContext, info: HfRequest, reply: Reply): number {
  const query = info.query;
  let models = ctx.searchModels();

  const text = query.get('search')?.toLowerCase();
  if (text) models = models.filter((model) => model.id.toLowerCase().includes(text));
  const author = query.get('author')?.toLowerCase();
  if (author) models = models.filter((model) => model.id.toLowerCase().startsWith(`${author}/`));
  const wanted = query
    .getAll('filter')
    .flatMap((value) => value.split(','))
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
  if (wanted.length > 0) {
    models = models.filter((model) => {
      const tags = new Set((model.tags ?? []).map((tag) => tag.toLowerCase()));
      return wanted.every((tag) => tags.has(tag));
    });
  }
  const sort = query.get('sort');
  if (sort && SORT_FIELDS.has(sort)) {
    // Always descending, as on the Hub today. Array.prototype.sort is stable: ties keep config order.
    models = [...models].sort((a, b) => compareDescending(a[sort], b[sort]));
  }

  const limitParam = Number.parseInt(query.get('limit') ?? '', 10);
  const limit =
    Number.isFinite(limitParam) && limitParam > 0 ? Math.min(limitParam, MAX_SEARCH_LIMIT) : MAX_SEARCH_LIMIT;
  let offset = 0;
  const cursorParam = query.get('cursor');
  if (cursorParam) {
    const cursor = decodeCursor(cursorParam);
    if (!cursor) return reply.error(400, 'BadRequest', 'Invalid cursor');
    offset = cursor.offset;
  }

  const page = models.slice(offset, offset + limit);
  const extra: Record<string, string> = {};
  if (offset + limit < models.length) {
    const next = new URLSearchParams(query);
    next.set('cursor', encodeCursor({ offset: offset + limit }));
    extra.Link = `<${HUB_ORIGIN}/api/models?${next}>; rel="next"`;
  }
  return reply.json(200, page.map(searchJson), extra);
}

function compareDescending(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return b - a;
  const left = a === undefined ? '' : String(a);
  const right = b === undefined ? '' : String(b);
  return left < right ? 1 : left > right ? -1 : 0;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string): Cursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor>;
    return Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0
      ? { offset: parsed.offset as number }
      : undefined;
  } catch {
    return undefined;
  }
}

async function handleResolve(
  ctx: HubContext,
  info: HfRequest,
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  segments: string[],
): Promise<number> {
  if (info.method !== 'GET' && info.method !== 'HEAD') return methodNotAllowed(reply);
  const [owner, name, , rev, ...pathParts] = segments as [string, string, string, string, ...string[]];
  const repoId = `${owner}/${name}`;
  const repo: FakeRepo | undefined = ctx.findRepo(repoId);
  if (!repo) return reply.repoNotFound();
  if (repo.gated && !/^Bearer\s+\S/i.test(info.headers.authorization ?? '')) {
    return reply.error(
      401,
      'GatedRepo',
      `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
    );
  }
  const commit = resolveRevision(repo, rev);
  if (!commit) return reply.revisionNotFound(rev);
  const path = pathParts.join('/');
  const file = repo.files.find((candidate) => candidate.path === path);
  if (!file) return reply.error(404, 'EntryNotFound', 'Entry not found');

  const headers = { ...reply.headers, 'X-Repo-Commit': commit };
  if (isLfs(file)) {
    const location = `${CDN_ORIGIN}/xet/${cdnToken(repoId, commit, path)}?Expires=4102444800&Signature=fake&Key-Pair-Id=fake`;
    send(
      res,
      302,
      {
        ...headers,
        Location: location,
        ETag: `"${lfsSha256(repo, file)}"`,
        'X-Linked-ETag': `"${lfsSha256(repo, file)}"`,
        'X-Linked-Size': String(fileSize(file)),
        'Content-Type': 'text/plain; charset=utf-8',
      },
      `Found. Redirecting to ${location}`,
      info.method === 'HEAD',
    );
    return 302;
  }
  return sendBytes(req, res, byteSource(file), {
    ...headers,
    ETag: `"${gitOid(repo, file)}"`,
    'Content-Type':
      typeof file.content === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
  });
}
