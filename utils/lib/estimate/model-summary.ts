// The estimator's input: a small, JSON-serialisable digest of one model's GGUF header(s). It keeps
// what gguf-parser-go's llama.cpp estimate reads (the scalar metadata, the tokenizer's counts, the
// header and file sizes and every tensor's type and shape) and drops the bulky tokenizer arrays,
// so it can be cached (a few kB to ~100 kB for ~1000 tensors).

import { EstimateError } from './errors';

/** Bump when the shape changes so that cached summaries are recomputed. */
export const SUMMARY_SCHEMA = 1;

export type SummaryScalar = string | number | boolean;
export type SummaryValue = SummaryScalar | SummaryScalar[];

export interface SummaryTensor {
  name: string;
  /** ggml type id. */
  type: number;
  /** ne[0..n): the first dimension is the row (contiguous) one. */
  dims: number[];
}

export interface SummaryFile {
  /** File size in bytes. */
  size: number;
  /** Bytes before the tensor data, counted the way gguf-parser-go does (see `headerSizeOf`). */
  headerSize: number;
  tensors: SummaryTensor[];
}

export interface GgufSummary {
  schema: typeof SUMMARY_SCHEMA;
  /** Metadata KVs: scalars, short strings and small arrays. Tokenizer arrays are reduced to counts. */
  metadata: Record<string, SummaryValue>;
  tokenizer: {
    /** tokenizer.ggml.model ("gpt2", "llama", ...), "" when absent. */
    model: string;
    /** Length of tokenizer.ggml.tokens. */
    tokens: number;
    /** Length of tokenizer.ggml.merges. */
    merges: number;
  };
  /** One entry per shard, in shard order. */
  files: SummaryFile[];
  /** Sum of the file sizes. */
  size: number;
  /** Sum of the tensor-data sizes (size - headerSize per file). */
  modelSize: number;
  /** Sum of the header sizes. */
  headerSize: number;
  /** Number of tensor elements over all shards. */
  parameters: number;
}

/**
 * What the summary needs from one parsed GGUF file. `gguf()` from @huggingface/gguf returns all of
 * it but the file size (add `fileSize` yourself); its `typedMetadata` form is accepted too.
 */
export interface ParsedGgufFile {
  metadata: object;
  tensorInfos: ReadonlyArray<{
    name: string;
    shape: ReadonlyArray<bigint | number>;
    dtype: number;
  }>;
  /**
   * [start, end) of the tensor-info section, before the alignment padding. Needed to reproduce
   * gguf-parser-go's header size exactly (see `headerSizeOf`).
   */
  tensorInfoByteRange?: readonly [number, number];
  /** The aligned start of the tensor data, used when the byte range is missing. */
  tensorDataOffset?: bigint | number;
  /** An explicit header size (bytes before the tensor data); wins over the two fields above. */
  headerSize?: number;
  fileSize: bigint | number;
}

// Keys @huggingface/gguf puts into `metadata` that are header fields rather than KVs.
const PSEUDO_KEYS = new Set(['version', 'tensor_count', 'kv_count']);
const MAX_STRING_LENGTH = 256;
const MAX_ARRAY_LENGTH = 1024;

/**
 * gguf-parser-go's tensor-data start: `pos + (align - pos % align)` where `pos` is the end of the
 * tensor infos. Unlike the GGUF spec it adds a whole `align` when `pos` is already aligned, so the
 * header is 32 bytes longer (and the model 32 bytes smaller) for such files.
 */
export function headerSizeOf(tensorInfoEnd: number, alignment = 32): number {
  return tensorInfoEnd + (alignment - (tensorInfoEnd % alignment));
}

