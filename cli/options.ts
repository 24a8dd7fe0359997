// The estimate command's options, named as gguf-parser's, in both spellings (`--opt value` and
// `--opt=value`). Defaults are GPUStack's: ctx 8192, parallel 4, no mmap, platform footprint
// 150 MiB RAM / 500 MiB VRAM, max projected cache 10.

import type { EstimateOptions, SummarizeOptions } from '../utils/lib/estimate';

export interface CliOptions {
  source: string;
  mmproj?: string;
  json: boolean;
  estimate: EstimateOptions;
  summarize: SummarizeOptions;
}

export class UsageError extends Error {}

const FLAGS = new Set(['--json', '--flash-attention', '--mmap', '--no-mmap', '--help']);

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${name} takes a whole number, not "${value}".`);
  return n;
}

function boolean(name: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`${name} takes true or false, not "${value}".`);
}

export const USAGE = `usage: npm run --silent estimate -- <file.gguf | https://huggingface.co/{repo}/blob|resolve/{rev}/{file}> [options]
  --ctx-size N              context size (default 8192)
  --parallel-size N         parallel sequences (default 4)
  --mmap | --no-mmap | --mmap=false   memory-mapped weights (default off, as GPUStack)
  --gpu-layers N            layers to offload, -1 = all (default -1)
  --tensor-split a,b,...    split the offloaded layers over GPUs in these proportions
  --flash-attention         use flash attention
  --cache-type-k T, --cache-type-v T   KV cache types (f16, q8_0, q4_0, ...)
  --mmproj PATH, --mmproj-path PATH    the vision projector to include
  --max-projected-cache N   projected image embeddings kept (default 10)
  --platform-footprint RAM_MiB,VRAM_MiB   (default 150,500)
  --json                    print the figures as JSON, in bytes`;

export function parseCliOptions(argv: readonly string[]): CliOptions {
  const options: CliOptions = { source: '', json: false, estimate: { maxProjectedCache: 10 }, summarize: {} };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && !FLAGS.has(name)) {
      value = argv[i + 1];
      i += 1;
      if (value === undefined) throw new UsageError(`${name} needs a value.`);
    }
    const v = value ?? '';
    switch (name) {
      case '--help':
        throw new UsageError(USAGE);
      case '--json':
        options.json = boolean(name, value);
        break;
      case '--ctx-size':
        options.estimate.ctxSize = integer(name, v);
        break;
      case '--parallel-size':
      case '--parallel':
        options.estimate.parallelSize = integer(name, v);
        break;
      case '--mmap':
        options.estimate.mmap = boolean(name, value);
        break;
      case '--no-mmap':
        options.estimate.mmap = false;
        break;
      case '--gpu-layers':
      case '--n-gpu-layers':
        options.estimate.gpuLayers = integer(name, v);
        break;
      case '--tensor-split': {
        const parts = v.split(',').map(Number);
        if (parts.length === 0 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
          throw new UsageError('--tensor-split takes proportions like 1,1 or 3,1.');
        }
        options.estimate.tensorSplit = parts;
        break;
      }
      case '--flash-attention':
        options.estimate.flashAttention = boolean(name, value);
        break;
      case '--cache-type-k':
        options.estimate.cacheTypeK = v;
        break;
      case '--cache-type-v':
        options.estimate.cacheTypeV = v;
        break;
      case '--mmproj':
      case '--mmproj-path':
        options.mmproj = v;
        break;
      case '--max-projected-cache':
        options.estimate.maxProjectedCache = integer(name, v);
        break;
      case '--platform-footprint': {
        const [ram, vram] = v.split(',').map((p) => integer(name, p));
        if (ram === undefined || vram === undefined)
          throw new UsageError('--platform-footprint takes RAM_MiB,VRAM_MiB.');
        options.summarize = { footprintRamMiB: ram, footprintVramMiB: vram };
        break;
      }
      default:
        throw new UsageError(`Unknown option ${name}.\n${USAGE}`);
    }
  }
  if (positional.length !== 1) throw new UsageError(USAGE);
  options.source = positional[0] as string;
  return options;
}
