// How many requests one bucket may still send, and when the next one may go.
//
// Two rules, both must allow a send:
// - our own log: at most `quota` sends in any `window`. A sliding log keeps a server's fixed window,
//   whatever its alignment, from ever seeing more than the quota from us. It is all we know for
//   /resolve/, whose 302 hides its rate-limit headers from fetch.
// - the server's word: `RateLimit: r=..;t=..` on a response says how many are left in its window
//   (other consumers, like the user's own browsing, included) and when it resets.
// A 429 pauses the bucket until the reset the server names.

import type { RateLimitInfo } from './rate-limit-headers';

export interface BudgetConfig {
  quota: number;
  windowMs: number;
}

export interface BudgetState {
  quota: number;
  windowMs: number;
  /** Send times within the last window, oldest first. */
  sends: number[];
  /** The server's last word, counted down by our sends since. */
  server: { remaining: number; resetAt: number } | null;
  pausedUntil: number;
  /** Requests travelling when this was saved: a worker stopped mid-burst never hears back from them. */
  travelling?: number;
}

/** Slack after a reset the server announced in whole seconds, so we never arrive just before it. */
const RESET_MARGIN_MS = 100;
/** How long a restarted worker counts the old one's travelling requests as not yet counted. */
const ORPHAN_GRACE_MS = 5000;

export class Budget {
  private state: BudgetState;

  /** The stopped worker's requests that may still reach the server after our next answer. */
  private readonly orphans: { count: number; until: number };

  constructor(config: BudgetConfig, saved?: BudgetState, now = Date.now()) {
    this.state = saved ? structuredClone(saved) : { ...config, sends: [], server: null, pausedUntil: 0 };
    this.orphans = { count: saved?.travelling ?? 0, until: now + ORPHAN_GRACE_MS };
  }

  snapshot(travelling = 0): BudgetState {
    return { ...structuredClone(this.state), travelling };
  }

  /** The earliest time (ms) a request may be sent; `now` or earlier means right away. */
  nextSendAt(now: number): number {
    this.forget(now);
    const { quota, windowMs, sends, server, pausedUntil } = this.state;
    let at = Math.max(now, pausedUntil);
    if (sends.length >= quota) at = Math.max(at, (sends[sends.length - quota] ?? 0) + windowMs);
    if (server && server.remaining <= 0 && at < server.resetAt) at = server.resetAt;
    return at;
  }

  /** Requests left before the budget makes anyone wait. */
  remaining(now: number): number {
    this.forget(now);
    const own = this.state.quota - this.state.sends.length;
    const server = this.state.server;
    return Math.max(0, server ? Math.min(own, server.remaining) : own);
  }

  get quota(): number {
    return this.state.quota;
  }

  recordSend(now: number): void {
    this.state.sends.push(now);
    if (this.state.server) this.state.server.remaining -= 1;
  }

  /**
   * Learns from a response's headers. `uncounted` is how many of our other requests the server may
   * not have counted when it answered (still travelling, or sent after this one): they come off
   * what it says is left. Responses of one window narrow its reset: each `t` is whole seconds
   * rounded up, so the earliest `now + t` is the tightest safe guess.
   */
  learn(info: RateLimitInfo, now: number, uncounted: number): void {
    if (info.quota !== undefined && info.quota > 0) this.state.quota = info.quota;
    if (info.windowSeconds !== undefined && info.windowSeconds > 0) {
      this.state.windowMs = info.windowSeconds * 1000;
    }
    if (info.remaining === undefined || info.resetSeconds === undefined) return;
    const resetAt = now + info.resetSeconds * 1000 + RESET_MARGIN_MS;
    const current = this.state.server && now < this.state.server.resetAt ? this.state.server : null;
    const sameWindow = current !== null && resetAt < current.resetAt + this.state.windowMs / 2;
    const orphans = now < this.orphans.until ? this.orphans.count : 0;
    this.state.server = {
      remaining: info.remaining - uncounted - orphans,
      resetAt: sameWindow ? Math.min(current.resetAt, resetAt) : resetAt,
    };
  }

  /** A 429: nothing more goes out until `until`. */
  pause(until: number): void {
    this.state.pausedUntil = Math.max(this.state.pausedUntil, until);
    if (this.state.server) this.state.server.remaining = 0;
  }

  private forget(now: number): void {
    const { sends, windowMs, server } = this.state;
    let drop = 0;
    while (drop < sends.length && (sends[drop] ?? 0) + windowMs <= now) drop += 1;
    if (drop > 0) sends.splice(0, drop);
    // Past the reset the server's count no longer binds; its next response will tell again.
    if (server && now >= server.resetAt) this.state.server = null;
  }
}
