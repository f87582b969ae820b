/**
 * Tencent's outward CiphertextBlob: three standard-base64 segments joined by `-k-`, as the real
 * service shows them. Here they carry the engine's envelope (docs/ciphertext-format.md):
 *
 *   base64(header) -k- base64(nonce) -k- base64(ciphertext ‖ tag)
 *
 * The header names the account, region, key and key material version, so Decrypt needs no KeyId
 * and old ciphertexts keep decrypting after a rotation.
 */
import { concatBytes, fromBase64, toBase64 } from '../../crypto/bytes.js';
import type { Engine } from '../../engine/engine.js';

export const SEPARATOR = '-k-';

/** The `-k-` form of an envelope. */
export function toCiphertextBlob(engine: Engine, envelope: Uint8Array): string {
  const parts = engine.envelopeParts(envelope);
  // The engine only hands out well-formed envelopes; anything else is passed through as one segment.
  if (!parts) return toBase64(envelope);
  return [parts.header, parts.nonce, parts.sealed].map(toBase64).join(SEPARATOR);
}

/** The envelope bytes of a `-k-` blob; undefined when the text does not have that form. */
export function fromCiphertextBlob(blob: string): Uint8Array | undefined {
  const segments = blob.split(SEPARATOR);
  if (segments.length !== 3 || segments.some((s) => s.length === 0 || /[^A-Za-z0-9+/=]/.test(s))) return undefined;
  const parts = segments.map(fromBase64);
  if (parts.some((p) => p === undefined)) return undefined;
  return concatBytes(...(parts as Uint8Array[]));
}
