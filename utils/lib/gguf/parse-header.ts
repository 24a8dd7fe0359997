// A synchronous GGUF header parser over the bytes read so far. It returns the same shape as
// @huggingface/gguf's `gguf()` (metadata with version/tensor_count/kv_count, tensorInfos with bigint
// shapes, tensorDataOffset, tensorInfoByteRange, littleEndian), so the estimator takes either.
//
// When the header goes on past the bytes it was given it throws `NeedMoreBytes` with the smallest
// end offset that would let it progress; `read-header.ts` reads more and parses again from the start.
// Every other problem is a `GgufError`. Every length and count is checked against the bytes that can
// exist (the cap, the file size) before anything is allocated, and each element read consumes at
// least one byte, so the work is bounded by the bytes available.
//
// Format (little- or big-endian, detected from the version field):
//   "GGUF" u32 version (1..3) | tensor_count | kv_count | kv* | tensor_info* | padding to alignment
//   kv          = string key, u32 value type, value
//   string      = size length, bytes (UTF-8)
//   array       = u32 item type, size count, items (arrays of arrays allowed)
//   tensor_info = string name, u32 n_dims, size dims[n_dims], u32 ggml type, u64 offset
//   size is u32 in version 1 and u64 from version 2 on.

import type { GGUFParseOutput, GGUFTensorInfo, MetadataValue } from '@huggingface/gguf';
import { formatBytes } from '../format';
import { GgufError } from './errors';

/** GGUF metadata value types (same numbers as @huggingface/gguf's GGUFValueType). */
export const GgufType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

// Bytes of one scalar of each type; strings and arrays are variable.
const FIXED_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

/**
 * Limits no real GGUF file comes near (the largest vocabularies have ~262k tokens and ~450k merges,
 * the largest models ~100k tensors and ~100 metadata entries, the longest strings are chat templates
 * of tens of kB). Anything above is reported as malformed rather than merely large.
 */
export const GGUF_LIMITS = {
  maxStringBytes: 16 * 1024 * 1024,
  maxArrayItems: 2 ** 24,
  maxKvCount: 1_000_000,
  maxTensorCount: 1_000_000,
  /** ggml uses 4; @huggingface/gguf allows 8. */
  maxDims: 8,
  /** Same bound as @huggingface/gguf: a real dimension is at most a vocabulary size. */
  maxDim: 2 ** 32,
  /** Arrays of arrays nest at most this deep (as in @huggingface/gguf). */
  maxArrayDepth: 4,
  maxAlignment: 2 ** 30,
  /**
   * Array items decoded into JavaScript values over the whole header (Llama 3: 537k, gpt-oss: 850k
   * when everything is decoded). Bounds memory: a 64 MiB header of one-byte items would otherwise
   * become 64M numbers (~512 MB).
   */
  maxDecodedItems: 4 * 1024 * 1024,
} as const;

/**
 * Default for `keepArraysUpTo`: the estimator keeps arrays up to this size and only counts larger
 * ones (the tokenizer's tokens, scores, types and merges).
 */
export const DEFAULT_KEEP_ARRAYS_UP_TO = 1024;

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const DEFAULT_ALIGNMENT = 32;

export type GgufVersion = 1 | 2 | 3;

/** What `parseGgufHeader` returns: `gguf()`'s output plus the version and the collapsed arrays. */
export interface ParsedGgufHeader extends GGUFParseOutput<{ strict: false }> {
  version: GgufVersion;
  /** Keys whose array value was replaced by its item count (see `keepArraysUpTo`). */
  collapsedArrays: string[];
}

export interface ParseOptions {
  /** Where the file ends, when known: reading past it is 'truncated'. */
  eof?: number;
  /** The most bytes the reader may fetch: a header needing more is 'too-large'. */
  maxBytes: number;
  /**
   * Top-level metadata arrays with more items are not decoded: their value becomes the item count
   * (a number), which is all the estimator needs of the tokenizer arrays; the items are still walked
   * and checked. Default 1024. `Infinity` decodes everything, exactly like `gguf()`.
   */
  keepArraysUpTo?: number;
}

