// Every message between the extension's pages / content scripts and the background worker, with its
// reply. The worker validates each incoming message with `parseRequest`: anything unknown or
// malformed gets an error reply instead of an exception that would break the listener.

import type { ProfileSource } from '../lib/hardware';
import type { MessageTemplates } from './i18n';
import type { CheckResult, Priority } from './result';
import type { EngineChoice } from './settings';

// What the worker answers with, for every context that asks.

export type ProgressView =
  | { state: 'queued'; position: number }
  | { state: 'waiting'; until: number }
  | { state: 'checking' };

export type SearchSort = 'downloads' | 'likes' | 'trendingScore' | 'lastModified';

export interface SearchItem {
  id: string;
  downloads: number;
  likes: number;
  lastModified: string | null;
}

export interface SearchPage {
  models: SearchItem[];
  /** The next page's URL, or null at the end. */
  next: string | null;
}

export interface GgufModelEntry {
  /** The file a check names: the model file, or the first shard. */
  file: string;
  /** "Q4_K_M", "IQ2_XXS"...; the file name when none is recognised. */
  label: string;
  sizeBytes: number;
  shards: number;
}

export interface RepoGgufFiles {
  repo: string;
  commit: string;
  models: GgufModelEntry[];
  /** mmproj files: attached to the models, not models themselves. */
  projectors: string[];
}

export interface BucketStatus {
  queued: number;
  inFlight: number;
  remaining: number;
  quota: number;
  /** When the bucket waits for its budget or a 429 pause: the time it may send again. */
  waitingUntil: number | null;
}

export interface SchedulerStatus {
  buckets: Record<string, BucketStatus>;
}

/** The port name content scripts and the popup connect with. */
export const CHANNEL = 'gpustack-check';

/** A request to check one GGUF model file (the first shard of a split model). */
export interface CheckRequest {
  type: 'check';
  repo: string;
  revision: string;
  file: string;
  /** The commit the page shows, when it has one: saves a revision lookup. */
  commit?: string;
  priority?: Priority;
  /** Skip the cache and ask again. */
  force?: boolean;
  /** Keep checking when the asker goes away (the popup: reopened, it finds the result). */
  keepAlive?: boolean;
  /** Estimate for this context size instead of the configured one (the popover's choice). */
  ctxSize?: number;
}

/** Results already known for these files, from the cache only: never a network request. */
export interface CachedRequest {
  type: 'cached';
  repo: string;
  revision: string;
  commit?: string;
  files: string[];
}

/** Options page: ask a GPUStack server what it is and what the key may do. Extension pages only. */
export interface TestConnectionRequest {
  type: 'test-connection';
  serverUrl: string;
  /** Omitted: the saved key. */
  apiKey?: string;
}

/** Options page: forget every cached answer. Extension pages only. */
export interface ClearCacheRequest {
  type: 'clear-cache';
}

/** A signed-in Hugging Face page showed the user's saved hardware (MainHeader's hardwareItems). */
export interface HardwareSeenRequest {
  type: 'hardware-seen';
  items: unknown[];
}

/** Popup: one page of GGUF model search results. */
export interface SearchRequest {
  type: 'search';
  search: string;
  sort: SearchSort;
  /** The previous page's `next`. */
  cursor?: string;
}

/** Popup: a repo's GGUF models (one request: commit and every size). */
export interface ModelFilesRequest {
  type: 'model-files';
  repo: string;
}

/** Popup footer: queue, budgets, engine and hardware in use. */
export interface StatusRequest {
  type: 'status';
}

/** Content scripts: the strings they show, in the browser's language (utils/i18n.ts says why). */
export interface PageMessagesRequest {
  type: 'page-messages';
}

export interface WorkerStatus {
  scheduler: SchedulerStatus;
  engine: EngineChoice;
  hardware: { source: ProfileSource; label: string };
}

export type Request =
  | CheckRequest
  | CachedRequest
  | TestConnectionRequest
  | ClearCacheRequest
  | HardwareSeenRequest
  | SearchRequest
  | ModelFilesRequest
  | StatusRequest
  | PageMessagesRequest;

/** Requests only the extension's own pages may make (they touch secrets or everyone's cache). */
export const EXTENSION_PAGES_ONLY: ReadonlySet<Request['type']> = new Set(['test-connection', 'clear-cache']);

export interface ConnectionReport {
  /** e.g. "v0.6.1" */
  version: string | null;
  generation: 'v1' | 'v2' | null;
  canEvaluate: boolean;
  canListWorkers: boolean;
  clusters: Array<{ id: number; name: string }>;
  /** 2.x: non-built-in backends that can serve GGUF. */
  backends: string[];
  /** One sentence for people, naming what happened and what to do. */
  message: string;
}

export interface ReplyError {
  code: ErrorCode;
  message: string;
  /** Asking again later may succeed (rate limit, network, a stopped worker). */
  retryable: boolean;
}

export type ErrorCode =
  | 'bad-message'
  | 'not-found'
  | 'unauthorized'
  | 'rate-limited'
  | 'network'
  | 'upstream'
  | 'bad-file'
  | 'unsupported'
  | 'cancelled'
  | 'internal';

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ReplyError };

