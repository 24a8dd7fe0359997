import { describe, expect, it } from 'vitest';
import { TAGS } from '../../utils/page/contract';
import { readPageContext } from '../../utils/page/read/page-context';
import { decodePathSegments } from '../../utils/page/read/repo-url';
import { type CheckTarget, findCheckTargets, isOwnControl, linkTarget } from '../../utils/page/read/targets';
import { HF, loadPage } from './load-page';

const BARTOWSKI = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const HOSTILE = '<img src=x onerror=alert(1)>.gguf';
const ODD = 'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf';

function targetsOf(fixture: string, url: string) {
  const doc = loadPage(fixture);
  const ctx = readPageContext(doc, url);
  return { doc, ctx, targets: findCheckTargets(doc, ctx) };
}

const files = (targets: CheckTarget[]) => targets.map((t) => t.file);
const hrefOf = (t: CheckTarget) => t.anchor.getAttribute('href') ?? '';

/** What the UI layer does: put a control right after each anchor. */
function mountControls(doc: Document, targets: CheckTarget[]) {
  for (const t of targets) t.anchor.after(doc.createElement(TAGS.control));
}

describe('findCheckTargets on captured pages', () => {
  it('blob-gguf-file-2024-02: one control for the viewed file, at its download link', () => {
    const file = 'mistral-7b-instruct-v0.2.Q4_K_M.gguf';
    const { targets } = targetsOf(
      'blob-gguf-file-2024-02.html',
      `${HF}/TheBloke/Mistral-7B-Instruct-v0.2-GGUF/blob/main/${file}`,
    );
    expect(targets).toHaveLength(1);
    const [t] = targets as [CheckTarget];
    expect(t).toMatchObject({ file, kind: 'blob', revision: 'main' });
    expect(t.anchor.hasAttribute('download')).toBe(true);
    expect(hrefOf(t)).toBe(`/TheBloke/Mistral-7B-Instruct-v0.2-GGUF/resolve/main/${file}?download=true`);
  });

  it('blob-gguf-file-2025-11: one control for the viewed file', () => {
    const file = 'Phi-3-mini-4k-instruct-q4.gguf';
    const { targets } = targetsOf(
      'blob-gguf-file-2025-11.html',
      `${HF}/microsoft/Phi-3-mini-4k-instruct-gguf/blob/main/${file}`,
    );
    expect(targets.map((t) => [t.file, t.kind])).toEqual([[file, 'blob']]);
    expect(hrefOf(targets[0] as CheckTarget)).toContain('/resolve/main/');
  });

  it('blob-readme-gguf-repo-2024-07: every quant in the README table, in order', () => {
    const { targets } = targetsOf(
      'blob-readme-gguf-repo-2024-07-signed-in.html',
      `${HF}/TheBloke/Mistral-7B-v0.1-GGUF/blob/main/README.md`,
    );
    const quants = [
      'Q2_K',
      'Q3_K_S',
      'Q3_K_M',
      'Q3_K_L',
      'Q4_0',
      'Q4_K_S',
      'Q4_K_M',
      'Q5_0',
      'Q5_K_S',
      'Q5_K_M',
      'Q6_K',
      'Q8_0',
    ];
    expect(files(targets)).toEqual(quants.map((q) => `mistral-7b-v0.1.${q}.gguf`));
    for (const t of targets) {
      expect(t.kind).toBe('readme-link');
      expect(t.revision).toBe('main');
      expect(t.anchor.closest('td')).not.toBeNull();
    }
  });

  it.each([
    [
      'blob-non-gguf-2025-12-signed-in-no-hardware.html',
      `${HF}/fixture-user/wav2vec2-t5-Vietnamese/blob/main/config.json`,
    ],
    [
      'blob-non-gguf-2025-12-signed-in-with-hardware.html',
      `${HF}/fixture-user/wav2vec2-t5-Vietnamese/blob/main/config.json`,
    ],
    ['home-page-2026-03-no-models.html', `${HF}/`],
  ])('%s: nothing', (fixture, url) => {
    expect(targetsOf(fixture, url).targets).toEqual([]);
  });
});

