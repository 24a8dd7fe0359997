// Long file lists (hundreds of rows) in the content script's lazy mode: rows are annotated as they
// near the viewport, so a 500-file page costs what its visible rows cost; scrolling, "Load more
// files", re-renders and "Check all" still reach every file.
// happy-dom lays nothing out: rows get boxes from a fake layout (40 px each, an 800 px viewport, the
// list scrolled by `scrollTop`), and a fake IntersectionObserver plays the page's next layout.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAnnotator } from '../../utils/page/annotator';
import { readPageContext } from '../../utils/page/read/page-context';
import { fakeWorker, filesOf, hosts, recordShadowRoots, settle } from './page-support';
import { treePage } from './tree-page-builder';

const REPO = 'bench/Big-Tree-GGUF';
const SHA = 'b'.repeat(40);
const URL_ = `https://huggingface.co/${REPO}/tree/main`;
const ROW = 40;
const VIEWPORT = 800;

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
  /** The page was laid out: what it watches is reported. */
  laidOut() {
    const entries = [...this.watched].map((target) => ({ target, isIntersecting: true }));
    if (entries.length > 0) {
      this.callback(entries as IntersectionObserverEntry[], this as unknown as IntersectionObserver);
    }
  }
}

const rows = () => [...document.querySelectorAll('[data-target="ViewerIndexTreeList"] li')];
let scrollTop = 0;
let boxesRead = 0;

/** The page's next layout: observers that watch something hear of it. */
function layout() {
  for (const observer of FakeObserver.all) observer.laidOut();
}

/** Scrolls the list so that `top` px of it are above the viewport, then lays the page out. */
function scrollTo(top: number) {
  scrollTop = top;
  document.dispatchEvent(new Event('scroll'));
  layout();
}

beforeEach(() => {
  FakeObserver.all = [];
  scrollTop = 0;
  boxesRead = 0;
  vi.stubGlobal('IntersectionObserver', FakeObserver);
  vi.stubGlobal('innerHeight', VIEWPORT);
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    boxesRead += 1;
    const top = rows().indexOf(this) * ROW - scrollTop;
    return { top, bottom: top + ROW, left: 0, right: 100, width: 100, height: ROW } as DOMRect;
  });
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

// Rows in the 800 px viewport at the top of the list: what a page's first look annotates. Once the
// page scrolls, rows a quarter viewport (200 px) ahead get theirs too.
const IN_VIEW = 21;

describe('a 500-file list in lazy mode', () => {
  it('annotates only the rows near the viewport, after the layout, then each row as it comes near', async () => {
    const { worker } = open();
    // Nothing is read or drawn before the page's layout: no layout forced on the page.
    expect(hosts(document)).toHaveLength(0);
    expect(boxesRead).toBe(0);
    // No control yet, so no bar: it comes with the first two, and counts the controls made so far.
    expect(document.querySelector('gpustack-bulk')).toBeNull();
    layout();
    // A binary search for the first row near the viewport, then the rows down to its end.
    expect(boxesRead).toBeLessThan(2 * IN_VIEW);
    expect(document.querySelector('gpustack-bulk')?.getAttribute('data-total')).toBe(String(IN_VIEW));
    expect(filesOf(document)).toEqual(
      rows()
        .slice(0, IN_VIEW)
        .map((_, i) => `model-${String(i).padStart(3, '0')}-Q4_K_M.gguf`),
    );
    // Scrolled by 400 px: rows down to 1000 px below the list's new top (a quarter viewport ahead).
    scrollTo(400);
    expect(hosts(document)).toHaveLength((400 + VIEWPORT + VIEWPORT / 4) / ROW + 1);
    await settle();
    // Cached verdicts are asked for the controls made, a batch at a time; never a check.
    const cached = worker.sent.filter((r) => r.type === 'cached');
    expect(cached.length).toBeGreaterThan(0);
    expect(worker.checks()).toHaveLength(0);
    for (let top = 0; top < 500 * ROW; top += VIEWPORT) scrollTo(top);
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
    layout();
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
    layout();
    expect(row.querySelectorAll('gpustack-check')).toHaveLength(1);
    expect(hosts(document)).toHaveLength(IN_VIEW);
    // At the end of the list: the viewport's 20 rows and 5 more a quarter viewport above.
    scrollTo(502 * ROW - VIEWPORT);
    expect(filesOf(document)).toContain('model-501-Q4_K_M.gguf');
    expect(hosts(document)).toHaveLength(IN_VIEW + 26);
  });

  it('"Check all quantizations" covers every file of the list, seen or not', async () => {
    const worker = fakeWorker();
    const shadows = recordShadowRoots();
    open(worker);
    layout();
    const bar = document.querySelector('gpustack-bulk') as HTMLElement;
    shadows.rootOf(bar).querySelector('button')?.click();
    for (let i = 0; i < 200 && bar.dataset.state !== 'done'; i++) await settle();
    expect(bar.dataset).toMatchObject({ state: 'done', done: '500', total: '500' });
    expect(new Set(worker.checks().map((c) => c.file)).size).toBe(500);
    expect(hosts(document)).toHaveLength(500);
    shadows.restore();
  });

  it('stops looking once stopped: scrolling draws nothing more', () => {
    const { annotator } = open();
    layout();
    annotator.stop();
    scrollTo(4000);
    expect(hosts(document)).toHaveLength(0);
  });
});
