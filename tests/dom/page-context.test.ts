import { describe, expect, it } from 'vitest';
import { readIslands, readPageContext } from '../../utils/page/read/page-context';
import { HF, loadPage } from './load-page';

const BARTOWSKI = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const BARTOWSKI_SHA = 'a7f1c3e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1';

function contextOf(fixture: string, url: string) {
  return readPageContext(loadPage(fixture), url);
}

describe('readIslands', () => {
  it('reads islands whatever the attribute order', () => {
    // 2024-02 writes data-props before data-target; 2025-11 the other way round.
    const old = readIslands(loadPage('blob-gguf-file-2024-02.html')).map((i) => i.name);
    const recent = readIslands(loadPage('blob-gguf-file-2025-11.html')).map((i) => i.name);
    expect(old).toEqual(
      expect.arrayContaining(['MainHeader', 'ModelHeader', 'BranchSelector', 'LastCommit']),
    );
    expect(recent).toEqual(expect.arrayContaining(['ModelHeader', 'ViewerHeader', 'FileInfo', 'CopyButton']));
  });

  it('skips an island with broken JSON and keeps the others', () => {
    const doc = new DOMParser().parseFromString(
      `<div data-target="A" data-props='{"a":1}'></div>
       <div data-props='{"b":' data-target="Broken"></div>
       <div data-props='{"c":3}' data-target="C"></div>
       <div data-target="NoProps"></div>`,
      'text/html',
    );
    expect(readIslands(doc)).toEqual([
      { name: 'A', props: { a: 1 } },
      { name: 'C', props: { c: 3 } },
    ]);
  });
});

describe('readPageContext on captured pages', () => {
  it('blob-gguf-file-2024-02: BranchSelector era, commit from its refs', () => {
    const file = 'mistral-7b-instruct-v0.2.Q4_K_M.gguf';
    const ctx = contextOf(
      'blob-gguf-file-2024-02.html',
      `${HF}/TheBloke/Mistral-7B-Instruct-v0.2-GGUF/blob/main/${file}`,
    );
    expect(ctx).toMatchObject({
      repo: 'TheBloke/Mistral-7B-Instruct-v0.2-GGUF',
      repoType: 'model',
      revision: 'main',
      commit: '3a6fbf4a41a1d52e415a4958cde6856d34b2db93',
      path: file,
      pageKind: 'blob',
      isGgufRepo: true,
      ggufFilePaths: [],
      hardwareItems: null,
    });
  });

  it('blob-gguf-file-2025-11: ViewerHeader era with ggufFilePaths', () => {
    const file = 'Phi-3-mini-4k-instruct-q4.gguf';
    const ctx = contextOf(
      'blob-gguf-file-2025-11.html',
      `${HF}/microsoft/Phi-3-mini-4k-instruct-gguf/blob/main/${file}`,
    );
    expect(ctx).toMatchObject({
      repo: 'microsoft/Phi-3-mini-4k-instruct-gguf',
      repoType: 'model',
      revision: 'main',
      commit: '999f761fe19e26cf1a339a5ec5f9f201301cbb83',
      path: file,
      pageKind: 'blob',
      isGgufRepo: true,
      ggufFilePaths: ['Phi-3-mini-4k-instruct-fp16.gguf', file],
      hardwareItems: null,
    });
  });

  it('blob-readme-gguf-repo-2024-07: signed in before hardware existed', () => {
    const ctx = contextOf(
      'blob-readme-gguf-repo-2024-07-signed-in.html',
      `${HF}/TheBloke/Mistral-7B-v0.1-GGUF/blob/main/README.md`,
    );
    expect(ctx).toMatchObject({
      repo: 'TheBloke/Mistral-7B-v0.1-GGUF',
      revision: 'main',
      commit: 'd4ae605152c8de0d6570cf624c083fa57dd0d551',
      path: 'README.md',
      pageKind: 'blob',
      isGgufRepo: true,
      hardwareItems: null,
    });
    expect(ctx.ggufFilePaths).toHaveLength(12);
  });

  it('blob-non-gguf-2025-12 signed in without hardware: empty list, not null', () => {
    const ctx = contextOf(
      'blob-non-gguf-2025-12-signed-in-no-hardware.html',
      `${HF}/fixture-user/wav2vec2-t5-Vietnamese/blob/main/config.json`,
    );
    expect(ctx).toMatchObject({
      repo: 'fixture-user/wav2vec2-t5-Vietnamese',
      repoType: 'model',
      revision: 'main',
      commit: 'fd0a116742837783784dd28b2bbd6b9defe491ab',
      path: 'config.json',
      pageKind: 'blob',
      isGgufRepo: false,
      hardwareItems: [],
    });
  });

  it('blob-non-gguf-2025-12 signed in with hardware: 2x RTX 4090 + a CPU', () => {
    const ctx = contextOf(
      'blob-non-gguf-2025-12-signed-in-with-hardware.html',
      `${HF}/fixture-user/wav2vec2-t5-Vietnamese/blob/main/config.json`,
    );
    expect(ctx.isGgufRepo).toBe(false);
    expect(ctx.hardwareItems).toEqual([
      { sku: ['GPU', 'NVIDIA', 'RTX 4090'], mem: 24, num: 2, isPrimary: true },
      { sku: ['CPU', 'AMD', 'Ryzen 9 7950X'], mem: 64, num: 1, isPrimary: false },
    ]);
  });

  it('home-page-2026-03: no repo at all', () => {
    expect(contextOf('home-page-2026-03-no-models.html', `${HF}/`)).toMatchObject({
      repo: null,
      repoType: null,
      revision: null,
      commit: null,
      path: '',
      pageKind: 'other',
      isGgufRepo: false,
      hardwareItems: null,
    });
  });
});

