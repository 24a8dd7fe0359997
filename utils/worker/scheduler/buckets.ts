// The buckets every request is counted in, with conservative starting budgets: anonymous quotas
// with a margin (the user's own browsing spends the same budget). hf-api then follows the server's
// RateLimit headers; hf-resolvers counts itself, since /resolve/'s 302 hides its headers from fetch.

import type { BucketConfig } from './scheduler';

const FIVE_MINUTES = 5 * 60 * 1000;

export const HF_API = 'hf-api';
export const HF_RESOLVERS = 'hf-resolvers';

export const HF_BUCKETS: Record<string, BucketConfig> = {
  [HF_API]: { quota: 450, windowMs: FIVE_MINUTES, concurrency: 6 },
  [HF_RESOLVERS]: { quota: 2700, windowMs: FIVE_MINUTES, concurrency: 6 },
};

/** GPUStack takes at most 50 evaluations per 10 s; stay under it. */
export const GPUSTACK_BUCKET: BucketConfig = { quota: 45, windowMs: 10_000, concurrency: 2 };

export function gpustackBucket(origin: string): string {
  return `gpustack:${origin}`;
}
