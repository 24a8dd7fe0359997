// `npm run test:mutations`: breaks the product on purpose, one known breakage at a time, in a scratch
// copy of this checkout, and runs the tests that should notice. A breakage no test catches is a hole
// in the suite: the run lists every breakage as caught or missed and fails if any was missed.
//
//   npm run test:mutations                  every breakage
//   npm run test:mutations -- kv-cache-type  only those named
//
// Not part of `npm test`: each breakage costs a test run (the e2e ones a build, too).

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Mutation {
  id: string;
  /** What the breakage does to the product. */
  what: string;
  file: string;
  /** Exact text to replace: it must occur once. */
  find: string;
  replace: string;
  /** Unit and DOM test files to run (the whole projects when empty and no e2e files are named). */
  unit?: string[];
  /** e2e test files to run (after a build with the test hosts). */
  e2e?: string[];
}

const MUTATIONS: Mutation[] = [
  {
    id: 'context-size-ignored',
    what: 'the built-in engine ignores the context size the user chose',
    file: 'utils/worker/engines/builtin.ts',
    find: 'ctxSize: settings.ctxSize,',
    replace: 'ctxSize: 8192,',
  },
  {
    id: 'flash-attention-ignored',
    what: 'the built-in engine ignores flash attention',
    file: 'utils/worker/engines/builtin.ts',
    find: 'flashAttention: settings.flashAttention,',
    replace: 'flashAttention: false,',
  },
  {
    id: 'kv-cache-type-ignored',
    what: 'the built-in engine ignores the KV cache type',
    file: 'utils/worker/engines/builtin.ts',
    find: 'cacheTypeK: settings.cacheType,',
    replace: "cacheTypeK: 'f16',",
  },
  {
    id: 'projector-dropped',
    what: "the built-in engine leaves out the repo's vision projector",
    file: 'utils/worker/engines/builtin.ts',
    find: '        projector,\n',
    replace: '        projector: null,\n',
  },
  {
    id: 'ggml-type-size',
    what: 'one GGUF type has the wrong block size (Q4_K: 146 bytes instead of 144)',
    file: 'utils/lib/estimate/ggml-types.ts',
    find: "[12, 'Q4_K', 256, 144, true],",
    replace: "[12, 'Q4_K', 256, 146, true],",
  },
  {
    id: 'cache-key-missing-setting',
    what: 'the result cache key leaves out flash attention (a changed setting serves an old verdict)',
    file: 'utils/worker/engines/builtin.ts',
    find: 'return JSON.stringify([ESTIMATE_VERSION, options, profileFingerprint(profile)]);',
    replace:
      'return JSON.stringify([ESTIMATE_VERSION, { ...options, flashAttention: null }, profileFingerprint(profile)]);',
  },
  {
    id: 'channel-retry-removed',
    what: "the page's channel gives up when the worker stops instead of asking again",
    file: 'utils/common/channel.ts',
    find: 'if (entry.attempts >= MAX_ATTEMPTS) {',
    replace: 'if (entry.attempts >= 1) {',
    e2e: ['tests/e2e/scheduler.test.ts'],
  },
  {
    id: 'restarted-worker-throws',
    what: 'a restarted worker throws on every check',
    file: 'utils/worker/handler.ts',
    find: "      case 'check':\n        return checks.check(",
    replace:
      "      case 'check':\n        if (await (async () => { const first = (await chrome.storage.session.get('mutant')).mutant; if (first === undefined) { await chrome.storage.session.set({ mutant: performance.timeOrigin }); return false; } return first !== performance.timeOrigin; })()) throw new Error('mutant');\n        return checks.check(",
    e2e: ['tests/e2e/scheduler.test.ts'],
  },
  {
    id: 'parser-refuses-control-characters',
    what: 'the GGUF parser refuses valid files with a control character in a string',
    file: 'utils/lib/gguf/parse-header.ts',
    find: '    return utf8.decode(this.bytes.subarray(start, start + length));',
    replace:
      "    const text = utf8.decode(this.bytes.subarray(start, start + length));\n    if (/[\\u0000-\\u0008]/.test(text)) throw new GgufError('bad-string', 'Control character.');\n    return text;",
    unit: ['tests/unit/gguf-fuzz.test.ts'],
  },
  {
    id: 'one-layer-short',
    what: 'partial offload puts one layer fewer on the GPU than fits',
    file: 'utils/lib/estimate/placement.ts',
    find: '        if (fits(summary, gpus, worker)) {\n          best = summary;',
    replace:
      '        if (fits(summary, gpus, worker)) {\n          best = mid > 1 ? tryLayers(mid - 1) : summary;',
  },
  {
    id: 'no-batching',
    what: 'every GPUStack evaluation goes in a request of its own',
    file: 'utils/worker/engines/gpustack/client.ts',
    find: 'maxBatch: options.batch?.maxBatch ?? 10,',
    replace: 'maxBatch: 1,',
    e2e: ['tests/e2e/gpustack-check.test.ts'],
  },
  {
    id: 'clear-cache-does-nothing',
    what: '"Clear cached results" says it cleared but forgets nothing',
    file: 'utils/worker/index.ts',
    find: 'clearCache: () => cache.clear(),',
    replace: 'clearCache: async () => {},',
    e2e: ['tests/e2e/gpustack-check.test.ts'],
  },
  {
    id: 'model-info-twice',
    what: "each check asks the Hub for the repo's model info again (twice the requests)",
    file: 'utils/worker/huggingface/client.ts',
    find: '    const cached = await cache.get<ModelInfo>(branchKey);\n    if (cached) return cached;',
    replace: '',
    e2e: ['tests/e2e/page-tree.test.ts'],
  },
  {
    id: 'all-urls',
    what: 'the manifest asks for every site',
    file: 'wxt.config.ts',
    find: "      'https://huggingface.co/*',\n",
    replace: "      '<all_urls>',\n      'https://huggingface.co/*',\n",
  },
  {
    id: 'timing-end-lost',
    what: 'a timed piece of page work that returns early loses its end stamp (the bench would undercount)',
    file: 'utils/common/timing.ts',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the product's source text, not a template
    find: '  try {\n    return work();\n  } finally {\n    console.timeStamp?.(`${name}:end`);\n  }',
    replace:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the product's source text, not a template
      '  const result = work();\n  if (result !== undefined) console.timeStamp?.(`${name}:end`);\n  return result;',
    unit: ['tests/dom/page-session.test.ts'],
  },
  {
    id: 'gpustack-failure-as-verdict',
    what: 'a GPUStack 2.0.2+ failure (gated repo, Hugging Face slow) is shown as its "won\'t fit"',
    file: 'utils/worker/engines/gpustack/evaluation.ts',
    find: "      return { kind: 'failure', text, kept };",
    replace:
      "      return { kind: 'verdict', verdict: { engine: 'gpustack', compatible: false, messages: [text] } };",
  },
  {
    id: 'gpustack-backend-omitted',
    what: 'a 2.x spec leaves the backend out when none is chosen (2.1+ drops every worker)',
    file: 'utils/worker/engines/gpustack/spec.ts',
    find: 'backend: v2 ? (input.params.backend ?? CUSTOM_BACKEND) : V1_GGUF_BACKEND,',
    replace: 'backend: v2 ? (input.params.backend as string) : V1_GGUF_BACKEND,',
  },
  {
    id: 'key-follows-server',
    what: 'the saved API key follows a changed server address',
    file: 'components/options/form.ts',
    find: "  if (!apiKey || stored.apiKeyOrigin !== origin) return { apiKey: '', apiKeyOrigin: '' };",
    replace: "  if (!apiKey) return { apiKey: '', apiKeyOrigin: '' };",
    e2e: ['tests/e2e/gpustack-options.test.ts'],
  },
  {
    id: 'page-ui-strings-not-handed',
    what: "the page UI ignores the session's strings and asks the browser for each",
    file: 'components/page/page-ui.tsx',
    find: '    setMessageTemplates(templates);',
    replace: '    void templates;',
    e2e: ['tests/e2e/content-modules.test.ts'],
  },
];

