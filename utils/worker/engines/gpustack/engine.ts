// The GPUStack engine the check service calls: reads the settings at call time (a key saved in the
// options applies at once) and keeps one client per server and key, so every check of a page shares
// one batcher and the batches really fill.

import { CheckError } from '../../../common/errors';
import { t } from '../../../common/i18n';
import { parseServerUrl } from '../../../common/server-url';
import { type Settings, serverKey } from '../../../common/settings';
import type { HardwareProfile } from '../../../lib/hardware';
import type { Scheduler } from '../../scheduler/scheduler';
import { type AttemptStore, sessionAttemptStore } from './attempts';
import { type EvaluatedVerdict, type GpustackCall, GpustackClient } from './client';
import { type GenerationStore, sessionGenerationStore } from './generation';
import { specParamsFrom } from './spec';

export interface GpustackEngineOptions {
  scheduler: Scheduler;
  /** The settings, or how to read them at call time. */
  settings: Settings | (() => Promise<Settings>);
  generations?: GenerationStore;
  attempts?: AttemptStore;
  /** Batching knobs, for tests. */
  batch?: { gatherMs?: number; maxBatch?: number; maxInFlight?: number };
}

export interface GpustackCheckInput extends GpustackCall {
  repo: string;
  /** The file, or the first shard of a split model. */
  file: string;
  /** The revision the user looks at; GPUStack always reads the default branch. */
  revision?: string;
  /** The check's own settings (e.g. with a per-check context size); default: the saved ones. */
  settings?: Settings;
}

export interface GpustackEngine {
  /** True when a server URL and key are saved (or given). */
  configured(settings?: Settings): Promise<boolean>;
  /** GPUStack's verdict, with the context size it was asked for. */
  evaluate(input: GpustackCheckInput): Promise<EvaluatedVerdict & { contextSize: number }>;
  /** The cluster's workers (of the chosen cluster on 2.x) as a hardware profile. */
  inventory(call?: GpustackCall): Promise<HardwareProfile>;
  /**
   * Everything but the key that decides an answer (server, cluster, backend, estimate flags): put it
   * in the result cache key, so changed settings never serve an old verdict.
   */
  fingerprint(settings?: Settings): Promise<string>;
}

/** Our sentences before the server's: which clusters fit, what may not deploy, which revision. */
function notesOf(verdict: EvaluatedVerdict, revision: string | undefined): string[] {
  const notes: string[] = [];
  const clusters = verdict.clusters ?? [];
  const fit = clusters.filter((c) => c.fits).map((c) => c.name);
  const miss = clusters.filter((c) => !c.fits).map((c) => c.name);
  if (fit.length > 0) notes.push(t('gpustackFitsOn', fit.join(', ')));
  if (miss.length > 0) notes.push(t('gpustackNotOn', miss.join(', ')));
  if (verdict.caveats?.includes('no-gguf-backend')) notes.push(t('gpustackNoGgufBackendVerdict'));
  if (verdict.caveats?.includes('several-workers')) notes.push(t('gpustackSeveralWorkers'));
  if (revision && revision !== 'main') notes.push(t('gpustackEvaluatesMain', revision));
  return notes;
}

/** Old clients are dropped beyond this: settings change rarely. */
const MAX_CLIENTS = 4;

export function createGpustackEngine(options: GpustackEngineOptions): GpustackEngine {
  const read =
    typeof options.settings === 'function' ? options.settings : async () => options.settings as Settings;
  const generations = options.generations ?? sessionGenerationStore();
  const attempts = options.attempts ?? sessionAttemptStore();
  const clients = new Map<string, GpustackClient>();

  async function clientFor(given?: Settings): Promise<{ client: GpustackClient; settings: Settings }> {
    const settings = given ?? (await read());
    const address = parseServerUrl(settings.serverUrl);
    if (!address) throw new CheckError('bad-message', t('gpustackNoServer'));
    const apiKey = serverKey(settings);
    // Keyed by the key too: a new key gets a client of its own, never an old batch.
    const id = `${address.base}\n${apiKey}`;
    let client = clients.get(id);
    if (!client) {
      client = new GpustackClient({
        scheduler: options.scheduler,
        serverUrl: settings.serverUrl,
        apiKey,
        generations,
        attempts,
        batch: options.batch,
      });
      clients.set(id, client);
      if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
    }
    return { client, settings };
  }

  return {
    async configured(given) {
      const settings = given ?? (await read());
      return parseServerUrl(settings.serverUrl) !== null && serverKey(settings).trim().length > 0;
    },
    async evaluate(input) {
      const { repo, file, revision, settings: given, ...call } = input;
      const { client, settings } = await clientFor(given);
      const params = specParamsFrom(settings);
      const verdict = await client.evaluate({ repo, file, params, clusterId: settings.clusterId }, call);
      return {
        ...verdict,
        messages: [...notesOf(verdict, revision), ...verdict.messages],
        contextSize: params.ctxSize,
      };
    },
    async inventory(call = {}) {
      const { client, settings } = await clientFor();
      return client.inventory({ ...call, clusterId: settings.clusterId });
    },
    async fingerprint(given) {
      const settings = given ?? (await read());
      const address = parseServerUrl(settings.serverUrl);
      return JSON.stringify([address?.base ?? '', settings.clusterId, specParamsFrom(settings)]);
    },
  };
}
