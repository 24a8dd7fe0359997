// Regenerates tests/fixtures/oracle/ from the shared llama.cpp-estimate oracle:
//   npx tsx scripts/make-oracle-fixtures.ts [--oracle /work/shared/oracle] [--gguf /tmp/gguf]
// It generates the synthetic header-only GGUF files with the oracle's make_gguf.mjs (sparse files,
// ~100 GB apparent size, ~40 MB on disk) unless they are already there, parses each with
// @huggingface/gguf, stores one summary per model (summarizeGguf) and a trimmed copy of the oracle's
// reference cases that tests/unit/estimate-oracle.test.ts compares against.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { type GgufSummary, summarizeGguf } from '../utils/lib/estimate/model-summary';

interface OracleFile {
  file: string;
}
interface OracleFacts {
  size: number;
  modelSize: number;
  headerSize: number;
  parameters: number;
}
interface OracleModel {
  id?: string;
  files: OracleFile[];
  oracleFile: OracleFacts;
  projector?: OracleModel & { id: string };
}
interface OracleDevice {
  handleLayers: number;
  handleLastLayer: number;
  handleOutputLayer: boolean;
  footprint: number;
  weight: { input: number; compute: number; output: number };
  kvCache: { key: number; value: number };
  computation: { footprint: number; input: number; graph: number; output: number };
}
interface OracleEstimate {
  contextSize: number;
  offloadLayers: number;
  fullOffloaded: boolean;
  devices: OracleDevice[];
  projector?: OracleEstimate;
}
interface OracleSummary {
  offloadLayers: number;
  fullOffloaded: boolean;
  contextSize: number;
  ram: { uma: number; nonuma: number };
  vrams: Array<{ uma: number; nonuma: number }>;
}
interface OracleCase {
  id: string;
  model: string;
  scenario: string;
  inputs: {
    ctx: number;
    parallel: number;
    mmap: boolean;
    gpuLayers: number;
    flashAttention: boolean;
    cacheTypeK: string;
    cacheTypeV: string;
    tensorSplit: string | null;
    mmproj: boolean;
    maxProjectedCache: number | null;
  };
  summary: Record<string, OracleSummary>;
  estimate: OracleEstimate;
}
interface OracleReference {
  oracle: { version: string; commit: string };
  models: Record<string, OracleModel>;
  cases: OracleCase[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const oracleDir = option('--oracle', '/work/shared/oracle');
const ggufDir = option('--gguf', '/tmp/gguf');
const outDir = path.join(root, 'tests/fixtures/oracle');

const reference = JSON.parse(readFileSync(path.join(oracleDir, 'reference.json'), 'utf8')) as OracleReference;

const wanted = Object.values(reference.models).flatMap((m) => [
  ...m.files.map((f) => f.file),
  ...(m.projector?.files.map((f) => f.file) ?? []),
]);
if (!wanted.every((f) => existsSync(path.join(ggufDir, f)))) {
  console.log(`generating GGUF files in ${ggufDir} ...`);
  execFileSync(
    'node',
    [path.join(oracleDir, 'make_gguf.mjs'), ggufDir, '--check', path.join(oracleDir, 'reference.json')],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function summarizeFiles(files: OracleFile[]): Promise<GgufSummary> {
  const parsed = [];
  for (const { file } of files) {
    const full = path.join(ggufDir, file);
    const header = await gguf(full, { allowLocalFile: true });
    parsed.push({ ...header, fileSize: statSync(full).size });
  }
  return summarizeGguf(parsed);
}

// The summary must see the files as the oracle did.
function checkFacts(id: string, summary: GgufSummary, facts: OracleFacts): void {
  const mine = {
    size: summary.size,
    modelSize: summary.modelSize,
    headerSize: summary.headerSize,
    parameters: summary.parameters,
  };
  for (const key of Object.keys(mine) as Array<keyof typeof mine>) {
    if (mine[key] !== facts[key]) {
      throw new Error(`${id}: ${key} ${mine[key]} differs from the oracle's ${facts[key]}`);
    }
  }
}

mkdirSync(outDir, { recursive: true });
const write = (name: string, value: unknown) =>
  writeFileSync(path.join(outDir, name), `${JSON.stringify(value)}\n`);

for (const [id, model] of Object.entries(reference.models)) {
  const summary = await summarizeFiles(model.files);
  checkFacts(id, summary, model.oracleFile);
  write(`${id}.json`, summary);
  if (model.projector) {
    const projector = await summarizeFiles(model.projector.files);
    checkFacts(model.projector.id, projector, model.projector.oracleFile);
    write(`${model.projector.id}.json`, projector);
  }
}

const trimDevices = (devices: OracleDevice[]) =>
  devices.map((d) => ({
    handleLayers: d.handleLayers,
    handleLastLayer: d.handleLastLayer,
    handleOutputLayer: d.handleOutputLayer,
    footprint: d.footprint,
    // computeOverridden (tensor overrides) is always 0 here: not modelled, not kept.
    weight: { input: d.weight.input, compute: d.weight.compute, output: d.weight.output },
    kvCache: d.kvCache,
    computation: d.computation,
  }));

const cases = reference.cases.map((c) => ({
  id: c.id,
  model: c.model,
  scenario: c.scenario,
  projector: c.inputs.mmproj ? (reference.models[c.model]?.projector?.id ?? null) : null,
  inputs: {
    ctx: c.inputs.ctx,
    parallel: c.inputs.parallel,
    mmap: c.inputs.mmap,
    gpuLayers: c.inputs.gpuLayers,
    flashAttention: c.inputs.flashAttention,
    cacheTypeK: c.inputs.cacheTypeK,
    cacheTypeV: c.inputs.cacheTypeV,
    tensorSplit: c.inputs.tensorSplit,
    maxProjectedCache: c.inputs.maxProjectedCache,
  },
  summary: Object.fromEntries(
    Object.entries(c.summary).map(([footprint, s]) => [
      footprint,
      {
        offloadLayers: s.offloadLayers,
        fullOffloaded: s.fullOffloaded,
        contextSize: s.contextSize,
        ram: { uma: s.ram.uma, nonuma: s.ram.nonuma },
        vrams: s.vrams.map((v) => ({ uma: v.uma, nonuma: v.nonuma })),
      },
    ]),
  ),
  estimate: {
    contextSize: c.estimate.contextSize,
    offloadLayers: c.estimate.offloadLayers,
    fullOffloaded: c.estimate.fullOffloaded,
    devices: trimDevices(c.estimate.devices),
    projector: c.estimate.projector ? { devices: trimDevices(c.estimate.projector.devices) } : null,
  },
}));

write('reference-cases.json', {
  source: `gguf-parser-go ${reference.oracle.version} (${reference.oracle.commit}), /work/shared/oracle/reference.json`,
  cases,
});

// Format like the rest of the repository (biome check . covers the fixtures).
execFileSync(path.join(root, 'node_modules/.bin/biome'), ['format', '--write', outDir], { stdio: 'ignore' });
for (const name of readdirSync(outDir).sort()) {
  console.log(`tests/fixtures/oracle/${name}: ${statSync(path.join(outDir, name)).size} bytes`);
}
