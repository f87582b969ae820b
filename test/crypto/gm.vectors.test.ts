/**
 * SM2 / SM3 / SM4 against the Chinese standards' own examples (GB/T 32905, 32907, 32918; see
 * test/vectors/gm/README.md) and SM4-GCM against Project Wycheproof.
 *
 * The two examples over the standard's 256-bit *test* curve (GB/T 32918.2/.4 Appendix A) are not
 * run: the implementation is fixed to the recommended curve sm2p256v1, whose examples
 * (GB/T 32918.5 Appendices A and C) are run instead.
 */
import { describe, expect, it } from 'vitest';
import { decryptAsymmetric, encryptAsymmetric, publicKeyOf, signMessage, verifySignature } from '../../src/crypto/asymmetric.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { bigIntToBytes } from '../../src/crypto/der.js';
import { encodeEcPrivateKey } from '../../src/crypto/ecc.js';
import { SM2_CURVE, sm2Digest, sm2Za } from '../../src/crypto/sm2.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { sm4DecryptBlock, sm4EncryptBlock, sm4GcmOpen, sm4GcmSeal } from '../../src/crypto/sm4.js';
import { gmVectors, hex, scriptedRandom, wycheproof } from './support.js';

const vectors = Object.fromEntries(gmVectors().vectors.map((v) => [v.id, v]));

/** The bytes randomScalar turns into k: it reads size + 8 bytes and returns (value mod (n − 2)) + 1. */
const scalarBytes = (k: string): Uint8Array => bigIntToBytes(BigInt('0x' + k) - 1n, SM2_CURVE.size + 8);

describe('SM3 (GB/T 32905-2016 Appendix A)', () => {
  it('hashes "abc" and "abcd" × 16 to the standard digests, in one call and streamed', () => {
    for (const id of ['sm3-abc', 'sm3-abcd-x16']) {
      const v = vectors[id]!;
      expect(toHex(sm3(hex(v.inputHex))), id).toBe(v.digest);
      const streamed = sm3.create();
      for (const byte of hex(v.inputHex)) streamed.update(Uint8Array.of(byte));
      expect(toHex(streamed.digest()), `${id} streamed`).toBe(v.digest);
    }
  });
});

describe('SM4 (GB/T 32907-2016 Appendix A)', () => {
  it('encrypts and decrypts the single-block example', () => {
    const v = vectors['sm4-ecb-single-block']!;
    expect(toHex(sm4EncryptBlock(hex(v.key), hex(v.plaintext)))).toBe(v.ciphertext);
    expect(toHex(sm4DecryptBlock(hex(v.key), hex(v.ciphertext)))).toBe(v.plaintext);
  });

  it('gives the standard value after 1,000,000 iterations', () => {
    const v = vectors['sm4-1000000-iterations']!;
    const key = hex(v.key);
    let block = hex(v.plaintext);
    for (let i = 0; i < (v.iterations as number); i++) block = sm4EncryptBlock(key, block);
    expect(toHex(block)).toBe(v.ciphertext);
  });
});

describe('SM2 on sm2p256v1 (GB/T 32918.5-2017)', () => {
  it('Appendix A signature: Z_A, e, and (r, s) from the standard k; the signature verifies, RAW and DIGEST', async () => {
    const v = vectors['sm2-sign-sm2p256v1']!;
    const privateKey = encodeEcPrivateKey(SM2_CURVE, BigInt('0x' + v.privateKey));
    const spki = await publicKeyOf('SM2', privateKey);
    const point = hex(v.publicKey);
    expect(toHex(spki.subarray(spki.length - 65))).toBe(v.publicKey);
    expect(toHex(sm2Za(point))).toBe(v.za);
    expect(toHex(sm2Digest(point, hex(v.messageHex)))).toBe(v.e);

    const raw = await signMessage('SM2', privateKey, 'SM2DSA_SM3', 'RAW', hex(v.messageHex), scriptedRandom(scalarBytes(v.k as string)));
    expect(toHex(raw)).toBe(v.signatureDer);
    const digest = await signMessage('SM2', privateKey, 'SM2DSA_SM3', 'DIGEST', hex(v.e), scriptedRandom(scalarBytes(v.k as string)));
    expect(toHex(digest)).toBe(v.signatureDer);

    const signature = hex(v.signatureDer);
    expect(await verifySignature('SM2', spki, 'SM2DSA_SM3', 'RAW', hex(v.messageHex), signature)).toBe(true);
    expect(await verifySignature('SM2', spki, 'SM2DSA_SM3', 'DIGEST', hex(v.e), signature)).toBe(true);
    expect(await verifySignature('SM2', spki, 'SM2DSA_SM3', 'RAW', utf8('message digesT'), signature)).toBe(false);
  });

  it('Appendix C encryption: C1, C3, C2 from the standard k, in both forms; both decrypt', async () => {
    const v = vectors['sm2-encrypt-sm2p256v1']!;
    const privateKey = encodeEcPrivateKey(SM2_CURVE, BigInt('0x' + v.privateKey));
    const spki = await publicKeyOf('SM2', privateKey);
    const message = hex(v.messageHex);
    const raw = await encryptAsymmetric('SM2', spki, 'SM2_C1C3C2', message, scriptedRandom(scalarBytes(v.k as string)));
    expect(toHex(raw)).toBe(v.ciphertextC1C3C2);
    expect(toHex(raw)).toBe(`${v.c1}${v.c3}${v.c2}`);
    const asn1 = await encryptAsymmetric('SM2', spki, 'SM2_C1C3C2_ASN1', message, scriptedRandom(scalarBytes(v.k as string)));
    expect(toHex(asn1)).toBe(v.ciphertextAsn1Gmt0009);

    expect(toHex((await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2', hex(v.ciphertextC1C3C2)))!)).toBe(v.messageHex);
    expect(toHex((await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2_ASN1', hex(v.ciphertextAsn1Gmt0009)))!)).toBe(v.messageHex);
    // Without the 04 before C1, as sm-crypto and Tencent's raw mode write it.
    expect(toHex((await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2', hex(v.ciphertextC1C3C2).subarray(1)))!)).toBe(v.messageHex);
    // C1C2C3 is another order: not accepted as C1C3C2.
    expect(await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2', hex(v.ciphertextC1C2C3))).toBeUndefined();
  });
});

describe('SM4-GCM against Wycheproof sm4_gcm_test.json', () => {
  it('valid vectors seal and open, invalid ones are refused', () => {
    const suite = wycheproof('sm4_gcm');
    let count = 0;
    for (const group of suite.testGroups) {
      for (const t of group.tests) {
        const key = hex(t.key);
        const iv = hex(t.iv);
        const aad = hex(t.aad);
        const opened = group.tagSize === 128 ? sm4GcmOpen(key, iv, hex(`${t.ct}${t.tag}`), aad) : undefined;
        if (t.result === 'valid') {
          expect(opened && toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
          expect(toHex(sm4GcmSeal(key, iv, hex(t.msg), aad)), `tcId ${t.tcId}`).toBe(`${t.ct}${t.tag}`);
        } else {
          expect(opened, `tcId ${t.tcId} ${t.comment}`).toBeUndefined();
        }
        count++;
      }
    }
    expect(count).toBe(suite.numberOfTests);
  });
});
