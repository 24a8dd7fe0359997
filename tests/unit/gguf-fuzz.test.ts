// Thousands of broken variants of small valid headers (seeded, so every run is the same): byte flips,
// cuts, inserted and deleted bytes, count and length fields set to extreme values. Every read must
// end in a parse or a GgufError, within a second; a parse must stay inside the file and agree with
// @huggingface/gguf's gguf() on the same bytes, and a refusal must be of bytes gguf() cannot read
// within the file either.

import { gguf } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { GgufError, type GgufHeader, readGgufHeader } from '../../utils/lib/gguf';
import { fileReader, fileSlice, llama3Header, smallHeader, type WrittenHeader } from './support/gguf-writer';

const ITERATIONS = 10_000;

const HANG_MS = 1000;

// mulberry32: a small seeded PRNG.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Base {
  name: string;
  written: WrittenHeader;
  littleEndian: boolean;
}

const bases: Base[] = [
  { name: 'v3', written: smallHeader(), littleEndian: true },
  { name: 'v2', written: smallHeader({ version: 2 }), littleEndian: true },
  { name: 'v1', written: smallHeader({ version: 1 }), littleEndian: true },
  { name: 'v3 big-endian', written: smallHeader({ littleEndian: false }), littleEndian: false },
  { name: 'v3 aligned 64', written: smallHeader({ alignment: 64 }), littleEndian: true },
  { name: 'llama-like', written: llama3Header({ tokens: 300, merges: 400, blocks: 2 }), littleEndian: true },
];

const EXTREMES = [
  0n,
  1n,
  2n,
  0x7fn,
  0xffn,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  2n ** 32n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);

function mutate(rand: Rand, base: Base): { bytes: Uint8Array; ops: string[] } {
  let bytes: Uint8Array<ArrayBuffer> = base.written.header.slice();
  const ops: string[] = [];
  const count = 1 + int(rand, 3);
  for (let k = 0; k < count; k++) {
    const kind = pick(rand, ['field', 'field', 'flip', 'byte', 'cut', 'insert', 'delete', 'copy'] as const);
    if (kind === 'field' && k === 0) {
      // Field offsets hold until the first structural change, so only as the first mutation.
      const field = pick(rand, base.written.fields);
      const limit = field.width === 4 ? 2n ** 32n : 2n ** 64n;
      const value =
        rand() < 0.7
          ? pick(rand, EXTREMES) % limit
          : BigInt(int(rand, 2 ** 31)) * BigInt(1 + int(rand, 2 ** 20));
      const view = new DataView(bytes.buffer);
      if (field.width === 4) view.setUint32(field.offset, Number(value % limit), base.littleEndian);
      else view.setBigUint64(field.offset, value % limit, base.littleEndian);
      ops.push(`${field.kind}@${field.offset}=${value % limit}`);
    } else if (kind === 'flip' || kind === 'field') {
      const at = int(rand, bytes.length);
      bytes[at] = (bytes[at] ?? 0) ^ (1 << int(rand, 8));
      ops.push(`flip@${at}`);
    } else if (kind === 'byte') {
      const at = int(rand, bytes.length);
      bytes[at] = pick(rand, [0, 0xff, 0x7f, 0x80, int(rand, 256)]);
      ops.push(`byte@${at}`);
    } else if (kind === 'cut') {
      const at = int(rand, bytes.length + 1);
      bytes = bytes.slice(0, at);
      ops.push(`cut@${at}`);
    } else if (kind === 'insert') {
      const at = int(rand, bytes.length + 1);
      const junk = Array.from({ length: 1 + int(rand, 16) }, () => pick(rand, [0, 0xff, int(rand, 256)]));
      bytes = concat(bytes.subarray(0, at), Uint8Array.from(junk), bytes.subarray(at));
      ops.push(`insert@${at}+${junk.length}`);
    } else if (kind === 'delete') {
      const at = int(rand, bytes.length + 1);
      const n = 1 + int(rand, 16);
      bytes = concat(bytes.subarray(0, at), bytes.subarray(at + n));
      ops.push(`delete@${at}-${n}`);
    } else {
      const from = int(rand, bytes.length + 1);
      const slice = bytes.slice(from, from + 1 + int(rand, 64));
      const at = int(rand, bytes.length + 1);
      bytes = concat(bytes.subarray(0, at), slice, bytes.subarray(at));
      ops.push(`copy@${from}->${at}+${slice.length}`);
    }
  }
  return { bytes, ops };
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Servers: honest (Content-Range total), no total, a wrong total, one that ignores Range and always
// sends the whole file, and one that sends fewer bytes than asked.
function misbehaving(server: string, bytes: Uint8Array, size: number, rand: Rand) {
  if (server === 'honest' || server === 'no-total')
    return fileReader(bytes, size, { totalSize: server === 'honest' });
  const log = { calls: [] as Array<[number, number]>, bytes: 0 };
  const lie = size + pick(rand, [-1000, -1, 1, 1000, 2 ** 40]);
  const read = async (start: number, end: number) => {
    log.calls.push([start, end]);
    let out: Uint8Array;
    if (server === 'whole-file') out = fileSlice(bytes, size, 0, size - 1);
    else if (server === 'stingy') out = fileSlice(bytes, size, start, start + Math.floor((end - start) / 2));
    else out = fileSlice(bytes, size, start, end);
    log.bytes += out.length;
    return server === 'lying-total' ? { bytes: out, totalSize: Math.max(0, lie) } : { bytes: out };
  };
  return { read, log };
}

async function oracle(header: Uint8Array, size: number) {
  const serve = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const range = new Headers(init?.headers).get('range') ?? '';
    const [, from = '0', to = '0'] = /bytes=(\d+)-(\d+)/.exec(range) ?? [];
    const body = fileSlice(header, size, Number(from), Number(to));
    return new Response(body, {
      status: 206,
      headers: { 'content-range': `bytes ${from}-${Number(from) + body.length - 1}/${size}` },
    });
  }) as typeof fetch;
  return gguf('https://example.test/fuzz.gguf', { fetch: serve });
}

