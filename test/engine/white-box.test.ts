import { createDecipheriv } from 'node:crypto';
import { sm4 } from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { createKms, Engine, ManualClock, type CallContext } from '../../src/index.js';
import { text, thrown } from '../support/engine.js';

const ctx: CallContext = {
  realm: { account: '100000000001', region: 'ap-guangzhou' },
  principal: { account: '100000000001', type: 'user', id: '100000000002' },
  requestId: 'r',
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function fresh() {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'white-box' });
  return { kms, engine: kms.engine };
}

describe('white-box keys', () => {
  it('encrypt with AES-256-CBC and SM4-CBC (PKCS#7) that other implementations decrypt', () => {
    const { engine } = fresh();
    const aes = engine.createWhiteBoxKey(ctx, { alias: 'aes', algorithm: 'AES_256', description: 'd' });
    expect(aes.secret).toHaveLength(32);
    expect(aes.key).toMatchObject({ alias: 'aes', algorithm: 'AES_256', state: 'Enabled', creator: '100000000002', description: 'd' });
    const iv = new Uint8Array(16).fill(7);
    const sealed = engine.whiteBoxEncrypt(ctx, aes.key.id, text('hello white box'), iv);
    expect(hex(sealed.iv)).toBe(hex(iv));
    const d = createDecipheriv('aes-256-cbc', aes.secret, iv);
    expect(Buffer.concat([d.update(sealed.ciphertext), d.final()]).toString()).toBe('hello white box');

    const sm = engine.createWhiteBoxKey(ctx, { alias: 'sm', algorithm: 'SM4' });
    expect(sm.secret).toHaveLength(16);
    const s2 = engine.whiteBoxEncrypt(ctx, sm.key.id, text('国密 SM4'));
    expect(s2.iv).toHaveLength(16);
    const plain = sm4.decrypt(hex(s2.ciphertext), hex(sm.secret), { mode: 'cbc', iv: hex(s2.iv) });
    expect(plain).toBe('国密 SM4');
    expect(hex(engine.whiteBoxSecret(ctx, sm.key.id).secret)).toBe(hex(sm.secret));
  });

  it('keep aliases unique, cap the count, and delete only disabled keys', () => {
    const { engine } = fresh();
    const k = engine.createWhiteBoxKey(ctx, { alias: 'one', algorithm: 'AES_256' }).key;
    const before = JSON.stringify(engine.snapshot());
    expect(thrown(() => engine.createWhiteBoxKey(ctx, { alias: 'one', algorithm: 'SM4' })).code).toBe('AlreadyExists');
    expect(thrown(() => engine.createWhiteBoxKey(ctx, { alias: 'two', algorithm: 'SM4', limit: 1 })).details).toMatchObject({ reason: 'white-box-keys' });
    expect(thrown(() => engine.deleteWhiteBoxKey(ctx, k.id)).details).toMatchObject({ reason: 'white-box-enabled' });
    expect(thrown(() => engine.describeWhiteBoxKey(ctx, 'nope')).details).toMatchObject({ resource: 'white-box-key' });
    expect(thrown(() => engine.whiteBoxEncrypt(ctx, k.id, text('x'), new Uint8Array(8))).code).toBe('Validation');
    expect(JSON.stringify(engine.snapshot())).toBe(before);

    engine.disableWhiteBoxKey(ctx, k.id);
    expect(thrown(() => engine.whiteBoxEncrypt(ctx, k.id, text('x'))).code).toBe('Disabled');
    engine.enableWhiteBoxKey(ctx, k.id);
    engine.disableWhiteBoxKey(ctx, k.id);
    engine.deleteWhiteBoxKey(ctx, k.id);
    expect(engine.listWhiteBoxKeys(ctx)).toHaveLength(0);
    // Another realm has its own namespace.
    const other = { ...ctx, realm: { account: '100000000001', region: 'ap-shanghai' } };
    engine.createWhiteBoxKey(other, { alias: 'one', algorithm: 'AES_256' });
    expect(engine.listWhiteBoxKeys(ctx)).toHaveLength(0);
  });

  it('hold device fingerprints and survive snapshots and change records', () => {
    const { kms, engine } = fresh();
    const replica = new Engine({ clock: kms.clock });
    replica.restore(engine.snapshot());
    engine.discardChanges();
    const a = engine.createWhiteBoxKey(ctx, { alias: 'a', algorithm: 'AES_256', tags: [['env', 'dev']] });
    const b = engine.createWhiteBoxKey(ctx, { alias: 'b', algorithm: 'SM4' });
    engine.setWhiteBoxFingerprints(ctx, a.key.id, [{ identity: 'device-1', description: 'phone' }, { identity: 'device-2' }]);
    replica.applyChanges(JSON.parse(JSON.stringify(engine.takeChanges())));
    engine.disableWhiteBoxKey(ctx, b.key.id);
    engine.deleteWhiteBoxKey(ctx, b.key.id);
    replica.applyChanges(JSON.parse(JSON.stringify(engine.takeChanges())));
    expect(replica.listWhiteBoxKeys(ctx)).toEqual(engine.listWhiteBoxKeys(ctx));
    expect(replica.describeWhiteBoxKey(ctx, a.key.id).deviceFingerprints).toEqual([{ identity: 'device-1', description: 'phone' }, { identity: 'device-2' }]);
    expect(hex(replica.whiteBoxSecret(ctx, a.key.id).secret)).toBe(hex(a.secret));

    const restored = new Engine({ clock: kms.clock });
    restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    expect(restored.listWhiteBoxKeys(ctx)).toEqual(engine.listWhiteBoxKeys(ctx));
    // A damaged secret is refused.
    const doc = JSON.parse(JSON.stringify(engine.snapshot()));
    doc.whiteBoxKeys[0].secret = 'AAAA';
    expect(thrown(() => restored.restore(doc)).code).toBe('Validation');
  });
});
