// Bookkeeping overheads of ggml contexts and compute graphs, as gguf-parser-go charges them.

/** ggml_tensor (368 bytes) plus its ggml_object header (32 bytes). */
export const TENSOR_OVERHEAD = 32 + 368;

const OBJECT_SIZE = 32;
const GRAPH_STRUCT_SIZE = 80;
const POINTER_SIZE = 8;
const BITSET_WORD_SIZE = 4;

export function padTo(size: number, align: number): number {
  return Math.ceil(size / align) * align;
}

// ggml's table of hash-set sizes (primes).
const HASH_PRIMES = [
  2, 3, 5, 11, 17, 37, 67, 131, 257, 521, 1031, 2053, 4099, 8209, 16411, 32771, 65537, 131101, 262147, 524309,
  1048583, 2097169, 4194319, 8388617, 16777259, 33554467, 67108879, 134217757, 268435459, 536870923,
  1073741827, 2147483659,
];

/**
 * The hash-set size gguf-parser-go uses for `base` slots. Its binary search has an inverted
 * comparator (it steers right whenever the probed prime is larger than `base`), so for most bases it
 * ends past the table and falls back to `base | 1` instead of the next prime. Reproduced on purpose.
 */
export function graphHashSize(base: number): number {
  let lo = 0;
  let hi = HASH_PRIMES.length;
  const probe = (p: number) => (base >= p ? 0 : -1);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (probe(HASH_PRIMES[mid] ?? 0) < 0) lo = mid + 1;
    else hi = mid;
  }
  const found = HASH_PRIMES[lo];
  if (found !== undefined && probe(found) === 0) return found;
  // `base | 1` on a number that may exceed 32 bits.
  return base % 2 === 0 ? base + 1 : base;
}

/** Bytes of a compute graph of `nodes` nodes without gradients (ggml_graph_overhead_custom). */
export function graphOverhead(nodes: number): number {
  const hashSize = graphHashSize(nodes * 2);
  const bitsetWords = Math.floor((hashSize + BITSET_WORD_SIZE * 8 - 1) / 32);
  let bytes = GRAPH_STRUCT_SIZE;
  bytes += 3 * padTo(nodes * POINTER_SIZE, POINTER_SIZE); // nodes, leafs, parents
  bytes += padTo(hashSize * POINTER_SIZE, POINTER_SIZE); // hash keys
  bytes += padTo(bitsetWords * BITSET_WORD_SIZE, BITSET_WORD_SIZE);
  return OBJECT_SIZE + padTo(bytes, 16);
}
