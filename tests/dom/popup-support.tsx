// Shared by the popup's DOM tests: a worker channel the test answers by hand, an IntersectionObserver
// the test fires, an in-memory storage.session, and a mounted <Popup>.

import { options, render } from 'preact';
import { act } from 'preact/test-utils';
import { vi } from 'vitest';
import type { MemoryStore, PopupMemory } from '../../components/popup/memory';
import { Popup } from '../../components/popup/Popup';
import type { Channel } from '../../utils/common/channel';
import type {
  ProgressView,
  Reply,
  RepoGgufFiles,
  Request,
  SearchItem,
  SearchPage,
  WorkerStatus,
} from '../../utils/common/protocol';
import type { CheckResult } from '../../utils/common/result';

// Effects run after the next macrotask, not after a frame: happy-dom paints nothing, and a render
// caused by a worker reply outside act() would otherwise wait for a 100 ms frame fallback.
(options as { requestAnimationFrame?: (callback: () => void) => void }).requestAnimationFrame = (callback) =>
  setTimeout(callback, 0);

export interface Call {
  request: Request;
  onProgress?: (view: ProgressView) => void;
  reply(reply: Reply<unknown>): Promise<void>;
}

export const STATUS: WorkerStatus = {
  scheduler: {
    buckets: {
      'hf-api': { queued: 2, inFlight: 1, remaining: 447, quota: 450, waitingUntil: null },
      'hf-resolvers': { queued: 1, inFlight: 0, remaining: 2690, quota: 2700, waitingUntil: null },
    },
  },
  engine: 'builtin',
  hardware: { source: 'manual', label: '1 × 24 GiB GPU, 64 GiB RAM' },
};

/** A channel whose requests wait for the test's answer; `status` is answered at once. */
export function fakeChannel() {
  const calls: Call[] = [];
  let status: WorkerStatus = STATUS;
  let statusAsks = 0;
  const channel: Channel = {
    request(request, onProgress) {
      return new Promise((resolve) => {
        if (request.type === 'status') {
          statusAsks += 1;
          resolve({ ok: true, value: status } as never);
          return;
        }
        calls.push({
          request,
          onProgress,
          reply: (reply) => settle(() => resolve(reply as never)),
        });
      });
    },
  };
  return {
    channel,
    calls,
    of: <T extends Request['type']>(type: T) =>
      calls.filter((c) => c.request.type === type) as Array<
        Call & { request: Extract<Request, { type: T }> }
      >,
    setStatus(next: WorkerStatus) {
      status = next;
    },
    statusAsks: () => statusAsks,
  };
}

export type FakeChannel = ReturnType<typeof fakeChannel>;

/** Lets promises, effects and re-renders run. */
export async function settle(action?: () => unknown): Promise<void> {
  await act(async () => {
    action?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

export async function waitFor(condition: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
}

/** IntersectionObserver as the test drives it. */
export class FakeObserver {
  static live = new Set<FakeObserver>();
  readonly targets = new Set<Element>();
  constructor(
    readonly callback: IntersectionObserverCallback,
    readonly options?: IntersectionObserverInit,
  ) {
    FakeObserver.live.add(this);
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
    FakeObserver.live.delete(this);
  }
  takeRecords() {
    return [];
  }
  /** Every observed element, across live observers. */
  static observed(): Element[] {
    return [...FakeObserver.live].flatMap((o) => [...o.targets]);
  }
  /**
   * The observed elements come into view (or leave it); `scrolled`: because the user scrolled their
   * list (a scroll event on the observer's root first).
   */
  static async fire(isIntersecting = true, scrolled = true): Promise<void> {
    await settle(); // effects still pending observe first
    await settle(() => {
      for (const observer of [...FakeObserver.live]) {
        const root = (observer.options as IntersectionObserverInit | undefined)?.root;
        if (scrolled && root) root.dispatchEvent(new Event('scroll'));
      }
      for (const observer of [...FakeObserver.live]) {
        const entries = [...observer.targets].map((target) => ({ isIntersecting, target }));
        if (entries.length > 0) {
          observer.callback(entries as unknown as IntersectionObserverEntry[], observer as never);
        }
      }
    });
  }
}

export function installObserver(): void {
  FakeObserver.live.clear();
  vi.stubGlobal('IntersectionObserver', FakeObserver);
}

export function memoryStore(initial: PopupMemory | null = null) {
  let saved = initial ? structuredClone(initial) : null;
  const store: MemoryStore = {
    load: async () => (saved ? structuredClone(saved) : null),
    save: async (memory) => {
      saved = structuredClone(memory);
    },
  };
  return { store, saved: () => saved };
}

export function models(from: number, count: number): SearchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `owner${(from + i) % 3}/Model-${from + i}-GGUF`,
    downloads: 10_000 - from - i,
    likes: from + i,
    lastModified: '2025-06-01T00:00:00.000Z',
  }));
}

