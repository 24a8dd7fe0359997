// Reads a GGUF header through a byte-range reader in few reads without downloading much more than the
// header: a 1 MiB first read covers 32k-token vocabularies (0.8 MB); the second brings the total to
// 8 MiB, enough for 150k-token ones (5.8 MB for Qwen2.5, 7.6 MB for Llama 3.1); every later read
// quadruples what is held, never past `maxBytes`. A bigger first read would answer
// most headers in one request but send the CDN's zeros for every small one (a burst of checks is
// bound by those bytes): politeness to the Hub wins.
//
// The parser (parse-header.ts) is our own rather than @huggingface/gguf's `gguf()`, which it matches
// output for output (tests/unit/gguf-read-header.test.ts compares them). gguf() asks for 2 MB ranges
// with 0.5 MB look-ahead, pads whatever lies past the end of the file with zeros (so a truncated
// header parses "successfully"), throws bare Errors/RangeErrors, and imports @huggingface/tasks,
// which adds ~250 kB to a bundle. Only its types are used here.

import { formatBytes } from '../format';
import { GgufError } from './errors';
import { NeedMoreBytes, type ParsedGgufHeader, parseGgufHeader } from './parse-header';

/** The bytes [start, end] (inclusive) of a file, and the file's size when the server says it. */
export interface RangeRead {
  /** Must start at `start`. Fewer bytes than asked means the file ends there. */
  bytes: Uint8Array;
  /** The whole file's size (Content-Range's total), when known. */
  totalSize?: number;
}

export type RangeReader = (start: number, end: number) => Promise<RangeRead>;

export interface ReadHeaderOptions {
  /** The most bytes read in all (default 64 MiB). A header needing more is 'too-large'. */
  maxBytes?: number;
  /** Bytes of the first read (default 1 MiB). */
  firstChunk?: number;
  /**
   * The header's likely size when known (e.g. another shard's): if the first read falls short, the
   * next one reaches at least this far, saving a third read.
   */
  expectedSize?: number;
  /** The file's size when already known (model info): reads stop there, and the server must agree. */
  fileSize?: number;
  /**
   * Top-level metadata arrays with more items become their item count (default 1024: what the
   * estimator needs). `Infinity` gives exactly `gguf()`'s output, tokenizer strings and all.
   */
  keepArraysUpTo?: number;
  signal?: AbortSignal;
}

export interface GgufHeader extends ParsedGgufHeader {
  /** Bytes fetched through the reader. */
  headerBytesRead: number;
  /** Calls made to the reader. */
  requests: number;
  /** The file's size: from the server's Content-Range total, the caller's `fileSize`, or a short read. */
  fileSize: number | undefined;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FIRST_CHUNK = 1024 * 1024;
/** The second read makes the bytes held this many times larger, each later one GROWTH: 1 -> 8 -> 32 -> 64 MiB. */
const FIRST_GROWTH = 8;
const GROWTH = 4;

/** Reads and parses the GGUF header of one file. Every failure is a `GgufError`. */
export async function readGgufHeader(
  read: RangeReader,
  options: ReadHeaderOptions = {},
): Promise<GgufHeader> {
  try {
    return await readHeader(read, options);
  } catch (error) {
    throw asGgufError(error);
  }
}

async function readHeader(read: RangeReader, options: ReadHeaderOptions): Promise<GgufHeader> {
  const maxBytes = positiveInteger(options.maxBytes, DEFAULT_MAX_BYTES);
  const firstChunk = positiveInteger(options.firstChunk, DEFAULT_FIRST_CHUNK);
  const source = new ByteSource(read, maxBytes, options.signal);
  if (options.fileSize !== undefined) source.knowSize(options.fileSize, 'the caller');

  await source.readTo(Math.min(firstChunk, maxBytes));
  for (;;) {
    let parsed: ParsedGgufHeader;
    try {
      parsed = parseGgufHeader(source.bytes(), {
        eof: source.eof,
        maxBytes,
        keepArraysUpTo: options.keepArraysUpTo,
      });
    } catch (error) {
      if (!(error instanceof NeedMoreBytes)) throw error;
      const held = source.held;
      const growth = held <= firstChunk ? FIRST_GROWTH : GROWTH;
      await source.readTo(Math.min(maxBytes, Math.max(error.end, growth * held, options.expectedSize ?? 0)));
      continue;
    }
    return {
      ...parsed,
      headerBytesRead: source.held,
      requests: source.requests,
      fileSize: source.eof,
    };
  }
}

function asGgufError(error: unknown): GgufError {
  if (error instanceof GgufError) return error;
  return new GgufError('internal', 'Reading the GGUF header failed unexpectedly (a bug in the extension).', {
    cause: error,
  });
}

function positiveInteger(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value) || value < 1) return fallback;
  return Math.floor(value);
}

/** The file's first bytes, grown by reads; checks every answer against the request and the size. */
class ByteSource {
  private buffer = new Uint8Array(0);
  /** Bytes held: the file's bytes [0, held). */
  held = 0;
  requests = 0;
  /** The file's size once known (from the server, the caller, or a read that came back short). */
  eof: number | undefined;
  private eofSource = '';

