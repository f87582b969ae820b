/** The hosted data-key room (src/engine/data-keys.ts): lifecycle, binding to the protecting key, due deletion, snapshots and change records. */
import { describe, expect, it } from 'vitest';
import { createKms, Engine, ManualClock, type CallContext } from '../../src/index.js';
import { dataKeyTable } from '../../src/engine/data-keys.js';
import { str, text, thrown } from '../support/engine.js';

const ctx: CallContext = {
  realm: { account: '100000000001', region: 'ap-guangzhou' },
  principal: { account: '100000000001', type: 'user', id: '100000000002' },
  requestId: 'r',
};
const DAY = 86_400_000;

function fresh(seed = 'data-keys') {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed });
  const engine = kms.engine;
  const cmk = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  return { kms, engine, cmk, ref: { keyId: cmk.id } };
}

describe('hosted data keys', () => {
  it('are generated, imported as plaintext or as a ciphertext of the key, and read back', () => {
    const { engine, ref, cmk } = fresh();
    const made = engine.hostDataKey(ctx, ref, { name: 'orders', description: 'd', source: { kind: 'generate', numberOfBytes: 32 }, tags: [['env', 'test']] });
    expect(made.dataKey).toMatchObject({ keyId: cmk.id, name: 'orders', description: 'd', state: 'Enabled', origin: 'GENERATED', numberOfBytes: 32, creator: '100000000002' });
    expect(made.dataKey.tags.get('env')).toBe('test');
    expect(Buffer.from(engine.dataKeyPlaintext(ctx, made.dataKey.id).plaintext).equals(Buffer.from(made.plaintext))).toBe(true);
    // The stored ciphertext is the key's own envelope: Decrypt opens it.
    const blob = engine.dataKeyCiphertext(ctx, made.dataKey.id).ciphertext;
    expect(Buffer.from(engine.decrypt(ctx, blob).plaintext).equals(Buffer.from(made.plaintext))).toBe(true);

    const plain = engine.hostDataKey(ctx, ref, { name: 'plain', source: { kind: 'plaintext', plaintext: text('sixteen bytes!!!') } });
    expect(plain.dataKey).toMatchObject({ origin: 'EXTERNAL', numberOfBytes: 16 });
    expect(str(engine.decrypt(ctx, plain.ciphertext).plaintext)).toBe('sixteen bytes!!!');

    const sealed = engine.encrypt(ctx, ref, text('wrapped'));
    const fromBlob = engine.hostDataKey(ctx, undefined, { name: 'blob', source: { kind: 'ciphertext', ciphertext: sealed.ciphertext } });
    expect(fromBlob.dataKey.keyId).toBe(cmk.id);
    expect(str(engine.dataKeyPlaintext(ctx, fromBlob.dataKey.id).plaintext)).toBe('wrapped');
    expect(engine.listDataKeys(ctx).map((k) => k.name)).toEqual(['orders', 'plain', 'blob']);
  });

  it('refuse a taken name, a ciphertext of another key, and change nothing when refused', () => {
    const { engine, ref } = fresh();
    engine.hostDataKey(ctx, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } });
    const before = JSON.stringify(engine.snapshot().dataKeys);
    expect(thrown(() => engine.hostDataKey(ctx, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } }))).toMatchObject({ code: 'AlreadyExists' });
    const other = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const foreign = engine.encrypt(ctx, { keyId: other.id }, text('x')).ciphertext;
    expect(thrown(() => engine.hostDataKey(ctx, ref, { name: 'b', source: { kind: 'ciphertext', ciphertext: foreign } }))).toMatchObject({ code: 'IncorrectKey' });
    expect(thrown(() => engine.hostDataKey(ctx, undefined, { name: 'c', source: { kind: 'plaintext', plaintext: text('x') } }))).toMatchObject({ code: 'Validation' });
    expect(thrown(() => engine.hostDataKey(ctx, ref, { name: 'd', source: { kind: 'generate', numberOfBytes: 16 }, limit: 1 }))).toMatchObject({ code: 'LimitExceeded' });
    const b = engine.hostDataKey(ctx, ref, { name: 'b', source: { kind: 'generate', numberOfBytes: 16 } });
    expect(thrown(() => engine.updateDataKey(ctx, b.dataKey.id, { name: 'a' }))).toMatchObject({ code: 'AlreadyExists' });
    expect(engine.describeDataKey(ctx, b.dataKey.id).name).toBe('b');
    expect(JSON.stringify(engine.snapshot().dataKeys?.filter((d) => d.name === 'a'))).toBe(before);
    expect(thrown(() => engine.describeDataKey(ctx, '00000000-0000-0000-0000-000000000000'))).toMatchObject({ code: 'NotFound', details: { resource: 'data-key' } });
  });

  it('follow their own state table and their protecting key', () => {
    const { engine, ref, cmk } = fresh();
    const { dataKey } = engine.hostDataKey(ctx, ref, { name: 'k', source: { kind: 'generate', numberOfBytes: 32 } });
    // A disabled key: its data keys stay enabled but cannot be read out or enabled.
    engine.disableKey(ctx, ref);
    expect(thrown(() => engine.dataKeyPlaintext(ctx, dataKey.id))).toMatchObject({ code: 'Disabled', details: { resource: 'key', keyId: cmk.id } });
    engine.disableDataKey(ctx, dataKey.id);
    expect(thrown(() => engine.enableDataKey(ctx, dataKey.id))).toMatchObject({ code: 'Disabled', details: { resource: 'key' } });
    expect(engine.describeDataKey(ctx, dataKey.id).state).toBe('Disabled');
    engine.enableKey(ctx, ref);
    expect(thrown(() => engine.dataKeyPlaintext(ctx, dataKey.id))).toMatchObject({ code: 'Disabled', details: { resource: 'data-key' } });
    expect(thrown(() => engine.dataKeyCiphertext(ctx, dataKey.id))).toMatchObject({ code: 'InvalidState', details: { resource: 'data-key' } });
    engine.enableDataKey(ctx, dataKey.id);
    // Deletion: disabled first, then pending, then cancelled back to disabled.
    expect(thrown(() => engine.scheduleDataKeyDeletion(ctx, dataKey.id, 7))).toMatchObject({ code: 'InvalidState', details: { reason: 'disable-before-deletion' } });
    expect(thrown(() => engine.cancelDataKeyDeletion(ctx, dataKey.id))).toMatchObject({ code: 'InvalidState', details: { reason: 'not-pending-deletion' } });
    engine.disableDataKey(ctx, dataKey.id);
    const pending = engine.scheduleDataKeyDeletion(ctx, dataKey.id, 7);
    expect(pending).toMatchObject({ state: 'PendingDeletion', deletionDate: engine.now() + 7 * DAY });
    expect(thrown(() => engine.dataKeyPlaintext(ctx, dataKey.id))).toMatchObject({ code: 'InvalidState', details: { resource: 'data-key', state: 'PendingDeletion' } });
    expect(thrown(() => engine.enableDataKey(ctx, dataKey.id))).toMatchObject({ code: 'InvalidState' });
    engine.cancelDataKeyDeletion(ctx, dataKey.id);
    expect(engine.describeDataKey(ctx, dataKey.id)).toMatchObject({ state: 'Disabled', deletionDate: undefined });
    // Every operation has a row.
    expect(dataKeyTable().map((r) => r.operation)).toContain('getDataKeyPlaintext');
  });

  it('are deleted when their waiting period ends, on the injected clock; a cancelled deletion does not happen', () => {
    const { kms, engine, ref } = fresh();
    const a = engine.hostDataKey(ctx, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } }).dataKey;
    const b = engine.hostDataKey(ctx, ref, { name: 'b', source: { kind: 'generate', numberOfBytes: 16 } }).dataKey;
    for (const k of [a, b]) {
      engine.disableDataKey(ctx, k.id);
      engine.scheduleDataKeyDeletion(ctx, k.id, 7);
    }
    engine.cancelDataKeyDeletion(ctx, b.id);
    kms.clock.advance(7 * DAY - 1);
    expect(engine.describeDataKey(ctx, a.id).state).toBe('PendingDeletion');
    kms.clock.advance(1);
    expect(thrown(() => engine.describeDataKey(ctx, a.id))).toMatchObject({ code: 'NotFound' });
    expect(engine.describeDataKey(ctx, b.id).state).toBe('Disabled');
    // The name is free again.
    engine.hostDataKey(ctx, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } });
  });

  it('outlive their protecting key: once it is deleted, reading out gets NotFound for the key', () => {
    const { kms, engine, ref, cmk } = fresh();
    const { dataKey } = engine.hostDataKey(ctx, ref, { name: 'k', source: { kind: 'generate', numberOfBytes: 16 } });
    engine.disableKey(ctx, ref);
    engine.scheduleDeletion(ctx, ref, 7);
    expect(thrown(() => engine.dataKeyPlaintext(ctx, dataKey.id))).toMatchObject({ code: 'InvalidState', details: { resource: 'key' } });
    kms.clock.advance(7 * DAY);
    expect(engine.describeDataKey(ctx, dataKey.id).keyId).toBe(cmk.id);
    expect(thrown(() => engine.dataKeyPlaintext(ctx, dataKey.id))).toMatchObject({ code: 'NotFound', details: { resource: 'key' } });
    expect(thrown(() => engine.enableDataKey(ctx, dataKey.id))).toMatchObject({ code: 'NotFound', details: { resource: 'key' } });
    // Reads of the data key itself still work.
    expect(engine.dataKeyCiphertext(ctx, dataKey.id).ciphertext.length).toBeGreaterThan(0);
  });

  it('survive a snapshot and restore, with their scheduled deletion', () => {
    const { kms, engine, ref } = fresh();
    const kept = engine.hostDataKey(ctx, ref, { name: 'kept', description: 'x', source: { kind: 'generate', numberOfBytes: 24 }, tags: [['a', 'b']] });
    const going = engine.hostDataKey(ctx, ref, { name: 'going', source: { kind: 'generate', numberOfBytes: 16 } }).dataKey;
    engine.disableDataKey(ctx, going.id);
    engine.scheduleDataKeyDeletion(ctx, going.id, 10);
    const doc = JSON.parse(JSON.stringify(engine.snapshot()));
    const clock = new ManualClock(new Date(kms.clock.now()).toISOString());
    const copy = new Engine({ clock });
    copy.restore(doc);
    expect(copy.describeDataKey(ctx, kept.dataKey.id)).toMatchObject({ name: 'kept', description: 'x', numberOfBytes: 24, origin: 'GENERATED' });
    expect(Buffer.from(copy.dataKeyPlaintext(ctx, kept.dataKey.id).plaintext).equals(Buffer.from(kept.plaintext))).toBe(true);
    expect(copy.describeDataKey(ctx, going.id).state).toBe('PendingDeletion');
    clock.advance(10 * DAY);
    expect(thrown(() => copy.describeDataKey(ctx, going.id))).toMatchObject({ code: 'NotFound' });
    // A snapshot naming one data key twice, or with a deletion date that does not fit its state, is refused.
    const twice = { ...doc, dataKeys: [doc.dataKeys[0], doc.dataKeys[0]] };
    expect(thrown(() => new Engine().restore(twice))).toMatchObject({ code: 'Validation' });
    const misfit = { ...doc, dataKeys: [{ ...doc.dataKeys[0], deletionDate: 5 }] };
    expect(thrown(() => new Engine().restore(misfit))).toMatchObject({ code: 'Validation' });
  });

  it('travel in change records: creation, changes and removal replay on top of a snapshot', () => {
    const { kms, engine, ref } = fresh();
    const base = JSON.parse(JSON.stringify(engine.snapshot()));
    engine.discardChanges();
    const replica = new Engine({ clock: new ManualClock(new Date(kms.clock.now()).toISOString()) });
    replica.restore(base);
    const replay = () => {
      const c = engine.takeChanges();
      if (c) replica.applyChanges(JSON.parse(JSON.stringify(c)));
    };
    const a = engine.hostDataKey(ctx, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } });
    expect(engine.pendingChanges()).toBe('state');
    replay();
    expect(Buffer.from(replica.dataKeyPlaintext(ctx, a.dataKey.id).plaintext).equals(Buffer.from(a.plaintext))).toBe(true);
    engine.updateDataKey(ctx, a.dataKey.id, { name: 'renamed', description: 'new' });
    engine.disableDataKey(ctx, a.dataKey.id);
    engine.scheduleDataKeyDeletion(ctx, a.dataKey.id, 7);
    replay();
    expect(replica.describeDataKey(ctx, a.dataKey.id)).toMatchObject({ name: 'renamed', description: 'new', state: 'PendingDeletion' });
    kms.clock.advance(7 * DAY);
    const c = engine.takeChanges()!;
    expect(c.removedDataKeys).toEqual([{ account: ctx.realm.account, region: ctx.realm.region, id: a.dataKey.id }]);
    replica.applyChanges(JSON.parse(JSON.stringify(c)));
    expect(replica.listDataKeys(ctx)).toEqual([]);
  });

  it('a dry run changes nothing and draws nothing', () => {
    const { engine, ref } = fresh();
    const dry = { ...ctx, dryRun: true };
    const before = engine.snapshot();
    expect(thrown(() => engine.hostDataKey(dry, ref, { name: 'a', source: { kind: 'generate', numberOfBytes: 16 } }))).toMatchObject({ code: 'DryRun' });
    expect(engine.snapshot().random).toEqual(before.random);
    expect(engine.listDataKeys(ctx)).toEqual([]);
  });
});
