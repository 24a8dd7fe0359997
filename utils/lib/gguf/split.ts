// Split models (NAME-00001-of-0000N.gguf ...): every shard's header lists its own tensors, so all of
// them are read. The first shard holds the metadata (and the big tokenizer arrays); llama.cpp's
// gguf-split gives the others only split.* keys and their tensor infos, usually a few kB. So the
// first shard is read alone with the full first chunk, the others with a small one, told how big
// the first header was in case a tool repeated the metadata in every shard.

import { GgufError } from './errors';
import { type GgufHeader, type RangeReader, type ReadHeaderOptions, readGgufHeader } from './read-header';

export interface ReadModelOptions extends Omit<ReadHeaderOptions, 'fileSize' | 'expectedSize'> {
  /** First read of shards after the first (default 512 KiB). */
  shardFirstChunk?: number;
  /** Shards read at the same time after the first (default 2). */
  concurrency?: number;
  /** Each shard's size when known (model info), in the order of `paths`. */
  fileSizes?: ReadonlyArray<number | undefined>;
}

export const DEFAULT_SHARD_FIRST_CHUNK = 512 * 1024;

/** Reads the header of every file of one model, in the order of `paths`; checks the split.* keys. */
export async function readGgufModel(
  readFor: (path: string) => RangeReader,
  paths: readonly string[],
  options: ReadModelOptions = {},
): Promise<GgufHeader[]> {
  if (paths.length === 0) throw new GgufError('bad-split', 'No GGUF file to read.');
  const { shardFirstChunk, concurrency, fileSizes, ...common } = options;
  const readOne = async (index: number, extra: ReadHeaderOptions) => {
    const path = paths[index] as string;
    let read: RangeReader;
    try {
      read = readFor(path);
    } catch (error) {
      throw new GgufError('read-failed', `Could not start reading ${path}.`, { cause: error });
    }
    try {
      return await readGgufHeader(read, { ...common, ...extra, fileSize: fileSizes?.[index] });
    } catch (error) {
      throw inShard(error, path, paths.length);
    }
  };

  const first = await readOne(0, {});
  const headers: GgufHeader[] = new Array(paths.length);
  headers[0] = first;
  checkShard(first, 0, paths);

  const rest = paths.map((_, i) => i).slice(1);
  const later: ReadHeaderOptions = {
    firstChunk: Math.min(shardFirstChunk ?? DEFAULT_SHARD_FIRST_CHUNK, common.firstChunk ?? Infinity),
    // If this shard repeats the metadata, its header is about as big as the first one's.
    expectedSize: first.tensorInfoByteRange[0] + 64 * 1024,
  };
  const workers = Math.max(1, Math.min(concurrency ?? 2, rest.length));
  let failed: unknown;
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (failed === undefined && next < rest.length) {
        const index = rest[next++] as number;
        try {
          const header = await readOne(index, later);
          checkShard(header, index, paths);
          headers[index] = header;
        } catch (error) {
          failed ??= error;
        }
      }
    }),
  );
  if (failed !== undefined) throw failed;
  checkTensorTotal(headers, paths);
  return headers;
}

function inShard(error: unknown, path: string, count: number): GgufError {
  if (!(error instanceof GgufError)) {
    return new GgufError('internal', `Reading ${path} failed unexpectedly (a bug in the extension).`, {
      cause: error,
    });
  }
  if (count < 2) return error;
  return new GgufError(error.reason, `${path}: ${error.message}`, {
    cause: error.cause,
    retryable: error.retryable,
  });
}

function integer(value: unknown): number | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

// gguf-split writes split.no (0-based), split.count and, on every shard, split.tensors.count.
function checkShard(header: GgufHeader, index: number, paths: readonly string[]): void {
  const { metadata } = header;
  const path = paths[index] as string;
  const count = integer(metadata['split.count']);
  const no = integer(metadata['split.no']);
  if (paths.length === 1) {
    if (count !== undefined && count > 1) {
      throw new GgufError(
        'bad-split',
        `${path} is shard ${(no ?? 0) + 1} of ${count}; read the model through its first shard and all the others.`,
      );
    }
    return;
  }
  if (count !== undefined && count !== paths.length) {
    throw new GgufError(
      'bad-split',
      `${path} says the model has ${count} shards, but its file names say ${paths.length}.`,
    );
  }
  if (no !== undefined && no !== index) {
    throw new GgufError(
      'bad-split',
      `${path} says it is shard ${no + 1}, but its file name says shard ${index + 1}.`,
    );
  }
}

function checkTensorTotal(headers: readonly GgufHeader[], paths: readonly string[]): void {
  if (headers.length < 2) return;
  const declared = integer(headers[0]?.metadata['split.tensors.count']);
  if (declared === undefined) return;
  const found = headers.reduce((n, h) => n + h.tensorInfos.length, 0);
  if (found !== declared) {
    throw new GgufError(
      'bad-split',
      `The ${paths.length} shards describe ${found} tensors, but the first says the model has ${declared}.`,
    );
  }
}
