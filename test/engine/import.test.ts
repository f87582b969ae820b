import { constants, createHmac, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { aeskwp } from '@noble/ciphers/aes.js';
import { sm2 } from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import {
  createKms,
  ManualClock,
  ServiceEvent,
  type CallContext,
  type Engine,
  type KeyRef,
  type KeySpec,
  type KeyUsage,
  type KmsError,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from '../../src/index.js';
import { str, text, thrown } from '../support/engine.js';

/**
 * The engine directly: BYOK import. Material is wrapped outside the emulator (node:crypto,
 * @noble/ciphers AES-KWP, sm-crypto SM2) exactly as a customer would wrap it.
 */
const ctx: CallContext = {
  realm: { account: '111122223333', region: 'us-east-1' },
  principal: { account: '111122223333', type: 'root', id: '111122223333' },
  requestId: 'test',
};
const START = '2026-01-01T00:00:00Z';
const HOUR = 3_600_000;

function fresh(seed = 'import') {
  const kms = createKms({ clock: new ManualClock(START), seed });
  return { kms, engine: kms.engine };
}

function external(engine: Engine, spec: KeySpec = 'AES_256', usage: KeyUsage = 'ENCRYPT_DECRYPT'): KeyRef & { keyId: string } {
  return { keyId: engine.createKey(ctx, { spec, usage, origin: 'EXTERNAL' }).id };
}

/** Wraps `material` to the DER public key as a customer does for each wrapping algorithm. */
function wrap(algorithm: WrappingAlgorithm, publicKey: Uint8Array, material: Uint8Array): Uint8Array {
  if (algorithm === 'SM2PKE') {
    const point = Buffer.from(publicKey.subarray(publicKey.length - 65)).toString('hex');
    return new Uint8Array(Buffer.from(sm2.doEncrypt(Array.from(material), point, 1), 'hex'));
  }
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  const oaep = (hash: string, data: Uint8Array) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  switch (algorithm) {
    case 'RSAES_PKCS1_V1_5':
      return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, material));
    case 'RSAES_OAEP_SHA_1':
      return new Uint8Array(oaep('sha1', material));
    case 'RSAES_OAEP_SHA_256':
      return new Uint8Array(oaep('sha256', material));
    case 'RSA_AES_KEY_WRAP_SHA_1':
    case 'RSA_AES_KEY_WRAP_SHA_256': {
      const aesKey = randomBytes(32);
      const head = oaep(algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256', aesKey);
      return new Uint8Array(Buffer.concat([head, aeskwp(aesKey).encrypt(material)]));
    }
  }
}

async function importInto(
  engine: Engine,
  ref: KeyRef,
  material: Uint8Array,
  options: { algorithm?: WrappingAlgorithm; spec?: WrappingKeySpec; validTo?: number } = {},
) {
  const algorithm = options.algorithm ?? 'RSAES_OAEP_SHA_256';
  const spec = options.spec ?? (algorithm === 'SM2PKE' ? 'SM2' : 'RSA_2048');
  const params = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: algorithm, wrappingKeySpec: spec });
  return engine.importKeyMaterial(ctx, ref, {
    importToken: params.importToken,
    encryptedKeyMaterial: wrap(algorithm, params.publicKey, material),
    ...(options.validTo !== undefined ? { validTo: options.validTo } : {}),
  });
}

async function rejected(promise: Promise<unknown>): Promise<KmsError> {
  try {
    await promise;
  } catch (e) {
    return e as KmsError;
  }
  throw new Error('expected a KmsError');
}

/** The key's entry in a snapshot (material included). */
function snapshotKey(engine: Engine, keyId: string) {
  for (const realm of engine.snapshot().realms) {
    const key = realm.keys.find((k) => k.id === keyId);
    if (key) return key;
  }
  throw new Error(`no key ${keyId}`);
}

/** Runs a refused call and checks that the whole state is byte for byte what it was. */
async function refusedUnchanged(engine: Engine, call: () => Promise<unknown> | unknown): Promise<KmsError> {
  const before = JSON.stringify(engine.snapshot());
  const error = await rejected((async () => call())());
  expect(error.name).toBe('KmsError');
  expect(JSON.stringify(engine.snapshot())).toBe(before);
  return error;
}

