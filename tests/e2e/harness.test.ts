// Tests of the e2e harness itself: the Hugging Face impersonator (from Node) and the browser launcher
// (Chromium with the extension: offline wiring, service-worker stop/restart, UI locale).

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import { type FakeRepo, fakeSha, type HfServer, type SearchModel, startHfServer } from './support/hf-server';
import { builtExtensionDir, writeProbeExtension } from './support/probe-extension';
import { hostResolverRules } from './support/resolver-rules';

// "GGUF", version 3, then counts: enough to recognise the start of a file.
const HEADER = Uint8Array.from([
  0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc,
  0xdd,
]);
const FIVE_GB = 5 * 1024 ** 3;
const MAIN = fakeSha('tiny main');
const V1 = fakeSha('tiny v1');

const TINY: FakeRepo = {
  id: 'TheOwner/Tiny-GGUF',
  sha: MAIN,
  revisions: { v1: V1 },
  downloads: 5,
  files: [
    { path: 'tiny-Q4_K_M.gguf', size: FIVE_GB, header: HEADER },
    { path: 'Q8_0/tiny-Q8_0-00001-of-00002.gguf', size: 4000, header: HEADER },
    { path: 'Q8_0/tiny-Q8_0-00002-of-00002.gguf', size: 3000 },
    { path: 'dir with space/a#b?ü.gguf', size: 100, header: HEADER },
    { path: 'README.md', content: '# Tiny GGUF\n' },
  ],
};
const GATED: FakeRepo = {
  id: 'corp/Gated-GGUF',
  sha: fakeSha('gated'),
  gated: true,
  files: [{ path: 'g.gguf', size: 1000, header: HEADER }],
};

const resolveUrl = (repo: string, rev: string, path: string) =>
  `/${repo}/resolve/${encodeURIComponent(rev)}/${path.split('/').map(encodeURIComponent).join('/')}`;

