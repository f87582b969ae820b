import { describe, expect, it } from 'vitest';
import { EnvelopeAlgorithm, parseEnvelope } from '../../src/crypto/envelope.js';
import { createKms, ManualClock, type CallContext } from '../../src/index.js';
import { str, text, thrown } from '../support/engine.js';

/** The engine directly: 128-bit SM4 keys next to AES-256 keys in one realm. */
const ctx: CallContext = {
  realm: { account: '111122223333', region: 'cn-north-1' },
  principal: { account: '111122223333', type: 'root', id: '111122223333' },
  requestId: 'test',
};

function fresh() {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'sm4' });
  const sm4 = kms.engine.createKey(ctx, { spec: 'SM4', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  const aes = kms.engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  return { kms, engine: kms.engine, sm4: { keyId: sm4.id }, aes: { keyId: aes.id } };
}

function materialOf(kms: ReturnType<typeof fresh>['kms'], keyId: string): Uint8Array[] {
  for (const realm of kms.snapshot().realms) {
    const key = realm.keys.find((k) => k.id === keyId);
    if (key) return key.materials.map((m) => Uint8Array.from(atob(m.secret!), (c) => c.charCodeAt(0)));
  }
  throw new Error(`no key ${keyId}`);
}

describe('SM4 keys in the engine', () => {
  it('hold 16 bytes of material and seal with SM4-GCM; AES_256 keys keep 32 bytes and AES-GCM', () => {
    const { kms, engine, sm4, aes } = fresh();
    expect(materialOf(kms, sm4.keyId).map((m) => m.length)).toEqual([16]);
    expect(materialOf(kms, aes.keyId).map((m) => m.length)).toEqual([32]);
    const a = engine.encrypt(ctx, sm4, text('to sm4'), { app: 'x' }).ciphertext;
    const b = engine.encrypt(ctx, aes, text('to aes'), { app: 'x' }).ciphertext;
    expect(a[1]).toBe(EnvelopeAlgorithm.SM4_GCM);
    expect(b[1]).toBe(EnvelopeAlgorithm.AES_256_GCM);
    expect(parseEnvelope(a)!.algorithm).toBe(EnvelopeAlgorithm.SM4_GCM);
    expect(str(engine.decrypt(ctx, a, { app: 'x' }).plaintext)).toBe('to sm4');
    expect(str(engine.decrypt(ctx, b, { app: 'x' }).plaintext)).toBe('to aes');
    expect(thrown(() => engine.decrypt(ctx, a, { app: 'y' })).code).toBe('InvalidCiphertext');
  });

  it('re-encrypts from AES_256 to SM4 and back', () => {
    const { engine, sm4, aes } = fresh();
    const fromAes = engine.encrypt(ctx, aes, text('secret'), { k: 'v' }).ciphertext;
    const toSm4 = engine.reEncrypt(ctx, { ciphertext: fromAes, sourceContext: { k: 'v' }, destinationKey: sm4, destinationContext: { k: 'w' } });
    expect(toSm4.ciphertext[1]).toBe(EnvelopeAlgorithm.SM4_GCM);
    expect(toSm4.destination.id).toBe(sm4.keyId);
    expect(str(engine.decrypt(ctx, toSm4.ciphertext, { k: 'w' }, sm4).plaintext)).toBe('secret');
    const back = engine.reEncrypt(ctx, { ciphertext: toSm4.ciphertext, sourceContext: { k: 'w' }, sourceKey: sm4, destinationKey: aes });
    expect(back.ciphertext[1]).toBe(EnvelopeAlgorithm.AES_256_GCM);
    expect(str(engine.decrypt(ctx, back.ciphertext).plaintext)).toBe('secret');
  });

  it('refuses an envelope whose algorithm byte is not the key’s own, even with a recomputed header check', async () => {
    const { engine, sm4 } = fresh();
    const blob = engine.encrypt(ctx, sm4, text('x')).ciphertext;
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const forged = blob.slice();
    forged[1] = EnvelopeAlgorithm.AES_256_GCM;
    const headerEnd = parseEnvelope(blob)!.headerBytes.length;
    forged.set(sha256(forged.subarray(0, headerEnd - 4)).subarray(0, 4), headerEnd - 4);
    expect(parseEnvelope(forged)).toBeDefined();
    expect(thrown(() => engine.decrypt(ctx, forged)).code).toBe('InvalidCiphertext');
  });

  it('generates data keys and data key pairs under an SM4 key', async () => {
    const { engine, sm4 } = fresh();
    const dk = engine.generateDataKey(ctx, sm4, 16, { purpose: 'dk' });
    expect(dk.plaintext.length).toBe(16);
    expect(dk.ciphertext[1]).toBe(EnvelopeAlgorithm.SM4_GCM);
    expect(engine.decrypt(ctx, dk.ciphertext, { purpose: 'dk' }).plaintext).toEqual(dk.plaintext);
    const pair = await engine.generateDataKeyPair(ctx, sm4, 'EC_P256');
    expect(pair.ciphertext[1]).toBe(EnvelopeAlgorithm.SM4_GCM);
    expect(engine.decrypt(ctx, pair.ciphertext).plaintext).toEqual(pair.privateKey);
  });

  it('rotates to fresh 16-byte material; old ciphertexts still decrypt', () => {
    const { kms, engine, sm4 } = fresh();
    const before = engine.encrypt(ctx, sm4, text('old')).ciphertext;
    const rotated = engine.rotateNow(ctx, sm4, { limit: 10 });
    const materials = materialOf(kms, sm4.keyId);
    expect(materials.map((m) => m.length)).toEqual([16, 16]);
    expect(materials[0]).not.toEqual(materials[1]);
    const after = engine.encrypt(ctx, sm4, text('new'));
    expect(after.materialId).toBe(rotated.material.id);
    expect(str(engine.decrypt(ctx, before).plaintext)).toBe('old');
    expect(str(engine.decrypt(ctx, after.ciphertext).plaintext)).toBe('new');
  });

  it('survives a snapshot and change records; a snapshot with SM4 material of the wrong size is refused', () => {
    const { kms, engine, sm4 } = fresh();
    const blob = engine.encrypt(ctx, sm4, text('kept')).ciphertext;
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    const copy = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    copy.restore(snapshot);
    expect(str(copy.engine.decrypt(ctx, blob).plaintext)).toBe('kept');
    expect(copy.engine.describeKey(ctx, sm4).spec).toBe('SM4');

    // Change records carry SM4 keys too.
    const journal = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    journal.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    engine.takeChanges();
    engine.rotateNow(ctx, sm4, { limit: 10 });
    const changes = JSON.parse(JSON.stringify(engine.takeChanges()));
    journal.engine.applyChanges(changes);
    const rotatedBlob = engine.encrypt(ctx, sm4, text('after')).ciphertext;
    expect(str(journal.engine.decrypt(ctx, rotatedBlob).plaintext)).toBe('after');

    const bad = JSON.parse(JSON.stringify(kms.snapshot()));
    const key = bad.realms[0].keys.find((k: { id: string }) => k.id === sm4.keyId);
    key.materials[0].secret = btoa(String.fromCharCode(...new Uint8Array(32)));
    expect(thrown(() => createKms().restore(bad)).message).toMatch(/wrong size/);
    const badChanges = JSON.parse(JSON.stringify(changes));
    const changed = badChanges.realms[0].keys.find((k: { id: string }) => k.id === sm4.keyId);
    changed.materials[1].secret = btoa(String.fromCharCode(...new Uint8Array(32)));
    expect(thrown(() => journal.engine.applyChanges(badChanges)).message).toMatch(/wrong size/);
  });
});
