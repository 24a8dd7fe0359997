// The GGUF header reader: how many reads it makes, what it does with odd servers and broken files,
// and that its output is exactly @huggingface/gguf's `gguf()` output (used here as an oracle).

import { gguf } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { CheckError } from '../../utils/common/errors';
import { summarizeGguf } from '../../utils/lib/estimate/model-summary';
import {
  GgufError,
  type GgufHeader,
  type RangeReader,
  readGgufHeader,
  readGgufModel,
} from '../../utils/lib/gguf';
import { hubRangeReader, rangeReadFromResponse } from '../../utils/worker/huggingface/hub-reader';
import {
  ByteSink,
  fileReader,
  fileSlice,
  GgufWriter,
  llama3Header,
  smallHeader,
  ValueType,
  type WrittenHeader,
} from './support/gguf-writer';

const MiB = 1024 * 1024;

async function failure(promise: Promise<unknown>): Promise<GgufError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GgufError);
    return error as GgufError;
  }
  throw new Error('expected a GgufError');
}

/** What @huggingface/gguf's gguf() makes of the same file, served over Range requests. */
async function oracle(header: Uint8Array, size: number) {
  const serve = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const range = new Headers(init?.headers).get('range') ?? '';
    const [, from = '0', to = '0'] = /bytes=(\d+)-(\d+)/.exec(range) ?? [];
    const start = Number(from);
    const body = fileSlice(header, size, start, Number(to));
    return new Response(body, {
      status: 206,
      headers: { 'content-range': `bytes ${start}-${start + body.length - 1}/${size}` },
    });
  }) as typeof fetch;
  return gguf('https://example.test/model.gguf', { fetch: serve });
}

function gguFields(h: GgufHeader) {
  const { metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange } = h;
  return { metadata, tensorInfos, tensorDataOffset, littleEndian, tensorInfoByteRange };
}

