/**
 * Property-based fuzzing of the AWS dialect: every implemented operation (HANDLERS), driven through
 * `kms.aws.invoke` and through the HTTP entry `kms.aws.handle`, with inputs generated from the
 * Smithy model's shapes.
 *
 * Properties checked after every call:
 *   - the outcome is a success whose output fits the operation's output shape, or an
 *     AwsServiceError whose code is a modelled error of that operation or one of the common
 *     AWS errors (never KMSInternalException), and `kms.aws.internalErrors` stays empty;
 *   - a failed call changes nothing (snapshot realms before and after, audit ignored);
 *   - a fresh ciphertext decrypts back to its plaintext.
 * And after every sequence of calls: aliases point at existing keys, each key's current material
 * is among its materials, keys pending deletion have a deletion date, ListKeys pages through
 * exactly the keys that DescribeKey finds (and ListAliases through exactly the aliases, ListGrants
 * through exactly each key's grants, whose tokens name them).
 *
 * The world holds grants (with tokens and a retiring principal) and EXTERNAL keys with import
 * parameters and key material wrapped to them, so grant and import operations reach deep code.
 *
 * Longer runs: FUZZ_RUNS=2000 npm run fuzz   (FUZZ_SEED=<n> to replay a printed seed)
 */
import { constants, createHash, createPublicKey, publicEncrypt, type KeyObject } from 'node:crypto';
import { aeskwp } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/crypto/envelope.js';
import {
  AWS_JSON_CONTENT_TYPE,
  AwsServiceError,
  createKms,
  ManualClock,
  parseAuthorization,
  type AwsCallMeta,
  type AwsOutcome,
  type Kms,
} from '../../src/index.js';
import { OPERATIONS, SHAPES, type ShapeModel } from '../../src/dialects/aws/model.generated.js';
import { HANDLERS } from '../../src/dialects/aws/operations.js';
import { TRUST_ANCHOR_A } from '../support/trust-anchors.js';

// ------------------------------------------------------------------ configuration

const DEFAULT_RUNS = 300;
const envRuns = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
/** Runs of the main (sequence) property; the other properties scale from it. */
const RUNS = Number.isFinite(envRuns) && envRuns > 0 ? envRuns : DEFAULT_RUNS;
const envSeed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
const SEED = Number.isFinite(envSeed) ? envSeed : 0x6b6d73;
/** Generous per-test time limit when FUZZ_RUNS asks for a long run. */
const TIMEOUT = Math.max(60_000, RUNS * 1_000);

const START = '2026-01-01T00:00:00Z';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const OTHER_REGION = 'us-west-2';

const OPS = Object.keys(HANDLERS);

/** Common AWS errors any operation may answer, besides the ones its model lists. */
const COMMON_ERRORS = [
  'ValidationException',
  'SerializationException',
  'UnknownOperationException',
  'AccessDeniedException',
  'NotAuthorizedException',
  'UnsupportedOperationException',
  'DryRunOperationException',
  'LimitExceededException',
  'ConflictException',
  'TagException',
  'CustomKeyStoreNotFoundException',
  'InvalidArnException',
  'InvalidMarkerException',
  'MalformedPolicyDocumentException',
  'InvalidAliasNameException',
  'AlreadyExistsException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
];

function allowedErrors(operation: string | undefined): Set<string> {
  const modelled = operation && HANDLERS[operation] ? (OPERATIONS[operation]?.errors ?? []) : [];
  const all = new Set([...modelled, ...COMMON_ERRORS]);
  all.delete('KMSInternalException');
  return all;
}
const ALLOWED = new Map(OPS.map((op) => [op, allowedErrors(op)]));
const ALLOWED_UNKNOWN = allowedErrors(undefined);

// ------------------------------------------------------------------ symbolic references

/**
 * Generated inputs hold tokens for things that exist only at run time (key ids, ciphertexts,
 * markers); they are resolved against the live emulator just before the call.
 */
const KEY_FORMS = [
  'id',
  'local',
  'arn',
  'alias',
  'aliasArn',
  'arnOtherRegion',
  'arnOtherAccount',
  'arnOtherPartition',
  'upperCase',
  'truncated',
  'unknownUuid',
  'mrk',
  'badArn',
] as const;
type KeyForm = (typeof KEY_FORMS)[number];

class KeyToken {
  constructor(
    readonly index: number,
    readonly form: KeyForm,
  ) {}
}
/** The key that encrypted the ciphertext chosen for the same input (resolved late). */
class CiphertextKeyToken {
  constructor(readonly form: 'id' | 'arn') {}
}
/** The encryption context the chosen ciphertext was made with (resolved late). */
class CiphertextContextToken {}
/** Something the world made for the asymmetric, HMAC and ML-KEM operations (resolved early). */
class WorldToken {
  constructor(readonly name: keyof Special) {}
}
/** A part of a grant the world knows (resolved early; a grant id or token also picks the grant for the input). */
class GrantRefToken {
  constructor(
    readonly index: number,
    readonly part: 'grantId' | 'token' | 'grantee' | 'retiring',
  ) {}
}
/** The key of the grant the input picked, else of grant `index` (resolved late). */
class GrantKeyToken {
  constructor(
    readonly index: number,
    readonly form: 'id' | 'arn',
  ) {}
}
/** The import token of a set of import parameters the world knows; picks the set for the input (resolved early). */
class ImportTokenToken {
  constructor(readonly index: number) {}
}
/** The key of the import parameters the input picked, else of set `index` (resolved late). */
class ImportKeyToken {
  constructor(
    readonly index: number,
    readonly form: 'id' | 'arn',
  ) {}
}
/** Key material wrapped to the picked import parameters: the key's own material, or other material (resolved late). */
class WrappedMaterialToken {
  constructor(
    readonly index: number,
    readonly which: 'wrapped' | 'other',
  ) {}
}
/** The current material id of the picked import key, when the run knows it (resolved late). */
class MaterialIdToken {
  constructor(readonly index: number) {}
}
/** Epoch seconds `days` after the world's now (resolved early). */
class ValidToToken {
  constructor(readonly days: number) {}
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'reheader'; field: 'keyId' | 'region' | 'account' | 'material'; index: number };

class CiphertextToken {
  constructor(
    readonly index: number,
    readonly mutation: Mutation,
  ) {}
}
class AliasToken {
  constructor(
    readonly index: number,
    readonly arn: boolean,
  ) {}
}
class MarkerToken {
  constructor(
    readonly index: number,
    readonly tamper: boolean,
  ) {}
}

const ALIAS_POOL = ['alias/alpha', 'alias/beta', 'alias/gamma', 'alias/delta', 'alias/aws/s3', 'alias/', 'alias/x:y/z_1-2', 'alpha'];
const CONTEXT_POOL: Array<Record<string, string>> = [{ purpose: 'fuzz' }, { a: 'b', c: 'd' }, { '': '' }, { 'ключ': 'значение' }];
const TAG_KEY_POOL = ['Project', 'Owner', 'env', 'aws:reserved', 'AWS:Mixed', ' ', 'k'];

// ------------------------------------------------------------------ the world

interface KeyEntry {
  id: string;
  region: string;
}
interface CiphertextEntry {
  blob: Uint8Array;
  context: Record<string, string> | undefined;
  keyId: string;
  region: string;
  plaintext?: Uint8Array;
}

/**
 * Keys the asymmetric, HMAC and ML-KEM operations need, and what they made: a signature and a MAC
 * of FUZZ_MESSAGE, a peer public key, an ML-KEM encapsulation.
 */
interface Special {
  signKey: string;
  macKey: string;
  agreementKey: string;
  kemKey: string;
  /** A multi-Region primary in us-east-1 with a replica in us-west-2. */
  mrkKey: string;
  message: string;
  signature: string;
  mac: string;
  publicKey: string;
  kemCiphertext: string;
  /** CloudHSM key stores: one connected (holding a key), one disconnected and empty. */
  connectedStore: string;
  disconnectedStore: string;
}

const FUZZ_MESSAGE = new TextEncoder().encode('fuzz message');

/** A grant the run knows: made by the world, or by a successful CreateGrant. */
interface GrantEntry {
  keyId: string;
  region: string;
  grantId: string;
  token: string;
  grantee: string;
  retiring: string | undefined;
}

/**
 * A set of import parameters the run knows (from the world, or a successful GetParametersForImport),
 * with key material wrapped to its public key: `wrapped` is the key's own material (materialFor),
 * `other` is other material (the wrong material once the key has had material).
 */
interface ImportEntry {
  keyId: string;
  region: string;
  algorithm: string;
  token: string;
  wrapped: string;
  other: string;
}

/** Principals the world's grants name. */
const GRANTEE = `arn:aws:iam::444455556666:role/fuzz-grantee`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/fuzz-retirer`;

interface World {
  special: Special;
  kms: Kms<ManualClock>;
  /** A region this run uses besides the default one (odd ones included: long, empty, non-ASCII). */
  runRegion: string;
  /** Every key ever created, deleted ones included. */
  keys: KeyEntry[];
  ciphertexts: CiphertextEntry[];
  aliases: string[];
  markers: string[];
  /** Every grant made (retired and revoked ones included). */
  grants: GrantEntry[];
  /** Every set of import parameters obtained (expired and displaced ones included). */
  imports: ImportEntry[];
  /** The current key material id of EXTERNAL keys that had material imported, by key id. */
  materialIds: Map<string, string>;
  /** Realm regions the run has called into. */
  regions: Set<string>;
  stats?: Stats;
}

interface Stats {
  calls: Map<string, number>;
  successes: Map<string, number>;
  errors: Map<string, Map<string, number>>;
}

function newStats(): Stats {
  return { calls: new Map(), successes: new Map(), errors: new Map() };
}

function count(stats: Stats | undefined, op: string, outcome: AwsOutcome | { ok: boolean; code?: string }): void {
  if (!stats) return;
  stats.calls.set(op, (stats.calls.get(op) ?? 0) + 1);
  if (outcome.ok) stats.successes.set(op, (stats.successes.get(op) ?? 0) + 1);
  else {
    const code = 'error' in outcome ? outcome.error.code : (outcome.code ?? '?');
    const m = stats.errors.get(op) ?? new Map<string, number>();
    m.set(code, (m.get(code) ?? 0) + 1);
    stats.errors.set(op, m);
  }
}

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function must(w: World, op: string, input: Record<string, unknown>, meta: AwsCallMeta = {}): Promise<Record<string, any>> {
  const outcome = await w.kms.aws.invoke(op, input, meta);
  if (!outcome.ok) throw new Error(`setup ${op} failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.output;
}

// ------------------------------------------------------------------ wrapping key material

/** Bytes that depend only on `label` (the world must be reproducible: no random padding either). */
function stream(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 32 < length; block++) out.set(sha256(enc.encode(`${label}|${block}`)).subarray(0, Math.min(32, length - block * 32)), block * 32);
  return out;
}

