// Answers "check this file": resolves the commit and the file's shards from one model-info request,
// runs the engine the settings choose, and caches the answer under a key made of what that engine
// says its answer depends on (engines/engine.ts), so a stale answer is never served.

import { CheckError } from '../../common/errors';
import { t } from '../../common/i18n';
import type { CachedRequest, CheckRequest } from '../../common/protocol';
import type { CheckResult } from '../../common/result';
import { classifyGgufPath, shardPaths } from '../../lib/gguf-names';
import { type Cache, TTL } from '../cache';
import type { CheckContext, Engine, EngineInput, EngineVerdict } from '../engines/engine';
import type { CallOptions, HubClient, ModelInfo } from '../huggingface/client';
import { SingleFlight } from '../single-flight';
import { FanTracker } from './progress';

export interface CheckServiceOptions {
  hub: HubClient;
  cache: Cache;
  /** The settings and hardware a check runs with, read when it starts. */
  context: () => Promise<CheckContext>;
  /** The built-in estimate, always there. */
  builtin: Engine;
  /** The user's GPUStack server, when one may be asked. */
  gpustack?: Engine;
  now?: () => number;
}

export class CheckService {
  private readonly runs = new SingleFlight<CheckResult>();
  private readonly fans = new Map<string, FanTracker>();
  private readonly now: () => number;

  constructor(private readonly options: CheckServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async check(request: CheckRequest, call: CallOptions = {}): Promise<CheckResult> {
    const { hub, cache } = this.options;
    const kind = classifyGgufPath(request.file).kind;
    if (kind !== 'model' && kind !== 'shard') {
      throw new CheckError('bad-message', t('errorNotGgufModel', request.file));
    }
    const context = withContextSize(await this.options.context(), request.ctxSize);
    const engine = await this.engineFor(context);
    const info = await hub.modelInfo(request.repo, request.commit ?? request.revision, call);
    const key = resultKey(engine, request.repo, info.commit, request.file, context);
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
            const fresh = await this.evaluate(engine, request, info, context, {
              priority: call.priority,
              signal,
              tracker: shared,
            });
            // A fallback after a server failure is kept briefly, so a fixed server is asked again soon.
            await cache.set(key, fresh, fresh.engine === engine.id ? engine.ttlMs : TTL.short);
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
    const context = await this.options.context();
    const engine = await this.engineFor(context);
    const found: Record<string, CheckResult> = {};
    for (const file of request.files) {
      const result = await cache.get<CheckResult>(resultKey(engine, request.repo, commit, file, context));
      if (result) found[file] = { ...result, revision: request.revision };
    }
    return found;
  }

  /** GPUStack answers when its server is set up (Engine GPUStack, or Auto with a server); else the estimate. */
  private async engineFor(context: CheckContext): Promise<Engine> {
    const { builtin, gpustack } = this.options;
    const { engine } = context.settings;
    if (!gpustack || engine === 'builtin') return builtin;
    if (engine === 'auto' && !(await gpustack.available(context.settings))) return builtin;
    return gpustack;
  }

  /**
   * The engine's verdict. In Auto mode a server that cannot answer (unreachable, no rights, an
   * error) gives way to the built-in estimate, which says why; with Engine = GPUStack it is an error.
   */
  private async ask(engine: Engine, input: EngineInput, call: CallOptions): Promise<EngineVerdict> {
    const { builtin } = this.options;
    try {
      return await engine.evaluate(input, call);
    } catch (error) {
      const fallback =
        engine !== builtin &&
        input.context.settings.engine === 'auto' &&
        error instanceof CheckError &&
        error.code !== 'cancelled';
      if (!fallback) throw error;
      const estimate = await builtin.evaluate(input, call);
      return {
        ...estimate,
        messages: [`${error.message} ${t('checkFallbackToBuiltin')}`, ...estimate.messages],
      };
    }
  }

  private async evaluate(
    engine: Engine,
    request: CheckRequest,
    info: ModelInfo,
    context: CheckContext,
    call: CallOptions,
  ): Promise<CheckResult> {
    const sizes = new Map(info.files.map((f) => [f.path, f.size]));
    const paths = classifyGgufPath(request.file).kind === 'shard' ? shardPaths(request.file) : [request.file];
    const missing = paths.filter((p) => !sizes.has(p));
    if (missing.length > 0) {
      throw new CheckError('not-found', t('errorFileMissing', missing[0] as string, request.repo));
    }
    const input: EngineInput = {
      repo: request.repo,
      revision: request.revision,
      commit: info.commit,
      file: request.file,
      paths,
      repoFiles: info.files,
      context,
    };
    const verdict = await this.ask(engine, input, call);
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

/** The cache key of a result: the engine, the file at its commit, and what the engine says it depends on. */
function resultKey(
  engine: Engine,
  repo: string,
  commit: string,
  file: string,
  context: CheckContext,
): string {
  return `result:${engine.id}:${repo}@${commit}:${file}:${engine.dependsOn(context)}`;
}