describe('readGgufHeader: reads', () => {
  const llama = llama3Header();

  it('reads a 7.6 MB Llama 3 header in two reads, 8 MiB in all (gguf() makes five of 2 MB)', async () => {
    expect(llama.header.length).toBeGreaterThan(7.5e6);
    expect(llama.header.length).toBeLessThan(7.7e6);
    const { read, log } = fileReader(llama.header, llama.fileSize);
    const h = await readGgufHeader(read, { keepArraysUpTo: Number.POSITIVE_INFINITY });

    expect(log.calls).toEqual([
      [0, MiB - 1],
      [MiB, 8 * MiB - 1],
    ]);
    expect(h.requests).toBe(2);
    expect(h.headerBytesRead).toBe(8 * MiB);
    expect(log.bytes).toBeLessThan(16e6);
    expect(h.fileSize).toBe(llama.fileSize);
    expect(h.version).toBe(3);
    expect(h.tensorInfos).toHaveLength(2 + 32 * 9 + 2);
    expect(h.tensorInfoByteRange).toEqual([llama.tensorInfoStart, llama.tensorInfoEnd]);
    expect(h.tensorDataOffset).toBe(BigInt(llama.header.length));
    expect((h.metadata['tokenizer.ggml.tokens'] as string[]).length).toBe(128256);
    expect((h.metadata['tokenizer.ggml.merges'] as string[]).length).toBe(280147);

    expect(gguFields(h)).toEqual(await oracle(llama.header, llama.fileSize));
  }, 30_000);

  it('plugs into summarizeGguf, with or without the tokenizer arrays decoded', async () => {
    const { read } = fileReader(llama.header, llama.fileSize);
    const full = await readGgufHeader(read, { keepArraysUpTo: Number.POSITIVE_INFINITY });
    const compact = await readGgufHeader(read); // arrays over 1024 items become counts
    expect(compact.collapsedArrays).toEqual([
      'tokenizer.ggml.tokens',
      'tokenizer.ggml.token_type',
      'tokenizer.ggml.merges',
    ]);
    expect(compact.metadata['tokenizer.ggml.merges']).toBe(280147);
    const a = summarizeGguf([{ ...full, fileSize: full.fileSize ?? 0 }]);
    const b = summarizeGguf([{ ...compact, fileSize: compact.fileSize ?? 0 }]);
    expect(a.tokenizer).toEqual({ model: 'gpt2', tokens: 128256, merges: 280147 });
    expect(b).toEqual(a);
    expect(a.files[0]?.size).toBe(llama.fileSize);
    expect(a.metadata['llama.block_count']).toBe(32);
  }, 30_000);

  it('reads a 12 MB header (gpt-oss sized vocabulary) in three reads', async () => {
    const big = llama3Header({ tokens: 201088, merges: 446189, blocks: 4 });
    expect(big.header.length).toBeGreaterThan(11e6);
    const { read, log } = fileReader(big.header, big.fileSize);
    const h = await readGgufHeader(read);
    expect(log.calls).toEqual([
      [0, MiB - 1],
      [MiB, 8 * MiB - 1],
      [8 * MiB, 32 * MiB - 1],
    ]);
    expect(h.requests).toBe(3);
    expect(h.tensorDataOffset).toBe(BigInt(big.header.length));
  }, 30_000);

  it('grows reads geometrically from a small first chunk, each read starting where the last ended', async () => {
    const { read, log } = fileReader(llama.header, llama.fileSize);
    const h = await readGgufHeader(read, { firstChunk: 64 * 1024 });
    expect(h.tensorInfos).toHaveLength(292);
    let expected = 0;
    for (const [start, end] of log.calls) {
      expect(start).toBe(expected);
      expected = end + 1;
    }
    expect(log.calls.length).toBeLessThanOrEqual(5); // 64 KiB, x8, then x4 each time .. 8 MiB
    expect(log.bytes).toBeLessThan(4 * llama.header.length);
  }, 30_000);

  it('jumps to expectedSize when the first chunk falls short', async () => {
    const { read, log } = fileReader(llama.header, llama.fileSize);
    await readGgufHeader(read, { firstChunk: 512 * 1024, expectedSize: llama.header.length + 65536 });
    expect(log.calls).toEqual([
      [0, 512 * 1024 - 1],
      [512 * 1024, llama.header.length + 65536 - 1],
    ]);
  }, 30_000);

  it('reads a file smaller than the first chunk in one read (clamped by the server or by fileSize)', async () => {
    const small = smallHeader();
    const byServer = fileReader(small.header, small.header.length + 100);
    const a = await readGgufHeader(byServer.read);
    expect(byServer.log.calls).toEqual([[0, MiB - 1]]);
    expect(a.fileSize).toBe(small.header.length + 100);
    expect(a.requests).toBe(1);

    const noTotal = fileReader(small.header, small.header.length, { totalSize: false });
    const b = await readGgufHeader(noTotal.read);
    expect(b.fileSize).toBe(small.header.length); // learnt from the short read

    const known = fileReader(small.header, small.header.length + 100);
    const c = await readGgufHeader(known.read, { fileSize: small.header.length + 100 });
    expect(known.log.calls).toEqual([[0, small.header.length + 99]]);
    expect(gguFields(c)).toEqual(gguFields(a));
    expect(gguFields(a)).toEqual(await oracle(small.header, small.header.length + 100));
  });

  it('parses v1, v2, big-endian and 64-byte-aligned headers exactly like gguf()', async () => {
    const variants: WrittenHeader[] = [
      smallHeader({ version: 1 }),
      smallHeader({ version: 2 }),
      smallHeader({ littleEndian: false }),
      smallHeader({ version: 1, littleEndian: false }),
      smallHeader({ alignment: 64 }),
    ];
    for (const v of variants) {
      const size = v.fileSize;
      const h = await readGgufHeader(fileReader(v.header, size).read);
      expect(gguFields(h)).toEqual(await oracle(v.header, size));
      expect(Number(h.tensorDataOffset)).toBe(v.header.length);
    }
    const be = await readGgufHeader(fileReader(variants[2]?.header ?? new Uint8Array()).read);
    expect(be.littleEndian).toBe(false);
    expect(be.metadata['general.name']).toBe('tiny ünïcode');
    const aligned = await readGgufHeader(fileReader(variants[4]?.header ?? new Uint8Array()).read);
    expect(Number(aligned.tensorDataOffset) % 64).toBe(0);
  });

  it('keeps a "__proto__" key as an ordinary entry', async () => {
    const w = new GgufWriter().string('__proto__', 'x').u32('a', 1);
    const h = await readGgufHeader(fileReader(w.build().header).read);
    expect(Object.getPrototypeOf(h.metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(h.metadata, '__proto__')?.value).toBe('x');
  });
});

describe('readGgufHeader: odd servers', () => {
  const small = smallHeader();

  it('uses a whole-file answer to a ranged read from 0 (a server that ignores Range)', async () => {
    const padded = fileSlice(small.header, 200_000, 0, 199_999);
    const calls: number[] = [];
    const whole: RangeReader = async (start) => {
      calls.push(start);
      return { bytes: padded };
    };
    const h = await readGgufHeader(whole, { firstChunk: 4096 });
    expect(calls).toEqual([0]);
    expect(h.fileSize).toBe(200_000);
    expect(h.tensorInfos).toHaveLength(5);
  });

  it('fails with range-ignored when a later read comes back from the start of the file', async () => {
    const llama = llama3Header({ tokens: 2000, merges: 3000, blocks: 1 });
    const file = fileSlice(llama.header, llama.fileSize, 0, 10 * MiB);
    const reader: RangeReader = async (start, end) =>
      start === 0 ? { bytes: file.subarray(0, end + 1) } : { bytes: file.subarray(0, 2 * (end - start + 1)) };
    const error = await failure(readGgufHeader(reader, { firstChunk: 1024 }));
    expect(error.reason).toBe('range-ignored');
    expect(error.message).toMatch(/ignored the byte range/);
  });

  it('fails with size-mismatch when the server lies about the file size', async () => {
    // Says 10 GB, then the bytes stop.
    const short: RangeReader = async (start, end) => ({
      bytes: fileSlice(small.header, small.header.length, start, end),
      totalSize: 10e9,
    });
    expect((await failure(readGgufHeader(short))).reason).toBe('size-mismatch');

    // Says the file is smaller than the bytes it sends.
    const tiny: RangeReader = async (start, end) => ({
      bytes: fileSlice(small.header, 4096, start, end),
      totalSize: 100,
    });
    expect((await failure(readGgufHeader(tiny, { firstChunk: 4096 }))).reason).toBe('size-mismatch');

    // Changes its mind between reads.
    let n = 0;
    const llama = llama3Header({ tokens: 3000, merges: 3000, blocks: 1 });
    const fickle: RangeReader = async (start, end) => ({
      bytes: fileSlice(llama.header, llama.fileSize, start, end),
      totalSize: llama.fileSize + n++,
    });
    const error = await failure(readGgufHeader(fickle, { firstChunk: 1024 }));
    expect(error.reason).toBe('size-mismatch');
    expect(error.message).toMatch(/says the file has/);

    // Disagrees with the size the caller knows from the model info.
    const honest = fileReader(small.header, 5000);
    expect((await failure(readGgufHeader(honest.read, { fileSize: 6000 }))).reason).toBe('size-mismatch');
  });

  it('turns reader failures into read-failed, keeping the cause and whether to retry', async () => {
    const limited = new CheckError(
      'rate-limited',
      'Hugging Face is rate limiting; try again in a few minutes.',
      true,
    );
    const a = await failure(readGgufHeader(() => Promise.reject(limited)));
    expect(a).toMatchObject({ reason: 'read-failed', retryable: true, cause: limited });
    expect(a.message).toMatch(/rate limiting/);

    const b = await failure(
      readGgufHeader(() => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(b).toMatchObject({ reason: 'read-failed', retryable: true });

    const c = await failure(readGgufHeader((async () => undefined) as unknown as RangeReader));
    expect(c.reason).toBe('read-failed');
  });

  it('stops waiting for a reader that never answers when the signal aborts', async () => {
    const controller = new AbortController();
    const never: RangeReader = () => new Promise(() => {});
    setTimeout(() => controller.abort(), 10);
    const error = await failure(readGgufHeader(never, { signal: controller.signal }));
    expect(error).toMatchObject({ reason: 'aborted', retryable: true });

    const early = await failure(
      readGgufHeader(fileReader(small.header).read, { signal: AbortSignal.abort() }),
    );
    expect(early.reason).toBe('aborted');
  });
});

describe('hubRangeReader', () => {
  const file = fileSlice(smallHeader().header, 3000, 0, 2999);
  const response = (status: number, body: Uint8Array, contentRange?: string) => ({
    status,
    body,
    headers: new Headers(contentRange ? { 'content-range': contentRange } : {}),
  });

  it('reads through HubClient.readRange and checks Content-Range', async () => {
    const asked: unknown[] = [];
    const hub = {
      readRange: async (repo: string, commit: string, path: string, start: number, end: number) => {
        asked.push([repo, commit, path, start, end]);
        const body = file.slice(start, end + 1);
        return {
          ...response(206, body, `bytes ${start}-${start + body.length - 1}/3000`),
          ok: true,
          url: '',
        };
      },
    };
    const h = await readGgufHeader(hubRangeReader(hub, 'org/repo', 'abc', 'dir/m.gguf'), {
      firstChunk: 1000,
    });
    expect(asked).toEqual([
      ['org/repo', 'abc', 'dir/m.gguf', 0, 999],
      ['org/repo', 'abc', 'dir/m.gguf', 1000, 2999],
    ]);
    expect(h.fileSize).toBe(3000);
  });

  it('accepts a 200 (whole file) and rejects ranges other than the one asked for', () => {
    expect(rangeReadFromResponse(response(200, file), 100, 199)).toEqual({
      bytes: file.subarray(100, 200),
      totalSize: 3000,
    });
    expect(rangeReadFromResponse(response(206, file.slice(0, 100), 'bytes 0-99/3000'), 0, 99).totalSize).toBe(
      3000,
    );
    expect(
      rangeReadFromResponse(response(206, file.slice(2900), 'bytes 2900-2999/3000'), 2900, 3999).bytes,
    ).toHaveLength(100);
    expect(
      rangeReadFromResponse(response(206, file.slice(0, 100), 'bytes 0-99/*'), 0, 99).totalSize,
    ).toBeUndefined();

    const reasonOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(GgufError);
        return (error as GgufError).reason;
      }
      return 'none';
    };
    expect(
      reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 100), 'bytes 0-99/3000'), 500, 599)),
    ).toBe('range-ignored');
    expect(
      reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 100), 'octets 0-99'), 0, 99)),
    ).toBe('range-ignored');
    expect(
      reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 50), 'bytes 0-99/3000'), 0, 99)),
    ).toBe('size-mismatch');
    expect(
      reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 100), 'bytes 0-99/50'), 0, 99)),
    ).toBe('size-mismatch');
    expect(
      reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 100), 'bytes 0-99/3000'), 0, 199)),
    ).toBe('size-mismatch');
    expect(reasonOf(() => rangeReadFromResponse(response(206, file.slice(0, 300)), 0, 99))).toBe(
      'range-ignored',
    );
    expect(reasonOf(() => rangeReadFromResponse(response(416, new Uint8Array()), 0, 99))).toBe('read-failed');
  });
});

