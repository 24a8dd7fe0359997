// Answers "check this file": resolves the commit and the file's shards from one model-info request,
// runs the engine, and caches the answer under a key that names everything it depends on (engine,
// commit, estimate settings, hardware), so a stale answer is never served.

import { CheckError } from '../../common/errors';
import { t } from '../../common/i18n';
import type { CachedRequest, CheckRequest } from '../../common/protocol';
import type { CheckResult } from '../../common/result';
import type { Settings } from '../../common/settings';
import { classifyGgufPath, shardPaths } from '../../lib/gguf-names';
import { type HardwareProfile, profileFingerprint } from '../../lib/hardware';
import { type Cache, TTL } from '../cache';
import { BuiltinEngine, type EngineVerdict } from '../engines/builtin';
import type { GpustackEngine } from '../engines/gpustack';
import type { CallOptions, HubClient, ModelInfo } from '../huggingface/client';
import { SingleFlight } from '../single-flight';
import { FanTracker } from './progress';

/** Bumped when the engine's answers change meaning, so older cached answers are not served. */
const ENGINE_VERSION = 'builtin-2';

export interface CheckContext {
  settings: Settings;
  profile: HardwareProfile;
  /** Set when the user's GPUStack server answers this check: its fingerprint (never the key). */
  gpustack?: string;
}

export interface CheckServiceOptions {
  hub: HubClient;
  cache: Cache;
  /** The settings and hardware a check runs with, read when it starts. */
  context: () => Promise<CheckContext>;
  /** The user's GPUStack server, when one may be asked. */
  gpustack?: GpustackEngine;
  now?: () => number;
}

export class CheckService {
  private readonly runs = new SingleFlight<CheckResult>();
  private readonly fans = new Map<string, FanTracker>();
  private readonly builtin: BuiltinEngine;
  private readonly now: () => number;

  constructor(private readonly options: CheckServiceOptions) {
    this.now = options.now ?? Date.now;
    this.builtin = new BuiltinEngine({ hub: options.hub, cache: options.cache });
  }

  async check(request: CheckRequest, call: CallOptions = {}): Promise<CheckResult> {
    const { hub, cache } = this.options;
    const kind = classifyGgufPath(request.file).kind;
    if (kind !== 'model' && kind !== 'shard') {
      throw new CheckError('bad-message', `${request.file} is not a GGUF model file.`);
    }
    const context = await this.withEngine(withContextSize(await this.options.context(), request.ctxSize));
    const info = await hub.modelInfo(request.repo, request.commit ?? request.revision, call);
    const key = resultKey(request.repo, info.commit, request.file, context);
    if (!request.force) {
      const cached = await cache.get<CheckResult>(key);
      if (cached) return { ...cached, revision: request.revision };
    }
    // The same check asked twice (two tabs, a double click) runs once; every caller sees its progress.
    let fan = this.fans.get(key);
    if (!fan) {
      fan = new FanTracker();
      this.fans.set(key, fan);
    }
    const leave = call.tracker ? fan.add(call.tracker) : () => {};
    const shared = fan;
    try {
      const result = await this.runs.run(
        key,
        async (signal) => {
          try {
            const fresh = await this.evaluate(request, info, context, {
              priority: call.priority,
              signal,
              tracker: shared,
            });
            // GPUStack's verdicts follow the cluster's live state (the server caches 1 h too); a
            // fallback after a server failure is kept briefly, so a fixed server is asked again soon.
            const ttl = !context.gpustack
              ? TTL.commit
              : fresh.engine === 'gpustack'
                ? TTL.gpustack
                : TTL.short;
            await cache.set(key, fresh, ttl);
            return fresh;
          } finally {
            this.fans.delete(key);
          }
        },
        call.signal,
      );
      return { ...result, revision: request.revision };
    } finally {
      leave();
    }
  }

