// The ggml tensor types: how many elements one block holds and how many bytes it takes. Sizes follow
// ggml's type_traits (and gguf-parser-go's copy of it); ids are the on-disk `ggml_type` values.

import { EstimateError } from './errors';

export interface GgmlTypeTrait {
  readonly id: number;
  readonly name: string;
  /** Elements per block (1 for plain scalar types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  readonly quantized: boolean;
}

/** The ids the estimate refers to by name. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  IQ4_NL: 20,
  I32: 26,
  BF16: 30,
} as const;

// [id, name, block size, type size, quantized]
const TABLE: ReadonlyArray<readonly [number, string, number, number, boolean]> = [
  [0, 'F32', 1, 4, false],
  [1, 'F16', 1, 2, false],
  [2, 'Q4_0', 32, 18, true],
  [3, 'Q4_1', 32, 20, true],
  // 4 (Q4_2) and 5 (Q4_3) were removed from ggml long ago: treated as unknown.
  [6, 'Q5_0', 32, 22, true],
  [7, 'Q5_1', 32, 24, true],
  [8, 'Q8_0', 32, 34, true],
  [9, 'Q8_1', 32, 36, true],
  [10, 'Q2_K', 256, 84, true],
  [11, 'Q3_K', 256, 110, true],
  [12, 'Q4_K', 256, 144, true],
  [13, 'Q5_K', 256, 176, true],
  [14, 'Q6_K', 256, 210, true],
  [15, 'Q8_K', 256, 292, true],
  [16, 'IQ2_XXS', 256, 66, true],
  [17, 'IQ2_XS', 256, 74, true],
  [18, 'IQ3_XXS', 256, 98, true],
  [19, 'IQ1_S', 256, 50, true],
  [20, 'IQ4_NL', 32, 18, true],
  [21, 'IQ3_S', 256, 110, true],
  [22, 'IQ2_S', 256, 82, true],
  [23, 'IQ4_XS', 256, 136, true],
  [24, 'I8', 1, 1, false],
  [25, 'I16', 1, 2, false],
  [26, 'I32', 1, 4, false],
  [27, 'I64', 1, 8, false],
  [28, 'F64', 1, 8, false],
  [29, 'IQ1_M', 256, 56, true],
  [30, 'BF16', 1, 2, false],
  // 31-33 and 36-38: the old repacked Q4_0 / IQ4_NL layouts, still readable in old files.
  [31, 'Q4_0_4_4', 32, 18, true],
  [32, 'Q4_0_4_8', 32, 18, true],
  [33, 'Q4_0_8_8', 32, 18, true],
  [34, 'TQ1_0', 256, 54, true],
  [35, 'TQ2_0', 256, 66, true],
  [36, 'IQ4_NL_4_4', 32, 18, true],
  [37, 'IQ4_NL_4_8', 32, 18, true],
  [38, 'IQ4_NL_8_8', 32, 18, true],
  [39, 'MXFP4', 32, 17, true],
  // Newer than gguf-parser-go v0.25.0, whose estimator panics on them: sizing them is a deliberate
  // deviation (a figure instead of a failed evaluation).
  [40, 'NVFP4', 64, 36, true],
  [41, 'Q1_0', 128, 18, true],
];

const TRAITS = new Map<number, GgmlTypeTrait>(
  TABLE.map(([id, name, blockSize, typeSize, quantized]) => [
    id,
    { id, name, blockSize, typeSize, quantized },
  ]),
);

/** The trait of a ggml type id; an EstimateError for ids the table does not know. */
export function ggmlTypeTrait(type: number): GgmlTypeTrait {
  const trait = TRAITS.get(type);
  if (!trait) {
    throw new EstimateError('unknown-tensor-type', `unknown ggml tensor type ${type}`);
  }
  return trait;
}

export function isKnownGgmlType(type: number): boolean {
  return TRAITS.has(type);
}

export function isQuantizedGgmlType(type: number): boolean {
  return TRAITS.get(type)?.quantized ?? false;
}

export function ggmlTypeName(type: number): string {
  return TRAITS.get(type)?.name ?? `type ${type}`;
}

/**
 * Bytes of a buffer of the given shape (ggml_row_size of the first dimension times the others).
 * Integer division happens on the first dimension only, as ggml and gguf-parser-go do.
 */
export function rowSize(type: number, dims: readonly number[]): number {
  const { blockSize, typeSize } = ggmlTypeTrait(type);
  const [first = 0, ...rest] = dims;
  let bytes = Math.floor((typeSize * first) / blockSize);
  for (const d of rest) bytes *= d;
  return bytes;
}

/**
 * Bytes a tensor occupies (ggml_nbytes): built from the strides, so a first dimension that is not a
 * multiple of the block size rounds the same way as in ggml.
 */
export function tensorBytes(type: number, dims: readonly number[]): number {
  if (dims.length === 0) return 0;
  const { blockSize, typeSize } = ggmlTypeTrait(type);
  const strides: number[] = [typeSize];
  strides.push(typeSize * Math.floor((dims[0] ?? 0) / blockSize));
  for (let i = 2; i < dims.length; i++) strides.push((strides[i - 1] ?? 0) * (dims[i - 1] ?? 0));
  let bytes = blockSize === 1 ? typeSize : Math.floor(((dims[0] ?? 0) * typeSize) / blockSize);
  for (let i = blockSize === 1 ? 0 : 1; i < dims.length; i++) {
    bytes += ((dims[i] ?? 0) - 1) * (strides[i] ?? 0);
  }
  return bytes;
}

export function tensorElements(dims: readonly number[]): number {
  if (dims.length === 0) return 0;
  return dims.reduce((n, d) => n * d, 1);
}

/** KV cache type names as llama.cpp / gguf-parser's CLI flags spell them. */
export type CacheTypeName = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'iq4_nl' | 'q5_0' | 'q5_1';

/**
 * The ggml type of a cache-type flag. gguf-parser's CLI maps every name it does not list (bf16
 * included) to f16, and so does this.
 */
export function cacheTypeFromName(name: string | undefined): number {
  switch (name?.trim().toLowerCase()) {
    case 'f32':
      return GgmlType.F32;
    case 'q8_0':
      return GgmlType.Q8_0;
    case 'q4_0':
      return GgmlType.Q4_0;
    case 'q4_1':
      return GgmlType.Q4_1;
    case 'iq4_nl':
      return GgmlType.IQ4_NL;
    case 'q5_0':
      return GgmlType.Q5_0;
    case 'q5_1':
      return GgmlType.Q5_1;
    default:
      return GgmlType.F16;
  }
}
