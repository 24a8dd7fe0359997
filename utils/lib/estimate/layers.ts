// gguf-parser-go's "layers": tensors grouped by block, in file order. Block tensors `blk.N.*` form
// one group per N; projector blocks `v.blk.*` / `a.blk.*` (and encoder/decoder blocks) form one group
// per prefix; every other tensor is a group of its own. The estimate counts and places these groups,
// which is why a stray tensor such as `rope_freqs.weight` behaves like an extra layer.

import { tensorBytes } from './ggml-types';
import type { SummaryTensor } from './model-summary';

export interface TensorGroup {
  /** `blk.N`, `v`, `a`, ... or the tensor's own name for a lone tensor. */
  readonly name: string;
  readonly tensors: SummaryTensor[];
  /** Direct children of a two-level group (`v` -> `v.blk.N`): gguf-parser counts them as blocks. */
  childCount: number;
}

const NESTED_PREFIXES: Record<string, string> = {
  v: 'blk',
  t: 'blk',
  a: 'blk',
  enc: 'blk',
  dec: 'blk',
  encoder: 'block',
  decoder: 'block',
};

export function groupTensors(tensors: readonly SummaryTensor[]): TensorGroup[] {
  const groups: TensorGroup[] = [];
  const byName = new Map<string, TensorGroup>();
  const children = new Map<string, Set<string>>();

  const groupNamed = (name: string): TensorGroup => {
    let group = byName.get(name);
    if (!group) {
      group = { name, tensors: [], childCount: 0 };
      byName.set(name, group);
      groups.push(group);
    }
    return group;
  };

  for (const tensor of tensors) {
    const parts = tensor.name.split('.');
    const [head = '', second] = parts;
    if (second === undefined) {
      groups.push({ name: tensor.name, tensors: [tensor], childCount: 0 });
    } else if (head === 'blk' || head === 'block') {
      groupNamed(`${head}.${second}`).tensors.push(tensor);
    } else if (NESTED_PREFIXES[head] === second) {
      const group = groupNamed(head);
      group.tensors.push(tensor);
      // A child is `v.blk.N`; a bare `v.blk` tensor counts as a child of its own.
      const child =
        parts.length < 3 ? `#${tensor.name}#${group.tensors.length}` : parts.slice(0, 3).join('.');
      const seen = children.get(head) ?? new Set<string>();
      seen.add(child);
      children.set(head, seen);
      group.childCount = seen.size;
    } else {
      groups.push({ name: tensor.name, tensors: [tensor], childCount: 0 });
    }
  }
  return groups;
}

/**
 * Split groups by name patterns ("x*" is a prefix, anything else an exact name), keeping order:
 * [matching, rest].
 */
export function partitionGroups(
  groups: readonly TensorGroup[],
  patterns: readonly string[],
): [TensorGroup[], TensorGroup[]] {
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const matching: TensorGroup[] = [];
  const rest: TensorGroup[] = [];
  for (const group of groups) {
    const hit = exact.has(group.name) || prefixes.some((p) => group.name.startsWith(p));
    (hit ? matching : rest).push(group);
  }
  return [matching, rest];
}

export function groupsBytes(groups: readonly TensorGroup[]): number {
  let bytes = 0;
  for (const group of groups) {
    for (const t of group.tensors) bytes += tensorBytes(t.type, t.dims);
  }
  return bytes;
}

export function findTensor(groups: readonly TensorGroup[], name: string): SummaryTensor | undefined {
  for (const group of groups) {
    const found = group.tensors.find((t) => t.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The last dimension of a tensor (ne[n_dims - 1]). */
export function lastDim(tensor: SummaryTensor): number {
  return tensor.dims[tensor.dims.length - 1] ?? 0;
}
