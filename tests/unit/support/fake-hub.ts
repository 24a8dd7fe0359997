// A fetch that behaves like a rate-limited Hub bucket: fixed windows, RateLimit headers on every
// answer, 429 when a window is spent. It runs on the test's (fake) clock and counts what it saw.

export interface FakeHubOptions {
  quota: number;
  windowSeconds: number;
  /** Milliseconds each answer takes. */
  latencyMs?: number;
  retryAfter?: boolean;
  /** Omit the RateLimit headers (like the CDN behind /resolve/'s 302). */
  silent?: boolean;
  bucket?: string;
}

export function fakeHub(options: FakeHubOptions) {
  const { quota, windowSeconds, latencyMs = 20, bucket = 'api' } = options;
  const windowMs = windowSeconds * 1000;
  let windowStart: number | null = null;
  let used = 0;
  const stats = { requests: 0, tooMany: 0, urls: [] as string[], maxInFlight: 0 };
  let inFlight = 0;

  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const now = Date.now();
    stats.requests += 1;
    stats.urls.push(url);
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    // The server counts on arrival and answers after its latency.
    if (windowStart === null || now >= windowStart + windowMs) {
      windowStart =
        windowStart === null ? now : windowStart + Math.floor((now - windowStart) / windowMs) * windowMs;
      used = 0;
    }
    const over = used >= quota;
    if (!over) used += 1;
    const reset = Math.ceil((windowStart + windowMs - now) / 1000);
    const headers = new Headers({ 'content-type': 'application/json' });
    if (!options.silent || over) {
      headers.set('RateLimit', `"${bucket}";r=${quota - used};t=${reset}`);
      headers.set('RateLimit-Policy', `"fixed window";"${bucket}";q=${quota};w=${windowSeconds}`);
    }
    if (over && options.retryAfter) headers.set('Retry-After', String(reset));
    if (over) stats.tooMany += 1;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, latencyMs);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
    }).finally(() => {
      inFlight -= 1;
    });
    const body = over ? { error: 'rate limited' } : { url };
    return new Response(JSON.stringify(body), { status: over ? 429 : 200, headers });
  }) as typeof fetch;

  return { fetch: fetchImpl, stats };
}
