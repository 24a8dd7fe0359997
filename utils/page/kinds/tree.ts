// "Files and versions": /{repo}/tree/{revision}/{folder}. A control in each GGUF model file's row;
// long lists are annotated as their rows near the viewport; "Check all" sits above the list.

import { decodePathSegments, safeDecode } from '../read/repo-url';
import { commonAncestorOf, type PageKind } from './kind';

/** The file list island: its rows are the Hub's <li>s (found by element names, not classes). */
const FILE_LIST = '[data-target="ViewerIndexTreeList"]';

export const tree: PageKind = {
  name: 'tree',
  examples: [
    'https://huggingface.co/bartowski/Qwen2.5-7B-Instruct-GGUF/tree/main',
    'https://huggingface.co/unsloth/DeepSeek-R1-GGUF/tree/main/Q4_K_M',
    'https://huggingface.co/o/r/tree/refs%2Fpr%2F3',
    'https://huggingface.co/datasets/o/r/tree/main',
  ],
  claim(_repoType, rest) {
    if (rest[0] !== 'tree' || rest.length < 2) return null;
    // Branch names with '/' arrive as one %2F-encoded segment.
    return { revision: safeDecode(rest[1] ?? ''), path: decodePathSegments(rest.slice(2)) };
  },
  placeLinks: () => 'tree-row',
  longList: (doc) => doc.querySelector(FILE_LIST)?.getElementsByTagName('li') ?? null,
  bulkSpot: (doc, placed) => doc.querySelector(FILE_LIST) ?? commonAncestorOf(placed(['tree-row'])),
};
