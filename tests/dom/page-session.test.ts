// The content script's session on a live document: in-page navigation (pushState between tabs,
// Back), re-renders, Hugging Face's dark theme, and pages that should get nothing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../utils/common/channel';
import { setMessageTemplates } from '../../utils/common/i18n';
import { ANNOTATE_TIMING } from '../../utils/common/timing';
import { type PageSession, startPageSession } from '../../utils/page/session';
import { HF, loadPage } from './load-page';
import { BARTOWSKI, fakeWorker, filesOf, hosts, recordShadowRoots, settle } from './page-support';

const TREE = `${HF}/${BARTOWSKI}/tree/main`;
const CARD = `${HF}/${BARTOWSKI}`;

const setUrl = (url: string) =>
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);

/** What a client-side router does: new content in the same document. */
function render(fixture: string) {
  document.body.innerHTML = loadPage(fixture).body.innerHTML;
}

let session: PageSession | null = null;
let shadows: ReturnType<typeof recordShadowRoots> | null = null;
beforeEach(() => {
  document.documentElement.className = '';
});
afterEach(() => {
  setMessageTemplates({});
  session?.stop();
  session = null;
  shadows?.restore();
  shadows = null;
  document.body.innerHTML = '';
});

/** Opens `fixture` at `url` and waits until the controls are drawn (after the worker's strings). */
async function start(fixture: string, url: string, worker = fakeWorker()) {
  setUrl(url);
  render(fixture);
  // happy-dom lays nothing out (no IntersectionObserver callbacks): draw controls at once.
  session = startPageSession(window, { channel: worker.channel, lazy: false });
  await settle();
  return worker;
}

