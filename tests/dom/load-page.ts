import { readFileSync } from 'node:fs';
// happy-dom replaces the global URL and resolves file: URLs against http://localhost: use Node's.
import { URL as NodeURL } from 'node:url';

/** A saved page as its own Document: DOMParser runs no scripts and leaves the test's document alone. */
export function loadPage(name: string): Document {
  const html = readFileSync(new NodeURL(`../fixtures/pages/${name}`, import.meta.url), 'utf8');
  return new DOMParser().parseFromString(html, 'text/html');
}

export const HF = 'https://huggingface.co';
