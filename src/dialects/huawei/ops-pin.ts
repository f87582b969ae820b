/**
 * Huawei create-pin: a PIN for the level-4 cryptography testing scenario (Huawei: used when making
 * and encrypting data keys there). The PIN is 16 random bytes from the engine's random source, as
 * 32 uppercase hex characters. A ciphertext PIN (the default) is that text sealed for the keystore
 * `keystore_id` names ("1", "2": the shared clusters; else a dedicated keystore of the caller's
 * domain, which must exist and be enabled), by the engine (store-seal.ts), as uppercase hex.
 * Huawei documents neither format nor the cipher: ours are in docs/huawei.md ("PINs").
 */
import { utf8 } from '../../crypto/bytes.js';
import { kmsError } from './errors.js';
import { keystoreIdOf } from './ops-keystores.js';
import { HEX, type Call, type Handler } from './call.js';

const PIN_BYTES = 16;
/** keystore_id values that name Huawei's shared clusters (1: management plane, 2: data plane). */
export const SHARED_CLUSTERS: readonly string[] = ['1', '2'];

/** The sealing scope of a ciphertext PIN's keystore; refuses a missing, unknown or disabled one. */
export function pinScope(call: Call): string {
  const id = call.body.keystore_id;
  if (id === undefined) throw kmsError('KMS.0204');
  if (typeof id === 'string' && SHARED_CLUSTERS.includes(id)) return `shared-cluster:${id}`;
  const store = call.engine.describeKeyStore(call.ctx, keystoreIdOf(call.body));
  if (store.state === 'Disabled') throw kmsError('KMS.0317');
  call.trail.resourceName = store.name;
  return store.id;
}

export const createPin: Handler = (call) => {
  const cipher = (call.body.pin_type ?? 'CipherText') === 'CipherText';
  // Every check before the random draw: a refused call takes nothing from the random source.
  const scope = cipher ? pinScope(call) : undefined;
  const pin = HEX(call.engine.generateRandom(PIN_BYTES));
  if (scope === undefined) return { pin };
  return { pin: HEX(call.engine.sealForKeyStore(call.ctx, scope, utf8(pin))) };
};