describe('readPageContext on built pages', () => {
  it('tree-gguf-2025: ViewerIndexTreeList entries with sizes', () => {
    const ctx = contextOf('tree-gguf-2025.html', `${HF}/${BARTOWSKI}/tree/main`);
    expect(ctx).toMatchObject({
      repo: BARTOWSKI,
      repoType: 'model',
      revision: 'main',
      commit: BARTOWSKI_SHA,
      path: '',
      pageKind: 'tree',
      isGgufRepo: true,
      hardwareItems: null,
    });
    expect(ctx.ggufFilePaths).toContain('Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf');
  });

  it('tree-gguf-2024: no entries, no sha in ModelHeader, commit from BranchSelector', () => {
    const ctx = contextOf('tree-gguf-2024.html', `${HF}/${BARTOWSKI}/tree/main`);
    expect(ctx).toMatchObject({
      repo: BARTOWSKI,
      revision: 'main',
      commit: BARTOWSKI_SHA,
      pageKind: 'tree',
      isGgufRepo: true,
      ggufFilePaths: [],
    });
  });

  it('tree-gguf-subfolder-2025: the folder path', () => {
    const ctx = contextOf('tree-gguf-subfolder-2025.html', `${HF}/${BARTOWSKI}/tree/main/Q8_0`);
    expect(ctx).toMatchObject({ repo: BARTOWSKI, revision: 'main', path: 'Q8_0', pageKind: 'tree' });
  });

  it("a tree page of a repo not tagged 'gguf' is one when its file list names a .gguf file", () => {
    const url = `${HF}/${BARTOWSKI}/tree/main/Q8_0`;
    const doc = loadPage('tree-gguf-subfolder-2025.html');
    const header = doc.querySelector('[data-target="ModelHeader"]') as Element;
    header.setAttribute('data-props', JSON.stringify({ model: { id: BARTOWSKI } }));
    expect(readPageContext(doc, url).isGgufRepo).toBe(true);
    const list = doc.querySelector('[data-target="ViewerIndexTreeList"]') as Element;
    const props = JSON.parse(list.getAttribute('data-props') ?? '{}');
    props.entries = [
      { type: 'file', path: 'Q8_0/README.md', size: 10 },
      { type: 'file', path: 7 },
    ];
    list.setAttribute('data-props', JSON.stringify(props));
    expect(readPageContext(doc, url).isGgufRepo).toBe(false);
  });

  it('model-card-gguf-2025: no revision in the URL, commit from model.sha, signed-in hardware', () => {
    const ctx = contextOf('model-card-gguf-2025.html', `${HF}/${BARTOWSKI}`);
    expect(ctx).toMatchObject({
      repo: BARTOWSKI,
      repoType: 'model',
      revision: null,
      commit: BARTOWSKI_SHA,
      path: '',
      pageKind: 'model-card',
      isGgufRepo: true,
      hardwareItems: [{ sku: ['Apple Silicon', '-', 'Apple M2 Max'], mem: 64, num: 1, isPrimary: true }],
    });
  });

  it('model-card-gguf-2024: tags only', () => {
    const ctx = contextOf('model-card-gguf-2024.html', `${HF}/${BARTOWSKI}`);
    expect(ctx).toMatchObject({ repo: BARTOWSKI, pageKind: 'model-card', commit: null, isGgufRepo: true });
  });

  it('tree-dataset-2025 and tree-non-gguf-2025', () => {
    expect(
      contextOf('tree-dataset-2025.html', `${HF}/datasets/fixture-org/gguf-eval-logs/tree/main`),
    ).toMatchObject({
      repo: 'fixture-org/gguf-eval-logs',
      repoType: 'dataset',
      pageKind: 'tree',
      revision: 'main',
    });
    expect(contextOf('tree-non-gguf-2025.html', `${HF}/Qwen/Qwen2.5-7B-Instruct/tree/main`)).toMatchObject({
      repo: 'Qwen/Qwen2.5-7B-Instruct',
      repoType: 'model',
      pageKind: 'tree',
      isGgufRepo: false,
      commit: 'bb46c15ee4bb56c5b63245ef50fd7637234d6f75',
    });
  });

  it('takes the repo id spelling from the page', () => {
    const ctx = contextOf('tree-gguf-2025.html', `${HF}/BARTOWSKI/qwen2.5-7b-instruct-gguf/tree/main`);
    expect(ctx.repo).toBe(BARTOWSKI);
  });

  it('accepts a Location-like object, and reads its path as it is', () => {
    const ctx = readPageContext(loadPage('tree-gguf-2025.html'), {
      href: `${HF}/${BARTOWSKI}/tree/main?x=1#y`,
      pathname: `/${BARTOWSKI}/tree/main`,
    });
    expect(ctx).toMatchObject({ pageKind: 'tree', url: `${HF}/${BARTOWSKI}/tree/main?x=1#y` });
    expect(
      readPageContext(loadPage('tree-gguf-2025.html'), new URL(`${HF}/${BARTOWSKI}/blob/main/a.gguf`)),
    ).toMatchObject({ pageKind: 'blob', path: 'a.gguf' });
  });
});

