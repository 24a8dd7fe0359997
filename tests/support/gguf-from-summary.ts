// Writes real GGUF headers back from the oracle's model summaries (tests/fixtures/oracle), so the
// impersonated Hub serves files shaped like real models (Qwen2.5, Llama 3.1, the Qwen2.5-VL mmproj,
// split shards...). Tokenizer arrays come back with their counts and synthetic strings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GgufSummary, SummaryValue } from '../../utils/lib/estimate';
import { GgufWriter, type WrittenHeader } from '../unit/support/gguf-writer';

export function oracleSummary(name: string): GgufSummary {
  return JSON.parse(
    readFileSync(join(process.cwd(), 'tests/fixtures/oracle', `${name}.json`), 'utf8'),
  ) as GgufSummary;
}

function writeValue(w: GgufWriter, key: string, value: SummaryValue): void {
  if (typeof value === 'string') w.string(key, value);
  else if (typeof value === 'boolean') w.bool(key, value);
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) w.f32(key, value);
    else if (value < 0) w.i32(key, value);
    else if (value > 0xffffffff) w.u64(key, BigInt(value));
    else w.u32(key, value);
  } else {
    const items = value;
    const itemType = items.every((v) => typeof v === 'string')
      ? 'string'
      : items.every((v) => typeof v === 'boolean')
        ? 'bool'
        : items.every((v) => Number.isInteger(v))
          ? 'i32'
          : 'f32';
    w.generated(key, itemType, items.length, (i) => items[i] as string | number | boolean);
  }
}

/**
 * The header of shard `index` of the summarised model. Token strings are padded so the header has
 * the original's size (as gguf-parser counts it), so estimates from the written file are exact.
 */
export function headerFromSummary(summary: GgufSummary, index = 0): WrittenHeader {
  const plain = writeHeader(summary, index, 0, 0);
  const target = summary.files[index]?.headerSize ?? 0;
  const tokens = index === 0 ? summary.tokenizer.tokens : 0;
  // gguf-parser's header size is the tensor-info end rounded up to 32, plus 32 when already aligned:
  // any end in [target - 32, target - 1] gives the target.
  const missing = target - 32 - plain.tensorInfoEnd;
  if (tokens === 0 || missing <= 0) return plain;
  return writeHeader(summary, index, Math.floor(missing / tokens), missing % tokens);
}

/** `pad` extra characters on every token, one more on the first `extra` tokens. */
function writeHeader(summary: GgufSummary, index: number, pad: number, extra: number): WrittenHeader {
  const file = summary.files[index];
  if (!file) throw new Error(`The summary has no shard ${index}.`);
  const w = new GgufWriter();
  for (const [key, value] of Object.entries(summary.metadata)) {
    if (key.startsWith('split.') || key === 'general.alignment') continue;
    writeValue(w, key, value);
  }
  if (summary.files.length > 1) {
    w.kv('split.no', { type: 'u16', value: index });
    w.kv('split.count', { type: 'u16', value: summary.files.length });
  }
  if (index === 0 && summary.tokenizer.model && !('tokenizer.ggml.model' in summary.metadata)) {
    w.string('tokenizer.ggml.model', summary.tokenizer.model);
  }
  if (index === 0 && summary.tokenizer.tokens > 0) {
    const filler = 'x'.repeat(pad + 1);
    w.generated(
      'tokenizer.ggml.tokens',
      'string',
      summary.tokenizer.tokens,
      (i) => `t${i.toString(36)}${filler.slice(i < extra ? 0 : 1)}`,
    );
    if (summary.tokenizer.merges > 0) {
      w.generated('tokenizer.ggml.merges', 'string', summary.tokenizer.merges, (i) => `m${i.toString(36)} x`);
    }
  }
  for (const tensor of file.tensors) w.tensor(tensor.name, [...tensor.dims], tensor.type);
  return w.build();
}
