// Finds where on a Hugging Face page a check control goes: next to each link to a GGUF model file of
// the page's own repo. Links are recognised by their target (/blob/, /resolve/, ?show_file_info=),
// never by class names, so restyles and nesting changes don't matter.

import { isModelFileToCheck } from '../../lib/gguf-names';
import { TAGS } from '../contract';
import { pageKindNamed } from '../kinds';
import type { LinkPlacement } from '../kinds/kind';
import type { PageContext } from './page-context';
import { decodePathSegments, parseRepoPathname, safeDecode } from './repo-url';

export type TargetKind = LinkPlacement | 'blob';

export interface CheckTarget {
  /** Repo path of the file, decoded ('dir/name.gguf'). */
  file: string;
  /** Insert the control right after this element. */
  anchor: Element;
  kind: TargetKind;
  /** Revision in the link (decoded); null when the link names none (the repo's default branch). */
  revision: string | null;
}

/** Tag of the element our UI mounts in. */

export function isOwnControl(el: Element | null | undefined): boolean {
  return el?.localName === TAGS.control;
}

type LinkRole = 'blob' | 'resolve' | 'info';

interface FileLink {
  el: Element;
  file: string;
  revision: string | null;
  role: LinkRole;
}

// Anchor preference inside one container: the file's name link reads best, then the download link.
const ROLE_RANK: Record<LinkRole, number> = { blob: 0, resolve: 1, info: 2 };

// What URL would read differently from the text of an href: '//', backslashes, tabs and line
// breaks, spaces around, dot segments (plain or encoded).
const REWRITTEN = ['\\', '\t', '\n', '\r', '/.', '%2e', '%2E'];

/**
 * Path and query of a link to the page's own site; null for other sites and broken links. The Hub's
 * own links are plain root-relative paths, read as they are: no URL object for each of a page's
 * hundreds. Anything URL would rewrite goes through URL.
 */
export function linkTarget(href: string, base: () => URL): { pathname: string; search: string } | null {
  if (
    href[0] === '/' &&
    href[1] !== '/' &&
    href.trim() === href &&
    !REWRITTEN.some((c) => href.includes(c))
  ) {
    const bare = href.split('#')[0] as string;
    const q = bare.indexOf('?');
    return q < 0 ? { pathname: bare, search: '' } : { pathname: bare.slice(0, q), search: bare.slice(q) };
  }
  try {
    const url = new URL(href, base());
    return url.origin === base().origin ? url : null;
  } catch {
    return null;
  }
}

function parseFileLink(el: Element, href: string, base: () => URL, repoLower: string): FileLink | null {
  const url = linkTarget(href, base);
  if (!url) return null;
  const parts = parseRepoPathname(url.pathname);
  if (parts?.repoType !== 'model' || parts.repo.toLowerCase() !== repoLower) return null;
  const [section, rev, ...pathSegs] = parts.rest;
  let role: LinkRole;
  let revision: string | null;
  let file: string | null;
  if ((section === 'blob' || section === 'resolve') && rev !== undefined && pathSegs.length > 0) {
    role = section;
    revision = safeDecode(rev);
    file = decodePathSegments(pathSegs);
    if (revision === null) return null;
  } else if (section === undefined || section === 'tree') {
    // The GGUF quant list / file-info viewer: /{repo}?show_file_info={path} (also under /tree/{rev}).
    file = new URLSearchParams(url.search).get('show_file_info');
    role = 'info';
    revision = section === 'tree' && rev !== undefined ? safeDecode(rev) : null;
  } else {
    return null;
  }
  if (!file) return null;
  return { el, file, revision, role };
}

/** The deepest element holding both. */
function commonAncestor(a: Element, b: Element): Element | null {
  let cur: Element | null = a;
  while (cur && !cur.contains(b)) cur = cur.parentElement;
  return cur;
}

let base: URL | undefined;

/** Every link of this repo to a file, in document order, from one querySelectorAll pass. */
function collectFileLinks(root: ParentNode, ctx: PageContext, repo: string): FileLink[] {
  // Made for the first link that needs it, once per page: a long list asks row by row.
  const pageBase = () => {
    if (base?.href !== ctx.url) base = new URL(ctx.url);
    return base;
  };
  const repoLower = repo.toLowerCase();
  const out: FileLink[] = [];
  for (const el of root.querySelectorAll('a[href]')) {
    const href = el.getAttribute('href') ?? '';
    // Cheap string test first: most links on a page are navigation, avatars, tags.
    if (!href.includes('blob/') && !href.includes('resolve/') && !href.includes('show_file_info')) continue;
    if (el.closest(TAGS.control)) continue;
    const link = parseFileLink(el, href, pageBase, repoLower);
    if (link) out.push(link);
  }
  return out;
}

