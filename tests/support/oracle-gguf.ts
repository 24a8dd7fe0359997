// The oracle's GGUF files, header only: gguf-parser-go v0.25.0 computed the figures in
// tests/fixtures/oracle/reference-cases.json on exactly these bytes (their SHA-256 are in
// tests/fixtures/oracle/files.json). They are rebuilt here with the project's GGUF writer from the
// facts of the oracle's generator (make_gguf.mjs): each model's published config mapped onto
// llama.cpp's keys and tensor names, llama.cpp's Q4_K_M choice of tensor types, and synthetic
// tokenizers whose counts and string lengths are realistic. The tokenizer strings come from a seeded
// random stream, so every draw below happens in the generator's order: reordering two draws changes
// the bytes.
//
//   for (const id of oracleModels()) for (const { file, size, header } of oracleFiles(id)) ...

import { GgufWriter, type Value } from '../unit/support/gguf-writer';

export interface OracleFile {
  /** The file name the oracle parsed (shards keep their -0000N-of-0000M suffix). */
  file: string;
  /** What the file weighs with its tensor data (the header, then a hole). */
  size: number;
  /** Everything before the tensor data, padding included. */
  header: Uint8Array;
}

// ---- Random source -------------------------------------------------------------------------------

/** mulberry32, seeded with the FNV-1a hash of a name (over UTF-16 code units). */
class Random {
  private state: number;

  constructor(seed: string) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    this.state = hash;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: ArrayLike<T>): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A length of at least `min`, exponentially spread so that its mean is about `mean`, at most `max`. */
  length(min: number, mean: number, max: number): number {
    return Math.min(max, min + Math.floor(-Math.log(1 - this.next()) * (mean - min)));
  }

  /** `count` characters drawn from the code points [from, to). */
  chars(count: number, from: number, to: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String.fromCharCode(from + Math.floor(this.next() * (to - from)));
    return text;
  }
}

// ---- Text fragments ------------------------------------------------------------------------------

// English-like letter frequencies; the order matters, as a draw picks a position in the string.
const LETTERS = (
  [
    ['e', 12],
    ['t', 9],
    ['a', 8],
    ['o', 7],
    ['i', 7],
    ['n', 7],
    ['s', 6],
    ['h', 6],
    ['r', 6],
    ['d', 4],
    ['l', 4],
    ['c', 3],
    ['u', 3],
    ['m', 3],
    ['w', 2],
    ['f', 2],
    ['g', 2],
    ['y', 2],
    ['p', 2],
    ['b', 2],
    ['v', 1],
    ['k', 1],
    ['j', 1],
    ['x', 1],
    ['q', 1],
    ['z', 1],
  ] as const
)
  .map(([letter, count]) => letter.repeat(count))
  .join('');
const PUNCTUATION = '.,;:!?\'"()[]{}<>-_=+*/\\|&^%$#@~`';
const WHITESPACE = [' ', '\n', '\t'];
const IDENTIFIER_PREFIXES = ['_', '', '.', ''];
// Cyrillic, Greek, Arabic, Devanagari, Hangul: [first, last] code points.
const SCRIPTS: ReadonlyArray<readonly [number, number]> = [
  [0x0430, 0x044f],
  [0x03b1, 0x03c9],
  [0x0627, 0x064a],
  [0x0915, 0x0939],
  [0xac00, 0xd7a3],
];
const CJK_FIRST = 0x4e00;
const CJK_LAST = 0x9fa5;

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Letters, then one draw for an initial capital (12%). */
function word(rng: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += rng.pick(LETTERS);
  return rng.chance(0.12) ? capitalized(text) : text;
}

type FragmentKind =
  | 'word'
  | 'subword'
  | 'cjk'
  | 'script'
  | 'punctuation'
  | 'whitespace'
  | 'identifier'
  | 'digits';

const FRAGMENTS: Record<FragmentKind, (rng: Random) => string> = {
  word: (rng) => ` ${word(rng, rng.length(2, 6, 16))}`,
  subword: (rng) => word(rng, rng.length(1, 4, 12)).toLowerCase(),
  cjk: (rng) => rng.chars(rng.length(1, 1.8, 4), CJK_FIRST, CJK_LAST),
  script: (rng) => {
    const space = rng.chance(0.5) ? ' ' : '';
    const count = rng.length(1, 3.5, 8);
    const [first, last] = rng.pick(SCRIPTS);
    return space + rng.chars(count, first, last);
  },
  punctuation: (rng) => {
    const count = rng.length(1, 2.2, 6);
    let marks = '';
    for (let i = 0; i < count; i++) marks += rng.pick(PUNCTUATION);
    const before = rng.chance(0.3) ? ' ' : '';
    const after = rng.chance(0.25) ? '\n' : '';
    return before + marks + after;
  },
  whitespace: (rng) => {
    const char = rng.pick(WHITESPACE);
    return char.repeat(rng.length(1, 4, 24));
  },
  identifier: (rng) => {
    const parts = rng.length(1, 1.8, 3);
    let name = rng.pick(IDENTIFIER_PREFIXES);
    for (let i = 0; i < parts; i++) {
      const part = word(rng, rng.length(2, 4, 8)).toLowerCase();
      name += i === 0 ? part : capitalized(part);
    }
    return name;
  },
  digits: (rng) => {
    const count = rng.length(1, 2, 3);
    let digits = '';
    for (let i = 0; i < count; i++) digits += Math.floor(rng.next() * 10);
    return digits;
  },
};

/** How often each kind of fragment is drawn; the weights add up to 1. */
type Mix = ReadonlyArray<readonly [number, FragmentKind]>;

const BPE_MIX: Mix = [
  [0.5, 'word'],
  [0.2, 'subword'],
  [0.1, 'cjk'],
  [0.05, 'script'],
  [0.06, 'punctuation'],
  [0.02, 'whitespace'],
  [0.05, 'identifier'],
  [0.02, 'digits'],
];
const SPM_MIX: Mix = [
  [0.5, 'word'],
  [0.25, 'subword'],
  [0.07, 'cjk'],
  [0.06, 'script'],
  [0.06, 'punctuation'],
  [0.01, 'whitespace'],
  [0.05, 'identifier'],
];
const SPM_MULTILINGUAL_MIX: Mix = [
  [0.38, 'word'],
  [0.2, 'subword'],
  [0.14, 'cjk'],
  [0.16, 'script'],
  [0.05, 'punctuation'],
  [0.02, 'whitespace'],
  [0.05, 'identifier'],
];
const WORDPIECE_MIX: Mix = [
  [0.75, 'word'],
  [0.15, 'subword'],
  [0.05, 'digits'],
  [0.05, 'script'],
];

