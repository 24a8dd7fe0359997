// A model's card: /{repo}. Controls beside the page's own list of quantizations (file-info links),
// else beside the README's links to files; "Check all" above them; when the page shows no list of
// its own, our list of the repo's quantizations in the sidebar.

import { commonAncestorOf, type PageKind } from './kind';

export const modelCard: PageKind = {
  name: 'model-card',
  examples: [
    'https://huggingface.co/bartowski/Qwen2.5-7B-Instruct-GGUF',
    'https://huggingface.co/TheBloke/x-GGUF/',
  ],
  claim: (repoType, rest) => (repoType === 'model' && rest.length === 0 ? { path: '' } : null),
  placeLinks: (infoLink) => (infoLink ? 'quant-list' : 'readme-link'),
  bulkSpot(_doc, placed) {
    const list = placed(['quant-list']);
    const around = commonAncestorOf(list.length > 0 ? list : placed(['readme-link']));
    return around?.closest('table') ?? around;
  },
  ownQuantList: true,
};