  constructor(
    private readonly read: RangeReader,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.held);
  }

  knowSize(size: number, source: string): void {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new GgufError('size-mismatch', `${capitalize(source)} gave an impossible file size (${size}).`);
    }
    if (this.eof !== undefined && this.eof !== size) {
      throw new GgufError(
        'size-mismatch',
        `${capitalize(source)} says the file has ${size} bytes, but ${this.eofSource} said ${this.eof}.`,
      );
    }
    if (size < this.held) {
      throw new GgufError(
        'size-mismatch',
        `${capitalize(source)} says the file has ${size} bytes, but more (${this.held}) were already received.`,
      );
    }
    this.eof = size;
    this.eofSource = source;
  }

  /** Reads until `held` reaches `target` (or the end of the file). */
  async readTo(target: number): Promise<void> {
    const end = Math.min(target, this.eof ?? Number.POSITIVE_INFINITY, this.maxBytes);
    if (end <= this.held) return;
    const start = this.held;
    const answer = await this.call(start, end - 1);
    this.requests += 1;
    this.accept(start, end - 1, answer);
  }

  private async call(start: number, last: number): Promise<RangeRead> {
    const { signal } = this;
    if (signal?.aborted) throw aborted(signal);
    let pending: Promise<RangeRead>;
    try {
      pending = Promise.resolve(this.read(start, last));
    } catch (error) {
      throw readFailed(error, start, last);
    }
    if (!signal) return pending.catch((error: unknown) => Promise.reject(readFailed(error, start, last)));
    // A reader that never answers must not hold the caller past its signal.
    return new Promise<RangeRead>((resolve, reject) => {
      const onAbort = () => reject(aborted(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) reject(aborted(signal));
          else resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(signal.aborted ? aborted(signal) : readFailed(error, start, last));
        },
      );
    });
  }

  private accept(start: number, last: number, answer: RangeRead): void {
    const asked = last - start + 1;
    const bytes = (answer as Partial<RangeRead> | null | undefined)?.bytes;
    if (!(bytes instanceof Uint8Array)) {
      throw new GgufError('read-failed', `Reading bytes ${start}-${last} of the file gave no data.`);
    }
    const { totalSize } = answer;
    if (totalSize !== undefined) this.knowSize(totalSize, 'the server');

    let kept = bytes;
    if (bytes.length > asked) {
      // More than asked: the server ignored the Range header and sent the file from its start. That
      // is still the file's beginning when we asked from 0; from anywhere else it is not our range.
      if (start !== 0) {
        throw new GgufError(
          'range-ignored',
          `The server ignored the byte range: asked for ${formatBytes(asked)} from offset ${start}, it sent ${formatBytes(bytes.length)}.`,
        );
      }
      if (bytes.length > this.maxBytes) {
        kept = bytes.subarray(0, this.maxBytes);
      } else if (this.eof === undefined) {
        // A whole-file answer: its length is the file's size.
        this.eof = bytes.length;
        this.eofSource = 'a whole-file answer';
      }
    } else if (bytes.length < asked) {
      // Fewer bytes: the file ends here, which the size (if known) must confirm.
      const endHere = start + bytes.length;
      if (this.eof !== undefined && this.eof !== endHere) {
        throw new GgufError(
          'size-mismatch',
          `The server sent ${bytes.length} bytes from offset ${start}, fewer than the ${asked} asked for, although the file has ${this.eof} bytes (${this.eofSource}).`,
        );
      }
      this.eof = endHere;
      this.eofSource = 'a short read';
    }
    if (this.eof !== undefined && start + kept.length > this.eof) {
      throw new GgufError(
        'size-mismatch',
        `The server sent bytes up to offset ${start + kept.length}, past the end of the file it declared (${this.eof} bytes).`,
      );
    }
    this.append(start, kept);
  }

  private append(start: number, bytes: Uint8Array): void {
    const held = start + bytes.length;
    if (held > this.buffer.length) {
      const grown = new Uint8Array(held);
      grown.set(this.buffer.subarray(0, this.held));
      this.buffer = grown;
    }
    this.buffer.set(bytes, start);
    this.held = held;
  }
}

function aborted(signal: AbortSignal): GgufError {
  return new GgufError('aborted', 'Reading the GGUF header was cancelled.', {
    cause: signal.reason,
    retryable: true,
  });
}

function readFailed(error: unknown, start: number, last: number): GgufError {
  if (error instanceof GgufError) return error;
  const detail = error instanceof Error && error.message ? ` ${error.message}` : '';
  const retryable =
    typeof error === 'object' && error !== null && 'retryable' in error
      ? Boolean((error as { retryable: unknown }).retryable)
      : true;
  return new GgufError('read-failed', `Could not read bytes ${start}-${last} of the GGUF file.${detail}`, {
    cause: error,
    retryable,
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