/** Digest one model (one or more shards of it, or an mmproj file) for the estimate. */
export function summarizeGguf(parsed: readonly ParsedGgufFile[]): GgufSummary {
  if (parsed.length === 0) {
    throw new EstimateError('invalid-input', 'no GGUF header to summarize');
  }
  const shards = orderShards(parsed.map((p) => ({ parsed: p, metadata: plainMetadata(p.metadata) })));

  const metadata: Record<string, SummaryValue> = {};
  const tokenizer = { model: '', tokens: 0, merges: 0 };
  let alignment: number | undefined;
  const files: SummaryFile[] = [];

  for (const { parsed: file, metadata: kvs } of shards) {
    // Like gguf-parser-go, the KVs of all shards form one list; the first general.alignment applies.
    const declared = integerOf(kvs.get('general.alignment'));
    if (alignment === undefined && declared !== undefined && declared > 0) alignment = declared;
    for (const [key, value] of kvs) {
      if (key === 'tokenizer.ggml.model') tokenizer.model = typeof value === 'string' ? value : '';
      else if (key === 'tokenizer.ggml.tokens') tokenizer.tokens = countOf(value);
      else if (key === 'tokenizer.ggml.merges') tokenizer.merges = countOf(value);
      if (PSEUDO_KEYS.has(key) || key === 'split.no' || key.startsWith('tokenizer.')) continue;
      const kept = compactValue(value);
      if (kept !== undefined) metadata[key] = kept;
    }
    files.push({
      size: toNumber(file.fileSize, 'file size'),
      headerSize: fileHeaderSize(file, alignment ?? 32),
      tensors: file.tensorInfos.map((t) => ({
        name: t.name,
        type: t.dtype,
        dims: t.shape.map((d) => toNumber(d, `dimension of ${t.name}`)),
      })),
    });
  }

  const size = files.reduce((n, f) => n + f.size, 0);
  const headerSize = files.reduce((n, f) => n + f.headerSize, 0);
  let parameters = 0;
  for (const f of files) {
    for (const t of f.tensors) parameters += t.dims.length === 0 ? 0 : t.dims.reduce((n, d) => n * d, 1);
  }
  return {
    schema: SUMMARY_SCHEMA,
    metadata,
    tokenizer,
    files,
    size,
    modelSize: size - headerSize,
    headerSize,
    parameters,
  };
}

/** Every tensor of the model, shards concatenated in order (gguf-parser-go's view). */
export function allTensors(summary: GgufSummary): SummaryTensor[] {
  return summary.files.flatMap((f) => f.tensors);
}

function fileHeaderSize(file: ParsedGgufFile, alignment: number): number {
  if (file.headerSize !== undefined) return file.headerSize;
  if (file.tensorInfoByteRange) return headerSizeOf(file.tensorInfoByteRange[1], alignment);
  if (file.tensorDataOffset !== undefined) {
    // Without the byte range the 32-byte quirk cannot be told apart from a padded header.
    return toNumber(file.tensorDataOffset, 'tensor data offset');
  }
  throw new EstimateError('invalid-input', 'the parsed GGUF header has no tensor data offset');
}

type PlainMetadata = Map<string, unknown>;

// Accept both `metadata` ({key: value}) and `typedMetadata` ({key: {value, type}}).
function plainMetadata(metadata: object): PlainMetadata {
  const out: PlainMetadata = new Map();
  for (const [key, raw] of Object.entries(metadata)) {
    const isTyped = typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'value' in raw;
    out.set(key, isTyped ? (raw as { value: unknown }).value : raw);
  }
  return out;
}

// Shards carry split.no; order them by it so the tensor list follows the model's layer order.
function orderShards<T extends { metadata: PlainMetadata }>(shards: T[]): T[] {
  const index = (s: T) => integerOf(s.metadata.get('split.no')) ?? 0;
  if (shards.length < 2 || !shards.every((s) => s.metadata.has('split.no'))) return shards;
  return [...shards].sort((a, b) => index(a) - index(b));
}

function countOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  return 0;
}

function compactScalar(value: unknown): SummaryScalar | undefined {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'string':
      return value.length <= MAX_STRING_LENGTH ? value : undefined;
    default:
      return undefined;
  }
}

function compactValue(value: unknown): SummaryValue | undefined {
  if (!Array.isArray(value)) return compactScalar(value);
  if (value.length > MAX_ARRAY_LENGTH) return undefined;
  const items: SummaryScalar[] = [];
  for (const item of value) {
    const scalar = compactScalar(item);
    if (scalar === undefined) return undefined;
    items.push(scalar);
  }
  return items;
}

function integerOf(value: unknown): number | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function toNumber(value: bigint | number, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new EstimateError('invalid-input', `${what} is not a usable size: ${String(value)}`);
  }
  return n;
}
