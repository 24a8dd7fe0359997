// A page kind that does not exist in the product, written as a new one would be: one file, then one
// line in the list of kinds. tests/dom/page-kinds.test.ts registers it and checks it claims its own
// pages and no other kind's.

import type { PageKind } from '../../../utils/page/kinds/kind';

export const discussion: PageKind = {
  name: 'discussion',
  examples: [
    'https://huggingface.co/o/r/discussions/12',
    'https://huggingface.co/bartowski/x-GGUF/discussions/1',
  ],
  claim: (repoType, rest) =>
    repoType === 'model' && rest[0] === 'discussions' && rest.length === 2 ? { path: '' } : null,
  placeLinks: () => 'readme-link',
};
