// Reading GGUF headers from local files: Range reads become file reads, and a split model's first
// shard finds its siblings next to it.

import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RangeReader } from '../utils/lib/gguf';
import { classifyGgufPath, shardPaths } from '../utils/lib/gguf-names';

export function fileRangeReader(path: string): RangeReader {
  return async (start, end) => {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.max(0, Math.min(end + 1, size) - start);
      const bytes = new Uint8Array(length);
      await handle.read(bytes, 0, length, start);
      return { bytes, totalSize: size };
    } finally {
      await handle.close();
    }
  };
}

/** Every shard of the model `path` belongs to (the path itself for a single file), and their sizes. */
export async function localModelFiles(path: string): Promise<{ paths: string[]; sizes: number[] }> {
  const info = classifyGgufPath(basename(path));
  const names = info.kind === 'shard' ? shardPaths(basename(path)) : [basename(path)];
  const paths = names.map((name) => join(dirname(path), name));
  const sizes = await Promise.all(paths.map(async (p) => (await stat(p)).size));
  return { paths, sizes };
}
