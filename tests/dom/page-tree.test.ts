// File tree pages (/{repo}/tree/{rev}/{path}) in two markup variants and a folder: controls on
// exactly the GGUF model files, "Load more files" and re-renders without duplicates or losses,
// verdicts, cached verdicts without a request, and "Check all quantizations".

import { afterEach, describe, expect, it } from 'vitest';
import { startAnnotator } from '../../utils/page/annotator';
import { readPageContext } from '../../utils/page/read/page-context';
import { HF, loadPage } from './load-page';
import {
  BARTOWSKI,
  fakeWorker,
  filesOf,
  HOSTILE,
  hostFor,
  hosts,
  ODD,
  recordShadowRoots,
  settle,
  verdict,
} from './page-support';

const TREE = `${HF}/${BARTOWSKI}/tree/main`;
const SINGLES = [
  HOSTILE,
  'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
  'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
  'Qwen2.5-7B-Instruct-Q6_K.gguf',
  'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
];

function open(fixture: string, worker = fakeWorker(), url = TREE) {
  const doc = loadPage(fixture);
  const annotator = startAnnotator(doc, readPageContext(doc, url), {
    channel: worker.channel,
    bulkInFlight: 2,
  });
  if (!annotator) throw new Error('not annotated');
  return { doc, annotator, worker };
}

/** What Hugging Face's "Load more files" does: rows appended to the same list. */
function loadMore(doc: Document, files: string[]) {
  const list = doc.querySelector('[data-target="ViewerIndexTreeList"] ul') as Element;
  for (const file of files) {
    const row = doc.createElement('li');
    const name = doc.createElement('a');
    name.setAttribute('href', `/${BARTOWSKI}/blob/main/${encodeURIComponent(file)}`);
    name.textContent = file;
    const download = doc.createElement('a');
    download.setAttribute('href', `/${BARTOWSKI}/resolve/main/${encodeURIComponent(file)}?download=true`);
    download.setAttribute('download', '');
    download.textContent = '1 GB';
    row.append(name, download);
    list.append(row);
  }
}

let shadows: ReturnType<typeof recordShadowRoots>;
afterEach(() => shadows?.restore());

