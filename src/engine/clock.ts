/** Where every date in the engine comes from. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Listeners are told when a manual clock moves, so due work happens as time passes. */
export interface ObservableClock extends Clock {
  onAdvance(listener: (now: number) => void): () => void;
}

export const systemClock: Clock = { now: () => Date.now() };

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses durations such as '31d', '12h', '90m', '1d12h' or a number of milliseconds. */
export function parseDuration(duration: string | number): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`Invalid duration: ${duration}`);
    return duration;
  }
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  const text = duration.trim();
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length) throw new RangeError(`Invalid duration: '${duration}' (use e.g. '31d', '12h', '1d12h')`);
  return total;
}

/** A clock that moves only when told to: `advance('31d')`, `set(date)`. */
export class ManualClock implements ObservableClock {
  #now: number;
  readonly #listeners = new Set<(now: number) => void>();

  constructor(start: string | number | Date = Date.now()) {
    const ms = start instanceof Date ? start.getTime() : typeof start === 'string' ? Date.parse(start) : start;
    if (!Number.isFinite(ms)) throw new RangeError(`Invalid start time: ${String(start)}`);
    this.#now = ms;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward and lets due work (deletions, rotations) happen. */
  advance(duration: string | number): number {
    this.#now += parseDuration(duration);
    for (const listener of this.#listeners) listener(this.#now);
    return this.#now;
  }

  /** Sets the time; it never goes backwards. */
  set(time: string | number | Date): number {
    const ms = time instanceof Date ? time.getTime() : typeof time === 'string' ? Date.parse(time) : time;
    if (!Number.isFinite(ms)) throw new RangeError(`Invalid time: ${String(time)}`);
    if (ms < this.#now) throw new RangeError('A manual clock does not go backwards');
    return this.advance(ms - this.#now);
  }

  onAdvance(listener: (now: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function isObservableClock(clock: Clock): clock is ObservableClock {
  return typeof (clock as Partial<ObservableClock>).onAdvance === 'function';
}

export const DAY_MS = 86_400_000;
