/** Ed25519 verification against Project Wycheproof, and Ed25519ph against RFC 8032 §7.3. */
import { ed25519ph } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, signMessage, verifySignature } from '../../src/crypto/asymmetric.js';
import { toHex } from '../../src/crypto/bytes.js';
import { encodeEd25519PrivateKey, encodeEd25519PublicKey } from '../../src/crypto/eddsa.js';
import { systemRandom } from '../../src/crypto/random.js';
import { hex, wycheproof } from './support.js';

describe('Ed25519 against Wycheproof (strict RFC 8032 verification)', () => {
  it('ed25519_test: valid accepted, invalid refused', async () => {
    const suite = wycheproof('ed25519');
    let count = 0;
    for (const group of suite.testGroups) {
      const spki = hex(group.publicKeyDer);
      for (const t of group.tests) {
        const ok = await verifySignature('ED25519', spki, 'ED25519', 'RAW', hex(t.msg), hex(t.sig));
        expect(ok, `tcId ${t.tcId} ${t.comment}`).toBe(t.result === 'valid');
        count++;
      }
    }
    expect(count).toBe(suite.numberOfTests);
  });
});

describe('Ed25519ph (RFC 8032 §7.3, test "abc")', () => {
  const seed = hex('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42');
  const publicKey = hex('ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf');
  const message = hex('616263');
  const signature = '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406';

  it('RAW input signs the RFC vector; DIGEST input is hashed again, as AWS documents for ED25519_PH_SHA_512', async () => {
    const privateKey = encodeEd25519PrivateKey(seed);
    const spki = encodeEd25519PublicKey(publicKey);
    expect(await publicKeyOf('ED25519', privateKey)).toEqual(spki);
    const raw = await signMessage('ED25519', privateKey, 'ED25519_PH_SHA_512', 'RAW', message, systemRandom);
    expect(toHex(raw)).toBe(signature);
    expect(await verifySignature('ED25519', spki, 'ED25519_PH_SHA_512', 'RAW', message, raw)).toBe(true);
    expect(await verifySignature('ED25519', spki, 'ED25519', 'RAW', message, raw)).toBe(false);

    // "KMS still performs the SHA-512 prehash ... the input is hashed twice": the 64-byte digest
    // is the Ed25519ph message, so an offline Ed25519ph verifier checks it against the digest.
    const digest = sha512(message);
    const fromDigest = await signMessage('ED25519', privateKey, 'ED25519_PH_SHA_512', 'DIGEST', digest, systemRandom);
    expect(toHex(fromDigest)).not.toBe(signature);
    expect(ed25519ph.verify(fromDigest, digest, publicKey)).toBe(true);
    expect(await verifySignature('ED25519', spki, 'ED25519_PH_SHA_512', 'DIGEST', digest, fromDigest)).toBe(true);
  });
});