const ROOT = join(import.meta.dirname, '..');

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}): boolean {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env, CI: 'true' },
    stdio: 'ignore',
    timeout: 20 * 60 * 1000,
  });
  return result.status === 0;
}

/** A copy of this checkout's tracked files, with node_modules shared. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mutations-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // WXT's generated types and tsconfig, which the tests' transform reads.
  if (!run(dir, 'npx', ['wxt', 'prepare'])) throw new Error('wxt prepare failed in the scratch copy');
  return dir;
}

/** True when at least one of the tests fails with the breakage in place. */
function caught(dir: string, mutation: Mutation): boolean {
  const vitest = ['vitest', 'run'];
  const unit = mutation.unit ?? (mutation.e2e ? [] : ['--project', 'unit', '--project', 'dom']);
  if (unit.length > 0) {
    const files = mutation.unit ? ['--project', 'unit', '--project', 'dom', ...mutation.unit] : unit;
    if (!run(dir, 'npx', [...vitest, ...files])) return true;
  }
  if (mutation.e2e) {
    const hosts = { EXTRA_HOST_PERMISSIONS: 'http://gpustack-v1.test,http://gpustack-v2.test' };
    if (!run(dir, 'npx', ['wxt', 'build'], hosts)) return true;
    if (!run(dir, 'npx', [...vitest, '--project', 'e2e', ...mutation.e2e])) return true;
  }
  return false;
}

const asked = process.argv.slice(2);
const chosen = asked.length > 0 ? MUTATIONS.filter((m) => asked.includes(m.id)) : MUTATIONS;
if (chosen.length === 0) {
  console.error(`No such breakage. Known: ${MUTATIONS.map((m) => m.id).join(', ')}`);
  process.exit(2);
}
const dir = scratchCopy();
const missed: string[] = [];
try {
  // The suite must pass on the unbroken copy, or every breakage would look caught.
  if (!run(dir, 'npx', ['vitest', 'run', '--project', 'unit', '--project', 'dom'])) {
    throw new Error('The unit and DOM tests fail without any breakage: fix them first.');
  }
  for (const mutation of chosen) {
    const path = join(dir, mutation.file);
    const original = readFileSync(path, 'utf8');
    const occurrences = original.split(mutation.find).length - 1;
    if (occurrences !== 1) {
      throw new Error(`${mutation.id}: the text to break occurs ${occurrences} times in ${mutation.file}`);
    }
    writeFileSync(path, original.replace(mutation.find, mutation.replace));
    const started = Date.now();
    const verdict = caught(dir, mutation);
    writeFileSync(path, original);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`${verdict ? 'caught' : 'MISSED'} ${mutation.id}: ${mutation.what} (${seconds} s)`);
    if (!verdict) missed.push(mutation.id);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  missed.length === 0
    ? `All ${chosen.length} breakages caught.`
    : `${missed.length} of ${chosen.length} breakages missed: ${missed.join(', ')}`,
);
process.exit(missed.length === 0 ? 0 : 1);