function fragment(rng: Random, mix: Mix): string {
  const x = rng.next();
  let bound = 0;
  for (const [weight, kind] of mix) {
    bound += weight;
    if (x < bound) return FRAGMENTS[kind](rng);
  }
  throw new Error('the weights of a mix must add up to 1');
}

/** `count` new vocabulary entries: rendered fragments that are not in `taken` (which grows). */
function distinctPieces(
  rng: Random,
  count: number,
  mix: Mix,
  render: (fragment: string) => string,
  taken: Set<string>,
): string[] {
  const pieces: string[] = [];
  let collisions = 0;
  while (pieces.length < count) {
    let piece = render(fragment(rng, mix));
    if (piece === '') continue;
    if (taken.has(piece)) {
      // Every fourth collision gets one more letter instead of being dropped.
      collisions++;
      if (collisions % 4 === 0) piece += rng.pick(LETTERS);
      if (taken.has(piece)) continue;
    }
    taken.add(piece);
    pieces.push(piece);
  }
  return pieces;
}

// ---- Tokenizers ----------------------------------------------------------------------------------

interface Tokenizer {
  tokens: string[];
  types: number[];
  scores?: number[];
  merges?: string[];
}

/** llama.cpp's token types. */
const Token = { normal: 1, unknown: 2, control: 3, user: 4, unused: 5, byte: 6 } as const;

type Entry = readonly [token: string, type: number];

// GPT-2's byte-level alphabet: the printable Latin-1 bytes stand for themselves, the 68 others for
// U+0100 onwards in byte order. The vocabulary lists the printable ones first.
const isPrintableByte = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
const BYTE_CHARS: string[] = [];
for (let b = 0, next = 0x100; b < 256; b++) {
  BYTE_CHARS.push(String.fromCharCode(isPrintableByte(b) ? b : next++));
}
const BYTE_SYMBOLS = [
  ...BYTE_CHARS.filter((_, b) => isPrintableByte(b)),
  ...BYTE_CHARS.filter((_, b) => !isPrintableByte(b)),
];

/** The text's UTF-8 bytes as byte symbols (the fragments hold no surrogates: BMP only). */
function byteLevel(text: string): string {
  let symbols = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) symbols += BYTE_CHARS[c];
    else if (c < 0x800) symbols += (BYTE_CHARS[0xc0 | (c >> 6)] as string) + BYTE_CHARS[0x80 | (c & 0x3f)];
    else {
      symbols +=
        (BYTE_CHARS[0xe0 | (c >> 12)] as string) +
        BYTE_CHARS[0x80 | ((c >> 6) & 0x3f)] +
        BYTE_CHARS[0x80 | (c & 0x3f)];
    }
  }
  return symbols;
}

/**
 * GPT-2 style BPE: the 256 byte symbols and `pieces - 256` generated pieces, then the specials, then
 * unused [PADn] entries up to `vocab`; merges cut generated pieces in two.
 */
function bytePairTokenizer(
  seed: string,
  pieces: number,
  specials: Entry[],
  vocab: number,
  merges: number,
): Tokenizer {
  const generated = distinctPieces(
    new Random(`${seed}:bpe`),
    pieces - BYTE_SYMBOLS.length,
    BPE_MIX,
    byteLevel,
    new Set(BYTE_SYMBOLS),
  );
  const tokens = [...BYTE_SYMBOLS, ...generated];
  const types: number[] = tokens.map(() => Token.normal);
  for (const [token, type] of specials) {
    tokens.push(token);
    types.push(type);
  }
  while (tokens.length < vocab) {
    tokens.push(`[PAD${tokens.length}]`);
    types.push(Token.unused);
  }
  return { tokens, types, merges: bpeMerges(new Random(`${seed}:merges`), generated, merges) };
}

/**
 * "left right" merge rules: up to seven passes cutting each piece of two or more characters once,
 * at a random point; if that is not enough, random pairs of pieces. Duplicates are skipped.
 */
function bpeMerges(rng: Random, pieces: string[], count: number): string[] {
  const merges: string[] = [];
  const seen = new Set<string>();
  const add = (merge: string) => {
    if (seen.has(merge)) return;
    seen.add(merge);
    merges.push(merge);
  };
  const cuttable = pieces.filter((p) => p.length >= 2);
  for (let pass = 0; pass < 7 && merges.length < count; pass++) {
    for (const piece of cuttable) {
      if (merges.length >= count) break;
      const cut = 1 + Math.floor(rng.next() * (piece.length - 1));
      add(`${piece.slice(0, cut)} ${piece.slice(cut)}`);
    }
  }
  while (merges.length < count) add(`${rng.pick(pieces)} ${rng.pick(pieces)}`);
  return merges;
}

/**
 * SentencePiece style: `head`, the 256 <0xNN> byte pieces, generated "▁"-spaced pieces, `tail`.
 * Scores rank the generated pieces 0, -1, -2... (the first is negative zero); the others score 0.
 */
function sentencePieceTokenizer(
  seed: string,
  head: Entry[],
  vocab: number,
  tail: Entry[] = [],
  mix: Mix = SPM_MIX,
): Tokenizer {
  const tokens = head.map(([token]) => token);
  const types: number[] = head.map(([, type]) => type);
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(Token.byte);
  }
  const first = tokens.length;
  const generated = distinctPieces(
    new Random(`${seed}:spm`),
    vocab - first - tail.length,
    mix,
    (text) => text.replaceAll(' ', '\u2581'),
    new Set(tokens),
  );
  for (const piece of generated) {
    tokens.push(piece);
    types.push(Token.normal);
  }
  for (const [token, type] of tail) {
    tokens.push(token);
    types.push(type);
  }
  const scores = tokens.map((_, i) => (i >= first && i < first + generated.length ? -(i - first) : 0));
  return { tokens, types, scores };
}

