// Every kind of page, by its URLs, checked crosswise as github-url-detection does: each example URL is
// claimed by its own kind and by no other, and pages no kind claims stay 'other'. A new kind is one
// file and one line of registration: the fake one below is added that way and claims only its own.

import { describe, expect, it } from 'vitest';
import { PAGE_KINDS } from '../../utils/page/kinds';
import type { PageKind } from '../../utils/page/kinds/kind';
import { readPageContext } from '../../utils/page/read/page-context';
import { parseRepoPathname } from '../../utils/page/read/repo-url';
import { discussion } from './support/discussion-kind';

/** Pages of a repo, or of the Hub, that no kind claims. */
const UNCLAIMED = [
  'https://huggingface.co/o/r/discussions',
  'https://huggingface.co/o/r/resolve/main/x.gguf',
  'https://huggingface.co/o/r/commits/main',
  'https://huggingface.co/o/r/tree',
  'https://huggingface.co/datasets/o/r',
  'https://huggingface.co/spaces/o/r',
  'https://huggingface.co/models?search=gguf',
  'https://huggingface.co/',
  'https://huggingface.co/o',
];

const empty = () => document.implementation.createHTMLDocument('page');
const kindOf = (url: string, kinds: readonly PageKind[] = PAGE_KINDS) =>
  readPageContext(empty(), url, kinds).pageKind;

function claims(kind: PageKind, url: string): boolean {
  const parts = parseRepoPathname(new URL(url).pathname);
  return parts !== null && kind.claim(parts.repoType, parts.rest) !== null;
}

describe('page kinds', () => {
  for (const kind of PAGE_KINDS) {
    describe(kind.name, () => {
      it('has example URLs', () => {
        expect(kind.examples.length).toBeGreaterThan(0);
      });
      it.each(kind.examples)('claims %s, and no other kind does', (url) => {
        expect(kindOf(url)).toBe(kind.name);
        for (const other of PAGE_KINDS.filter((k) => k !== kind))
          expect(claims(other, url), other.name).toBe(false);
      });
    });
  }

  it.each(UNCLAIMED)('no kind claims %s', (url) => {
    expect(kindOf(url)).toBe('other');
    for (const kind of PAGE_KINDS) expect(claims(kind, url), kind.name).toBe(false);
  });

  it('the kinds have names of their own', () => {
    expect(new Set(PAGE_KINDS.map((k) => k.name)).size).toBe(PAGE_KINDS.length);
  });

  describe('a new kind: one file, one line', () => {
    const kinds = [...PAGE_KINDS, discussion];

    it.each(discussion.examples)('claims its own pages: %s', (url) => {
      expect(kindOf(url, kinds)).toBe('discussion');
      expect(kindOf(url)).toBe('other');
    });

    it('claims no page of another kind, and takes none from them', () => {
      for (const kind of PAGE_KINDS) {
        for (const url of kind.examples) {
          expect(claims(discussion, url), url).toBe(false);
          expect(kindOf(url, kinds), url).toBe(kind.name);
        }
      }
    });
  });
});
