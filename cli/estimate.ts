// `npm run --silent estimate -- <file or Hugging Face URL> [options] [--json]`: the built-in
// engine's llama.cpp memory estimate from the command line. URLs are read with the extension's own
// scheduler and Hub client (Range reads through /resolve/); HF_ENDPOINT points them elsewhere.

import {
  type EstimateSummary,
  estimateLlamaCpp,
  type GgufSummary,
  summarize,
  summarizeGguf,
} from '../utils/lib/estimate';
import { formatBytes } from '../utils/lib/format';
import { readGgufModel } from '../utils/lib/gguf';
import { classifyGgufPath, shardPaths } from '../utils/lib/gguf-names';
import { createCache } from '../utils/worker/cache';
import { HubClient } from '../utils/worker/huggingface/client';
import { hubRangeReader } from '../utils/worker/huggingface/hub-reader';
import { HF_BUCKETS } from '../utils/worker/scheduler/buckets';
import { Scheduler, type SchedulerOptions } from '../utils/worker/scheduler/scheduler';
import { fileRangeReader, localModelFiles } from './local-file';
import { parseCliOptions, UsageError } from './options';

const HUB_FILE_URL = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/(?:blob|resolve)\/([^/]+)\/(.+?)(?:\?.*)?$/;

export interface CliEnvironment {
  /** HF_ENDPOINT: where Hugging Face URLs are read from (default https://huggingface.co). */
  endpoint?: string;
  /** How Node reaches the network (tests reach local impersonators). */
  fetch?: SchedulerOptions['fetch'];
  out: (text: string) => void;
}

async function loadSummary(source: string, hub: () => HubClient): Promise<GgufSummary> {
  const url = HUB_FILE_URL.exec(source);
  if (url) {
    const [, repo = '', revision = '', rawPath = ''] = url;
    const path = rawPath.split('/').map(decodeURIComponent).join('/');
    const client = hub();
    const info = await client.modelInfo(repo, decodeURIComponent(revision));
    const paths = classifyGgufPath(path).kind === 'shard' ? shardPaths(path) : [path];
    const sizes = new Map(info.files.map((f) => [f.path, f.size]));
    const headers = await readGgufModel((p) => hubRangeReader(client, repo, info.commit, p), paths);
    return summarizeGguf(
      headers.map((h, i) => ({ ...h, fileSize: h.fileSize ?? sizes.get(paths[i] ?? '') ?? 0 })),
    );
  }
  const { paths, sizes } = await localModelFiles(source);
  const headers = await readGgufModel((p) => fileRangeReader(p), paths);
  return summarizeGguf(headers.map((h, i) => ({ ...h, fileSize: sizes[i] ?? 0 })));
}

/** What --json prints: bytes, CPU first in the breakdown. */
export function jsonFigures(summary: EstimateSummary) {
  return {
    ram: summary.ram,
    vrams: summary.vrams,
    offloadLayers: summary.offloadLayers,
    fullOffloaded: summary.fullOffloaded,
    breakdown: summary.breakdown,
  };
}

function table(summary: EstimateSummary): string {
  const row = (name: string, m: { uma: number; nonuma: number }) =>
    `${name.padEnd(8)} ${formatBytes(m.uma).padStart(12)} ${formatBytes(m.nonuma).padStart(12)}`;
  return [
    `context ${summary.contextSize}, ${summary.offloadLayers} layers offloaded${summary.fullOffloaded ? ' (all)' : ''}`,
    `${''.padEnd(8)} ${'UMA'.padStart(12)} ${'non-UMA'.padStart(12)}`,
    row('RAM', summary.ram),
    ...summary.vrams.map((v, i) => row(`VRAM ${i}`, v)),
  ].join('\n');
}

export async function runEstimate(argv: readonly string[], env: CliEnvironment): Promise<number> {
  try {
    const options = parseCliOptions(argv);
    let client: HubClient | undefined;
    const hub = () => {
      client ??= new HubClient({
        scheduler: new Scheduler({ buckets: HF_BUCKETS, fetch: env.fetch }),
        cache: createCache(),
        endpoint: env.endpoint,
      });
      return client;
    };
    const model = await loadSummary(options.source, hub);
    const projector = options.mmproj ? await loadSummary(options.mmproj, hub) : null;
    const summary = summarize(estimateLlamaCpp(model, { ...options.estimate, projector }), options.summarize);
    env.out(options.json ? JSON.stringify(jsonFigures(summary)) : table(summary));
    return 0;
  } catch (error) {
    env.out(
      error instanceof UsageError
        ? error.message
        : `error: ${error instanceof Error ? error.message : String(error)}`,
    );
    return error instanceof UsageError ? 2 : 1;
  }
}

// Run as a command (not when imported by tests).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, ''))) {
  const code = await runEstimate(process.argv.slice(2), {
    endpoint: process.env.HF_ENDPOINT,
    out: (text) => console.log(text),
  });
  process.exit(code);
}
