import { AwsDialect } from './dialects/aws/dialect.js';
import type { AwsKeyStoreOptions } from './dialects/aws/custom-key-stores.js';
import type { AuthorizationMode } from './dialects/aws/authorization.js';
import { TencentDialect } from './dialects/tencent/dialect.js';
import { DEFAULT_HUAWEI_DOMAIN_ID, DEFAULT_HUAWEI_PROJECT_ID, DEFAULT_HUAWEI_REGION, HuaweiDialect } from './dialects/huawei/dialect.js';
import type { RegionFlavour } from './dialects/tencent/metadata.js';
import { type Clock, ManualClock, systemClock } from './engine/clock.js';
import { Engine, type EngineOptions } from './engine/engine.js';
import type { CryptoCacheOptions } from './crypto/caches.js';
import type { EngineSnapshot } from './engine/snapshot.js';
import { applyInitSync } from './init/apply.js';
import { type FaultInjector, faultsOf } from './faults.js';
import type { InitDocument } from './init/schema.js';

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
  /** Bytes of audit events retained (oldest dropped first; each event's size counted when it is recorded). Default 32 MiB. */
  auditBytes?: number;
  /**
   * Capacities of the engine's cryptographic caches (envelope headers, AES/SM4 key states, parsed
   * keys; docs/cryptography.md). Each engine has its own; the least recently used entries go first.
   * `platformSigning` hands the engine a faster ECDSA signer than WebCrypto (the server passes node:crypto's).
   */
  caches?: CryptoCacheOptions;
  /**
   * The Tencent dialect: the owner UIN (default 100000000001), the default region (ap-guangzhou),
   * region flavours, and the CMKs an account may hold in a region (`cmkLimit`, default 200).
   */
  tencent?: { uin?: string; region?: string; flavours?: Readonly<Record<string, RegionFlavour>>; cmkLimit?: number };
  /**
   * The AWS dialect's custom key stores (docs/key-stores.md): emulated CloudHSM clusters (none
   * declared: any well-formed cluster id is an active cluster), the `fetch` external key stores
   * reach their XKS proxies with, and how long connecting takes on the emulator's clock.
   */
  aws?: AwsKeyStoreOptions;
  /** The Huawei dialect: the domain id (32 hex), the default project and its region (cn-north-4), other projects' regions. */
  huawei?: { domainId?: string; projectId?: string; region?: string; projects?: Record<string, string> };
  /**
   * Keys declared up front (the init document of docs/ci.md, already parsed): ids, material, aliases,
   * tags, policy, rotation, state. Symmetric, HMAC and pending-import keys only, since createKms is
   * synchronous; keys with key pairs take `await applyInit(kms, init)`. A bad document throws InitError.
   */
  init?: InitDocument;
  /**
   * The AWS dialect's authorization mode (docs/authorization.md): 'off' (the default: key policies
   * stored, not evaluated), 'enforce' (key policies, identity policies and grants decide, as AWS
   * KMS decides) or 'audit' (every call is judged and the decision recorded in its CloudTrail
   * record, but nothing is refused).
   */
  authorization?: AuthorizationMode;
}

export interface Kms<C extends Clock = Clock> {
  readonly engine: Engine;
  readonly clock: C;
  /** The AWS KMS dialect: `send`, `clientConfig()` for @aws-sdk/client-kms, `cloudTrail()`. */
  readonly aws: AwsDialect;
  /** The Tencent Cloud KMS dialect: `call`, `handle`, `auditEvents()` (CloudAudit), `lookUpEvents`. */
  readonly tencent: TencentDialect;
  /** The Huawei Cloud KMS dialect: `call`, `handle`, `traces()` (CTS). */
  readonly huawei: HuaweiDialect;
  /** The whole state as a versioned JSON document (it holds key material: treat it as a secret). */
  snapshot(): EngineSnapshot;
  /** Replaces the whole state with a snapshot's (object or JSON text). */
  restore(snapshot: unknown): void;
  /** Injected faults: `kms.faults.add({ provider: 'aws', operation: 'Encrypt', count: 2, error: 'throttling' })` (docs/ci.md). */
  readonly faults: FaultInjector;
}

export const DEFAULT_ACCOUNT = '111122223333';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_TENCENT_UIN = '100000000001';
export const DEFAULT_TENCENT_REGION = 'ap-guangzhou';

