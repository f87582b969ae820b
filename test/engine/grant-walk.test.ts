/**
 * Every grantable action, walked through the engine: a grantee of another account whose grant lists
 * the action, with an encryption-context constraint, is refused with a context outside the
 * constraint and served with one inside, for each action that takes a context; for the others the
 * constraint does not apply. No grant for the action: refused whatever the context.
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type CallContext, type KeyRef } from '../../src/index.js';
import { CONTEXT_ACTIONS, GRANTABLE_ACTIONS, type Action } from '../../src/engine/actions.js';
import { text, thrown } from '../support/engine.js';

const region = 'us-east-1';
const owner: CallContext = { realm: { account: 'owner', region }, principal: { account: 'owner', type: 'root', id: 'owner' }, requestId: 'o' };
const grantee = (action: Action): CallContext => ({ realm: { account: 'grantee', region }, principal: { account: 'grantee', type: 'root', id: 'grantee' }, requestId: 'g', action });
const GOOD = { tenant: 'a' };
const BAD = { tenant: 'b' };

type Keys = { aes: KeyRef; sign: KeyRef; mac: KeyRef; agree: KeyRef; kem: KeyRef; own: KeyRef };

/** One call of each grantable action by the grantee, with `context` where the action takes one. */
const CALLS: Record<(typeof GRANTABLE_ACTIONS)[number], (e: Engine, k: Keys, context: Record<string, string>) => Promise<unknown> | unknown> = {
  describeKey: (e, k) => e.describeKey(grantee('describeKey'), k.aes),
  createGrant: (e, k) => e.createGrant(grantee('createGrant'), k.aes, { granteePrincipal: 'third', operations: ['decrypt'] }),
  // The grantee retires the grant that names it (none in a world without grants: NotFound).
  retireGrant: (e, k) => {
    const mine = [...(e.findKey(owner, { keyId: (k.aes as { keyId: string }).keyId })?.grants.values() ?? [])].find((g) => g.granteePrincipal === 'grantee');
    return e.retireGrant(grantee('retireGrant'), { keyRef: k.aes, grantId: mine?.id ?? '0'.repeat(64) });
  },
  encrypt: (e, k, c) => e.encrypt(grantee('encrypt'), k.aes, text('x'), c),
  encryptDataKey: (e, k, c) => e.encrypt(grantee('encryptDataKey'), k.aes, text('x'), c),
  decrypt: (e, k, c) => e.decrypt(grantee('decrypt'), e.encrypt(owner, { keyId: (k.aes as { keyId: string }).keyId }, text('x'), c).ciphertext, c),
  decryptDataKey: (e, k, c) => e.decrypt(grantee('decryptDataKey'), e.encrypt(owner, { keyId: (k.aes as { keyId: string }).keyId }, text('x'), c).ciphertext, c),
  reEncryptFrom: (e, k, c) =>
    e.reEncrypt(grantee('reEncryptFrom'), { ciphertext: e.encrypt(owner, { keyId: (k.aes as { keyId: string }).keyId }, text('x'), c).ciphertext, sourceContext: c, destinationKey: k.own }),
  reEncryptTo: (e, k, c) =>
    e.reEncrypt(grantee('reEncryptTo'), { ciphertext: e.encrypt({ ...grantee('encrypt'), action: 'encrypt' }, k.own, text('x')).ciphertext, destinationKey: k.aes, destinationContext: c }),
  generateDataKey: (e, k, c) => e.generateDataKey(grantee('generateDataKey'), k.aes, 32, c),
  generateDataKeyWithoutPlaintext: (e, k, c) => e.generateDataKey(grantee('generateDataKeyWithoutPlaintext'), k.aes, 32, c),
  generateDataKeyPair: (e, k, c) => e.generateDataKeyPair(grantee('generateDataKeyPair'), k.aes, 'EC_P256', c),
  generateDataKeyPairWithoutPlaintext: (e, k, c) => e.generateDataKeyPair(grantee('generateDataKeyPairWithoutPlaintext'), k.aes, 'EC_P256', c),
  getPublicKey: (e, k) => e.getPublicKey(grantee('getPublicKey'), k.sign),
  sign: (e, k) => e.sign(grantee('sign'), k.sign, { algorithm: 'ECDSA_SHA_256', input: 'RAW', message: text('m') }),
  verify: async (e, k) => {
    const { signature } = await e.sign(owner, { keyId: (k.sign as { keyId: string }).keyId }, { algorithm: 'ECDSA_SHA_256', input: 'RAW', message: text('m') });
    return e.verify(grantee('verify'), k.sign, { algorithm: 'ECDSA_SHA_256', input: 'RAW', message: text('m'), signature });
  },
  generateMac: (e, k) => e.generateMac(grantee('generateMac'), k.mac, 'HMAC_SHA_256', text('m')),
  verifyMac: (e, k) => {
    const { mac } = e.generateMac(owner, { keyId: (k.mac as { keyId: string }).keyId }, 'HMAC_SHA_256', text('m'));
    return e.verifyMac(grantee('verifyMac'), k.mac, 'HMAC_SHA_256', text('m'), mac);
  },
  deriveSharedSecret: async (e, k) => {
    const peer = (await e.getPublicKey(owner, { keyId: (k.agree as { keyId: string }).keyId })).publicKey;
    return e.deriveSharedSecret(grantee('deriveSharedSecret'), k.agree, 'ECDH', peer);
  },
  encapsulate: (e, k) => e.encapsulate(grantee('encapsulate'), k.kem, 'ML_KEM'),
  decapsulate: async (e, k) => {
    const { ciphertext } = await e.encapsulate(owner, { keyId: (k.kem as { keyId: string }).keyId }, 'ML_KEM');
    return e.decapsulate(grantee('decapsulate'), k.kem, 'ML_KEM', ciphertext);
  },
};

