// The GPUStack engine the check service calls: each check brings its settings (a key saved in the
// options applies at once), and one client is kept per server and key, so every check of a page
// shares one batcher and the batches really fill.

import { CheckError } from '../../../common/errors';
import { t } from '../../../common/i18n';
import { parseServerUrl } from '../../../common/server-url';
import { type Settings, serverKey } from '../../../common/settings';
import { TTL } from '../../cache';
import type { Scheduler } from '../../scheduler/scheduler';
import type { Engine } from '../engine';
import { type AttemptStore, sessionAttemptStore } from './attempts';
import { type EvaluatedVerdict, GpustackClient } from './client';
import { type GenerationStore, sessionGenerationStore } from './generation';
import { specParamsFrom } from './spec';

export interface GpustackEngineOptions {
  scheduler: Scheduler;
  generations?: GenerationStore;
  attempts?: AttemptStore;
  /** Batching knobs, for tests. */
  batch?: { gatherMs?: number; maxBatch?: number; maxInFlight?: number };
}

export interface GpustackEngine extends Engine {
  readonly id: 'gpustack';
}

/** Bumped when GPUStack answers are read differently, so older cached answers are not served. */
const READING_VERSION = 'gpustack-2';

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
  const generations = options.generations ?? sessionGenerationStore();
  const attempts = options.attempts ?? sessionAttemptStore();
  const clients = new Map<string, GpustackClient>();

  function clientFor(settings: Settings): { client: GpustackClient } {
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
    return { client };
  }

  return {
    id: 'gpustack',
    ttlMs: TTL.gpustack,
    async available(settings) {
      return parseServerUrl(settings.serverUrl) !== null && serverKey(settings).trim().length > 0;
    },
    dependsOn({ settings }) {
      const address = parseServerUrl(settings.serverUrl);
      // The server, cluster and what the spec carries; never the key.
      return JSON.stringify([
        READING_VERSION,
        address?.base ?? '',
        settings.clusterId,
        specParamsFrom(settings),
      ]);
    },
    async evaluate(input, call) {
      const { settings } = input.context;
      const { client } = clientFor(settings);
      const params = specParamsFrom(settings);
      const verdict = await client.evaluate(
        { repo: input.repo, file: input.file, params, clusterId: settings.clusterId },
        call,
      );
      return {
        ...verdict,
        messages: [...notesOf(verdict, input.revision), ...verdict.messages],
        contextSize: params.ctxSize,
      };
    },
  };
}