/** BERT WordPiece: specials and [unusedN], single characters, then words (22% as ##continuations). */
function wordPieceTokenizer(seed: string, vocab: number): Tokenizer {
  const rng = new Random(`${seed}:wpm`);
  const entries: Entry[] = [['[PAD]', Token.control]];
  for (let i = 0; i < 99; i++) entries.push([`[unused${i}]`, Token.normal]);
  entries.push(['[UNK]', Token.unknown], ['[CLS]', Token.control], ['[SEP]', Token.control]);
  entries.push(['[MASK]', Token.control]);
  for (let i = 99; i < 994; i++) entries.push([`[unused${i}]`, Token.normal]);

  // ASCII, Latin-1 and Latin Extended, Greek, Cyrillic, then every 7th CJK ideograph: 1100 in all.
  const chars: string[] = [];
  const range = (from: number, to: number) => {
    for (let c = from; c <= to; c++) chars.push(String.fromCharCode(c));
  };
  range(0x21, 0x7e);
  range(0xa1, 0x24f);
  range(0x391, 0x3c9);
  range(0x410, 0x44f);
  for (let c = CJK_FIRST; chars.length < 1100; c += 7) chars.push(String.fromCharCode(c));

  const tokens = entries.map(([token]) => token);
  const types: number[] = entries.map(([, type]) => type);
  const taken = new Set(tokens);
  for (const char of chars) {
    if (taken.has(char)) continue;
    taken.add(char);
    tokens.push(char);
    types.push(Token.normal);
  }
  const render = (text: string) => {
    const piece = text.trim().toLowerCase().replace(/\s+/g, '');
    return rng.chance(0.22) ? `##${piece}` : piece;
  };
  for (const piece of distinctPieces(rng, vocab - tokens.length, WORDPIECE_MIX, render, taken)) {
    tokens.push(piece);
    types.push(Token.normal);
  }
  return { tokens, types };
}

const QWEN_SPECIALS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|object_ref_start|>',
  '<|object_ref_end|>',
  '<|box_start|>',
  '<|box_end|>',
  '<|quad_start|>',
  '<|quad_end|>',
  '<|vision_start|>',
  '<|vision_end|>',
  '<|vision_pad|>',
  '<|image_pad|>',
  '<|video_pad|>',
  '<tool_call>',
  '</tool_call>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|fim_pad|>',
  '<|repo_name|>',
  '<|file_sep|>',
];

// DeepSeek's specials: <｜name｜> with U+FF5C (fullwidth bar), spaces written as U+2581.
const DEEPSEEK_SPECIALS = [
  'begin of sentence',
  'end of sentence',
  'fim hole',
  'fim begin',
  'fim end',
  'completion',
  'User',
  'Assistant',
  'EOT',
  'tool calls begin',
  'tool calls end',
  'tool call begin',
  'tool call end',
  'tool outputs begin',
  'tool outputs end',
].map((name) => `<\uff5c${name.replaceAll(' ', '\u2581')}\uff5c>`);

const LLAMA_SPM_HEAD: Entry[] = [
  ['<unk>', Token.unknown],
  ['<s>', Token.control],
  ['</s>', Token.control],
];

const TOKENIZERS = {
  qwen2: () =>
    bytePairTokenizer(
      'qwen2',
      151643,
      QWEN_SPECIALS.map((t) => [t, t.includes('tool_call') ? Token.user : Token.control]),
      152064,
      151387,
    ),
  llama3: () => {
    const named = new Map([
      [0, '<|begin_of_text|>'],
      [1, '<|end_of_text|>'],
      [4, '<|finetune_right_pad_id|>'],
      [6, '<|start_header_id|>'],
      [7, '<|end_header_id|>'],
      [8, '<|eom_id|>'],
      [9, '<|eot_id|>'],
      [10, '<|python_tag|>'],
    ]);
    const specials: Entry[] = [];
    for (let i = 0, reserved = 0; i < 256; i++) {
      specials.push([named.get(i) ?? `<|reserved_special_token_${reserved++}|>`, Token.control]);
    }
    return bytePairTokenizer('llama3', 128000, specials, 128256, 280147);
  },
  deepseek: () =>
    bytePairTokenizer(
      'deepseek-v2',
      100000,
      DEEPSEEK_SPECIALS.map((t, i) => [t, i < 2 ? Token.control : Token.user]),
      102400,
      99757,
    ),
  llama2: () => sentencePieceTokenizer('llama2-spm', LLAMA_SPM_HEAD, 32000),
  phi3: () => {
    const tail: Entry[] = [
      ['<|endoftext|>', Token.control],
      ['<|assistant|>', Token.user],
      ...[1, 2, 3, 4].map((i): Entry => [`<|placeholder${i}|>`, Token.user]),
      ['<|system|>', Token.user],
      ['<|end|>', Token.control],
      ['<|placeholder5|>', Token.user],
      ['<|placeholder6|>', Token.user],
      ['<|user|>', Token.user],
    ];
    for (let i = 7; tail.length < 64; i++) tail.push([`<|placeholder${i}|>`, Token.user]);
    return sentencePieceTokenizer('llama2-spm', LLAMA_SPM_HEAD, 32064, tail);
  },
  gemma: () => {
    const head: Entry[] = [
      ['<pad>', Token.control],
      ['<eos>', Token.control],
      ['<bos>', Token.control],
      ['<unk>', Token.unknown],
      ['<mask>', Token.user],
      ['[@BOS@]', Token.user],
    ];
    for (let i = 0; i < 100; i++) head.push([`<unused${i}>`, Token.user]);
    head.push(['<start_of_turn>', Token.user], ['<end_of_turn>', Token.user]);
    return sentencePieceTokenizer('gemma-spm', head, 256000, [], SPM_MULTILINGUAL_MIX);
  },
  bert: () => wordPieceTokenizer('bert-uncased', 30522),
} satisfies Record<string, () => Tokenizer>;

type TokenizerName = keyof typeof TOKENIZERS;

// Three models share Qwen's tokenizer: each one is built once.
const tokenizerCache = new Map<TokenizerName, Tokenizer>();
function tokenizer(name: TokenizerName): Tokenizer {
  let built = tokenizerCache.get(name);
  if (!built) {
    built = TOKENIZERS[name]();
    tokenizerCache.set(name, built);
  }
  return built;
}