describe('readGgufHeader: broken files', () => {
  const small = smallHeader();

  it('reports every cut inside the header as truncated, with or without a known size', async () => {
    for (let cut = 0; cut < small.header.length; cut++) {
      for (const totalSize of [true, false]) {
        const { read } = fileReader(small.header.subarray(0, cut), cut, { totalSize });
        const result = readGgufHeader(read, { firstChunk: 1 + (cut % 97) });
        if (cut < small.tensorInfoEnd) {
          const error = await failure(result);
          expect(error.reason, `cut at ${cut}`).toBe('truncated');
        } else {
          expect((await result).tensorInfos).toHaveLength(5); // only the padding is missing
        }
      }
    }
    const error = await failure(readGgufHeader(fileReader(small.header.subarray(0, 300)).read));
    expect(error.message).toMatch(/The file ends after 300 B, in the middle of its header/);
  });

  it('rejects files that are not GGUF, saying what they look like', async () => {
    const text = (s: string) => fileReader(new TextEncoder().encode(s)).read;
    const html = await failure(readGgufHeader(text('<!DOCTYPE html><html>...')));
    expect(html.reason).toBe('bad-magic');
    expect(html.message).toMatch(/HTML/);
    const lfs = await failure(
      readGgufHeader(text('version https://git-lfs.github.com/spec/v1\noid sha256:...')),
    );
    expect(lfs.message).toMatch(/Git LFS pointer/);
    const flipped = small.header.slice();
    flipped[3] = 0x47;
    expect((await failure(readGgufHeader(fileReader(flipped).read))).reason).toBe('bad-magic');
  });

  it('rejects unknown versions, types, alignments and tensor shapes', async () => {
    const patched = (edit: (view: DataView, h: WrittenHeader) => void, h = smallHeader()) => {
      const bytes = h.header.slice();
      edit(new DataView(bytes.buffer), h);
      return readGgufHeader(fileReader(bytes).read);
    };
    const field = (h: WrittenHeader, kind: string, nth = 0) => {
      const found = h.fields.filter((f) => f.kind === kind)[nth];
      if (!found) throw new Error(`no ${kind} field`);
      return found.offset;
    };
    expect((await failure(patched((v) => v.setUint32(4, 4, true)))).reason).toBe('unsupported-version');
    expect((await failure(patched((v) => v.setUint32(4, 0, true)))).reason).toBe('unsupported-version');
    expect((await failure(patched((v, h) => v.setUint32(field(h, 'value-type', 2), 13, true)))).reason).toBe(
      'unknown-type',
    );
    expect(
      (await failure(patched((v, h) => v.setUint32(field(h, 'array-item-type'), 99, true)))).reason,
    ).toBe('unknown-type');
    expect((await failure(patched((v, h) => v.setUint32(field(h, 'n-dims', 1), 9, true)))).reason).toBe(
      'bad-tensor',
    );
    expect(
      (await failure(patched((v, h) => v.setBigUint64(field(h, 'dim', 0), 2n ** 40n, true)))).reason,
    ).toBe('bad-tensor');
    const badAlignment = await failure(
      readGgufHeader(fileReader(smallHeader({ alignment: 48 }).header).read),
    );
    expect(badAlignment.reason).toBe('bad-value');
    expect(badAlignment.message).toMatch(/general.alignment to 48; it must be a power of two/);
    const textAlignment = new GgufWriter().string('general.alignment', '32').build();
    const notInteger = await failure(readGgufHeader(fileReader(textAlignment.header).read));
    expect(notInteger.message).toMatch(/general.alignment is a string/);
    const wideAlignment = new GgufWriter().u64('general.alignment', 64n).tensor('t', [8], 0).build();
    const sixtyFour = await readGgufHeader(fileReader(wideAlignment.header).read);
    expect(sixtyFour.tensorDataOffset % 64n).toBe(0n);

    // Arrays of arrays of ... five deep.
    let value: Parameters<GgufWriter['kv']>[1] = { type: 'u8', value: 1 };
    for (let depth = 0; depth < 5; depth++)
      value = { type: 'array', itemType: value.type === 'u8' ? 'u8' : 'array', items: [value] };
    const deep = new GgufWriter().kv('deep', value).build();
    expect((await failure(readGgufHeader(fileReader(deep.header).read))).reason).toBe('bad-value');
  });

  // A header whose first value makes a claim, written by hand.
  function claim(write: (sink: ByteSink) => void, tensors = 0, kvs = 1): Uint8Array {
    const sink = new ByteSink();
    sink.bytes([0x47, 0x47, 0x55, 0x46]).u32(3).u64(BigInt(tensors)).u64(BigInt(kvs));
    write(sink);
    return sink.zeros(64).result();
  }

  it('rejects a claimed 100 MB string or 100M-item array before reading or allocating it', async () => {
    const string = claim((s) => s.string('general.name').u32(ValueType.string).u64(100_000_000n));
    const a = fileReader(string, 50e9);
    const errorA = await failure(readGgufHeader(a.read));
    expect(errorA.reason).toBe('bad-string');
    expect(errorA.message).toMatch(/"general.name" is 100000000 bytes long/);
    expect(a.log.calls).toHaveLength(1);

    const array = claim((s) =>
      s.string('tokenizer.ggml.tokens').u32(ValueType.array).u32(ValueType.string).u64(100_000_000n),
    );
    const b = fileReader(array, 50e9);
    expect((await failure(readGgufHeader(b.read))).reason).toBe('bad-count');
    expect(b.log.calls).toHaveLength(1);

    // Within the item limit but more bytes than the 64 MiB cap: too-large, without reading on.
    const wide = claim((s) => s.string('x').u32(ValueType.array).u32(ValueType.u64).u64(10_000_000n));
    const c = fileReader(wide, 50e9);
    expect((await failure(readGgufHeader(c.read))).reason).toBe('too-large');
    expect(c.log.calls).toHaveLength(1);

    // Decoding everything stops at 4M items in all (memory), before building the array.
    const many = claim((s) =>
      s.string('x').u32(ValueType.array).u32(ValueType.u8).u64(5_000_000n).zeros(5_000_000),
    );
    const all = await failure(
      readGgufHeader(fileReader(many).read, { keepArraysUpTo: Number.POSITIVE_INFINITY }),
    );
    expect(all.reason).toBe('too-large');
    expect(all.message).toMatch(/more than 4194304 array items/);
    expect((await readGgufHeader(fileReader(many).read)).metadata.x).toBe(5_000_000);

    // 2^60 tensors, 2^40 metadata entries.
    expect((await failure(readGgufHeader(fileReader(claim(() => {}, 2 ** 60)).read))).reason).toBe(
      'bad-count',
    );
    expect((await failure(readGgufHeader(fileReader(claim(() => {}, 0, 2 ** 40)).read))).reason).toBe(
      'bad-count',
    );

    // In a file known to be small, a plausible claim is simply truncated, again without reading on.
    const d = fileReader(claim((s) => s.string('x').u32(ValueType.string).u64(1_000_000n)));
    expect((await failure(readGgufHeader(d.read))).reason).toBe('truncated');
    expect(d.log.calls).toHaveLength(1);
  });

  it('gives up on a header over 64 MiB after reading at most 64 MiB', async () => {
    // Five 15 MB byte arrays: 75 MB of metadata.
    const items = 15_000_000;
    const size = 40 + 5 * (8 + 1 + 4 + 4 + 8 + items) + 64;
    const file = new Uint8Array(size);
    const view = new DataView(file.buffer);
    file.set([0x47, 0x47, 0x55, 0x46]);
    view.setUint32(4, 3, true);
    view.setBigUint64(16, 5n, true);
    let at = 24;
    for (let k = 0; k < 5; k++) {
      view.setBigUint64(at, 1n, true);
      file[at + 8] = 0x61 + k;
      view.setUint32(at + 9, ValueType.array, true);
      view.setUint32(at + 13, ValueType.u8, true);
      view.setBigUint64(at + 17, BigInt(items), true);
      at += 25 + items;
    }
    const { read, log } = fileReader(file, 10e9);
    const error = await failure(readGgufHeader(read));
    expect(error.reason).toBe('too-large');
    expect(error.message).toMatch(/larger than the 64.00 MiB this extension reads/);
    expect(log.bytes).toBeLessThanOrEqual(64 * MiB);
    // Each read reaches at least the end of the array being parsed: 15 MB, then 60 MB; the next
    // would pass 64 MiB, so it gives up.
    expect(log.calls).toEqual([
      [0, MiB - 1],
      [MiB, 15000048],
      [15000049, 60000195],
    ]);

    // The same limit, smaller: a 1 MiB cap on a 1.3 MB header.
    const mid = llama3Header({ tokens: 30000, merges: 60000, blocks: 1 });
    expect(mid.header.length).toBeGreaterThan(MiB);
    const capped = fileReader(mid.header, mid.fileSize);
    expect((await failure(readGgufHeader(capped.read, { maxBytes: MiB, firstChunk: 300_000 }))).reason).toBe(
      'too-large',
    );
    expect(capped.log.bytes).toBe(MiB);
  }, 30_000);
});

