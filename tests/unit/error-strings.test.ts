// Every error that can reach a control speaks the user's language: with the browser in Simplified
// Chinese, each failure of a check (Hugging Face, the network, the file, the estimate, the extension
// itself) ends in a sentence of the zh_CN catalogue, never in an English literal.

import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import zh from '../../public/_locales/zh_CN/messages.json';
import { toReplyError } from '../../utils/common/errors';
import { DEFAULT_SETTINGS } from '../../utils/common/settings';
import { createCache } from '../../utils/worker/cache';
import { CheckService } from '../../utils/worker/check/check-service';
import { BuiltinEngine } from '../../utils/worker/engines/builtin';
import { DEFAULT_PROFILE } from '../../utils/worker/hardware/resolve';
import { HubClient } from '../../utils/worker/huggingface/client';
import { HF_BUCKETS } from '../../utils/worker/scheduler/buckets';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import { fileSlice, llama3Header } from './support/gguf-writer';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

function chineseMessage(key: string, substitutions?: string | string[]): string {
  const entry = (zh as Messages)[key];
  if (!entry) return '';
  const subs = typeof substitutions === 'string' ? [substitutions] : (substitutions ?? []);
  let text = entry.message;
  for (const [name, { content }] of Object.entries(entry.placeholders ?? {})) {
    text = text.replaceAll(`$${name.toUpperCase()}$`, subs[Number(content.slice(1)) - 1] ?? '');
  }
  return text;
}

const SHA = 'b'.repeat(40);
const REPO = 'owner/model-GGUF';
const FILE = 'm-Q4_K_M.gguf';
const GOOD = llama3Header({ tokens: 500, merges: 300 });

/** What the impersonated Hub answers: the model info, or a status, and the file's bytes. */
interface Hub {
  info?: number | 'junk';
  bytes?: Uint8Array;
  size?: number;
  unreachable?: boolean;
}

function service(hub: Hub) {
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (hub.unreachable) throw new TypeError('Failed to fetch');
    const url = String(input);
    if (url.includes('/resolve/')) {
      const bytes = hub.bytes ?? GOOD.header;
      const size = hub.size ?? GOOD.fileSize;
      const [start = 0, end = 0] = (new Headers(init?.headers).get('range') ?? '')
        .replace('bytes=', '')
        .split('-')
        .map(Number);
      const body = fileSlice(bytes, size, start, end);
      return new Response(body, {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${start + body.length - 1}/${size}` },
      });
    }
    if (typeof hub.info === 'number') return new Response('{}', { status: hub.info });
    if (hub.info === 'junk') return new Response('<html>', { status: 200 });
    const siblings = [{ rfilename: FILE, size: hub.size ?? GOOD.fileSize }];
    return new Response(JSON.stringify({ id: REPO, sha: SHA, siblings }), { status: 200 });
  }) as typeof fetch;
  // No waiting between retries: the scheduler's backoff would only slow the test.
  const scheduler = new Scheduler({ buckets: HF_BUCKETS, fetch: fetchImpl, random: () => 0, maxAttempts: 1 });
  const cache = createCache({ dbName: `zh-${Math.random()}` });
  const hubClient = new HubClient({ scheduler, cache });
  return new CheckService({
    hub: hubClient,
    cache,
    builtin: new BuiltinEngine({ hub: hubClient, cache }),
    context: async () => ({ settings: { ...DEFAULT_SETTINGS, engine: 'builtin' }, profile: DEFAULT_PROFILE }),
  });
}

async function failure(hub: Hub, file = FILE): Promise<string> {
  try {
    await service(hub).check({ type: 'check', repo: REPO, revision: 'main', file });
  } catch (error) {
    return toReplyError(error).message;
  }
  throw new Error('the check did not fail');
}

const CJK = /[\u4e00-\u9fff]/;

beforeEach(() => {
  Object.assign(fakeBrowser, { i18n: { ...fakeBrowser.i18n, getMessage: chineseMessage } });
});

describe('errors in Simplified Chinese', () => {
  it.each([
    ['not a model file', {}, 'README.md', chineseMessage('errorNotGgufModel', 'README.md')],
    [
      'a shard that is not there',
      {},
      'x-00001-of-00002.gguf',
      chineseMessage('errorFileMissing', ['x-00001-of-00002.gguf', REPO]),
    ],
    ['repo not found', { info: 404 }, FILE, chineseMessage('errorHubNotFound', REPO)],
    ['gated repo', { info: 403 }, FILE, chineseMessage('errorHubGated', REPO)],
    ['Hugging Face rate limiting', { info: 429 }, FILE, chineseMessage('errorStillRateLimited')],
    ['Hugging Face failing', { info: 418 }, FILE, chineseMessage('errorHubHttp', '418')],
    ['Hugging Face answering a page', { info: 'junk' as const }, FILE, chineseMessage('errorHubNotJson')],
    [
      'a file that is not GGUF',
      { bytes: new TextEncoder().encode('<!doctype html>'), size: 15 },
      FILE,
      chineseMessage('errorGgufBadMagic', FILE),
    ],
    [
      'a cut header',
      { bytes: GOOD.header.slice(0, 100), size: 100 },
      FILE,
      chineseMessage('errorGgufTruncated', FILE),
    ],
  ] as Array<[string, Hub, string, string | null]>)('%s', async (_what, hub, file, exact) => {
    const message = await failure(hub, file);
    expect(message).toMatch(CJK);
    if (exact) expect(message).toBe(exact);
  });

  it('the network down', async () => {
    expect(await failure({ unreachable: true })).toBe(chineseMessage('errorNetwork', 'huggingface.co'));
  }, 20_000);

  it('the extension itself: cancelled, and anything unexpected', () => {
    expect(toReplyError(new DOMException('x', 'AbortError')).message).toBe(chineseMessage('errorCancelled'));
    expect(toReplyError(new Error('boom')).message).toBe(chineseMessage('errorInternal'));
  });

  it('every error sentence has its Chinese text', async () => {
    const en = (await import('../../public/_locales/en/messages.json')).default as Messages;
    const missing = Object.keys(en).filter((key) => !(key in (zh as Messages)));
    expect(missing).toEqual([]);
  });
});