/** Thrown (not an Error) when the header continues past the bytes given. */
export class NeedMoreBytes {
  constructor(
    /** The parse needs the bytes before this offset. */
    readonly end: number,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

class Cursor {
  pos = 0;
  /** Array items decoded so far (see GGUF_LIMITS.maxDecodedItems). */
  decoded = 0;
  littleEndian = true;
  /** Version 1 uses 32-bit sizes. */
  wide = true;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: ParseOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Makes sure `n` more bytes are available. `what` names them for the error message, with `item`
   * (an array index, -1 for none) and `lengthOf` (the length field of `what`): the message is only
   * built when it is needed, never per item.
   */
  need(n: number, what: string, item = -1, lengthOf = false): void {
    const end = this.pos + n;
    if (end <= this.bytes.length) return;
    this.beyond(end, describe(what, item, lengthOf));
  }

  private beyond(end: number, what: string): never {
    const { eof, maxBytes } = this.options;
    if (eof !== undefined && end > eof) {
      throw new GgufError(
        'truncated',
        `The file ends after ${formatBytes(eof)}, in the middle of its header (${what} would need ${formatBytes(end)}).`,
      );
    }
    if (end > maxBytes) {
      throw new GgufError(
        'too-large',
        `The GGUF header is larger than the ${formatBytes(maxBytes)} this extension reads (${what} would need ${formatBytes(end)}).`,
      );
    }
    throw new NeedMoreBytes(end);
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return value;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const value = this.view.getBigUint64(this.pos, this.littleEndian);
    this.pos += 8;
    return value;
  }

  /** A size field (u32 in v1, u64 after) as a number; values past 2^53 are approximate (too big anyway). */
  size(what: string, item = -1, lengthOf = false): number {
    if (!this.wide) {
      this.need(4, what, item, lengthOf);
      const value = this.view.getUint32(this.pos, this.littleEndian);
      this.pos += 4;
      return value;
    }
    this.need(8, what, item, lengthOf);
    const lo = this.view.getUint32(this.pos + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(this.pos + (this.littleEndian ? 4 : 0), this.littleEndian);
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }

  /** The exact value of the size field just read, for messages. */
  lastSizeText(): string {
    if (!this.wide) return String(this.view.getUint32(this.pos - 4, this.littleEndian));
    return this.view.getBigUint64(this.pos - 8, this.littleEndian).toString();
  }

  sizeWidth(): number {
    return this.wide ? 8 : 4;
  }

  string(what: string, item = -1): string {
    const length = this.stringLength(what, item);
    this.need(length, what, item);
    const start = this.pos;
    this.pos += length;
    return utf8.decode(this.bytes.subarray(start, start + length));
  }

  skipString(what: string, item = -1): void {
    const length = this.stringLength(what, item);
    this.need(length, what, item);
    this.pos += length;
  }

  private stringLength(what: string, item: number): number {
    const length = this.size(what, item, true);
    if (length > GGUF_LIMITS.maxStringBytes) {
      throw new GgufError(
        'bad-string',
        `The header claims that ${describe(what, item, false)} is ${this.lastSizeText()} bytes long, more than any real GGUF string (limit ${formatBytes(GGUF_LIMITS.maxStringBytes)}).`,
      );
    }
    return length;
  }

  scalar(type: number): MetadataValue {
    const { view, pos, littleEndian: le } = this;
    this.pos += FIXED_SIZE[type] ?? 0;
    switch (type) {
      case GgufType.UINT8:
        return view.getUint8(pos);
      case GgufType.INT8:
        return view.getInt8(pos);
      case GgufType.UINT16:
        return view.getUint16(pos, le);
      case GgufType.INT16:
        return view.getInt16(pos, le);
      case GgufType.UINT32:
        return view.getUint32(pos, le);
      case GgufType.INT32:
        return view.getInt32(pos, le);
      case GgufType.FLOAT32:
        return view.getFloat32(pos, le);
      case GgufType.BOOL:
        return view.getUint8(pos) !== 0;
      case GgufType.UINT64:
        return view.getBigUint64(pos, le);
      case GgufType.INT64:
        return view.getBigInt64(pos, le);
      default:
        return view.getFloat64(pos, le);
    }
  }
}

function describe(what: string, item: number, lengthOf: boolean): string {
  let base = what;
  if (item >= 0) base = what.includes('#') ? what.replace('#', `#${item + 1}`) : `item ${item} of ${what}`;
  return lengthOf ? `the length of ${base}` : base;
}

/** Parses the header in `bytes` (the file's first bytes). */
export function parseGgufHeader(bytes: Uint8Array, options: ParseOptions): ParsedGgufHeader {
  const c = new Cursor(bytes, options);
  checkMagic(bytes);
  c.need(8, 'the GGUF version');
  c.pos = 4;
  // Files written on big-endian machines have the version's bytes reversed (llama.cpp#3957).
  let version = c.u32('the GGUF version');
  if ((version & 0xffff) === 0 && version !== 0) {
    c.littleEndian = false;
    c.pos = 4;
    version = c.u32('the GGUF version');
  }
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new GgufError(
      'unsupported-version',
      `This GGUF file has version ${version}; only versions 1 to 3 are known.`,
    );
  }
  c.wide = version !== 1;

  const tensorCount = c.size('the tensor count');
  if (tensorCount > GGUF_LIMITS.maxTensorCount) {
    throw new GgufError(
      'bad-count',
      `The header claims ${c.lastSizeText()} tensors, more than any real model has (limit ${GGUF_LIMITS.maxTensorCount}).`,
    );
  }
  const kvCount = c.size('the metadata count');
  if (kvCount > GGUF_LIMITS.maxKvCount) {
    throw new GgufError(
      'bad-count',
      `The header claims ${c.lastSizeText()} metadata entries, more than any real model has (limit ${GGUF_LIMITS.maxKvCount}).`,
    );
  }

  const metadata: Record<string, MetadataValue> = {
    version,
    tensor_count: BigInt(tensorCount),
    kv_count: BigInt(kvCount),
  };
  const collapsedArrays: string[] = [];
  let alignmentType: number | undefined;
  const keepUpTo = options.keepArraysUpTo ?? DEFAULT_KEEP_ARRAYS_UP_TO;
  // Smallest entry: an empty key, a type and a one-byte value.
  c.need(kvCount * (c.sizeWidth() + 5), `${kvCount} metadata entries`);
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key #${i + 1}`);
    const what = `the value of ${quote(key)}`;
    const type = c.u32(`the type of ${quote(key)}`);
    let value: MetadataValue;
    if (type === GgufType.ARRAY) {
      const array = arrayHeader(c, what, 0);
      if (array.count > keepUpTo) {
        skipItems(c, array.type, array.count, what, 1);
        value = array.count;
        collapsedArrays.push(key);
      } else {
        value = readItems(c, array.type, array.count, what, 1);
      }
    } else {
      value = readValue(c, type, what, 0);
    }
    // defineProperty: a key such as "__proto__" stays an ordinary entry.
    Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
    if (key === 'general.alignment') alignmentType = type;
  }

  const alignment = alignmentOf(metadata, alignmentType);

  const tensorInfoStart = c.pos;
  // Smallest tensor info: an empty name, n_dims, a type and an offset.
  c.need(tensorCount * (c.sizeWidth() + 16), `${tensorCount} tensor descriptions`);
  const tensorInfos: GGUFTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    // Messages name the tensor by number, built only on error (there may be 100k tensors).
    const name = c.string('the name of tensor #', i);
    c.need(4, 'the dimension count of tensor #', i);
    const nDims = c.u32('');
    if (nDims > GGUF_LIMITS.maxDims) {
      throw new GgufError(
        'bad-tensor',
        `The header gives tensor ${quote(name)} ${nDims} dimensions; GGUF tensors have at most ${GGUF_LIMITS.maxDims}.`,
      );
    }
    const shape: bigint[] = [];
    for (let d = 0; d < nDims; d++) {
      const dim = c.size('the dimensions of tensor #', i);
      if (dim > GGUF_LIMITS.maxDim) {
        throw new GgufError(
          'bad-tensor',
          `The header gives tensor ${quote(name)} a dimension of ${c.lastSizeText()}, larger than any real tensor has.`,
        );
      }
      shape.push(BigInt(dim));
    }
    c.need(12, 'the type and data offset of tensor #', i);
    const dtype = c.u32('');
    const offset = c.u64('');
    tensorInfos.push({ name, n_dims: nDims, shape, dtype, offset });
  }
  const tensorInfoEnd = c.pos;
  const tensorDataOffset = BigInt(Math.ceil(tensorInfoEnd / alignment) * alignment);

