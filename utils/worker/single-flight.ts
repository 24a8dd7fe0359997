// Identical work asked by several callers runs once. Each caller may give up on its own (its
// AbortSignal); the shared work is aborted only when every caller has given up.

interface Flight<T> {
  promise: Promise<T>;
  callers: number;
  controller: AbortController;
}

export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Joins the work running under `key`, or starts it with `start`. */
  run(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const promise = start(controller.signal).finally(() => this.flights.delete(key));
      promise.catch(() => {}); // Callers get the rejection; the shared promise is never left unhandled.
      flight = { promise, callers: 0, controller };
      this.flights.set(key, flight);
    }
    return this.follow(flight, signal);
  }

  has(key: string): boolean {
    return this.flights.has(key);
  }

  private follow(flight: Flight<T>, signal?: AbortSignal): Promise<T> {
    flight.callers += 1;
    if (!signal) return flight.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        flight.callers -= 1;
        if (flight.callers === 0) flight.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
