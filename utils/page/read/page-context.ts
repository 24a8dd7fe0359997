// Reads what a Hugging Face page says about itself: the URL plus the JSON props of its server-rendered
// Svelte islands (`<div data-target="NAME" data-props="{...}">`). Never class names: they change with
// every restyle, the props and URLs far less often.

import { isGgufPath } from '../../lib/gguf-names';
import { claimPage, PAGE_KINDS } from '../kinds';
import type { PageKind } from '../kinds/kind';
import { parseRepoPathname, type RepoType } from './repo-url';

export interface Island {
  name: string;
  props: unknown;
}

export interface PageContext {
  /** The page URL the context was read for: the base for resolving relative links. */
  url: string;
  /** 'owner/name', as the page spells it. */
  repo: string | null;
  repoType: RepoType | null;
  /** Branch, tag or commit from the URL (decoded), else from the page's branch selector. */
  revision: string | null;
  /** 40-hex commit the page shows for `revision`, when it says so. */
  commit: string | null;
  /** Decoded file or folder path after the revision; '' at the repo root. */
  path: string;
  /** The name of the page kind that claims it (kinds/), or 'other'. */
  pageKind: string;
  isGgufRepo: boolean;
  ggufFilePaths: string[];
  /** The signed-in user's saved hardware as the page has it (unvalidated); null when absent. */
  hardwareItems: unknown[] | null;
}

/** A URL's text, or a Location (or URL), whose path is read as it is. */
export type PageLocation = string | { href: string; pathname: string };

/**
 * Every island with parseable props in document order, or the first one of each name asked for (in
 * the order asked: each search stops at its island, and the headers come before a long file list).
 * A broken one is skipped, not fatal.
 */
export function readIslands(root: ParentNode, names?: readonly string[]): Island[] {
  const out: Island[] = [];
  const els = names
    ? names.map((name) => root.querySelector(`[data-target="${name}"][data-props]`))
    : root.querySelectorAll('[data-target][data-props]');
  for (const el of els) {
    const name = el?.getAttribute('data-target');
    const raw = el?.getAttribute('data-props');
    if (!name || raw == null) continue;
    try {
      out.push({ name, props: JSON.parse(raw) as unknown });
    } catch {
      // A truncated or hand-edited island must not hide the others.
    }
  }
  return out;
}

const HEX_DIGITS = '0123456789abcdefABCDEF';
/** A full commit id. (No regular expression: the page's first one costs it half a millisecond.) */
const isCommitId = (value: string) => value.length === 40 && [...value].every((c) => HEX_DIGITS.includes(c));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const key of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function toUrl(location: PageLocation): { href: string; pathname: string } {
  if (typeof location === 'string') return new URL(location);
  return location.pathname === undefined
    ? new URL(location.href)
    : { href: location.href, pathname: location.pathname };
}

function findIsland(islands: readonly Island[], name: string): unknown {
  return islands.find((i) => i.name === name)?.props;
}

interface ViewerInfo {
  repo: string | null;
  repoType: RepoType | null;
  rev: string | null;
  path: string | null;
  refs: unknown;
}

// ViewerHeader (2025+) nests {repo:{name,type}, rev, path} under context; BranchSelector (2024) has
// them flat as repoName / repoType / rev / path.
function readViewer(islands: readonly Island[]): ViewerInfo | null {
  const viewer = findIsland(islands, 'ViewerHeader');
  if (isRecord(viewer)) {
    const ctx = get(viewer, 'context');
    return {
      repo: str(get(ctx, 'repo', 'name')),
      repoType: asRepoType(get(ctx, 'repo', 'type')),
      rev: str(get(ctx, 'rev')),
      path: typeof get(ctx, 'path') === 'string' ? (get(ctx, 'path') as string) : null,
      refs: get(viewer, 'refs'),
    };
  }
  const branch = findIsland(islands, 'BranchSelector');
  if (isRecord(branch)) {
    return {
      repo: str(branch.repoName),
      repoType: asRepoType(branch.repoType),
      rev: str(branch.rev),
      path: typeof branch.path === 'string' ? branch.path : null,
      refs: branch.refs,
    };
  }
  return null;
}

function asRepoType(value: unknown): RepoType | null {
  return value === 'model' || value === 'dataset' || value === 'space' ? value : null;
}

function commitFromRefs(refs: unknown, revision: string): string | null {
  for (const kind of ['branches', 'tags', 'converts']) {
    const list = get(refs, kind);
    if (!Array.isArray(list)) continue;
    for (const ref of list) {
      if (get(ref, 'name') !== revision) continue;
      const target = get(ref, 'targetCommit');
      if (typeof target === 'string' && isCommitId(target)) return target.toLowerCase();
    }
  }
  return null;
}