type Outcome =
  | { kind: 'ok'; header: GgufHeader }
  | { kind: 'gguf-error'; error: GgufError }
  | { kind: 'other-error'; error: unknown }
  | { kind: 'hang' };

async function guarded(run: () => Promise<GgufHeader>): Promise<{ outcome: Outcome; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hang' }), HANG_MS);
  });
  const attempt = run().then(
    (header): Outcome => ({ kind: 'ok', header }),
    (error: unknown): Outcome =>
      error instanceof GgufError ? { kind: 'gguf-error', error } : { kind: 'other-error', error },
  );
  let outcome = await Promise.race([attempt, hang]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  // A synchronous stall cannot be interrupted by the timer: count it by the clock.
  if (ms > HANG_MS) outcome = { kind: 'hang' };
  return { outcome, ms };
}

describe('GGUF header fuzzing', () => {
  it('the unmutated bases parse and match gguf()', async () => {
    for (const base of bases) {
      const { header, fileSize } = base.written;
      const parsed = await readGgufHeader(fileReader(header, fileSize).read, {
        keepArraysUpTo: Number.POSITIVE_INFINITY,
      });
      const { metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange } = parsed;
      expect({ metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange }).toEqual(
        await oracle(header, fileSize),
      );
    }
  });

  it(`ends ${ITERATIONS} mutated headers in a parse or a GgufError, never a hang`, async () => {
    const rand = prng(0x6775_6600);
    const reasons: Record<string, number> = {};
    const problems: string[] = [];
    let parsed = 0;
    let compared = 0;
    let rejectionsCompared = 0;
    let slowest = 0;
    const started = performance.now();

    for (let i = 0; i < ITERATIONS; i++) {
      const base = pick(rand, bases);
      const { bytes, ops } = mutate(rand, base);
      // The file goes on with zeros (tensor data) or ends with the header; the server may or may
      // not say its size; reads start tiny or large; sometimes a low cap.
      const size = rand() < 0.5 ? bytes.length : bytes.length + int(rand, 4096);
      const server = pick(rand, [
        'honest',
        'honest',
        'honest',
        'no-total',
        'lying-total',
        'whole-file',
        'stingy',
      ]);
      const { read, log } = misbehaving(server, bytes, size, rand);
      const options = {
        firstChunk: pick(rand, [1, 7, 64, 1024, 8 * 1024 * 1024]),
        maxBytes: rand() < 0.2 ? 2048 : undefined,
        fileSize: rand() < 0.2 ? size : undefined,
        keepArraysUpTo: pick(rand, [0, 4, 1024, Number.POSITIVE_INFINITY]),
      };
      const { outcome, ms } = await guarded(() => readGgufHeader(read, options));
      slowest = Math.max(slowest, ms);
      const label = `#${i} ${base.name} [${ops.join(', ')}] ${server} ${JSON.stringify(options)}`;

      if (outcome.kind === 'hang') problems.push(`${label}: no answer within ${HANG_MS} ms`);
      else if (outcome.kind === 'other-error') problems.push(`${label}: threw ${String(outcome.error)}`);
      else if (outcome.kind === 'gguf-error') {
        const { reason, message } = outcome.error;
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        if (reason === 'internal') problems.push(`${label}: internal error ${String(outcome.error.cause)}`);
        if (!/^[A-Z].*[.)]$/s.test(message))
          problems.push(`${label}: odd message ${JSON.stringify(message)}`);
        // The other direction: bytes gguf() reads within the file must not be refused. (Our own
        // limits — counts, lengths, dimensions no real file has, 64 MiB — lie beyond these files.)
        if (server === 'honest' && options.maxBytes === undefined && options.fileSize === undefined) {
          // gguf() does not check the file's end: bytes past it read as zeros. What it reads within
          // the file is what counts.
          const theirs = await oracle(bytes, size).then(
            (h) => h.tensorInfoByteRange[1] <= size && h.tensorDataOffset <= BigInt(size),
            () => false,
          );
          rejectionsCompared += 1;
          if (theirs) problems.push(`${label}: refused (${reason}: ${message}) what gguf() reads`);
        }
      } else {
        parsed += 1;
        const h = outcome.header;
        const end = h.tensorInfoByteRange[1];
        if (end > size) problems.push(`${label}: parsed past the end of the file (${end} > ${size})`);
        if (h.tensorDataOffset < BigInt(end)) problems.push(`${label}: data offset before the tensor infos`);
        // A whole-file server sends what it likes; we keep no more than the cap, and ask for no more.
        const cap = options.maxBytes ?? Number.POSITIVE_INFINITY;
        if (h.headerBytesRead > cap) problems.push(`${label}: kept more than the cap`);
        if (server !== 'whole-file' && log.bytes > cap) problems.push(`${label}: read past the cap`);
        if (server !== 'whole-file') {
          // Whatever we accept, gguf() reads the same way (collapsed arrays: their item count).
          try {
            const theirs = await oracle(bytes, size);
            const expected: Record<string, unknown> = { ...theirs.metadata };
            for (const key of h.collapsedArrays) expected[key] = (expected[key] as unknown[]).length;
            const { metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange } = h;
            expect({ metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange }).toEqual({
              ...theirs,
              metadata: expected,
            });
            compared += 1;
          } catch (error) {
            problems.push(`${label}: differs from gguf(): ${String(error).slice(0, 300)}`);
          }
        }
      }
      if (problems.length > 10) break;
    }

    const seconds = (performance.now() - started) / 1000;
    console.log(
      `gguf fuzz: ${ITERATIONS} runs in ${seconds.toFixed(1)} s (slowest ${slowest.toFixed(0)} ms); ` +
        `${parsed} parsed (${compared} compared with gguf()), errors ${JSON.stringify(reasons)}; ` +
        `${rejectionsCompared} rejections compared with gguf()`,
    );
    expect(problems).toEqual([]);
    // Both directions were compared, on enough inputs to mean something.
    expect(compared).toBeGreaterThan(ITERATIONS / 20);
    expect(rejectionsCompared).toBeGreaterThan(ITERATIONS / 10);
    // Most mutations must break something, and some must survive: the fuzzer reaches both sides.
    expect(parsed).toBeGreaterThan(ITERATIONS / 20);
    expect(Object.keys(reasons).length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