// Short chat templates in each family's style (the generator's own, not the models').
const TEMPLATES = {
  chatml:
    "{%- if messages[0]['role'] != 'system' %}{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{%- endif %}" +
    "{%- for m in messages %}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{%- endfor %}" +
    "{%- if tools %}{{- '<|im_start|>system\\n# Tools\\n<tools>' }}{%- for t in tools %}{{- '\\n' + (t | tojson) }}{%- endfor %}{{- '\\n</tools><|im_end|>\\n' }}{%- endif %}" +
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
  llama3:
    "{{- bos_token }}{%- set date_string = date_string | default('26 Jul 2024') %}" +
    "{%- for m in messages %}{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}{%- endfor %}" +
    "{%- if tools %}{%- for t in tools %}{{- t | tojson(indent=4) + '\\n\\n' }}{%- endfor %}{%- endif %}" +
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
  inst:
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] + ' [/INST]' }}" +
    "{% elif m['role'] == 'assistant' %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}",
  gemma:
    "{{ bos_token }}{% for m in messages %}{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}" +
    "{{ '<start_of_turn>' + role + '\\n' + m['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}",
  deepseek:
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ 'User: ' + m['content'] + '\\n\\n' }}" +
    "{% elif m['role'] == 'assistant' %}{{ 'Assistant: ' + m['content'] + eos_token }}{% else %}{{ m['content'] + '\\n\\n' }}{% endif %}{% endfor %}" +
    "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}",
  phi3:
    "{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}",
  zephyr:
    "{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + eos_token + '\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}",
};

interface TokenizerKeys {
  model: string;
  pre?: string;
  /** tokenizer.ggml.<name>_token_id, in this order. */
  ids: Array<[string, number]>;
  /** tokenizer.ggml.<name> booleans, in this order. */
  flags?: Array<[string, boolean]>;
  template?: string;
}

// ---- Metadata values -----------------------------------------------------------------------------

type Kv = [key: string, value: Value];

const u16 = (value: number): Value => ({ type: 'u16', value });
const u32 = (value: number): Value => ({ type: 'u32', value });
const i32 = (value: number): Value => ({ type: 'i32', value });
const f32 = (value: number): Value => ({ type: 'f32', value });
const bool = (value: boolean): Value => ({ type: 'bool', value });
const str = (value: string): Value => ({ type: 'string', value });
const i32s = (values: number[]): Value => ({ type: 'array', itemType: 'i32', items: values.map(i32) });
const f32s = (values: number[]): Value => ({ type: 'array', itemType: 'f32', items: values.map(f32) });
// Tokenizer arrays are written item by item, without a Value per item.
const many = (itemType: 'string' | 'i32' | 'f32', items: ArrayLike<string | number>): Value => ({
  type: 'generated',
  itemType,
  count: items.length,
  item: (i) => items[i] as string | number,
});

/** llama_ftype values for general.file_type. */
const FILE_TYPE = { F16: 1, Q8_0: 7, Q4_K_M: 15 } as const;

interface General {
  arch: string;
  type?: 'model' | 'mmproj';
  name: string;
  finetune: string;
  basename: string;
  size: string;
  license: string;
}

function generalKvs(g: General): Kv[] {
  return [
    ['general.architecture', str(g.arch)],
    ['general.type', str(g.type ?? 'model')],
    ['general.name', str(g.name)],
    ['general.finetune', str(g.finetune)],
    ['general.basename', str(g.basename)],
    ['general.size_label', str(g.size)],
    ['general.license', str(g.license)],
  ];
}

function tokenizerKvs(t: Tokenizer, keys: TokenizerKeys): Kv[] {
  const kvs: Kv[] = [['tokenizer.ggml.model', str(keys.model)]];
  if (keys.pre) kvs.push(['tokenizer.ggml.pre', str(keys.pre)]);
  kvs.push(['tokenizer.ggml.tokens', many('string', t.tokens)]);
  if (t.scores) kvs.push(['tokenizer.ggml.scores', many('f32', t.scores)]);
  kvs.push(['tokenizer.ggml.token_type', many('i32', t.types)]);
  if (t.merges) kvs.push(['tokenizer.ggml.merges', many('string', t.merges)]);
  for (const [name, id] of keys.ids) kvs.push([`tokenizer.ggml.${name}_token_id`, u32(id)]);
  for (const [name, on] of keys.flags ?? []) kvs.push([`tokenizer.ggml.${name}`, bool(on)]);
  if (keys.template) kvs.push(['tokenizer.chat_template', str(keys.template)]);
  return kvs;
}

// ---- Tensor types --------------------------------------------------------------------------------

type TypeName = 'F32' | 'F16' | 'Q5_0' | 'Q5_1' | 'Q8_0' | 'Q4_K' | 'Q5_K' | 'Q6_K';

// [ggml type id, elements per block]
const GGML: Record<TypeName, readonly [number, number]> = {
  F32: [0, 1],
  F16: [1, 1],
  Q5_0: [6, 32],
  Q5_1: [7, 32],
  Q8_0: [8, 32],
  Q4_K: [12, 256],
  Q5_K: [13, 256],
  Q6_K: [14, 256],
};

// llama.cpp's fallback when a row does not fill whole 256-element blocks.
const LEGACY: Partial<Record<TypeName, TypeName>> = { Q4_K: 'Q5_0', Q5_K: 'Q5_1', Q6_K: 'Q8_0' };

interface Tensor {
  name: string;
  dims: number[];
  type: TypeName;
}