describe('page session', () => {
  it("pushState from the model card to the tree: the old controls go, the tree's come, none twice", async () => {
    await start('model-card-gguf-2025.html', CARD);
    expect(document.querySelectorAll('gpustack-check').length).toBeGreaterThan(0);
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main');
    render('tree-gguf-2025.html');
    await settle();
    expect(filesOf(document).sort()).toEqual(
      [
        '<img src=x onerror=alert(1)>.gguf',
        'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf',
        'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
        'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
        'Qwen2.5-7B-Instruct-Q6_K.gguf',
        'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
      ].sort(),
    );
    expect(document.querySelectorAll('gpustack-bulk')).toHaveLength(1);
    // The live region comes with the first request (page-verdict.test.ts).
    expect(document.querySelectorAll('gpustack-live')).toHaveLength(0);
  });

  it('Back (popstate) to the model card re-reads the page', async () => {
    await start('tree-gguf-2025.html', TREE);
    setUrl(CARD);
    render('model-card-gguf-2025.html');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    const quantList = document.querySelectorAll('a[href*="show_file_info"] + gpustack-check');
    expect(quantList).toHaveLength(5);
    expect(document.querySelectorAll('gpustack-bulk')).toHaveLength(1);
  });

  it('a URL change alone (popstate) restarts cleanly: same controls, no duplicates', async () => {
    await start('tree-gguf-2025.html', TREE);
    const before = hosts(document);
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/dev');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    const after = hosts(document);
    expect(after).toHaveLength(before.length);
    expect(after.some((h) => before.includes(h))).toBe(false);
    expect(before.every((h) => !h.isConnected)).toBe(true);
    expect(new Set(filesOf(document)).size).toBe(before.length);
    expect(document.querySelectorAll('gpustack-bulk')).toHaveLength(1);
  });

  it("the file-info drawer's ?show_file_info= is the same page: controls stay as they are", async () => {
    await start('model-card-gguf-2025.html', CARD);
    const before = hosts(document);
    history.pushState(
      {},
      '',
      '/bartowski/Qwen2.5-7B-Instruct-GGUF?show_file_info=Qwen2.5-7B-Instruct-Q6_K.gguf',
    );
    window.dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    expect(hosts(document)).toEqual(before);
  });

  it('re-renders keep every control exactly once', async () => {
    await start('tree-gguf-2025.html', TREE);
    const count = hosts(document).length;
    render('tree-gguf-2025.html');
    await settle();
    expect(hosts(document)).toHaveLength(count);
    render('tree-gguf-2025.html');
    await settle();
    expect(hosts(document)).toHaveLength(count);
    expect(new Set(filesOf(document)).size).toBe(count);
  });

  it('from a non-GGUF page to a GGUF one, and to a dataset: controls only where they belong', async () => {
    await start('tree-non-gguf-2025.html', `${HF}/Qwen/Qwen2.5-7B-Instruct/tree/main`);
    expect(hosts(document)).toHaveLength(0);
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main');
    render('tree-gguf-2025.html');
    await settle();
    expect(hosts(document)).toHaveLength(6);
    history.pushState({}, '', '/datasets/fixture-org/gguf-eval-logs/tree/main');
    render('tree-dataset-2025.html');
    await settle();
    expect(document.querySelectorAll('gpustack-check, gpustack-bulk, gpustack-live')).toHaveLength(0);
  });

  it('follows Hugging Face\'s theme: class "dark" on <html> reaches every closed shadow root', async () => {
    shadows = recordShadowRoots();
    await start('tree-gguf-2025.html', TREE);
    const mounts = () =>
      [...hosts(document), document.querySelector('gpustack-bulk') as HTMLElement].map(
        (h) => shadows?.rootOf(h).querySelector('.gs') as HTMLElement,
      );
    expect(mounts().every((m) => !m.classList.contains('dark'))).toBe(true);
    document.documentElement.classList.add('dark');
    await settle();
    expect(mounts().every((m) => m.classList.contains('dark'))).toBe(true);
    // Controls made while dark start dark.
    render('tree-gguf-2025.html');
    await settle();
    expect(mounts().every((m) => m.classList.contains('dark'))).toBe(true);
    document.documentElement.classList.remove('dark');
    await settle();
    expect(mounts().some((m) => m.classList.contains('dark'))).toBe(false);
  });

  it('stamps the start and end of its reading and annotating of the page (for the bench)', async () => {
    const stamps: string[] = [];
    const original = console.timeStamp;
    console.timeStamp = (label?: string) => {
      stamps.push(String(label));
    };
    try {
      await start('tree-gguf-2025.html', TREE);
    } finally {
      console.timeStamp = original;
    }
    const annotate = stamps.filter((s) => s.startsWith(ANNOTATE_TIMING));
    // Reading the page, then drawing once the strings came: each piece ends before the next starts.
    expect(annotate).toEqual([0, 1, 2, 3].map((i) => `${ANNOTATE_TIMING}:${i % 2 === 0 ? 'start' : 'end'}`));
  });

  it('every timing stamp of a whole visit has its end: load, re-render, navigation, clicks', async () => {
    const stamps: string[] = [];
    const original = console.timeStamp;
    console.timeStamp = (label?: string) => void stamps.push(String(label));
    try {
      await start('model-card-gguf-2025.html', CARD);
      hosts(document)[0]?.click();
      history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main');
      render('tree-gguf-2025.html');
      await settle();
      window.dispatchEvent(new Event('scroll'));
      hosts(document)[1]?.click();
      await settle();
    } finally {
      console.timeStamp = original;
    }
    const open = new Map<string, number>();
    for (const stamp of stamps) {
      const [name = '', edge] = [
        stamp.slice(0, stamp.lastIndexOf(':')),
        stamp.slice(stamp.lastIndexOf(':') + 1),
      ];
      const depth = (open.get(name) ?? 0) + (edge === 'start' ? 1 : -1);
      expect(depth, `${stamp} without its start`).toBeGreaterThanOrEqual(0);
      open.set(name, depth);
    }
    expect(Object.fromEntries(open)).toEqual(Object.fromEntries([...open.keys()].map((name) => [name, 0])));
    expect(stamps.length).toBeGreaterThan(6);
  });

  it("hands the signed-in user's saved hardware to the worker, once per tab", async () => {
    const worker = await start('model-card-gguf-2025.html', CARD);
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main');
    render('tree-gguf-2025.html');
    await settle();
    const seen = worker.sent.filter((r) => (r as { type: string }).type === 'hardware-seen');
    expect(seen).toEqual([
      {
        type: 'hardware-seen',
        items: [{ sku: ['Apple Silicon', '-', 'Apple M2 Max'], mem: 64, num: 1, isPrimary: true }],
      },
    ]);
  });

  it('stop() takes everything away, and a late answer brings nothing back', async () => {
    await start('tree-gguf-2025.html', TREE);
    hosts(document)[0]?.click();
    expect(document.querySelectorAll('gpustack-check, gpustack-bulk, gpustack-live')).toHaveLength(8);
    session?.stop();
    session = null;
    await settle();
    expect(document.querySelectorAll('gpustack-check, gpustack-bulk, gpustack-live')).toHaveLength(0);
  });

  it("draws with the worker's strings, asked for once per tab", async () => {
    shadows = recordShadowRoots();
    const worker = await start(
      'tree-gguf-2025.html',
      TREE,
      fakeWorker({ messages: { checkLabel: '检查 GPUStack 兼容性', controlIdle: '检查 {1}' } }),
    );
    const first = hosts(document)[0];
    expect(first?.getAttribute('aria-label')).toBe('检查 GPUStack 兼容性');
    expect(shadows.text(first)).toBe('检查 {1}');
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF');
    render('model-card-gguf-2025.html');
    await settle();
    expect(hosts(document).length).toBeGreaterThan(0);
    expect(worker.sent.filter((r) => (r as { type: string }).type === 'page-messages')).toHaveLength(1);
  });

  it("a worker that keeps its strings to itself: controls come anyway, in the browser's words", async () => {
    const worker = fakeWorker();
    const silent = {
      request: (req: { type: string }, onProgress?: (view: unknown) => void) =>
        req.type === 'page-messages'
          ? new Promise(() => {})
          : worker.channel.request(req as never, onProgress),
    } as unknown as Channel;
    setUrl(TREE);
    render('tree-gguf-2025.html');
    session = startPageSession(window, { channel: silent, lazy: false, stringsPatienceMs: 20 });
    await settle();
    expect(hosts(document)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(hosts(document)).toHaveLength(6);
    expect(hosts(document)[0]?.getAttribute('aria-label')).toBe('Check GPUStack compatibility');
  });

  it('pages visited while the strings travel are drawn once, the last one only', async () => {
    let answer: (value: unknown) => void = () => {};
    const worker = fakeWorker();
    const slow = {
      request: (req: { type: string }, onProgress?: (view: unknown) => void) =>
        req.type === 'page-messages'
          ? new Promise((resolve) => {
              answer = resolve;
            })
          : worker.channel.request(req as never, onProgress),
    } as unknown as Channel;
    setUrl(TREE);
    render('tree-gguf-2025.html');
    session = startPageSession(window, { channel: slow, lazy: false });
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF');
    render('model-card-gguf-2025.html');
    await settle();
    history.pushState({}, '', '/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main');
    render('tree-gguf-2025.html');
    await settle();
    expect(hosts(document)).toHaveLength(0);
    answer({ ok: true, value: {} });
    await settle();
    expect(hosts(document)).toHaveLength(6);
    expect(new Set(filesOf(document)).size).toBe(6);
    expect(document.querySelectorAll('gpustack-bulk')).toHaveLength(1);
  });

  it('an orphaned script (the extension was updated or removed) takes its controls away', async () => {
    setUrl(TREE);
    render('tree-gguf-2025.html');
    let alive = true;
    session = startPageSession(window, { channel: fakeWorker().channel, lazy: false, alive: () => alive });
    await settle();
    expect(hosts(document)).toHaveLength(6);
    alive = false;
    // The next change the page makes is when it notices.
    document.body.append(document.createElement('div'));
    await settle();
    expect(document.querySelectorAll('gpustack-check, gpustack-bulk, gpustack-live')).toHaveLength(0);
    render('tree-gguf-2025.html');
    await settle();
    expect(hosts(document)).toHaveLength(0);
  });
});
