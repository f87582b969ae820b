/**
 * Stores that connect (key-store-connections.ts) and keys of external stores (external-keys.ts):
 * the connection state machine on the clock, snapshots mid-transition, and double encryption
 * through an ExternalKeyCipher (here an AES-GCM "key manager" written in the test).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type CallContext, type ExternalKeyCipher } from '../../src/index.js';
import { thrown } from '../support/engine.js';

const ctx: CallContext = {
  realm: { account: '111122223333', region: 'eu-west-1' },
  principal: { account: '111122223333', type: 'root', id: '111122223333' },
  requestId: 'r',
};
const bytes = new TextEncoder().encode('twice sealed');

/** An external key manager: AES-256-GCM keys by id, a log of what it was asked. */
function manager() {
  const keys = new Map([['ext-1', randomBytes(32)], ['ext-2', randomBytes(32)]]);
  const asked: Array<{ op: string; externalKeyId: string; operation: string; aad: Uint8Array }> = [];
  let down = false;
  const cipher: ExternalKeyCipher = {
    async encrypt(r) {
      asked.push({ op: 'encrypt', externalKeyId: r.externalKeyId, operation: r.operation, aad: r.aad });
      if (down) throw new Error('proxy down');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', keys.get(r.externalKeyId)!, iv).setAAD(r.aad);
      const ciphertext = Buffer.concat([c.update(r.plaintext), c.final()]);
      return { ciphertext: new Uint8Array(ciphertext), iv: new Uint8Array(iv), tag: new Uint8Array(c.getAuthTag()), metadata: new TextEncoder().encode('m1') };
    },
    async decrypt(r) {
      asked.push({ op: 'decrypt', externalKeyId: r.externalKeyId, operation: r.operation, aad: r.aad });
      expect(new TextDecoder().decode(r.metadata)).toBe('m1');
      const d = createDecipheriv('aes-256-gcm', keys.get(r.externalKeyId)!, r.iv).setAAD(r.aad).setAuthTag(r.tag);
      return new Uint8Array(Buffer.concat([d.update(r.ciphertext), d.final()]));
    },
  };
  return { cipher, asked, setDown: (v: boolean) => (down = v) };
}

function connectedStore(engine: Engine, clock: ManualClock, name = 'xks') {
  const store = engine.createKeyStore(ctx, { kind: 'external', name, connects: true });
  engine.connectKeyStore(ctx, store.id, { settleMs: 1000 });
  clock.advance('1s');
  return store;
}

describe('stores that connect', () => {
  it('move Disconnected → Connecting → Connected | Failed → Disconnecting → Disconnected on the clock, and survive a snapshot mid-way', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const engine = new Engine({ clock, seed: 'connect' });
    const store = engine.createKeyStore(ctx, { kind: 'hsm-cluster', name: 'c', connects: true });
    expect(store.connection).toEqual({ state: 'Disconnected' });
    expect(thrown(() => engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id }))).toMatchObject({ code: 'InvalidState', details: { reason: 'key-store-not-connected' } });
    expect(thrown(() => engine.disconnectKeyStore(ctx, store.id))).toMatchObject({ code: 'InvalidState', details: { reason: 'key-store-connection', connection: 'Disconnected' } });
    expect(engine.connectKeyStore(ctx, store.id, { settleMs: 5000 }).connection?.state).toBe('Connecting');

    const copy = new Engine({ clock, seed: 'connect' });
    copy.restore(engine.snapshot());
    clock.advance('4999ms');
    expect(engine.describeKeyStore(ctx, store.id).connection?.state).toBe('Connecting');
    clock.advance('1ms');
    expect(engine.describeKeyStore(ctx, store.id).connection).toEqual({ state: 'Connected' });
    expect(copy.describeKeyStore(ctx, store.id).connection).toEqual({ state: 'Connected' });

    engine.disconnectKeyStore(ctx, store.id, 1000);
    expect(thrown(() => engine.connectKeyStore(ctx, store.id))).toMatchObject({ code: 'InvalidState', details: { connection: 'Disconnecting' } });
    clock.advance('1s');
    engine.connectKeyStore(ctx, store.id, { failure: 'CLUSTER_NOT_FOUND', settleMs: 10 });
    clock.advance('10ms');
    expect(engine.describeKeyStore(ctx, store.id).connection).toEqual({ state: 'Failed', errorCode: 'CLUSTER_NOT_FOUND' });
    expect(thrown(() => engine.connectKeyStore(ctx, store.id))).toMatchObject({ code: 'InvalidState', details: { connection: 'Failed' } });
    engine.disconnectKeyStore(ctx, store.id, 0);
    expect(engine.describeKeyStore(ctx, store.id).connection).toEqual({ state: 'Disconnected' });
  });
});

