// Hugging Face's rate limits as the Hub documents them: fixed windows counted per bucket, advertised on
// every response with the IETF draft headers `RateLimit` and `RateLimit-Policy`.

export type Bucket = 'api' | 'resolvers' | 'pages';

export interface RateLimitPolicy {
  /** Requests allowed per window. */
  quota: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

/** The Hub's anonymous (per IP) limits: 500 / 3,000 / 100 requests per 5 minutes. */
export const ANONYMOUS_LIMITS: Readonly<Record<Bucket, RateLimitPolicy>> = Object.freeze({
  api: { quota: 500, windowSeconds: 300 },
  resolvers: { quota: 3000, windowSeconds: 300 },
  pages: { quota: 100, windowSeconds: 300 },
});

export const BUCKETS: readonly Bucket[] = ['api', 'resolvers', 'pages'];

/** Which bucket a hub path counts against (the Hub's own split). */
export function bucketOf(pathname: string): Bucket {
  if (pathname === '/api' || pathname.startsWith('/api/')) return 'api';
  if (pathname.includes('/resolve/')) return 'resolvers';
  return 'pages';
}

export interface RateLimitState {
  bucket: Bucket;
  policy: RateLimitPolicy;
  /** False when the window was already spent: answer 429. */
  allowed: boolean;
  /** Requests left in the current window after this one (`r`). */
  remaining: number;
  /** Whole seconds until the window resets (`t`, at least 1). */
  resetSeconds: number;
}

interface Window {
  /** ms timestamp the current window began, or undefined before the first request. */
  start?: number;
  used: number;
}

/**
 * Fixed-window counters, one per bucket. A bucket's first window opens with its first request; later
 * windows follow back to back every `windowSeconds`, as with the Hub (a client that waits `t` seconds
 * gets a full quota again).
 */
export class FixedWindowLimiter {
  private readonly policies: Record<Bucket, RateLimitPolicy>;
  private readonly windows: Record<Bucket, Window>;

  constructor(
    policies: Partial<Record<Bucket, RateLimitPolicy>> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.policies = { ...ANONYMOUS_LIMITS, ...policies };
    for (const bucket of BUCKETS) validatePolicy(this.policies[bucket]);
    this.windows = { api: { used: 0 }, resolvers: { used: 0 }, pages: { used: 0 } };
  }

  /** Replaces a bucket's policy and starts it afresh. */
  setPolicy(bucket: Bucket, policy: RateLimitPolicy): void {
    validatePolicy(policy);
    this.policies[bucket] = { ...policy };
    this.windows[bucket] = { used: 0 };
  }

  /** Forgets every bucket's usage (policies stay). */
  reset(): void {
    for (const bucket of BUCKETS) this.windows[bucket] = { used: 0 };
  }

  /** Counts one request against `bucket` and says whether it is allowed. */
  take(bucket: Bucket): RateLimitState {
    const window = this.current(bucket);
    const allowed = window.used < this.policies[bucket].quota;
    if (allowed) window.used += 1;
    return this.describe(bucket, window, allowed);
  }

  /** The bucket's state without counting a request. */
  peek(bucket: Bucket): RateLimitState {
    const window = this.current(bucket);
    return this.describe(bucket, window, window.used < this.policies[bucket].quota);
  }

  private current(bucket: Bucket): Window & { start: number } {
    const window = this.windows[bucket];
    const now = this.now();
    const length = this.policies[bucket].windowSeconds * 1000;
    if (window.start === undefined) {
      window.start = now;
    } else if (now >= window.start + length) {
      // Skip every window that passed entirely; usage starts over.
      window.start += Math.floor((now - window.start) / length) * length;
      window.used = 0;
    }
    return window as Window & { start: number };
  }

  private describe(bucket: Bucket, window: Window & { start: number }, allowed: boolean): RateLimitState {
    const policy = this.policies[bucket];
    const msLeft = window.start + policy.windowSeconds * 1000 - this.now();
    return {
      bucket,
      policy: { ...policy },
      allowed,
      remaining: Math.max(0, policy.quota - window.used),
      resetSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
    };
  }
}

/** `RateLimit` and `RateLimit-Policy` exactly as the Hub writes them. */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    RateLimit: `"${state.bucket}";r=${state.remaining};t=${state.resetSeconds}`,
    'RateLimit-Policy': `"fixed window";"${state.bucket}";q=${state.policy.quota};w=${state.policy.windowSeconds}`,
  };
}

function validatePolicy(policy: RateLimitPolicy): void {
  if (!Number.isInteger(policy.quota) || policy.quota < 0) throw new Error(`Bad quota: ${policy.quota}`);
  if (!(policy.windowSeconds > 0)) throw new Error(`Bad window: ${policy.windowSeconds}`);
}
