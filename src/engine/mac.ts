/** HMAC: MACs made and checked under HMAC keys. */

import { computeMac, verifyMac as checkMac } from '../crypto/hmac.js';
import { use } from './access.js';
import { refuseDryRun, requireAlgorithm, requireUsage } from './checks.js';
import { KmsError } from './errors.js';
import { secretOf } from './material.js';
import { viewOf, type KeyRecord } from './records.js';
import { isHmacSpec, SPEC_PROFILES } from './specs.js';
import type { EngineState } from './state.js';
import type { CallContext, HmacKeySpec, KeyInfo, KeyRef, MacAlgorithm } from './types.js';

function macKey(key: KeyRecord, algorithm: MacAlgorithm, operation: string): { spec: HmacKeySpec; secret: Uint8Array } {
  requireUsage(key, 'GENERATE_VERIFY_MAC', operation);
  requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].mac);
  const secret = secretOf(key, key.currentMaterialId);
  if (!secret || !isHmacSpec(key.spec)) {
    throw new KmsError('Unsupported', `Key ${key.id} holds no HMAC key.`, { resource: 'key', keyId: key.id, reason: 'not-hmac', spec: key.spec });
  }
  return { spec: key.spec, secret };
}

/** HMAC of a message under an HMAC key. */
export function generateMac(s: EngineState, ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array): { key: KeyInfo; mac: Uint8Array } {
  const key = use(s, ctx, ref, 'generateMac');
  const { spec, secret } = macKey(key, algorithm, 'GenerateMac');
  refuseDryRun(ctx);
  return { key: viewOf(key), mac: computeMac(spec, secret, message) };
}

/** Recomputes the HMAC and compares; a MAC that does not match is an InvalidMac error. */
export function verifyMac(s: EngineState, ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array, mac: Uint8Array): { key: KeyInfo } {
  const key = use(s, ctx, ref, 'verifyMac');
  const { spec, secret } = macKey(key, algorithm, 'VerifyMac');
  refuseDryRun(ctx);
  if (!checkMac(spec, secret, message, mac)) {
    throw new KmsError('InvalidMac', 'The MAC is not valid.', { resource: 'key', keyId: key.id });
  }
  return { key: viewOf(key) };
}
