/**
 * Fault injection: the next N calls (or a share of calls) of a provider, an operation or a key fail
 * with that provider's own throttling, internal, dependency-timeout or key-unavailable error, or
 * answer after a delay, so that SDK retry logic really runs. Browser-safe.
 *
 *   kms.faults.add({ provider: 'aws', operation: 'Encrypt', count: 2, error: 'throttling' });
 *   kms.faults.add({ provider: 'huawei', rate: 0.1, error: 'internal' });   // one call in ten
 *   kms.faults.add({ provider: 'tencent', keyId, delayMs: 500 });            // slow, not failing
 *
 * Each dialect asks `takeFault` at the top of its `invoke` (one line); the error it throws there
 * is audited exactly as the real error would be. The provider's words live beside each dialect
 * (src/dialects/<provider>/faults.ts).
 */
import * as z from 'zod/mini';
import { lazy } from './engine/schema.js';
import type { Engine } from './engine/engine.js';

export const FAULT_KINDS = ['throttling', 'internal', 'dependency-timeout', 'key-unavailable'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultProvider = 'aws' | 'tencent' | 'huawei';

/** Built on first use (the first fault added): a program that adds none does not pay for it at import. */
const specSchema = lazy(() =>
  z
    .strictObject({
      /** Which provider's calls; all three when absent. */
      provider: z.optional(z.enum(['aws', 'tencent', 'huawei'])),
      /** The provider's own operation name: AWS `Encrypt`, Tencent `Encrypt`, Huawei `encrypt-data`. */
      operation: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
      /** Calls that name this key (its id, an ARN ending in it, or an alias name as the request gives it). */
      keyId: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
      /** The next `count` matching calls; without `count` or `rate`, every matching call until removed. */
      count: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1_000_000))),
      /** This share of matching calls (0 < rate ≤ 1), drawn from the engine's random source (seeded when it is). */
      rate: z.optional(z.number().check(z.gt(0), z.lte(1))),
      error: z.optional(z.enum(FAULT_KINDS)),
      /** Answer after this many milliseconds (before the error, if any). */
      delayMs: z.optional(z.number().check(z.int(), z.gte(0), z.lte(120_000))),
    })
    .check(
      z.refine((s) => s.error !== undefined || s.delayMs !== undefined, { message: 'a fault needs an "error" or a "delayMs"', path: ['error'] }),
      z.refine((s) => s.count === undefined || s.rate === undefined, { message: 'give "count" or "rate", not both', path: ['rate'] }),
    ),
);

export type FaultSpec = z.input<typeof specSchema>;

export interface Fault extends Readonly<z.output<typeof specSchema>> {
  readonly id: string;
  /** Calls still to fail (with `count`). */
  readonly remaining?: number;
  /** How many calls this fault has hit so far. */
  readonly injected: number;
}

/** What a dialect does to the call: wait, then fail with its provider's form of `error`. */
export interface InjectedFault {
  readonly error?: FaultKind;
  readonly delayMs?: number;
}

/** A refused fault spec: nothing was added. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

interface Entry {
  id: string;
  spec: z.output<typeof specSchema>;
  remaining: number | undefined;
  injected: number;
}

/** The faults of one emulator. */
export class FaultInjector {
  readonly #entries: Entry[] = [];
  #next = 1;

  constructor(readonly engine: Engine) {}

  /** Adds a fault; throws FaultSpecError (and adds nothing) for a bad spec. */
  add(spec: FaultSpec): Fault {
    const result = specSchema.safeParse(spec);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      const reason = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      throw new FaultSpecError(`Invalid fault: ${where}${reason}`);
    }
    const entry: Entry = { id: `fault-${this.#next++}`, spec: result.data, remaining: result.data.count, injected: 0 };
    this.#entries.push(entry);
    return view(entry);
  }

  list(): Fault[] {
    return this.#entries.map(view);
  }

  /** Removes one fault; false when there is no such fault. */
  remove(id: string): boolean {
    const index = this.#entries.findIndex((e) => e.id === id);
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  /** Removes every fault; returns how many there were. */
  clear(): number {
    return this.#entries.splice(0).length;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The fault for this call, if one applies (the first that matches); a counted fault is used up. */
  take(call: { provider: FaultProvider; operation: string; keyId?: string | undefined }): InjectedFault | undefined {
    for (let i = 0; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      const s = entry.spec;
      if (s.provider !== undefined && s.provider !== call.provider) continue;
      if (s.operation !== undefined && s.operation !== call.operation) continue;
      if (s.keyId !== undefined && !namesKey(call.keyId, s.keyId)) continue;
      if (s.rate !== undefined && s.rate < 1 && this.#draw() >= s.rate) continue;
      entry.injected++;
      if (entry.remaining !== undefined && --entry.remaining === 0) this.#entries.splice(i, 1);
      return { ...(s.error !== undefined ? { error: s.error } : {}), ...(s.delayMs !== undefined ? { delayMs: s.delayMs } : {}) };
    }
    return undefined;
  }

  /** A uniform number in [0, 1) from the engine's random source. */
  #draw(): number {
    const b = this.engine.generateRandom(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
  }
}

function view(entry: Entry): Fault {
  return { id: entry.id, ...entry.spec, ...(entry.remaining !== undefined ? { remaining: entry.remaining } : {}), injected: entry.injected };
}

function namesKey(ref: string | undefined, keyId: string): boolean {
  return ref !== undefined && (ref === keyId || ref.endsWith(`/${keyId}`) || ref.endsWith(`:${keyId}`));
}

const injectors = new WeakMap<Engine, FaultInjector>();

/** The fault injector of an engine (made on first use). */
export function faultsOf(engine: Engine): FaultInjector {
  let injector = injectors.get(engine);
  if (!injector) injectors.set(engine, (injector = new FaultInjector(engine)));
  return injector;
}

/** Whether any fault is set on the engine: the dialects' fast path (no await when none). */
export function hasFaults(engine: Engine): boolean {
  const injector = injectors.get(engine);
  return injector !== undefined && injector.size > 0;
}

/** Waits out a fault's delay; returns its error kind, if any. */
export async function sufferFault(fault: InjectedFault): Promise<FaultKind | undefined> {
  if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  return fault.error;
}