/** The 32-byte (AES-256) key material the run imports into EXTERNAL key `keyId`. */
function materialFor(keyId: string): Uint8Array {
  return sha256(enc.encode(`fuzz material ${keyId}`));
}

type HashName = 'sha1' | 'sha256';
const digest = (name: HashName, ...parts: Uint8Array[]): Uint8Array => {
  const h = createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

function mgf1(name: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++) {
    const block = digest(name, seed, Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff));
    out.set(block.subarray(0, Math.min(block.length, length - at)), at);
    at += block.length;
  }
  return out;
}

/** Raw RSA on an encoded message as long as the modulus (the padding is ours, hence deterministic). */
function rsaRaw(key: KeyObject, em: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}

/** RSAES-OAEP (RFC 8017 §7.1.1, empty label) with a seed derived from `label`. */
function oaepEncrypt(key: KeyObject, name: HashName, message: Uint8Array, label: string): Uint8Array {
  const k = key.asymmetricKeyDetails!.modulusLength! >> 3;
  const lHash = digest(name);
  const hLen = lHash.length;
  if (message.length > k - 2 * hLen - 2) throw new Error('message too long for OAEP');
  const db = new Uint8Array(k - hLen - 1);
  db.set(lHash);
  db[db.length - message.length - 1] = 1;
  db.set(message, db.length - message.length);
  const seed = stream(`oaep|${label}`, hLen);
  const dbMask = mgf1(name, seed, db.length);
  const maskedDb = db.map((b, i) => b ^ dbMask[i]!);
  const seedMask = mgf1(name, maskedDb, hLen);
  const em = new Uint8Array(k);
  em.set(seed.map((b, i) => b ^ seedMask[i]!), 1);
  em.set(maskedDb, 1 + hLen);
  return rsaRaw(key, em);
}

/** RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1) with nonzero padding derived from `label`. */
function pkcs1Encrypt(key: KeyObject, message: Uint8Array, label: string): Uint8Array {
  const k = key.asymmetricKeyDetails!.modulusLength! >> 3;
  const ps = stream(`pkcs1|${label}`, k - message.length - 3).map((b) => b || 1);
  const em = new Uint8Array(k);
  em[1] = 2;
  em.set(ps, 2);
  em.set(message, k - message.length);
  return rsaRaw(key, em);
}

/**
 * `material` wrapped as ImportKeyMaterial takes it for `algorithm`, to the DER (SPKI) public key
 * GetParametersForImport gave; undefined for SM2PKE (not wrapped here).
 */
