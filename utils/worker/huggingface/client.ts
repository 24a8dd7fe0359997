// Hugging Face Hub calls, all through the scheduler: model info (commit + every file's size in one
// api request) and Range reads of file bytes through /resolve/.

import { CheckError } from '../../common/errors';
import { apiModelUrl, resolveUrl } from '../../common/hub-urls';
import { t } from '../../common/i18n';
import type { SearchItem, SearchPage, SearchSort } from '../../common/protocol';
import type { Priority } from '../../common/result';
import { type Cache, TTL } from '../cache';
import type { Tracker } from '../check/progress';
import { HF_API, HF_RESOLVERS } from '../scheduler/buckets';
import type { FetchedResponse, ScheduledRequest, Scheduler } from '../scheduler/scheduler';
import { SingleFlight } from '../single-flight';

export interface RepoFile {
  path: string;
  size: number;
}

export interface ModelInfo {
  id: string;
  commit: string;
  gated: boolean;
  files: RepoFile[];
}

export interface CallOptions {
  priority?: Priority;
  signal?: AbortSignal;
  /** Told which request the caller waits for, so the UI can say "queued #3". */
  tracker?: Tracker;
}

export interface HubClientOptions {
  scheduler: Scheduler;
  cache: Cache;
  endpoint?: string;
  /** Read at call time, so a token saved in options applies at once. */
  token?: () => Promise<string | undefined>;
}

export interface SearchQuery {
  search: string;
  sort: SearchSort;
  /** The next page's URL, from the previous page. */
  cursor?: string;
}

/** Ten at a time, as GPUStack's fix for its 429s settled on: more only when the user scrolls. */
export const SEARCH_PAGE_SIZE = 10;

function searchUrl(endpoint: string, { search, sort }: SearchQuery): string {
  const params = new URLSearchParams({ search, filter: 'gguf', sort, limit: String(SEARCH_PAGE_SIZE) });
  return `${endpoint}/api/models?${params}`;
}

function searchItem(raw: Record<string, unknown>): SearchItem {
  return {
    id: String(raw.id),
    downloads: typeof raw.downloads === 'number' ? raw.downloads : 0,
    likes: typeof raw.likes === 'number' ? raw.likes : 0,
    lastModified: typeof raw.lastModified === 'string' ? raw.lastModified : null,
  };
}

