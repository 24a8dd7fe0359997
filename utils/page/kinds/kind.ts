// A kind of Hugging Face page that gets controls: which URLs it claims, and what the annotator does
// on it. Each kind is a file of this folder, registered in index.ts; its example URLs are tested
// against every other kind (tests/dom/page-kinds.test.ts), so no two kinds claim one page.

import type { RepoType } from '../read/repo-url';

/** What a page's URL names. */
export interface Claim {
  revision?: string | null;
  path: string | null;
}

/** Where a control goes for a group of links to one model file. */
export type LinkPlacement = 'tree-row' | 'quant-list' | 'readme-link';

export interface PageKind {
  readonly name: string;
  /** Pages this kind claims (and no other kind may): the crosswise test reads them. */
  readonly examples: readonly string[];
  /**
   * Claims a repo page by what follows owner/name in its URL (raw segments), with the revision and
   * path the URL names (undefined: it names none; null: unreadable); null when not of this kind.
   */
  claim(repoType: RepoType, rest: readonly string[]): Claim | null;
  /** The page shows one model file (the control goes at its download link). */
  readonly viewsOneFile?: boolean;
  /** Where a control goes for links found on the page; none: no controls beside links. */
  placeLinks?(infoLink: boolean): LinkPlacement;
  /** The page's long list of files, annotated as its rows near the viewport. */
  longList?(doc: Document): HTMLCollectionOf<Element> | null;
  /**
   * Where "Check all quantizations" goes, given the controls already placed by their placement;
   * null: nowhere yet. Kinds without it get no bar.
   */
  bulkSpot?(doc: Document, placed: (kinds: readonly LinkPlacement[]) => Element[]): Element | null;
  /** Model cards: our own list of the repo's quantizations, when the page shows none. */
  readonly ownQuantList?: boolean;
}

/** The common ancestor of elements (null for none). */
export function commonAncestorOf(els: readonly Element[]): Element | null {
  let node: Element | null = els[0] ?? null;
  while (node && !els.every((el) => node?.contains(el))) node = node.parentElement;
  return node;
}
