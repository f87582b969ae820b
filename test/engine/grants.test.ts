import { describe, expect, it } from 'vitest';
import { createKms, Engine, ManualClock, type CallContext } from '../../src/index.js';
import { str, text, thrown } from '../support/engine.js';
import { storedGrantAction, type Action } from '../../src/engine/actions.js';

/** Grants through the engine: owners create them; grantees from other accounts reach the key through them only. */
const region = 'cn-north-4';
const owner: CallContext = {
  realm: { account: 'owner-account', region },
  principal: { account: 'owner-account', type: 'user', id: 'owner-user' },
  requestId: 'r',
};
const grantee = (operation?: string, principalId = 'grantee-user'): CallContext => ({
  realm: { account: 'grantee-account', region },
  principal: { account: 'grantee-account', type: 'user', id: principalId },
  requestId: 'r',
  // The call's action, named as the dialects name operations (grants hold the neutral actions).
  ...(operation !== undefined ? { action: storedGrantAction(operation) as Action } : {}),
});

function fresh() {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'grants' });
  const key = kms.engine.createKey(owner, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  return { kms, engine: kms.engine, ref: { keyId: key.id } };
}

describe('grants', () => {
  it('are created, listed, paged, retired and revoked on their key', () => {
    const { engine, ref } = fresh();
    const a = engine.createGrant(owner, ref, { granteePrincipal: 'grantee-user', operations: ['encrypt-datakey'], name: 'a', retiringPrincipal: 'retirer' }).grant;
    const b = engine.createGrant(owner, ref, { granteePrincipal: 'grantee-account', granteeType: 'domain', operations: ['describe-key'] }).grant;
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.issuingPrincipal).toBe('owner-user');
    expect(engine.describeKey(owner, ref).grants.size).toBe(2);

    const first = engine.listGrants(owner, ref, { limit: 1 }).page;
    expect(first.items.map((g) => g.id)).toEqual([a.id]);
    const second = engine.listGrants(owner, ref, { limit: 1, marker: first.nextMarker! }).page;
    expect(second.items.map((g) => g.id)).toEqual([b.id]);
    expect(second.nextMarker).toBeUndefined();
    expect(engine.listGrants(owner, ref, { limit: 10 }, { granteePrincipal: 'grantee-account' }).page.items).toHaveLength(1);
    expect(engine.listRetirableGrants(grantee(), 'retirer', { limit: 10 }).items.map((g) => g.id)).toEqual([a.id]);

    // The retiring principal retires by token, from its own account.
    const retirer: CallContext = { ...grantee(), principal: { account: 'grantee-account', type: 'user', id: 'retirer' } };
    expect(engine.retireGrant(retirer, { token: a.token }).id).toBe(a.id);
    expect(thrown(() => engine.retireGrant(retirer, { token: a.token })).code).toBe('NotFound');
    expect(engine.revokeGrant(owner, ref, b.id).id).toBe(b.id);
    expect(engine.describeKey(owner, ref).grants.size).toBe(0);
  });

  it('let a grantee of another account do exactly the granted operations', () => {
    const { engine, ref } = fresh();
    // Without a grant the key is invisible to the other account.
    expect(thrown(() => engine.encrypt(grantee('encrypt-data'), ref, text('x'))).code).toBe('NotFound');

    const grant = engine.createGrant(owner, ref, { granteePrincipal: 'grantee-user', operations: ['encrypt-data'] }).grant;
    const sealed = engine.encrypt(grantee('encrypt-data'), ref, text('for the owner'));
    expect(sealed.key.id).toBe(ref.keyId);
    // The owner decrypts it; the grantee, with no decrypt grant, is refused.
    expect(str(engine.decrypt(owner, sealed.ciphertext).plaintext)).toBe('for the owner');
    const denied = thrown(() => engine.decrypt(grantee('decrypt-data'), sealed.ciphertext));
    expect(denied.code).toBe('AccessDenied');
    expect(denied.details.reason).toBe('grant');
    expect(thrown(() => engine.describeKey(grantee('describe-key'), ref)).code).toBe('AccessDenied');
    // Another user of the grantee account is not the grantee.
    expect(thrown(() => engine.encrypt(grantee('encrypt-data', 'someone-else'), ref, text('x'))).code).toBe('NotFound');

    engine.revokeGrant(owner, ref, grant.id);
    expect(thrown(() => engine.encrypt(grantee('encrypt-data'), ref, text('x'))).code).toBe('NotFound');
  });

  it('grant the whole account when the grantee is an account, and decrypt across accounts', () => {
    const { engine, ref } = fresh();
    engine.createGrant(owner, ref, { granteePrincipal: 'grantee-account', operations: ['Encrypt', 'Decrypt'] });
    const sealed = engine.encrypt(grantee('Encrypt', 'any-user'), ref, text('shared'));
    expect(str(engine.decrypt(grantee('Decrypt', 'another-user'), sealed.ciphertext).plaintext)).toBe('shared');
  });

  it('enforce encryption-context constraints for grantees', () => {
    const { engine, ref } = fresh();
    engine.createGrant(owner, ref, {
      granteePrincipal: 'grantee-user',
      operations: ['Encrypt', 'GenerateDataKey'],
      constraints: { encryptionContextSubset: { tenant: 'a' } },
    });
    expect(engine.encrypt(grantee('Encrypt'), ref, text('x'), { tenant: 'a', extra: '1' }).key.id).toBe(ref.keyId);
    const refused = thrown(() => engine.encrypt(grantee('Encrypt'), ref, text('x'), { tenant: 'b' }));
    expect(refused.code).toBe('AccessDenied');
    expect(refused.details.reason).toBe('grant-constraints');
    expect(thrown(() => engine.generateDataKey(grantee('GenerateDataKey'), ref, 32)).code).toBe('AccessDenied');
    // The owner is not limited by grants.
    expect(engine.encrypt(owner, ref, text('x'), { tenant: 'b' }).key.id).toBe(ref.keyId);
  });

  it('refuse unknown grants, grant ids of another key, strangers retiring, and grants beyond the limit', () => {
    const { engine, ref } = fresh();
    const other = { keyId: engine.createKey(owner, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' }).id };
    const g = engine.createGrant(owner, ref, { granteePrincipal: 'grantee-user', operations: ['describe-key'] }).grant;
    const before = JSON.stringify(engine.snapshot());
    expect(thrown(() => engine.revokeGrant(owner, ref, 'f'.repeat(64))).details).toMatchObject({ resource: 'grant' });
    expect(thrown(() => engine.revokeGrant(owner, other, g.id)).details).toMatchObject({ resource: 'grant', reason: 'grant-key-mismatch' });
    expect(thrown(() => engine.retireGrant(owner, { token: 'not-a-token' })).code).toBe('NotFound');
    const stranger: CallContext = { ...grantee(), realm: { account: 'third', region }, principal: { account: 'third', type: 'user', id: 'x' } };
    expect(thrown(() => engine.retireGrant(stranger, { token: g.token })).code).toBe('AccessDenied');
    const limited = thrown(() => engine.createGrant(owner, ref, { granteePrincipal: 'u', operations: ['describe-key'], limit: 1 }));
    expect(limited.details).toMatchObject({ reason: 'grants-per-key' });
    expect(JSON.stringify(engine.snapshot())).toBe(before);
  });

  it('follow the key state table: none are created for a key pending deletion', () => {
    const { engine, ref } = fresh();
    engine.scheduleDeletion(owner, ref, 7);
    expect(thrown(() => engine.createGrant(owner, ref, { granteePrincipal: 'u', operations: ['describe-key'] })).code).toBe('InvalidState');
  });

  it('survive snapshots and change records, and go with their key', () => {
    const { kms, engine, ref } = fresh();
    const replica = new Engine({ clock: kms.clock });
    engine.discardChanges();
    replica.restore(engine.snapshot());
    const g = engine.createGrant(owner, ref, { granteePrincipal: 'grantee-user', operations: ['Encrypt'], constraints: { encryptionContextEquals: { a: 'b' } } }).grant;
    replica.applyChanges(JSON.parse(JSON.stringify(engine.takeChanges())));
    expect(replica.describeKey(owner, ref).grants.get(g.id)).toEqual(g);
    const restored = new Engine({ clock: kms.clock });
    restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    expect(restored.describeKey(owner, ref).grants.get(g.id)).toEqual(g);
    expect(restored.retireGrant(owner, { token: g.token }).id).toBe(g.id);

    engine.scheduleDeletion(owner, ref, 7);
    kms.clock.advance('8d');
    expect(engine.listRetirableGrants(owner, 'grantee-user', { limit: 10 }).items).toHaveLength(0);
  });
});