/** The rel="next" target of a Link header. */
function nextLink(link: string | null): string | null {
  for (const part of link?.split(',') ?? []) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

interface RawModelInfo {
  id?: unknown;
  sha?: unknown;
  gated?: unknown;
  siblings?: Array<{ rfilename?: unknown; size?: unknown; lfs?: { size?: unknown } }>;
}

export class HubClient {
  readonly endpoint: string;
  private readonly infos = new SingleFlight<ModelInfo>();

  constructor(private readonly options: HubClientOptions) {
    this.endpoint = (options.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
  }

  /** Commit and every file's size of `repo` at `revision`: one api request, then cached. */
  modelInfo(repo: string, revision: string, call: CallOptions = {}): Promise<ModelInfo> {
    // Shared from the cache lookup on, so a caller arriving mid-request never asks a second time.
    return this.infos.run(
      `${repo}@${revision}`,
      (signal) => this.loadModelInfo(repo, revision, { ...call, signal }),
      call.signal,
    );
  }

  private async loadModelInfo(repo: string, revision: string, call: CallOptions): Promise<ModelInfo> {
    const { cache } = this.options;
    const branchKey = `model-info:${repo}@${revision}`;
    const cached = await cache.get<ModelInfo>(branchKey);
    if (cached) return cached;
    const response = await this.get(HF_API, apiModelUrl(this.endpoint, repo, revision), call);
    const info = parseModelInfo(repo, await this.json<RawModelInfo>(response, repo));
    // A commit never changes; a branch moves, so its lookup lives briefly.
    await cache.set(branchKey, info, revision === info.commit ? TTL.commit : TTL.short);
    if (revision !== info.commit) await cache.set(`model-info:${repo}@${info.commit}`, info, TTL.commit);
    return info;
  }

  /**
   * One page of GGUF model search results. `cursor` is the `Link: rel="next"` URL of the previous
   * page, followed as given (and only on this endpoint's /api/models).
   */
  async searchModels(query: SearchQuery, call: CallOptions = {}): Promise<SearchPage> {
    const url = query.cursor ?? searchUrl(this.endpoint, query);
    if (!url.startsWith(`${this.endpoint}/api/models?`)) {
      throw new CheckError('bad-message', t('errorHubBadSearch'));
    }
    const key = `search:${url}`;
    const cached = await this.options.cache.get<SearchPage>(key);
    if (cached) return cached;
    const response = await this.get(HF_API, url, call);
    const raw = await this.json<Array<Record<string, unknown>>>(response, 'the search');
    if (!Array.isArray(raw)) throw new CheckError('upstream', t('errorHubSearchNotList'), true);
    const page: SearchPage = {
      models: raw.filter((m) => typeof m.id === 'string').map(searchItem),
      next: nextLink(response.headers.get('link')),
    };
    await this.options.cache.set(key, page, TTL.short);
    return page;
  }

  /** Bytes [start, end] of a file, read through /resolve/ (a 302 to the CDN, followed). */
  async readRange(
    repo: string,
    commit: string,
    path: string,
    start: number,
    end: number,
    call: CallOptions = {},
  ) {
    const response = await this.get(HF_RESOLVERS, resolveUrl(this.endpoint, repo, commit, path), call, {
      Range: `bytes=${start}-${end}`,
      maxBytes: end - start + 1,
    });
    if (response.status !== 206 && response.status !== 200) throw this.failure(response, repo);
    return response;
  }

  private async get(
    bucket: string,
    url: string,
    call: CallOptions,
    extra: { Range?: string; maxBytes?: number } = {},
  ): Promise<FetchedResponse> {
    const token = await this.options.token?.();
    const headers: Record<string, string> = {};
    if (extra.Range) headers.Range = extra.Range;
    if (token) headers.Authorization = `Bearer ${token}`;
    const request: ScheduledRequest = {
      bucket,
      url,
      headers,
      priority: call.priority,
      signal: call.signal,
      maxBytes: extra.maxBytes,
    };
    call.tracker?.set(request);
    try {
      return await this.options.scheduler.request(request);
    } finally {
      call.tracker?.set(null);
    }
  }

  private async json<T>(response: FetchedResponse, repo: string): Promise<T> {
    if (!response.ok) throw this.failure(response, repo);
    try {
      return JSON.parse(new TextDecoder().decode(response.body)) as T;
    } catch {
      throw new CheckError('upstream', t('errorHubNotJson'), true);
    }
  }

  private failure(response: FetchedResponse, repo: string): CheckError {
    switch (response.status) {
      case 401:
      case 404:
        return new CheckError('not-found', t('errorHubNotFound', repo));
      case 403:
        return new CheckError('unauthorized', t('errorHubGated', repo));
      case 429:
        return new CheckError('rate-limited', t('errorHubRateLimited'), true);
      default:
        return new CheckError('upstream', t('errorHubHttp', response.status), response.status >= 500);
    }
  }
}

function parseModelInfo(repo: string, raw: RawModelInfo): ModelInfo {
  if (typeof raw.sha !== 'string' || !Array.isArray(raw.siblings)) {
    throw new CheckError('upstream', t('errorHubModelInfo'), true);
  }
  const files: RepoFile[] = [];
  for (const sibling of raw.siblings) {
    if (typeof sibling?.rfilename !== 'string') continue;
    const size = typeof sibling.size === 'number' ? sibling.size : Number(sibling.lfs?.size ?? Number.NaN);
    files.push({ path: sibling.rfilename, size: Number.isFinite(size) ? size : -1 });
  }
  return {
    id: typeof raw.id === 'string' ? raw.id : repo,
    commit: raw.sha,
    gated: Boolean(raw.gated),
    files,
  };
}