// A repo the Hub did not tag 'gguf' and whose ModelHeader lists no GGUF file: its tree page's file
// list (hundreds of entries; read only then) may still name one.
function listsGguf(doc: ParentNode): boolean {
  const entries = get(readIslands(doc, [TREE_LIST])[0]?.props, 'entries');
  return Array.isArray(entries) && entries.some((e) => isGgufPath(String(get(e, 'path'))));
}

// Saved hardware lives in authLight.u of MainHeader (2025+), and also of ModelHeader/ViewerHeader:
// the context's islands come in that order.
function readHardwareItems(islands: readonly Island[]): unknown[] | null {
  for (const island of islands) {
    const items = get(island.props, 'authLight', 'u', 'hardwareItems');
    if (Array.isArray(items)) return items as unknown[];
  }
  return null;
}

// The islands a page context is read from; a page has a dozen more (banners, buttons, the file
// viewer) whose props would only cost parsing time. BranchSelector is the 2024 pages' ViewerHeader:
// looked for only where there is none (a search for a missing island reads the whole page).
// ViewerIndexTreeList (the file list, hundreds of entries) is read only when asked for.
const CONTEXT_ISLANDS = ['MainHeader', 'ModelHeader', 'ViewerHeader'];
const TREE_LIST = 'ViewerIndexTreeList';

export function readPageContext(
  doc: ParentNode,
  location: PageLocation,
  kinds: readonly PageKind[] = PAGE_KINDS,
): PageContext {
  const url = toUrl(location);
  const islands = readIslands(doc, CONTEXT_ISLANDS);
  if (!islands.some((i) => i.name === 'ViewerHeader')) islands.push(...readIslands(doc, ['BranchSelector']));
  const model = get(findIsland(islands, 'ModelHeader'), 'model');
  const viewer = readViewer(islands);

  const parts = parseRepoPathname(url.pathname);
  let repo = parts?.repo ?? null;
  let repoType = parts?.repoType ?? null;
  const rest = parts?.rest ?? [];

  // The kinds registered in kinds/index.ts say which page this is, and which revision and path its
  // URL names.
  const claimed = repo && parts ? claimPage(parts.repoType, rest, kinds) : null;
  const pageKind = claimed?.kind.name ?? 'other';
  // A revision the URL names but that does not decode: the viewer's.
  const revision = claimed?.revision === null ? (viewer?.rev ?? null) : (claimed?.revision ?? null);
  const path = claimed ? (claimed.path ?? viewer?.path ?? '') : '';

  // The page's own word on the repo id wins on case ('thebloke/x' URLs show 'TheBloke/x').
  const modelId = str(get(model, 'id'));
  if (repo && repoType === 'model' && modelId && modelId.toLowerCase() === repo.toLowerCase()) {
    repo = modelId;
  } else if (repo && viewer?.repo && viewer.repo.toLowerCase() === repo.toLowerCase()) {
    repo = viewer.repo;
    repoType = viewer.repoType ?? repoType;
  }

  const commit = pickCommit(revision, model, viewer);

  const ggufFilePaths: string[] = [];
  const list = get(model, 'ggufFilePaths');
  if (Array.isArray(list)) for (const p of list) if (typeof p === 'string') ggufFilePaths.push(p);
  const tags = get(model, 'tags');
  const isGgufRepo =
    (Array.isArray(tags) && tags.includes('gguf')) ||
    ggufFilePaths.length > 0 ||
    isGgufPath(path) ||
    (claimed?.kind.longList !== undefined && listsGguf(doc));

  return {
    url: url.href,
    repo,
    repoType,
    revision,
    commit,
    path,
    pageKind,
    isGgufRepo,
    ggufFilePaths,
    hardwareItems: readHardwareItems(islands),
  };
}

// A commit is only reported when it certainly belongs to the viewed revision: the URL names a commit,
// the branch selector maps the revision to one, or ModelHeader.model.sha on a main/default view.
function pickCommit(revision: string | null, model: unknown, viewer: ViewerInfo | null): string | null {
  if (revision !== null && isCommitId(revision)) return revision.toLowerCase();
  if (revision !== null && viewer) {
    const fromRefs = commitFromRefs(viewer.refs, revision);
    if (fromRefs) return fromRefs;
  }
  const sha = get(model, 'sha');
  if (typeof sha === 'string' && isCommitId(sha) && (revision === null || revision === 'main')) {
    return sha.toLowerCase();
  }
  return null;
}
