// Adapts the Hub client's Range reads (through the scheduler) to a `RangeReader`, checking that the
// server answered the range that was asked for.

import { GgufError } from '../../lib/gguf/errors';
import type { RangeRead, RangeReader } from '../../lib/gguf/read-header';
import type { CallOptions, HubClient } from './client';

/** What `HubClient.readRange` returns (a scheduler response). */
export interface RangeResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** A reader of `path` at `commit` in `repo`, every read going through `hub.readRange`. */
export function hubRangeReader(
  hub: Pick<HubClient, 'readRange'>,
  repo: string,
  commit: string,
  path: string,
  call: CallOptions = {},
): RangeReader {
  return async (start, end) =>
    rangeReadFromResponse(await hub.readRange(repo, commit, path, start, end, call), start, end);
}

const CONTENT_RANGE = /^\s*bytes\s+(\d+)\s*-\s*(\d+)\s*\/\s*(\d+|\*)\s*$/i;

/**
 * Turns the answer to `Range: bytes=start-end` into the bytes from `start`: a 206 must carry the
 * range asked for (Content-Range), a 200 is the whole file (a server that ignores Range).
 */
export function rangeReadFromResponse(response: RangeResponse, start: number, end: number): RangeRead {
  const { status, body } = response;
  if (status === 200) {
    // The whole file: the part asked for is in it, and its length is the file's size.
    return { bytes: body.subarray(start, end + 1), totalSize: body.length };
  }
  if (status !== 206) {
    throw new GgufError('read-failed', `The server answered HTTP ${status} to a byte-range request.`);
  }
  const header = response.headers.get('content-range');
  if (header === null) {
    // No Content-Range on a 206 is unusual but harmless if the length fits.
    if (body.length > end - start + 1) {
      throw new GgufError(
        'range-ignored',
        `The server sent ${body.length} bytes for a ${end - start + 1}-byte range, without saying which.`,
      );
    }
    return { bytes: body };
  }
  const match = CONTENT_RANGE.exec(header);
  if (!match) {
    throw new GgufError('range-ignored', `The server answered with an unreadable Content-Range: ${header}.`);
  }
  const first = Number(match[1]);
  const last = Number(match[2]);
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (first !== start || last < first || last > end) {
    throw new GgufError(
      'range-ignored',
      `The server answered bytes ${first}-${last} when asked for bytes ${start}-${end}.`,
    );
  }
  if (body.length !== last - first + 1) {
    throw new GgufError(
      'size-mismatch',
      `The server announced bytes ${first}-${last} (${last - first + 1} bytes) but sent ${body.length}.`,
    );
  }
  if (total !== undefined && (!Number.isSafeInteger(total) || last >= total)) {
    throw new GgufError(
      'size-mismatch',
      `The server sent bytes ${first}-${last} of a file it says has only ${match[3]} bytes.`,
    );
  }
  if (total !== undefined && last < end && last !== total - 1) {
    throw new GgufError(
      'size-mismatch',
      `The server sent bytes ${first}-${last} of ${total} when asked for up to ${end}: a short answer before the end of the file.`,
    );
  }
  return total === undefined ? { bytes: body } : { bytes: body, totalSize: total };
}