  return {
    metadata: metadata as ParsedGgufHeader['metadata'],
    tensorInfos,
    tensorDataOffset,
    littleEndian: c.littleEndian,
    tensorInfoByteRange: [tensorInfoStart, tensorInfoEnd],
    version,
    collapsedArrays,
  };
}

function checkMagic(bytes: Uint8Array): void {
  const n = Math.min(4, bytes.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new GgufError('bad-magic', `This is not a GGUF file: it starts with ${describeStart(bytes)}.`);
    }
  }
}

function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 32);
  const text = String.fromCharCode(...head);
  let hint = '';
  if (text.startsWith('version https://git-lfs')) hint = ' (a Git LFS pointer, not the file itself)';
  else if (/^\s*</.test(text)) hint = ' (an HTML or XML page)';
  else if (/^\s*[{[]/.test(text)) hint = ' (JSON)';
  const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `bytes ${hex} instead of "GGUF"${hint}`;
}

function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(short);
}

function checkType(type: number, what: string): void {
  if (!Number.isInteger(type) || type < 0 || type > 12) {
    throw new GgufError(
      'unknown-type',
      `The header gives ${what} the type ${type}, which GGUF does not define.`,
    );
  }
}

function minItemSize(c: Cursor, type: number): number {
  if (type === GgufType.STRING) return c.sizeWidth();
  if (type === GgufType.ARRAY) return 4 + c.sizeWidth();
  return FIXED_SIZE[type] ?? 1;
}

