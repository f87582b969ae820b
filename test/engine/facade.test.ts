/**
 * The engine's one entry point: read-only views, inputs checked where the engine is called (only
 * KmsError leaves it), reads that run and change nothing, dispose(), key creation with its alias in
 * one step, and the dialects' override rows of the key-state table.
 */
import { describe, expect, it } from 'vitest';
import { createKms, Engine, KmsError, ManualClock, type CallContext } from '../../src/index.js';
import { assertLifecycle, lifecycleOverrides } from '../../src/engine/lifecycle.js';
import { text, thrown } from '../support/engine.js';

const ctx: CallContext = { realm: { account: '111122223333', region: 'us-east-1' }, principal: { account: '111122223333', type: 'root', id: '111122223333' }, requestId: 'r' };

function fresh(clock = new ManualClock('2026-01-01T00:00:00Z')) {
  const engine = new Engine({ clock, seed: 'facade' });
  const key = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  return { engine, clock, key, ref: { keyId: key.id } };
}

describe('the engine facade', () => {
  it('hands out read-only views that show the key as it is now and hold no key material', () => {
    const { engine, key, ref } = fresh();
    expect(key.state).toBe('Enabled');
    engine.disableKey(ctx, ref);
    expect(key.state).toBe('Disabled');
    expect(() => {
      (key as { state: string }).state = 'Enabled';
    }).toThrow(TypeError);
    expect(engine.describeKey(ctx, ref).state).toBe('Disabled');
    expect(Object.keys(key)).not.toContain('secrets');
    expect(JSON.stringify(key)).not.toMatch(/secret/i);
  });

  it('refuses bad inputs with KmsError, before anything happens', async () => {
    const { engine, ref } = fresh();
    for (const n of [0, -1, 1.5, Number.NaN, 2 ** 21]) {
      expect(thrown(() => engine.generateDataKey(ctx, ref, n))).toBeInstanceOf(KmsError);
      expect(thrown(() => engine.generateRandom(n))).toBeInstanceOf(KmsError);
    }
    const pair = await engine.generateDataKeyPair(ctx, ref, 'ECC_NIST_P256' as never).catch((e: unknown) => e);
    expect(pair).toBeInstanceOf(KmsError);
    expect((pair as KmsError).code).toBe('Validation');
  });

  it('runs due work when a request enters, never on a read', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => now };
    const { engine, ref } = fresh(clock as unknown as ManualClock);
    engine.createAlias(ctx, 'alias/doomed', ref);
    engine.scheduleDeletion(ctx, ref, 7);
    now += 8 * 86_400_000;
    const events = engine.audit.list().length;
    // Reads that dialects use to render answers: nothing runs, nothing changes.
    expect(engine.findKey(ctx, ref)?.state).toBe('PendingDeletion');
    expect(engine.getAlias(ctx, 'alias/doomed')).toBeDefined();
    expect(engine.audit.list().length).toBe(events);
    // A request runs the due deletion first.
    expect(thrown(() => engine.describeKey(ctx, ref)).code).toBe('NotFound');
    expect(engine.getAlias(ctx, 'alias/doomed')).toBeUndefined();
  });

  it('stops following a shared clock once disposed', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const a = fresh(clock);
    const b = fresh(clock);
    a.engine.scheduleDeletion(ctx, a.ref, 7);
    b.engine.scheduleDeletion(ctx, b.ref, 7);
    a.engine.dispose();
    clock.advance('8d');
    const deleted = (e: Engine) => e.audit.list().some((event) => event.kind === 'service_event');
    expect(deleted(b.engine)).toBe(true);
    expect(deleted(a.engine)).toBe(false);
    // A disposed engine still works: its next request catches up.
    expect(thrown(() => a.engine.describeKey(ctx, a.ref)).code).toBe('NotFound');
    expect(deleted(a.engine)).toBe(true);
  });

  it('creates a key and its alias in one step: a taken alias leaves no key behind', async () => {
    const { engine, ref } = fresh();
    engine.createAlias(ctx, 'alias/taken', ref);
    const before = engine.listKeys(ctx, { limit: 100 }).items.length;
    expect(thrown(() => engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', alias: 'alias/taken' })).code).toBe('AlreadyExists');
    // Two key pairs generated at once for one alias: one key, one refusal.
    const input = { spec: 'EC_P256', usage: 'SIGN_VERIFY', origin: 'GENERATED', alias: 'alias/pair' } as const;
    const outcomes = await Promise.allSettled([engine.createKeyAsync(ctx, input), engine.createKeyAsync(ctx, input)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(engine.listKeys(ctx, { limit: 100 }).items.length).toBe(before + 1);
    const made = outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>;
    expect(engine.getAlias(ctx, 'alias/pair')?.keyId).toBe(made.value.id);
  });

  it('applies a dialect\'s override rows only where the neutral row lets the call through', () => {
    const key = { id: 'k', state: 'Enabled' as const };
    expect(() => assertLifecycle('enableKey', key)).not.toThrow();
    const refused = thrown(() => assertLifecycle('enableKey', key, 'huawei'));
    expect(refused).toMatchObject({ code: 'InvalidState', details: { reason: 'state-rule', rule: 'enable-disabled-only' } });
    // The neutral refusal stays the neutral one.
    expect(thrown(() => assertLifecycle('enableKey', { id: 'k', state: 'PendingDeletion' }, 'huawei')).details.reason).toBeUndefined();
    for (const row of lifecycleOverrides()) expect(Object.values(row.outcomes)).toContain('InvalidState');
  });

  it('lets an override row allow a state the neutral row refuses, and keeps the neutral refusal where both refuse', () => {
    const disabled = { id: 'k', state: 'Disabled' as const };
    expect(thrown(() => assertLifecycle('disableRotation', disabled)).code).toBe('Disabled');
    expect(() => assertLifecycle('disableRotation', disabled, 'tencent')).not.toThrow();
    expect(() => assertLifecycle('disableRotation', { id: 'k', state: 'Archived' }, 'tencent')).not.toThrow();
    expect(thrown(() => assertLifecycle('disableRotation', { id: 'k', state: 'PendingImport' }, 'tencent')).code).toBe('Unsupported');
    const row = lifecycleOverrides().find((r) => r.rules === 'tencent' && r.operation === 'disableRotation')!;
    expect(row.outcomes).toMatchObject({ Disabled: 'ok', Archived: 'ok', PendingDeletion: 'ok', PendingImport: 'Unsupported', Unavailable: 'InvalidState' });
  });
});

describe('the emulator', () => {
  it('lets go of a shared clock through kms.engine.dispose()', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const kms = createKms({ clock });
    const key = kms.engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    kms.engine.scheduleDeletion(ctx, { keyId: key.id }, 7);
    kms.engine.dispose();
    clock.advance('8d');
    expect(kms.engine.findKey(ctx, { keyId: key.id })).toBeDefined();
  });
});

describe('grants written before actions were neutral', () => {
  it('restore with their dialect operation names read as actions, and keep serving their grantee', () => {
    const owner = fresh();
    owner.engine.createGrant(ctx, owner.ref, { granteePrincipal: '444455556666', operations: ['encrypt'] });
    const doc = JSON.parse(JSON.stringify(owner.engine.snapshot()));
    const grants = doc.realms[0].keys[0].grants;
    // As an earlier version wrote them: AWS and Huawei operation names.
    grants[0].operations = ['Encrypt', 'GenerateDataKeyWithoutPlaintext', 'encrypt-datakey', 'describe-key'];
    const restored = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    restored.restore(doc);
    const grant = [...restored.describeKey(ctx, owner.ref).grants.values()][0]!;
    expect(grant.operations).toEqual(['encrypt', 'generateDataKeyWithoutPlaintext', 'encryptDataKey', 'describeKey']);
    const grantee: CallContext = { realm: { account: '444455556666', region: 'us-east-1' }, principal: { account: '444455556666', type: 'root', id: '444455556666' }, requestId: 'g' };
    expect(restored.encrypt({ ...grantee, action: 'encrypt' }, { keyId: owner.key.id, account: ctx.realm.account }, text('x')).key.id).toBe(owner.key.id);
  });
});
