// Reading one evaluation result the way the server of that version meant it. `compatible: false`
// is a verdict only when the scheduler said so; from 2.0.2 the server also reports its own failures
// (Hugging Face, the file, gguf-parser) as `compatible: false` with the error text, and those must
// never be shown as "won't fit". Texts and where they come from: tags of github.com/gpustack/gpustack.

import type { CheckResult } from '../../../common/result';
import type { Cluster } from './catalog';
import type { Dialect } from './dialect';
import { isRecord } from './http';

/** The part of a CheckResult GPUStack answers. */
export type GpustackVerdict = Pick<CheckResult, 'vramBytes' | 'ramBytes' | 'clusters'> & {
  engine: 'gpustack';
  compatible: boolean;
  messages: string[];
};

/** What one result says, before it becomes a verdict or an error. */
export type Reading =
  | { kind: 'verdict'; verdict: GpustackVerdict }
  /** The server could not evaluate (Hugging Face, the file, gguf-parser); `kept`: it caches this for an hour. */
  | { kind: 'failure'; text: string; kept: boolean }
  /** The backend filter left no worker: a setting, not the hardware. */
  | { kind: 'backend'; text: string }
  /** `compatible: false` with words we do not know: shown as the server's, not as our verdict. */
  | { kind: 'unknown'; text: string; kept: boolean };

export interface ReadOptions {
  dialect: Dialect;
  /** The cluster asked about; null: every cluster. */
  clusterId: number | null;
  /** 2.x with no cluster chosen: the clusters this key can see, when known. */
  visibleClusters?: readonly Cluster[] | null;
}

/** Every version's no-fit verdict starts with this (v0.6.1 scheduler/evaluator.py:166-168, v2.2.3 :247-250). */
export const UNSCHEDULABLE = 'Unable to find a schedulable worker for the model.';

/**
 * BackendFrameworkFilter's reasons for dropping a worker: 2.0.x (backend_framework_filter.py:139-142),
 * 2.1.0+ (:204-231). A backend that matches none of the workers is a setting to change.
 */
const BACKEND_FILTER = [
  /filtered out: No backend versions are available for /,
  /filtered out: Worker \S.* does not support backend version /,
  /filtered out: runtime frameworks \[.*\] not compatible with backend /,
];

/**
 * 2.0.2+: what `evaluate_model_metadata` turns into `compatible: false` (scheduler/evaluator.py
 * :361-366 and later): the Hugging Face access check (utils/hub.py), listing or resolving the file
 * (scheduler/calculator.py), the parser's output. gguf-parser's own stderr starts "failed to".
 */
const FAILURES = [
  /^Access to the model is restricted\./,
  /^Timeout when getting the file for model /,
  /^Failed to get the file for model /,
  /^Failed to parse the output of /,
  /^failed to /,
];

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];

const bytes = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** 0.7+ writes "- sentence\n- sentence": one line each, bullets and blanks dropped. */
export function messageLines(messages: readonly string[]): string[] {
  return messages
    .flatMap((m) => m.split('\n'))
    .map((line) => line.replace(/^- /, '').trim())
    .filter(Boolean);
}

/** `{"results": [...]}` as a list, or null when the body is not that shape. */
export function resultsOf(body: unknown): unknown[] | null {
  return isRecord(body) && Array.isArray(body.results) ? body.results : null;
}

function claimOf(raw: unknown): Pick<GpustackVerdict, 'vramBytes' | 'ramBytes'> {
  const claim = isRecord(raw) ? raw : {};
  const vram = bytes(claim.vram);
  const ram = bytes(claim.ram);
  return {
    ...(vram !== undefined ? { vramBytes: vram } : {}),
    ...(ram !== undefined ? { ramBytes: ram } : {}),
  };
}

/** One result as the server meant it. `error: true` and the failures are for the caller to raise. */
export function readResult(raw: unknown, options: ReadOptions): Reading {
  const result = isRecord(raw) ? raw : {};
  if (result.error === true) {
    const text = typeof result.error_message === 'string' ? result.error_message : '';
    // Raised while evaluating: never cached by the server (v0.6.1 evaluator.py:113-133).
    return { kind: 'failure', text, kept: false };
  }
  const compatibility = strings(result.compatibility_messages);
  const scheduling = strings(result.scheduling_messages);
  const byCluster = isRecord(result.resource_claim_by_cluster_id)
    ? result.resource_claim_by_cluster_id
    : null;
  const v2 = options.dialect.generation === 'v2';
  const everyCluster = v2 && options.clusterId === null;

  if (result.compatible === false) {
    if (compatibility.includes(UNSCHEDULABLE)) {
      const filtered = messageLines(scheduling).filter((line) => BACKEND_FILTER.some((re) => re.test(line)));
      if (filtered.length > 0) return { kind: 'backend', text: filtered.join(' ') };
      // Over every cluster the scheduling messages are other clusters' too, unlabelled: not ours to show.
      const messages = everyCluster ? [UNSCHEDULABLE] : messageLines([...compatibility, ...scheduling]);
      const verdict: GpustackVerdict = { engine: 'gpustack', compatible: false, messages };
      if (everyCluster && options.visibleClusters) {
        verdict.clusters = options.visibleClusters.map((c) => ({ name: c.name, fits: false }));
      }
      return { kind: 'verdict', verdict };
    }
    const text = compatibility.join(' ').trim();
    const kept = true;
    if (options.dialect.failuresAsIncompatible && (text === '' || FAILURES.some((re) => re.test(text)))) {
      // An empty text is the access check timing out (asyncio.TimeoutError has no message).
      return { kind: 'failure', text, kept };
    }
    return { kind: 'unknown', text: messageLines([...compatibility, ...scheduling]).join(' '), kept };
  }

  const verdict: GpustackVerdict = {
    engine: 'gpustack',
    compatible: true,
    messages: everyCluster ? [] : messageLines([...compatibility, ...scheduling]),
  };
  if (v2 && options.clusterId !== null && byCluster && isRecord(byCluster[String(options.clusterId)])) {
    return { kind: 'verdict', verdict: { ...verdict, ...claimOf(byCluster[String(options.clusterId)]) } };
  }
  if (everyCluster && byCluster && options.visibleClusters) {
    // One cluster runs a model: say which of the key's clusters would, and claim for the first of them.
    const clusters = options.visibleClusters.map((c) => ({ ...c, fits: isRecord(byCluster[String(c.id)]) }));
    const first = clusters.find((c) => c.fits);
    verdict.clusters = clusters.map(({ name, fits }) => ({ name, fits }));
    if (!first) {
      // It fits only on clusters this key cannot see (2.2 evaluates every organisation's).
      return { kind: 'verdict', verdict: { ...verdict, compatible: false, messages: [UNSCHEDULABLE] } };
    }
    return { kind: 'verdict', verdict: { ...verdict, ...claimOf(byCluster[String(first.id)]) } };
  }
  return { kind: 'verdict', verdict: { ...verdict, ...claimOf(result.resource_claim) } };
}
