// How many requests one bucket may still send, and when the next one may go.
//
// Two rules, both must allow a send:
// - our own log: at most `quota` sends in any `window`. A sliding log keeps a server's fixed window,
//   whatever its alignment, from ever seeing more than the quota from us. It is all we know for
//   /resolve/, whose 302 hides its rate-limit headers from fetch.
// - the server's word: `RateLimit: r=..;t=..` on each response says how many are left in its window
//   (other consumers, like the user's own browsing, included) and when it resets.
//
// Reading the server's word exactly: within one fixed window the server's count only grows, so the
// smallest `r` of the window's responses (the floor) comes from the latest request it counted, and
// every request of ours that has been answered was counted by then (a later one would have shown a
// smaller `r`). What the floor may not include is what is still travelling, what came back without
// the server's word, and what a stopped worker left travelling. So the budget left is
// floor - travelling - blind - orphans: never more than the server has, and exact once the
// travelling requests are answered, which is how a window is spent to its last request.
// A 429 pauses the bucket until the reset the server names.

import type { RateLimitInfo } from './rate-limit-headers';

export interface BudgetConfig {
  quota: number;
  windowMs: number;
}

export interface ServerWindow {
  /** The smallest `r` among this window's responses. */
  floor: number;
  /** When the window resets (ms). */
  resetAt: number;
  /** Our requests answered in this window without the server's word: maybe counted, maybe not. */
  blind: number;
  /** When we first heard of this window: a request sent later is never counted in an older one. */
  since: number;
}

export interface BudgetState {
  quota: number;
  windowMs: number;
  /** Send times within the last window, oldest first. */
  sends: number[];
  server: ServerWindow | null;
  pausedUntil: number;
  /** Requests travelling when this was saved: a worker stopped mid-burst never hears back from them. */
  travelling?: number;
}

/** Slack after a reset the server announced in whole seconds, so we never arrive just before it. */
const RESET_MARGIN_MS = 100;
/** How long a stopped worker's travelling requests may still reach the server. */
const ORPHAN_GRACE_MS = 5000;

export class Budget {
  private state: BudgetState;

  /**
   * The stopped worker's requests that may reach the server after our next answer: counted off
   * until an answer to a request sent after `until` (its `r` includes whichever of them arrived).
   */
  private readonly orphans: { count: number; until: number };

  constructor(config: BudgetConfig, saved?: BudgetState, now = Date.now()) {
    this.state = isState(saved)
      ? structuredClone(saved)
      : { ...config, sends: [], server: null, pausedUntil: 0 };
    this.orphans = { count: isState(saved) ? (saved.travelling ?? 0) : 0, until: now + ORPHAN_GRACE_MS };
  }

  snapshot(travelling = 0): BudgetState {
    // The old worker's orphans that still count stay in the books of the next one.
    return { ...structuredClone(this.state), travelling: travelling + this.orphans.count };
  }

  /** The earliest time (ms) a request may be sent, with `travelling` requests out; `now` or earlier means right away. */
  nextSendAt(now: number, travelling: number): number {
    this.forget(now);
    const { quota, windowMs, sends, server, pausedUntil } = this.state;
    let at = Math.max(now, pausedUntil);
    if (sends.length >= quota) at = Math.max(at, (sends[sends.length - quota] ?? 0) + windowMs);
    if (server && this.serverLeft(server, travelling) <= 0 && at < server.resetAt) at = server.resetAt;
    return at;
  }

  /** Whether the server's word is what holds the next send back, and an answer may lift it. */
  waitsOnAnswers(now: number, travelling: number): boolean {
    this.forget(now);
    const server = this.state.server;
    return server !== null && travelling > 0 && this.serverLeft(server, travelling) <= 0;
  }

  /** Requests left before the budget makes anyone wait. */
  remaining(now: number, travelling: number): number {
    this.forget(now);
    const own = this.state.quota - this.state.sends.length;
    const server = this.state.server;
    return Math.max(0, server ? Math.min(own, this.serverLeft(server, travelling)) : own);
  }

  get quota(): number {
    return this.state.quota;
  }

  recordSend(now: number): void {
    this.state.sends.push(now);
  }

  /** Learns from a response to a request sent at `sentAt`. */
  learn(info: RateLimitInfo, now: number, sentAt: number): void {
    if (info.quota !== undefined && info.quota > 0) this.state.quota = info.quota;
    if (info.windowSeconds !== undefined && info.windowSeconds > 0) {
      this.state.windowMs = info.windowSeconds * 1000;
    }
    if (info.remaining === undefined || info.resetSeconds === undefined) {
      this.answeredBlind(now);
      return;
    }
    if (sentAt >= this.orphans.until) this.orphans.count = 0;
    // `t` is whole seconds rounded up: the earliest `now + t` of a window is the tightest safe guess.
    const resetAt = now + info.resetSeconds * 1000 + RESET_MARGIN_MS;
    this.forget(now);
    const current = this.state.server;
    if (current && Math.abs(resetAt - current.resetAt) < this.state.windowMs / 2) {
      current.floor = Math.min(current.floor, info.remaining);
      current.resetAt = Math.min(current.resetAt, resetAt);
      return;
    }
    // Sent before this window was known and resetting before it: counted in a window already over.
    // Sent after, the server's own word on its window wins (a 429 that resets sooner, say).
    if (current && resetAt < current.resetAt && sentAt < current.since) return;
    this.state.server = { floor: info.remaining, resetAt, blind: 0, since: now };
  }

  /** A request came back without the server's word (or not at all): it may have been counted. */
  answeredBlind(now: number): void {
    this.forget(now);
    if (this.state.server) this.state.server.blind += 1;
  }

  /** A 429: nothing more goes out until `until`. */
  pause(until: number): void {
    this.state.pausedUntil = Math.max(this.state.pausedUntil, until);
    if (this.state.server) this.state.server.floor = 0;
  }

  private serverLeft(server: ServerWindow, travelling: number): number {
    return server.floor - travelling - server.blind - this.orphans.count;
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

/** A saved state of this shape (an older worker's may differ): anything else starts afresh. */
function isState(saved: BudgetState | undefined): saved is BudgetState {
  return (
    saved !== undefined &&
    Array.isArray(saved.sends) &&
    (saved.server === null || typeof saved.server?.floor === 'number')
  );
}