function arrayHeader(c: Cursor, what: string, depth: number): { type: number; count: number } {
  if (depth >= GGUF_LIMITS.maxArrayDepth) {
    throw new GgufError(
      'bad-value',
      `The header nests arrays more than ${GGUF_LIMITS.maxArrayDepth} deep in ${what}.`,
    );
  }
  const type = c.u32(`the item type of ${what}`);
  checkType(type, `the items of ${what}`);
  const count = c.size(`the item count of ${what}`);
  if (count > GGUF_LIMITS.maxArrayItems) {
    throw new GgufError(
      'bad-count',
      `The header claims ${c.lastSizeText()} items in ${what}, more than any real GGUF array (limit ${GGUF_LIMITS.maxArrayItems}).`,
    );
  }
  // Every item takes at least this many bytes: check they can exist before reading any.
  c.need(count * minItemSize(c, type), `the ${count} items of ${what}`);
  return { type, count };
}

function readValue(c: Cursor, type: number, what: string, depth: number): MetadataValue {
  checkType(type, what);
  if (type === GgufType.STRING) return c.string(what);
  if (type === GgufType.ARRAY) {
    const array = arrayHeader(c, what, depth);
    return readItems(c, array.type, array.count, what, depth + 1);
  }
  c.need(FIXED_SIZE[type] ?? 0, what);
  return c.scalar(type);
}

function readItems(c: Cursor, type: number, count: number, what: string, depth: number): MetadataValue {
  c.decoded += count;
  if (c.decoded > GGUF_LIMITS.maxDecodedItems) {
    throw new GgufError(
      'too-large',
      `The header holds more than ${GGUF_LIMITS.maxDecodedItems} array items to decode (${what} brings it to ${c.decoded}); read it with a smaller keepArraysUpTo.`,
    );
  }
  const items: MetadataValue[] = [];
  if (type === GgufType.STRING) {
    for (let i = 0; i < count; i++) items.push(c.string(what, i));
  } else if (type === GgufType.ARRAY) {
    for (let i = 0; i < count; i++) {
      const inner = arrayHeader(c, what, depth);
      items.push(readItems(c, inner.type, inner.count, what, depth + 1));
    }
  } else {
    // arrayHeader already made sure all the fixed-size items are there.
    for (let i = 0; i < count; i++) items.push(c.scalar(type));
  }
  return items as MetadataValue;
}

function skipItems(c: Cursor, type: number, count: number, what: string, depth: number): void {
  if (type === GgufType.STRING) {
    for (let i = 0; i < count; i++) c.skipString(what, i);
  } else if (type === GgufType.ARRAY) {
    for (let i = 0; i < count; i++) {
      const inner = arrayHeader(c, what, depth);
      skipItems(c, inner.type, inner.count, what, depth + 1);
    }
  } else {
    c.pos += count * (FIXED_SIZE[type] ?? 0);
  }
}

// llama.cpp wants a u32; any integer type is accepted here (not a float, string or array).
const INTEGER_TYPES: readonly number[] = [0, 1, 2, 3, 4, 5, 10, 11];

function alignmentOf(metadata: Record<string, MetadataValue>, type: number | undefined): number {
  if (type === undefined) return DEFAULT_ALIGNMENT;
  const raw = metadata['general.alignment'];
  if (!INTEGER_TYPES.includes(type)) {
    const kind =
      type === GgufType.STRING ? 'a string' : type === GgufType.ARRAY ? 'an array' : 'not an integer';
    throw new GgufError('bad-value', `The header's general.alignment is ${kind}; it must be a power of two.`);
  }
  const value = Number(raw);
  if (value < 1 || value > GGUF_LIMITS.maxAlignment || (value & (value - 1)) !== 0) {
    throw new GgufError(
      'bad-value',
      `The header sets general.alignment to ${String(raw)}; it must be a power of two.`,
    );
  }
  return value;
}
