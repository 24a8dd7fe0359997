// The popup's model view, check, footer and memory in happy-dom: one model-files request per model,
// no check until a file is picked, exactly one check with the shared control's attributes, scroll
// loading paused while it runs, and everything back when the popup opens again.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_MEMORY, type PopupMemory, parseMemory } from '../../components/popup/memory';
import {
  COMMIT,
  cursor,
  type FakeChannel,
  FakeObserver,
  FILES,
  fakeChannel,
  installObserver,
  key,
  type Mounted,
  memoryStore,
  mountPopup,
  pageOf,
  result,
  STATUS,
  setOverflow,
  settle,
  waitFor,
} from './popup-support';

const Q4 = 'Model-Q4_K_M.gguf';
const Q8 = 'Q8_0/Model-Q8_0-00001-of-00003.gguf';

let worker: FakeChannel;
let popup: Mounted;

beforeEach(() => {
  installObserver();
  worker = fakeChannel();
});
afterEach(async () => {
  await popup?.unmount();
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

async function listed(memory = memoryStore().store) {
  popup = await mountPopup(worker, memory);
  await popup.type('model');
  await waitFor(() => worker.of('search').length === 1);
  await worker.of('search')[0]?.reply({ ok: true, value: pageOf(0, 10, cursor(2)) });
  await waitFor(() => popup.rows().length === 10);
  setOverflow(popup.scroller(), true);
}

async function opened(memory = memoryStore().store) {
  await listed(memory);
  await settle(() => popup.rows()[0]?.click());
  await waitFor(() => worker.of('model-files').length === 1);
  await worker.of('model-files')[0]?.reply({ ok: true, value: FILES });
  await waitFor(() => popup.files().length === 2);
}

describe('popup model and check', () => {
  it('lists a model’s files with one request and checks nothing until one is picked', async () => {
    await opened();
    expect(worker.of('model-files').map((c) => c.request)).toEqual([
      { type: 'model-files', repo: FILES.repo },
    ]);
    expect(popup.files().map((f) => f.dataset.file)).toEqual([Q4, Q8]);
    const q8 = popup.file(Q8);
    expect(q8.textContent).toContain('Q8_0');
    expect(q8.textContent).toContain('7.54 GiB');
    expect(q8.textContent).toContain('3 files');
    expect(q8.textContent).toContain('+ vision projector');
    expect(popup.text()).toContain('Vision projector, used with each model: mmproj-F16.gguf');
    // The projector is part of each model, never an entry of its own.
    expect(popup.root.querySelector('[data-file="mmproj-F16.gguf"]')).toBeNull();
    for (const entry of popup.files()) {
      expect(entry.dataset.state).toBe('idle');
      expect(entry.dataset.repo).toBe(FILES.repo);
      expect(entry.dataset.revision).toBe('main');
    }
    expect(worker.of('check')).toEqual([]);
  });

  it('picking a file sends exactly one check and shows its verdict with the data-* attributes', async () => {
    await opened();
    await settle(() => popup.file(Q4).click());
    await settle(() => popup.file(Q4).click()); // a second click while it runs asks nothing more
    expect(worker.of('check').map((c) => c.request)).toEqual([
      {
        type: 'check',
        repo: FILES.repo,
        revision: 'main',
        file: Q4,
        commit: COMMIT,
        priority: 'popup',
        keepAlive: true,
      },
    ]);
    expect(popup.file(Q4).dataset.state).toBe('queued');
    expect(popup.file(Q4).getAttribute('aria-current')).toBe('true');
    await settle(() => worker.of('check')[0]?.onProgress?.({ state: 'queued', position: 3 }));
    expect(popup.file(Q4).dataset.state).toBe('queued');
    await settle(() => worker.of('check')[0]?.onProgress?.({ state: 'checking' }));
    expect(popup.file(Q4).dataset.state).toBe('checking');
    await worker.of('check')[0]?.reply({ ok: true, value: result(Q4) });
    const entry = popup.file(Q4);
    expect(entry.dataset).toMatchObject({
      state: 'done',
      compatible: 'true',
      placement: 'single-gpu',
      engine: 'builtin',
      vramBytes: '5476083302',
      ramBytes: '314572800',
    });
    // The shared CheckControl draws the verdict in the entry's shadow root.
    const shadow = entry.querySelector('.verdict')?.shadowRoot;
    expect(shadow?.textContent?.trim()).not.toBe('');
    expect(entry.textContent).toContain('The model requires approximately 5.10 GiB VRAM');
    await settle(() => popup.file(Q4).click());
    expect(worker.of('check')).toHaveLength(1);
    expect(popup.file(Q8).dataset.state).toBe('idle');
  });

  it('an error shows with its retryable flag, and picking the file again retries', async () => {
    await opened();
    await settle(() => popup.file(Q4).click());
    await worker.of('check')[0]?.reply({
      ok: false,
      error: { code: 'rate-limited', message: 'Hugging Face is rate limiting.', retryable: true },
    });
    expect(popup.file(Q4).dataset).toMatchObject({ state: 'error', retryable: 'true' });
    await settle(() => popup.file(Q4).click());
    expect(worker.of('check')).toHaveLength(2);
  });

  it('pauses loading more while a check runs and resumes when it ends', async () => {
    await opened();
    await settle(() => popup.file(Q4).click());
    // Back to the list (Alt+Left) while the check runs.
    await key(popup.file(Q4), { key: 'ArrowLeft', altKey: true });
    await waitFor(() => popup.rows().length === 10, 'the list');
    setOverflow(popup.scroller(), true);
    expect(FakeObserver.observed()).toEqual([]);
    expect(popup.loadMore()?.disabled).toBe(true);
    expect(popup.text()).toContain('Loading more waits until the check ends.');
    await FakeObserver.fire();
    await settle(() => popup.loadMore()?.click());
    expect(worker.of('search')).toHaveLength(1);
    await worker.of('check')[0]?.reply({ ok: true, value: result(Q4) });
    expect(popup.loadMore()?.disabled).toBe(false);
    expect(FakeObserver.observed()).toEqual([popup.root.querySelector('[data-sentinel]')]);
    await FakeObserver.fire();
    expect(worker.of('search')).toHaveLength(2);
    expect(worker.of('search')[1]?.request.cursor).toBe(cursor(2));
  });

  it('Back and Alt+Left return to the list with focus on the model left', async () => {
    await opened();
    expect(document.activeElement?.textContent).toContain('Back');
    // Down from Back reaches the files.
    await key(document.activeElement as Element, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(popup.file(Q4));
    await settle(() => (popup.root.querySelector('.back') as HTMLButtonElement).click());
    expect(popup.rows()).toHaveLength(10);
    expect(document.activeElement).toBe(popup.rows()[0]);
    await settle(() => popup.rows()[1]?.click());
    await waitFor(() => worker.of('model-files').length === 2);
    const back = await key(document.body, { key: 'ArrowLeft', altKey: true });
    expect(back.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(popup.rows()[1]);
  });
});

describe('popup footer', () => {
  it('shows engine, hardware, budget, queue and waits, asking status every interval', async () => {
    const openOptions = vi.fn();
    popup = await mountPopup(worker, memoryStore().store, { openOptions, statusEveryMs: 40 });
    await waitFor(() => popup.root.querySelector('[data-footer="engine"]') !== null);
    const footer = (name: string) => popup.root.querySelector(`[data-footer="${name}"]`)?.textContent;
    expect(footer('engine')).toBe('Engine: built-in');
    expect(footer('hardware')).toBe('Hardware: 1 × 24 GiB GPU, 64 GiB RAM');
    expect(footer('budget')).toBe('Hugging Face: 447 of 450 requests left');
    expect(footer('queue')).toBe('Queue: 3');
    expect(footer('wait')).toBeUndefined();
    const asked = worker.statusAsks();
    await new Promise((resolve) => setTimeout(resolve, 130));
    expect(worker.statusAsks()).toBeGreaterThan(asked);
    worker.setStatus({
      ...STATUS,
      scheduler: {
        buckets: {
          ...STATUS.scheduler.buckets,
          'hf-api': {
            queued: 4,
            inFlight: 0,
            remaining: 0,
            quota: 450,
            waitingUntil: Date.now() + 12_000,
          },
        },
      },
    });
    await waitFor(() => footer('wait') !== undefined, 'the wait');
    expect(footer('wait')).toMatch(/^Waiting 1[12] s for the Hugging Face rate limit$/);
    await settle(() => (popup.root.querySelector('[data-footer="hardware"]') as HTMLElement).click());
    expect(openOptions).toHaveBeenCalledTimes(1);
  });
});

describe('popup memory', () => {
  it('comes back with query, sort, pages, cursor and scroll, without asking again', async () => {
    const memory = memoryStore();
    await listed(memory.store);
    await settle(() => popup.loadMore()?.click());
    await worker.of('search')[1]?.reply({ ok: true, value: pageOf(10, 10, cursor(3)) });
    await waitFor(() => popup.rows().length === 20);
    await settle(() => {
      popup.scroller().scrollTop = 321;
      popup.scroller().dispatchEvent(new Event('scroll'));
    });
    await waitFor(() => memory.saved()?.scrollTop === 321, 'the save');
    await popup.unmount();

    worker = fakeChannel();
    popup = await mountPopup(worker, memory.store);
    expect(popup.input().value).toBe('model');
    expect(popup.rows()).toHaveLength(20);
    expect(popup.scroller().scrollTop).toBe(321);
    expect(worker.calls).toEqual([]);
    setOverflow(popup.scroller(), true);
    await FakeObserver.fire();
    expect(worker.of('search').map((c) => c.request)).toEqual([
      { type: 'search', search: 'model', sort: 'downloads', cursor: cursor(3) },
    ]);
  });

  it('re-sends a check that was running when the popup closed, and shows its result', async () => {
    const memory = memoryStore();
    await opened(memory.store);
    await settle(() => popup.file(Q4).click());
    await waitFor(() => memory.saved()?.opened?.view?.state === 'queued', 'the save');
    await popup.unmount();

    worker = fakeChannel();
    popup = await mountPopup(worker, memory.store);
    expect(popup.files()).toHaveLength(2);
    expect(worker.of('model-files')).toEqual([]);
    expect(worker.of('check').map((c) => c.request)).toEqual([
      {
        type: 'check',
        repo: FILES.repo,
        revision: 'main',
        file: Q4,
        commit: COMMIT,
        priority: 'popup',
        keepAlive: true,
      },
    ]);
    expect(popup.file(Q4).dataset.state).toBe('queued');
    await worker.of('check')[0]?.reply({ ok: true, value: result(Q4) });
    expect(popup.file(Q4).dataset.state).toBe('done');
  });

  it('does not re-send a check that had failed: it shows the error until the user retries', async () => {
    const memory: PopupMemory = {
      ...EMPTY_MEMORY,
      query: 'model',
      opened: {
        repo: FILES.repo,
        files: FILES,
        selected: Q4,
        view: { state: 'error', error: { code: 'network', message: 'Offline.', retryable: true } },
      },
    };
    popup = await mountPopup(worker, memoryStore(memory).store);
    expect(popup.file(Q4).dataset).toMatchObject({ state: 'error', retryable: 'true' });
    expect(worker.of('check')).toEqual([]);
  });

  it('drops stored state of another shape', () => {
    expect(parseMemory({ version: 2, query: 'x', sort: 'downloads' })).toBeNull();
    expect(parseMemory({ version: 1, query: 'x', sort: 'random' })).toBeNull();
    expect(parseMemory('nonsense')).toBeNull();
    expect(parseMemory({ ...EMPTY_MEMORY, results: { search: 'x' }, scrollTop: -5 })).toEqual(EMPTY_MEMORY);
  });
});