/** llama.cpp's "use more bits" layers: the first and last eighth, and every third one between. */
function moreBits(layer: number, layers: number): boolean {
  const eighth = Math.floor(layers / 8);
  return layer < eighth || layer >= Math.floor((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** Q4_K_M as llama.cpp's quantizer picks it, tensor by tensor. */
function q4kmType(m: DecoderModel, name: string, layer: number): TypeName {
  const eightExperts = m.experts === 8;
  if (name === 'output.weight' || (m.tied && name === 'token_embd.weight')) return 'Q6_K';
  if (name.endsWith('attn_v.weight')) {
    if (eightExperts) return 'Q8_0';
    if (moreBits(layer, m.layers)) return 'Q6_K';
    return m.seventyBClass ? 'Q5_K' : 'Q4_K';
  }
  if (name.endsWith('attn_k.weight')) return eightExperts ? 'Q8_0' : 'Q4_K';
  if (name.endsWith('attn_qkv.weight')) return 'Q5_K';
  if (name.endsWith('attn_output.weight')) return eightExperts ? 'Q5_K' : 'Q4_K';
  if (name.includes('ffn_down')) return moreBits(layer, m.layers) ? 'Q6_K' : 'Q4_K';
  return 'Q4_K';
}

function tensorType(m: DecoderModel, name: string, dims: number[], layer: number): TypeName {
  // 1-D tensors and the expert router stay F32.
  if (dims.length === 1 || name.endsWith('ffn_gate_inp.weight')) return 'F32';
  const wanted = m.ftype === 'Q8_0' ? 'Q8_0' : q4kmType(m, name, layer);
  if ((dims[0] as number) % GGML[wanted][1] === 0) return wanted;
  return LEGACY[wanted] ?? wanted;
}

// ---- Decoder models ------------------------------------------------------------------------------

interface DecoderModel {
  id: string;
  /** File name without .gguf (and without the shard suffix). */
  file: string;
  ftype: 'Q4_K_M' | 'Q8_0';
  shards?: number;
  general: General;
  layers: number;
  context: number;
  embd: number;
  ff: number;
  heads: number;
  headsKv: number;
  ropeBase?: number;
  rmsEps: number;
  /** More `<arch>.` keys, after the common ones. */
  extra?: Kv[];
  vocab: number;
  /** Per-head size when not embd / heads. */
  headDim?: number;
  qkvBias?: boolean;
  /** No output.weight: the token embeddings serve as output. */
  tied?: boolean;
  /** Length of rope_freqs.weight (Llama 3.1's rope scaling). */
  ropeFreqs?: number;
  fusedQkv?: boolean;
  fusedGateUp?: boolean;
  /** Gemma 2's post-attention and post-FFN norms. */
  postNorms?: boolean;
  experts?: number;
  expertFf?: number;
  sharedExperts?: number;
  /** Dense blocks before the MoE ones. */
  leadingDense?: number;
  /** Multi-head latent attention (DeepSeek V2). */
  mla?: { kvLoraRank: number; ropeDim: number; nopeDim: number; vDim: number };
  /** 70B-class models keep attn_v at Q5_K outside the more-bits layers. */
  seventyBClass?: boolean;
  tokenizer: TokenizerName;
  tokenizerKeys: TokenizerKeys;
}

function decoderTensors(m: DecoderModel): Tensor[] {
  const tensors: Tensor[] = [];
  const add = (name: string, dims: number[], layer = -1) =>
    tensors.push({ name, dims, type: tensorType(m, name, dims, layer) });
  const headDim = m.headDim ?? m.embd / m.heads;
  const { embd, heads, headsKv } = m;

  if (m.ropeFreqs) add('rope_freqs.weight', [m.ropeFreqs]);
  add('token_embd.weight', [embd, m.vocab]);
  for (let i = 0; i < m.layers; i++) {
    const blk = (name: string, dims: number[]) => add(`blk.${i}.${name}`, dims, i);
    blk('attn_norm.weight', [embd]);
    if (m.mla) {
      const { kvLoraRank, ropeDim, nopeDim, vDim } = m.mla;
      blk('attn_q.weight', [embd, heads * (nopeDim + ropeDim)]);
      blk('attn_kv_a_mqa.weight', [embd, kvLoraRank + ropeDim]);
      blk('attn_kv_a_norm.weight', [kvLoraRank]);
      blk('attn_kv_b.weight', [kvLoraRank, heads * (nopeDim + vDim)]);
      blk('attn_output.weight', [heads * vDim, embd]);
    } else if (m.fusedQkv) {
      blk('attn_qkv.weight', [embd, (heads + 2 * headsKv) * headDim]);
      blk('attn_output.weight', [heads * headDim, embd]);
    } else {
      for (const [name, width] of [
        ['attn_q', heads * headDim],
        ['attn_k', headsKv * headDim],
        ['attn_v', headsKv * headDim],
      ] as const) {
        blk(`${name}.weight`, [embd, width]);
        if (m.qkvBias) blk(`${name}.bias`, [width]);
      }
      blk('attn_output.weight', [heads * headDim, embd]);
    }
    if (m.postNorms) blk('post_attention_norm.weight', [embd]);
    blk('ffn_norm.weight', [embd]);
    if (m.experts && i >= (m.leadingDense ?? 0)) {
      const ff = m.expertFf ?? m.ff;
      blk('ffn_gate_inp.weight', [embd, m.experts]);
      blk('ffn_gate_exps.weight', [embd, ff, m.experts]);
      blk('ffn_up_exps.weight', [embd, ff, m.experts]);
      blk('ffn_down_exps.weight', [ff, embd, m.experts]);
      if (m.sharedExperts) {
        const shared = ff * m.sharedExperts;
        blk('ffn_gate_shexp.weight', [embd, shared]);
        blk('ffn_up_shexp.weight', [embd, shared]);
        blk('ffn_down_shexp.weight', [shared, embd]);
      }
    } else if (m.fusedGateUp) {
      blk('ffn_up.weight', [embd, 2 * m.ff]);
      blk('ffn_down.weight', [m.ff, embd]);
    } else {
      blk('ffn_gate.weight', [embd, m.ff]);
      blk('ffn_up.weight', [embd, m.ff]);
      blk('ffn_down.weight', [m.ff, embd]);
    }
    if (m.postNorms) blk('post_ffw_norm.weight', [embd]);
  }
  add('output_norm.weight', [embd]);
  if (!m.tied) add('output.weight', [embd, m.vocab]);
  return tensors;
}

function decoderKvs(m: DecoderModel): Kv[] {
  const a = (key: string) => `${m.general.arch}.${key}`;
  const kvs: Kv[] = [
    ...generalKvs(m.general),
    [a('block_count'), u32(m.layers)],
    [a('context_length'), u32(m.context)],
    [a('embedding_length'), u32(m.embd)],
    [a('feed_forward_length'), u32(m.ff)],
    [a('attention.head_count'), u32(m.heads)],
    [a('attention.head_count_kv'), u32(m.headsKv)],
  ];
  if (m.ropeBase !== undefined) kvs.push([a('rope.freq_base'), f32(m.ropeBase)]);
  kvs.push([a('attention.layer_norm_rms_epsilon'), f32(m.rmsEps)]);
  for (const [key, value] of m.extra ?? []) kvs.push([a(key), value]);
  kvs.push(['general.file_type', u32(FILE_TYPE[m.ftype])]);
  kvs.push(...tokenizerKvs(tokenizer(m.tokenizer), m.tokenizerKeys));
  kvs.push(['general.quantization_version', u32(2)]);
  return kvs;
}

// ---- The models ------------------------------------------------------------------------------------
// From each model's published config.json (Hugging Face), as the generator maps it.

const QWEN_KEYS: TokenizerKeys = {
  model: 'gpt2',
  pre: 'qwen2',
  ids: [
    ['eos', 151645],
    ['padding', 151643],
    ['bos', 151643],
  ],
  flags: [['add_bos_token', false]],
  template: TEMPLATES.chatml,
};
const BOS_NOT_EOS: Array<[string, boolean]> = [
  ['add_bos_token', true],
  ['add_eos_token', false],
];

const DECODERS: DecoderModel[] = [
  {
    // hidden 3584, 28 layers, 28 heads / 4 KV, intermediate 18944, vocab 152064, 32k positions
    id: 'qwen2.5-7b-instruct-q4_k_m',
    file: 'Qwen2.5-7B-Instruct-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'qwen2',
      name: 'Qwen2.5 7B Instruct',
      finetune: 'Instruct',
      basename: 'Qwen2.5',
      size: '7B',
      license: 'apache-2.0',
    },
    layers: 28,
    context: 32768,
    embd: 3584,
    ff: 18944,
    heads: 28,
    headsKv: 4,
    ropeBase: 1000000,
    rmsEps: 1e-6,
    vocab: 152064,
    qkvBias: true,
    tokenizer: 'qwen2',
    tokenizerKeys: QWEN_KEYS,
  },
  {
    // hidden 4096, 32 layers, 32 heads / 8 KV, intermediate 14336, vocab 128256, 128k positions;
    // llama3 rope scaling gives rope_freqs.weight
    id: 'llama-3.1-8b-instruct-q4_k_m',
    file: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'llama',
      name: 'Meta Llama 3.1 8B Instruct',
      finetune: 'Instruct',
      basename: 'Meta-Llama-3.1',
      size: '8B',
      license: 'llama3.1',
    },
    layers: 32,
    context: 131072,
    embd: 4096,
    ff: 14336,
    heads: 32,
    headsKv: 8,
    ropeBase: 500000,
    rmsEps: 1e-5,
    extra: [
      ['attention.key_length', u32(128)],
      ['attention.value_length', u32(128)],
      ['vocab_size', u32(128256)],
      ['rope.dimension_count', u32(128)],
    ],
    vocab: 128256,
    ropeFreqs: 64,
    tokenizer: 'llama3',
    tokenizerKeys: {
      model: 'gpt2',
      pre: 'llama-bpe',
      ids: [
        ['bos', 128000],
        ['eos', 128009],
      ],
      template: TEMPLATES.llama3,
    },
  },
  {
    // hidden 8192, 80 layers, 64 heads / 8 KV, intermediate 29568, vocab 152064; two gguf-split shards
    id: 'qwen2.5-72b-instruct-q4_k_m',
    file: 'Qwen2.5-72B-Instruct-Q4_K_M',
    ftype: 'Q4_K_M',
    shards: 2,
    general: {
      arch: 'qwen2',
      name: 'Qwen2.5 72B Instruct',
      finetune: 'Instruct',
      basename: 'Qwen2.5',
      size: '72B',
      license: 'other',
    },
    layers: 80,
    context: 32768,
    embd: 8192,
    ff: 29568,
    heads: 64,
    headsKv: 8,
    ropeBase: 1000000,
    rmsEps: 1e-6,
    vocab: 152064,
    qkvBias: true,
    seventyBClass: true,
    tokenizer: 'qwen2',
    tokenizerKeys: QWEN_KEYS,
  },
  {
    // hidden 4096, 32 layers, 32 heads / 8 KV, intermediate 14336, 8 experts (2 used), vocab 32000
    id: 'mixtral-8x7b-instruct-q4_k_m',
    file: 'Mixtral-8x7B-Instruct-v0.1-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'llama',
      name: 'Mixtral 8x7B Instruct v0.1',
      finetune: 'Instruct',
      basename: 'Mixtral',
      size: '8x7B',
      license: 'apache-2.0',
    },
    layers: 32,
    context: 32768,
    embd: 4096,
    ff: 14336,
    heads: 32,
    headsKv: 8,
    ropeBase: 1000000,
    rmsEps: 1e-5,
    extra: [
      ['expert_count', u32(8)],
      ['expert_used_count', u32(2)],
      ['vocab_size', u32(32000)],
      ['rope.dimension_count', u32(128)],
    ],
    vocab: 32000,
    experts: 8,
    tokenizer: 'llama2',
    tokenizerKeys: {
      model: 'llama',
      ids: [
        ['bos', 1],
        ['eos', 2],
        ['unknown', 0],
      ],
      flags: BOS_NOT_EOS,
      template: TEMPLATES.inst,
    },
  },
  {
    // hidden 3584, 42 layers, 16 heads / 8 KV of 256, intermediate 14336, vocab 256000, 8k positions,
    // sliding window 4096, soft-capping 50 / 30, tied embeddings
    id: 'gemma-2-9b-it-q4_k_m',
    file: 'gemma-2-9b-it-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'gemma2',
      name: 'Gemma 2 9b It',
      finetune: 'it',
      basename: 'gemma-2',
      size: '9B',
      license: 'gemma',
    },
    layers: 42,
    context: 8192,
    embd: 3584,
    ff: 14336,
    heads: 16,
    headsKv: 8,
    rmsEps: 1e-6,
    extra: [
      ['attention.key_length', u32(256)],
      ['attention.value_length', u32(256)],
      ['attn_logit_softcapping', f32(50)],
      ['final_logit_softcapping', f32(30)],
      ['attention.sliding_window', u32(4096)],
    ],
    vocab: 256000,
    headDim: 256,
    tied: true,
    postNorms: true,
    tokenizer: 'gemma',
    tokenizerKeys: {
      model: 'llama',
      ids: [
        ['bos', 2],
        ['eos', 1],
        ['unknown', 3],
        ['padding', 0],
      ],
      flags: BOS_NOT_EOS,
      template: TEMPLATES.gemma,
    },
  },
  {
    // The text model: hidden 3584, 28 layers, 28 heads / 4 KV, intermediate 18944, 128000 positions,
    // mrope sections [16, 24, 24]
    id: 'qwen2.5-vl-7b-instruct-q4_k_m',
    file: 'Qwen2.5-VL-7B-Instruct-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'qwen2vl',
      name: 'Qwen2.5 VL 7B Instruct',
      finetune: 'Instruct',
      basename: 'Qwen2.5-VL',
      size: '7B',
      license: 'apache-2.0',
    },
    layers: 28,
    context: 128000,
    embd: 3584,
    ff: 18944,
    heads: 28,
    headsKv: 4,
    ropeBase: 1000000,
    rmsEps: 1e-6,
    extra: [['rope.dimension_sections', i32s([16, 24, 24, 0])]],
    vocab: 152064,
    qkvBias: true,
    tokenizer: 'qwen2',
    tokenizerKeys: QWEN_KEYS,
  },
  {
    // hidden 2048, 27 layers, 16 heads, MLA (kv_lora_rank 512, qk 128 + 64 rope, v 128), one dense
    // block (intermediate 10944) then 64 experts of 1408 (6 used) and 2 shared, vocab 102400,
    // yarn x40 over 4096; the layout from before llama.cpp's MLA-cache conversion
    id: 'deepseek-v2-lite-chat-q4_k_m',
    file: 'DeepSeek-V2-Lite-Chat-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'deepseek2',
      name: 'DeepSeek V2 Lite Chat',
      finetune: 'Chat',
      basename: 'DeepSeek-V2',
      size: 'Lite',
      license: 'other',
    },
    layers: 27,
    context: 163840,
    embd: 2048,
    ff: 10944,
    heads: 16,
    headsKv: 16,
    ropeBase: 10000,
    rmsEps: 1e-6,
    extra: [
      ['expert_used_count', u32(6)],
      ['leading_dense_block_count', u32(1)],
      ['vocab_size', u32(102400)],
      ['attention.kv_lora_rank', u32(512)],
      ['attention.key_length', u32(192)],
      ['attention.value_length', u32(128)],
      ['expert_feed_forward_length', u32(1408)],
      ['expert_count', u32(64)],
      ['expert_shared_count', u32(2)],
      ['expert_weights_scale', f32(1)],
      ['rope.dimension_count', u32(64)],
      ['rope.scaling.type', str('yarn')],
      ['rope.scaling.factor', f32(40)],
      ['rope.scaling.original_context_length', u32(4096)],
      ['rope.scaling.yarn_log_multiplier', f32(0.0707)],
    ],
    vocab: 102400,
    experts: 64,
    expertFf: 1408,
    sharedExperts: 2,
    leadingDense: 1,
    mla: { kvLoraRank: 512, ropeDim: 64, nopeDim: 128, vDim: 128 },
    tokenizer: 'deepseek',
    tokenizerKeys: {
      model: 'gpt2',
      pre: 'deepseek-llm',
      ids: [
        ['bos', 100000],
        ['eos', 100001],
        ['padding', 100001],
      ],
      flags: BOS_NOT_EOS,
      template: TEMPLATES.deepseek,
    },
  },
  {
    // hidden 3072, 32 layers, 32 heads (no GQA), intermediate 8192, vocab 32064, 4k positions,
    // sliding window 2047, fused qkv and gate/up
    id: 'phi-3-mini-4k-instruct-q4_k_m',
    file: 'Phi-3-mini-4k-instruct-Q4_K_M',
    ftype: 'Q4_K_M',
    general: {
      arch: 'phi3',
      name: 'Phi 3 Mini 4k Instruct',
      finetune: '4k-instruct',
      basename: 'Phi-3',
      size: 'mini',
      license: 'mit',
    },
    layers: 32,
    context: 4096,
    embd: 3072,
    ff: 8192,
    heads: 32,
    headsKv: 32,
    ropeBase: 10000,
    rmsEps: 1e-5,
    extra: [
      ['rope.dimension_count', u32(96)],
      ['rope.scaling.original_context_length', u32(4096)],
      ['attention.sliding_window', u32(2047)],
    ],
    vocab: 32064,
    fusedQkv: true,
    fusedGateUp: true,
    tokenizer: 'phi3',
    tokenizerKeys: {
      model: 'llama',
      ids: [
        ['bos', 1],
        ['eos', 32000],
        ['unknown', 0],
        ['padding', 32000],
      ],
      flags: [
        ['add_bos_token', false],
        ['add_eos_token', false],
      ],
      template: TEMPLATES.phi3,
    },
  },
  {
    // hidden 2048, 22 layers, 32 heads / 4 KV, intermediate 5632, vocab 32000, 2k positions; Q8_0
    id: 'tinyllama-1.1b-chat-q8_0',
    file: 'TinyLlama-1.1B-Chat-v1.0-Q8_0',
    ftype: 'Q8_0',
    general: {
      arch: 'llama',
      name: 'TinyLlama 1.1B Chat v1.0',
      finetune: 'Chat-v1.0',
      basename: 'TinyLlama',
      size: '1.1B',
      license: 'apache-2.0',
    },
    layers: 22,
    context: 2048,
    embd: 2048,
    ff: 5632,
    heads: 32,
    headsKv: 4,
    ropeBase: 10000,
    rmsEps: 1e-5,
    extra: [['rope.dimension_count', u32(64)]],
    vocab: 32000,
    tokenizer: 'llama2',
    tokenizerKeys: {
      model: 'llama',
      ids: [
        ['bos', 1],
        ['eos', 2],
        ['unknown', 0],
        ['padding', 2],
      ],
      flags: BOS_NOT_EOS,
      template: TEMPLATES.zephyr,
    },
  },
];

