import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { parseRequest } from '../../utils/common/protocol';
import { DEFAULT_SETTINGS } from '../../utils/common/settings';
import { createCache } from '../../utils/worker/cache';
import { CheckService } from '../../utils/worker/check/check-service';
import { ProgressBoard } from '../../utils/worker/check/progress';
import { BuiltinEngine } from '../../utils/worker/engines/builtin';
import { createMessageHandler } from '../../utils/worker/handler';
import { DEFAULT_PROFILE } from '../../utils/worker/hardware/resolve';
import { HubClient } from '../../utils/worker/huggingface/client';
import { HF_BUCKETS } from '../../utils/worker/scheduler/buckets';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import { fileSlice, llama3Header } from './support/gguf-writer';

const SHA = 'a'.repeat(40);
const REPO = 'owner/model-GGUF';

function setup() {
  const calls: string[] = [];
  const file = llama3Header({ tokens: 2000, merges: 1000 });
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(url);
    if (url.includes('/resolve/')) {
      // The header, then zeros, as the CDN behind /resolve/ serves a Range read.
      const [start, end] = (new Headers(init?.headers).get('range') ?? '')
        .replace('bytes=', '')
        .split('-')
        .map(Number);
      const bytes = fileSlice(file.header, file.fileSize, start ?? 0, end ?? 0);
      const headers = {
        'content-range': `bytes ${start}-${(start ?? 0) + bytes.length - 1}/${file.fileSize}`,
      };
      return new Response(bytes, { status: 206, headers });
    }
    const body = { id: REPO, sha: SHA, siblings: [{ rfilename: 'm-Q4_K_M.gguf', size: file.fileSize }] };
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
  const scheduler = new Scheduler({ buckets: HF_BUCKETS, fetch: fetchImpl });
  const cache = createCache({ dbName: `test-${Math.random()}` });
  const hub = new HubClient({ scheduler, cache });
  const checks = new CheckService({
    hub,
    cache,
    context: async () => ({ settings: DEFAULT_SETTINGS, profile: DEFAULT_PROFILE }),
    builtin: new BuiltinEngine({ hub, cache }),
  });
  const handler = createMessageHandler({
    checks,
    progress: new ProgressBoard(scheduler),
    services: {
      testConnection: async () => {
        throw new Error('not in this test');
      },
      clearCache: () => cache.clear(),
      hardwareSeen: async () => false,
      search: async () => ({ models: [], next: null }),
      modelFiles: async () => {
        throw new Error('not in this test');
      },
      status: async () => {
        throw new Error('not in this test');
      },
    },
    extensionId: fakeBrowser.runtime.id,
    extensionOrigin: fakeBrowser.runtime.getURL('/'),
  });
  const contentScript = {
    id: fakeBrowser.runtime.id,
    tab: { id: 7 } as never,
    url: 'https://huggingface.co/x',
  };
  const ask = (message: unknown, sender: object = contentScript) =>
    handler.listener(message, sender as never) as Promise<{ ok: boolean; error?: { code: string } }>;
  return { ask, calls, handler };
}

const good = { type: 'check', repo: REPO, revision: 'main', file: 'm-Q4_K_M.gguf' };

describe('message protocol', () => {
  it('answers malformed and unknown messages with an error reply, then still serves good ones', async () => {
    const { ask } = setup();
    const bad = [
      null,
      42,
      'check',
      [],
      {},
      { type: 'nope', repo: REPO, revision: 'main' },
      { type: 'check', repo: '../../etc', revision: 'main', file: 'x.gguf' },
      { type: 'check', repo: REPO, revision: 'main' },
      { type: 'check', repo: REPO, revision: 'main', file: 'x.gguf', priority: 'now!' },
      { type: 'check', repo: REPO, revision: 'main', file: 'x.gguf', commit: 'zz' },
      { type: 'cached', repo: REPO, revision: 'main', files: [1, 2] },
      { type: 'check', repo: REPO, revision: 'main', file: 'x'.repeat(5000) },
    ];
    for (const message of bad) {
      const reply = await ask(message);
      expect(reply.ok).toBe(false);
      expect(reply.error?.code).toBe('bad-message');
    }
    const reply = await ask(good);
    expect(reply).toMatchObject({
      ok: true,
      value: { commit: SHA, engine: 'builtin', compatible: true, placement: 'single-gpu' },
    });
  });

  it('answers only this extension', async () => {
    const { ask, calls } = setup();
    expect(await ask(good, { id: 'another-extension', url: 'https://huggingface.co/x' })).toMatchObject({
      ok: false,
    });
    expect(await ask(good, { id: fakeBrowser.runtime.id, url: 'https://evil.example/' })).toMatchObject({
      ok: false,
    });
    expect(calls).toHaveLength(0);
  });

  it('works through runtime messaging with both reply conventions', async () => {
    const { handler } = setup();
    let viaCallback: unknown;
    const returned = handler.listener(
      good,
      { id: fakeBrowser.runtime.id, url: 'https://huggingface.co/' } as never,
      (r) => {
        viaCallback = r;
      },
    );
    expect(returned).toBe(true);
    await vi.waitFor(() => expect(viaCallback).toMatchObject({ ok: true }));
  });

  it('takes secret-touching requests only from extension pages', async () => {
    const { ask } = setup();
    expect(await ask({ type: 'clear-cache' })).toMatchObject({ ok: false, error: { code: 'bad-message' } });
    const optionsPage = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/options.html') };
    expect(await ask({ type: 'clear-cache' }, optionsPage)).toMatchObject({ ok: true });
  });

  it("gives a content script its strings as templates, and nothing else's", async () => {
    const { ask } = setup();
    const reply = (await ask({ type: 'page-messages' })) as { ok: true; value: Record<string, string> };
    expect(reply.ok).toBe(true);
    expect(reply.value.checkLabel).toBe('Check GPUStack compatibility');
    expect(reply.value.controlQueuedAt).toBe('Queued #{1}');
    expect(Object.keys(reply.value).some((key) => key.startsWith('options'))).toBe(false);
  });

  it('keeps only known fields of a request', () => {
    expect(parseRequest({ ...good, extra: '<script>' })).toEqual(good);
  });
});
