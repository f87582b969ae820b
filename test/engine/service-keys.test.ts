import { describe, expect, it } from 'vitest';
import { Engine, isKmsError, ManualClock, type CallContext, type KmsError, type ServiceKeys } from '../../src/index.js';

const realm = { account: '111122223333', region: 'us-east-1' };
const plain: CallContext = { realm, principal: { account: realm.account, type: 'root', id: realm.account }, requestId: 'r' };
const services: ServiceKeys = {
  names: ['svc/disk', 'svc/db'],
  template: (alias) =>
    alias === 'svc/disk' || alias === 'svc/db' ? { spec: 'AES_256', description: `made for ${alias}`, policies: [['default', '{}']], rotationPeriodDays: 30 } : undefined,
};
const ctx: CallContext = { ...plain, serviceKeys: services };

function thrown(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (e) {
    if (isKmsError(e)) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

describe('service-managed keys in the engine', () => {
  it('a predefined alias makes its key on first use: SERVICE-managed, rotating on the template period', () => {
    const engine = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'svc' });
    const key = engine.describeKey(ctx, { alias: 'svc/disk' });
    expect(key).toMatchObject({ manager: 'SERVICE', spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', state: 'Enabled', description: 'made for svc/disk' });
    expect(key.creator).toBeUndefined();
    expect(key.rotation).toMatchObject({ enabled: true, periodDays: 30, nextRotation: Date.parse('2026-01-31T00:00:00Z') });
    expect([...key.policies]).toEqual([['default', '{}']]);
    expect(engine.getAlias(ctx, 'svc/disk')?.keyId).toBe(key.id);
    expect(engine.encrypt(ctx, { alias: 'svc/disk' }, new Uint8Array([1])).key.id).toBe(key.id);
    expect(engine.generateDataKey(ctx, { alias: 'svc/db' }, 32).key.manager).toBe('SERVICE');
  });

  it('without the dialect’s predefined aliases, or for a name it does not predefine, nothing is made', () => {
    const engine = new Engine({ seed: 'svc' });
    expect(thrown(() => engine.describeKey(plain, { alias: 'svc/disk' })).code).toBe('NotFound');
    expect(thrown(() => engine.describeKey(ctx, { alias: 'svc/other' })).code).toBe('NotFound');
    expect(engine.listKeys(ctx, { limit: 10 }).items).toEqual([]);
  });

  it('reads (findKey, getAlias) and other operations make nothing; a dry run is refused before anything is made', () => {
    const engine = new Engine({ seed: 'svc' });
    expect(engine.findKey(ctx, { alias: 'svc/disk' })).toBeUndefined();
    expect(engine.getAlias(ctx, 'svc/disk')).toBeUndefined();
    expect(thrown(() => engine.getRotationStatus(ctx, { alias: 'svc/disk' })).code).toBe('NotFound');
    expect(thrown(() => engine.encrypt({ ...ctx, dryRun: true }, { alias: 'svc/disk' }, new Uint8Array([1]))).code).toBe('DryRun');
    expect(engine.listKeys(ctx, { limit: 10 }).items).toEqual([]);
  });

  it('the owner may use and read the key but not manage it: AccessDenied, reason service-managed, nothing changed', () => {
    const engine = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'svc' });
    const ref = { keyId: engine.describeKey(ctx, { alias: 'svc/disk' }).id };
    const before = JSON.stringify(engine.snapshot());
    const refusals: Array<() => unknown> = [
      () => engine.disableKey(plain, ref),
      () => engine.scheduleDeletion(plain, ref, 7),
      () => engine.disableRotation(plain, ref),
      () => engine.enableRotation(plain, ref, 90),
      () => engine.putPolicy(plain, ref, 'default', '{}'),
      () => engine.tagKey(plain, ref, [['a', 'b']]),
      () => engine.updateDescription(plain, ref, 'x'),
      () => engine.archiveKey(plain, ref),
      () => engine.createAlias(plain, 'mine', ref),
    ];
    for (const refusal of refusals) expect(thrown(refusal)).toMatchObject({ code: 'AccessDenied', details: { reason: 'service-managed' } });
    expect(JSON.stringify(engine.snapshot())).toBe(before);
    expect(engine.getPolicy(plain, ref, 'default').policy).toBe('{}');
  });

  it('lists predefined names without a key before the realm’s aliases, and pages through both', () => {
    const engine = new Engine({ seed: 'svc' });
    const mine = engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', alias: 'mine' });
    const first = engine.listAliases(ctx, { limit: 2 });
    expect(first.items.map((a) => [a.name, 'reserved' in a])).toEqual([
      ['svc/disk', true],
      ['svc/db', true],
    ]);
    const second = engine.listAliases(ctx, { limit: 2, marker: first.nextMarker! });
    expect(second.items.map((a) => ('keyId' in a ? a.keyId : undefined))).toEqual([mine.id]);
    expect(second.nextMarker).toBeUndefined();
    engine.describeKey(ctx, { alias: 'svc/db' });
    expect(engine.listAliases(ctx, { limit: 10 }).items.map((a) => a.name)).toEqual(['svc/disk', 'mine', 'svc/db']);
    // Without predefined names (another dialect), only the realm's aliases.
    expect(engine.listAliases(plain, { limit: 10 }).items.map((a) => a.name)).toEqual(['mine', 'svc/db']);
  });
});
