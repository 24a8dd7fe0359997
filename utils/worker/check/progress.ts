// Where a check stands while it waits: queued (#n in its bucket), waiting for a rate-limit budget
// (until when), or checking (its request is travelling). Checks tell a Tracker which scheduled
// request they currently wait for; the board turns scheduler status into views for the callers.

import type { ProgressView } from '../../common/protocol';
import type { ScheduledRequest, Scheduler } from '../scheduler/scheduler';

/** Told which request a check waits for now (null: none, e.g. between requests). */
export interface Tracker {
  set(request: ScheduledRequest | null): void;
}

/** Forwards to every caller that joined a shared check, late joiners included. */
export class FanTracker implements Tracker {
  private readonly targets = new Set<Tracker>();
  private current: ScheduledRequest | null = null;

  add(target: Tracker): () => void {
    this.targets.add(target);
    target.set(this.current);
    return () => this.targets.delete(target);
  }

  set(request: ScheduledRequest | null): void {
    this.current = request;
    for (const target of this.targets) target.set(request);
  }
}

interface Watch {
  request: ScheduledRequest | null;
  last: string;
  onView: (view: ProgressView) => void;
}

export class ProgressBoard {
  private readonly watches = new Set<Watch>();
  private pending = false;

  constructor(private readonly scheduler: Scheduler) {
    scheduler.subscribe(() => this.refreshSoon());
  }

  /** A tracker whose changes reach `onView`; call the returned function when the check ends. */
  watch(onView: (view: ProgressView) => void): { tracker: Tracker; stop: () => void } {
    const watch: Watch = { request: null, last: '', onView };
    this.watches.add(watch);
    const tracker: Tracker = {
      set: (request) => {
        watch.request = request;
        this.report(watch);
      },
    };
    return { tracker, stop: () => this.watches.delete(watch) };
  }

  /** The scheduler changes state per request; callers need a view a few times a second at most. */
  private refreshSoon(): void {
    if (this.pending || this.watches.size === 0) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      for (const watch of this.watches) this.report(watch);
    }, 100);
  }

  private report(watch: Watch): void {
    const view = this.viewOf(watch.request);
    const key = JSON.stringify(view);
    if (key === watch.last) return;
    watch.last = key;
    watch.onView(view);
  }

  private viewOf(request: ScheduledRequest | null): ProgressView {
    if (!request) return { state: 'checking' };
    const position = this.scheduler.position(request);
    if (position === null) return { state: 'checking' };
    const waitingUntil = this.scheduler.waitingUntil(request.bucket);
    if (waitingUntil !== null) return { state: 'waiting', until: waitingUntil };
    return { state: 'queued', position };
  }
}
