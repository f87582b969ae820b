/**
 * Unexpected exceptions caught at a dialect's boundary (answered as the provider's internal error).
 * Empty unless there is a bug. Bounded: the last `capacity` errors are kept; `count` counts them all.
 */
export type InternalErrorHook = (error: unknown) => void;

export class InternalErrorLog {
  readonly #recent: unknown[] = [];
  readonly #hooks: InternalErrorHook[] = [];
  #count = 0;

  constructor(readonly capacity = 100) {}

  /** How many internal errors there have been (never decreases). */
  get count(): number {
    return this.#count;
  }

  /** The latest internal error, or undefined when there has been none. */
  get last(): unknown {
    return this.#recent.at(-1);
  }

  /** The last `capacity` internal errors, oldest first (a copy). */
  recent(): unknown[] {
    return this.#recent.slice();
  }

  /** Calls `hook` with every internal error from now on; returns a function that stops it. A hook that throws is ignored. */
  onError(hook: InternalErrorHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  /** Logs one unexpected exception and hands it to the hooks. */
  record(error: unknown): void {
    this.#count++;
    this.#recent.push(error);
    if (this.#recent.length > this.capacity) this.#recent.shift();
    for (const hook of this.#hooks.slice()) {
      try {
        hook(error);
      } catch {
        // a listener's failure must not change the answer to the request
      }
    }
  }
}