describe('findCheckTargets on built tree pages', () => {
  it('tree-gguf-2025: single files and the first top-level shard, anchored at the name link', () => {
    const { targets } = targetsOf('tree-gguf-2025.html', `${HF}/${BARTOWSKI}/tree/main`);
    expect(files(targets)).toEqual([
      HOSTILE,
      'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
      'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
      'Qwen2.5-7B-Instruct-Q6_K.gguf',
      'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
      ODD,
    ]);
    for (const t of targets) {
      expect(t.kind).toBe('tree-row');
      expect(t.revision).toBe('main');
      expect(hrefOf(t)).toContain(`/${BARTOWSKI}/blob/main/`);
      expect(t.anchor.hasAttribute('download')).toBe(false);
    }
  });

  it('tree-gguf-2025: the hostile name is decoded exactly and never became markup', () => {
    const { doc, targets } = targetsOf('tree-gguf-2025.html', `${HF}/${BARTOWSKI}/tree/main`);
    const hostile = targets.find((t) => t.file === HOSTILE);
    expect(hostile?.anchor.textContent?.trim()).toBe(HOSTILE);
    expect(doc.querySelector('img[src="x"]')).toBeNull();
    expect(targets.find((t) => t.file === ODD)?.anchor.textContent?.trim()).toBe(ODD);
  });

  it('tree-gguf-2024: other nesting, absolute and relative hrefs, rows behind "Load more files" absent', () => {
    const { doc, targets } = targetsOf('tree-gguf-2024.html', `${HF}/${BARTOWSKI}/tree/main`);
    expect(files(targets)).toEqual([
      HOSTILE,
      'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
      'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
      'Qwen2.5-7B-Instruct-Q6_K.gguf',
      'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
    ]);
    expect(targets.every((t) => t.kind === 'tree-row' && hrefOf(t).includes('blob/main/'))).toBe(true);
    expect(hrefOf(targets[3] as CheckTarget)).toBe('../blob/main/Qwen2.5-7B-Instruct-Q6_K.gguf');
    expect([...doc.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Load more files')).toBe(
      true,
    );
  });

  it('tree-gguf-subfolder-2025: only the first shard of the folder', () => {
    const { targets } = targetsOf('tree-gguf-subfolder-2025.html', `${HF}/${BARTOWSKI}/tree/main/Q8_0`);
    expect(files(targets)).toEqual(['Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf']);
  });

  it('tree-dataset-2025 and tree-non-gguf-2025: nothing', () => {
    expect(
      targetsOf('tree-dataset-2025.html', `${HF}/datasets/fixture-org/gguf-eval-logs/tree/main`).targets,
    ).toEqual([]);
    expect(targetsOf('tree-non-gguf-2025.html', `${HF}/Qwen/Qwen2.5-7B-Instruct/tree/main`).targets).toEqual(
      [],
    );
  });

  it('falls back to the download link when a row has no name link', () => {
    const { doc, ctx } = targetsOf('tree-gguf-2025.html', `${HF}/${BARTOWSKI}/tree/main`);
    for (const a of doc.querySelectorAll(`a[href*="/blob/main/"]`)) a.removeAttribute('href');
    const targets = findCheckTargets(doc, ctx);
    expect(targets).toHaveLength(6);
    expect(targets.every((t) => t.anchor.hasAttribute('download'))).toBe(true);
  });
});

describe('findCheckTargets on built model cards', () => {
  it('model-card-gguf-2025: README links per place, then the quant list', () => {
    const { targets } = targetsOf('model-card-gguf-2025.html', `${HF}/${BARTOWSKI}`);
    expect(targets.map((t) => [t.kind, t.file])).toEqual([
      ['readme-link', 'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf'],
      ['readme-link', 'Qwen2.5-7B-Instruct-Q6_K.gguf'],
      ['readme-link', 'Qwen2.5-7B-Instruct-Q4_K_M.gguf'],
      ['readme-link', 'Qwen2.5-7B-Instruct-IQ2_XXS.gguf'],
      // "Not sure? Start with Q4_K_M": the same file in another place gets its own control.
      ['readme-link', 'Qwen2.5-7B-Instruct-Q4_K_M.gguf'],
      ['quant-list', 'Qwen2.5-7B-Instruct-IQ2_XXS.gguf'],
      ['quant-list', 'Qwen2.5-7B-Instruct-Q4_K_M.gguf'],
      ['quant-list', 'Qwen2.5-7B-Instruct-Q6_K.gguf'],
      ['quant-list', 'Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf'],
      ['quant-list', 'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf'],
    ]);
    expect(targets[0]?.anchor.getAttribute('href')).toContain('/resolve/main/');
    expect(targets[5]?.revision).toBeNull();
  });

  it('model-card-gguf-2024: root-relative links and a differently cased repo link', () => {
    const { targets } = targetsOf('model-card-gguf-2024.html', `${HF}/${BARTOWSKI}`);
    expect(files(targets)).toEqual([
      'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
      'Qwen2.5-7B-Instruct-Q6_K.gguf',
      'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
      'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
    ]);
    expect(targets.every((t) => t.kind === 'readme-link')).toBe(true);
  });
});

describe('findCheckTargets across re-renders', () => {
  it('skips places that already have a control, and yields only rows added later', () => {
    const url = `${HF}/${BARTOWSKI}/tree/main`;
    const { doc, ctx, targets } = targetsOf('tree-gguf-2024.html', url);
    mountControls(doc, targets);
    expect(findCheckTargets(doc, ctx)).toEqual([]);

    // "Load more files" appends rows.
    const list = doc.querySelector('[data-target="ViewerIndexTreeList"] ul') as Element;
    const row = doc.createElement('li');
    const link = doc.createElement('a');
    link.setAttribute('href', `/${BARTOWSKI}/blob/main/${encodeURIComponent(ODD)}`);
    link.textContent = ODD;
    const dl = doc.createElement('a');
    dl.setAttribute('href', `/${BARTOWSKI}/resolve/main/${encodeURIComponent(ODD)}?download=true`);
    dl.setAttribute('download', '');
    row.append(link, dl);
    list.append(row);
    const again = findCheckTargets(doc, ctx);
    expect(again.map((t) => [t.file, t.anchor])).toEqual([[ODD, link]]);
  });

  it('skips a row whose control sits elsewhere in the row', () => {
    const { doc, ctx, targets } = targetsOf('tree-gguf-2025.html', `${HF}/${BARTOWSKI}/tree/main`);
    const first = targets[0] as CheckTarget;
    const dl = first.anchor.closest('li')?.querySelector('a[download]') as Element;
    dl.after(doc.createElement(TAGS.control));
    expect(files(findCheckTargets(doc, ctx))).not.toContain(first.file);
    expect(findCheckTargets(doc, ctx)).toHaveLength(targets.length - 1);
  });

  it('ignores links inside our own elements', () => {
    const { doc, ctx } = targetsOf(
      'blob-readme-gguf-repo-2024-07-signed-in.html',
      `${HF}/TheBloke/Mistral-7B-v0.1-GGUF/blob/main/README.md`,
    );
    const own = doc.createElement(TAGS.control);
    own.innerHTML = '<a href="/TheBloke/Mistral-7B-v0.1-GGUF/blob/main/extra-Q4_K_M.gguf">x</a>';
    doc.body.append(own);
    expect(findCheckTargets(doc, ctx)).toHaveLength(12);
  });

  it('a .gguf blob page whose download link already has a control gives nothing', () => {
    const file = 'Phi-3-mini-4k-instruct-q4.gguf';
    const { doc, ctx, targets } = targetsOf(
      'blob-gguf-file-2025-11.html',
      `${HF}/microsoft/Phi-3-mini-4k-instruct-gguf/blob/main/${file}`,
    );
    mountControls(doc, targets);
    expect(findCheckTargets(doc, ctx)).toEqual([]);
  });
});

describe('findCheckTargets link rules', () => {
  const repo = 'o/n-GGUF';
  function page(body: string, path = `/${repo}/tree/main`) {
    const html = `<div data-target="ModelHeader" data-props='{"model":{"id":"${repo}","tags":["gguf"]}}'></div>${body}`;
    const doc = new DOMParser().parseFromString(html, 'text/html');
    return { doc, ctx: readPageContext(doc, `${HF}${path}`) };
  }

  it('keeps only this repo on this host, and blob/resolve/show_file_info links', () => {
    const { doc, ctx } = page(`<ul>
      <li><a href="/${repo}/blob/main/a-Q4_K_M.gguf">a</a></li>
      <li><a href="/other/repo/blob/main/b-Q4_K_M.gguf">b</a></li>
      <li><a href="https://hf-mirror.com/${repo}/blob/main/c-Q4_K_M.gguf">c</a></li>
      <li><a href="/datasets/${repo}/blob/main/d-Q4_K_M.gguf">d</a></li>
      <li><a href="/${repo}/raw/main/e-Q4_K_M.gguf">e</a></li>
      <li><a href="/${repo}/commits/main/f-Q4_K_M.gguf">f</a></li>
      <li><a href="/${repo}/tree/main/g-Q4_K_M.gguf">g</a></li>
      <li><a href="/${repo}/blob/main/">h</a></li>
      <li><a href="/${repo}/blob/main/%E0%A4%A.gguf">bad escape</a></li>
      <li><a href="/${repo}/resolve/v1.0/sub/i-00001-of-00002.gguf#x">i</a></li>
      <li><a href="http://[bad">j</a></li>
    </ul>`);
    expect(findCheckTargets(doc, ctx).map((t) => [t.file, t.revision])).toEqual([
      ['a-Q4_K_M.gguf', 'main'],
      ['sub/i-00001-of-00002.gguf', 'v1.0'],
    ]);
  });

  it('one target per row even with a file-info link beside the name and download links', () => {
    const { doc, ctx } = page(`<ul>
      <li><a href="/${repo}/tree/main?show_file_info=a-Q4_K_M.gguf">i</a><span><a id="name" href="/${repo}/blob/main/a-Q4_K_M.gguf">a</a></span><a download href="/${repo}/resolve/main/a-Q4_K_M.gguf?download=true">1 GB</a></li>
      <li><a href="/${repo}?show_file_info=b-Q4_K_M.gguf">only info</a></li>
    </ul>`);
    const targets = findCheckTargets(doc, ctx);
    expect(targets.map((t) => [t.file, t.revision, t.anchor.textContent])).toEqual([
      ['a-Q4_K_M.gguf', 'main', 'a'],
      ['b-Q4_K_M.gguf', null, 'only info'],
    ]);
  });

  it('needs a GGUF model repo', () => {
    const { doc } = page(`<a href="/${repo}/blob/main/a-Q4_K_M.gguf">a</a>`);
    const noGguf = readPageContext(new DOMParser().parseFromString('<p></p>', 'text/html'), `${HF}/${repo}`);
    expect(findCheckTargets(doc, noGguf)).toEqual([]);
    expect(findCheckTargets(doc, { ...noGguf, isGgufRepo: true, repoType: 'space' })).toEqual([]);
  });

  it('a blob page of a non-model .gguf falls back to the links on it', () => {
    const { doc, ctx } = page(
      `<a download href="/${repo}/resolve/main/mmproj-F16.gguf?download=true">download</a>`,
      `/${repo}/blob/main/mmproj-F16.gguf`,
    );
    expect(findCheckTargets(doc, ctx)).toEqual([]);
  });

  it('a .gguf blob page with no link to the file anchors at the file viewer island', () => {
    const { doc, ctx } = page(
      '<div data-target="FileInfo" data-props=\'{"type":"gguf"}\'></div>',
      `/${repo}/blob/main/x-Q4_K_M.gguf`,
    );
    const [t] = findCheckTargets(doc, ctx);
    expect(t?.file).toBe('x-Q4_K_M.gguf');
    expect(t?.anchor.getAttribute('data-target')).toBe('FileInfo');
  });

  it('isOwnControl', () => {
    const doc = new DOMParser().parseFromString('<p></p>', 'text/html');
    expect(isOwnControl(doc.createElement(TAGS.control))).toBe(true);
    expect(isOwnControl(doc.createElement('a'))).toBe(false);
    expect(isOwnControl(null)).toBe(false);
  });
});

describe('findCheckTargets at scale', () => {
  it('a 500-row tree gives 500 targets', () => {
    const repo = 'o/big-GGUF';
    const rows: string[] = [];
    for (let i = 0; i < 500; i++) {
      const name = `part${i}/m-${i}-Q4_K_M.gguf`;
      const enc = name.split('/').map(encodeURIComponent).join('/');
      rows.push(
        `<li><div><a href="/${repo}/blob/main/${enc}"><span>${name}</span></a></div><a download href="/${repo}/resolve/main/${enc}?download=true">4.68 GB</a><a href="/${repo}/commit/abc">Upload</a></li>`,
      );
      // Non-model rows in between must not change the count.
      rows.push(`<li><a href="/${repo}/blob/main/notes-${i}.md">notes</a></li>`);
    }
    const html = `<div data-target="ModelHeader" data-props='{"model":{"id":"${repo}","tags":["gguf"]}}'></div><ul>${rows.join('')}</ul>`;
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const ctx = readPageContext(doc, `${HF}/${repo}/tree/main`);
    const targets = findCheckTargets(doc, ctx);
    expect(targets).toHaveLength(500);
    expect(new Set(targets.map((t) => t.file)).size).toBe(500);
    expect(targets.every((t) => t.anchor.getAttribute('href')?.includes('/blob/'))).toBe(true);
  });
});

describe('linkTarget', () => {
  const base = new URL(`${HF}/${BARTOWSKI}/tree/main`);
  const repo = `/${BARTOWSKI}`;
  // Read as they are, or through URL: either way what a link names is what URL says it names.
  const hrefs = [
    `${repo}/blob/main/a.gguf`,
    `${repo}/resolve/main/dir/a%20b.gguf?download=true`,
    `${repo}?show_file_info=a.gguf`,
    `${repo}/tree/main?show_file_info=dir%2Fa.gguf#top`,
    `${repo}/blob/main/${encodeURIComponent(HOSTILE)}`,
    `${repo}/blob/main/${ODD.replace('#', '%23').replace('?', '%3F')}`,
    `${repo}/blob/main/raw space ünï.gguf`,
    `${repo}/blob/main/../a.gguf`,
    `${repo}/blob/main/%2e%2E/a.gguf`,
    `${repo}/blob/./main/a.gguf`,
    ` ${repo}/blob/main/a.gguf `,
    `${repo}/blob/main/a\\b.gguf`,
    `${repo}/blob/main/a\tb\n.gguf`,
    `//evil.example${repo}/blob/main/a.gguf`,
    `https://evil.example${repo}/blob/main/a.gguf`,
    `${HF}${repo}/blob/main/a.gguf`,
    'a.gguf',
    `${repo}/blob/main/a.gguf?x=1#y?show_file_info=b.gguf`,
    'http://[broken',
  ];
  const named = (url: { pathname: string; search: string } | null) =>
    url && {
      path: decodePathSegments(url.pathname.split('/')),
      info: new URLSearchParams(url.search).get('show_file_info'),
    };

  it.each(hrefs)('%s', (href) => {
    let reference: URL | null = null;
    try {
      reference = new URL(href, base);
    } catch {
      // broken: no target either way
    }
    const expected = reference?.origin === base.origin ? named(reference) : null;
    expect(named(linkTarget(href, () => base))).toEqual(expected);
  });

  // The same, written out by hand: a URL bug would otherwise agree with itself.
  it.each([
    [`${repo}/blob/main/../a.gguf`, { path: `${BARTOWSKI}/blob/a.gguf`, info: null }],
    [`${repo}/blob/main/%2e%2E/a.gguf`, { path: `${BARTOWSKI}/blob/a.gguf`, info: null }],
    [`${repo}/blob/./main/a.gguf`, { path: `${BARTOWSKI}/blob/main/a.gguf`, info: null }],
    [` ${repo}/blob/main/a.gguf `, { path: `${BARTOWSKI}/blob/main/a.gguf`, info: null }],
    [`${repo}/blob/main/a\\b.gguf`, { path: `${BARTOWSKI}/blob/main/a/b.gguf`, info: null }],
    [`${repo}/blob/main/a\tb\n.gguf`, { path: `${BARTOWSKI}/blob/main/ab.gguf`, info: null }],
    [
      `${repo}/tree/main?show_file_info=dir%2Fa.gguf#top`,
      { path: `${BARTOWSKI}/tree/main`, info: 'dir/a.gguf' },
    ],
    [`${HF}${repo}/blob/main/a.gguf`, { path: `${BARTOWSKI}/blob/main/a.gguf`, info: null }],
    [`//evil.example${repo}/blob/main/a.gguf`, null],
    [`https://evil.example${repo}/blob/main/a.gguf`, null],
    ['http://[broken', null],
  ])('%s names %j', (href, expected) => {
    expect(named(linkTarget(href, () => base))).toEqual(expected);
  });
});