describe('tree page', () => {
  it('tree-gguf-2025: a control beside exactly the GGUF model files (first shard, no mmproj/imatrix)', () => {
    const { doc } = open('tree-gguf-2025.html');
    expect(filesOf(doc).sort()).toEqual([...SINGLES, ODD].sort());
    for (const host of hosts(doc)) {
      expect(host.previousElementSibling?.getAttribute('href')).toContain('/blob/main/');
      expect(host.dataset).toMatchObject({ repo: BARTOWSKI, revision: 'main', state: 'idle' });
    }
  });

  it('tree-gguf-2024 + "Load more files": new rows get controls, old ones keep theirs, none twice', async () => {
    const { doc, annotator } = open('tree-gguf-2024.html');
    expect(filesOf(doc).sort()).toEqual([...SINGLES].sort());
    const before = hosts(doc);
    loadMore(doc, ['qwen2.5-7b-instruct-imatrix.gguf', ODD]);
    expect(annotator.scan()).toBe(1);
    annotator.scan();
    expect(filesOf(doc).sort()).toEqual([...SINGLES, ODD].sort());
    for (const host of before) expect(host.isConnected).toBe(true);
  });

  it("tree-gguf-subfolder-2025: only the folder's first shard", () => {
    const { doc } = open('tree-gguf-subfolder-2025.html', fakeWorker(), `${TREE}/Q8_0`);
    expect(filesOf(doc)).toEqual(['Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf']);
    // One file: nothing to "check all".
    expect(doc.querySelector('gpustack-bulk')).toBeNull();
  });

  it('a re-rendered list (rows replaced by copies) gets its controls back, with their verdicts', async () => {
    const { doc, annotator } = open('tree-gguf-2025.html');
    const q4 = hostFor(doc, 'Qwen2.5-7B-Instruct-Q4_K_M.gguf');
    q4.click();
    await settle();
    expect(q4.dataset.state).toBe('done');
    const list = doc.querySelector('[data-target="ViewerIndexTreeList"] ul') as Element;
    const copy = list.cloneNode(true) as Element;
    for (const host of copy.querySelectorAll('gpustack-check')) host.remove();
    list.replaceWith(copy);
    expect(hosts(doc)).toHaveLength(0);
    annotator.scan();
    annotator.scan();
    expect(filesOf(doc).sort()).toEqual([...SINGLES, ODD].sort());
    expect(hostFor(doc, 'Qwen2.5-7B-Instruct-Q4_K_M.gguf').dataset).toMatchObject({
      state: 'done',
      compatible: 'true',
      placement: 'single-gpu',
    });
  });

  it('a click shows the verdict: data-* attributes and a coloured, localisable line', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({
      answer: (r) => verdict(r.file, r.file.includes('f16') ? 'partial' : 'single-gpu'),
    });
    const { doc } = open('tree-gguf-2025.html', worker);
    const q4 = hostFor(doc, 'Qwen2.5-7B-Instruct-Q4_K_M.gguf');
    const f16 = hostFor(doc, 'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf');
    q4.click();
    f16.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle();
    expect(worker.checks().map((c) => [c.file, c.priority])).toEqual([
      ['Qwen2.5-7B-Instruct-Q4_K_M.gguf', 'click'],
      ['Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf', 'click'],
    ]);
    expect(q4.dataset).toMatchObject({
      state: 'done',
      compatible: 'true',
      placement: 'single-gpu',
      vramBytes: String(5.1 * 1024 ** 3),
      engine: 'builtin',
    });
    expect(shadows.text(q4)).toContain('Fits on GPU');
    expect(shadows.text(q4)).toContain('VRAM 5.10 GiB');
    expect(shadows.text(q4)).toContain('RAM 419.84 MiB');
    expect(shadows.text(q4)).toContain('checked just now');
    expect(shadows.rootOf(q4).querySelector('.label')?.classList.contains('v-fit')).toBe(true);
    expect(f16.dataset.placement).toBe('partial');
    expect(shadows.text(f16)).toContain('Partial offload, 48 of 81 layers');
    expect(shadows.rootOf(f16).querySelector('.label')?.classList.contains('v-partial')).toBe(true);
  });

  it('shows cached verdicts on load without asking for a check', async () => {
    const cached = { 'Qwen2.5-7B-Instruct-Q6_K.gguf': verdict('Qwen2.5-7B-Instruct-Q6_K.gguf', 'cpu') };
    const worker = fakeWorker({ cached });
    const { doc } = open('tree-gguf-2025.html', worker);
    await settle();
    expect(hostFor(doc, 'Qwen2.5-7B-Instruct-Q6_K.gguf').dataset).toMatchObject({
      state: 'done',
      placement: 'cpu',
    });
    expect(worker.checks()).toHaveLength(0);
    expect(worker.sent[0]).toMatchObject({
      type: 'cached',
      commit: 'a7f1c3e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1',
    });
  });

  it('shows the queue position and the rate-limit wait while a check waits', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({ hold: true });
    const { doc } = open('tree-gguf-2025.html', worker);
    const q4 = hostFor(doc, 'Qwen2.5-7B-Instruct-Q4_K_M.gguf');
    q4.click();
    await settle();
    expect(q4.dataset.state).toBe('queued');
    expect(shadows.text(q4)).toBe('Queued #1');
  });
});