function wrapMaterial(algorithm: string, publicKey: string, material: Uint8Array, label: string): string | undefined {
  if (!/^RSA/.test(algorithm)) return undefined;
  const key = createPublicKey({ key: Buffer.from(unb64(publicKey)), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'rsa') return undefined;
  switch (algorithm) {
    case 'RSAES_PKCS1_V1_5':
      return b64(pkcs1Encrypt(key, material, label));
    case 'RSAES_OAEP_SHA_1':
      return b64(oaepEncrypt(key, 'sha1', material, label));
    case 'RSAES_OAEP_SHA_256':
      return b64(oaepEncrypt(key, 'sha256', material, label));
    case 'RSA_AES_KEY_WRAP_SHA_1':
    case 'RSA_AES_KEY_WRAP_SHA_256': {
      // An ephemeral AES-256 key under RSA-OAEP, then the material under AES-KWP (RFC 5649).
      const aesKey = stream(`aes|${label}`, 32);
      const head = oaepEncrypt(key, algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256', aesKey, label);
      const tail = aeskwp(aesKey).encrypt(material);
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return b64(out);
    }
    default:
      return undefined;
  }
}

/** The import entry for a GetParametersForImport answer, or undefined when its algorithm is not wrapped here. */
function importEntryOf(keyId: string, region: string, algorithm: string, output: Record<string, any>): ImportEntry | undefined {
  const label = `${keyId}|${String(output.ImportToken).slice(0, 24)}`;
  const wrapped = wrapMaterial(algorithm, output.PublicKey, materialFor(keyId), label);
  const other = wrapMaterial(algorithm, output.PublicKey, materialFor(`other ${keyId}`), `other|${label}`);
  if (wrapped === undefined || other === undefined) return undefined;
  return { keyId, region, algorithm, token: output.ImportToken, wrapped, other };
}

// ------------------------------------------------------------------ building worlds

interface Template {
  snapshot: unknown;
  now: number;
  world: World;
}

/** External key stores reach no proxy in the fuzz (no network): their health checks fail as an unreachable proxy's do. */
const NO_NETWORK = { fetch: (() => Promise.reject(new TypeError('no network in the fuzz'))) as typeof fetch };

/** A trust anchor certificate for the world's CloudHSM key stores (any well-formed one names an undeclared cluster's). */
const TRUST_ANCHOR = TRUST_ANCHOR_A;

/** Two CloudHSM key stores: one connected, holding a key and its ciphertext, one disconnected and empty. */
async function keyStores(w: World): Promise<Pick<Special, 'connectedStore' | 'disconnectedStore'>> {
  const store = async (name: string, cluster: string) =>
    (await must(w, 'CreateCustomKeyStore', { CustomKeyStoreName: name, CloudHsmClusterId: cluster, TrustAnchorCertificate: TRUST_ANCHOR, KeyStorePassword: 'kmsuser-password' })).CustomKeyStoreId as string;
  const connectedStore = await store('fuzz-connected', 'cluster-fuzzconnected');
  const disconnectedStore = await store('fuzz-disconnected', 'cluster-fuzzdisconnect');
  await must(w, 'ConnectCustomKeyStore', { CustomKeyStoreId: connectedStore });
  w.kms.clock.advance('5s');
  const key = (await must(w, 'CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: connectedStore, Description: 'in a CloudHSM key store' })).KeyMetadata.KeyId as string;
  w.keys.push({ id: key, region: REGION });
  return { connectedStore, disconnectedStore };
}

function templateOf(world: World): Template {
  return { snapshot: JSON.parse(JSON.stringify(world.kms.snapshot())), now: world.kms.clock.now(), world };
}

/** A world restoring `template`'s snapshot: the seeded stream continues where it left off, so it behaves as a freshly built one. */
function copyWorld(template: Template, runRegion: string, stats?: Stats): World {
  const kms = createKms({ clock: new ManualClock(template.now), seed: 'fuzz-world', aws: NO_NETWORK });
  kms.restore(template.snapshot);
  const t = template.world;
  return {
    kms,
    runRegion,
    keys: t.keys.map((k) => ({ ...k })),
    ciphertexts: t.ciphertexts.map((c) => ({ ...c })),
    aliases: [...t.aliases],
    markers: [...t.markers],
    grants: t.grants.map((g) => ({ ...g })),
    imports: t.imports.map((i) => ({ ...i })),
    materialIds: new Map(t.materialIds),
    regions: new Set(t.regions),
    special: { ...t.special },
    ...(stats ? { stats } : {}),
  };
}

/**
 * Worlds built so far: the base (what every world holds), and by run region the base plus that
 * region's own key. A new world restores its template's snapshot instead of generating its key
 * pairs (and the import wrapping keys) again.
 */
let baseTemplate: Template | undefined;
const templates = new Map<string, Template>();

async function makeWorld(stats?: Stats, runRegion = OTHER_REGION): Promise<World> {
  let template = templates.get(runRegion);
  if (!template) {
    baseTemplate ??= templateOf(await buildBase(OTHER_REGION));
    const world = copyWorld(baseTemplate, runRegion);
    await addRunRegionKey(world);
    template = templateOf(world);
    templates.set(runRegion, template);
  }
  return copyWorld(template, runRegion, stats);
}

/** A fresh world for `runRegion`, built from scratch (what makeWorld's templates are copies of). */
async function buildWorld(runRegion: string): Promise<World> {
  const w = await buildBase(runRegion);
  await addRunRegionKey(w);
  return w;
}

async function createKey(w: World, input: Record<string, unknown> = {}, region = REGION): Promise<string> {
  const id = (await must(w, 'CreateKey', input, { region })).KeyMetadata.KeyId as string;
  w.keys.push({ id, region });
  return id;
}

async function encryptUnder(w: World, keyId: string, context?: Record<string, string>, region = REGION): Promise<void> {
  const plaintext = enc.encode(`secret under ${keyId}`);
  const out = await must(w, 'Encrypt', { KeyId: keyId, Plaintext: b64(plaintext), ...(context ? { EncryptionContext: context } : {}) }, { region });
  w.ciphertexts.push({ blob: unb64(out.CiphertextBlob), context, keyId, region, plaintext });
}

/**
 * A fresh emulator holding keys in several states, aliases, ciphertexts, grants and imported key
 * material (deterministic: seeded, and the material is wrapped with padding derived from labels).
 */
async function buildBase(runRegion: string): Promise<World> {
  const clock = new ManualClock(START);
  const kms = createKms({ clock, seed: 'fuzz-world', aws: NO_NETWORK });
  const w: World = {
    kms,
    runRegion,
    keys: [],
    ciphertexts: [],
    aliases: [...ALIAS_POOL],
    markers: [],
    grants: [],
    imports: [],
    materialIds: new Map(),
    regions: new Set([REGION, OTHER_REGION]),
    special: {} as Special,
  };
  const create = (input: Record<string, unknown> = {}, region = REGION) => createKey(w, input, region);
  const encrypt = (keyId: string, context?: Record<string, string>, region = REGION) => encryptUnder(w, keyId, context, region);
  // 0: enabled, two aliases, ciphertexts with and without context
  const enabled = await create({ Description: 'enabled' });
  await must(w, 'CreateAlias', { AliasName: 'alias/alpha', TargetKeyId: enabled });
  await must(w, 'CreateAlias', { AliasName: 'alias/delta', TargetKeyId: enabled });
  await encrypt(enabled, { purpose: 'fuzz' });
  await encrypt(enabled);
  // 1: disabled, with an alias and a ciphertext made while it was enabled
  const disabled = await create({ Description: 'disabled' });
  await encrypt(disabled, { a: 'b', c: 'd' });
  await must(w, 'DisableKey', { KeyId: disabled });
  await must(w, 'CreateAlias', { AliasName: 'alias/beta', TargetKeyId: disabled });
  // 2: pending deletion (7 days)
  const doomed = await create({ Description: 'pending deletion' });
  await encrypt(doomed);
  await must(w, 'ScheduleKeyDeletion', { KeyId: doomed, PendingWindowInDays: 7 });
  // 3: pending import (EXTERNAL origin, no material; import parameters below)
  const external = await create({ Origin: 'EXTERNAL', Description: 'pending import' });
  await must(w, 'CreateAlias', { AliasName: 'alias/gamma', TargetKeyId: external });
  // 4: rotated (two materials, automatic rotation on), tagged, a ciphertext under each material
  const rotated = await create({ Tags: [{ TagKey: 'Project', TagValue: 'fuzz' }] });
  await encrypt(rotated, { purpose: 'fuzz' });
  await must(w, 'EnableKeyRotation', { KeyId: rotated, RotationPeriodInDays: 90 });
  await must(w, 'RotateKeyOnDemand', { KeyId: rotated });
  await encrypt(rotated, { purpose: 'fuzz' });
  // 5: a key in another region, and its ciphertext
  const west = await create({ Description: 'west' }, OTHER_REGION);
  await encrypt(west, undefined, OTHER_REGION);
  // 6–9: a signing key, an HMAC key, a key-agreement key and an ML-KEM key, and what each made
  const signKey = await create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  const macKey = await create({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const agreementKey = await create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
  const kemKey = await create({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
  // 11: a multi-Region primary with a replica in the other region
  const mrkKey = await create({ MultiRegion: true, Description: 'multi-Region primary' });
  await must(w, 'ReplicateKey', { KeyId: mrkKey, ReplicaRegion: OTHER_REGION });
  w.keys.push({ id: mrkKey, region: OTHER_REGION });
  const message = b64(FUZZ_MESSAGE);
  w.special = {
    mrkKey,
    signKey,
    macKey,
    agreementKey,
    kemKey,
    message,
    signature: (await must(w, 'Sign', { KeyId: signKey, SigningAlgorithm: 'ECDSA_SHA_256', Message: message })).Signature,
    mac: (await must(w, 'GenerateMac', { KeyId: macKey, MacAlgorithm: 'HMAC_SHA_256', Message: message })).Mac,
    publicKey: (await must(w, 'GetPublicKey', { KeyId: agreementKey })).PublicKey,
    kemCiphertext: (await must(w, 'Encapsulate', { KeyId: kemKey, EncapsulationAlgorithm: 'ML_KEM' })).SharedSecretCiphertextBlob,
    ...(await keyStores(w)),
  };
  // Import parameters (RSA_2048 only: a seeded RSA_2048 pair takes ~0.2 s, larger ones seconds),
  // with material wrapped to them: key 3 keeps waiting for its material (RSAES_OAEP_SHA_256), key
  // 10 has it imported (RSA_AES_KEY_WRAP_SHA_256) and a ciphertext under it.
  const parameters = async (keyId: string, algorithm: string): Promise<ImportEntry> => {
    const out = await must(w, 'GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' });
    const entry = importEntryOf(keyId, REGION, algorithm, out)!;
    w.imports.push(entry);
    return entry;
  };
  await parameters(external, 'RSAES_OAEP_SHA_256');
  const imported = await create({ Origin: 'EXTERNAL', Description: 'imported' });
  const entry = await parameters(imported, 'RSA_AES_KEY_WRAP_SHA_256');
  const out = await must(w, 'ImportKeyMaterial', { KeyId: imported, ImportToken: entry.token, EncryptedKeyMaterial: entry.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  w.materialIds.set(imported, out.KeyMaterialId);
  await encrypt(imported, { purpose: 'fuzz' });
  // Grants, with tokens and a retiring principal: on key 0 (encryption, constrained, named) and on the signing key.
  const grant = async (keyId: string, input: { GranteePrincipal: string; RetiringPrincipal?: string } & Record<string, unknown>): Promise<void> => {
    const made = await must(w, 'CreateGrant', { KeyId: keyId, ...input });
    w.grants.push({ keyId, region: REGION, grantId: made.GrantId, token: made.GrantToken, grantee: input.GranteePrincipal, retiring: input.RetiringPrincipal });
  };
  await grant(enabled, {
    GranteePrincipal: GRANTEE,
    RetiringPrincipal: RETIRER,
    Operations: ['Encrypt', 'Decrypt', 'GenerateDataKey', 'ReEncryptFrom', 'ReEncryptTo', 'DescribeKey', 'RetireGrant'],
    Constraints: { EncryptionContextSubset: { purpose: 'fuzz' } },
    Name: 'fuzz-grant',
  });
  await grant(signKey, { GranteePrincipal: ACCOUNT, RetiringPrincipal: RETIRER, Operations: ['Sign', 'Verify', 'GetPublicKey'] });
  clock.advance('5s');
  return w;
}

/** A key in the run's own region, when that region can hold keys, and its ciphertext. */
async function addRunRegionKey(w: World): Promise<void> {
  if (w.runRegion === REGION || w.runRegion === OTHER_REGION) return;
  const outcome = await w.kms.aws.invoke('CreateKey', { Description: 'run region' }, { region: w.runRegion });
  if (!outcome.ok) return;
  const id = (outcome.output as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  w.keys.push({ id, region: w.runRegion });
  await encryptUnder(w, id, { purpose: 'fuzz' }, w.runRegion);
}

// ------------------------------------------------------------------ resolving tokens

function keyArnOf(region: string, id: string, account = ACCOUNT, partition = region.startsWith('cn-') ? 'aws-cn' : 'aws'): string {
  return `arn:${partition}:kms:${region}:${account}:key/${id}`;
}

function resolveKey(w: World, t: KeyToken, region: string): string {
  const local = w.keys.filter((k) => k.region === region);
  const key = t.form === 'local' && local.length > 0 ? local[t.index % local.length]! : w.keys[t.index % w.keys.length]!;
  const alias = w.aliases[t.index % w.aliases.length]!;
  switch (t.form) {
    case 'id':
    case 'local':
      return key.id;
    case 'arn':
      return keyArnOf(key.region, key.id);
    case 'alias':
      return alias;
    case 'aliasArn':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:${alias}`;
    case 'arnOtherRegion':
      return keyArnOf(key.region === REGION ? 'eu-west-1' : REGION, key.id);
    case 'arnOtherAccount':
      return keyArnOf(key.region, key.id, '444455556666');
    case 'arnOtherPartition':
      return keyArnOf(key.region, key.id, ACCOUNT, 'aws-cn');
    case 'upperCase':
      return key.id.toUpperCase();
    case 'truncated':
      return key.id.slice(0, 35);
    case 'unknownUuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'mrk':
      return 'mrk-0123456789abcdef0123456789abcdef';
    case 'badArn':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:thing/${key.id}`;
  }
}

function writeHeader(fields: { account: string; region: string; keyId: string; material: Uint8Array }, rest: Uint8Array): Uint8Array {
  const parts = [fields.account, fields.region, fields.keyId].map((s) => enc.encode(s));
  const body: number[] = [1, 1];
  for (const p of parts) body.push(p.length & 0xff, ...p);
  body.push(...fields.material);
  const header = Uint8Array.from(body);
  const check = sha256(header).subarray(0, 4);
  const out = new Uint8Array(header.length + 4 + rest.length);
  out.set(header);
  out.set(check, header.length);
  out.set(rest, header.length + 4);
  return out;
}

function mutate(w: World, entry: CiphertextEntry, m: Mutation): Uint8Array {
  const blob = entry.blob.slice();
  switch (m.kind) {
    case 'none':
      return blob;
    case 'flip':
      blob[m.at % blob.length]! ^= 1 << m.bit;
      return blob;
    case 'truncate':
      return blob.subarray(0, m.keep % blob.length);
    case 'append': {
      const out = new Uint8Array(blob.length + m.bytes.length);
      out.set(blob);
      out.set(m.bytes, blob.length);
      return out;
    }
    case 'reheader': {
      const p = parseEnvelope(blob);
      if (!p) return blob;
      const other = w.keys[m.index % w.keys.length]!;
      const material = Uint8Array.from(p.materialId.match(/../g)!.map((h) => parseInt(h, 16)));
      if (m.field === 'material') material[m.index % 32]! ^= 0xff;
      return writeHeader(
        {
          account: m.field === 'account' ? '444455556666' : p.account,
          region: m.field === 'region' ? (p.region === REGION ? OTHER_REGION : REGION) : p.region,
          keyId: m.field === 'keyId' ? other.id : p.keyId,
          material,
        },
        blob.subarray(p.headerBytes.length),
      );
    }
  }
}

interface Resolution {
  /** The region of the call. */
  region: string;
  ciphertext?: CiphertextEntry;
  /** The grant a GrantId or GrantToken member named (its key goes to KeyId). */
  grant?: GrantEntry;
  /** The import parameters an ImportToken member named (their key goes to KeyId, material wrapped to them to EncryptedKeyMaterial). */
  imports?: ImportEntry;
}

function grantOf(w: World, r: Resolution, index: number): GrantEntry {
  return r.grant ?? w.grants[index % w.grants.length]!;
}

/** The picked import parameters; the first late token to ask picks them for the rest of the input. */
function importsOf(w: World, r: Resolution, index: number): ImportEntry {
  r.imports ??= w.imports[index % w.imports.length]!;
  return r.imports;
}

function resolve(w: World, value: unknown, r: Resolution, late: boolean): unknown {
  if (!late) {
    if (value instanceof KeyToken) return resolveKey(w, value, r.region);
    if (value instanceof CiphertextToken) {
      const entry = w.ciphertexts[value.index % w.ciphertexts.length]!;
      r.ciphertext = entry;
      return b64(mutate(w, entry, value.mutation));
    }
    if (value instanceof AliasToken) {
      const name = w.aliases[value.index % w.aliases.length]!;
      return value.arn ? `arn:aws:kms:${REGION}:${ACCOUNT}:${name}` : name;
    }
    if (value instanceof WorldToken) return w.special[value.name];
    if (value instanceof GrantRefToken) {
      const grant = w.grants[value.index % w.grants.length]!;
      if (value.part === 'grantId' || value.part === 'token') r.grant = grant;
      return value.part === 'retiring' ? (grant.retiring ?? RETIRER) : grant[value.part];
    }
    if (value instanceof ImportTokenToken) {
      r.imports = w.imports[value.index % w.imports.length]!;
      return r.imports.token;
    }
    if (value instanceof ValidToToken) return Math.floor(w.kms.clock.now() / 1000) + value.days * 86_400;
    if (value instanceof MarkerToken) {
      const marker = w.markers.length > 0 ? w.markers[value.index % w.markers.length]! : '1.000000000000000000000000';
      return value.tamper ? marker.replace(/^\d+/, (n) => String(Number(n) + 1)) : marker;
    }
  } else {
    if (value instanceof CiphertextKeyToken) {
      const c = r.ciphertext;
      if (!c) return 'alias/alpha';
      return value.form === 'id' ? c.keyId : keyArnOf(c.region, c.keyId);
    }
    if (value instanceof CiphertextContextToken) return r.ciphertext?.context ?? {};
    if (value instanceof GrantKeyToken) {
      const grant = grantOf(w, r, value.index);
      return value.form === 'id' ? grant.keyId : keyArnOf(grant.region, grant.keyId);
    }
    if (value instanceof ImportKeyToken) {
      const entry = importsOf(w, r, value.index);
      return value.form === 'id' ? entry.keyId : keyArnOf(entry.region, entry.keyId);
    }
    if (value instanceof WrappedMaterialToken) return importsOf(w, r, value.index)[value.which];
    if (value instanceof MaterialIdToken) {
      const keyId = importsOf(w, r, value.index).keyId;
      return w.materialIds.get(keyId) ?? hex(stream(`material id ${keyId}`, 32));
    }
  }
  if (Array.isArray(value)) return value.map((v) => resolve(w, v, r, late));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolve(w, v, r, late);
    return out;
  }
  return value;
}

function resolveInput(w: World, input: unknown, region: string): { input: unknown; ciphertext?: CiphertextEntry } {
  const r: Resolution = { region };
  const first = resolve(w, input, r, false);
  return { input: resolve(w, first, r, true), ...(r.ciphertext ? { ciphertext: r.ciphertext } : {}) };
}

// ------------------------------------------------------------------ arbitraries from the model

type Mode = 'valid' | 'wild';

const ABSENT = Symbol('absent');

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.constant(Number.NaN),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.constant(new Uint8Array([1, 2, 3])),
  fc.constant(''),
);

/** Strings of a few hundred thousand characters (cheap to build, exercise length checks). */
const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 70_000, max: 300_000 }), fc.constantFrom('a', 'é', '😀', '\u0000', '/'))
  .map(([n, c]) => c.repeat(n));

const boundaryString = (length: number): fc.Arbitrary<string> =>
  fc.constantFrom('a', 'Z', '0', 'é', '😀').map((c) => c.repeat(Math.max(0, length)));

function lengthBounds(shape: ShapeModel): [number, number | undefined] {
  const l = 'length' in shape ? shape.length : undefined;
  return [l?.[0] ?? 0, l?.[1]];
}

function stringArb(shape: Extract<ShapeModel, { type: 'string' }>, mode: Mode): fc.Arbitrary<string> {
  const [min, max] = lengthBounds(shape);
  if (shape.enum) {
    const good = fc.constantFrom(...shape.enum);
    if (mode === 'valid') return good;
    return fc.oneof(
      { weight: 6, arbitrary: good },
      { weight: 1, arbitrary: good.map((v) => v.toLowerCase()) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
  }
  const options: Array<fc.WeightedArbitrary<string>> = [];
  // A one-class pattern (`^[a-f0-9]+$`) with a long minimum (KeyMaterialId: 64) is drawn at its
  // length range directly: filtering short matches for length would never end.
  const oneClass = shape.pattern ? /^\^(\[[^\]]+\])\+\$$/.exec(shape.pattern)?.[1] : undefined;
  if (oneClass) {
    options.push({ weight: 6, arbitrary: fc.stringMatching(new RegExp(`^${oneClass}{${Math.max(1, min)},${Math.max(min, Math.min(max ?? 32, 64))}}$`)) });
  } else if (shape.pattern) {
    options.push({ weight: 6, arbitrary: fc.stringMatching(new RegExp(shape.pattern), { maxLength: Math.max(Math.min(max ?? 32, 32), Math.min(min + 32, max ?? 64)) }).filter((s) => s.length >= min) });
  } else {
    options.push({ weight: 6, arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max ?? 32, 32)) }) });
  }
  if (mode === 'wild') {
    options.push({ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) });
    const bounds = [min - 1, min, ...(max !== undefined && max <= 200_000 ? [max, max + 1] : [])].filter((n) => n >= 0);
    options.push({ weight: 2, arbitrary: fc.constantFrom(...bounds).chain(boundaryString) });
    options.push({ weight: 1, arbitrary: hugeString });
  }
  return fc.oneof(...options);
}

function blobArb(shape: Extract<ShapeModel, { type: 'blob' }>, mode: Mode): fc.Arbitrary<string> {
  const [min, max] = lengthBounds(shape);
  const good = fc.uint8Array({ minLength: Math.max(min, mode === 'valid' ? 1 : 0), maxLength: Math.min(max ?? 64, 64) }).map(b64);
  if (mode === 'valid') return good;
  const bounds = [min - 1, min, ...(max !== undefined ? [max, max + 1] : [])].filter((n) => n >= 0);
  return fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 2, arbitrary: fc.constantFrom(...bounds).map((n) => b64(new Uint8Array(n).fill(7))) },
    { weight: 1, arbitrary: fc.constantFrom('!!!!', 'a', 'abcde', '====', 'YQ==YQ==', 'Zm9v\n', '😀', '-_-_') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

function intArb(shape: Extract<ShapeModel, { type: 'integer' | 'long' }>, mode: Mode): fc.Arbitrary<number> {
  const [min, max] = shape.range ?? [];
  const lo = min ?? -(2 ** 31);
  const hi = max ?? 2 ** 31 - 1;
  const good = fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
  if (mode === 'valid') return good;
  return fc.oneof(
    { weight: 4, arbitrary: good },
    { weight: 3, arbitrary: fc.constantFrom(lo - 1, lo, hi, hi + 1, 0, -1) },
    { weight: 1, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1.5, -0, Infinity) },
  );
}

const cache = new Map<string, fc.Arbitrary<unknown>>();

/** An arbitrary for a value of `shapeName` (as AWS JSON: blobs base64, dates epoch seconds). */
function shapeArb(shapeName: string, mode: Mode, depth = 0): fc.Arbitrary<unknown> {
  const cacheKey = `${shapeName}|${mode}|${depth}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const shape = SHAPES[shapeName];
  if (!shape) throw new Error(`no shape ${shapeName}`);
  let arb: fc.Arbitrary<unknown>;
  switch (shape.type) {
    case 'string':
      arb = stringArb(shape, mode);
      break;
    case 'blob':
      arb = blobArb(shape, mode);
      break;
    case 'integer':
    case 'long':
      arb = intArb(shape, mode);
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    case 'timestamp':
      arb = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.double({ noNaN: true }));
      break;
    case 'list': {
      const [min, max] = lengthBounds(shape);
      const member = shapeArb(shape.member, mode, depth + 1);
      const normal = fc.array(member, { minLength: min, maxLength: Math.max(min, Math.min(max ?? 3, 3)) });
      arb = mode === 'valid' || max === undefined || max > 60 ? normal : fc.oneof({ weight: 5, arbitrary: normal }, { weight: 1, arbitrary: fc.array(member, { minLength: max + 1, maxLength: max + 1 }) });
      break;
    }
    case 'map':
      arb = fc.dictionary(shapeArb(shape.key, mode, depth + 1) as fc.Arbitrary<string>, shapeArb(shape.value, mode, depth + 1), { maxKeys: 3 });
      break;
    case 'structure':
      arb = structureArb(shapeName, mode, depth);
      break;
  }
  if (mode === 'wild' && depth > 0) arb = fc.oneof({ weight: 12, arbitrary: arb }, { weight: 1, arbitrary: wrongType });
  cache.set(cacheKey, arb);
  return arb;
}

// Member-specific generators: the members whose meaning the model's types do not capture.

const keyIdArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const forms: Array<fc.WeightedArbitrary<KeyForm>> =
    mode === 'valid'
      ? [
          { weight: 4, arbitrary: fc.constant('id' as const) },
          { weight: 4, arbitrary: fc.constant('local' as const) },
          { weight: 3, arbitrary: fc.constant('arn' as const) },
          { weight: 2, arbitrary: fc.constant('alias' as const) },
          { weight: 1, arbitrary: fc.constant('aliasArn' as const) },
        ]
      : KEY_FORMS.map((f) => ({ weight: f === 'id' || f === 'local' || f === 'arn' || f === 'alias' ? 4 : 1, arbitrary: fc.constant(f) }));
  const token = fc.tuple(fc.nat(64), fc.oneof(...forms)).map(([i, f]) => new KeyToken(i, f));
  if (mode === 'valid') return token;
  return fc.oneof({ weight: 8, arbitrary: token }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: hugeString });
};

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(400), bit: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(400) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reheader' as const), field: fc.constantFrom('keyId' as const, 'region' as const, 'account' as const, 'material' as const), index: fc.nat(64) }),
  },
);

const ciphertextArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const real = fc.nat(64).map((i) => new CiphertextToken(i, { kind: 'none' }));
  if (mode === 'valid') return real;
  return fc.oneof(
    { weight: 4, arbitrary: real },
    { weight: 6, arbitrary: fc.tuple(fc.nat(64), mutationArb).map(([i, m]) => new CiphertextToken(i, m)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map(b64) },
    { weight: 1, arbitrary: fc.constantFrom('', 'AQE=', 'AQEA', '!', b64(new Uint8Array(6145))) },
  );
};

const aliasNameArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const pool = fc.oneof(fc.constantFrom(...ALIAS_POOL), fc.nat(64).map((i) => new AliasToken(i, false)));
  const fresh = fc.stringMatching(/^[a-zA-Z0-9:/_-]{1,16}$/).map((s) => `alias/${s}`);
  if (mode === 'valid') return fc.oneof(pool, fresh);
  return fc.oneof(
    { weight: 3, arbitrary: pool },
    { weight: 2, arbitrary: fresh },
    { weight: 1, arbitrary: fc.nat(64).map((i) => new AliasToken(i, true)) },
    { weight: 1, arbitrary: fc.constantFrom(250, 256, 257).map((n) => `alias/${'a'.repeat(n - 6)}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
};

const markerArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const real = fc.nat(64).map((i) => new MarkerToken(i, false));
  if (mode === 'valid') return real;
  return fc.oneof(
    { weight: 3, arbitrary: real },
    { weight: 1, arbitrary: fc.nat(64).map((i) => new MarkerToken(i, true)) },
    { weight: 1, arbitrary: fc.constantFrom('0.000000000000000000000000', '999999999999999.abcdefabcdefabcdefabcdef', '1.2.3', '-1', ' ', 'x'.repeat(1025)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
};

const VALID_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'all', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});
const policyArb = (mode: Mode): fc.Arbitrary<unknown> => {
  if (mode === 'valid') return fc.constant(VALID_POLICY);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(VALID_POLICY) },
    { weight: 1, arbitrary: fc.constantFrom('{}', '[]', 'null', '{"Statement":null}', '{"Statement":[]}', '{"Statement":"x"}', '{', '"str"', '1', '\u0100') },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom(131_072, 131_073).map((n) => `{"Statement":[],"Pad":"${'p'.repeat(n - 27)}"}`) },
  );
};

