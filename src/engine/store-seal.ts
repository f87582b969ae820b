/**
 * Sealing for a key store: a secret (a PIN) only the service opens, bound to the caller's realm and
 * to a store scope (a key store's id, or the dialect's name for a shared cluster). AES-256-GCM under
 * a key derived (HKDF-SHA-256) from the engine's persisted secret, so a snapshot restores the means
 * to open what was sealed; the nonce comes from the engine's random source, so `seed` reproduces it.
 * Sealed form: nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aesGcmOpen, aesGcmSeal, GCM_NONCE_BYTES, GCM_TAG_BYTES } from '../crypto/aes-gcm.js';
import { utf8 } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import type { EngineState } from './state.js';
import type { CallContext } from './types.js';

function sealKey(s: EngineState, ctx: CallContext, scope: string): { key: Uint8Array; aad: Uint8Array } {
  const label = `${ctx.realm.account}\n${ctx.realm.region}\n${scope}`;
  return { key: hkdf(sha256, s.markerSecret, utf8('key-store-seal'), utf8(label), 32), aad: utf8(label) };
}

export function sealForStore(s: EngineState, ctx: CallContext, scope: string, plaintext: Uint8Array): Uint8Array {
  const { key, aad } = sealKey(s, ctx, scope);
  const nonce = randomBytes(s.random, GCM_NONCE_BYTES);
  const sealed = aesGcmSeal(key, nonce, plaintext, aad);
  const out = new Uint8Array(nonce.length + sealed.length);
  out.set(nonce);
  out.set(sealed, nonce.length);
  return out;
}

/** The plaintext, or undefined when `sealed` was not sealed for this realm and scope. */
export function openForStore(s: EngineState, ctx: CallContext, scope: string, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) return undefined;
  const { key, aad } = sealKey(s, ctx, scope);
  return aesGcmOpen(key, sealed.subarray(0, GCM_NONCE_BYTES), sealed.subarray(GCM_NONCE_BYTES), aad);
}
