/** The neutral key-store room (src/engine/key-stores.ts): stores, keys held by them, the Unavailable reading, dry runs, other realms. */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type CallContext } from '../../src/index.js';
import { thrown } from '../support/engine.js';

const ctx: CallContext = {
  realm: { account: '111122223333', region: 'eu-west-1' },
  principal: { account: '111122223333', type: 'root', id: '111122223333' },
  requestId: 'r',
};
const other: CallContext = { ...ctx, realm: { account: '444455556666', region: 'eu-west-1' } };
const bytes = new TextEncoder().encode('held');

describe('key stores', () => {
  it('a store holds keys; disabled, its keys read as Unavailable for use but keep their state; enabled, they work again', () => {
    const engine = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'stores' });
    const store = engine.createKeyStore(ctx, { kind: 'CLOUDHSM', name: 'hsm-1', properties: [['cluster', 'c-1']] });
    expect(store).toMatchObject({ kind: 'CLOUDHSM', name: 'hsm-1', state: 'Enabled' });
    expect(store.properties.get('cluster')).toBe('c-1');
    const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id });
    expect(key.keyStoreId).toBe(store.id);
    const sealed = engine.encrypt(ctx, { keyId: key.id }, bytes).ciphertext;
    expect(engine.keysInKeyStore(ctx, store.id)).toEqual([key.id]);

    expect(engine.disableKeyStore(ctx, store.id).state).toBe('Disabled');
    expect(thrown(() => engine.encrypt(ctx, { keyId: key.id }, bytes))).toMatchObject({ code: 'InvalidState', details: { state: 'Unavailable' } });
    expect(thrown(() => engine.decrypt(ctx, sealed))).toMatchObject({ code: 'InvalidState', details: { state: 'Unavailable' } });
    expect(engine.describeKey(ctx, { keyId: key.id }).state).toBe('Enabled');
    expect(thrown(() => engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id }))).toMatchObject({
      code: 'InvalidState',
      details: { reason: 'key-store-disabled' },
    });
    engine.enableKeyStore(ctx, store.id);
    expect(engine.decrypt(ctx, sealed).plaintext).toEqual(bytes);
  });

  it('names are unique in a realm, stores are invisible to other realms, a store with keys is not deleted, dry runs change nothing', () => {
    const engine = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'stores-2' });
    const store = engine.createKeyStore(ctx, { kind: 'X', name: 'one' });
    expect(thrown(() => engine.createKeyStore(ctx, { kind: 'X', name: 'one' }))).toMatchObject({ code: 'AlreadyExists', details: { resource: 'key-store' } });
    expect(engine.createKeyStore(other, { kind: 'X', name: 'one' }).name).toBe('one');
    expect(thrown(() => engine.describeKeyStore(other, store.id))).toMatchObject({ code: 'NotFound', details: { resource: 'key-store' } });
    expect(thrown(() => engine.createKey(other, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id }))).toMatchObject({ code: 'NotFound' });
    for (const bad of [{ kind: 'X', name: '' }, { kind: '', name: 'n' }, { kind: 'X', name: 'n', properties: [['a', 1]] }] as never[]) {
      expect(thrown(() => engine.createKeyStore(ctx, bad))).toMatchObject({ code: 'Validation' });
    }
    const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: store.id });
    const before = JSON.stringify(engine.snapshot().keyStores);
    expect(thrown(() => engine.deleteKeyStore(ctx, store.id))).toMatchObject({ code: 'InvalidState', details: { reason: 'key-store-has-keys' } });
    const dry = { ...ctx, dryRun: true };
    expect(thrown(() => engine.disableKeyStore(dry, store.id))).toMatchObject({ code: 'DryRun' });
    expect(thrown(() => engine.createKeyStore(dry, { kind: 'X', name: 'two' }))).toMatchObject({ code: 'DryRun' });
    expect(JSON.stringify(engine.snapshot().keyStores)).toBe(before);
    engine.scheduleDeletion(ctx, { keyId: key.id }, 7);
    expect(thrown(() => engine.deleteKeyStore(ctx, store.id))).toMatchObject({ details: { reason: 'key-store-has-keys' } });
  });
});