interface FileSpec {
  file: string;
  kvs: Kv[];
  tensors: Tensor[];
}

/** gguf-split's layout: tensors cut in equal parts, the metadata in the first shard only. */
function decoderFiles(m: DecoderModel): FileSpec[] {
  const kvs = decoderKvs(m);
  const tensors = decoderTensors(m);
  const shards = m.shards ?? 1;
  if (shards === 1) return [{ file: `${m.file}.gguf`, kvs, tensors }];
  const perShard = Math.ceil(tensors.length / shards);
  const count = (n: number) => String(n).padStart(5, '0');
  return Array.from({ length: shards }, (_, s) => {
    const split: Kv[] = [
      ['split.no', u16(s)],
      ['split.count', u16(shards)],
      ['split.tensors.count', i32(tensors.length)],
    ];
    return {
      file: `${m.file}-${count(s + 1)}-of-${count(shards)}.gguf`,
      kvs: s === 0 ? [...kvs, ...split] : split,
      tensors: tensors.slice(s * perShard, (s + 1) * perShard),
    };
  });
}

/** nomic-embed-text-v1.5 in F16: a 12-layer BERT encoder (768 wide, FFN 3072), mean pooling. */
function nomicFiles(): FileSpec[] {
  const embd = 768;
  const ff = 3072;
  const vocab = 30522;
  const a = (key: string) => `nomic-bert.${key}`;
  const kvs: Kv[] = [
    ...generalKvs({
      arch: 'nomic-bert',
      name: 'nomic-embed-text-v1.5',
      finetune: 'v1.5',
      basename: 'nomic-embed-text',
      size: '137M',
      license: 'apache-2.0',
    }),
    [a('block_count'), u32(12)],
    [a('context_length'), u32(2048)],
    [a('embedding_length'), u32(embd)],
    [a('feed_forward_length'), u32(ff)],
    [a('attention.head_count'), u32(12)],
    [a('attention.layer_norm_epsilon'), f32(1e-12)],
    [a('attention.causal'), bool(false)],
    [a('pooling_type'), u32(1)],
    [a('rope.freq_base'), f32(1000)],
    ['general.file_type', u32(FILE_TYPE.F16)],
    ['tokenizer.ggml.token_type_count', u32(2)],
    ...tokenizerKvs(tokenizer('bert'), {
      model: 'bert',
      ids: [
        ['bos', 101],
        ['eos', 102],
        ['unknown', 100],
        ['seperator', 102],
        ['padding', 0],
        ['cls', 101],
        ['mask', 103],
      ],
      flags: [
        ['add_bos_token', true],
        ['add_eos_token', true],
      ],
    }),
    ['general.quantization_version', u32(2)],
  ];
  const tensors: Tensor[] = [];
  const add = (name: string, dims: number[]) =>
    tensors.push({ name, dims, type: dims.length === 1 ? 'F32' : 'F16' });
  add('token_embd.weight', [embd, vocab]);
  tensors.push({ name: 'token_types.weight', dims: [embd, 2], type: 'F32' });
  add('token_embd_norm.weight', [embd]);
  add('token_embd_norm.bias', [embd]);
  for (let i = 0; i < 12; i++) {
    const blk = (name: string, dims: number[]) => add(`blk.${i}.${name}`, dims);
    blk('attn_qkv.weight', [embd, 3 * embd]);
    blk('attn_output.weight', [embd, embd]);
    blk('attn_output_norm.weight', [embd]);
    blk('attn_output_norm.bias', [embd]);
    blk('ffn_up.weight', [embd, ff]);
    blk('ffn_gate.weight', [embd, ff]);
    blk('ffn_down.weight', [ff, embd]);
    blk('layer_output_norm.weight', [embd]);
    blk('layer_output_norm.bias', [embd]);
  }
  return [{ file: 'nomic-embed-text-v1.5.f16.gguf', kvs, tensors }];
}