describe('import parameters', () => {
  it('are a wrapping public key (DER SPKI of the requested spec) and a token valid for 24 hours', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const rsa = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_3072' });
    expect(createPublicKey({ key: Buffer.from(rsa.publicKey), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(rsa.importToken.length).toBe(256);
    expect(rsa.validTo).toBe(kms.clock.now() + 24 * HOUR);
    const sm = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2', validForMs: HOUR });
    expect(Buffer.from(sm.publicKey).toString('base64')).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE/);
    expect(sm.validTo).toBe(kms.clock.now() + HOUR);
    expect(Buffer.from(sm.importToken).equals(Buffer.from(rsa.importToken))).toBe(false);
  });

  it('are reproducible with a seed', async () => {
    const one = fresh('same');
    const two = fresh('same');
    const [a, b] = [external(one.engine), external(two.engine)];
    const pa = await one.engine.getImportParameters(ctx, a, { wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048' });
    const pb = await two.engine.getImportParameters(ctx, b, { wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048' });
    expect(a).toEqual(b);
    expect(pa).toEqual(pb);
  });

  it('are refused for a key the service generated material for, with Unsupported reason origin', async () => {
    const { engine } = fresh();
    const generated = { keyId: engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' }).id };
    const error = await refusedUnchanged(engine, () => engine.getImportParameters(ctx, generated, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' }));
    expect(error).toMatchObject({ code: 'Unsupported', details: { reason: 'origin', origin: 'GENERATED', keyId: generated.keyId } });
    expect((await refusedUnchanged(engine, () => engine.deleteImportedKeyMaterial(ctx, generated))).details.reason).toBe('origin');
  });

  it('refuse a wrapping algorithm of another key type (SM2PKE with RSA, RSA with SM2) and a non-positive validity', async () => {
    const { engine } = fresh();
    const ref = external(engine);
    for (const [wrappingAlgorithm, wrappingKeySpec] of [['SM2PKE', 'RSA_2048'], ['RSAES_OAEP_SHA_256', 'SM2']] as const) {
      const error = await refusedUnchanged(engine, () => engine.getImportParameters(ctx, ref, { wrappingAlgorithm, wrappingKeySpec }));
      expect(error).toMatchObject({ code: 'Validation', details: { reason: 'wrapping-key-spec' } });
    }
    const error = await refusedUnchanged(engine, () => engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2', validForMs: 0 }));
    expect(error.details.reason).toBe('valid-for');
  });

  it('are refused for a key pending deletion', async () => {
    const { engine } = fresh();
    const ref = external(engine);
    engine.scheduleDeletion(ctx, ref, 7);
    const error = await refusedUnchanged(engine, () => engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2' }));
    expect(error).toMatchObject({ code: 'InvalidState', details: { state: 'PendingDeletion' } });
  });
});

describe('importing symmetric key material', () => {
  const cases: Array<[KeySpec, WrappingAlgorithm, WrappingKeySpec?]> = [
    ['AES_256', 'RSAES_PKCS1_V1_5'],
    ['AES_256', 'RSAES_OAEP_SHA_1'],
    ['AES_256', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
    ['AES_256', 'RSA_AES_KEY_WRAP_SHA_1'],
    ['AES_256', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072'],
    ['AES_256', 'SM2PKE'],
    ['SM4', 'SM2PKE'],
    ['SM4', 'RSAES_OAEP_SHA_256'],
    ['SM4', 'RSA_AES_KEY_WRAP_SHA_256'],
  ];
  for (const [keySpec, algorithm, wrappingSpec] of cases) {
    it(`${keySpec} material wrapped with ${algorithm}${wrappingSpec ? ` (${wrappingSpec})` : ''} enables the key and encrypts with exactly that material`, async () => {
      const { kms, engine } = fresh(`${keySpec}-${algorithm}`);
      const ref = external(engine, keySpec);
      const material = new Uint8Array(randomBytes(keySpec === 'SM4' ? 16 : 32));
      const key = await importInto(engine, ref, material, { algorithm, ...(wrappingSpec ? { spec: wrappingSpec } : {}) });
      expect(key).toMatchObject({ state: 'Enabled', lastImportedAt: kms.clock.now() });
      expect(key.materialValidTo).toBeUndefined();
      expect(key.materials).toHaveLength(1);
      expect(key.currentMaterialId).toBe(key.materials[0]!.id);
      expect(Buffer.from(snapshotKey(engine, ref.keyId).materials[0]!.secret!, 'base64').equals(Buffer.from(material))).toBe(true);
      const { ciphertext } = engine.encrypt(ctx, ref, text('imported'), { app: 'x' });
      expect(str(engine.decrypt(ctx, ciphertext, { app: 'x' }).plaintext)).toBe('imported');
    });
  }

  it('material deleted and imported again (same bytes) decrypts what was encrypted before; the key keeps one material version', async () => {
    const { engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    const first = await importInto(engine, ref, material);
    const materialId = first.currentMaterialId;
    const { ciphertext } = engine.encrypt(ctx, ref, text('before deletion'));
    const deleted = engine.deleteImportedKeyMaterial(ctx, ref);
    expect(deleted.state).toBe('PendingImport');
    expect(deleted.currentMaterialId).toBe(materialId);
    // The version stays, without its bytes: the same material brings it back.
    expect(snapshotKey(engine, ref.keyId).materials).toEqual([{ id: materialId, createdAt: first.createdAt, importedAt: first.createdAt }]);
    expect(thrown(() => engine.decrypt(ctx, ciphertext))).toMatchObject({ code: 'InvalidState', details: { state: 'PendingImport' } });
    const again = await importInto(engine, ref, material, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect(again).toMatchObject({ state: 'Enabled', currentMaterialId: materialId });
    expect(again.materials).toHaveLength(1);
    expect(str(engine.decrypt(ctx, ciphertext).plaintext)).toBe('before deletion');
  });

  it('different material is refused with IncorrectKeyMaterial, whether the key holds material or had it deleted', async () => {
    const { engine } = fresh();
    const ref = external(engine);
    await importInto(engine, ref, new Uint8Array(randomBytes(32)));
    const other = new Uint8Array(randomBytes(32));
    const params = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    const input = { importToken: params.importToken, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, other) };
    expect(await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, input))).toMatchObject({ code: 'IncorrectKeyMaterial', details: { keyId: ref.keyId } });
    engine.deleteImportedKeyMaterial(ctx, ref);
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, input))).code).toBe('IncorrectKeyMaterial');
    expect(engine.describeKey(ctx, ref).state).toBe('PendingImport');
  });

  it('re-importing the same material into an enabled or disabled key keeps its state and updates the expiry', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    await importInto(engine, ref, material, { validTo: kms.clock.now() + 48 * HOUR });
    engine.disableKey(ctx, ref);
    const again = await importInto(engine, ref, material);
    expect(again.state).toBe('Disabled');
    expect(again.materialValidTo).toBeUndefined();
    engine.enableKey(ctx, ref);
    expect((await importInto(engine, ref, material, { validTo: kms.clock.now() + HOUR })).materialValidTo).toBe(kms.clock.now() + HOUR);
  });

  it('refuses bad tokens, expired tokens, unwrappable material, wrong sizes and past expiry dates, changing nothing', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const otherKey = external(engine);
    const material = new Uint8Array(randomBytes(32));
    const params = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048', validForMs: HOUR });
    const wrapped = wrap('RSAES_OAEP_SHA_256', params.publicKey, material);
    const good = { importToken: params.importToken, encryptedKeyMaterial: wrapped };

    const unknown = await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, importToken: new Uint8Array(randomBytes(256)) }));
    expect(unknown).toMatchObject({ code: 'InvalidImportToken', details: { keyId: ref.keyId } });
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, importToken: new Uint8Array(0) }))).code).toBe('InvalidImportToken');
    // A token of another key is no token for this one.
    await engine.getImportParameters(ctx, otherKey, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, otherKey, good))).code).toBe('InvalidImportToken');

    const garbage = await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, encryptedKeyMaterial: new Uint8Array(256).fill(7) }));
    expect(garbage).toMatchObject({ code: 'InvalidCiphertext', details: { reason: 'wrapped-key-material' } });
    // Wrapped to another wrapping key: does not unwrap.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', new Uint8Array(stranger), material) }))).code).toBe('InvalidCiphertext');
    // Wrapped with the other OAEP hash: does not unwrap either.
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_1', params.publicKey, material) }))).code).toBe('InvalidCiphertext');

    const short = await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, material.subarray(0, 16)) }));
    expect(short).toMatchObject({ code: 'Validation', details: { reason: 'key-material-size', spec: 'AES_256' } });

    for (const validTo of [kms.clock.now(), kms.clock.now() - 1, Number.NaN]) {
      expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, { ...good, validTo }))).details.reason).toBe('valid-to');
    }

    kms.clock.advance('1h');
    const expired = await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, good));
    expect(expired).toMatchObject({ code: 'ExpiredImportToken', details: { keyId: ref.keyId } });
    expect(engine.describeKey(ctx, ref).state).toBe('PendingImport');
  });

  it('keeps the newest ten parameter sets: an older token stops working', async () => {
    const { engine } = fresh();
    const ref = external(engine, 'SM4');
    const material = new Uint8Array(randomBytes(16));
    const sets = [];
    for (let i = 0; i < 11; i++) sets.push(await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2' }));
    const oldest = { importToken: sets[0]!.importToken, encryptedKeyMaterial: wrap('SM2PKE', sets[0]!.publicKey, material) };
    expect((await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, oldest))).code).toBe('InvalidImportToken');
    const second = { importToken: sets[1]!.importToken, encryptedKeyMaterial: wrap('SM2PKE', sets[1]!.publicKey, material) };
    expect((await engine.importKeyMaterial(ctx, ref, second)).state).toBe('Enabled');
  });

  it('follows the state table: a key pending deletion refuses import; deleting its material keeps it pending deletion, and cancelling brings it back to PendingImport', async () => {
    const { engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    const params = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    await engine.importKeyMaterial(ctx, ref, { importToken: params.importToken, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, material) });
    engine.disableKey(ctx, ref);
    engine.scheduleDeletion(ctx, ref, 7);
    const error = await refusedUnchanged(engine, () =>
      engine.importKeyMaterial(ctx, ref, { importToken: params.importToken, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, material) }),
    );
    expect(error).toMatchObject({ code: 'InvalidState', details: { state: 'PendingDeletion' } });
    expect(engine.deleteImportedKeyMaterial(ctx, ref).state).toBe('PendingDeletion');
    expect(engine.cancelDeletion(ctx, ref).state).toBe('PendingImport');
  });
});

