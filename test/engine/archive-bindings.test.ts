import { describe, expect, it } from 'vitest';
import { createKms, lifecycleOutcome, ManualClock, type CallContext, type Engine, type KeyRef, type KmsError } from '../../src/index.js';
import { str, text, thrown } from '../support/engine.js';

/** The engine directly: archiving keys and binding them to cloud resources (Tencent's concepts, in neutral words). */
const ctx: CallContext = {
  realm: { account: '100000000001', region: 'ap-guangzhou' },
  principal: { account: '100000000001', type: 'root', id: '100000000001' },
  requestId: 'test',
};

function fresh() {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'archive' });
  const engine = kms.engine;
  const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  return { kms, engine, ref: { keyId: key.id } as KeyRef, id: key.id };
}

/** Calls `fn`, expects a KmsError and checks the engine state is byte for byte what it was. */
function refusedUnchanged(engine: Engine, fn: () => unknown): KmsError {
  const before = JSON.stringify(engine.snapshot());
  const error = thrown(fn);
  expect(error.name).toBe('KmsError');
  expect(JSON.stringify(engine.snapshot())).toBe(before);
  return error;
}

describe('archived keys', () => {
  it('an enabled key archives: it still decrypts but no longer encrypts; cancelling the archive enables it', () => {
    const { engine, ref } = fresh();
    const { ciphertext } = engine.encrypt(ctx, ref, text('before archive'), { purpose: 'test' });
    expect(engine.archiveKey(ctx, ref).state).toBe('Archived');
    expect(str(engine.decrypt(ctx, ciphertext, { purpose: 'test' }).plaintext)).toBe('before archive');
    expect(refusedUnchanged(engine, () => engine.encrypt(ctx, ref, text('x')))).toMatchObject({ code: 'InvalidState', details: { state: 'Archived' } });
    expect(thrown(() => engine.generateDataKey(ctx, ref, 32)).code).toBe('InvalidState');
    // Re-encrypting from an archived key is allowed, to an archived key it is not.
    const other = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const moved = engine.reEncrypt(ctx, { ciphertext, sourceContext: { purpose: 'test' }, destinationKey: { keyId: other.id } });
    expect(str(engine.decrypt(ctx, moved.ciphertext).plaintext)).toBe('before archive');
    expect(thrown(() => engine.reEncrypt(ctx, { ciphertext: moved.ciphertext, destinationKey: ref })).code).toBe('InvalidState');
    // Archiving an archived key changes nothing.
    const before = JSON.stringify(engine.snapshot());
    expect(engine.archiveKey(ctx, ref).state).toBe('Archived');
    expect(JSON.stringify(engine.snapshot())).toBe(before);
    expect(engine.cancelArchive(ctx, ref).state).toBe('Enabled');
    expect(str(engine.decrypt(ctx, engine.encrypt(ctx, ref, text('after')).ciphertext).plaintext)).toBe('after');
  });

  it('only enabled (or archived) keys archive; the others are refused with InvalidState and unchanged', () => {
    const { engine, ref } = fresh();
    engine.disableKey(ctx, ref);
    expect(refusedUnchanged(engine, () => engine.archiveKey(ctx, ref))).toMatchObject({ code: 'InvalidState', details: { state: 'Disabled', operation: 'archiveKey' } });
    engine.scheduleDeletion(ctx, ref, 7);
    expect(refusedUnchanged(engine, () => engine.archiveKey(ctx, ref))).toMatchObject({ code: 'InvalidState', details: { state: 'PendingDeletion' } });
    const pending = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'EXTERNAL' });
    expect(refusedUnchanged(engine, () => engine.archiveKey(ctx, { keyId: pending.id }))).toMatchObject({ code: 'InvalidState', details: { state: 'PendingImport' } });
  });

  it('cancelling the archive of a key that is not archived is InvalidState with reason not-archived', () => {
    const { engine, ref, id } = fresh();
    const error = refusedUnchanged(engine, () => engine.cancelArchive(ctx, ref));
    expect(error).toMatchObject({ code: 'InvalidState', message: `Key ${id} is not archived.`, details: { reason: 'not-archived', state: 'Enabled', keyId: id } });
    engine.disableKey(ctx, ref);
    expect(refusedUnchanged(engine, () => engine.cancelArchive(ctx, ref)).details.reason).toBe('not-archived');
  });

  it('an archived key cannot be enabled, disabled, scheduled for deletion or rotated, but keeps its aliases, tags and description', () => {
    const { engine, ref } = fresh();
    engine.archiveKey(ctx, ref);
    for (const call of [
      () => engine.enableKey(ctx, ref),
      () => engine.disableKey(ctx, ref),
      () => engine.scheduleDeletion(ctx, ref, 7),
      () => engine.enableRotation(ctx, ref, 365),
      () => engine.rotateNow(ctx, ref, { limit: 10 }),
    ]) {
      expect(refusedUnchanged(engine, call)).toMatchObject({ code: 'InvalidState', details: { state: 'Archived' } });
    }
    engine.createAlias(ctx, 'alias/archived', ref);
    engine.tagKey(ctx, ref, [['team', 'a']]);
    expect(engine.updateDescription(ctx, ref, 'kept for old data').description).toBe('kept for old data');
    expect(engine.describeKey(ctx, { alias: 'alias/archived' }).tags.get('team')).toBe('a');
  });

  it('an archived SM2 key refuses public-key decryption (envelopes only still open)', async () => {
    const { engine } = fresh();
    const sm2 = await engine.createKeyAsync(ctx, { spec: 'SM2', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const ref = { keyId: sm2.id };
    const { ciphertext } = await engine.encryptAsymmetric(ctx, ref, 'SM2_C1C3C2_ASN1', text('secret'));
    expect(str((await engine.decryptAsymmetric(ctx, ref, ciphertext, 'SM2_C1C3C2_ASN1')).plaintext)).toBe('secret');
    engine.archiveKey(ctx, ref);
    await expect(engine.decryptAsymmetric(ctx, ref, ciphertext, 'SM2_C1C3C2_ASN1')).rejects.toMatchObject({ code: 'InvalidState', details: { state: 'Archived' } });
    await expect(engine.getPublicKey(ctx, ref)).rejects.toMatchObject({ code: 'InvalidState' });
  });

  it('the state table answers the archive questions', () => {
    expect(lifecycleOutcome('decrypt', 'Archived')).toBe('ok');
    expect(lifecycleOutcome('encrypt', 'Archived')).toBe('InvalidState');
    expect(lifecycleOutcome('archiveKey', 'Enabled')).toBe('ok');
    expect(lifecycleOutcome('archiveKey', 'Archived')).toBe('ok');
    expect(lifecycleOutcome('cancelArchive', 'Archived')).toBe('ok');
    expect(lifecycleOutcome('scheduleDeletion', 'Archived')).toBe('InvalidState');
    for (const state of ['Enabled', 'Disabled', 'PendingImport', 'Archived'] as const) expect(lifecycleOutcome('bindResource', state)).toBe('ok');
    expect(lifecycleOutcome('bindResource', 'PendingDeletion')).toBe('InvalidState');
  });
});

