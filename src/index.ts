import { AwsDialect } from './dialects/aws/dialect.js';
import { type Clock, ManualClock, systemClock } from './engine/clock.js';
import { Engine, type EngineOptions } from './engine/engine.js';
import type { EngineSnapshot } from './engine/snapshot.js';

export interface CreateKmsOptions<C extends Clock = Clock> {
  /** Where dates come from; pass a `ManualClock` to move time by hand. Default: the system clock. */
  clock?: C;
  /** Same seed and same calls: byte-identical ids, key material and ciphertexts. */
  seed?: string;
  /** The account that owns keys created through the dialects. Default 111122223333. */
  account?: string;
  /** The default region. Default us-east-1. */
  region?: string;
  /** Audit events retained (oldest dropped first). Default 100,000. */
  auditLimit?: number;
}

export interface Kms<C extends Clock = Clock> {
  readonly engine: Engine;
  readonly clock: C;
  /** The AWS KMS dialect: `send`, `clientConfig()` for @aws-sdk/client-kms, `cloudTrail()`. */
  readonly aws: AwsDialect;
  /** The whole state as a versioned JSON document (it holds key material: treat it as a secret). */
  snapshot(): EngineSnapshot;
  /** Replaces the whole state with a snapshot's (object or JSON text). */
  restore(snapshot: unknown): void;
}

export const DEFAULT_ACCOUNT = '111122223333';
export const DEFAULT_REGION = 'us-east-1';

/** Creates an emulator: one engine, presented through each provider's dialect. */
export function createKms<C extends Clock = Clock>(options: CreateKmsOptions<C> = {}): Kms<C> {
  const clock = (options.clock ?? systemClock) as C;
  const engineOptions: EngineOptions = { clock };
  if (options.seed !== undefined) engineOptions.seed = options.seed;
  if (options.auditLimit !== undefined) engineOptions.auditLimit = options.auditLimit;
  const engine = new Engine(engineOptions);
  const aws = new AwsDialect(engine, { account: options.account ?? DEFAULT_ACCOUNT, region: options.region ?? DEFAULT_REGION });
  return {
    engine,
    clock,
    aws,
    snapshot: () => engine.snapshot(),
    restore: (snapshot) => engine.restore(snapshot),
  };
}

export { ManualClock, systemClock };
export * from './engine/index.js';
export * from './dialects/aws/index.js';
export * as bytes from './crypto/bytes.js';
