// Saved and built Hugging Face pages from tests/fixtures/pages, and fake repos made from what the
// pages themselves say (ModelHeader's commit and GGUF paths, the tree's entries and sizes), so the
// impersonated API agrees with the page the extension reads.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GgufSummary } from '../../../utils/lib/estimate';
import { classifyGgufPath } from '../../../utils/lib/gguf-names';
import { headerFromSummary, oracleSummary } from '../../support/gguf-from-summary';
import type { FakeFile, FakeRepo } from './hf-server';

const PAGES = join(process.cwd(), 'tests/fixtures/pages');

export function fixturePage(name: string): string {
  return readFileSync(join(PAGES, name), 'utf8');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The data-props JSON of every island named `name` on the page. */
export function islandProps(html: string, name: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const tag of html.match(/<[a-z]+\s[^>]*data-target="[^"]*"[^>]*>/g) ?? []) {
    if (!tag.includes(`data-target="${name}"`)) continue;
    const props = /data-props="([^"]*)"/.exec(tag)?.[1];
    if (props) found.push(JSON.parse(decodeEntities(props)));
  }
  return found;
}

interface ModelHeaderProps {
  model?: { id?: string; sha?: string; ggufFilePaths?: string[] };
}

interface TreeListProps {
  entries?: Array<{ type: string; path: string; size?: number }>;
}

const summaries = new Map<string, GgufSummary>();
function summary(name: string): GgufSummary {
  const known = summaries.get(name) ?? oracleSummary(name);
  summaries.set(name, known);
  return known;
}

/**
 * Real headers for a repo's GGUF files: mmproj files get the Qwen2.5-VL projector's, shards of two
 * get Qwen2.5-72B's split shards, every other file Qwen2.5-7B Instruct Q4_K_M's.
 */
export function ggufHeaderFor(path: string, model = 'qwen2.5-7b-instruct-q4_k_m'): Uint8Array {
  const info = classifyGgufPath(path);
  if (info.kind === 'mmproj') return headerFromSummary(summary('mmproj-qwen2.5-vl-7b-instruct-f16')).header;
  if (info.shard && info.shard.count === 2) {
    return headerFromSummary(summary('qwen2.5-72b-instruct-q4_k_m'), info.shard.index - 1).header;
  }
  return headerFromSummary(summary(model)).header;
}

/** Built fixtures list small sizes for some files: a file is never smaller than its header. */
function withHeader(path: string, size: number, header: Uint8Array): FakeFile {
  return { path, size: Math.max(size, header.length * 2), header };
}

/** A fake repo with the page's commit and files; GGUF files serve real headers (see ggufHeaderFor). */
export function repoFromPage(html: string, headers: Record<string, Uint8Array> = {}): FakeRepo {
  const header = islandProps(html, 'ModelHeader')[0] as ModelHeaderProps | undefined;
  const id = header?.model?.id;
  const sha = header?.model?.sha;
  if (!id || !sha) throw new Error('The page has no ModelHeader with a model id and commit.');
  const sizes = new Map<string, number>();
  for (const list of islandProps(html, 'ViewerIndexTreeList') as TreeListProps[]) {
    for (const entry of list.entries ?? []) if (entry.type === 'file') sizes.set(entry.path, entry.size ?? 0);
  }
  for (const path of header?.model?.ggufFilePaths ?? []) if (!sizes.has(path)) sizes.set(path, 1_000_000_000);
  const files: FakeFile[] = [...sizes].map(([path, size]) =>
    path.endsWith('.gguf')
      ? withHeader(path, size, headers[path] ?? ggufHeaderFor(path))
      : { path, content: 'x'.repeat(Math.min(size, 64)) },
  );
  return { id, sha, files };
}