describe('readGgufModel: split models', () => {
  const paths = ['q/M-00001-of-00003.gguf', 'q/M-00002-of-00003.gguf', 'q/M-00003-of-00003.gguf'];

  // The first shard holds the metadata, the tokenizer and 4 tensors; the others 3 tensors each.
  function shards(
    count: number,
    options: { repeatMetadata?: boolean; declared?: number; no?: (i: number) => number } = {},
  ) {
    return Array.from({ length: count }, (_, i) => {
      const split = (w: GgufWriter) =>
        w
          .kv('split.no', { type: 'u16', value: options.no?.(i) ?? i })
          .kv('split.count', { type: 'u16', value: count })
          .kv('split.tensors.count', { type: 'i32', value: options.declared ?? 4 + 3 * (count - 1) });
      if (i === 0 || options.repeatMetadata) {
        return llama3Header({ tokens: 20000, merges: 20000, blocks: 0, extra: split });
      }
      const w = new GgufWriter();
      split(w);
      for (let t = 0; t < 3; t++) w.tensor(`blk.${i}.t${t}.weight`, [4096, 4096], 12);
      return w.build();
    });
  }

  function serve(files: WrittenHeader[], delays: number[] = []) {
    const readers = files.map((f) => fileReader(f.header, f.fileSize));
    const readFor = (path: string): RangeReader => {
      const i = paths.indexOf(path);
      const reader = readers[i];
      if (!reader) throw new Error(`unexpected path ${path}`);
      return async (start, end) => {
        await new Promise((r) => setTimeout(r, delays[i] ?? 0));
        return reader.read(start, end);
      };
    };
    return { readers, readFor };
  }

  it('reads every shard in order: the first with the big chunk, the others with a small one', async () => {
    const files = shards(3);
    // Shard 2 answers last: the result still follows the paths.
    const { readers, readFor } = serve(files, [0, 30, 0]);
    const headers = await readGgufModel(readFor, paths, { fileSizes: files.map((f) => f.fileSize) });
    expect(headers.map((h) => h.metadata['split.no'])).toEqual([0, 1, 2]);
    expect(headers.map((h) => h.tensorInfos.length)).toEqual([4, 3, 3]);
    expect(headers.map((h) => h.fileSize)).toEqual(files.map((f) => f.fileSize));
    expect(readers.map((r) => r.log.calls)).toEqual([
      [[0, Math.min(files[0]?.fileSize ?? 0, MiB) - 1]],
      [[0, 512 * 1024 - 1]],
      [[0, 512 * 1024 - 1]],
    ]);
    const summary = summarizeGguf(headers.map((h) => ({ ...h, fileSize: h.fileSize ?? 0 })));
    expect(summary.files).toHaveLength(3);
    expect(summary.tokenizer.tokens).toBe(20000);
  }, 30_000);

  it('reads shards that repeat the metadata in two reads each', async () => {
    const files = shards(3, { repeatMetadata: true, declared: 12 });
    const { readers, readFor } = serve(files);
    const headers = await readGgufModel(readFor, paths);
    expect(headers).toHaveLength(3);
    expect(readers[1]?.log.calls).toHaveLength(2);
    expect(readers[2]?.log.calls).toHaveLength(2);
  }, 30_000);

  it('rejects shards that contradict their file names or each other, naming the shard', async () => {
    const swapped = serve(shards(3, { no: (i) => (i === 2 ? 1 : i) }));
    const a = await failure(readGgufModel(swapped.readFor, paths));
    expect(a.reason).toBe('bad-split');
    expect(a.message).toMatch(/M-00003-of-00003.gguf says it is shard 2/);

    const good = serve(shards(3));
    const b = await failure(readGgufModel(good.readFor, paths.slice(0, 2)));
    expect(b.message).toMatch(/says the model has 3 shards, but its file names say 2/);
    const c = await failure(readGgufModel(good.readFor, paths.slice(0, 1)));
    expect(c.message).toMatch(/is shard 1 of 3/);

    const miscounted = serve(shards(3, { declared: 9 }));
    const d = await failure(readGgufModel(miscounted.readFor, paths));
    expect(d.message).toMatch(/The 3 shards describe 10 tensors, but the first says the model has 9/);

    const files = shards(3);
    const broken = serve(
      files.map((f, i) => (i === 2 ? { ...f, header: f.header.subarray(0, 50), fileSize: 50 } : f)),
    );
    const e = await failure(readGgufModel(broken.readFor, paths));
    expect(e.reason).toBe('truncated');
    expect(e.message).toMatch(/^q\/M-00003-of-00003.gguf: The file ends after 50 B/);
  }, 30_000);
});
