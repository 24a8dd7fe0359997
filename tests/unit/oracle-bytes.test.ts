// gguf-parser-go v0.25.0's figures, from the oracle's own bytes: the header-only GGUF files it computed
// them on are rebuilt with our GGUF writer (tests/support/oracle-gguf.ts) and proven identical by
// SHA-256 (tests/fixtures/oracle/files.json), then go through the whole product: the header reader,
// summarizeGguf, the estimate and summarize for all 29 reference cases, and the estimate command on
// sparse files written to disk.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEstimate } from '../../cli/estimate';
import {
  type DeviceEstimate,
  type EstimateOptions,
  estimateLlamaCpp,
  type GgufSummary,
  summarize,
  summarizeGguf,
} from '../../utils/lib/estimate';
import { readGgufHeader, readGgufModel } from '../../utils/lib/gguf';
import { type OracleFile, oracleFiles, oracleModels } from '../support/oracle-gguf';
import { type Figure, type ReferenceCase, referenceCases } from '../support/reference-cases';
import { fileReader } from './support/gguf-writer';

interface FileFacts {
  file: string;
  size: number;
  headerBytes: number;
  headerSha256: string;
  tensorCount: number;
  kvCount: number;
  parameters: number;
}

const facts = (
  JSON.parse(readFileSync(join(process.cwd(), 'tests/fixtures/oracle/files.json'), 'utf8')) as {
    models: Record<string, { files: FileFacts[] }>;
  }
).models;

const expectedFiles = Object.entries(facts).flatMap(([model, { files }]) =>
  files.map((fact, index) => ({ model, index, fact })),
);

function built(model: string, index: number): OracleFile {
  const file = oracleFiles(model)[index];
  if (!file) throw new Error(`${model} has no file ${index}`);
  return file;
}

describe("the oracle's GGUF files, rebuilt", () => {
  let compared = 0;

  it('are the 12 files of the 11 models the fixture lists', () => {
    expect([...oracleModels()].sort()).toEqual(Object.keys(facts).sort());
    expect(expectedFiles).toHaveLength(12);
    for (const model of oracleModels()) {
      expect(oracleFiles(model).map((f) => f.file)).toEqual(facts[model]?.files.map((f) => f.file));
    }
  });

  it.each(expectedFiles)(
    '$fact.file: same header bytes, same size, same counts',
    async ({ model, index, fact }) => {
      const file = built(model, index);
      expect(file.header.length).toBe(fact.headerBytes);
      expect(createHash('sha256').update(file.header).digest('hex')).toBe(fact.headerSha256);
      expect(file.size).toBe(fact.size);

      const header = await readGgufHeader(fileReader(file.header, file.size).read);
      expect(header.metadata.tensor_count).toBe(BigInt(fact.tensorCount));
      expect(header.metadata.kv_count).toBe(BigInt(fact.kvCount));
      expect(header.tensorInfos).toHaveLength(fact.tensorCount);
      expect(header.tensorDataOffset).toBe(BigInt(fact.headerBytes));
      expect(header.fileSize).toBe(fact.size);
      expect(summarizeGguf([{ ...header, fileSize: file.size }]).parameters).toBe(fact.parameters);
      compared++;
    },
  );

  it('compared every file', () => {
    expect(compared).toBe(12);
  });
});

// ---- The product path, from the bytes ---------------------------------------------------------------

/** What the extension and the CLI do: read every shard over byte ranges, then summarise. */
async function readModel(model: string): Promise<GgufSummary> {
  const files = new Map(oracleFiles(model).map((f) => [f.file, f]));
  const headers = await readGgufModel(
    (path) => {
      const file = files.get(path);
      if (!file) throw new Error(`no file ${path}`);
      return fileReader(file.header, file.size).read;
    },
    [...files.keys()],
  );
  return summarizeGguf(headers.map((h) => ({ ...h, fileSize: h.fileSize ?? 0 })));
}

const summaries = new Map<string, GgufSummary>();
const summaryOf = (model: string) => {
  const summary = summaries.get(model);
  if (!summary) throw new Error(`${model} was not read`);
  return summary;
};

function optionsOf(c: ReferenceCase): EstimateOptions {
  const i = c.inputs;
  return {
    ctxSize: i.ctx,
    parallelSize: i.parallel,
    mmap: i.mmap,
    gpuLayers: i.gpuLayers,
    flashAttention: i.flashAttention,
    cacheTypeK: i.cacheTypeK,
    cacheTypeV: i.cacheTypeV,
    tensorSplit: i.tensorSplit ? i.tensorSplit.split(',').map(Number) : null,
    projector: c.projector ? summaryOf(c.projector) : null,
    maxProjectedCache: i.maxProjectedCache,
  };
}

const relativeError = (mine: number, theirs: number) =>
  Math.abs(mine - theirs) / Math.max(1, Math.abs(theirs));

function comparable(d: Omit<DeviceEstimate, 'handleSwaLayers' | 'position'>) {
  return {
    handleLayers: d.handleLayers,
    handleLastLayer: d.handleLastLayer,
    handleOutputLayer: d.handleOutputLayer,
    footprint: d.footprint,
    weight: d.weight,
    kvCache: d.kvCache,
    computation: d.computation,
  };
}