/** The engine and clock of an emulator, before any dialect is put on it. */
function core<C extends Clock>(options: CreateKmsOptions<C>): Pick<Kms<C>, 'engine' | 'clock' | 'snapshot' | 'restore' | 'faults'> {
  const clock = (options.clock ?? systemClock) as C;
  const engineOptions: EngineOptions = { clock };
  if (options.seed !== undefined) engineOptions.seed = options.seed;
  if (options.auditLimit !== undefined) engineOptions.auditLimit = options.auditLimit;
  if (options.auditBytes !== undefined) engineOptions.auditBytes = options.auditBytes;
  if (options.caches !== undefined) engineOptions.caches = options.caches;
  const engine = new Engine(engineOptions);
  return { engine, clock, snapshot: () => engine.snapshot(), restore: (snapshot) => engine.restore(snapshot), faults: faultsOf(engine) };
}

function awsDialect(engine: Engine, options: CreateKmsOptions): AwsDialect {
  return new AwsDialect(engine, {
    account: options.account ?? DEFAULT_ACCOUNT,
    region: options.region ?? DEFAULT_REGION,
    ...(options.aws ? { keyStores: options.aws } : {}),
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
  });
}

function tencentDialect(engine: Engine, options: CreateKmsOptions): TencentDialect {
  return new TencentDialect(engine, {
    uin: options.tencent?.uin ?? DEFAULT_TENCENT_UIN,
    region: options.tencent?.region ?? DEFAULT_TENCENT_REGION,
    ...(options.tencent?.flavours ? { flavours: options.tencent.flavours } : {}),
    ...(options.tencent?.cmkLimit !== undefined ? { cmkLimit: options.tencent.cmkLimit } : {}),
  });
}

function huaweiDialect(engine: Engine, options: CreateKmsOptions): HuaweiDialect {
  return new HuaweiDialect(engine, {
    domainId: options.huawei?.domainId ?? DEFAULT_HUAWEI_DOMAIN_ID,
    projectId: options.huawei?.projectId ?? DEFAULT_HUAWEI_PROJECT_ID,
    region: options.huawei?.region ?? DEFAULT_HUAWEI_REGION,
    projects: { ...options.huawei?.projects },
  });
}

/** Creates an emulator: one engine, presented through each provider's dialect. */
export function createKms<C extends Clock = Clock>(options: CreateKmsOptions<C> = {}): Kms<C> {
  const kms = core(options);
  const full = { ...kms, aws: awsDialect(kms.engine, options), tencent: tencentDialect(kms.engine, options), huawei: huaweiDialect(kms.engine, options) };
  if (options.init !== undefined) applyInitSync(full, options.init);
  return full;
}

/**
 * One dialect only. Same engine and options as `createKms` (except `init`: declared keys take
 * `await applyInit(kms, init)`, which brings every provider's names along); a browser bundle that
 * imports only this function leaves the other providers' dialects (their models, operations and
 * audit formats) out.
 */
export function createAwsKms<C extends Clock = Clock>(options: OneDialectOptions<C> = {}): Omit<Kms<C>, 'tencent' | 'huawei'> {
  const kms = core(options);
  return { ...kms, aws: awsDialect(kms.engine, options) };
}

/** Tencent Cloud KMS only (see `createAwsKms`). */
export function createTencentKms<C extends Clock = Clock>(options: OneDialectOptions<C> = {}): Omit<Kms<C>, 'aws' | 'huawei'> {
  const kms = core(options);
  return { ...kms, tencent: tencentDialect(kms.engine, options) };
}

/** Huawei Cloud KMS only (see `createAwsKms`). */
export function createHuaweiKms<C extends Clock = Clock>(options: OneDialectOptions<C> = {}): Omit<Kms<C>, 'aws' | 'tencent'> {
  const kms = core(options);
  return { ...kms, huawei: huaweiDialect(kms.engine, options) };
}

/** The options of the one-dialect factories: `createKms`'s without `init`. */
export type OneDialectOptions<C extends Clock = Clock> = Omit<CreateKmsOptions<C>, 'init'>;

export { ManualClock, systemClock };
export { applyInit, type InitTarget } from './init/apply.js';
export { type InitDocument, InitError, type InitKeyDeclaration, parseInit } from './init/schema.js';
export { type Fault, FAULT_KINDS, type FaultKind, FaultInjector, type FaultSpec, FaultSpecError } from './faults.js';
export * from './engine/index.js';
export * from './dialects/aws/index.js';
export * from './dialects/tencent/index.js';
export * from './dialects/huawei/index.js';
export { InternalErrorLog, type InternalErrorHook } from './dialects/internal-errors.js';
export type { AwsKeyStoreOptions, CloudHsmClusterDeclaration } from './dialects/aws/custom-key-stores.js';
export * as bytes from './crypto/bytes.js';