export interface Replies {
  check: CheckResult;
  cached: Record<string, CheckResult>;
  'test-connection': ConnectionReport;
  'clear-cache': { cleared: true };
  'hardware-seen': { stored: boolean };
  search: SearchPage;
  'model-files': RepoGgufFiles;
  status: WorkerStatus;
  'page-messages': MessageTemplates;
}

export type ReplyFor<R extends Request> = Reply<Replies[R['type']]>;

/** On a port the client sends {id, request}; the worker answers {id, progress}... then {id, reply}. */
export type PortMessage = { id: string; progress: ProgressView } | { id: string; reply: Reply<unknown> };

const REPO_ID = /^[\w.-]+\/[\w.-]+$/;
const PRIORITIES: readonly Priority[] = ['click', 'popup', 'bulk'];
const SORTS: readonly SearchSort[] = ['downloads', 'likes', 'trendingScore', 'lastModified'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, max = 1024): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

function isCommit(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}

type Validator = (raw: Record<string, unknown>) => Request | string;

function repoRequest(
  raw: Record<string, unknown>,
): { repo: string; revision: string; commit?: string } | string {
  const { repo, revision, commit } = raw;
  if (!isText(repo, 200) || !REPO_ID.test(repo)) return 'The message names no valid repository.';
  if (!isText(revision, 256)) return 'The message names no revision.';
  if (commit !== undefined && !isCommit(commit)) return 'The commit must be 40 hex digits.';
  return { repo, revision, ...(commit ? { commit } : {}) };
}

const VALIDATORS: Record<Request['type'], Validator> = {
  check(raw) {
    const base = repoRequest(raw);
    if (typeof base === 'string') return base;
    const { file, priority, force, keepAlive, ctxSize } = raw;
    if (!isText(file)) return 'The message names no file.';
    if (priority !== undefined && !PRIORITIES.includes(priority as Priority)) return 'Unknown priority.';
    if (force !== undefined && typeof force !== 'boolean') return '`force` must be a boolean.';
    if (keepAlive !== undefined && typeof keepAlive !== 'boolean') return '`keepAlive` must be a boolean.';
    if (
      ctxSize !== undefined &&
      (!Number.isInteger(ctxSize) || (ctxSize as number) < 256 || (ctxSize as number) > 2 ** 22)
    ) {
      return 'The context size must be a whole number from 256 to 4194304.';
    }
    return {
      type: 'check',
      ...base,
      file,
      ...(priority ? { priority: priority as Priority } : {}),
      ...(force ? { force } : {}),
      ...(keepAlive ? { keepAlive } : {}),
      ...(ctxSize ? { ctxSize: ctxSize as number } : {}),
    };
  },
  cached(raw) {
    const base = repoRequest(raw);
    if (typeof base === 'string') return base;
    const { files } = raw;
    if (!Array.isArray(files) || files.length > 2000 || !files.every((f) => isText(f))) {
      return 'The message names no valid file list.';
    }
    return { type: 'cached', ...base, files: files as string[] };
  },
  'test-connection'(raw) {
    const { serverUrl, apiKey } = raw;
    if (!isText(serverUrl, 2048)) return 'The message names no server URL.';
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length > 4096)) return 'Bad API key.';
    return { type: 'test-connection', serverUrl, ...(apiKey ? { apiKey } : {}) };
  },
  'clear-cache'() {
    return { type: 'clear-cache' };
  },
  search(raw) {
    const { search, sort, cursor } = raw;
    if (typeof search !== 'string' || search.length > 200) return 'The search must be a short text.';
    if (!SORTS.includes(sort as SearchSort)) return 'Unknown sort order.';
    if (cursor !== undefined && !isText(cursor, 4096)) return 'Bad cursor.';
    return { type: 'search', search, sort: sort as SearchSort, ...(cursor ? { cursor } : {}) };
  },
  'model-files'(raw) {
    const { repo } = raw;
    if (!isText(repo, 200) || !REPO_ID.test(repo)) return 'The message names no valid repository.';
    return { type: 'model-files', repo };
  },
  status() {
    return { type: 'status' };
  },
  'page-messages'() {
    return { type: 'page-messages' };
  },
  'hardware-seen'(raw) {
    const { items } = raw;
    if (!Array.isArray(items) || items.length > 64) return 'The message names no hardware list.';
    return { type: 'hardware-seen', items };
  },
};

/** Returns the request when `raw` is a well-formed one, else a sentence saying what is wrong. */
export function parseRequest(raw: unknown): Request | string {
  if (!isRecord(raw)) return 'A message must be an object.';
  const type = String(raw.type);
  if (!Object.hasOwn(VALIDATORS, type)) return 'Unknown message type.';
  return VALIDATORS[type as Request['type']](raw);
}

export function failure(
  code: ErrorCode,
  message: string,
  retryable = false,
): { ok: false; error: ReplyError } {
  return { ok: false, error: { code, message, retryable } };
}