  /** Answers already cached for these files; never a network request. */
  async cached(request: CachedRequest): Promise<Record<string, CheckResult>> {
    const { cache } = this.options;
    const commit =
      request.commit ??
      (await cache.get<ModelInfo>(`model-info:${request.repo}@${request.revision}`))?.commit;
    if (!commit) return {};
    const context = await this.withEngine(await this.options.context());
    const found: Record<string, CheckResult> = {};
    for (const file of request.files) {
      const result = await cache.get<CheckResult>(resultKey(request.repo, commit, file, context));
      if (result) found[file] = { ...result, revision: request.revision };
    }
    return found;
  }

  /** GPUStack answers when its server is configured (Engine GPUStack, or Auto with a server). */
  private async withEngine(context: CheckContext): Promise<CheckContext> {
    const server = this.options.gpustack;
    const { engine } = context.settings;
    if (!server || engine === 'builtin') return context;
    if (engine === 'auto' && !(await server.configured(context.settings))) return context;
    return { ...context, gpustack: await server.fingerprint(context.settings) };
  }

  /**
   * The server's verdict. In Auto mode a server that cannot answer (unreachable, no rights, an
   * error) gives way to the built-in estimate, which says why; with Engine = GPUStack it is an error.
   */
  private async askServer(
    request: CheckRequest,
    context: CheckContext,
    call: CallOptions,
    builtin: () => Promise<EngineVerdict>,
  ): Promise<EngineVerdict> {
    const server = this.options.gpustack as GpustackEngine;
    try {
      return await server.evaluate({
        repo: request.repo,
        file: request.file,
        revision: request.revision,
        settings: context.settings,
        ...call,
      });
    } catch (error) {
      if (
        context.settings.engine !== 'auto' ||
        !(error instanceof CheckError) ||
        error.code === 'cancelled'
      ) {
        throw error;
      }
      const estimate = await builtin();
      return {
        ...estimate,
        messages: [`${error.message} ${t('checkFallbackToBuiltin')}`, ...estimate.messages],
      };
    }
  }

  private async evaluate(
    request: CheckRequest,
    info: ModelInfo,
    context: CheckContext,
    call: CallOptions,
  ): Promise<CheckResult> {
    const sizes = new Map(info.files.map((f) => [f.path, f.size]));
    const paths = classifyGgufPath(request.file).kind === 'shard' ? shardPaths(request.file) : [request.file];
    const missing = paths.filter((p) => !sizes.has(p));
    if (missing.length > 0) {
      throw new CheckError('not-found', `${missing[0]} is not in ${request.repo} at this revision.`);
    }
    const builtin = () =>
      this.builtin.evaluate(
        { repo: request.repo, commit: info.commit, paths, repoFiles: info.files, ...context },
        call,
      );
    const verdict = context.gpustack
      ? await this.askServer(request, context, call, builtin)
      : await builtin();
    return {
      ...verdict,
      repo: request.repo,
      revision: request.revision,
      commit: info.commit,
      file: request.file,
      sizeBytes: paths.reduce((sum, p) => sum + Math.max(0, sizes.get(p) ?? 0), 0),
      shards: paths.length,
      checkedAt: this.now(),
    };
  }
}

/** The popover may ask for another context size than the configured one. */
function withContextSize(context: CheckContext, ctxSize: number | undefined): CheckContext {
  return ctxSize ? { ...context, settings: { ...context.settings, ctxSize } } : context;
}

function resultKey(
  repo: string,
  commit: string,
  file: string,
  { settings, profile, gpustack }: CheckContext,
): string {
  if (gpustack) return `result:gpustack-1:${repo}@${commit}:${file}:${gpustack}`;
  const estimate = [settings.ctxSize, settings.parallel, settings.flashAttention, settings.cacheType].join(
    ',',
  );
  return `result:${ENGINE_VERSION}:${repo}@${commit}:${file}:${estimate}:${profileFingerprint(profile)}`;
}
