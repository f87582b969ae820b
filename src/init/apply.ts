/**
 * Declared keys made real: each key of an init document is created through the engine's public
 * operations (with its chosen id and material), then given its aliases, rotation and state. Nothing
 * is audited: the keys are there before the first call, as if made long ago.
 *
 * `applyInitSync` serves `createKms({ init })`, which is synchronous: it makes every key whose
 * material is at hand at once (symmetric, HMAC, keys awaiting import). Keys that need a key pair
 * generated or parsed take `await applyInit(kms, init)`, which makes every kind.
 */
import { fromBase64 } from '../crypto/bytes.js';
import type { AwsDialect } from '../dialects/aws/dialect.js';
import type { HuaweiDialect } from '../dialects/huawei/dialect.js';
import type { TencentDialect } from '../dialects/tencent/dialect.js';
import { partitionOf } from '../dialects/aws/arn.js';
import { defaultKeyPolicy, KEY_SPEC_FROM_AWS } from '../dialects/aws/metadata.js';
import { KEY_SPEC_FROM_HUAWEI } from '../dialects/huawei/metadata.js';
import { engineSpec, KEY_USAGES, usageOffered } from '../dialects/tencent/metadata.js';
import type { CreateKeyInput, Engine } from '../engine/engine.js';
import { KmsError } from '../engine/errors.js';
import { isAsymmetricSpec, isHmacSpec } from '../engine/specs.js';
import type { CallContext, KeyInfo, KeyUsage, Realm } from '../engine/types.js';
import { type AwsInitKey, type HuaweiInitKey, type InitKey, InitError, parseInit, type TencentInitKey } from './schema.js';

/** What an init document is applied to: the engine and the dialects that name realms. */
export interface InitTarget {
  readonly engine: Engine;
  readonly aws?: AwsDialect;
  readonly tencent?: TencentDialect;
  readonly huawei?: HuaweiDialect;
}

/** One key, ready for the engine: where it lives, how to create it, what follows. */
interface PlannedKey {
  path: Array<string | number>;
  ctx: CallContext;
  input: CreateKeyInput;
  aliases: string[];
  /** 'aliases' (AWS: a list) or 'alias' (Tencent and Huawei: one). */
  aliasField: 'aliases' | 'alias';
  rotationDays: number | undefined;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  pendingWindowDays: number;
}

const DEFAULT_PENDING_DAYS = { aws: 30, tencent: 7, huawei: 7 } as const;

/** Creates the declared keys (any kind; asymmetric key pairs are generated or parsed). Throws InitError. */
export async function applyInit(target: InitTarget, document: unknown): Promise<void> {
  const keys = plan(target, document);
  const before = target.engine.snapshot();
  try {
    for (const key of keys) {
      let info: KeyInfo;
      try {
        info = await target.engine.createKeyAsync(key.ctx, key.input);
      } catch (e) {
        throw located(key.path, e, key.input.material !== undefined ? 'material' : undefined);
      }
      finish(target.engine, key, info);
    }
  } catch (e) {
    // All or nothing: the keys made before the refused one go too.
    target.engine.restore(before, { intact: true });
    throw e;
  }
}

/** Creates the declared keys synchronously; a key that needs a key pair is refused (use applyInit). */
export function applyInitSync(target: InitTarget, document: unknown): void {
  const keys = plan(target, document);
  for (const key of keys) {
    if (isAsymmetricSpec(key.input.spec) && (key.input.origin === 'GENERATED' || key.input.material !== undefined)) {
      throw new InitError(key.path, `an asymmetric key (${key.input.spec}) is made asynchronously: use 'await applyInit(kms, init)' instead of createKms({ init })`);
    }
  }
  const before = target.engine.snapshot();
  try {
    for (const key of keys) {
      let info: KeyInfo;
      try {
        info = target.engine.createKey(key.ctx, key.input);
      } catch (e) {
        throw located(key.path, e, key.input.material !== undefined ? 'material' : undefined);
      }
      finish(target.engine, key, info);
    }
  } catch (e) {
    target.engine.restore(before, { intact: true });
    throw e;
  }
}

/** Aliases, rotation and state, through the engine's operations. */
function finish(engine: Engine, key: PlannedKey, info: KeyInfo): void {
  const ref = { keyId: info.id };
  key.aliases.forEach((alias, i) => {
    try {
      engine.createAlias(key.ctx, alias, ref);
    } catch (e) {
      throw located(key.aliasField === 'aliases' ? [...key.path, 'aliases', i] : [...key.path, 'alias'], e);
    }
  });
  try {
    if (key.rotationDays !== undefined) engine.enableRotation(key.ctx, ref, key.rotationDays);
  } catch (e) {
    throw located([...key.path, 'rotation'], e);
  }
  try {
    if (key.state === 'Disabled') engine.disableKey(key.ctx, ref);
    else if (key.state === 'PendingDeletion') engine.scheduleDeletion(key.ctx, ref, key.pendingWindowDays);
  } catch (e) {
    throw located([...key.path, 'state'], e);
  }
}

function located(path: Array<string | number>, e: unknown, field?: string): InitError {
  if (e instanceof InitError) return e;
  if (e instanceof KmsError) {
    const where = field && (e.details as { reason?: string } | undefined)?.reason === 'key-material-size' ? [...path, field] : path;
    return new InitError(where, e.message);
  }
  throw e;
}

