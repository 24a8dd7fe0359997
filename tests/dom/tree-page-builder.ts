// A "Files and versions" page with any number of GGUF files, written as Hugging Face's 2025 tree
// pages are (islands with the entries, `ul > li` rows with a /blob/ name link, an a[download]
// /resolve/ link, the last commit's links): for long-list tests and bench/page-cost.ts.

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A 2025-style "Files and versions" page with `count` GGUF files (rows as Hugging Face writes them). */
export function treePage(repo: string, count: number, sha: string): { html: string; files: string[] } {
  const files = Array.from({ length: count }, (_, i) => `model-${String(i).padStart(3, '0')}-Q4_K_M.gguf`);
  return {
    html: treePageOf(
      repo,
      files.map((path) => ({ path, size: 4_683_073_952 })),
      sha,
    ),
    files,
  };
}

/** The same page for the files given (root-level paths). */
export function treePageOf(repo: string, listed: Array<{ path: string; size: number }>, sha: string): string {
  const files = listed.map((f) => f.path);
  const entries = listed.map(({ path, size }) => ({ type: 'file', oid: sha, size, path }));
  const props = (value: unknown) => esc(JSON.stringify(value));
  const context = { repo: { name: repo, type: 'model' }, rev: 'main', path: '' };
  const rows = files
    .map(
      (file) => `<li class="relative grid h-10 grid-cols-12 place-content-center gap-x-3 border-t px-3">
<div class="col-span-8 flex items-center md:col-span-4 lg:col-span-3"><a class="group flex items-center truncate" href="/${repo}/blob/main/${file}"><svg class="flex-none mr-2" width="1em" height="1em" viewBox="0 0 32 32"><path d="M25.7 9.3l-7-7H8v28h18z"></path></svg><span class="truncate">${file}</span></a></div>
<a class="group col-span-4 flex items-center justify-self-end truncate font-mono text-gray-400" title="Download file" download href="/${repo}/resolve/main/${file}?download=true"><span class="truncate">4.68 GB</span></a>
<div class="col-span-3 hidden truncate md:block"><a class="text-gray-400 hover:underline" href="/${repo}/commit/${sha}">Upload ${file}</a></div>
<a class="col-span-1 hidden truncate text-right text-gray-400 md:block" href="/${repo}/commit/${sha}"><time datetime="2025-01-01T00:00:00">about 1 year ago</time></a></li>`,
    )
    .join('\n');
  return `<!DOCTYPE html><html class=""><head><meta charset="utf-8"><title>${repo} at main</title></head>
<body><div class="flex min-h-dvh flex-col">
<div class="SVELTE_HYDRATER contents" data-target="MainHeader" data-props="${props({ isZh: false })}"><header><a href="/">Hugging Face</a><nav><a href="/models">Models</a><a href="/datasets">Datasets</a></nav></header></div>
<main class="flex flex-1 flex-col">
<div class="SVELTE_HYDRATER contents" data-target="ModelHeader" data-props="${props({ activeTab: 'files', model: { id: repo, sha, tags: ['gguf'], ggufFilePaths: files } })}"><header><h1><a href="/${repo}">${repo}</a></h1><a href="/${repo}">Model card</a><a href="/${repo}/tree/main">Files and versions</a></header></div>
<div class="container"><section>
<div class="SVELTE_HYDRATER contents" data-target="ViewerHeader" data-props="${props({ context, refs: { branches: [{ name: 'main', ref: 'refs/heads/main', targetCommit: sha }], tags: [], converts: [] }, view: 'tree' })}"><button type="button">main</button></div>
<div class="SVELTE_HYDRATER contents" data-target="ViewerIndexTreeList" data-props="${props({ context, entries })}"><ul>
${rows}
</ul></div>
</section></div></main></div></body></html>`;
}