const policyNameArb = (mode: Mode): fc.Arbitrary<unknown> =>
  mode === 'valid'
    ? fc.constant('default')
    : fc.oneof({ weight: 4, arbitrary: fc.constant('default') }, { weight: 1, arbitrary: fc.constantFrom('Default', 'other', '', 'a'.repeat(129), 'no-dash') });

const contextArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const matching = fc.constant(new CiphertextContextToken());
  const pool = fc.constantFrom(...CONTEXT_POOL);
  if (mode === 'valid') return fc.oneof({ weight: 3, arbitrary: matching }, { weight: 1, arbitrary: pool });
  return fc.oneof(
    { weight: 3, arbitrary: matching },
    { weight: 2, arbitrary: pool },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 }) },
  );
};

const tagsArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const tag = fc.record({ TagKey: mode === 'valid' ? fc.constantFrom('Project', 'Owner', 'env', 'k') : fc.oneof(fc.constantFrom(...TAG_KEY_POOL), fc.string({ minLength: 0, maxLength: 130 })), TagValue: fc.string({ maxLength: 10 }) });
  if (mode === 'valid') return fc.uniqueArray(tag, { maxLength: 4, selector: (t) => t.TagKey });
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(tag, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(50, 51).map((n) => Array.from({ length: n }, (_, i) => ({ TagKey: `t${i}`, TagValue: 'v' }))) },
  );
};

