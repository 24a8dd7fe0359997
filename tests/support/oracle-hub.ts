// The oracle's files on the impersonated Hub: a repo per oracle model, its files the exact bytes
// gguf-parser-go's figures were computed on (tests/support/oracle-gguf.ts), and what a check with
// given settings must show, from those figures alone (tests/fixtures/oracle/reference-cases.json).

import { type FakeRepo, fakeSha } from '../e2e/support/hf-server';
import { oracleFiles } from './oracle-gguf';
import { type ReferenceCase, referenceCases } from './reference-cases';

/** A repo on the impersonated Hub with the oracle model's files (and a projector's, for a VL model). */
export function oracleRepo(repo: string, model: string, projector?: string): FakeRepo {
  const files = [...oracleFiles(model), ...(projector ? oracleFiles(projector) : [])];
  return {
    id: repo,
    sha: fakeSha(`oracle ${repo}`),
    files: files.map(({ file, size, header }) => ({ path: file, size, header })),
  };
}

export function oracleCase(id: string): ReferenceCase {
  const found = referenceCases.find((c) => c.id === id);
  if (!found) throw new Error(`No oracle case ${id}`);
  return found;
}

/**
 * What a built-in verdict must say for an oracle case, in GPUStack's footprint (150 MiB RAM, 500
 * MiB VRAM per GPU): VRAM over all GPUs and RAM, non-UMA. A case computed with mmap on (the
 * maximum-context scenario) keeps the output weight off the host; GPUStack runs without mmap, which
 * keeps it there: that weight, from the oracle's own breakdown, is added.
 */
export function expectedFigures(id: string): { vram: number; ram: number; perGpu: number[] } {
  const c = oracleCase(id);
  const summary = c.summary['150,500'];
  if (!summary) throw new Error(`${id} has no GPUStack summary`);
  const perGpu = summary.vrams.map((v) => v.nonuma);
  const hostOutput = c.inputs.mmap ? (c.estimate.devices[0]?.weight.output ?? 0) : 0;
  return { vram: perGpu.reduce((a, b) => a + b, 0), ram: summary.ram.nonuma + hostOutput, perGpu };
}
