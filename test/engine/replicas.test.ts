import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type CallContext } from '../../src/index.js';
import { lifecycleOutcome } from '../../src/engine/lifecycle.js';
import { str, text, thrown } from '../support/engine.js';

const principal = { account: 'acct', type: 'root' as const, id: 'acct' };
const at = (region: string): CallContext => ({ realm: { account: 'acct', region }, principal, requestId: 'r' });
const EAST = at('east');
const WEST = at('west');
const NORTH = at('north');

function family() {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const engine = new Engine({ clock, seed: 'replicas' });
  const key = engine.createKey(EAST, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', multiRegion: true, idPrefix: 'mrk-' });
  const ref = { keyId: key.id };
  return { clock, engine, key, ref };
}

describe('replicas (engine)', () => {
  it('adopt: a single-Region key becomes its family\'s primary on its first replica; a refusal leaves it single-Region', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const engine = new Engine({ clock, seed: 'adopt' });
    const single = engine.createKey(EAST, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const ref = { keyId: single.id };
    const sealed = engine.encrypt(EAST, ref, text('before'));
    const before = JSON.stringify(engine.snapshot());
    expect(thrown(() => engine.replicateKey(EAST, ref, { region: 'east', adopt: true })).code).toBe('AlreadyExists');
    expect(JSON.stringify(engine.snapshot())).toBe(before);
    engine.replicateKey(EAST, ref, { region: 'west', adopt: true });
    expect(engine.describeKey(EAST, ref)).toMatchObject({ multiRegion: true, replication: { primaryRegion: 'east', replicaRegions: ['west'] } });
    clock.advance('5s');
    expect(str(engine.decrypt(WEST, sealed.ciphertext).plaintext)).toBe('before');
  });

  it('a family shares material and keeps one relation in every member', () => {
    const { clock, engine, key, ref } = family();
    expect(key.id).toMatch(/^mrk-[0-9a-f]{32}$/);
    engine.replicateKey(EAST, ref, { region: 'west' });
    engine.replicateKey(EAST, ref, { region: 'north', settleMs: 1000 });
    for (const ctx of [EAST, WEST, NORTH]) expect(engine.describeKey(ctx, ref).replication).toEqual({ primaryRegion: 'east', replicaRegions: ['west', 'north'] });
    clock.advance('1s');
    expect(engine.describeKey(NORTH, ref).state).toBe('Enabled');
    expect(engine.describeKey(WEST, ref).state).toBe('Creating');
    clock.advance('4s');
    const sealed = engine.encrypt(NORTH, ref, text('n'));
    expect(str(engine.decrypt(WEST, sealed.ciphertext).plaintext)).toBe('n');
  });

  it('neutral errors: Unsupported for a single-region key or a replica, AlreadyExists for a taken region, NotFound for a region without a member', () => {
    const { engine, ref } = family();
    const single = engine.createKey(EAST, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    expect(thrown(() => engine.replicateKey(EAST, { keyId: single.id }, { region: 'west' })).details).toMatchObject({ reason: 'not-multi-region' });
    engine.replicateKey(EAST, ref, { region: 'west' });
    const before = JSON.stringify(engine.snapshot());
    expect(thrown(() => engine.replicateKey(WEST, ref, { region: 'north' })).details).toMatchObject({ reason: 'not-primary' });
    expect(thrown(() => engine.replicateKey(EAST, ref, { region: 'west' })).code).toBe('AlreadyExists');
    expect(thrown(() => engine.replicateKey(EAST, ref, { region: 'east' })).code).toBe('AlreadyExists');
    expect(thrown(() => engine.updatePrimaryRegion(EAST, ref, 'north')).code).toBe('NotFound');
    expect(thrown(() => engine.replicateKey({ ...EAST, dryRun: true }, ref, { region: 'north' })).code).toBe('DryRun');
    expect(JSON.stringify(engine.snapshot())).toBe(before);
  });

  it('change records carry a new replica and the family relation', () => {
    const { clock, engine, ref } = family();
    const copy = new Engine({ clock });
    engine.discardChanges();
    copy.restore(engine.snapshot());
    engine.replicateKey(EAST, ref, { region: 'west' });
    copy.applyChanges(JSON.parse(JSON.stringify(engine.takeChanges())));
    expect(copy.describeKey(EAST, ref).replication).toEqual({ primaryRegion: 'east', replicaRegions: ['west'] });
    expect(copy.describeKey(WEST, ref).state).toBe('Creating');
    clock.advance('5s');
    expect(copy.describeKey(WEST, ref).state).toBe('Enabled');
  });

  it('the key-state table: Creating allows management only, Updating allows cryptography but no enabling, disabling or deletion', () => {
    expect(lifecycleOutcome('encrypt', 'Creating')).toBe('InvalidState');
    expect(lifecycleOutcome('tagKey', 'Creating')).toBe('ok');
    expect(lifecycleOutcome('scheduleDeletion', 'Creating')).toBe('ok');
    expect(lifecycleOutcome('createGrant', 'Creating')).toBe('InvalidState');
    expect(lifecycleOutcome('encrypt', 'Updating')).toBe('ok');
    expect(lifecycleOutcome('disableKey', 'Updating')).toBe('InvalidState');
    expect(lifecycleOutcome('scheduleDeletion', 'Updating')).toBe('InvalidState');
    expect(lifecycleOutcome('replicateKey', 'Updating')).toBe('InvalidState');
    expect(lifecycleOutcome('cancelDeletion', 'PendingReplicaDeletion')).toBe('ok');
    expect(lifecycleOutcome('replicateKey', 'Disabled')).toBe('Disabled');
  });
});
