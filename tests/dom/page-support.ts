// Shared by the page-* DOM tests: a fake worker behind the channel (answers per file, optionally held
// back to watch queues and cancels), verdicts of every kind, and a way into our closed shadow roots
// (page scripts get none; tests record them as they are attached).

import { vi } from 'vitest';
import type { Channel } from '../../utils/common/channel';
import type { CachedRequest, CheckRequest, Reply } from '../../utils/common/protocol';
import type { CheckResult, DeviceUse } from '../../utils/common/result';

export const BARTOWSKI = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
export const HOSTILE = '<img src=x onerror=alert(1)>.gguf';
export const ODD = 'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf';
export const GIB = 1024 ** 3;

const gpu = (claim: number, capacity = 24 * GIB): DeviceUse => ({
  name: 'NVIDIA RTX 4090',
  kind: 'gpu',
  footprint: 0.2 * GIB,
  weights: claim * 0.7,
  kvCache: claim * 0.2,
  compute: claim * 0.1 - 0.2 * GIB,
  projector: 0,
  claim,
  capacity,
});

const cpu = (claim: number, capacity = 32 * GIB): DeviceUse => ({
  name: 'CPU',
  kind: 'cpu',
  footprint: 0.1 * GIB,
  weights: claim - 0.1 * GIB,
  kvCache: 0,
  compute: 0,
  projector: 0,
  claim,
  capacity,
});

/** A built-in engine answer; `fit` picks the verdict, sizes make "best fit" decidable. */
export function verdict(
  file: string,
  fit: 'single-gpu' | 'multi-gpu' | 'partial' | 'cpu' | 'none' = 'single-gpu',
  sizeBytes = 4.68e9,
): CheckResult {
  const base: CheckResult = {
    engine: 'builtin',
    repo: BARTOWSKI,
    revision: 'main',
    commit: 'a7f1c3e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1',
    file,
    sizeBytes,
    shards: 1,
    compatible: fit !== 'none',
    hardware: { source: 'default', label: 'default: one 24 GiB GPU, 32 GiB RAM' },
    contextSize: 8192,
    messages: ['The model requires approximately 5.10 GiB VRAM and 0.41 GiB RAM.'],
    checkedAt: Date.now(),
  };
  switch (fit) {
    case 'single-gpu':
      return {
        ...base,
        placement: 'single-gpu',
        vramBytes: 5.1 * GIB,
        ramBytes: 0.41 * GIB,
        vramPerGpu: [5.1 * GIB],
        offloadedLayers: 29,
        totalLayers: 29,
        breakdown: { devices: [cpu(0.41 * GIB), gpu(5.1 * GIB)] },
      };
    case 'multi-gpu':
      return {
        ...base,
        placement: 'multi-gpu',
        vramBytes: 40 * GIB,
        ramBytes: GIB,
        vramPerGpu: [20 * GIB, 20 * GIB],
      };
    case 'partial':
      return {
        ...base,
        placement: 'partial',
        vramBytes: 23 * GIB,
        ramBytes: 20 * GIB,
        vramPerGpu: [23 * GIB],
        offloadedLayers: 48,
        totalLayers: 81,
        breakdown: { devices: [cpu(20 * GIB), gpu(23 * GIB)] },
      };
    case 'cpu':
      return {
        ...base,
        placement: 'cpu',
        vramBytes: 0,
        ramBytes: 6 * GIB,
        offloadedLayers: 0,
        totalLayers: 29,
      };
    case 'none':
      return {
        ...base,
        vramBytes: 40 * GIB,
        ramBytes: 44 * GIB,
        offloadedLayers: 0,
        totalLayers: 81,
        breakdown: { devices: [cpu(44 * GIB), gpu(40 * GIB)] },
      };
  }
}

type Answer = CheckResult | { error: string; retryable?: boolean };

export interface FakeWorker {
  channel: Channel;
  sent: Array<CheckRequest | CachedRequest>;
  checks(): CheckRequest[];
  /** Replies held back (when `hold`), in arrival order; release() answers one. */
  held: Array<{ request: CheckRequest; release(): void }>;
}

/**
 * Answers checks with `answer(file)` (default: fits on one GPU) and `cached` with `cached`. With
 * `hold`, check replies wait until released, and `progress` is sent first.
 */
export function fakeWorker(
  options: {
    cached?: Record<string, CheckResult>;
    answer?: (request: CheckRequest) => Answer;
    hold?: boolean;
    /** The worker's page-messages answer. */
    messages?: Record<string, string>;
  } = {},
): FakeWorker {
  const sent: Array<CheckRequest | CachedRequest> = [];
  const held: FakeWorker['held'] = [];
  const reply = (request: CheckRequest): Reply<CheckResult> => {
    const answer = options.answer?.(request) ?? verdict(request.file);
    return 'error' in answer
      ? { ok: false, error: { code: 'network', message: answer.error, retryable: answer.retryable ?? true } }
      : {
          ok: true,
          value: { ...answer, file: request.file, contextSize: request.ctxSize ?? answer.contextSize },
        };
  };
  const request = vi.fn(async (req: CheckRequest | CachedRequest, onProgress?: (view: unknown) => void) => {
    sent.push(req);
    if ((req as { type: string }).type === 'hardware-seen') return { ok: true, value: { stored: true } };
    // No templates: the page falls back to the browser's (here the tests' English) messages.
    if ((req as { type: string }).type === 'page-messages')
      return { ok: true, value: options.messages ?? {} };
    if (req.type === 'cached') {
      const found = Object.fromEntries(
        req.files.flatMap((f) => (options.cached?.[f] ? [[f, options.cached[f]]] : [])),
      );
      return { ok: true, value: found };
    }
    if (!options.hold) return reply(req);
    onProgress?.({ state: 'queued', position: held.length + 1 });
    return new Promise((resolve) => held.push({ request: req, release: () => resolve(reply(req)) }));
  });
  return {
    channel: { request } as unknown as Channel,
    sent,
    checks: () => sent.filter((r): r is CheckRequest => r.type === 'check'),
    held,
  };
}

/** Records every shadow root attached from now on (they are closed: the page never sees them). */
export function recordShadowRoots() {
  const roots = new Map<Element, ShadowRoot>();
  const attach = HTMLElement.prototype.attachShadow;
  const spy = vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (
    this: HTMLElement,
    init: ShadowRootInit,
  ) {
    const root = attach.call(this, init);
    roots.set(this, root);
    return root;
  });
  const rootOf = (el: Element | null | undefined): ShadowRoot => {
    const root = el ? roots.get(el) : undefined;
    if (!root) throw new Error('No shadow root recorded for this element');
    return root;
  };
  return {
    rootOf,
    /** What a host shows, as text (the style sheet left out). */
    text: (el: Element | null | undefined) => rootOf(el).querySelector('.gs')?.textContent ?? '',
    restore: () => spy.mockRestore(),
  };
}

export const hosts = (doc: Document, selector = 'gpustack-check') => [
  ...doc.querySelectorAll<HTMLElement>(selector),
];

export const filesOf = (doc: Document) => hosts(doc).map((h) => h.dataset.file ?? '');

export const hostFor = (doc: Document, file: string) =>
  hosts(doc).find((h) => h.dataset.file === file) as HTMLElement;

/** Lets queued microtasks and promise chains (replies, re-scans) run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