const tagKeysArb = (mode: Mode): fc.Arbitrary<unknown> =>
  fc.array(mode === 'valid' ? fc.constantFrom('Project', 'Owner', 'env') : fc.oneof(fc.constantFrom(...TAG_KEY_POOL), fc.string({ maxLength: 130 })), { maxLength: 3 });

const plaintextArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const good = fc.uint8Array({ minLength: 1, maxLength: 64 }).map(b64);
  if (mode === 'valid') return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: fc.constant(b64(new Uint8Array(4096).fill(1))) });
  return fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 4096, 4097).map((n) => b64(new Uint8Array(n).fill(9))) },
  );
};

const numberOfBytesArb = (mode: Mode): fc.Arbitrary<unknown> =>
  mode === 'valid' ? fc.constantFrom(1, 16, 32, 64, 1024) : fc.oneof(fc.constantFrom(0, 1, 32, 1024, 1025, -1, 2 ** 31), fc.integer());

/** Mostly `good` (what the world made), sometimes `other`: 6 to 1 for valid-looking input, 3 to 1 for wild. */
function mostlyArb(mode: Mode, good: fc.Arbitrary<unknown>, other: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: mode === 'valid' ? 6 : 3, arbitrary: good }, { weight: 1, arbitrary: other() });
}

const grantRefArb = (part: GrantRefToken['part']): fc.Arbitrary<unknown> => fc.nat(64).map((i) => new GrantRefToken(i, part));
const worldKeyFormArb = fc.constantFrom<'id' | 'arn'>('id', 'id', 'arn');

/** GrantTokens: mostly tokens of the world's grants (valid while their grant lives, in its region), sometimes anything. */
const grantTokensArb = (mode: Mode): fc.Arbitrary<unknown> => {
  const token = fc.oneof({ weight: mode === 'valid' ? 8 : 3, arbitrary: grantRefArb('token') }, { weight: 1, arbitrary: shapeArb('GrantTokenType', mode, 2) });
  const list = fc.array(token, { maxLength: 3 });
  return mode === 'valid' ? list : fc.oneof({ weight: 4, arbitrary: list }, { weight: 1, arbitrary: shapeArb('GrantTokenList', mode, 1) });
};

const MEMBER_ARBS: Record<string, (mode: Mode) => fc.Arbitrary<unknown>> = {
  KeyId: keyIdArb,
  TargetKeyId: keyIdArb,
  SourceKeyId: keyIdArb,
  DestinationKeyId: keyIdArb,
  CiphertextBlob: ciphertextArb,
  AliasName: aliasNameArb,
  Marker: markerArb,
  Policy: policyArb,
  PolicyName: policyNameArb,
  EncryptionContext: contextArb,
  SourceEncryptionContext: contextArb,
  DestinationEncryptionContext: (mode) => (mode === 'valid' ? fc.constantFrom({}, ...CONTEXT_POOL) : contextArb(mode)),
  Tags: tagsArb,
  TagKeys: tagKeysArb,
  Plaintext: plaintextArb,
  NumberOfBytes: numberOfBytesArb,
  GrantTokens: grantTokensArb,
  RetiringPrincipal: (mode) => mostlyArb(mode, grantRefArb('retiring'), () => shapeArb('PrincipalIdType', mode, 1)),
};

/**
 * Key specs without the large RSA keys: generating RSA_3072 and RSA_4096 pairs from a seed takes
 * seconds, which a fuzz run cannot afford; everything else about those keys is as for RSA_2048.
 * The same for import wrapping keys (WrappingKeySpec), generated at each GetParametersForImport.
 */
function keySpecArb(shape: { enum?: string[] }, mode: Mode): fc.Arbitrary<unknown> {
  const fast = (shape.enum ?? []).filter((s) => s !== 'RSA_3072' && s !== 'RSA_4096');
  if (mode === 'valid') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fast.filter((s) => s !== 'RSA_2048')) }, { weight: 1, arbitrary: fc.constant('RSA_2048') });
  return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...fast) }, { weight: 1, arbitrary: fc.constantFrom('rsa_2048', 'AES_256', '') }, { weight: 1, arbitrary: wrongType });
}

/** The key kind each asymmetric, HMAC or ML-KEM operation needs. */
const WORLD_KEY: Record<string, ReadonlyArray<keyof Special>> = {
  Sign: ['signKey'],
  Verify: ['signKey'],
  GetPublicKey: ['signKey', 'agreementKey', 'kemKey'],
  DeriveSharedSecret: ['agreementKey'],
  GenerateMac: ['macKey'],
  VerifyMac: ['macKey'],
  Encapsulate: ['kemKey'],
  Decapsulate: ['kemKey'],
  ReplicateKey: ['mrkKey'],
  UpdatePrimaryRegion: ['mrkKey'],
};

/** Valid-looking members of those operations: mostly what the world made, sometimes anything. */
function worldMemberArb(operation: string | undefined, member: string, mode: Mode): fc.Arbitrary<unknown> | undefined {
  const kinds = operation ? WORLD_KEY[operation] : undefined;
  if (!kinds) return undefined;
  const mostly = (good: fc.Arbitrary<unknown>, other: () => fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: mode === 'valid' ? 6 : 3, arbitrary: good }, { weight: 1, arbitrary: other() });
  const token = (name: keyof Special) => fc.constant(new WorldToken(name));
  switch (member) {
    case 'KeyId':
      return mostly(fc.constantFrom(...kinds).map((k) => new WorldToken(k)), () => keyIdArb(mode));
    case 'Message':
      return mostly(token('message'), () => blobArb(SHAPES.PlaintextType as Extract<ShapeModel, { type: 'blob' }>, mode));
    case 'Signature':
      return mostly(token('signature'), () => blobArb(SHAPES.CiphertextType as Extract<ShapeModel, { type: 'blob' }>, mode));
    case 'Mac':
      return mostly(token('mac'), () => blobArb(SHAPES.CiphertextType as Extract<ShapeModel, { type: 'blob' }>, mode));
    case 'PublicKey':
      return mostly(token('publicKey'), () => blobArb(SHAPES.PublicKeyType as Extract<ShapeModel, { type: 'blob' }>, mode));
    case 'SharedSecretCiphertextBlob':
      return mostly(token('kemCiphertext'), () => blobArb(SHAPES.CiphertextType as Extract<ShapeModel, { type: 'blob' }>, mode));
    case 'SigningAlgorithm':
      return mostly(fc.constant('ECDSA_SHA_256'), () => shapeArb('SigningAlgorithmSpec', mode, 1));
    case 'MessageType':
      return mostly(fc.constant('RAW'), () => shapeArb('MessageType', mode, 1));
    case 'MacAlgorithm':
      return mostly(fc.constant('HMAC_SHA_256'), () => shapeArb('MacAlgorithmSpec', mode, 1));
    case 'ReplicaRegion':
      return mostly(fc.constantFrom('eu-west-1', 'ap-south-1', OTHER_REGION), () => shapeArb('RegionType', mode, 1));
    case 'PrimaryRegion':
      return mostly(fc.constantFrom(OTHER_REGION, REGION), () => shapeArb('RegionType', mode, 1));
    default:
      return undefined;
  }
}

/**
 * Members of the grant and import operations: mostly the world's grants (a GrantId or GrantToken
 * picks the grant whose key KeyId then names) and import parameters (an ImportToken picks the
 * set whose key KeyId names and whose public key EncryptedKeyMaterial was wrapped to).
 */
