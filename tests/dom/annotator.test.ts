import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Channel } from '../../utils/common/channel';
import type { CachedRequest, CheckRequest } from '../../utils/common/protocol';
import type { CheckResult } from '../../utils/common/result';
import { startAnnotator } from '../../utils/page/annotator';
import { readPageContext } from '../../utils/page/read/page-context';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const TREE_URL = new URL(`https://huggingface.co/${REPO}/tree/main`);
const HOSTILE = '<img src=x onerror=alert(1)>.gguf';

function load(name: string): Document {
  const html = readFileSync(join(process.cwd(), 'tests/fixtures/pages', name), 'utf8');
  return new DOMParser().parseFromString(html, 'text/html');
}

function result(file: string): CheckResult {
  return {
    engine: 'builtin',
    repo: REPO,
    revision: 'main',
    commit: 'c'.repeat(40),
    file,
    sizeBytes: 4_683_073_952,
    shards: 1,
    messages: [],
    checkedAt: 0,
  };
}

function fakeWorker(cached: Record<string, CheckResult> = {}) {
  const sent: Array<CheckRequest | CachedRequest> = [];
  const request = vi.fn(async (req: CheckRequest | CachedRequest) => {
    sent.push(req);
    if (req.type === 'cached') return { ok: true, value: cached };
    return { ok: true, value: result(req.file) };
  });
  return { channel: { request } as unknown as Channel, sent };
}

const hosts = (doc: Document) => [...doc.querySelectorAll<HTMLElement>('gpustack-check')];

describe('annotator on a saved tree page', () => {
  it('puts one control beside each GGUF model file and none elsewhere', () => {
    const doc = load('tree-gguf-2025.html');
    startAnnotator(doc, readPageContext(doc, TREE_URL), fakeWorker());
    const files = hosts(doc).map((h) => h.dataset.file);
    expect(files).toContain('Qwen2.5-7B-Instruct-Q4_K_M.gguf');
    expect(files).toContain('Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf');
    expect(files).toContain(HOSTILE);
    expect(files).not.toContain('Qwen2.5-7B-Instruct-f16-00002-of-00002.gguf');
    expect(files.some((f) => /mmproj|imatrix|README|config\.json/i.test(f ?? ''))).toBe(false);
    expect(new Set(files).size).toBe(files.length);
    for (const host of hosts(doc)) {
      expect(host.getAttribute('role')).toBe('button');
      expect(host.getAttribute('tabindex')).toBe('0');
      expect(host.getAttribute('aria-label')).toBe('Check GPUStack compatibility');
      expect(host.dataset.repo).toBe(REPO);
      expect(host.dataset.revision).toBe('main');
      expect(host.dataset.state).toBe('idle');
      // Closed: the page sees no shadow root.
      expect(host.shadowRoot).toBeNull();
    }
  });

  it('renders a hostile file name as text and runs a check on click', async () => {
    const doc = load('tree-gguf-2025.html');
    const roots: ShadowRoot[] = [];
    const attach = HTMLElement.prototype.attachShadow;
    vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (this: HTMLElement, init) {
      const root = attach.call(this, init);
      roots.push(root);
      return root;
    });
    const worker = fakeWorker();
    startAnnotator(doc, readPageContext(doc, TREE_URL), worker);
    const host = hosts(doc).find((h) => h.dataset.file === HOSTILE);
    expect(host).toBeDefined();
    host?.click();
    await vi.waitFor(() => expect(host?.dataset.state).toBe('done'));
    expect(worker.sent).toContainEqual(
      expect.objectContaining({ type: 'check', file: HOSTILE, priority: 'click' }),
    );
    expect(host?.dataset.engine).toBe('builtin');
    expect(doc.querySelectorAll('img[src="x"]')).toHaveLength(0);
    for (const root of roots) expect(root.querySelector('img')).toBeNull();
    vi.restoreAllMocks();
  });

  it('neither duplicates nor loses a control when rows re-render', async () => {
    const doc = load('tree-gguf-2025.html');
    const annotator = startAnnotator(doc, readPageContext(doc, TREE_URL), fakeWorker());
    const before = hosts(doc).length;
    const first = hosts(doc)[0];
    first?.click();
    await vi.waitFor(() => expect(first?.dataset.state).toBe('done'));
    // The page re-renders a row: the old row (and its control) is replaced by a fresh copy.
    const row = first?.closest('li');
    const fresh = row?.cloneNode(true) as HTMLElement;
    fresh.querySelector('gpustack-check')?.remove();
    row?.replaceWith(fresh);
    annotator?.scan();
    annotator?.scan();
    expect(hosts(doc)).toHaveLength(before);
    const again = hosts(doc).find((h) => h.dataset.file === first?.dataset.file);
    expect(again?.dataset.state).toBe('done');
  });

  it('shows cached verdicts on load without asking for a check', async () => {
    const doc = load('tree-gguf-2025.html');
    const file = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
    const worker = fakeWorker({ [file]: result(file) });
    startAnnotator(doc, readPageContext(doc, TREE_URL), worker);
    const host = hosts(doc).find((h) => h.dataset.file === file);
    await vi.waitFor(() => expect(host?.dataset.state).toBe('done'));
    expect(worker.sent.filter((r) => r.type === 'check')).toHaveLength(0);
  });

  it('does nothing on pages that are not GGUF model repos', () => {
    for (const [name, url] of [
      ['home-page-2026-03-no-models.html', 'https://huggingface.co/'],
      ['tree-dataset-2025.html', 'https://huggingface.co/datasets/owner/data/tree/main'],
    ] as const) {
      const doc = load(name);
      expect(startAnnotator(doc, readPageContext(doc, url), fakeWorker())).toBeNull();
      expect(hosts(doc)).toHaveLength(0);
    }
  });
});