describe('cloud-resource bindings', () => {
  it('binding is idempotent and listed on the key; unbinding removes it', () => {
    const { kms, engine, ref } = fresh();
    const first = engine.bindResource(ctx, ref, 'cos', 'bucket-1');
    expect(first.bindings).toEqual([{ product: 'cos', resource: 'bucket-1', boundAt: kms.clock.now() }]);
    kms.clock.advance('1h');
    expect(engine.bindResource(ctx, ref, 'cos', 'bucket-1').bindings).toHaveLength(1);
    expect(engine.bindResource(ctx, ref, 'cbs', 'disk-1').bindings.map((b) => `${b.product}/${b.resource}`)).toEqual(['cos/bucket-1', 'cbs/disk-1']);
    expect(engine.unbindResource(ctx, ref, 'cos', 'bucket-1').bindings.map((b) => b.resource)).toEqual(['disk-1']);
  });

  it('unbinding a binding that does not exist is NotFound for the binding, and changes nothing', () => {
    const { engine, ref, id } = fresh();
    engine.bindResource(ctx, ref, 'cos', 'bucket-1');
    const error = refusedUnchanged(engine, () => engine.unbindResource(ctx, ref, 'cos', 'bucket-2'));
    expect(error).toMatchObject({ code: 'NotFound', details: { resource: 'binding', keyId: id, product: 'cos', resourceId: 'bucket-2' } });
    expect(refusedUnchanged(engine, () => engine.unbindResource(ctx, ref, 'cbs', 'bucket-1')).code).toBe('NotFound');
  });

  it('a bound key refuses disable, archive and deletion with InvalidState reason bound; unbound it allows them', () => {
    const { engine, ref, id } = fresh();
    engine.bindResource(ctx, ref, 'cos', 'bucket-1');
    for (const [operation, call] of [
      ['disableKey', () => engine.disableKey(ctx, ref)],
      ['archiveKey', () => engine.archiveKey(ctx, ref)],
      ['scheduleDeletion', () => engine.scheduleDeletion(ctx, ref, 7)],
    ] as const) {
      const error = refusedUnchanged(engine, call);
      expect(error, operation).toMatchObject({ code: 'InvalidState', message: `Key ${id} is in use by a cloud resource.`, details: { resource: 'key', keyId: id, reason: 'bound', state: 'Enabled' } });
    }
    // Encryption goes on as usual.
    expect(engine.encrypt(ctx, ref, text('x')).ciphertext.length).toBeGreaterThan(0);
    engine.unbindResource(ctx, ref, 'cos', 'bucket-1');
    expect(engine.disableKey(ctx, ref).state).toBe('Disabled');
    expect(engine.scheduleDeletion(ctx, ref, 7).state).toBe('PendingDeletion');
  });

  it('the state table comes first: a bound archived key refuses deletion for its state, not for the binding', () => {
    const { engine, ref } = fresh();
    engine.archiveKey(ctx, ref);
    engine.bindResource(ctx, ref, 'cos', 'bucket-1');
    const error = refusedUnchanged(engine, () => engine.scheduleDeletion(ctx, ref, 7));
    expect(error.code).toBe('InvalidState');
    expect(error.details.reason).toBeUndefined();
    // cancelArchive is not refused for a binding.
    expect(engine.cancelArchive(ctx, ref).state).toBe('Enabled');
  });

  it('keys bind in Enabled, Disabled, PendingImport and Archived states; a key pending deletion does not', () => {
    const { engine, ref } = fresh();
    const imported = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'EXTERNAL' });
    expect(engine.bindResource(ctx, { keyId: imported.id }, 'cbs', 'disk').bindings).toHaveLength(1);
    // A bound key without material cannot lose material it does not have either: refused for the binding.
    expect(refusedUnchanged(engine, () => engine.deleteImportedKeyMaterial(ctx, { keyId: imported.id })).details.reason).toBe('bound');
    engine.disableKey(ctx, ref);
    expect(engine.bindResource(ctx, ref, 'cbs', 'disk').state).toBe('Disabled');
    engine.unbindResource(ctx, ref, 'cbs', 'disk');
    engine.scheduleDeletion(ctx, ref, 7);
    expect(refusedUnchanged(engine, () => engine.bindResource(ctx, ref, 'cbs', 'disk'))).toMatchObject({ code: 'InvalidState', details: { state: 'PendingDeletion' } });
    expect(refusedUnchanged(engine, () => engine.unbindResource(ctx, ref, 'cbs', 'disk')).code).toBe('InvalidState');
  });
});