/** RAM and every VRAM, UMA and non-UMA, within 1% of the oracle's. */
function expectFigures(mine: { ram: Figure; vrams: Figure[] }, expected: { ram: Figure; vrams: Figure[] }) {
  const pairs: Array<[string, number, number]> = [
    ['ram.uma', mine.ram.uma, expected.ram.uma],
    ['ram.nonuma', mine.ram.nonuma, expected.ram.nonuma],
  ];
  expect(mine.vrams).toHaveLength(expected.vrams.length);
  expected.vrams.forEach((v, i) => {
    pairs.push([`vrams[${i}].uma`, mine.vrams[i]?.uma ?? Number.NaN, v.uma]);
    pairs.push([`vrams[${i}].nonuma`, mine.vrams[i]?.nonuma ?? Number.NaN, v.nonuma]);
  });
  for (const [name, got, want] of pairs) {
    expect(relativeError(got, want), `${name}: ${got} vs ${want}`).toBeLessThanOrEqual(0.01);
  }
}

describe('the 29 reference cases, from the bytes', () => {
  beforeAll(async () => {
    for (const model of oracleModels()) summaries.set(model, await readModel(model));
  });

  it('covers the 29 reference cases', () => {
    expect(referenceCases).toHaveLength(29);
  });

  describe.each(referenceCases)('$id', (c) => {
    it.each(Object.keys(c.summary))('summary with platform footprint %s MiB is within 1%', (footprint) => {
      const expected = c.summary[footprint];
      if (!expected) throw new Error(`no summary for ${footprint}`);
      const [ram, vram] = footprint.split(',').map(Number);
      const estimate = estimateLlamaCpp(summaryOf(c.model), optionsOf(c));
      const mine = summarize(estimate, { mmap: c.inputs.mmap, footprintRamMiB: ram, footprintVramMiB: vram });
      expectFigures(mine, expected);
      expect(mine.offloadLayers).toBe(expected.offloadLayers);
      expect(mine.fullOffloaded).toBe(expected.fullOffloaded);
      expect(mine.contextSize).toBe(expected.contextSize);
    });

    it('reproduces the per-device breakdown exactly', () => {
      const estimate = estimateLlamaCpp(summaryOf(c.model), optionsOf(c));
      expect(estimate.contextSize).toBe(c.estimate.contextSize);
      expect(estimate.offloadLayers).toBe(c.estimate.offloadLayers);
      expect(estimate.fullOffloaded).toBe(c.estimate.fullOffloaded);
      expect(estimate.devices.map(comparable)).toEqual(c.estimate.devices.map(comparable));
      if (c.estimate.projector) {
        expect(estimate.projector?.devices.map(comparable)).toEqual(
          c.estimate.projector.devices.map(comparable),
        );
      } else {
        expect(estimate.projector).toBeNull();
      }
    });
  });
});

// ---- The estimate command on real files ------------------------------------------------------------

// Every model's GPUStack-defaults case, and the VL model with its projector: the split 72B is found
// from its first shard, the mmproj is passed with --mmproj.
const cliCases = referenceCases.filter((c) => c.scenario === 'a' || c.projector !== null);

describe('npm run estimate on the oracle files, written to disk', () => {
  let dir: string;
  const firstFile = new Map<string, string>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oracle-bytes-'));
    // Sparse: the header, then a hole up to the real size (~37 MB on disk for ~112 GB).
    for (const model of oracleModels()) {
      for (const { file, size, header } of oracleFiles(model)) {
        const path = join(dir, file);
        writeFileSync(path, header);
        truncateSync(path, size);
        if (!firstFile.has(model)) firstFile.set(model, path);
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function argsOf(c: ReferenceCase, footprint: string): string[] {
    const { inputs } = c;
    const args = [
      firstFile.get(c.model) as string,
      '--ctx-size',
      String(inputs.ctx),
      `--parallel-size=${inputs.parallel}`,
      `--mmap=${inputs.mmap}`,
      '--gpu-layers',
      String(inputs.gpuLayers),
      '--cache-type-k',
      inputs.cacheTypeK,
      `--cache-type-v=${inputs.cacheTypeV}`,
      '--max-projected-cache',
      String(inputs.maxProjectedCache ?? 0),
      '--platform-footprint',
      footprint,
      '--json',
    ];
    if (inputs.flashAttention) args.push('--flash-attention');
    if (inputs.tensorSplit) args.push('--tensor-split', inputs.tensorSplit);
    if (c.projector) args.push('--mmproj', firstFile.get(c.projector) as string);
    return args;
  }

  it('covers every model, the split 72B and the VL model with its mmproj', () => {
    expect(new Set(cliCases.map((c) => c.model)).size).toBe(10);
    expect(cliCases.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'qwen2.5-72b-instruct-q4_k_m/a',
        'qwen2.5-vl-7b-instruct-q4_k_m/e',
        'qwen2.5-vl-7b-instruct-q4_k_m/e2',
      ]),
    );
  });

  describe.each(cliCases)('$id', (c) => {
    it.each(Object.keys(c.summary))(
      '--platform-footprint %s --json matches gguf-parser-go',
      async (footprint) => {
        const expected = c.summary[footprint];
        if (!expected) throw new Error(`no summary for ${footprint}`);
        let out = '';
        const code = await runEstimate(argsOf(c, footprint), { out: (text) => (out += text) });
        expect(code, out).toBe(0);
        const got = JSON.parse(out) as {
          ram: Figure;
          vrams: Figure[];
          offloadLayers: number;
          fullOffloaded: boolean;
        };
        expectFigures(got, expected);
        expect(got.offloadLayers).toBe(expected.offloadLayers);
        expect(got.fullOffloaded).toBe(expected.fullOffloaded);
      },
    );
  });
});
