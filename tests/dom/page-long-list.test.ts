// Long file lists (hundreds of rows) in the content script's lazy mode: rows are annotated as they
// near the viewport, so a 500-file page costs what its visible rows cost; scrolling, "Load more
// files", re-renders and "Check all" still reach every file.
// happy-dom lays nothing out: a fake IntersectionObserver says which elements are "seen".

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAnnotator } from '../../utils/content/annotator';
import { readPageContext } from '../../utils/page/data-props';
import { fakeWorker, filesOf, hosts, recordShadowRoots, settle } from './page-support';
import { treePage } from './tree-page-builder';

const REPO = 'bench/Big-Tree-GGUF';
const SHA = 'b'.repeat(40);
const URL_ = `https://huggingface.co/${REPO}/tree/main`;

class FakeObserver {
  static all: FakeObserver[] = [];
  readonly watched = new Set<Element>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeObserver.all.push(this);
  }
  observe(el: Element) {
    this.watched.add(el);
  }
  unobserve(el: Element) {
    this.watched.delete(el);
  }
  disconnect() {
    this.watched.clear();
  }
  /** The viewport now shows these elements. */
  show(els: Element[]) {
    const entries = els
      .filter((el) => this.watched.has(el))
      .map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry);
    if (entries.length > 0) this.callback(entries, this as unknown as IntersectionObserver);
  }
}

const showAll = (els: Element[]) => {
  for (const observer of FakeObserver.all) observer.show(els);
};
const rows = () => [...document.querySelectorAll('[data-target="ViewerIndexTreeList"] li')];

beforeEach(() => {
  // Observers outlive a test (the controls keep one per page): all stay reachable.
  vi.stubGlobal('IntersectionObserver', FakeObserver);
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(URL_);
  document.body.innerHTML = new DOMParser().parseFromString(
    treePage(REPO, 500, SHA).html,
    'text/html',
  ).body.innerHTML;
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

function open(worker = fakeWorker()) {
  const annotator = startAnnotator(document, readPageContext(document, URL_), {
    channel: worker.channel,
    lazy: true,
  });
  if (!annotator) throw new Error('not annotated');
  return { annotator, worker };
}

describe('a 500-file list in lazy mode', () => {
  it('annotates only the rows near the viewport, then each row as it comes near', async () => {
    const { worker } = open();
    expect(hosts(document)).toHaveLength(0);
    // No control yet, so no bar: it comes with the first two, and counts the controls made so far.
    expect(document.querySelector('gpustack-bulk')).toBeNull();
    showAll(rows().slice(0, 20));
    expect(document.querySelector('gpustack-bulk')?.getAttribute('data-total')).toBe('20');
    expect(filesOf(document)).toEqual(
      rows()
        .slice(0, 20)
        .map((_, i) => `model-${String(i).padStart(3, '0')}-Q4_K_M.gguf`),
    );
    showAll(rows().slice(0, 40));
    expect(hosts(document)).toHaveLength(40);
    await settle();
    // Cached verdicts are asked for the controls made, a batch at a time; never a check.
    const cached = worker.sent.filter((r) => r.type === 'cached');
    expect(cached.length).toBeGreaterThan(0);
    expect(worker.checks()).toHaveLength(0);
    showAll(rows());
    expect(hosts(document)).toHaveLength(500);
    expect(new Set(filesOf(document)).size).toBe(500);
    await settle();
    // Each file was asked about once, however many batches the rows came in.
    const asked = worker.sent.flatMap((r) => (r.type === 'cached' ? r.files : []));
    expect(asked).toHaveLength(500);
    expect(new Set(asked).size).toBe(500);
  });

  it('rows re-rendered in place, and rows added by "Load more files", get their controls', () => {
    const { annotator } = open();
    showAll(rows().slice(0, 10));
    const row = rows()[3] as Element;
    row.querySelector('gpustack-check')?.remove();
    const list = document.querySelector('[data-target="ViewerIndexTreeList"] ul') as Element;
    list.append(
      ...new DOMParser()
        .parseFromString(treePage(REPO, 502, SHA).html, 'text/html')
        .querySelectorAll('li:nth-child(n+501)'),
    );
    annotator.scan();
    annotator.scan();
    showAll([row, ...rows().slice(500)]);
    expect(row.querySelectorAll('gpustack-check')).toHaveLength(1);
    expect(filesOf(document)).toContain('model-501-Q4_K_M.gguf');
    expect(hosts(document)).toHaveLength(12);
  });

  it('"Check all quantizations" covers every file of the list, seen or not', async () => {
    const worker = fakeWorker();
    const shadows = recordShadowRoots();
    open(worker);
    showAll(rows().slice(0, 5));
    const bar = document.querySelector('gpustack-bulk') as HTMLElement;
    shadows.rootOf(bar).querySelector('button')?.click();
    for (let i = 0; i < 200 && bar.dataset.state !== 'done'; i++) await settle();
    expect(bar.dataset).toMatchObject({ state: 'done', done: '500', total: '500' });
    expect(new Set(worker.checks().map((c) => c.file)).size).toBe(500);
    expect(hosts(document)).toHaveLength(500);
    shadows.restore();
  });
});
