import { describe, expect, it } from 'vitest';
import { estimateLlamaCpp, summarize, summarizeGguf } from '../../utils/lib/estimate';
import { readGgufHeader } from '../../utils/lib/gguf';
import { headerFromSummary, oracleSummary } from '../support/gguf-from-summary';
import { fileSlice } from './support/gguf-writer';

describe('headers written back from oracle summaries', () => {
  for (const name of [
    'qwen2.5-7b-instruct-q4_k_m',
    'mmproj-qwen2.5-vl-7b-instruct-f16',
    'gemma-2-9b-it-q4_k_m',
  ]) {
    it(`${name}: parses and estimates like the original`, async () => {
      const original = oracleSummary(name);
      const written = headerFromSummary(original);
      const header = await readGgufHeader(async (start, end) => ({
        bytes: fileSlice(written.header, written.fileSize, start, end),
        totalSize: written.fileSize,
      }));
      const again = summarizeGguf([{ ...header, fileSize: written.fileSize }]);
      expect(again.tokenizer).toEqual(original.tokenizer);
      expect(again.files[0]?.tensors).toEqual(original.files[0]?.tensors);
      if (original.metadata['general.architecture'] !== 'clip') {
        const a = summarize(estimateLlamaCpp(original)).vrams[0]?.nonuma ?? 0;
        const b = summarize(estimateLlamaCpp(again)).vrams[0]?.nonuma ?? 0;
        // Only the header size (synthetic token strings) differs.
        expect(Math.abs(a - b) / a).toBeLessThan(0.01);
      }
    });
  }
});

describe('written headers keep the original header size', () => {
  it('reproduces the oracle header size exactly', async () => {
    const original = oracleSummary('llama-3.1-8b-instruct-q4_k_m');
    const written = headerFromSummary(original);
    const header = await readGgufHeader(async (start, end) => ({
      bytes: fileSlice(written.header, written.fileSize, start, end),
      totalSize: written.fileSize,
    }));
    const again = summarizeGguf([{ ...header, fileSize: original.size }]);
    expect(again.headerSize).toBe(original.headerSize);
    expect(summarize(estimateLlamaCpp(again))).toEqual(summarize(estimateLlamaCpp(original)));
  });
});