describe('keys of external stores', () => {
  it('encrypt twice: under their own material, then the external key over the rest, with the header as additional data', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const engine = new Engine({ clock, seed: 'xks' });
    const { cipher, asked } = manager();
    const store = connectedStore(engine, clock);
    const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id, externalKeyId: 'ext-1' });
    expect(key.externalKeyId).toBe('ext-1');
    const sealed = await engine.encryptVia(ctx, { keyId: key.id }, bytes, { purpose: 'test' }, cipher);
    expect(asked[0]).toMatchObject({ op: 'encrypt', externalKeyId: 'ext-1', operation: 'encrypt' });
    // The blob starts with the envelope header the external layer is bound to.
    expect(sealed.ciphertext.subarray(0, asked[0]!.aad.length)).toEqual(asked[0]!.aad);
    // A plain envelope reading (no external manager) is refused, not misread.
    expect(thrown(() => engine.decrypt(ctx, sealed.ciphertext, { purpose: 'test' }))).toMatchObject({ code: 'Unsupported', details: { reason: 'external-key' } });
    expect(thrown(() => engine.encrypt(ctx, { keyId: key.id }, bytes))).toMatchObject({ code: 'Unsupported', details: { reason: 'external-key' } });
    const opened = await engine.decryptVia(ctx, sealed.ciphertext, { purpose: 'test' }, undefined, cipher);
    expect(opened.plaintext).toEqual(bytes);
    expect(opened.materialId).toBe(sealed.materialId);
    await expect(engine.decryptVia(ctx, sealed.ciphertext, { purpose: 'other' }, undefined, cipher)).rejects.toMatchObject({ code: 'InvalidCiphertext' });
    // A cut blob is InvalidCiphertext before the manager is asked.
    const before = asked.length;
    await expect(Promise.resolve().then(() => engine.decryptVia(ctx, sealed.ciphertext.subarray(0, asked[0]!.aad.length + 3), undefined, undefined, cipher))).rejects.toMatchObject({ code: 'InvalidCiphertext' });
    expect(asked.length).toBe(before);

    // Data keys, and re-encryption both ways between an external key and a key of the service.
    const dataKey = await engine.generateDataKeyVia(ctx, { keyId: key.id }, 32, undefined, cipher);
    expect((await engine.decryptVia(ctx, dataKey.ciphertext, undefined, undefined, cipher)).plaintext).toEqual(dataKey.plaintext);
    const local = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const toLocal = await engine.reEncryptVia(ctx, { ciphertext: sealed.ciphertext, sourceContext: { purpose: 'test' }, destinationKey: { keyId: local.id } }, cipher);
    expect(engine.decrypt(ctx, toLocal.ciphertext).plaintext).toEqual(bytes);
    const back = await engine.reEncryptVia(ctx, { ciphertext: toLocal.ciphertext, destinationKey: { keyId: key.id } }, cipher);
    expect((await engine.decryptVia(ctx, back.ciphertext, undefined, undefined, cipher)).plaintext).toEqual(bytes);
    // Keys of the service take the synchronous path, without the manager.
    const n = asked.length;
    const plain = engine.encryptVia(ctx, { keyId: local.id }, bytes, undefined, cipher);
    expect(plain).not.toBeInstanceOf(Promise);
    expect(asked.length).toBe(n);
  });

  it('refuse use while their store is not connected, an external key used twice in a store, and pass the manager\'s failures through, changing nothing', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const engine = new Engine({ clock, seed: 'xks-2' });
    const { cipher, setDown } = manager();
    const store = connectedStore(engine, clock);
    const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id, externalKeyId: 'ext-1' });
    expect(thrown(() => engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id, externalKeyId: 'ext-1' }))).toMatchObject({
      code: 'AlreadyExists',
      details: { reason: 'external-key-in-use', keyId: key.id },
    });
    const sealed = await engine.encryptVia(ctx, { keyId: key.id }, bytes, undefined, cipher);
    setDown(true);
    const before = engine.snapshot();
    await expect(engine.encryptVia(ctx, { keyId: key.id }, bytes, undefined, cipher)).rejects.toThrow('proxy down');
    expect(engine.snapshot().realms).toEqual(before.realms);
    setDown(false);
    engine.disconnectKeyStore(ctx, store.id, 0);
    expect(thrown(() => engine.encryptVia(ctx, { keyId: key.id }, bytes, undefined, cipher))).toMatchObject({ code: 'InvalidState', details: { state: 'Unavailable' } });
    expect(thrown(() => engine.decryptVia(ctx, sealed.ciphertext, undefined, undefined, cipher))).toMatchObject({ code: 'InvalidState', details: { state: 'Unavailable' } });
    // A dry run stops before the manager is asked.
    engine.connectKeyStore(ctx, store.id, { settleMs: 0 });
    expect(thrown(() => engine.decryptVia({ ...ctx, dryRun: true }, sealed.ciphertext, undefined, undefined, cipher))).toMatchObject({ code: 'DryRun' });
    // Restored from a snapshot, the key still names its external key and opens its ciphertexts.
    const copy = new Engine({ clock, seed: 'xks-2' });
    copy.restore(engine.snapshot());
    expect((await copy.decryptVia(ctx, sealed.ciphertext, undefined, undefined, cipher)).plaintext).toEqual(bytes);
  });
});