describe('Hugging Face impersonator (from Node)', () => {
  let hf: HfServer;
  let now = Date.UTC(2026, 0, 1);

  beforeAll(async () => {
    hf = await startHfServer({ repos: [TINY, GATED], clock: () => now });
    hf.setPage('/TheOwner/Tiny-GGUF', '<html><body>model page</body></html>');
  });
  afterAll(async () => {
    await hf?.close();
  });
  beforeEach(() => {
    hf.clearLog();
    hf.resetRateLimits();
    hf.setRateLimit('api', { quota: 500, windowSeconds: 300 });
    hf.setRetryAfter(true);
    hf.setLatency(0);
    hf.injectFailure(undefined);
  });

  it('puts the bucket’s RateLimit headers on every hub response', async () => {
    const info = await hf.request('/api/models/TheOwner/Tiny-GGUF');
    expect(info.status).toBe(200);
    expect(info.headers['content-type']).toMatch(/^application\/json/);
    expect(info.headers.ratelimit).toBe('"api";r=499;t=300');
    expect(info.headers['ratelimit-policy']).toBe('"fixed window";"api";q=500;w=300');
    expect(info.headers['access-control-expose-headers']).toMatch(
      /RateLimit, RateLimit-Policy, Link, X-Repo-Commit/,
    );
    now += 120_000;
    expect((await hf.request('/api/models?search=tiny')).headers.ratelimit).toBe('"api";r=498;t=180');

    const resolved = await hf.request(resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'));
    expect(resolved.status).toBe(302);
    expect(resolved.headers.ratelimit).toBe('"resolvers";r=2999;t=300');
    expect(resolved.headers['ratelimit-policy']).toBe('"fixed window";"resolvers";q=3000;w=300');

    const page = await hf.request('/TheOwner/Tiny-GGUF');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text()).toContain('model page');
    expect(page.headers.ratelimit).toBe('"pages";r=99;t=300');
  });

  it('answers 429 once a window is spent, until it resets; Retry-After can be switched off', async () => {
    hf.setRateLimit('api', { quota: 2, windowSeconds: 10 });
    const url = '/api/models/TheOwner/Tiny-GGUF';
    expect((await hf.request(url)).headers.ratelimit).toBe('"api";r=1;t=10');
    expect((await hf.request(url)).headers.ratelimit).toBe('"api";r=0;t=10');

    const limited = await hf.request(url);
    expect(limited.status).toBe(429);
    expect(limited.headers.ratelimit).toBe('"api";r=0;t=10');
    expect(limited.headers['ratelimit-policy']).toBe('"fixed window";"api";q=2;w=10');
    expect(limited.headers['retry-after']).toBe('10');
    expect(limited.json<{ error: string }>().error).toMatch(/rate limit/i);
    // Buckets are independent.
    expect((await hf.request(resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'))).status).toBe(302);

    hf.setRetryAfter(false);
    now += 4_000;
    const again = await hf.request(url);
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBeUndefined();
    expect(again.headers.ratelimit).toBe('"api";r=0;t=6');

    now += 6_000;
    const fresh = await hf.request(url);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.ratelimit).toBe('"api";r=1;t=10');
    expect(hf.rateLimitState('api')).toMatchObject({ remaining: 1, allowed: true });
  });

  it('redirects LFS files to the CDN, which serves Range reads: header bytes, then zeros', async () => {
    const redirect = await hf.request(resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'), {
      headers: { Range: 'bytes=0-15' },
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers['x-repo-commit']).toBe(MAIN);
    const location = redirect.headers.location as string;
    expect(location).toMatch(/^https:\/\/cas-bridge\.xethub\.hf\.co\/xet\/[A-Za-z0-9_-]+\?/);

    const head = await hf.request(location, { headers: { Range: 'bytes=0-15' } });
    expect(head.status).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-15/${FIVE_GB}`);
    expect(head.headers['content-length']).toBe('16');
    expect([...head.body]).toEqual([...HEADER.subarray(0, 16)]);
    expect(head.headers['access-control-allow-origin']).toBe('*');
    expect(head.headers['access-control-expose-headers']).toMatch(/Content-Range/);

    const straddle = await hf.request(location, {
      headers: { Range: `bytes=${HEADER.length - 4}-${HEADER.length + 3}` },
    });
    expect([...straddle.body]).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0]);

    const tail = await hf.request(location, { headers: { Range: `bytes=${FIVE_GB - 20}-` } });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes ${FIVE_GB - 20}-${FIVE_GB - 1}/${FIVE_GB}`);
    expect(tail.body).toEqual(Buffer.alloc(20));

    const whole = await hf.request(location, { method: 'HEAD' });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe(String(FIVE_GB));
    expect(whole.headers['accept-ranges']).toBe('bytes');
    // A full GET streams lazily: read a little and hang up.
    const partial = await hf.request(location, { maxBytes: 100_000 });
    expect(partial.status).toBe(200);
    expect(partial.truncated).toBe(true);
    expect([...partial.body.subarray(0, 4)]).toEqual([0x47, 0x47, 0x55, 0x46]);

    expect(
      (await hf.request(location, { headers: { Range: `bytes=${FIVE_GB}-` } })).headers['content-range'],
    ).toBe(`bytes */${FIVE_GB}`);
    const preflight = await hf.request(location, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://huggingface.co',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'range',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/range/i);

    const followed = await hf.request(resolveUrl(TINY.id, 'v1', 'dir with space/a#b?ü.gguf'), {
      headers: { Range: 'bytes=0-3' },
      followRedirects: true,
    });
    expect(followed.redirects.map((hop) => hop.headers['x-repo-commit'])).toEqual([V1]);
    expect(followed.status).toBe(206);
    expect(followed.text()).toBe('GGUF');

    const cdnLog = hf.requests.filter((entry) => entry.host === 'cdn');
    expect(cdnLog.map((entry) => [entry.method, entry.status, entry.bucket])).toEqual([
      ['GET', 206, 'cdn'],
      ['GET', 206, 'cdn'],
      ['GET', 206, 'cdn'],
      ['HEAD', 200, 'cdn'],
      ['GET', 200, 'cdn'],
      ['GET', 416, 'cdn'],
      ['OPTIONS', 204, 'cdn'],
      ['GET', 206, 'cdn'],
    ]);
  });

  it('serves small files directly and answers errors like the Hub', async () => {
    const readme = await hf.request(resolveUrl(TINY.id, 'main', 'README.md'));
    expect(readme.status).toBe(200);
    expect(readme.text()).toBe('# Tiny GGUF\n');
    expect(readme.headers['x-repo-commit']).toBe(MAIN);
    const slice = await hf.request(resolveUrl(TINY.id, 'main', 'README.md'), {
      headers: { Range: 'bytes=2-5' },
    });
    expect(slice.status).toBe(206);
    expect(slice.text()).toBe('Tiny');

    const missingFile = await hf.request(resolveUrl(TINY.id, 'main', 'nope.gguf'));
    expect(missingFile.status).toBe(404);
    expect(missingFile.json()).toEqual({ error: 'Entry not found' });
    expect(missingFile.headers['x-error-code']).toBe('EntryNotFound');

    for (const url of ['/api/models/nobody/nothing', resolveUrl('nobody/nothing', 'main', 'x.gguf')]) {
      const missingRepo = await hf.request(url);
      expect(missingRepo.status).toBe(401);
      expect(missingRepo.json()).toEqual({ error: 'Repository not found' });
    }
    expect((await hf.request('/api/models/TheOwner/Tiny-GGUF/revision/nope')).status).toBe(404);

    const gatedInfo = await hf.request('/api/models/corp/Gated-GGUF');
    expect(gatedInfo.json()).toMatchObject({ gated: 'auto', sha: GATED.sha });
    expect((await hf.request(resolveUrl(GATED.id, 'main', 'g.gguf'))).status).toBe(401);
    const withToken = await hf.request(resolveUrl(GATED.id, 'main', 'g.gguf'), {
      headers: { Authorization: 'Bearer hf_test' },
    });
    expect(withToken.status).toBe(302);
  });

  it('describes models: siblings, sizes with ?blobs=true, revisions, trees, paths-info', async () => {
    type Info = { id: string; sha: string; siblings: Record<string, unknown>[] };
    const plain = (await hf.request('/api/models/TheOwner/Tiny-GGUF')).json<Info>();
    expect(plain).toMatchObject({ id: TINY.id, modelId: TINY.id, sha: MAIN, gated: false, private: false });
    expect(plain.siblings[0]).toEqual({ rfilename: 'tiny-Q4_K_M.gguf' });

    const blobs = (await hf.request('/api/models/TheOwner/Tiny-GGUF/revision/v1?blobs=true')).json<Info>();
    expect(blobs.sha).toBe(V1);
    expect(blobs.siblings[0]).toMatchObject({
      rfilename: 'tiny-Q4_K_M.gguf',
      size: FIVE_GB,
      lfs: { size: FIVE_GB, pointerSize: 135, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const readme = blobs.siblings.find((sibling) => sibling.rfilename === 'README.md');
    expect(readme).toMatchObject({ size: 12 });
    expect(readme).not.toHaveProperty('lfs');
    expect((await hf.request(`/api/models/TheOwner/Tiny-GGUF/revision/${V1}`)).json<Info>().sha).toBe(V1);

    type Entry = { type: string; path: string; size: number; lfs?: unknown };
    const root = (await hf.request('/api/models/TheOwner/Tiny-GGUF/tree/main')).json<Entry[]>();
    expect(root.map((entry) => [entry.type, entry.path])).toEqual([
      ['directory', 'Q8_0'],
      ['directory', 'dir with space'],
      ['file', 'README.md'],
      ['file', 'tiny-Q4_K_M.gguf'],
    ]);
    const all = (await hf.request('/api/models/TheOwner/Tiny-GGUF/tree/main?recursive=true')).json<Entry[]>();
    expect(all.filter((entry) => entry.type === 'file')).toHaveLength(TINY.files.length);
    const shards = (await hf.request('/api/models/TheOwner/Tiny-GGUF/tree/main/Q8_0')).json<Entry[]>();
    expect(shards.map((entry) => [entry.path, entry.size])).toEqual([
      ['Q8_0/tiny-Q8_0-00001-of-00002.gguf', 4000],
      ['Q8_0/tiny-Q8_0-00002-of-00002.gguf', 3000],
    ]);
    expect((await hf.request('/api/models/TheOwner/Tiny-GGUF/tree/main/nope')).status).toBe(404);

    const pathsInfo = await hf.request('/api/models/TheOwner/Tiny-GGUF/paths-info/main', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'paths=tiny-Q4_K_M.gguf&paths=missing.gguf',
    });
    expect(pathsInfo.json<Entry[]>().map((entry) => [entry.path, entry.size])).toEqual([
      ['tiny-Q4_K_M.gguf', FIVE_GB],
    ]);
  });

  it('filters search results and pages through them with Link headers', async () => {
    const models: SearchModel[] = Array.from({ length: 25 }, (_, i) => ({
      id: `org${i % 3}/Llama-${i}${i % 2 ? '-GGUF' : ''}`,
      downloads: i * 10,
      likes: 25 - i,
      tags: i % 2 ? ['gguf', 'text-generation'] : ['safetensors'],
    }));
    models.push({ id: 'other/Mistral-GGUF', downloads: 1e6, tags: ['gguf'] });
    hf.setSearchResults(models);

    const expected = models
      .filter((model) => model.id.toLowerCase().includes('llama') && model.tags?.includes('gguf'))
      .sort((a, b) => (b.downloads ?? 0) - (a.downloads ?? 0))
      .map((model) => model.id);
    expect(expected).toHaveLength(12);

    const seen: string[] = [];
    const links: string[] = [];
    let url: string | undefined = '/api/models?search=LLAMA&filter=gguf&sort=downloads&limit=5';
    while (url) {
      const page = await hf.request(url);
      expect(page.status).toBe(200);
      seen.push(...page.json<{ id: string }[]>().map((model) => model.id));
      const link = page.headers.link;
      url = link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      if (link) links.push(link);
    }
    expect(seen).toEqual(expected);
    expect(links).toHaveLength(2);
    expect(links[0]).toMatch(
      /^<https:\/\/huggingface\.co\/api\/models\?search=LLAMA&filter=gguf&sort=downloads&limit=5&cursor=[^>&]+>; rel="next"$/,
    );

    // Repos added with addRepo are searchable too.
    const tiny = (await hf.request('/api/models?search=tiny')).json<Record<string, unknown>[]>();
    expect(tiny).toEqual([
      expect.objectContaining({
        id: TINY.id,
        modelId: TINY.id,
        downloads: 5,
        tags: ['gguf'],
        private: false,
      }),
    ]);
    expect((await hf.request('/api/models?cursor=garbage')).status).toBe(400);
  });

  it('injects latency and failures on either host', async () => {
    hf.setLatency((req) => (req.host === 'hub' ? 300 : 0));
    const started = Date.now();
    await hf.request('/api/models/TheOwner/Tiny-GGUF');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    hf.setLatency(0);

    hf.injectFailure((req) => {
      if (req.host === 'hub' && req.pathname.endsWith('/Tiny-GGUF')) {
        return { status: 503, body: { error: 'Service Unavailable' } };
      }
      if (req.host === 'hub' && req.query.has('storm')) {
        const withRetryAfter = req.query.get('storm') === 'with';
        return {
          status: 429,
          headers: withRetryAfter ? { 'Retry-After': '1' } : { 'Retry-After': undefined },
          body: JSON.stringify({ error: 'Too many requests' }),
        };
      }
      if (req.host === 'cdn') return { status: 500, body: 'CDN broke' };
      return undefined;
    });
    const failed = await hf.request('/api/models/TheOwner/Tiny-GGUF');
    expect(failed.status).toBe(503);
    expect(failed.json()).toEqual({ error: 'Service Unavailable' });
    // Injected answers do not use up quota, and carry only the headers the hook gives.
    expect(hf.rateLimitState('api').remaining).toBe(499);
    const storm = await hf.request('/api/models?storm=with');
    expect([storm.status, storm.headers['retry-after'], storm.headers.ratelimit]).toEqual([
      429,
      '1',
      undefined,
    ]);
    expect(storm.headers['content-type']).toMatch(/^application\/json/);
    expect((await hf.request('/api/models?storm=without')).headers).not.toHaveProperty('retry-after');
    expect((await hf.request('/api/models/corp/Gated-GGUF')).status).toBe(200);
    const viaCdn = await hf.request(resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'), {
      followRedirects: true,
    });
    expect([viaCdn.status, viaCdn.text()]).toEqual([500, 'CDN broke']);
    expect(viaCdn.headers['content-type']).toMatch(/^text\/plain/);
    expect(hf.requests.map((entry) => `${entry.host} ${entry.status}`)).toEqual([
      'hub 200',
      'hub 503',
      'hub 429',
      'hub 429',
      'hub 200',
      'hub 302',
      'cdn 500',
    ]);
  });

  it('logs every request: host, method, path with query, lowercased headers, status, bucket, time', async () => {
    const before = Date.now();
    await hf.request('/api/models?search=tiny&limit=1', { headers: { 'X-Custom': 'Yes' } });
    await hf.request(resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'), {
      headers: { Range: 'bytes=0-7' },
      followRedirects: true,
    });
    await hf.request('/nothing-here');
    expect(hf.requests).toEqual([
      expect.objectContaining({
        host: 'hub',
        method: 'GET',
        path: '/api/models?search=tiny&limit=1',
        status: 200,
        bucket: 'api',
        headers: expect.objectContaining({ host: 'huggingface.co', 'x-custom': 'Yes' }),
      }),
      expect.objectContaining({
        host: 'hub',
        path: '/TheOwner/Tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf',
        status: 302,
        bucket: 'resolvers',
        headers: expect.objectContaining({ range: 'bytes=0-7' }),
      }),
      expect.objectContaining({
        host: 'cdn',
        status: 206,
        bucket: 'cdn',
        headers: expect.objectContaining({ host: 'cas-bridge.xethub.hf.co', range: 'bytes=0-7' }),
      }),
      expect.objectContaining({ host: 'hub', path: '/nothing-here', status: 404, bucket: 'pages' }),
    ]);
    for (const entry of hf.requests) {
      expect(entry.time).toBeGreaterThanOrEqual(before);
      expect(entry.time).toBeLessThanOrEqual(Date.now());
    }
    hf.clearLog();
    expect(hf.requests).toHaveLength(0);
  });
});

type ChromeApi = {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  i18n: { getUILanguage(): string };
};
type WorkerGlobals = typeof globalThis & { __e2eMarker?: string; chrome: ChromeApi };

/** The real build when there is one (E2E_HARNESS_PROBE=1 forces the probe), else the probe extension. */
let probeDir: string | undefined;
function extensionUnderTest(): string {
  const built = process.env.E2E_HARNESS_PROBE === '1' ? undefined : builtExtensionDir();
  if (built) return built;
  probeDir ??= writeProbeExtension();
  return probeDir;
}
afterAll(() => {
  if (probeDir) rmSync(probeDir, { recursive: true, force: true });
});

describe('extension in Chromium', () => {
  let hf: HfServer;
  let session: ExtensionSession;

  beforeAll(async () => {
    hf = await startHfServer({ repos: [TINY] });
    const extensionDir = extensionUnderTest();
    console.info(
      `harness browser tests use ${extensionDir === probeDir ? 'the probe extension' : 'the real build'}: ${extensionDir}`,
    );
    session = await launchExtension({ hostResolverRules: hf.hostResolverRules, extensionDir });
  });
  afterAll(async () => {
    await session?.close();
    await hf?.close();
  });

  it('reaches the impersonators, and nothing else, from the service worker', async () => {
    hf.clearLog();
    const worker = await session.worker();
    const result = await worker.evaluate(
      async (path) => {
        const response = await fetch(`https://huggingface.co${path}`, { headers: { Range: 'bytes=0-7' } });
        const bytes = [...new Uint8Array(await response.arrayBuffer())];
        const elsewhere = await fetch('https://example.com/').then(
          () => 'reached',
          (error: Error) => error.name,
        );
        return { status: response.status, url: response.url, bytes, elsewhere, language: navigator.language };
      },
      resolveUrl(TINY.id, 'main', 'tiny-Q4_K_M.gguf'),
    );
    expect(result.status).toBe(206);
    expect(result.url).toMatch(/^https:\/\/cas-bridge\.xethub\.hf\.co\/xet\//);
    expect(result.bytes).toEqual([...HEADER.subarray(0, 8)]);
    expect(result.elsewhere).toBe('TypeError');
    const ours = hf.requests.filter((entry) => entry.path.includes('/resolve/') || entry.host === 'cdn');
    expect(ours.map((entry) => [entry.host, entry.status, entry.headers.range])).toEqual([
      ['hub', 302, 'bytes=0-7'],
      ['cdn', 206, 'bytes=0-7'],
    ]);
    expect(await worker.evaluate(() => (globalThis as WorkerGlobals).chrome.i18n.getUILanguage())).toBe(
      'en-US',
    );
  });

  it('stopWorker really stops the worker; the next start is a fresh one', async () => {
    const first = await session.worker();
    const firstOrigin = await first.evaluate(() => {
      (globalThis as WorkerGlobals).__e2eMarker = 'set before stop';
      return performance.timeOrigin;
    });
    expect(await first.evaluate(() => (globalThis as WorkerGlobals).__e2eMarker)).toBe('set before stop');

    await session.stopWorker();
    // DevTools reported the version stopped; nothing has woken it since.
    expect(session.workerStatus()).toBe('stopped');

    const second = await session.wakeWorker();
    const secondState = await second.evaluate(() => ({
      marker: (globalThis as WorkerGlobals).__e2eMarker ?? null,
      timeOrigin: performance.timeOrigin,
    }));
    expect(secondState.marker).toBeNull();
    expect(secondState.timeOrigin).toBeGreaterThan(firstOrigin);

    // Again, woken this time the way the extension is: by a message from one of its pages.
    await second.evaluate(() => {
      (globalThis as WorkerGlobals).__e2eMarker = 'set before second stop';
    });
    await session.stopWorker();
    expect(session.workerStatus()).toBe('stopped');
    const popup = await session.openExtensionPage('popup.html');
    await popup.evaluate(() =>
      (globalThis as WorkerGlobals).chrome.runtime.sendMessage({ type: 'e2e-wake' }).catch(() => undefined),
    );
    await session.waitForWorkerRunning();
    const third = await session.worker();
    const thirdState = await third.evaluate(() => ({
      marker: (globalThis as WorkerGlobals).__e2eMarker ?? null,
      timeOrigin: performance.timeOrigin,
    }));
    expect(thirdState.marker).toBeNull();
    expect(thirdState.timeOrigin).toBeGreaterThan(secondState.timeOrigin);
    await popup.close();

    // The browser carries on: the restarted worker still fetches through the impersonators.
    const status = await third.evaluate(
      async () => (await fetch('https://huggingface.co/api/models?limit=1')).status,
    );
    expect(status).toBe(200);
  });
});

describe('extension in Chromium, Simplified Chinese', () => {
  it('starts Chromium with a zh-CN UI when asked', async () => {
    // Offline: no impersonator needed, every host name fails to resolve.
    const zh = await launchExtension({
      hostResolverRules: hostResolverRules({}),
      extensionDir: extensionUnderTest(),
      locale: 'zh-CN',
    });
    try {
      const worker = await zh.worker();
      expect(await worker.evaluate(() => (globalThis as WorkerGlobals).chrome.i18n.getUILanguage())).toBe(
        'zh-CN',
      );
    } finally {
      await zh.close();
    }
  });
});
