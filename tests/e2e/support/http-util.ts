// Pieces shared by the hub and CDN impersonators: the request record handed to tests' hooks, the log
// entry, JSON replies and byte streaming with HTTP Range support.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from './hub-model';
import type { Bucket } from './rate-limit';

export type HostKind = 'hub' | 'cdn';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A request as tests' hooks (latency, failure injection) see it. */
export interface HfRequest {
  host: HostKind;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** Path without query (still percent-encoded). */
  pathname: string;
  query: URLSearchParams;
  /** Lowercased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The rate-limit bucket it counts against ('cdn' on the CDN host, which has no limits). */
  bucket: Bucket | 'cdn';
}

export interface LoggedRequest {
  host: HostKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Status sent (0 until decided, e.g. while a latency delay runs). */
  status: number;
  bucket: Bucket | 'cdn';
  /** Arrival time, ms since the epoch. */
  time: number;
}

/** What a failure-injection hook returns to replace the normal answer. */
export interface InjectedResponse {
  status: number;
  /**
   * A string or bytes are sent as they are (a string that parses as a JSON object or array gets
   * Content-Type application/json, other strings text/plain); anything else is sent as JSON.
   */
  body?: unknown;
  /** Undefined values are left out (handy for `cond ? {...} : {}` spreads). */
  headers?: Record<string, string | undefined>;
}

export type FailureHook = (req: HfRequest) => InjectedResponse | undefined;
export type LatencySetting = number | ((req: HfRequest) => number);

export function describeRequest(
  req: IncomingMessage,
  host: HostKind,
  bucketOf: (pathname: string) => Bucket | 'cdn',
): HfRequest {
  const path = req.url ?? '/';
  // Concatenated, not resolved: a path starting with '//' must not turn into a host name.
  const url = new URL(`https://placeholder.invalid${path.startsWith('/') ? '' : '/'}${path}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    host,
    method: req.method ?? 'GET',
    path,
    pathname: url.pathname,
    query: url.searchParams,
    headers,
    bucket: bucketOf(url.pathname),
  };
}

export function logEntry(req: HfRequest): LoggedRequest {
  return {
    host: req.host,
    method: req.method,
    path: req.path,
    headers: req.headers,
    status: 0,
    bucket: req.bucket,
    time: Date.now(),
  };
}

export function latencyFor(setting: LatencySetting, req: HfRequest): number {
  const ms = typeof setting === 'function' ? setting(req) : setting;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits a path into decoded segments ('/a/b%20c' -> ['a', 'b c']); undefined if badly encoded. */
export function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: string | Uint8Array,
  headOnly = false,
): void {
  if (res.destroyed || res.headersSent) return;
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, ...(payload ? { 'Content-Length': String(payload.length) } : {}) });
  res.end(headOnly ? undefined : payload);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  headOnly = false,
): void {
  send(res, status, { ...headers, 'Content-Type': JSON_TYPE }, JSON.stringify(value), headOnly);
}

/** Sends a hook's replacement answer. No RateLimit headers are added: the hook decides them all. */
export function sendInjected(
  res: ServerResponse,
  injected: InjectedResponse,
  baseHeaders: Record<string, string>,
  headOnly: boolean,
): void {
  const { body } = injected;
  const headers: Record<string, string> = { ...baseHeaders };
  if (typeof body === 'string')
    headers['Content-Type'] = looksLikeJson(body) ? JSON_TYPE : 'text/plain; charset=utf-8';
  else if (body instanceof Uint8Array) headers['Content-Type'] = 'application/octet-stream';
  else if (body !== undefined) headers['Content-Type'] = JSON_TYPE;
  for (const [name, value] of Object.entries(injected.headers ?? {})) {
    // Replace case-insensitively, so a hook's 'content-type' wins over ours.
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    }
    if (value !== undefined) headers[name] = value;
  }
  const payload =
    body === undefined || typeof body === 'string' || body instanceof Uint8Array
      ? body
      : JSON.stringify(body);
  send(res, injected.status, headers, payload, headOnly);
}

function looksLikeJson(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * Parses a single-range `Range` header against a resource of `size` bytes: `bytes=a-b`, `bytes=a-`
 * or `bytes=-n`. Undefined means "serve the whole resource" (no header, other units, several ranges,
 * bad syntax: all may be ignored per RFC 9110).
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

const ZEROS = new Uint8Array(64 * 1024);

/** Yields bytes [start, end] of `source` in chunks, zeros after the prefix: never the whole file. */
function* byteChunks(source: ByteSource, start: number, end: number): Generator<Uint8Array> {
  let position = start;
  if (position < source.prefix.length) {
    const stop = Math.min(end + 1, source.prefix.length);
    yield source.prefix.subarray(position, stop);
    position = stop;
  }
  while (position <= end) {
    const length = Math.min(ZEROS.length, end + 1 - position);
    yield length === ZEROS.length ? ZEROS : ZEROS.subarray(0, length);
    position += length;
  }
}

/**
 * Answers a GET/HEAD for `source` honouring `Range`: 206 + Content-Range for a satisfiable range,
 * 416 for an unsatisfiable one, else 200 with everything. The body streams with backpressure and stops
 * when the client goes away, so declared sizes of several GB cost nothing.
 */
export async function sendBytes(
  req: IncomingMessage,
  res: ServerResponse,
  source: ByteSource,
  headers: Record<string, string>,
): Promise<number> {
  const range = parseRange(req.headers.range, source.size);
  const common = { ...headers, 'Accept-Ranges': 'bytes' };
  if (range === 'unsatisfiable') {
    send(res, 416, { ...common, 'Content-Range': `bytes */${source.size}` }, '');
    return 416;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? source.size - 1;
  const status = range ? 206 : 200;
  if (res.destroyed) return status;
  res.writeHead(status, {
    ...common,
    'Content-Length': String(Math.max(0, end + 1 - start)),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${source.size}` } : {}),
  });
  if (req.method === 'HEAD' || end < start) {
    res.end();
    return status;
  }
  try {
    await pipeline(Readable.from(byteChunks(source, start, end), { objectMode: false }), res);
  } catch {
    // The client stopped reading (aborted a big download): nothing to clean up.
  }
  return status;
}
