// GPUStack's evaluation results as the extension's verdict: its own messages verbatim, and the
// memory one replica claims when it fits. GPUStack names no placement, so none is given.

import type { CheckResult } from '../result';
import { evaluationFailed } from './errors';
import { isRecord } from './http';

/** The part of a CheckResult GPUStack answers. */
export type GpustackVerdict = Pick<CheckResult, 'vramBytes' | 'ramBytes'> & {
  engine: 'gpustack';
  compatible: boolean;
  messages: string[];
};

interface RawClaim {
  ram?: unknown;
  vram?: unknown;
}

/** `{"results": [...]}` as a list, or null when the body is not that shape. */
export function resultsOf(body: unknown): unknown[] | null {
  return isRecord(body) && Array.isArray(body.results) ? body.results : null;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];

const bytes = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** One result as a verdict; `error: true` (the evaluation itself failed) throws a CheckError. */
export function toVerdict(raw: unknown, clusterId: number | null = null): GpustackVerdict {
  const result = isRecord(raw) ? raw : {};
  if (result.error === true) {
    throw evaluationFailed(typeof result.error_message === 'string' ? result.error_message : undefined);
  }
  const compatible = result.compatible !== false;
  const messages = [...strings(result.compatibility_messages), ...strings(result.scheduling_messages)];
  const verdict: GpustackVerdict = { engine: 'gpustack', compatible, messages };
  if (!compatible) return verdict;
  // 2.x claims per cluster; the chosen cluster's claim is the one that answers for it.
  const byCluster = isRecord(result.resource_claim_by_cluster_id) ? result.resource_claim_by_cluster_id : {};
  const picked = clusterId !== null ? byCluster[String(clusterId)] : undefined;
  const claim = (
    isRecord(picked) ? picked : isRecord(result.resource_claim) ? result.resource_claim : null
  ) as RawClaim | null;
  const vram = bytes(claim?.vram);
  const ram = bytes(claim?.ram);
  if (vram !== undefined) verdict.vramBytes = vram;
  if (ram !== undefined) verdict.ramBytes = ram;
  return verdict;
}