export const pageOf = (from: number, count: number, next: string | null): SearchPage => ({
  models: models(from, count),
  next,
});

export const cursor = (n: number) => `https://huggingface.co/api/models?search=q&cursor=page${n}`;

export const COMMIT = 'c'.repeat(40);

export const FILES: RepoGgufFiles = {
  repo: 'owner0/Model-0-GGUF',
  commit: COMMIT,
  models: [
    { file: 'Model-Q4_K_M.gguf', label: 'Q4_K_M', sizeBytes: 4_683_073_952, shards: 1 },
    { file: 'Q8_0/Model-Q8_0-00001-of-00003.gguf', label: 'Q8_0', sizeBytes: 8_098_525_888, shards: 3 },
  ],
  projectors: ['mmproj-F16.gguf'],
};

export function result(file: string): CheckResult {
  return {
    engine: 'builtin',
    repo: FILES.repo,
    revision: 'main',
    commit: COMMIT,
    file,
    sizeBytes: 4_683_073_952,
    shards: 1,
    compatible: true,
    placement: 'single-gpu',
    vramBytes: 5_476_083_302,
    ramBytes: 314_572_800,
    messages: ['The model requires approximately 5.10 GiB VRAM and 300.00 MiB RAM.'],
    checkedAt: Date.now(),
  };
}

export async function mountPopup(
  worker: FakeChannel,
  memory: MemoryStore,
  options: { openOptions?: () => void; statusEveryMs?: number } = {},
) {
  const root = document.createElement('div');
  document.body.append(root);
  await settle(() =>
    render(
      <Popup
        channel={worker.channel}
        memory={memory}
        openOptions={options.openOptions ?? (() => {})}
        debounceMs={30}
        statusEveryMs={options.statusEveryMs ?? 60_000}
      />,
      root,
    ),
  );
  await waitFor(() => root.querySelector('main.popup:not([aria-busy])') !== null, 'the popup to load');
  return {
    root,
    input: () => root.querySelector<HTMLInputElement>('input[type="search"]') as HTMLInputElement,
    select: () => root.querySelector<HTMLSelectElement>('select') as HTMLSelectElement,
    rows: () => [...root.querySelectorAll<HTMLElement>('[data-model-id]')],
    files: () => [...root.querySelectorAll<HTMLElement>('[data-file]')],
    file: (name: string) =>
      root.querySelector<HTMLElement>(`[data-file="${CSS.escape(name)}"]`) as HTMLElement,
    loadMore: () => root.querySelector<HTMLButtonElement>('[data-load-more]'),
    scroller: () => root.querySelector<HTMLElement>('.scroll') as HTMLElement,
    text: () => root.textContent ?? '',
    async type(text: string) {
      const input = root.querySelector<HTMLInputElement>('input[type="search"]') as HTMLInputElement;
      for (const char of text) {
        await settle(() => {
          input.value += char;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        });
      }
    },
    unmount: () => settle(() => render(null, root)),
  };
}

export type Mounted = Awaited<ReturnType<typeof mountPopup>>;

/** happy-dom lays nothing out: say whether the list is taller than its box. */
export function setOverflow(element: HTMLElement, overflows: boolean): void {
  Object.defineProperty(element, 'clientHeight', { configurable: true, value: 400 });
  Object.defineProperty(element, 'scrollHeight', { configurable: true, value: overflows ? 1200 : 400 });
}

export async function key(target: Element, init: KeyboardEventInit): Promise<KeyboardEvent> {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  await settle(() => target.dispatchEvent(event));
  return event;
}