describe('readPageContext URL rules', () => {
  const empty = () => new DOMParser().parseFromString('<p></p>', 'text/html');
  const at = (path: string) => readPageContext(empty(), `${HF}${path}`);

  it.each([
    '/',
    '/models',
    '/models?other=gguf',
    '/datasets',
    '/spaces',
    '/settings/hardware',
    '/docs/hub/rate-limits',
    '/api/models/x/y',
    '/papers/2310.06825',
    '/collections/foo/bar-123',
    '/organizations/foo/settings',
    '/bartowski',
  ])('%s is not a repo', (path) => {
    expect(at(path)).toMatchObject({ repo: null, repoType: null, pageKind: 'other' });
  });

  it('reads datasets and spaces', () => {
    expect(at('/datasets/o/n')).toMatchObject({ repo: 'o/n', repoType: 'dataset', pageKind: 'other' });
    expect(at('/spaces/o/n')).toMatchObject({ repo: 'o/n', repoType: 'space', pageKind: 'other' });
    expect(at('/datasets/o/n/blob/main/a/b.csv')).toMatchObject({
      repoType: 'dataset',
      pageKind: 'blob',
      revision: 'main',
      path: 'a/b.csv',
    });
  });

  it('decodes an encoded revision with slashes and the path', () => {
    const ctx = at('/o/n/tree/refs%2Fpr%2F12/sub%20dir/%C3%BC');
    expect(ctx).toMatchObject({ revision: 'refs/pr/12', path: 'sub dir/ü', pageKind: 'tree', commit: null });
  });

  it('takes a commit revision as the commit', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(at(`/o/n/blob/${sha}/x-Q4_K_M.gguf`)).toMatchObject({
      revision: sha,
      commit: sha,
      isGgufRepo: true,
    });
  });

  it('decodes hostile names exactly', () => {
    expect(at('/o/n/blob/main/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.gguf').path).toBe(
      '<img src=x onerror=alert(1)>.gguf',
    );
    expect(at('/o/n/blob/main/a%23b%3Fc.gguf').path).toBe('a#b?c.gguf');
  });

  it('other repo pages', () => {
    expect(at('/o/n/discussions/3').pageKind).toBe('other');
    expect(at('/o/n/')).toMatchObject({ repo: 'o/n', pageKind: 'model-card' });
  });
});