function grantImportMemberArb(operation: string | undefined, member: string, mode: Mode): fc.Arbitrary<unknown> | undefined {
  const mostly = (good: fc.Arbitrary<unknown>, other: () => fc.Arbitrary<unknown>) => mostlyArb(mode, good, other);
  const grantKey = () => mostly(fc.tuple(fc.nat(64), worldKeyFormArb).map(([i, f]) => new GrantKeyToken(i, f)), () => keyIdArb(mode));
  const importKey = () => mostly(fc.tuple(fc.nat(64), worldKeyFormArb).map(([i, f]) => new ImportKeyToken(i, f)), () => keyIdArb(mode));
  const blob = (shape: string) => () => blobArb(SHAPES[shape] as Extract<ShapeModel, { type: 'blob' }>, mode);
  switch (operation) {
    case 'ListGrants':
    case 'RetireGrant':
    case 'RevokeGrant':
      if (member === 'KeyId') return grantKey();
      if (member === 'GrantId') return mostly(grantRefArb('grantId'), () => shapeArb('GrantIdType', mode, 1));
      if (member === 'GrantToken') return mostly(grantRefArb('token'), () => shapeArb('GrantTokenType', mode, 1));
      if (member === 'GranteePrincipal') return mostly(grantRefArb('grantee'), () => shapeArb('PrincipalIdType', mode, 1));
      return undefined;
    case 'GetParametersForImport':
      if (member === 'KeyId') return importKey();
      if (member === 'WrappingAlgorithm') return mostly(fc.constant('RSAES_OAEP_SHA_256'), () => shapeArb('AlgorithmSpec', mode, 1));
      // RSA_2048 only (keySpecArb leaves out the slow sizes; SM2 works in China Regions only).
      if (member === 'WrappingKeySpec') return mostly(fc.constant('RSA_2048'), () => keySpecArb(SHAPES.WrappingKeySpec as { enum?: string[] }, mode));
      return undefined;
    case 'ImportKeyMaterial':
      if (member === 'KeyId') return importKey();
      if (member === 'ImportToken') return mostly(fc.nat(64).map((i) => new ImportTokenToken(i)), blob('CiphertextType'));
      if (member === 'EncryptedKeyMaterial') {
        return mostly(
          fc.tuple(fc.nat(64), fc.constantFrom<'wrapped' | 'other'>('wrapped', 'wrapped', 'wrapped', 'wrapped', 'other')).map(([i, which]) => new WrappedMaterialToken(i, which)),
          blob('CiphertextType'),
        );
      }
      if (member === 'ValidTo') {
        const days = mode === 'valid' ? fc.constantFrom(1, 30, 364) : fc.constantFrom(-1, 0, 1, 364, 365, 366);
        return mostly(days.map((d) => new ValidToToken(d)), () => shapeArb('DateType', mode, 1));
      }
      return undefined;
    case 'DeleteImportedKeyMaterial':
      if (member === 'KeyId') return importKey();
      if (member === 'KeyMaterialId') return mostly(fc.nat(64).map((i) => new MaterialIdToken(i)), () => shapeArb('BackingKeyIdType', mode, 1));
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Members of the custom key store operations: mostly the world's stores, and CloudHSM key stores
 * (external key stores reach no proxy here: their members stay rare).
 */
function keyStoreMemberArb(operation: string | undefined, member: string, mode: Mode): fc.Arbitrary<unknown> | undefined {
  if (!operation || !(operation.endsWith('CustomKeyStore') || operation === 'DescribeCustomKeyStores')) return undefined;
  const mostly = (good: fc.Arbitrary<unknown>, other: () => fc.Arbitrary<unknown>) => mostlyArb(mode, good, other);
  switch (member) {
    case 'CustomKeyStoreId':
      return mostly(fc.constantFrom(new WorldToken('connectedStore'), new WorldToken('disconnectedStore')), () => shapeArb('CustomKeyStoreIdType', mode, 1));
    case 'CustomKeyStoreType':
      return mostly(fc.constant('AWS_CLOUDHSM'), () => shapeArb('CustomKeyStoreType', mode, 1));
    case 'TrustAnchorCertificate':
      return mostly(fc.constant(TRUST_ANCHOR), () => shapeArb('TrustAnchorCertificateType', mode, 1));
    case 'CustomKeyStoreName':
    case 'NewCustomKeyStoreName':
      return mostly(fc.stringMatching(/^[a-z0-9-]{1,24}$/), () => shapeArb('CustomKeyStoreNameType', mode, 1));
    default:
      return undefined;
  }
}

/** Presence weights [present, absent] of members of one operation, for valid-looking input. */
const PRESENCE: Record<string, Record<string, [number, number]>> = {
  // A grant token, or a key and a grant id: each half the time.
  RetireGrant: { GrantToken: [1, 1], KeyId: [1, 1], GrantId: [1, 1] },
  // A CloudHSM key store takes all three; an update mostly renames (the rest wants a disconnected store).
  CreateCustomKeyStore: { CloudHsmClusterId: [1, 0], TrustAnchorCertificate: [1, 0], KeyStorePassword: [1, 0], CustomKeyStoreType: [1, 3] },
  UpdateCustomKeyStore: { NewCustomKeyStoreName: [3, 1], KeyStorePassword: [1, 3], CloudHsmClusterId: [1, 6] },
  DescribeCustomKeyStores: { CustomKeyStoreId: [1, 1], CustomKeyStoreName: [1, 12] },
};
/** Optional in the model, but needed by almost every call. */
const USUAL_MEMBERS = new Set(['CiphertextBlob', 'EncryptionContext', 'SourceEncryptionContext']);
/** How often an optional member is present: members that mostly make calls fail stay rare. */
const RARE_MEMBERS = new Set([
  'CustomKeyStoreId', 'XksKeyId', 'Recipient', 'DryRunModifiers', 'MultiRegion', 'CustomerMasterKeySpec', 'KeyUsage',
  'XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity',
]);

/** Per-operation tweaks so that valid-mode calls succeed often enough to reach deep code. */
function memberArb(operation: string | undefined, member: string, target: string, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  const store = keyStoreMemberArb(operation, member, mode);
  if (store) return store;
  if (operation === 'Decrypt' && member === 'KeyId') {
    return mode === 'valid' ? fc.constantFrom(new CiphertextKeyToken('id'), new CiphertextKeyToken('arn')) : fc.oneof(fc.constant(new CiphertextKeyToken('arn')), keyIdArb(mode));
  }
  if (operation === 'ReEncrypt' && member === 'SourceKeyId') {
    return mode === 'valid' ? fc.constant(new CiphertextKeyToken('arn')) : fc.oneof(fc.constant(new CiphertextKeyToken('id')), keyIdArb(mode));
  }
  if (operation === 'CreateKey' && (member === 'KeySpec' || member === 'CustomerMasterKeySpec')) return keySpecArb(SHAPES[target] as { enum?: string[] }, mode);
  const grantOrImport = grantImportMemberArb(operation, member, mode);
  if (grantOrImport) return grantOrImport;
  if (member === 'KeyPairSpec' || member === 'WrappingKeySpec') return keySpecArb(SHAPES[target] as { enum?: string[] }, mode);
  const world = worldMemberArb(operation, member, mode);
  if (world) return world;
  if (operation === 'CreateKey' && member === 'Origin' && mode === 'valid') return fc.constantFrom('AWS_KMS', 'EXTERNAL');
  const special = MEMBER_ARBS[member];
  if (special) {
    const arb = special(mode);
    return mode === 'wild' ? fc.oneof({ weight: 10, arbitrary: arb }, { weight: 1, arbitrary: wrongType }) : arb;
  }
  return shapeArb(target, mode, depth + 1);
}

function structureArb(shapeName: string, mode: Mode, depth: number, operation?: string): fc.Arbitrary<Record<string, unknown>> {
  const shape = SHAPES[shapeName] as Extract<ShapeModel, { type: 'structure' }>;
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [member, def] of Object.entries(shape.members)) {
    const value = memberArb(operation, member, def.target, mode, depth);
    let present: number;
    let absent: number;
    const weights = operation && mode === 'valid' ? PRESENCE[operation]?.[member] : undefined;
    if (weights) [present, absent] = weights;
    else if (def.required) [present, absent] = mode === 'valid' ? [1, 0] : [12, 1];
    else if (USUAL_MEMBERS.has(member)) [present, absent] = mode === 'valid' ? [12, 1] : [6, 1];
    else if (RARE_MEMBERS.has(member)) [present, absent] = mode === 'valid' ? [1, 30] : [1, 5];
    else [present, absent] = mode === 'valid' ? [1, 2] : [1, 1];
    fields[member] = absent === 0 ? value : fc.oneof({ weight: absent, arbitrary: fc.constant(ABSENT) }, { weight: present, arbitrary: value });
  }
  let arb = fc.record(fields).map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (v !== ABSENT) out[k] = v;
    return out;
  });
  if (mode === 'wild') {
    // Unknown members are ignored by the service; they must not matter here either.
    arb = fc.tuple(arb, fc.option(fc.dictionary(fc.constantFrom('Unknown', 'keyId', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 1 })), { freq: 8 })).map(([r, extra]) => ({ ...(extra ?? {}), ...r }));
  }
  return arb;
}

const inputArbs = new Map<string, { valid: fc.Arbitrary<unknown>; wild: fc.Arbitrary<unknown> }>();
for (const op of OPS) {
  const model = OPERATIONS[op];
  if (!model) throw new Error(`operation ${op} is not in the model`);
  inputArbs.set(op, {
    valid: structureArb(model.input, 'valid', 0, op),
    wild: fc.oneof(
      { weight: 12, arbitrary: structureArb(model.input, 'wild', 0, op) },
      { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.integer(), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 })) },
    ),
  });
}

function inputArb(op: string, mode?: Mode): fc.Arbitrary<unknown> {
  const arbs = inputArbs.get(op)!;
  if (mode) return arbs[mode];
  return fc.oneof({ weight: 3, arbitrary: arbs.valid }, { weight: 2, arbitrary: arbs.wild });
}

// ------------------------------------------------------------------ commands

/** Regions a run may use besides us-east-1 and us-west-2: real ones, and names no region has. */
const ODD_REGIONS = ['cn-north-1', 'eu-west-1', 'r'.repeat(255), 'r'.repeat(256), 'ö'.repeat(128), 'ö'.repeat(130), '', ' ', 'a:b/c', REGION];
const runRegionArb = fc.constantFrom(...ODD_REGIONS);
/** Which region a call goes to: the default, us-west-2, or the run's own. */
type RegionChoice = 'default' | 'other' | 'run';
const regionArb: fc.Arbitrary<RegionChoice> = fc.oneof({ weight: 8, arbitrary: fc.constant('default' as const) }, { weight: 2, arbitrary: fc.constant('other' as const) }, { weight: 3, arbitrary: fc.constant('run' as const) });

function regionFor(w: World, choice: RegionChoice): string {
  return choice === 'default' ? REGION : choice === 'other' ? OTHER_REGION : w.runRegion;
}

type Body =
  | { kind: 'json'; input: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'none' };

type Command =
  | { kind: 'invoke'; op: string; input: unknown; region: RegionChoice | undefined }
  | { kind: 'http'; op: string | undefined; target: string | undefined; targetHeader: string; authorization: Authorization; body: Body }
  | { kind: 'advance'; by: string };

const invokeCommand: fc.Arbitrary<Command> = fc
  .constantFrom(...OPS)
  .chain((op) => fc.record({ kind: fc.constant('invoke' as const), op: fc.constant(op), input: inputArb(op), region: regionArb }));

const UNIMPLEMENTED = Object.keys(OPERATIONS).filter((op) => !HANDLERS[op]);
/** With every operation implemented, a name the model does not have stands for them. */
const UNKNOWN_TARGETS = UNIMPLEMENTED.length > 0 ? UNIMPLEMENTED : ['CreateKeyStoreOfTheFuture'];

const targetArb: fc.Arbitrary<{ op: string | undefined; target: string | undefined }> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...OPS).map((op) => ({ op, target: `TrentService.${op}` })) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_TARGETS).map((op) => ({ op: undefined, target: `TrentService.${op}` })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(undefined, '', 'TrentService.', 'TrentService', 'trentservice.Encrypt', 'TrentService.encrypt', 'KMS.Encrypt', 'TrentService.Encrypt ', 'TrentService.constructor', 'TrentService.__proto__', 'TrentService.toString'),
      fc.string({ maxLength: 30 }),
      fc.string({ maxLength: 20 }).map((s) => `TrentService.${s}`),
    ).map((target) => ({ op: undefined, target })),
  },
);

/** No Authorization header, a SigV4 one naming a region, or garbage. */
type Authorization = { kind: 'none' } | { kind: 'sigv4'; region: RegionChoice } | { kind: 'raw'; text: string };
const authorizationArb: fc.Arbitrary<Authorization> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 4, arbitrary: regionArb.map((region) => ({ kind: 'sigv4' as const, region })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ kind: 'raw' as const, text })) },
);