/**
 * Qwen2.5-VL-7B's vision tower and patch merger in F16, as llama.cpp's mmproj converter writes them:
 * 32 blocks 1280 wide (FFN 3420, 16 heads), patch 14, 2x2 merge into 3584, full attention every 8th
 * block.
 */
function qwenVlProjectorFiles(): FileSpec[] {
  const embd = 1280;
  const ff = 3420;
  const patch = 14;
  const out = 3584;
  const kvs: Kv[] = [
    ...generalKvs({
      arch: 'clip',
      type: 'mmproj',
      name: 'Qwen2.5 VL 7B Instruct',
      finetune: 'Instruct',
      basename: 'Qwen2.5-VL',
      size: '7B',
      license: 'apache-2.0',
    }),
    ['general.file_type', u32(FILE_TYPE.F16)],
    ['clip.has_vision_encoder', bool(true)],
    ['clip.vision.projection_dim', u32(out)],
    ['clip.vision.image_size', u32(560)],
    ['clip.vision.patch_size', u32(patch)],
    ['clip.vision.embedding_length', u32(embd)],
    ['clip.vision.feed_forward_length', u32(ff)],
    ['clip.vision.block_count', u32(32)],
    ['clip.vision.attention.head_count', u32(16)],
    ['clip.vision.image_mean', f32s([0.48145466, 0.4578275, 0.40821073])],
    ['clip.vision.image_std', f32s([0.26862954, 0.26130258, 0.27577711])],
    ['clip.projector_type', str('qwen2.5vl_merger')],
    ['clip.use_silu', bool(true)],
    ['clip.vision.n_wa_pattern', u32(8)],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-6)],
  ];
  const tensors: Tensor[] = [];
  const add = (name: string, dims: number[]) =>
    tensors.push({ name, dims, type: dims.length === 1 ? 'F32' : 'F16' });
  add('v.patch_embd.weight', [patch, patch, 3, embd]);
  add('v.patch_embd.weight.1', [patch, patch, 3, embd]);
  for (let i = 0; i < 32; i++) {
    const blk = (name: string, dims: number[]) => add(`v.blk.${i}.${name}`, dims);
    for (const name of ['attn_q', 'attn_k', 'attn_v']) {
      blk(`${name}.weight`, [embd, embd]);
      blk(`${name}.bias`, [embd]);
    }
    blk('attn_out.weight', [embd, embd]);
    blk('attn_out.bias', [embd]);
    blk('ln1.weight', [embd]);
    blk('ln2.weight', [embd]);
    for (const name of ['ffn_gate', 'ffn_up']) {
      blk(`${name}.weight`, [embd, ff]);
      blk(`${name}.bias`, [ff]);
    }
    blk('ffn_down.weight', [ff, embd]);
    blk('ffn_down.bias', [embd]);
  }
  add('v.post_ln.weight', [embd]);
  const merged = embd * 2 * 2;
  add('mm.0.weight', [merged, merged]);
  add('mm.0.bias', [merged]);
  add('mm.2.weight', [merged, out]);
  add('mm.2.bias', [out]);
  return [{ file: 'mmproj-Qwen2.5-VL-7B-Instruct-f16.gguf', kvs, tensors }];
}

