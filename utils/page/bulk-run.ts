// "Check all quantizations": a few checks travel at once (lowest priority), the rest wait here, so
// cancelling really drops them (the port protocol has no per-request cancel). Items the user clicks
// meanwhile leave the queue and go at click priority instead.

export interface BulkRun<T> {
  /** Takes a waiting item out of the queue; false when it was not waiting (sent, or never queued). */
  take(item: T): boolean;
  /** Stops sending; returns the items that were still waiting. Replies of sent ones still arrive. */
  cancel(): T[];
  /** true when every item was sent and answered, false when cancelled. */
  readonly finished: Promise<boolean>;
}

export function runBulk<T>(
  items: readonly T[],
  check: (item: T) => Promise<unknown>,
  inFlight: number,
): BulkRun<T> {
  const queue = [...items];
  let active = 0;
  let stopped = false;
  let settle: (complete: boolean) => void = () => {};
  const finished = new Promise<boolean>((resolve) => {
    settle = resolve;
  });

  const pump = (): void => {
    if (stopped) return;
    while (active < inFlight && queue.length > 0) {
      const item = queue.shift() as T;
      active += 1;
      void Promise.resolve()
        .then(() => check(item))
        .catch(() => {})
        .then(() => {
          active -= 1;
          pump();
        });
    }
    if (active === 0 && queue.length === 0) {
      stopped = true;
      settle(true);
    }
  };
  pump();

  return {
    take(item) {
      const at = queue.indexOf(item);
      if (stopped || at < 0) return false;
      queue.splice(at, 1);
      // The last waiting item may have been taken while nothing travels.
      pump();
      return true;
    },
    cancel() {
      if (stopped) return [];
      stopped = true;
      settle(false);
      return queue.splice(0);
    },
    finished,
  };
}