function authorizationHeader(w: World, a: Authorization): string | undefined {
  if (a.kind === 'none') return undefined;
  if (a.kind === 'raw') return a.text;
  return `AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/${regionFor(w, a.region)}/kms/aws4_request, SignedHeaders=host, Signature=00`;
}

const bodyArb = (op: string | undefined): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 8, arbitrary: (op ? inputArb(op) : fc.jsonValue({ maxDepth: 2 })).map((input) => ({ kind: 'json' as const, input })) },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.constantFrom('', ' ', '{', '}', '{"KeyId":', '[1,2', 'nul', 'null', '123', '"str"', 'true', '[]', '[{}]', '{"KeyId":null}', '{"__proto__":{"KeyId":"alias/alpha"}}', '\uFEFF{}', '{"KeyId":"alias/alpha","KeyId":1}'),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.json({ maxDepth: 3 }),
          fc.integer({ min: 1_000, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
          fc.integer({ min: 100_000, max: 1_000_000 }).map((n) => `{"KeyId":"${'k'.repeat(n)}","Plaintext":"${'A'.repeat(n - (n % 4))}"}`),
        )
        .map((text) => ({ kind: 'text' as const, text })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );

const httpCommand: fc.Arbitrary<Command> = targetArb.chain(({ op, target }) =>
  fc.record({
    kind: fc.constant('http' as const),
    op: fc.constant(op),
    target: fc.constant(target),
    targetHeader: fc.constantFrom('X-Amz-Target', 'x-amz-target', 'X-AMZ-TARGET'),
    authorization: authorizationArb,
    body: bodyArb(op),
  }),
);

const advanceCommand: fc.Arbitrary<Command> = fc.constantFrom('1s', '20m', '1h', '1d', '7d', '8d', '31d', '91d', '366d').map((by) => ({ kind: 'advance' as const, by }));

const commandArb: fc.Arbitrary<Command> = fc.oneof({ weight: 14, arbitrary: invokeCommand }, { weight: 4, arbitrary: httpCommand }, { weight: 1, arbitrary: advanceCommand });

// ------------------------------------------------------------------ checks

function realmsOf(w: World): string {
  return JSON.stringify(w.kms.snapshot().realms);
}

function describeInput(input: unknown): string {
  try {
    const text = JSON.stringify(input, (_k, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 60)}…(${v.length} chars)` : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
    return text === undefined ? String(input) : text;
  } catch {
    return String(input);
  }
}

function expectUnchanged(w: World, before: string, what: string): void {
  const after = realmsOf(w);
  if (after !== before) {
    expect(JSON.parse(after), `a failed call changed the state: ${what}`).toEqual(JSON.parse(before));
  }
}

function expectNoInternalErrors(w: World, what: string): void {
  const internal = w.kms.aws.internalErrors.recent();
  if (internal.length > 0) {
    const first = internal[0];
    throw new Error(`internal error on ${what}: ${first instanceof Error ? (first.stack ?? first.message) : String(first)}`);
  }
}

/** Checks a success output against the operation's output shape: known members, right types, enum values. */
function checkValue(value: unknown, shapeName: string, path: string): void {
  const shape = SHAPES[shapeName];
  if (!shape) throw new Error(`no shape ${shapeName}`);
  const fail = (why: string) => {
    throw new Error(`output ${path}: ${why} (${describeInput(value)})`);
  };
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') fail('not a string');
      if (shape.enum && !shape.enum.includes(value as string)) fail(`not one of ${shape.enum.join(', ')}`);
      return;
    case 'blob':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) fail('not base64');
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('not an integer');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('not a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('not an epoch-seconds number');
      return;
    case 'list':
      if (!Array.isArray(value)) fail('not a list');
      (value as unknown[]).forEach((v, i) => checkValue(v, shape.member, `${path}[${i}]`));
      return;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('not a map');
      for (const [k, v] of Object.entries(value as object)) checkValue(v, shape.value, `${path}.${k}`);
      return;
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('not a structure');
      for (const [k, v] of Object.entries(value as object)) {
        const def = shape.members[k];
        if (!def) fail(`unknown member ${k}`);
        if (v !== undefined) checkValue(v, def!.target, `${path}.${k}`);
      }
      for (const [k, def] of Object.entries(shape.members)) if (def.required && (value as Record<string, unknown>)[k] === undefined) fail(`missing required ${k}`);
    }
  }
}

/** Remembers what a successful call made, so later calls can refer to it. */
function harvest(w: World, op: string, input: Record<string, any>, output: Record<string, any>, region: string): void {
  if (op === 'CreateKey') w.keys.push({ id: output.KeyMetadata.KeyId, region });
  if (typeof output.NextMarker === 'string') w.markers.push(output.NextMarker);
  if (op === 'CreateAlias' && typeof input.AliasName === 'string' && !w.aliases.includes(input.AliasName)) w.aliases.push(input.AliasName);
  const keyIdOf = (value: unknown) => String(value).replace(/^.*:key\//, '');
  if (op === 'CreateGrant' && w.grants.length < 50 && !w.grants.some((g) => g.grantId === output.GrantId)) {
    w.grants.push({ keyId: keyIdOf(input.KeyId), region, grantId: output.GrantId, token: output.GrantToken, grantee: input.GranteePrincipal, retiring: input.RetiringPrincipal });
  }
  if (op === 'GetParametersForImport' && w.imports.length < 50) {
    const entry = importEntryOf(keyIdOf(output.KeyId), region, input.WrappingAlgorithm, output);
    if (entry) w.imports.push(entry);
  }
  if ((op === 'ImportKeyMaterial' || op === 'DeleteImportedKeyMaterial') && typeof output.KeyMaterialId === 'string') w.materialIds.set(keyIdOf(output.KeyId), output.KeyMaterialId);
  // Only envelopes: a public-key ciphertext (an asymmetric algorithm) decrypts only with its key named.
  const algorithm = op === 'ReEncrypt' ? output.DestinationEncryptionAlgorithm : output.EncryptionAlgorithm;
  if (typeof output.CiphertextBlob === 'string' && (algorithm === undefined || algorithm === 'SYMMETRIC_DEFAULT') && w.ciphertexts.length < 200) {
    const context = (op === 'ReEncrypt' ? input.DestinationEncryptionContext : input.EncryptionContext) as Record<string, string> | undefined;
    const keyId = String(output.KeyId).replace(/^.*:key\//, '');
    w.ciphertexts.push({
      blob: unb64(output.CiphertextBlob),
      context,
      keyId,
      region,
      ...(op === 'Encrypt' ? { plaintext: unb64(input.Plaintext) } : op === 'GenerateDataKey' ? { plaintext: unb64(output.Plaintext) } : {}),
    });
  }
}

/** A fresh ciphertext decrypts back to what went in. */
async function checkRoundTrip(w: World, entry: CiphertextEntry): Promise<void> {
  if (!entry.plaintext) return;
  const outcome = await w.kms.aws.invoke('Decrypt', { CiphertextBlob: b64(entry.blob), ...(entry.context ? { EncryptionContext: entry.context } : {}) }, { region: entry.region });
  if (!outcome.ok) throw new Error(`fresh ciphertext does not decrypt: ${outcome.error.code} ${outcome.error.message}`);
  expect(outcome.output.Plaintext).toBe(b64(entry.plaintext));
}

function regionOf(meta: AwsCallMeta): string {
  return meta.region ?? REGION;
}

async function runInvoke(w: World, op: string, rawInput: unknown, region: string | undefined): Promise<void> {
  const { input } = resolveInput(w, rawInput, region ?? REGION);
  const meta: AwsCallMeta = region !== undefined ? { region } : {};
  const what = `${op} ${describeInput(input)} ${region !== undefined ? `(region ${region})` : ''}`;
  const before = realmsOf(w);
  const outcome = await w.kms.aws.invoke(op, input, meta);
  w.regions.add(regionOf(meta));
  count(w.stats, op, outcome);
  expectNoInternalErrors(w, what);
  if (outcome.ok) {
    checkValue(outcome.output, OPERATIONS[op]!.output, op);
    const ciphertexts = w.ciphertexts.length;
    harvest(w, op, input as Record<string, any>, outcome.output, regionOf(meta));
    if (w.ciphertexts.length > ciphertexts) await checkRoundTrip(w, w.ciphertexts[w.ciphertexts.length - 1]!);
  } else {
    expect(outcome.error, what).toBeInstanceOf(AwsServiceError);
    expect(ALLOWED.get(op)!.has(outcome.error.code), `${outcome.error.code} (${outcome.error.message}) from ${what}`).toBe(true);
    expect(outcome.error.httpStatusCode, what).toBe(400);
    expectUnchanged(w, before, what);
  }
}

async function runHttp(w: World, c: Extract<Command, { kind: 'http' }>): Promise<void> {
  let body: string | Uint8Array | undefined;
  let input: unknown;
  const authorization = authorizationHeader(w, c.authorization);
  // The dialect takes the realm's region from the SigV4 credential scope.
  const region = parseAuthorization(authorization).region ?? REGION;
  switch (c.body.kind) {
    case 'json':
      input = resolveInput(w, c.body.input, region).input;
      body = JSON.stringify(input) ?? '';
      break;
    case 'text':
      body = c.body.text;
      break;
    case 'bytes':
      body = c.body.bytes;
      break;
    case 'none':
      body = undefined;
  }
  const headers: Record<string, string | undefined> = { 'Content-Type': AWS_JSON_CONTENT_TYPE, [c.targetHeader]: c.target };
  if (authorization !== undefined) headers.Authorization = authorization;
  const what = `HTTP ${String(c.target)} ${typeof body === 'string' ? describeInput(body) : body ? `<${body.length} bytes>` : '<no body>'} auth=${String(authorization)}`;
  const before = realmsOf(w);
  const response = await w.kms.aws.handle({ headers, ...(body !== undefined ? { body } : {}) });
  w.regions.add(region);
  expectNoInternalErrors(w, what);
  expect(response.headers['content-type'], what).toBe(AWS_JSON_CONTENT_TYPE);
  expect(response.headers['x-amzn-requestid'], what).toMatch(/^[0-9a-f-]{36}$/);
  expect([200, 400], what).toContain(response.statusCode);
  const parsed = JSON.parse(new TextDecoder().decode(response.body)) as Record<string, any>;
  count(w.stats, `http:${c.op ?? '?'}`, response.statusCode === 200 ? { ok: true } : { ok: false, code: parsed.__type });
  if (response.statusCode === 200) {
    expect(c.op, `${what} succeeded for an unknown target`).toBeDefined();
    checkValue(parsed, OPERATIONS[c.op!]!.output, c.op!);
    if (input && typeof input === 'object') harvest(w, c.op!, input as Record<string, any>, parsed, region);
  } else {
    const allowed = c.op ? ALLOWED.get(c.op)! : ALLOWED_UNKNOWN;
    expect(typeof parsed.__type, what).toBe('string');
    expect(allowed.has(parsed.__type), `${parsed.__type} (${parsed.message}) from ${what}`).toBe(true);
    if (parsed.message !== undefined) expect(typeof parsed.message, what).toBe('string');
    if (!c.op) expect(['UnknownOperationException', 'SerializationException'], what).toContain(parsed.__type);
    expectUnchanged(w, before, what);
  }
}

async function run(w: World, c: Command): Promise<void> {
  switch (c.kind) {
    case 'invoke':
      return await runInvoke(w, c.op, c.input, c.region === undefined || c.region === 'default' ? undefined : regionFor(w, c.region));
    case 'http':
      return await runHttp(w, c);
    case 'advance':
      w.kms.clock.advance(c.by);
      expectNoInternalErrors(w, `advance ${c.by}`);
  }
}

/** Pages through a list operation with the given page size; returns every item. */
async function pageAll(w: World, op: 'ListKeys' | 'ListAliases' | 'ListGrants', member: 'Keys' | 'Aliases' | 'Grants', limit: number, region: string, input: Record<string, unknown> = {}): Promise<any[]> {
  const items: any[] = [];
  let marker: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const outcome = await w.kms.aws.invoke(op, { ...input, Limit: limit, ...(marker ? { Marker: marker } : {}) }, { region });
    if (!outcome.ok) throw new Error(`${op} page failed: ${outcome.error.code} ${outcome.error.message}`);
    const out = outcome.output as Record<string, any>;
    items.push(...out[member]);
    expect(out.Truncated).toBe(out.NextMarker !== undefined);
    if (!out.NextMarker) return items;
    expect(out[member].length).toBe(limit);
    marker = out.NextMarker;
  }
  throw new Error(`${op} does not end`);
}

async function checkInvariants(w: World, pageSize: number): Promise<void> {
  const snapshot = w.kms.snapshot();
  const now = w.kms.clock.now();
  const listedRegions = new Set<string>();
  for (const realm of snapshot.realms) {
    expect(realm.account).toBe(ACCOUNT);
    listedRegions.add(realm.region);
    const keyIds = realm.keys.map((k) => k.id);
    const keySet = new Set(keyIds);
    for (const alias of realm.aliases) expect(keySet.has(alias.keyId), `alias ${alias.name} points at missing key ${alias.keyId}`).toBe(true);
    for (const key of realm.keys) {
      if (key.currentMaterialId !== undefined) {
        expect(key.materials.map((m) => m.id), `key ${key.id} current material`).toContain(key.currentMaterialId);
      } else {
        expect(key.materials, `key ${key.id} has material but no current material`).toEqual([]);
        expect(key.origin).toBe('EXTERNAL');
      }
      if (key.state === 'PendingDeletion') {
        expect(key.deletionDate, `key ${key.id} pending deletion without a date`).toBeTypeOf('number');
        expect(key.deletionDate!, `key ${key.id} is past its deletion date`).toBeGreaterThan(now);
      } else {
        expect(key.deletionDate, `key ${key.id} (${key.state}) has a deletion date`).toBeUndefined();
      }
    }
    // ListKeys pages through exactly the keys of the realm, in order, each found by DescribeKey.
    const listed = await pageAll(w, 'ListKeys', 'Keys', pageSize, realm.region);
    expect(listed.map((k) => k.KeyId)).toEqual(keyIds);
    // (An ARN names a key only when the region is a real region name: no ':' or '/' in it.)
    const byArn = /^[a-z0-9-]+$/.test(realm.region);
    for (const k of listed) {
      for (const name of byArn ? [k.KeyId, k.KeyArn] : [k.KeyId]) {
        const described = await w.kms.aws.invoke('DescribeKey', { KeyId: name }, { region: realm.region });
        expect(described.ok ? 'found' : `${described.error.code}: ${described.error.message}`, `DescribeKey of listed key ${name}`).toBe('found');
        if (described.ok) expect((described.output as Record<string, any>).KeyMetadata.KeyId).toBe(k.KeyId);
      }
    }
    const listedAliases = await pageAll(w, 'ListAliases', 'Aliases', Math.min(pageSize, 100), realm.region);
    // Predefined aliases of AWS managed keys not made yet are listed without a key.
    const predefined = listedAliases.filter((a) => a.TargetKeyId === undefined).map((a) => a.AliasName as string);
    for (const name of predefined) expect(name.startsWith('alias/aws/') && !realm.aliases.some((a) => a.name === name), `predefined alias ${name}`).toBe(true);
    const aliases = listedAliases.filter((a) => a.TargetKeyId !== undefined);
    expect(aliases.map((a) => a.AliasName).sort()).toEqual(realm.aliases.map((a) => a.name).sort());
    for (const a of aliases) expect(keySet.has(a.TargetKeyId)).toBe(true);
    // ListGrants pages through exactly each key's grants; the token of a grant the run knows names it.
    for (const key of realm.keys) {
      const grants = key.grants ?? [];
      if (grants.length === 0) continue;
      const listed = await pageAll(w, 'ListGrants', 'Grants', Math.min(pageSize, 100), realm.region, { KeyId: key.id });
      expect(listed.map((g) => g.GrantId).sort(), `ListGrants of key ${key.id}`).toEqual(grants.map((g) => g.id).sort());
      for (const g of grants) {
        const known = w.grants.find((k) => k.grantId === g.id && k.region === realm.region);
        if (!known) continue;
        const dry = await w.kms.aws.invoke('RetireGrant', { GrantToken: known.token, DryRun: true }, { region: realm.region });
        expect(dry.ok ? 'ok' : dry.error.code, `dry-run RetireGrant of live grant ${g.id}`).toBe('DryRunOperationException');
      }
    }
  }
  // Keys that are gone (deleted when their date came) are not found by DescribeKey either.
  for (const key of w.keys) {
    const realm = snapshot.realms.find((r) => r.region === key.region);
    if (realm?.keys.some((k) => k.id === key.id)) continue;
    const described = await w.kms.aws.invoke('DescribeKey', { KeyId: key.id }, { region: key.region });
    expect(described.ok ? 'found' : described.error.code, `DescribeKey of deleted key ${key.id}`).toBe('NotFoundException');
  }
  // A realm that does not show in the snapshot lists no keys.
  for (const region of w.regions) {
    if (listedRegions.has(region)) continue;
    const outcome = await w.kms.aws.invoke('ListKeys', {}, { region });
    expect(outcome.ok && outcome.output.Keys, `ListKeys in region ${region} with no realm`).toEqual([]);
  }
  // The state survives snapshot, JSON and restore unchanged.
  const copy = createKms({ clock: new ManualClock(now), seed: 'fuzz-world', aws: NO_NETWORK });
  copy.restore(JSON.parse(JSON.stringify(snapshot)));
  expect(copy.snapshot().realms, 'snapshot and restore round trip').toEqual(snapshot.realms);
  expectNoInternalErrors(w, 'invariant checks');
}

// ------------------------------------------------------------------ runner

async function assertProperty<T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns, endOnFailure: false });
  } catch (e) {
    console.error(`[fuzz] ${name} failed with seed ${SEED} (numRuns ${numRuns}); replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx vitest run test/fuzz`);
    throw e;
  }
}

describe('AWS dialect fuzzing', () => {
  it(
    'every operation, called with valid-looking input, succeeds at least sometimes and fails only with modelled errors',
    async () => {
      const stats = newStats();
      // A successful GetParametersForImport generates a seeded RSA_2048 wrapping key pair (~0.2 s):
      // fewer runs for it here (the sequences call it too).
      const runsOf = (op: string) => Math.max(10, Math.round(RUNS / (op === 'GetParametersForImport' ? 20 : 4)));
      for (const op of OPS) {
        await assertProperty(
          `single ${op}`,
          fc.asyncProperty(inputArb(op, 'valid'), async (input) => {
            const w = await makeWorld(stats);
            await runInvoke(w, op, input, undefined);
          }),
          runsOf(op),
        );
      }
      const neverSucceeded = OPS.filter((op) => !stats.successes.get(op));
      expect(neverSucceeded, `operations whose valid-looking calls never succeeded; errors: ${describeInput(Object.fromEntries([...stats.errors].map(([k, v]) => [k, Object.fromEntries(v)])))}`).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'random sequences of calls (invoke and HTTP) keep every property and invariant',
    async () => {
      const stats = newStats();
      await assertProperty(
        'sequences',
        fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 24 }), runRegionArb, fc.constantFrom(1, 2, 3, 1000), async (commands, runRegion, pageSize) => {
          const w = await makeWorld(stats, runRegion);
          for (const c of commands) await run(w, c);
          await checkInvariants(w, pageSize);
        }),
        RUNS,
      );
      if (process.env.FUZZ_STATS) console.log(describeInput(Object.fromEntries(OPS.map((op) => [op, { calls: stats.calls.get(op), ok: stats.successes.get(op), http: stats.calls.get(`http:${op}`), httpOk: stats.successes.get(`http:${op}`), errors: Object.fromEntries(stats.errors.get(op) ?? []) }]))));
      // Every operation was reached through both entry points.
      for (const op of OPS) {
        expect(stats.calls.get(op) ?? 0, `invoke ${op}`).toBeGreaterThan(0);
        expect(stats.calls.get(`http:${op}`) ?? 0, `HTTP ${op}`).toBeGreaterThan(0);
      }
    },
    TIMEOUT,
  );

  it(
    'random HTTP requests never break the endpoint',
    async () => {
      await assertProperty(
        'http',
        fc.asyncProperty(fc.array(httpCommand, { minLength: 1, maxLength: 8 }), runRegionArb, async (commands, runRegion) => {
          const w = await makeWorld(undefined, runRegion);
          for (const c of commands) await run(w, c);
          await checkInvariants(w, 1000);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    'the world is reproducible (seeded), so failures replay',
    async () => {
      const a = await buildWorld('eu-west-1');
      const b = await buildWorld('eu-west-1');
      expect(a.keys).toEqual(b.keys);
      expect(a.special).toEqual(b.special);
      expect(a.grants).toEqual(b.grants);
      expect(a.imports).toEqual(b.imports);
      expect(a.materialIds).toEqual(b.materialIds);
      expect(realmsOf(a)).toBe(realmsOf(b));
      await checkInvariants(a, 2);
      // A world copied from the templates is the world built from scratch. (Equal, not the same
      // JSON: a restored snapshot may order an object's members differently.)
      const copy = await makeWorld(undefined, 'eu-west-1');
      expect(copy.keys).toEqual(b.keys);
      expect(copy.grants).toEqual(b.grants);
      expect(copy.imports).toEqual(b.imports);
      expect(copy.kms.snapshot().realms).toEqual(b.kms.snapshot().realms);
    },
    TIMEOUT,
  );
});