describe('"Check all quantizations" on a tree page', () => {
  const sizes: Record<string, number> = {
    [HOSTILE]: 1e6,
    'Qwen2.5-7B-Instruct-IQ2_XXS.gguf': 2.27e9,
    'Qwen2.5-7B-Instruct-Q4_K_M.gguf': 4.68e9,
    'Qwen2.5-7B-Instruct-Q6_K.gguf': 6.25e9,
    [ODD]: 5.32e9,
    'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf': 15.23e9,
  };
  const answer = (r: { file: string }) =>
    verdict(r.file, r.file.includes('f16') ? 'partial' : 'single-gpu', sizes[r.file]);

  it('is opt-in: a button above the list, nothing sent until it is pressed', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({ answer });
    const { doc } = open('tree-gguf-2025.html', worker);
    await settle();
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    expect(bar.nextElementSibling?.getAttribute('data-target')).toBe('ViewerIndexTreeList');
    expect(bar.dataset).toMatchObject({ state: 'idle', done: '0', total: '6' });
    expect(shadows.rootOf(bar).querySelector('button')?.textContent).toBe('Check all quantizations');
    expect(worker.checks()).toHaveLength(0);
  });

  it('sends bulk-priority checks a few at a time, counts n of m, then marks the largest GPU fit', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({ answer, hold: true });
    const { doc } = open('tree-gguf-2025.html', worker);
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    shadows.rootOf(bar).querySelector('button')?.click();
    await settle();
    expect(bar.dataset).toMatchObject({ state: 'running', done: '0', total: '6' });
    // Two travel (bulkInFlight: 2), the rest wait here, shown as queued.
    expect(worker.checks()).toHaveLength(2);
    expect(worker.checks().every((c) => c.priority === 'bulk')).toBe(true);
    expect(hosts(doc).filter((h) => h.dataset.state === 'queued')).toHaveLength(6);
    expect(shadows.rootOf(bar).querySelector('button')?.textContent).toBe('Cancel');
    while (worker.held.some((h) => h.request)) {
      const next = worker.held.shift();
      if (!next) break;
      next.release();
      await settle();
    }
    await settle();
    expect(worker.checks()).toHaveLength(6);
    expect(bar.dataset).toMatchObject({ state: 'done', done: '6', total: '6' });
    const best = hosts(doc).filter((h) => h.dataset.best === 'true');
    expect(best.map((h) => h.dataset.file)).toEqual(['Qwen2.5-7B-Instruct-Q6_K.gguf']);
    expect(shadows.text(best[0])).toContain('Best fit');
    expect(shadows.rootOf(bar).textContent).toContain('Checked 6 of 6 · Best fit: Q6_K');
  });

  it('cancel drops the waiting checks; the ones on their way still show their answer', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({ answer, hold: true });
    const { doc } = open('tree-gguf-2025.html', worker);
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    const button = () => shadows.rootOf(bar).querySelector('button') as HTMLButtonElement;
    button().click();
    await settle();
    button().click(); // now "Cancel"
    await settle();
    expect(bar.dataset.state).toBe('cancelled');
    expect(hosts(doc).filter((h) => h.dataset.state === 'idle')).toHaveLength(4);
    for (const held of worker.held.splice(0)) held.release();
    await settle();
    expect(worker.checks()).toHaveLength(2);
    expect(hosts(doc).filter((h) => h.dataset.state === 'done')).toHaveLength(2);
    expect(hosts(doc).some((h) => h.dataset.best)).toBe(false);
    expect(shadows.rootOf(bar).textContent).toContain('Cancelled: 2 of 6 checked');
  });

  it('a click on a control waiting in the bulk queue sends it now, at click priority', async () => {
    shadows = recordShadowRoots();
    const worker = fakeWorker({ answer, hold: true });
    const { doc } = open('tree-gguf-2025.html', worker);
    const bar = doc.querySelector('gpustack-bulk') as HTMLElement;
    shadows.rootOf(bar).querySelector('button')?.click();
    await settle();
    const last = hostFor(doc, ODD);
    expect(last.dataset.state).toBe('queued');
    last.click();
    await settle();
    expect(worker.checks().at(-1)).toMatchObject({ file: ODD, priority: 'click' });
    expect(worker.checks()).toHaveLength(3);
  });
});