async function world(action: Action | undefined) {
  const engine = new Engine({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: `walk-${action}` });
  const make = async (spec: string, usage: string) => (await engine.createKeyAsync(owner, { spec: spec as never, usage: usage as never, origin: 'GENERATED' })).id;
  const ids = {
    aes: await make('AES_256', 'ENCRYPT_DECRYPT'),
    sign: await make('EC_P256', 'SIGN_VERIFY'),
    mac: await make('HMAC_256', 'GENERATE_VERIFY_MAC'),
    agree: await make('EC_P256', 'KEY_AGREEMENT'),
    kem: await make('ML_KEM_768', 'ENCAPSULATE_DECAPSULATE'),
  };
  const own = engine.createKey({ ...grantee('createKey'), action: 'createKey' }, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' }).id;
  if (action !== undefined) {
    for (const id of Object.values(ids)) {
      engine.createGrant(owner, { keyId: id }, { granteePrincipal: 'grantee', operations: [action], constraints: { encryptionContextSubset: GOOD } });
    }
  }
  const keys: Keys = {
    aes: { keyId: ids.aes, account: 'owner' },
    sign: { keyId: ids.sign, account: 'owner' },
    mac: { keyId: ids.mac, account: 'owner' },
    agree: { keyId: ids.agree, account: 'owner' },
    kem: { keyId: ids.kem, account: 'owner' },
    own: { keyId: own },
  };
  return { engine, keys };
}

async function outcome(fn: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe('every grantable action, through the engine', () => {
  for (const action of GRANTABLE_ACTIONS) {
    it(`${action}: ${CONTEXT_ACTIONS.has(action) ? 'a context outside the constraint is refused, one inside is served' : 'the constraint does not apply'}`, async () => {
      const call = CALLS[action];
      // A fresh world for each call: a call may use up what it acts on (a retired grant).
      const good = await world(action);
      expect(await outcome(() => call(good.engine, good.keys, GOOD))).toBe('ok');
      const bad = await world(action);
      expect(await outcome(() => call(bad.engine, bad.keys, BAD))).toBe(CONTEXT_ACTIONS.has(action) ? 'AccessDenied' : 'ok');
      // Without a grant for the action, the grantee does not reach the key at all.
      const bare = await world(undefined);
      expect(await outcome(() => call(bare.engine, bare.keys, GOOD))).toMatch(/NotFound|AccessDenied/);
    });
  }

  it('a refused call changes nothing', async () => {
    const { engine, keys } = await world('encrypt');
    engine.discardChanges();
    expect(thrown(() => engine.encrypt(grantee('encrypt'), keys.aes, text('x'), BAD)).code).toBe('AccessDenied');
    expect(engine.pendingChanges()).not.toBe('state');
  });
});
