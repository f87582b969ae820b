/**
 * node:crypto as the engine's platform signer (crypto/caches.ts PlatformSigning): ECDSA on the NIST
 * curves as one synchronous OpenSSL call, where WebCrypto in Node queues a thread-pool job behind a
 * promise for each signature. The server hands it to its engine; the engine itself never imports
 * node:crypto.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type { PlatformSigning } from '../crypto/caches.js';

const HASHES = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

export const nodePlatformSigning: PlatformSigning = {
  ecdsaSigner(namedCurve, pkcs8) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    } catch {
      return undefined;
    }
    // The canonical PKCS#8 names its curve; a key OpenSSL reads as another curve is left to WebCrypto.
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== OPENSSL_CURVES[namedCurve]) return undefined;
    const options = { key, dsaEncoding: 'der' as const };
    return (hash, message) => {
      const der = sign(HASHES[hash], message, options);
      return new Uint8Array(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength));
    };
  },
};

const OPENSSL_CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
