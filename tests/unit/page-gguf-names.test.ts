import { describe, expect, it } from 'vitest';
import {
  classifyGgufPath,
  isGgufPath,
  isModelFileToCheck,
  modelFilesToCheck,
  parseQuant,
  shardPaths,
} from '../../utils/lib/gguf-names';

describe('classifyGgufPath', () => {
  it('reads single-file models and their quant', () => {
    expect(classifyGgufPath('Qwen2.5-7B-Instruct-Q4_K_M.gguf')).toEqual({
      kind: 'model',
      quant: 'Q4_K_M',
      baseName: 'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
    });
    expect(classifyGgufPath('mistral-7b-instruct-v0.2.Q8_0.gguf')).toMatchObject({
      kind: 'model',
      quant: 'Q8_0',
    });
    expect(classifyGgufPath('sub/dir/model-iq2_xxs.GGUF')).toMatchObject({
      kind: 'model',
      quant: 'IQ2_XXS',
      baseName: 'model-iq2_xxs.GGUF',
    });
  });

  it.each([
    ['x-Q4_K_M.gguf', 'Q4_K_M'],
    ['x-Q3_K_L.gguf', 'Q3_K_L'],
    ['x-Q6_K.gguf', 'Q6_K'],
    ['x-Q4_0.gguf', 'Q4_0'],
    ['x-Q4_0_4_8.gguf', 'Q4_0_4_8'],
    ['x-IQ2_XS.gguf', 'IQ2_XS'],
    ['x-IQ2_XXS.gguf', 'IQ2_XXS'],
    ['x-IQ4_NL.gguf', 'IQ4_NL'],
    ['x-IQ3_M.gguf', 'IQ3_M'],
    ['x-TQ1_0.gguf', 'TQ1_0'],
    ['x-F16.gguf', 'F16'],
    ['x-bf16.gguf', 'BF16'],
    ['x-f32.gguf', 'F32'],
    ['Phi-3-mini-4k-instruct-fp16.gguf', 'F16'],
    ['Phi-3-mini-4k-instruct-q4.gguf', 'Q4'],
    ['Qwen3-30B-A3B-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL'],
    ['gpt-oss-20b-MXFP4.gguf', 'MXFP4'],
    ['x.q5_k_s.gguf', 'Q5_K_S'],
  ])('parses the quant of %s', (name, quant) => {
    expect(classifyGgufPath(name).quant).toBe(quant);
  });

  it('finds no quant where there is none', () => {
    expect(classifyGgufPath('Qwen2-7B.gguf').quant).toBeUndefined();
    expect(classifyGgufPath('model.gguf').quant).toBeUndefined();
    expect(parseQuant('MQ4_0x.gguf')).toBeUndefined();
  });

  it('recognises shards, at top level and in folders', () => {
    expect(classifyGgufPath('Name-Q8_0-00001-of-00003.gguf')).toEqual({
      kind: 'shard',
      shard: { index: 1, count: 3, first: true },
      quant: 'Q8_0',
      baseName: 'Name-Q8_0-00001-of-00003.gguf',
    });
    expect(classifyGgufPath('Q8_0/Name-Q8_0-00002-of-00003.gguf')).toMatchObject({
      kind: 'shard',
      shard: { index: 2, count: 3, first: false },
      quant: 'Q8_0',
      baseName: 'Name-Q8_0-00002-of-00003.gguf',
    });
  });

  it('treats impossible shard numbers as a plain model', () => {
    expect(classifyGgufPath('x-00000-of-00002.gguf').kind).toBe('model');
    expect(classifyGgufPath('x-00003-of-00002.gguf').kind).toBe('model');
  });

  it('marks vision projectors whatever the case or place of "mmproj"', () => {
    expect(classifyGgufPath('mmproj-F16.gguf')).toMatchObject({ kind: 'mmproj', quant: 'F16' });
    expect(classifyGgufPath('Qwen2.5-VL-7B-Instruct-MMPROJ-f16.gguf').kind).toBe('mmproj');
    expect(classifyGgufPath('vision/model-mmproj.gguf').kind).toBe('mmproj');
  });

  it('marks imatrix calibration files', () => {
    expect(classifyGgufPath('Qwen2.5-7B-Instruct.imatrix').kind).toBe('imatrix');
    expect(classifyGgufPath('qwen2.5-7b-instruct-imatrix.gguf').kind).toBe('imatrix');
    expect(classifyGgufPath('imatrix.dat').kind).toBe('imatrix');
    expect(classifyGgufPath('imatrix_unsloth.gguf').kind).toBe('imatrix');
    // A quant type in the name means a model quantized with an imatrix, not the imatrix.
    expect(classifyGgufPath('Llama-3-8B-imatrix-Q4_K_M.gguf').kind).toBe('model');
  });

  it('leaves everything else as other', () => {
    for (const p of [
      'README.md',
      'config.json',
      '.gitattributes',
      'model.safetensors',
      'x.gguf.part1',
      'Q8_0',
    ]) {
      expect(classifyGgufPath(p).kind).toBe('other');
    }
    expect(classifyGgufPath('a/b/README.md').baseName).toBe('README.md');
  });

  it('copes with hostile names', () => {
    expect(classifyGgufPath('<img src=x onerror=alert(1)>.gguf')).toEqual({
      kind: 'model',
      baseName: '<img src=x onerror=alert(1)>.gguf',
    });
    expect(classifyGgufPath('dir with space/a #1 ?x-Q5_K_S.gguf')).toEqual({
      kind: 'model',
      quant: 'Q5_K_S',
      baseName: 'a #1 ?x-Q5_K_S.gguf',
    });
    expect(classifyGgufPath('モデル/ünï-00001-of-00002.gguf')).toMatchObject({
      kind: 'shard',
      shard: { index: 1, count: 2, first: true },
      baseName: 'ünï-00001-of-00002.gguf',
    });
    expect(classifyGgufPath('').kind).toBe('other');
    expect(classifyGgufPath('.gguf').kind).toBe('model');
  });
});