/** Checks the whole document and turns each key into engine terms; throws InitError before anything is made. */
function plan(target: InitTarget, document: unknown): PlannedKey[] {
  const init = parseInit(document);
  const keys = init.keys ?? [];
  const planned: PlannedKey[] = [];
  const ids = new Map<string, number>();
  keys.forEach((key, i) => {
    const path = ['keys', i];
    const p = key.provider === 'aws' ? planAws(target, key, path) : key.provider === 'tencent' ? planTencent(target, key, path) : planHuawei(target, key, path);
    if (key.id !== undefined) {
      const where = `${p.ctx.realm.account}/${p.ctx.realm.region}/${key.id}`;
      if (ids.has(where)) throw new InitError([...path, 'id'], `key id ${key.id} is declared twice (also keys[${ids.get(where)}])`);
      ids.set(where, i);
    }
    planned.push(p);
  });
  return planned;
}

function context(realm: Realm): CallContext {
  return { realm, principal: { account: realm.account, type: 'root', id: realm.account }, requestId: 'init' };
}

function common(key: InitKey, path: Array<string | number>, spec: CreateKeyInput['spec'], usage: KeyUsage, origin: CreateKeyInput['origin'], realm: Realm) {
  const material = key.material !== undefined ? fromBase64(key.material)! : undefined;
  const rotation = key.rotation;
  const enabled = rotation === true || (typeof rotation === 'object' && rotation.enabled !== false);
  const input: CreateKeyInput = {
    spec,
    usage,
    origin,
    description: key.description ?? '',
    tags: Object.entries(key.tags ?? {}),
    ...(key.id !== undefined ? { id: key.id } : {}),
    ...(material !== undefined ? { material } : {}),
  };
  return {
    path,
    ctx: context(realm),
    input,
    rotationDays: enabled ? (typeof rotation === 'object' ? rotation.periodDays : undefined) ?? 365 : undefined,
    state: key.state ?? 'Enabled',
    pendingWindowDays: key.pendingWindowDays ?? DEFAULT_PENDING_DAYS[key.provider],
  };
}

function requireDialect<T>(dialect: T | undefined, provider: string, path: Array<string | number>): T {
  if (!dialect) throw new InitError([...path, 'provider'], `this emulator has no ${provider} dialect`);
  return dialect;
}

function defaultUsage(spec: CreateKeyInput['spec'], path: Array<string | number>): KeyUsage {
  if (isHmacSpec(spec)) return 'GENERATE_VERIFY_MAC';
  if (!isAsymmetricSpec(spec)) return 'ENCRYPT_DECRYPT';
  throw new InitError([...path, 'usage'], `a ${spec} key needs a usage`);
}

function planAws(target: InitTarget, key: AwsInitKey, path: Array<string | number>): PlannedKey {
  const aws = requireDialect(target.aws, 'AWS', path);
  const realm = { account: key.account ?? aws.options.account, region: key.region ?? aws.options.region };
  const awsSpec = key.spec ?? 'SYMMETRIC_DEFAULT';
  const spec = awsSpec === 'SYMMETRIC_DEFAULT' && partitionOf(realm.region) === 'aws-cn' ? 'SM4' : KEY_SPEC_FROM_AWS[awsSpec]!;
  if (spec === 'SM2' && partitionOf(realm.region) !== 'aws-cn') throw new InitError([...path, 'spec'], 'SM2 keys exist only in the China Regions (cn-north-1, cn-northwest-1)');
  const usage = key.usage ?? defaultUsage(spec, path);
  const policy = key.policy === undefined ? defaultKeyPolicy(realm.account, partitionOf(realm.region)) : typeof key.policy === 'string' ? key.policy : JSON.stringify(key.policy);
  if (typeof key.policy === 'string') {
    try {
      JSON.parse(key.policy);
    } catch {
      throw new InitError([...path, 'policy'], 'the policy is not JSON');
    }
  }
  const planned = common(key, path, spec, usage, key.origin === 'EXTERNAL' ? 'EXTERNAL' : 'GENERATED', realm);
  planned.input.policies = [['default', policy]];
  if (key.id?.startsWith('mrk-')) planned.input.multiRegion = true;
  return { ...planned, aliases: key.aliases ?? [], aliasField: 'aliases' };
}

function planTencent(target: InitTarget, key: TencentInitKey, path: Array<string | number>): PlannedKey {
  const tencent = requireDialect(target.tencent, 'Tencent', path);
  const realm = { account: key.uin ?? tencent.options.uin, region: key.region ?? tencent.options.region };
  const usageName = key.usage ?? 'ENCRYPT_DECRYPT';
  const flavour = tencent.flavour(realm.region);
  if (!usageOffered(usageName, flavour)) throw new InitError([...path, 'usage'], `KeyUsage ${usageName} is not offered in region ${realm.region}`);
  const profile = KEY_USAGES[usageName]!;
  if (key.origin === 'EXTERNAL' && usageName !== 'ENCRYPT_DECRYPT') throw new InitError([...path, 'origin'], 'EXTERNAL keys must have KeyUsage ENCRYPT_DECRYPT');
  const planned = common(key, path, engineSpec(profile, flavour), profile.usage, key.origin === 'EXTERNAL' ? 'EXTERNAL' : 'GENERATED', realm);
  return { ...planned, aliases: [key.alias], aliasField: 'alias' };
}

function planHuawei(target: InitTarget, key: HuaweiInitKey, path: Array<string | number>): PlannedKey {
  const huawei = requireDialect(target.huawei, 'Huawei', path);
  const realm = { account: key.domain ?? huawei.options.domainId, region: huawei.regionOf(key.project ?? huawei.options.projectId) };
  const spec = KEY_SPEC_FROM_HUAWEI[key.spec ?? 'AES_256']!;
  const usage = key.usage ?? defaultUsage(spec, path);
  const planned = common(key, path, spec, usage, key.origin === 'external' ? 'EXTERNAL' : 'GENERATED', realm);
  return { ...planned, aliases: [key.alias], aliasField: 'alias' };
}
