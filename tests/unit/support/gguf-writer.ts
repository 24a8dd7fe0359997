// A small GGUF writer for tests: header only (magic, version, counts, typed metadata including
// arrays of arrays, tensor infos, padding to the alignment). The tensor data is left to the caller:
// `fileSize` is what a real file with these tensors would weigh, and `fileSlice` serves the header
// followed by zeros up to that size, as the e2e impersonator does.
//
// It records where every count, length and type field lies (`fields`), so fuzz tests can overwrite
// exactly those with extreme values.

export const ValueType = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type ScalarTypeName = Exclude<keyof typeof ValueType, 'array'>;
type NumberTypeName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';

/** A metadata value with its type; arrays may nest. */
export type Value =
  | { type: NumberTypeName; value: number }
  | { type: 'u64' | 'i64'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: keyof typeof ValueType; items: Value[] }
  /** A generated array, written without building every item (big tokenizer arrays). */
  | {
      type: 'generated';
      itemType: ScalarTypeName;
      count: number;
      item: (i: number) => string | number | bigint | boolean;
    };

export type FieldKind =
  | 'version'
  | 'tensor-count'
  | 'kv-count'
  | 'string-length'
  | 'value-type'
  | 'array-item-type'
  | 'array-count'
  | 'n-dims'
  | 'dim'
  | 'tensor-type'
  | 'tensor-offset';

/** Where a count, length or type field lies in the header. */
export interface Field {
  offset: number;
  /** 4 or 8 bytes. */
  width: 4 | 8;
  kind: FieldKind;
}

export interface TensorSpec {
  name: string;
  /** ne[0] first. */
  dims: number[];
  /** ggml type id (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 12 Q4_K, 14 Q6_K, ...). */
  type: number;
  /** Offset in the data section; default: after the previous tensor, aligned. */
  offset?: bigint;
}

export interface WriterOptions {
  version?: 1 | 2 | 3;
  littleEndian?: boolean;
}

export interface WrittenHeader {
  /** The header, padded to the alignment: tensor data would start right after it. */
  header: Uint8Array<ArrayBuffer>;
  /** End of the tensor infos, before the padding (gguf()'s tensorInfoByteRange[1]). */
  tensorInfoEnd: number;
  /** Start of the tensor infos (gguf()'s tensorInfoByteRange[0]). */
  tensorInfoStart: number;
  alignment: number;
  /** Bytes of tensor data the tensor infos describe (aligned). */
  dataSize: number;
  /** header + data: the size of a real file with these tensors. */
  fileSize: number;
  fields: Field[];
}

// [block size in elements, bytes per block] for the types tests use.
const GGML_TYPE_SIZE: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  20: [32, 18], // IQ4_NL
  30: [1, 2], // BF16
};

export function ggmlTensorBytes(type: number, dims: readonly number[]): number {
  const [block, bytes] = GGML_TYPE_SIZE[type] ?? [1, 1];
  const elements = dims.reduce((n, d) => n * d, 1);
  return Math.ceil(elements / block) * bytes;
}

const utf8 = new TextEncoder();