describe('material expiry', () => {
  it('when validTo comes the material is deleted, the key waits for import, and a DeleteExpiredKeyMaterial service event is recorded', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    const validTo = kms.clock.now() + 36 * HOUR;
    const key = await importInto(engine, ref, material, { validTo });
    expect(key.materialValidTo).toBe(validTo);
    const { ciphertext } = engine.encrypt(ctx, ref, text('short-lived'));
    kms.clock.advance('35h');
    expect(engine.describeKey(ctx, ref).state).toBe('Enabled');
    kms.clock.advance('2h');
    const after = engine.describeKey(ctx, ref);
    expect(after.state).toBe('PendingImport');
    expect(after.materialValidTo).toBeUndefined();
    expect(snapshotKey(engine, ref.keyId).materials[0]!.secret).toBeUndefined();
    const events = engine.audit.list((e) => e.kind === 'service_event');
    expect(events).toEqual([
      expect.objectContaining({
        action: ServiceEvent.deleteExpiredKeyMaterial,
        time: validTo,
        resources: [{ account: ctx.realm.account, region: ctx.realm.region, keyId: ref.keyId }],
        additional: { keyOrigin: 'EXTERNAL', keyMaterialId: key.currentMaterialId },
      }),
    ]);
    expect(ServiceEvent.deleteExpiredKeyMaterial).toBe('DeleteExpiredKeyMaterial');
    // The same material brings the key (and its old ciphertexts) back.
    await importInto(engine, ref, material);
    expect(str(engine.decrypt(ctx, ciphertext).plaintext)).toBe('short-lived');
  });

  it('an expiry replaced by a later import (or removed) does not fire at the old date', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    await importInto(engine, ref, material, { validTo: kms.clock.now() + HOUR });
    await importInto(engine, ref, material, { validTo: kms.clock.now() + 10 * HOUR });
    kms.clock.advance('2h');
    expect(engine.describeKey(ctx, ref).state).toBe('Enabled');
    await importInto(engine, ref, material);
    kms.clock.advance('20h');
    expect(engine.describeKey(ctx, ref).state).toBe('Enabled');
    expect(engine.audit.list((e) => e.kind === 'service_event')).toEqual([]);
  });

  it('a key restored from a snapshot still expires on time', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    await importInto(engine, ref, new Uint8Array(randomBytes(32)), { validTo: kms.clock.now() + 2 * HOUR });
    const restored = createKms({ clock: new ManualClock(kms.clock.now()), seed: 'import' });
    restored.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    expect(restored.engine.describeKey(ctx, ref).state).toBe('Enabled');
    restored.clock.advance('3h');
    expect(restored.engine.describeKey(ctx, ref).state).toBe('PendingImport');
    expect(restored.engine.audit.list((e) => e.action === ServiceEvent.deleteExpiredKeyMaterial)).toHaveLength(1);
  });
});