describe('isGgufPath', () => {
  it('is any .gguf file, in any case, and nothing that only contains the word', () => {
    expect(['m.gguf', 'dir/M-Q4_K_M.GGUF', 'mmproj-f16.gguf'].map(isGgufPath)).toEqual([true, true, true]);
    expect(['m.gguf.part', 'gguf', 'README.md', 'm.gguf/'].map(isGgufPath)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('modelFilesToCheck', () => {
  const repo = [
    '.gitattributes',
    'README.md',
    'config.json',
    'Q8_0/Name-Q8_0-00001-of-00002.gguf',
    'Q8_0/Name-Q8_0-00002-of-00002.gguf',
    'Name-f16-00001-of-00002.gguf',
    'Name-f16-00002-of-00002.gguf',
    'Name-Q4_K_M.gguf',
    'Name-IQ2_XXS.gguf',
    'mmproj-F16.gguf',
    'Name.imatrix',
    'name-imatrix.gguf',
    '<img src=x onerror=alert(1)>.gguf',
    'Name-Q4_K_M.gguf',
  ];

  it('keeps single files and first shards only, in order, once', () => {
    expect(modelFilesToCheck(repo)).toEqual([
      'Q8_0/Name-Q8_0-00001-of-00002.gguf',
      'Name-f16-00001-of-00002.gguf',
      'Name-Q4_K_M.gguf',
      'Name-IQ2_XXS.gguf',
      '<img src=x onerror=alert(1)>.gguf',
    ]);
  });

  it('isModelFileToCheck (its quick path) agrees with the full classification', () => {
    const names = [
      ...repo,
      'Llama-3-8B-imatrix-Q4_K_M.gguf',
      'imatrix_unsloth.gguf',
      'Name-IMATRIX-IQ2_XXS.GGUF',
      'dir/MMPROJ-model-Q4_K_M-00001-of-00002.gguf',
      'Name-00002-of-00001.gguf',
      'Name-00000-of-00002.gguf',
      'a/b/Name-Q4_K_M-00003-of-00003.gguf',
      'x.gguf.part1',
      '.gguf',
      '',
    ];
    for (const p of names) {
      const info = classifyGgufPath(p);
      const expected = info.kind === 'model' || (info.kind === 'shard' && info.shard?.first === true);
      expect(isModelFileToCheck(p), p).toBe(expected);
    }
  });

  it('accepts any iterable', () => {
    expect(modelFilesToCheck(new Set(['a.gguf', 'b.txt']))).toEqual(['a.gguf']);
    expect(modelFilesToCheck([])).toEqual([]);
  });
});

describe('shardPaths', () => {
  it('lists every shard', () => {
    expect(shardPaths('Q8_0/Name-Q8_0-00001-of-00003.gguf')).toEqual([
      'Q8_0/Name-Q8_0-00001-of-00003.gguf',
      'Q8_0/Name-Q8_0-00002-of-00003.gguf',
      'Q8_0/Name-Q8_0-00003-of-00003.gguf',
    ]);
    expect(shardPaths('a b/#x?-00001-of-00002.GGUF')).toEqual([
      'a b/#x?-00001-of-00002.GGUF',
      'a b/#x?-00002-of-00002.GGUF',
    ]);
  });

  it('keeps the digit widths of the name', () => {
    expect(shardPaths('x-001-of-012.gguf')).toHaveLength(12);
    expect(shardPaths('x-001-of-012.gguf')[11]).toBe('x-012-of-012.gguf');
  });

  it('gives back a non-shard unchanged', () => {
    expect(shardPaths('model-Q4_K_M.gguf')).toEqual(['model-Q4_K_M.gguf']);
    expect(shardPaths('<img src=x onerror=alert(1)>.gguf')).toEqual(['<img src=x onerror=alert(1)>.gguf']);
  });

  it('works from any shard of the set', () => {
    expect(shardPaths('x-00002-of-00002.gguf')).toEqual(['x-00001-of-00002.gguf', 'x-00002-of-00002.gguf']);
  });
});