// ---- Catalogue -------------------------------------------------------------------------------------

const PROJECTOR_ID = 'mmproj-qwen2.5-vl-7b-instruct-f16';

const CATALOGUE = new Map<string, () => FileSpec[]>([
  ...DECODERS.map((m): [string, () => FileSpec[]] => [m.id, () => decoderFiles(m)]),
  [PROJECTOR_ID, qwenVlProjectorFiles],
  ['nomic-embed-text-v1.5-f16', nomicFiles],
]);

/** The ids of the oracle's models, projector included (as in reference-cases.json). */
export function oracleModels(): string[] {
  return [...CATALOGUE.keys()];
}

const built = new Map<string, OracleFile[]>();

/** The files of one model (shards in order), each header built once per process. */
export function oracleFiles(id: string): OracleFile[] {
  const cached = built.get(id);
  if (cached) return cached;
  const specs = CATALOGUE.get(id);
  if (!specs) throw new Error(`No oracle model ${id}.`);
  const files = specs().map(({ file, kvs, tensors }) => {
    const writer = new GgufWriter();
    for (const [key, value] of kvs) writer.kv(key, value);
    for (const t of tensors) writer.tensor(t.name, t.dims, GGML[t.type][0]);
    const { header, fileSize } = writer.build();
    return { file, size: fileSize, header };
  });
  built.set(id, files);
  return files;
}
