/**
 * Where key material is made. Keys of the local backend keep their material in their own record
 * (material.ts reads it only through `secretOf`); CloudHSM and external key stores are further
 * backends of this interface.
 */

import { randomBytes } from '../crypto/random.js';
import { generateKeyPair } from '../crypto/asymmetric.js';
import { hmacKeyLength } from '../crypto/hmac.js';
import { KmsError } from './errors.js';
import { isAsymmetricSpec, isHmacSpec } from './specs.js';
import type { EngineState } from './state.js';
import type { AsymmetricKeySpec, KeySpec } from './types.js';

export interface KeyMaterialBackend {
  /** Fresh symmetric material: 32 bytes for AES-256, 16 for SM4, the hash's output length for HMAC. */
  newSecret(s: EngineState, spec: KeySpec, keyId: string): Uint8Array;
  /** A fresh key pair (PKCS#8 private key, SPKI public key). */
  newKeyPair(s: EngineState, spec: AsymmetricKeySpec): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }>;
}

export const localBackend: KeyMaterialBackend = {
  newSecret(s, spec, keyId) {
    if (isHmacSpec(spec)) return randomBytes(s.random, hmacKeyLength(spec));
    if (spec === 'AES_256') return randomBytes(s.random, 32);
    if (spec === 'SM4') return randomBytes(s.random, 16);
    throw new KmsError('Internal', `Key spec ${spec} takes a generated key pair.`, { keyId, spec, reason: 'key-spec' });
  },
  async newKeyPair(s, spec) {
    if (!isAsymmetricSpec(spec)) throw new KmsError('Validation', `Key spec ${spec} is not a key pair spec.`, { reason: 'key-spec', spec });
    const pair = await generateKeyPair(spec, s.random);
    s.publicKeys.set(pair.privateKey, pair.publicKey);
    return pair;
  },
};
