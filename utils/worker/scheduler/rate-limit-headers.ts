// Hugging Face's IETF-draft rate-limit headers:
//   RateLimit: "api";r=489;t=189                      (requests left, seconds to reset)
//   RateLimit-Policy: "fixed window";"api";q=500;w=300 (quota, window seconds)

export interface RateLimitInfo {
  remaining?: number;
  resetSeconds?: number;
  quota?: number;
  windowSeconds?: number;
}

function numberParam(header: string, name: string): number | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}=(\\d+(?:\\.\\d+)?)`).exec(header);
  return match ? Number(match[1]) : undefined;
}

export function parseRateLimit(headers: Headers): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = headers.get('ratelimit');
  if (limit) {
    info.remaining = numberParam(limit, 'r');
    info.resetSeconds = numberParam(limit, 't');
  }
  const policy = headers.get('ratelimit-policy');
  if (policy) {
    info.quota = numberParam(policy, 'q');
    info.windowSeconds = numberParam(policy, 'w');
  }
  return info;
}

/** Retry-After in milliseconds (seconds or an HTTP date), when present and sane. */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