/** A growable byte buffer with typed writes. */
export class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  readonly fields: Field[] = [];

  constructor(
    readonly littleEndian = true,
    /** Width of size fields: 4 in GGUF v1, 8 after. */
    readonly sizeWidth: 4 | 8 = 8,
  ) {}

  private reserve(n: number): number {
    const at = this.length;
    this.ensure(at + n);
    this.length += n;
    return at;
  }

  /** Room for `end` bytes; the bytes past `length` stay zero. */
  private ensure(end: number): void {
    if (end <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < end) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  private mark(kind: FieldKind | undefined, width: 4 | 8): void {
    if (kind) this.fields.push({ offset: this.length, width, kind });
  }

  bytes(data: ArrayLike<number>): this {
    const at = this.reserve(data.length);
    this.buf.set(data, at);
    return this;
  }

  u8(v: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
    return this;
  }
  i8(v: number): this {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v, this.littleEndian);
    return this;
  }
  i16(v: number): this {
    const at = this.reserve(2);
    this.view.setInt16(at, v, this.littleEndian);
    return this;
  }
  u32(v: number, kind?: FieldKind): this {
    this.mark(kind, 4);
    const at = this.reserve(4);
    this.view.setUint32(at, v, this.littleEndian);
    return this;
  }
  i32(v: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, v, this.littleEndian);
    return this;
  }
  f32(v: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, this.littleEndian);
    return this;
  }
  f64(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, this.littleEndian);
    return this;
  }
  u64(v: bigint, kind?: FieldKind): this {
    this.mark(kind, 8);
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, this.littleEndian);
    return this;
  }
  i64(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v, this.littleEndian);
    return this;
  }
  /** A GGUF size field: u32 in v1, u64 after. */
  size(v: number | bigint, kind?: FieldKind): this {
    return this.sizeWidth === 4 ? this.u32(Number(v), kind) : this.u64(BigInt(v), kind);
  }
  string(text: string): this {
    // Encoded in place behind its size field: UTF-8 takes at most 3 bytes per UTF-16 unit. Headers
    // hold hundreds of thousands of tokenizer strings.
    const start = this.length + this.sizeWidth;
    const room = text.length * 3;
    this.ensure(start + room);
    const { written } = utf8.encodeInto(text, this.buf.subarray(start, start + room));
    this.size(written, 'string-length');
    this.length += written;
    return this;
  }
  zeros(n: number): this {
    this.reserve(n); // the buffer is zero-filled
    return this;
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

/** Builds a GGUF header: add metadata and tensors, then `build()`. */
export class GgufWriter {
  private readonly kvs: Array<[string, Value]> = [];
  private readonly tensors: TensorSpec[] = [];
  readonly version: 1 | 2 | 3;
  readonly littleEndian: boolean;

  constructor(options: WriterOptions = {}) {
    this.version = options.version ?? 3;
    this.littleEndian = options.littleEndian ?? true;
  }

  kv(key: string, value: Value): this {
    this.kvs.push([key, value]);
    return this;
  }
  string(key: string, value: string): this {
    return this.kv(key, { type: 'string', value });
  }
  u32(key: string, value: number): this {
    return this.kv(key, { type: 'u32', value });
  }
  i32(key: string, value: number): this {
    return this.kv(key, { type: 'i32', value });
  }
  f32(key: string, value: number): this {
    return this.kv(key, { type: 'f32', value });
  }
  bool(key: string, value: boolean): this {
    return this.kv(key, { type: 'bool', value });
  }
  u64(key: string, value: bigint): this {
    return this.kv(key, { type: 'u64', value });
  }
  /** An array generated item by item (no intermediate array of `count` items). */
  generated(
    key: string,
    itemType: ScalarTypeName,
    count: number,
    item: (i: number) => string | number | bigint | boolean,
  ): this {
    return this.kv(key, { type: 'generated', itemType, count, item });
  }
  tensor(name: string, dims: number[], type: number, offset?: bigint): this {
    this.tensors.push({ name, dims, type, offset });
    return this;
  }

  build(): WrittenHeader {
    const sink = new ByteSink(this.littleEndian, this.version === 1 ? 4 : 8);
    const alignmentKv = this.kvs.find(([key]) => key === 'general.alignment')?.[1];
    const alignment =
      alignmentKv && 'value' in alignmentKv && typeof alignmentKv.value === 'number' ? alignmentKv.value : 32;

    sink.bytes([0x47, 0x47, 0x55, 0x46]).u32(this.version, 'version');
    sink.size(this.tensors.length, 'tensor-count').size(this.kvs.length, 'kv-count');
    for (const [key, value] of this.kvs) {
      sink.string(key);
      sink.u32(ValueType[value.type === 'generated' ? 'array' : value.type], 'value-type');
      writeValue(sink, value);
    }
    const tensorInfoStart = sink.length;
    let dataSize = 0;
    for (const t of this.tensors) {
      const offset = t.offset ?? BigInt(dataSize);
      sink.string(t.name).u32(t.dims.length, 'n-dims');
      for (const d of t.dims) sink.size(d, 'dim');
      sink.u32(t.type, 'tensor-type').u64(offset, 'tensor-offset');
      dataSize = Math.max(dataSize, alignUp(Number(offset) + ggmlTensorBytes(t.type, t.dims), alignment));
    }
    const tensorInfoEnd = sink.length;
    sink.zeros(alignUp(tensorInfoEnd, alignment) - tensorInfoEnd);
    const header = sink.result();
    return {
      header,
      tensorInfoStart,
      tensorInfoEnd,
      alignment,
      dataSize,
      fileSize: header.length + dataSize,
      fields: sink.fields,
    };
  }
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

function writeScalar(sink: ByteSink, type: ScalarTypeName, value: string | number | bigint | boolean): void {
  switch (type) {
    case 'u8':
      sink.u8(Number(value));
      break;
    case 'i8':
      sink.i8(Number(value));
      break;
    case 'u16':
      sink.u16(Number(value));
      break;
    case 'i16':
      sink.i16(Number(value));
      break;
    case 'u32':
      sink.u32(Number(value));
      break;
    case 'i32':
      sink.i32(Number(value));
      break;
    case 'f32':
      sink.f32(Number(value));
      break;
    case 'f64':
      sink.f64(Number(value));
      break;
    case 'bool':
      sink.u8(value ? 1 : 0);
      break;
    case 'u64':
      sink.u64(BigInt(value));
      break;
    case 'i64':
      sink.i64(BigInt(value));
      break;
    case 'string':
      sink.string(String(value));
      break;
  }
}

function writeValue(sink: ByteSink, value: Value): void {
  if (value.type === 'generated') {
    sink.u32(ValueType[value.itemType], 'array-item-type').size(value.count, 'array-count');
    for (let i = 0; i < value.count; i++) writeScalar(sink, value.itemType, value.item(i));
  } else if (value.type === 'array') {
    sink.u32(ValueType[value.itemType], 'array-item-type').size(value.items.length, 'array-count');
    for (const item of value.items) writeValue(sink, item);
  } else {
    writeScalar(sink, value.type, value.value);
  }
}

/** Bytes [start, end] (inclusive, clamped) of a file made of `header` then zeros up to `size`. */
export function fileSlice(
  header: Uint8Array,
  size: number,
  start: number,
  end: number,
): Uint8Array<ArrayBuffer> {
  const stop = Math.min(end + 1, size);
  if (stop <= start) return new Uint8Array(0);
  const out = new Uint8Array(stop - start);
  if (start < header.length) out.set(header.subarray(start, Math.min(stop, header.length)));
  return out;
}

// ---- Presets -------------------------------------------------------------------------------------

// Deterministic pseudo-random lengths so the vocabulary looks like a real one.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function word(i: number, length: number): string {
  let out = '';
  let n = i;
  for (let k = 0; k < length; k++) {
    out += LETTERS[n % 26];
    n = Math.floor(n / 26) + k + 7;
  }
  return out;
}

export interface Llama3Options {
  /** Tokens in the vocabulary (Llama 3: 128256). */
  tokens?: number;
  /** BPE merges (Llama 3: 280147). */
  merges?: number;
  /** Transformer blocks (Llama 3.1 8B: 32). */
  blocks?: number;
  /** ggml type of the big matrices (default Q4_K). */
  weightType?: number;
  version?: 1 | 2 | 3;
  littleEndian?: boolean;
  /** Extra metadata, e.g. split.* keys. */
  extra?: (w: GgufWriter) => void;
}

/**
 * A header shaped like Llama 3.1 8B Instruct Q4_K_M's: 128256 tokens (~6.6 bytes each), 280147
 * merges (~10.5 bytes), 292 tensors: 7.6 MB, like the real one (7,599,488 bytes).
 */
export function llama3Header(options: Llama3Options = {}): WrittenHeader {
  const tokens = options.tokens ?? 128256;
  const merges = options.merges ?? 280147;
  const blocks = options.blocks ?? 32;
  const weight = options.weightType ?? 12;
  const w = new GgufWriter({ version: options.version, littleEndian: options.littleEndian });
  w.string('general.architecture', 'llama')
    .string('general.type', 'model')
    .string('general.name', 'Meta Llama 3.1 8B Instruct')
    .string('general.size_label', '8B')
    .u32('llama.block_count', blocks)
    .u32('llama.context_length', 131072)
    .u32('llama.embedding_length', 4096)
    .u32('llama.feed_forward_length', 14336)
    .u32('llama.attention.head_count', 32)
    .u32('llama.attention.head_count_kv', 8)
    .f32('llama.rope.freq_base', 500000)
    .f32('llama.attention.layer_norm_rms_epsilon', 1e-5)
    .u32('general.file_type', 15)
    .u32('llama.vocab_size', tokens)
    .u32('llama.rope.dimension_count', 128)
    .string('tokenizer.ggml.model', 'gpt2')
    .string('tokenizer.ggml.pre', 'llama-bpe');
  const tokenLength = lcg(1);
  w.generated('tokenizer.ggml.tokens', 'string', tokens, (i) =>
    word(i, 1 + Math.floor(tokenLength() * 12.2)),
  );
  w.generated('tokenizer.ggml.token_type', 'i32', tokens, (i) => (i < tokens - 256 ? 1 : 3));
  const mergeLength = lcg(2);
  w.generated('tokenizer.ggml.merges', 'string', merges, (i) => {
    const a = 1 + Math.floor(mergeLength() * 8.5);
    const b = 1 + Math.floor(mergeLength() * 8.5);
    return `${word(i, a)} ${word(i + 1, b)}`;
  });
  w.u32('tokenizer.ggml.bos_token_id', 128000)
    .u32('tokenizer.ggml.eos_token_id', 128009)
    .string(
      'tokenizer.chat_template',
      `{% for message in messages %}${'{{ message.content }}'.repeat(80)}{% endfor %}`,
    )
    .u32('general.quantization_version', 2);
  options.extra?.(w);

  w.tensor('token_embd.weight', [4096, tokens], weight);
  w.tensor('rope_freqs.weight', [64], 0);
  for (let b = 0; b < blocks; b++) {
    w.tensor(`blk.${b}.attn_norm.weight`, [4096], 0)
      .tensor(`blk.${b}.ffn_down.weight`, [14336, 4096], 14)
      .tensor(`blk.${b}.ffn_gate.weight`, [4096, 14336], weight)
      .tensor(`blk.${b}.ffn_up.weight`, [4096, 14336], weight)
      .tensor(`blk.${b}.ffn_norm.weight`, [4096], 0)
      .tensor(`blk.${b}.attn_k.weight`, [4096, 1024], weight)
      .tensor(`blk.${b}.attn_output.weight`, [4096, 4096], weight)
      .tensor(`blk.${b}.attn_q.weight`, [4096, 4096], weight)
      .tensor(`blk.${b}.attn_v.weight`, [4096, 1024], 14);
  }
  w.tensor('output.weight', [4096, tokens], 14).tensor('output_norm.weight', [4096], 0);
  return w.build();
}

export interface SmallOptions {
  version?: 1 | 2 | 3;
  littleEndian?: boolean;
  alignment?: number;
  /** Extra metadata. */
  extra?: (w: GgufWriter) => void;
}

/** A tiny but complete header: every value type, a nested array, 5 tensors; a few hundred bytes. */
export function smallHeader(options: SmallOptions = {}): WrittenHeader {
  const w = new GgufWriter({ version: options.version, littleEndian: options.littleEndian });
  w.string('general.architecture', 'llama')
    .string('general.name', 'tiny ünïcode')
    .u32('llama.block_count', 1)
    .u32('llama.context_length', 256)
    .u32('llama.embedding_length', 64)
    .u32('llama.attention.head_count', 4)
    .f32('llama.rope.freq_base', 10000)
    .bool('tokenizer.ggml.add_bos_token', true)
    .u64('general.big', 2n ** 40n)
    .kv('general.i64', { type: 'i64', value: -5n })
    .kv('general.f64', { type: 'f64', value: 0.125 })
    .kv('general.i8', { type: 'i8', value: -3 })
    .kv('general.u16', { type: 'u16', value: 65535 })
    .kv('general.i16', { type: 'i16', value: -300 })
    .kv('general.u8', { type: 'u8', value: 200 })
    .kv('general.nested', {
      type: 'array',
      itemType: 'array',
      items: [
        {
          type: 'array',
          itemType: 'u32',
          items: [
            { type: 'u32', value: 1 },
            { type: 'u32', value: 2 },
          ],
        },
        { type: 'array', itemType: 'string', items: [{ type: 'string', value: 'x' }] },
      ],
    })
    .string('tokenizer.ggml.model', 'llama')
    .generated('tokenizer.ggml.tokens', 'string', 16, (i) => `tok${i}`)
    .generated('tokenizer.ggml.scores', 'f32', 16, (i) => i / 2);
  if (options.alignment !== undefined) w.u32('general.alignment', options.alignment);
  options.extra?.(w);
  w.tensor('token_embd.weight', [64, 16], 1)
    .tensor('blk.0.attn_q.weight', [64, 64], 8)
    .tensor('blk.0.ffn_up.weight', [64, 128], 12)
    .tensor('output_norm.weight', [64], 0)
    .tensor('output.weight', [64, 16], 1);
  return w.build();
}

export interface ReaderLog {
  /** Every [start, end] asked for, in order. */
  calls: Array<[number, number]>;
  /** Bytes handed out. */
  bytes: number;
}

/**
 * A byte-range reader over `header` followed by zeros up to `size`, like a server honouring Range
 * with a Content-Range total (unless `totalSize: false`). Structurally a `RangeReader`.
 */
export function fileReader(
  header: Uint8Array,
  size: number = header.length,
  options: { totalSize?: boolean } = {},
): {
  read: (start: number, end: number) => Promise<{ bytes: Uint8Array; totalSize?: number }>;
  log: ReaderLog;
} {
  const log: ReaderLog = { calls: [], bytes: 0 };
  const read = async (start: number, end: number) => {
    log.calls.push([start, end]);
    const bytes = fileSlice(header, size, start, end);
    log.bytes += bytes.length;
    return options.totalSize === false ? { bytes } : { bytes, totalSize: size };
  };
  return { read, log };
}
