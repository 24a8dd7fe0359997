// Shared by the page-*.test.ts e2e files: saved pages dressed for screenshots (the impersonated pages
// carry no Hugging Face CSS: a small sheet makes them readable, light or dark), page scripts that do
// what Hugging Face's client does ("Load more files", re-renders, pushState between tabs), and a way
// into our closed shadow roots through DevTools (page scripts cannot, tests may).

import type { CDPSession, Page } from 'playwright-core';

/** A sketch of Hugging Face's look; the class names are the fixtures' (this is the page's CSS, not ours). */
const PAGE_CSS = `
html { font: 14px/1.5 ui-sans-serif, system-ui, sans-serif; background: #fff; color: #111827; }
html.dark { background: #0b0f19; color: #e5e7eb; }
body { margin: 0; }
a { color: inherit; text-decoration: none; }
a[href*="/blob/"], a[href*="show_file_info"], td a { color: #2563eb; }
html.dark a[href*="/blob/"], html.dark a[href*="show_file_info"], html.dark td a { color: #93c5fd; }
svg { width: 1em; height: 1em; vertical-align: -2px; margin-right: 6px; }
.hidden, nav, footer, time, [class*="col-span-3"][class*="hidden"] { display: none; }
header { padding: 8px 24px; border-bottom: 1px solid #e5e7eb; }
html.dark header { border-color: #1f2937; }
h1 { font-size: 18px; margin: 8px 0; }
h1 div { display: inline; }
.tab-alternate { display: inline-block; margin-right: 16px; padding: 6px 0; }
.tab-alternate.active { border-bottom: 2px solid currentColor; font-weight: 600; }
main > div:not([data-target]), main > [data-target] + div { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
main > div:has(> section + section) { display: grid; grid-template-columns: minmax(0, 7fr) minmax(0, 5fr); gap: 32px; }
section { min-width: 0; }
p, pre { overflow-wrap: anywhere; }
ul { list-style: none; margin: 8px 0; padding: 0; border: 1px solid #e5e7eb; border-radius: 8px; }
html.dark ul, html.dark td, html.dark th { border-color: #1f2937; }
li { display: flex; align-items: center; gap: 16px; padding: 6px 12px; border-top: 1px solid #e5e7eb; }
html.dark li { border-color: #1f2937; }
li:first-child { border-top: 0; }
li > :first-child { flex: 1; min-width: 0; display: flex; align-items: center; }
a[download] { color: #6b7280; font-family: ui-monospace, monospace; font-size: 12px; }
a[download] div { display: none; }
table { display: block; overflow-x: auto; border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; }
pre { background: #f3f4f6; padding: 8px; white-space: pre-wrap; }
html.dark pre { background: #111827; }
.flex.flex-col.gap-1 > a { display: flex; justify-content: space-between; padding: 2px 4px; }
button { font: inherit; padding: 4px 10px; border: 1px solid #d1d5db; border-radius: 6px; background: none; color: inherit; }
`;

/** The page, with PAGE_CSS and optional page scripts. */
export function dressed(html: string, script = ''): string {
  const style = `<style>${PAGE_CSS}</style>`;
  const withStyle = html.includes('</head>') ? html.replace('</head>', `${style}</head>`) : style + html;
  return script ? withStyle.replace('</body>', `<script>${script}</script></body>`) : withStyle;
}

/**
 * Page script: "Load more files" appends `rows` (file names) to the tree list, as Hugging Face's
 * client does; window.rerenderList() replaces the list with a fresh copy (our controls gone), as a
 * re-render would.
 */
export function treeClientScript(repo: string, rows: string[]): string {
  return `
const list = () => document.querySelector('[data-target="ViewerIndexTreeList"] ul');
const more = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Load more files');
more?.addEventListener('click', () => {
  for (const file of ${JSON.stringify(rows)}) {
    const li = document.createElement('li');
    const name = document.createElement('a');
    name.href = '/${repo}/blob/main/' + encodeURIComponent(file);
    name.textContent = file;
    const dl = document.createElement('a');
    dl.href = '/${repo}/resolve/main/' + encodeURIComponent(file) + '?download=true';
    dl.setAttribute('download', '');
    dl.textContent = '5.32 GB';
    li.append(name, dl);
    list().append(li);
  }
  more.remove();
});
window.rerenderList = () => {
  const copy = list().cloneNode(true);
  copy.querySelectorAll('gpustack-check').forEach((el) => el.remove());
  list().replaceWith(copy);
};
// Tabs without a page load: fetch the next page, swap the content, pushState (and back on popstate).
const swap = async (href) => {
  const html = await (await fetch(href)).text();
  const next = new DOMParser().parseFromString(html, 'text/html');
  document.querySelector('main').replaceWith(document.adoptNode(next.querySelector('main')));
};
document.addEventListener('click', async (event) => {
  const tab = event.target.closest('a.tab-alternate');
  if (!tab) return;
  event.preventDefault();
  await swap(tab.href);
  history.pushState({}, '', tab.href);
});
addEventListener('popstate', () => swap(location.href));
`;
}

async function withShadowRoot<T>(page: Page, selector: string, fn: string, arg?: unknown): Promise<T> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`No element matches ${selector}`);
    const { node } = await cdp.send('DOM.describeNode', { nodeId, depth: 1, pierce: true });
    const shadow = node.shadowRoots?.[0];
    if (!shadow) throw new Error(`${selector} has no shadow root`);
    if (shadow.shadowRootType !== 'closed')
      throw new Error(`${selector}'s shadow root is ${shadow.shadowRootType}`);
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId });
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId as string,
      functionDeclaration: fn,
      arguments: [{ value: arg }],
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value as T;
  } finally {
    await cdp.detach();
  }
}

/** What the first element matching `selector` shows in its closed shadow root (style sheet left out). */
export function shadowText(page: Page, selector: string, inner = '.gs'): Promise<string> {
  return withShadowRoot(
    page,
    selector,
    'function (inner) { return this.querySelector(inner)?.textContent ?? ""; }',
    inner,
  );
}

/**
 * Clicks `inner` inside the closed shadow root of the first element matching `selector` with the
 * mouse, as a user would: DevTools finds where it is, the click is real input (isTrusted).
 */
export async function clickInShadow(page: Page, selector: string, inner: string): Promise<void> {
  const box = await withShadowRoot<{ x: number; y: number; width: number; height: number }>(
    page,
    selector,
    `function (inner) {
      const el = this.querySelector(inner);
      if (!el) throw new Error('nothing matches ' + inner);
      el.scrollIntoView({ block: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }`,
    inner,
  );
  if (box.width === 0 || box.height === 0) throw new Error(`${inner} in ${selector} is not visible`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Sets a <select> inside the closed shadow root and fires its change event. */
export function chooseInShadow(page: Page, selector: string, inner: string, value: string): Promise<void> {
  return withShadowRoot(
    page,
    selector,
    `function ([inner, value]) {
      const el = this.querySelector(inner);
      el.value = value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }`,
    [inner, value],
  );
}

/** The page's dark theme, as Hugging Face sets it (class "dark" on <html>). */
export async function setDark(page: Page, dark: boolean): Promise<void> {
  await page.evaluate((on) => document.documentElement.classList.toggle('dark', on), dark);
}
