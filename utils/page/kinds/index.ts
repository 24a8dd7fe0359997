// Every kind of page that gets controls, in one list. A new kind is a file of this folder and a line
// here; tests/dom/page-kinds.test.ts checks each kind's example URLs against every other kind.

import type { RepoType } from '../read/repo-url';
import { blob } from './blob';
import type { Claim, PageKind } from './kind';
import { modelCard } from './model-card';
import { tree } from './tree';

export const PAGE_KINDS: readonly PageKind[] = [tree, blob, modelCard];

/** The kind that claims a repo page (and what its URL names), or null for any other page. */
export function claimPage(
  repoType: RepoType,
  rest: readonly string[],
  kinds: readonly PageKind[] = PAGE_KINDS,
): ({ kind: PageKind } & Claim) | null {
  for (const kind of kinds) {
    const claimed = kind.claim(repoType, rest);
    if (claimed) return { kind, ...claimed };
  }
  return null;
}

/** A kind by its name (a page context carries the name). */
export function pageKindNamed(name: string, kinds: readonly PageKind[] = PAGE_KINDS): PageKind | null {
  return kinds.find((k) => k.name === name) ?? null;
}