describe('importing HMAC and asymmetric key material', () => {
  it('HMAC_256 takes 32 to 64 bytes; the MAC is the standard HMAC under the imported key', async () => {
    const { engine } = fresh();
    const ref = external(engine, 'HMAC_256', 'GENERATE_VERIFY_MAC');
    const tooShort = await rejected(importInto(engine, ref, new Uint8Array(31)));
    expect(tooShort.details.reason).toBe('key-material-size');
    expect((await rejected(importInto(engine, ref, new Uint8Array(65)))).details.reason).toBe('key-material-size');
    const material = new Uint8Array(randomBytes(64));
    await importInto(engine, ref, material, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    const { mac } = engine.generateMac(ctx, ref, 'HMAC_SHA_256', text('message'));
    expect(Buffer.from(mac).equals(createHmac('sha256', material).update('message').digest())).toBe(true);
  });

  it('an EC_P256 private key (PKCS#8 from node:crypto) signs verifiably; a P-384 key does not fit', async () => {
    const { engine } = fresh();
    const ref = external(engine, 'EC_P256', 'SIGN_VERIFY');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect((await rejected(importInto(engine, ref, new Uint8Array(p384), { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }))).details.reason).toBe('key-material-size');
    expect((await rejected(importInto(engine, ref, new Uint8Array(32), { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }))).details.reason).toBe('key-material-size');
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
    await importInto(engine, ref, pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    const { signature } = await engine.sign(ctx, ref, { algorithm: 'ECDSA_SHA_256', input: 'RAW', message: text('signed elsewhere-verifiable') });
    expect(verify('sha256', Buffer.from('signed elsewhere-verifiable'), pair.publicKey, Buffer.from(signature))).toBe(true);
    const exported = (await engine.getPublicKey(ctx, ref)).publicKey;
    expect(Buffer.from(exported).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('an RSA_2048 private key wrapped with RSA_AES_KEY_WRAP_SHA_1 signs with PKCS#1 v1.5 verifiably', async () => {
    const { engine } = fresh();
    const ref = external(engine, 'RSA_2048', 'SIGN_VERIFY');
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await importInto(engine, ref, new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })), { algorithm: 'RSA_AES_KEY_WRAP_SHA_1' });
    const { signature } = await engine.sign(ctx, ref, { algorithm: 'RSA_PKCS1_SHA_256', input: 'RAW', message: text('hello') });
    expect(verify('sha256', Buffer.from('hello'), pair.publicKey, Buffer.from(signature))).toBe(true);
  });
});

describe('import state is durable', () => {
  async function scenario(engine: Engine, clock: ManualClock, step: () => void) {
    const aes = external(engine);
    const sm4 = external(engine, 'SM4');
    const material = new Uint8Array(32).fill(1);
    const params = await engine.getImportParameters(ctx, aes, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    step();
    await engine.importKeyMaterial(ctx, aes, { importToken: params.importToken, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, material), validTo: clock.now() + 5 * HOUR });
    step();
    await engine.getImportParameters(ctx, sm4, { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2' });
    step();
    engine.bindResource(ctx, aes, 'cos', 'bucket');
    step();
    engine.unbindResource(ctx, aes, 'cos', 'bucket');
    step();
    clock.advance('6h');
    step();
    await importInto(engine, aes, material);
    step();
    engine.deleteImportedKeyMaterial(ctx, aes);
    step();
    await importInto(engine, aes, material, { validTo: clock.now() + HOUR });
    step();
    return { aes, sm4 };
  }

  it('a replica fed only change records equals the live engine after every import step, expiry included', async () => {
    const clock = new ManualClock(START);
    const live = createKms({ clock, seed: 'durable' });
    const replica = createKms({ clock: new ManualClock(START), seed: 'durable' });
    let records = 0;
    const step = () => {
      const changes = live.engine.takeChanges();
      if (changes) {
        records++;
        replica.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
      }
      expect({ ...replica.snapshot(), takenAt: 0 }).toEqual({ ...live.snapshot(), takenAt: 0 });
    };
    step();
    const { aes } = await scenario(live.engine, clock, step);
    expect(records).toBeGreaterThanOrEqual(9);
    const key = live.snapshot().realms[0]!.keys.find((k) => k.id === aes.keyId)!;
    expect(key.materialDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(key.importParameters!.length).toBe(3);
    expect(key.lastImportedAt).toBe(clock.now());
    expect(key.materialValidTo).toBe(clock.now() + HOUR);
  });

  it('a snapshot round trip keeps tokens, wrapping keys, digests and expiry: an old token still imports after restore', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    await importInto(engine, ref, material, { validTo: kms.clock.now() + 10 * HOUR });
    engine.bindResource(ctx, ref, 'cbs', 'disk');
    const params = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    expect(snapshot.version).toBe(3);
    const restored = createKms({ clock: new ManualClock(kms.clock.now()), seed: 'import' });
    restored.restore(snapshot);
    expect(restored.snapshot()).toEqual(kms.snapshot());
    const input = { importToken: params.importToken, encryptedKeyMaterial: wrap('RSA_AES_KEY_WRAP_SHA_256', params.publicKey, material) };
    expect((await restored.engine.importKeyMaterial(ctx, ref, input)).materialValidTo).toBeUndefined();
    const different = { importToken: params.importToken, encryptedKeyMaterial: wrap('RSA_AES_KEY_WRAP_SHA_256', params.publicKey, new Uint8Array(32)) };
    expect((await rejected(restored.engine.importKeyMaterial(ctx, ref, different))).code).toBe('IncorrectKeyMaterial');
  });

  it('snapshots refuse an enabled key without its material', async () => {
    const { kms, engine } = fresh();
    const ref = external(engine);
    await importInto(engine, ref, new Uint8Array(randomBytes(32)));
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    delete snapshot.realms[0].keys[0].materials[0].secret;
    expect(thrown(() => createKms({ seed: 'import' }).restore(snapshot))).toMatchObject({ code: 'Validation', details: { reason: 'snapshot' } });
    snapshot.realms[0].keys[0].state = 'PendingImport';
    createKms({ seed: 'import' }).restore(snapshot);
  });

  it('a version 2 snapshot (written before bindings and import state existed) still restores and decrypts', async () => {
    // Made by the engine at snapshot version 2: an AES key with an alias and a ciphertext, and a key waiting for import.
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot-v2.json', import.meta.url), 'utf8'));
    const { ctx: fixtureCtx, ciphertext, snapshot } = fixture as { ctx: CallContext; ciphertext: string; snapshot: { version: number; takenAt: number } };
    expect(snapshot.version).toBe(2);
    const kms = createKms({ clock: new ManualClock(snapshot.takenAt), seed: 'v2' });
    kms.restore(snapshot);
    const [key, waiting] = kms.engine.listKeys(fixtureCtx, { limit: 10 }).items;
    expect(key).toMatchObject({ state: 'Enabled', bindings: [], origin: 'GENERATED', description: 'v2 key' });
    expect(waiting).toMatchObject({ state: 'PendingImport', bindings: [], origin: 'EXTERNAL', materials: [] });
    expect(str(kms.engine.decrypt(fixtureCtx, new Uint8Array(Buffer.from(ciphertext, 'base64'))).plaintext)).toBe('written by version 2');
    const again = kms.snapshot();
    expect(again.version).toBe(3);
    // The same document, apart from what version 3 added since: each key's last use (none), and
    // from when uses are tracked (the restore, when it came after the key's creation).
    for (const r of again.realms) {
      for (const k of r.keys) {
        expect(k.lastUse).toBeNull();
        if (k.usageTrackedFrom !== undefined) expect(k.usageTrackedFrom).toBe(snapshot.takenAt);
        delete k.lastUse;
        delete k.usageTrackedFrom;
      }
    }
    expect({ ...again, version: 2 }).toEqual(snapshot);
    // The restored key without material takes an import like any other.
    await importInto(kms.engine, { keyId: waiting!.id }, new Uint8Array(32).fill(9), { algorithm: 'SM2PKE' });
    expect(kms.engine.describeKey(fixtureCtx, { keyId: waiting!.id }).state).toBe('Enabled');
  });
});

describe('several imported materials per symmetric key', () => {
  async function importAs(
    engine: Engine,
    ref: KeyRef,
    material: Uint8Array,
    options: { importType?: 'new' | 'existing'; materialId?: string; description?: string; validTo?: number } = {},
    at: CallContext = ctx,
  ) {
    const params = await engine.getImportParameters(at, ref, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    return { importToken: params.importToken, encryptedKeyMaterial: wrap('RSAES_OAEP_SHA_256', params.publicKey, material), ...options };
  }

  it('a replica fed only change records follows pending material, rotation onto it, deletion by id, re-import and expiry', async () => {
    const clock = new ManualClock(START);
    const live = createKms({ clock, seed: 'materials' });
    const replica = createKms({ clock: new ManualClock(START), seed: 'materials' });
    const step = () => {
      const changes = live.engine.takeChanges();
      if (changes) replica.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
      expect({ ...replica.snapshot(), takenAt: 0 }).toEqual({ ...live.snapshot(), takenAt: 0 });
    };
    const engine = live.engine;
    const ref = external(engine);
    const [m1, m2] = [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))];
    const first = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, m1, { description: 'one' }));
    step();
    const { ciphertext } = engine.encrypt(ctx, ref, text('one'));
    const second = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, m2, { importType: 'new', validTo: clock.now() + 5 * HOUR }));
    expect(second.material).toMatchObject({ pendingRotation: true, validTo: clock.now() + 5 * HOUR });
    expect(second.key.currentMaterialId).toBe(first.material.id);
    step();
    // A second pending material, and a rotation of a key with none pending, change nothing.
    const third = await importAs(engine, ref, new Uint8Array(randomBytes(32)), { importType: 'new' });
    step();
    const pendingRefusal = await refusedUnchanged(engine, () => engine.importKeyMaterial(ctx, ref, third));
    expect(pendingRefusal).toMatchObject({ code: 'InvalidState', details: { reason: 'material-pending-rotation', pendingMaterialId: second.material.id } });
    engine.rotateNow(ctx, ref, { limit: 25, importedMaterial: true });
    step();
    expect(engine.describeKey(ctx, ref)).toMatchObject({ currentMaterialId: second.material.id, materialValidTo: clock.now() + 5 * HOUR });
    clock.advance(2000);
    expect((await refusedUnchanged(engine, () => engine.rotateNow(ctx, ref, { limit: 25, importedMaterial: true }))).details.reason).toBe('no-pending-material');
    engine.deleteImportedKeyMaterial(ctx, ref, first.material.id);
    step();
    expect(engine.describeKey(ctx, ref).state).toBe('PendingImport');
    await engine.importKeyMaterial(ctx, ref, await importAs(engine, ref, m1, { importType: 'existing', materialId: first.material.id }));
    step();
    expect(str(engine.decrypt(ctx, ciphertext).plaintext)).toBe('one');
    clock.advance(5 * HOUR);
    step();
    expect(engine.describeKey(ctx, ref)).toMatchObject({ state: 'PendingImport', hasCurrentMaterial: false });
    const entries = engine.listRotations(ctx, ref, { limit: 100 }, true).items;
    expect(entries.map((e) => [e.id, e.current, e.present, e.description])).toEqual([
      [first.material.id, false, true, 'one'],
      [second.material.id, true, false, undefined],
    ]);
  });

  it('a multi-Region family fed only change records follows pending material, its expiry, a late replica and the rotation of every member', async () => {
    const clock = new ManualClock(START);
    const live = createKms({ clock, seed: 'mrk-materials' });
    const copy = createKms({ clock: new ManualClock(START), seed: 'mrk-materials' });
    const step = () => {
      const changes = live.engine.takeChanges();
      if (changes) copy.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
      expect({ ...copy.snapshot(), takenAt: 0 }).toEqual({ ...live.snapshot(), takenAt: 0 });
    };
    const west: CallContext = { ...ctx, realm: { ...ctx.realm, region: 'us-west-2' } };
    const north: CallContext = { ...ctx, realm: { ...ctx.realm, region: 'eu-north-1' } };
    const engine = live.engine;
    const ref = { keyId: engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'EXTERNAL', multiRegion: true, idPrefix: 'mrk-' }).id };
    const [m1, m2, m3] = [0, 1, 2].map(() => new Uint8Array(randomBytes(32)));
    const first = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, m1!));
    engine.replicateKey(ctx, ref, { region: 'us-west-2', settleMs: 0 });
    await engine.importKeyMaterial(west, ref, await importAs(engine, ref, m1!, {}, west));
    step();
    // Pending material that expires before the rotation goes from the primary and from the replica.
    const expiring = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, m2!, { importType: 'new', validTo: clock.now() + HOUR }));
    await engine.importKeyMaterial(west, ref, await importAs(engine, ref, m2!, { importType: 'existing' }, west));
    step();
    expect(engine.listRotations(west, ref, { limit: 10 }, true).items.map((e) => [e.id, e.present])).toEqual([
      [first.material.id, true],
      [expiring.material.id, true],
    ]);
    clock.advance(HOUR);
    step();
    for (const c of [ctx, west]) expect(engine.listRotations(c, ref, { limit: 10 }, true).items.map((e) => e.id)).toEqual([first.material.id]);
    // A replica made while material is pending knows it, and the rotation waits for it too.
    const second = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, m3!, { importType: 'new', description: 'third' }));
    engine.replicateKey(ctx, ref, { region: 'eu-north-1', settleMs: 0 });
    // The new replica knows the family's materials but none of the primary's imports.
    expect(engine.listRotations(north, ref, { limit: 10 }, true).items.map((e) => [e.id, e.present, e.importedAt, e.description])).toEqual([
      [first.material.id, false, undefined, undefined],
      [second.material.id, false, undefined, undefined],
    ]);
    await engine.importKeyMaterial(west, ref, await importAs(engine, ref, m3!, { importType: 'existing' }, west));
    step();
    expect(engine.listRotations(ctx, ref, { limit: 10 }, true).items.find((e) => e.id === second.material.id)).toMatchObject({ pendingRotation: true, awaitingReplicas: true });
    const early = await refusedUnchanged(engine, () => engine.rotateNow(ctx, ref, { limit: 25, importedMaterial: true }));
    expect(early).toMatchObject({ code: 'InvalidState', details: { reason: 'material-pending-replicas', regions: ['eu-north-1'] } });
    await engine.importKeyMaterial(north, ref, await importAs(engine, ref, m1!, { importType: 'existing' }, north));
    await engine.importKeyMaterial(north, ref, await importAs(engine, ref, m3!, { importType: 'existing' }, north));
    step();
    expect(engine.listRotations(ctx, ref, { limit: 10 }, true).items.find((e) => e.id === second.material.id)!.awaitingReplicas).toBeUndefined();
    const { ciphertext } = engine.encrypt(north, ref, text('one'));
    engine.rotateNow(ctx, ref, { limit: 25, importedMaterial: true });
    step();
    for (const c of [ctx, west, north]) {
      expect(engine.describeKey(c, ref)).toMatchObject({ state: 'Enabled', currentMaterialId: second.material.id });
      expect(str(engine.decrypt(c, ciphertext).plaintext)).toBe('one');
    }
    expect(str(engine.decrypt(ctx, engine.encrypt(west, ref, text('two')).ciphertext).plaintext)).toBe('two');
  });

  it('a key pending deletion keeps its state when an older material is deleted; cancelling leaves it waiting for that material', async () => {
    const { engine } = fresh('pending-deletion');
    const ref = external(engine);
    const first = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, new Uint8Array(randomBytes(32))));
    await engine.importKeyMaterial(ctx, ref, await importAs(engine, ref, new Uint8Array(randomBytes(32)), { importType: 'new' }));
    engine.rotateNow(ctx, ref, { limit: 25, importedMaterial: true });
    engine.scheduleDeletion(ctx, ref, 7);
    expect(engine.deleteImportedKeyMaterial(ctx, ref, first.material.id).state).toBe('PendingDeletion');
    expect(engine.cancelDeletion(ctx, ref)).toMatchObject({ state: 'PendingImport', hasCurrentMaterial: true });
  });

  it('material ids derive from the key and the material; a key written before that finds its first material by digest', async () => {
    const { kms, engine } = fresh('legacy');
    const ref = external(engine);
    const material = new Uint8Array(randomBytes(32));
    const imported = await engine.importKeyMaterialVersion(ctx, ref, await importAs(engine, ref, material));
    const other = external(engine);
    const again = await engine.importKeyMaterialVersion(ctx, other, await importAs(engine, other, material));
    expect(again.material.id).not.toBe(imported.material.id);
    // An older snapshot: the version id was random, only the digest names the material.
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    const entry = snapshot.realms[0].keys.find((k: { id: string }) => k.id === ref.keyId);
    const legacyId = 'c'.repeat(64);
    entry.materials[0].id = legacyId;
    entry.currentMaterialId = legacyId;
    const restored = createKms({ clock: new ManualClock(kms.clock.now()), seed: 'legacy' });
    restored.restore(snapshot);
    restored.engine.deleteImportedKeyMaterial(ctx, ref);
    const back = await restored.engine.importKeyMaterialVersion(ctx, ref, await importAs(restored.engine, ref, material));
    expect(back.material.id).toBe(legacyId);
    expect(back.key.state).toBe('Enabled');
  });

  it('snapshots refuse material pending rotation named as current, and a current material marked pending', async () => {
    const { kms, engine } = fresh('pending-checks');
    const ref = external(engine);
    await engine.importKeyMaterial(ctx, ref, await importAs(engine, ref, new Uint8Array(randomBytes(32))));
    await engine.importKeyMaterial(ctx, ref, await importAs(engine, ref, new Uint8Array(randomBytes(32)), { importType: 'new' }));
    const good = JSON.parse(JSON.stringify(kms.snapshot()));
    const target = createKms({ clock: new ManualClock(START) });
    const asCurrent = structuredClone(good);
    const key = asCurrent.realms[0].keys[0];
    key.currentMaterialId = key.materials[1].id;
    expect(thrown(() => target.restore(asCurrent))).toMatchObject({ code: 'Validation' });
    const twoPending = structuredClone(good);
    twoPending.realms[0].keys[0].materials[0].pendingRotation = true;
    expect(thrown(() => target.restore(twoPending))).toMatchObject({ code: 'Validation' });
    target.restore(good);
    expect(target.engine.listRotations(ctx, ref, { limit: 100 }, true).items.map((m) => m.pendingRotation ?? false)).toEqual([false, true]);
  });
});