interface Group {
  links: FileLink[];
  container: Element | null;
  first: number;
}

// Links to the same file that share an ancestor holding no link to another file are one place on the
// page (a tree row's name link + download link); the same file linked from elsewhere is another.
function groupLinks(links: readonly FileLink[], wanted: (l: FileLink) => boolean): Group[] {
  const open = new Map<string, Group>();
  const groups: Group[] = [];
  links.forEach((link, index) => {
    if (!wanted(link)) return;
    const group = open.get(link.file);
    if (group) {
      const lca = commonAncestor(group.container ?? (group.links[0] as FileLink).el, link.el);
      if (lca && onlyFileInside(links, lca, group.first, index, link.file)) {
        group.links.push(link);
        group.container = lca;
        return;
      }
    }
    const fresh: Group = { links: [link], container: null, first: index };
    open.set(link.file, fresh);
    groups.push(fresh);
  });
  return groups;
}

// The links inside an element are contiguous in document order: scan from `from` to `to`, then
// outwards while still inside.
function onlyFileInside(
  links: readonly FileLink[],
  el: Element,
  from: number,
  to: number,
  file: string,
): boolean {
  for (let i = from; i <= to; i++) if ((links[i] as FileLink).file !== file) return false;
  for (let i = from - 1; i >= 0; i--) {
    const l = links[i] as FileLink;
    if (!el.contains(l.el)) break;
    if (l.file !== file) return false;
  }
  for (let i = to + 1; i < links.length; i++) {
    const l = links[i] as FileLink;
    if (!el.contains(l.el)) break;
    if (l.file !== file) return false;
  }
  return true;
}

function hasControlAfter(el: Element): boolean {
  return isOwnControl(el.nextElementSibling);
}

function alreadyHosted(group: Group): boolean {
  if (group.links.some((l) => hasControlAfter(l.el))) return true;
  return group.container !== null && group.container.querySelector(TAGS.control) !== null;
}

function bestLink(links: readonly FileLink[]): FileLink {
  let best = links[0] as FileLink;
  for (const l of links) if (ROLE_RANK[l.role] < ROLE_RANK[best.role]) best = l;
  return best;
}

// On a .gguf blob page the viewed file gets one control: at its download link when there is one (the
// toolbar's a[download] comes first), else at the file viewer's island.
function blobTarget(root: ParentNode, ctx: PageContext, links: readonly FileLink[]): CheckTarget[] {
  const own = links.filter(
    (l) => l.file === ctx.path && l.role !== 'info' && (ctx.revision === null || l.revision === ctx.revision),
  );
  if (own.some((l) => hasControlAfter(l.el))) return [];
  const anchor =
    own.find((l) => l.role === 'resolve' && l.el.hasAttribute('download'))?.el ??
    own.find((l) => l.role === 'resolve')?.el ??
    own[0]?.el ??
    root.querySelector(
      '[data-target="FileInfo"], [data-target="ViewerHeader"], [data-target="BranchSelector"]',
    );
  if (!anchor || hasControlAfter(anchor)) return [];
  return [{ file: ctx.path, anchor, kind: 'blob', revision: ctx.revision }];
}

/**
 * The GGUF model files on this page that want a control (single files and first shards only), one per
 * file and place. Empty unless the page belongs to a GGUF model repo. Places that already have our
 * control right after the anchor (or inside their row) are left out, so calling it again after a
 * re-render or "Load more files" only yields the new ones.
 */
export function findCheckTargets(root: ParentNode, ctx: PageContext): CheckTarget[] {
  if (!ctx.repo || ctx.repoType !== 'model' || !ctx.isGgufRepo) return [];
  const links = collectFileLinks(root, ctx, ctx.repo);

  const kind = pageKindNamed(ctx.pageKind);
  if (kind?.viewsOneFile && isModelFileToCheck(ctx.path)) return blobTarget(root, ctx, links);

  const checkable = new Map<string, boolean>();
  const wanted = (l: FileLink): boolean => {
    let ok = checkable.get(l.file);
    if (ok === undefined) {
      ok = isModelFileToCheck(l.file);
      checkable.set(l.file, ok);
    }
    return ok;
  };

  const targets: CheckTarget[] = [];
  for (const group of groupLinks(links, wanted)) {
    if (alreadyHosted(group)) continue;
    const best = bestLink(group.links);
    // Elsewhere than the kinds' own places, links to files are read as a README's.
    const info = best.role === 'info';
    const placement = kind?.placeLinks?.(info) ?? (info ? 'quant-list' : 'readme-link');
    // A file-info link names no revision; a sibling blob/resolve link in the same place may.
    const revision = best.revision ?? group.links.find((l) => l.revision !== null)?.revision ?? null;
    targets.push({ file: best.file, anchor: best.el, kind: placement, revision });
  }
  return targets;
}
