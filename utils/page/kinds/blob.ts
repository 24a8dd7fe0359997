// One file: /{repo}/blob/{revision}/{path}. A .gguf model file gets one control, at its download link.

import { decodePathSegments, safeDecode } from '../read/repo-url';
import type { PageKind } from './kind';

export const blob: PageKind = {
  name: 'blob',
  examples: [
    'https://huggingface.co/bartowski/Qwen2.5-7B-Instruct-GGUF/blob/main/Qwen2.5-7B-Instruct-Q4_K_M.gguf',
    'https://huggingface.co/o/r/blob/main/Q4_K_M/r-Q4_K_M-00001-of-00002.gguf',
    'https://huggingface.co/o/r/blob/main/README.md',
  ],
  claim(_repoType, rest) {
    if (rest[0] !== 'blob' || rest.length < 2) return null;
    return { revision: safeDecode(rest[1] ?? ''), path: decodePathSegments(rest.slice(2)) };
  },
  viewsOneFile: true,
};