describe('archive and bindings are durable', () => {
  it('snapshots carry bindings and the archived state; a replica fed only change records equals the live engine', () => {
    const { kms, engine, ref } = fresh();
    const replica = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'archive' });
    const sync = () => {
      const changes = engine.takeChanges();
      if (changes) replica.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
      expect({ ...replica.snapshot(), takenAt: 0 }).toEqual({ ...kms.snapshot(), takenAt: 0 });
    };
    sync();
    const steps: Array<() => unknown> = [
      () => engine.bindResource(ctx, ref, 'cos', 'bucket-1'),
      () => engine.bindResource(ctx, ref, 'cbs', 'disk-1'),
      () => engine.unbindResource(ctx, ref, 'cos', 'bucket-1'),
      () => engine.unbindResource(ctx, ref, 'cbs', 'disk-1'),
      () => engine.archiveKey(ctx, ref),
      () => engine.bindResource(ctx, ref, 'cos', 'bucket-2'),
      () => engine.cancelArchive(ctx, ref),
    ];
    for (const step of steps) {
      step();
      sync();
    }
    const snap = JSON.parse(JSON.stringify(kms.snapshot()));
    expect(snap.realms[0].keys[0].bindings).toEqual([{ product: 'cos', resource: 'bucket-2', boundAt: kms.clock.now() }]);
    const restored = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'archive' });
    restored.restore(snap);
    expect(restored.snapshot()).toEqual(kms.snapshot());
    expect(thrown(() => restored.engine.disableKey(ctx, ref)).details.reason).toBe('bound');
  });
});
