// Pure rules about GGUF file names in a Hugging Face repo. Paths are repo paths as the Hub lists them
// ('dir/name.gguf'), already decoded: never URL-encoded here.

export type GgufKind = 'model' | 'shard' | 'mmproj' | 'imatrix' | 'other';

export interface ShardInfo {
  /** 1-based position of this shard. */
  index: number;
  /** How many shards make up the model. */
  count: number;
  /** The first shard holds the metadata: it is the one that gets checked. */
  first: boolean;
}

export interface GgufPathInfo {
  kind: GgufKind;
  shard?: ShardInfo;
  /** Quantization type from the name, upper case ('Q4_K_M', 'IQ2_XXS', 'F16', 'UD-Q4_K_XL'...). */
  quant?: string;
  /** The file name: the last path segment. */
  baseName: string;
}

// llama.cpp's gguf-split writes '%s-%05d-of-%05d.gguf'; other widths are accepted for old tools.
const SHARD_RE = /^(.*)-(\d{1,6})-of-(\d{1,6})(\.gguf)$/i;
const GGUF_RE = /\.gguf$/i;

// Known ggml / llama.cpp file types. Longer alternatives first so 'IQ2_XXS' is not read as 'IQ2_XS'.
// Bounded by non-alphanumerics so 'Qwen2' or 'MQ4_0x' never count.
const QUANT_RE = new RegExp(
  '(?<![A-Za-z0-9])(' +
    [
      '(?:UD-)?IQ[1-4]_(?:XXS|XS|NL|S|M)',
      '(?:UD-)?Q[2-8]_K(?:_(?:XXL|XL|S|M|L))?',
      '(?:UD-)?Q[4-8]_[01](?:_[48]_[48])?',
      'TQ[12]_0',
      'MXFP4(?:_MOE)?',
      'BF16',
      'FP16',
      'FP32',
      'F16',
      'F32',
    ].join('|') +
    ')(?![A-Za-z0-9])',
  'gi',
);
// Some repos only say 'q4' / 'q8' (e.g. Phi-3 '...-q4.gguf'): used when nothing better is found.
const BARE_QUANT_RE = /(?<![A-Za-z0-9])(Q[2-8])(?![A-Za-z0-9])/gi;

function fileNameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

export interface ShardMatch {
  /** Everything before '-00001-of-...', folder included. */
  prefix: string;
  indexText: string;
  countText: string;
  ext: string;
  index: number;
  count: number;
}

export function matchShard(path: string): ShardMatch | null {
  const m = SHARD_RE.exec(path);
  if (!m) return null;
  const [, prefix = '', indexText = '', countText = '', ext = ''] = m;
  const index = Number.parseInt(indexText, 10);
  const count = Number.parseInt(countText, 10);
  if (!(index >= 1 && count >= 1 && index <= count)) return null;
  return { prefix, indexText, countText, ext, index, count };
}

function normaliseQuant(raw: string): string {
  const up = raw.toUpperCase();
  if (up === 'FP16') return 'F16';
  if (up === 'FP32') return 'F32';
  return up;
}

/** The quantization named in a file name, if any (the last one wins: names put it at the end). */
export function parseQuant(fileName: string): string | undefined {
  const stem = fileName.replace(SHARD_RE, '$1').replace(GGUF_RE, '');
  let last: string | undefined;
  for (const m of stem.matchAll(QUANT_RE)) last = m[1];
  if (last === undefined) {
    for (const m of stem.matchAll(BARE_QUANT_RE)) last = m[1];
  }
  return last === undefined ? undefined : normaliseQuant(last);
}

function isIntegerQuant(quant: string | undefined): boolean {
  return quant !== undefined && /^(?:UD-)?(?:I?Q|TQ)\d/.test(quant);
}

export function classifyGgufPath(path: string): GgufPathInfo {
  const baseName = fileNameOf(path);
  const lower = baseName.toLowerCase();
  const info: GgufPathInfo = { kind: 'other', baseName };
  const quant = parseQuant(baseName);
  if (quant !== undefined) info.quant = quant;

  // A vision projector is never a model by itself, whatever its split.
  if (lower.includes('mmproj')) {
    info.kind = GGUF_RE.test(baseName) ? 'mmproj' : 'other';
    return info;
  }
  if (!GGUF_RE.test(baseName)) {
    if (lower.includes('imatrix')) info.kind = 'imatrix';
    return info;
  }
  // 'name-imatrix.gguf' / 'imatrix_unsloth.gguf' are calibration data; a name that also carries an
  // integer quant type ('...-imatrix-Q4_K_M.gguf') is a model quantized with an imatrix.
  if (lower.includes('imatrix') && !isIntegerQuant(quant)) {
    info.kind = 'imatrix';
    return info;
  }

  const shard = matchShard(path);
  if (shard) {
    info.kind = 'shard';
    info.shard = { index: shard.index, count: shard.count, first: shard.index === 1 };
  } else {
    info.kind = 'model';
  }
  return info;
}

/** A .gguf file of any kind. (No regular expression: pages ask this as they load.) */
export function isGgufPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gguf');
}

/** True when the path is a single-file GGUF model or the first shard of a split one. */
export function isModelFileToCheck(path: string): boolean {
  // The quantization (a costly pattern) only matters for names that mention an imatrix: pages ask
  // this of every file they list.
  if (!isGgufPath(path)) return false;
  const lower = fileNameOf(path).toLowerCase();
  if (lower.includes('mmproj')) return false;
  if (lower.includes('imatrix') && !isIntegerQuant(parseQuant(fileNameOf(path)))) return false;
  const shard = path.includes('-of-') ? matchShard(path) : null;
  return shard === null || shard.index === 1;
}

/** The paths that get a control: single-file models and first shards, in input order, no repeats. */
export function modelFilesToCheck(paths: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const path of paths) {
    if (seen.has(path)) continue;
    seen.add(path);
    if (isModelFileToCheck(path)) out.push(path);
  }
  return out;
}

/** Every shard path of the split model, in order; a path that is not a shard gives just itself. */
export function shardPaths(firstShard: string): string[] {
  const m = matchShard(firstShard);
  if (!m) return [firstShard];
  const width = m.indexText.length;
  const out: string[] = [];
  for (let i = 1; i <= m.count; i++) {
    out.push(`${m.prefix}-${String(i).padStart(width, '0')}-of-${m.countText}${m.ext}`);
  }
  return out;
}

/** A short name for a model file: its quantization, else its file name. */
export function quantLabel(file: string): string {
  const info = classifyGgufPath(file);
  return info.quant ?? info.baseName;
}
