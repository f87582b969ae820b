/**
 * SM2 against sm-crypto (the library Tencent's samples use), both ways: SM2DSA as DER with the
 * default user id and Z_A hashing ({ der: true, hash: true }), DIGEST input against sm-crypto's
 * unhashed mode, and C1C3C2 encryption (sm-crypto mode 1 writes and reads C1 without the 04).
 */
import smCrypto from 'sm-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptAsymmetric, encryptAsymmetric, generateKeyPair, type KeyPair, signMessage, verifySignature } from '../../src/crypto/asymmetric.js';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { cachedPrivateScalar, encodeEcPrivateKey, encodeEcPublicKey } from '../../src/crypto/ecc.js';
import { systemRandom } from '../../src/crypto/random.js';
import { SM2_CURVE, sm2Digest, Sm2Point } from '../../src/crypto/sm2.js';

const { sm2 } = smCrypto;
const message = utf8('SM2 签名 interoperability');
const pair: { ours?: KeyPair; privateHex?: string; publicHex?: string } = {};

beforeAll(async () => {
  pair.ours = await generateKeyPair('SM2', systemRandom);
  pair.privateHex = toHex(cachedPrivateScalar(SM2_CURVE, pair.ours.privateKey)!.secret);
  pair.publicHex = toHex(pair.ours.publicKey.subarray(pair.ours.publicKey.length - 65));
});

describe('SM2DSA with sm-crypto', () => {
  it('our signatures verify in sm-crypto ({ der: true, hash: true }, default id), RAW and DIGEST', async () => {
    const { ours, publicHex } = pair as Required<typeof pair>;
    for (let i = 0; i < 5; i++) {
      const signature = await signMessage('SM2', ours.privateKey, 'SM2DSA_SM3', 'RAW', message, systemRandom);
      expect(sm2.doVerifySignature(Array.from(message), toHex(signature), publicHex, { der: true, hash: true })).toBe(true);
      const e = sm2Digest(fromHex(publicHex)!, message);
      const fromDigest = await signMessage('SM2', ours.privateKey, 'SM2DSA_SM3', 'DIGEST', e, systemRandom);
      expect(sm2.doVerifySignature(Array.from(message), toHex(fromDigest), publicHex, { der: true, hash: true })).toBe(true);
    }
  });

  it('sm-crypto signatures verify here, RAW (hash: true) and DIGEST (hash: false over e)', async () => {
    const { ours, privateHex, publicHex } = pair as Required<typeof pair>;
    for (let i = 0; i < 5; i++) {
      const theirs = fromHex(sm2.doSignature(Array.from(message), privateHex, { der: true, hash: true, publicKey: publicHex }))!;
      expect(await verifySignature('SM2', ours.publicKey, 'SM2DSA_SM3', 'RAW', message, theirs)).toBe(true);
      expect(await verifySignature('SM2', ours.publicKey, 'SM2DSA_SM3', 'RAW', utf8('other'), theirs)).toBe(false);
      const e = sm2Digest(fromHex(publicHex)!, message);
      const overDigest = fromHex(sm2.doSignature(Array.from(e), privateHex, { der: true }))!;
      expect(await verifySignature('SM2', ours.publicKey, 'SM2DSA_SM3', 'DIGEST', e, overDigest)).toBe(true);
    }
  });

  it('a key made by sm-crypto signs here and verifies there', async () => {
    const keys = sm2.generateKeyPairHex();
    const privateKey = encodeEcPrivateKey(SM2_CURVE, BigInt('0x' + keys.privateKey));
    const publicKey = encodeEcPublicKey(SM2_CURVE, Sm2Point.fromBytes(fromHex(keys.publicKey)!));
    const signature = await signMessage('SM2', privateKey, 'SM2DSA_SM3', 'RAW', message, systemRandom);
    expect(sm2.doVerifySignature(Array.from(message), toHex(signature), keys.publicKey, { der: true, hash: true })).toBe(true);
    expect(await verifySignature('SM2', publicKey, 'SM2DSA_SM3', 'RAW', message, signature)).toBe(true);
  });
});

describe('SM2 encryption with sm-crypto (C1C3C2, mode 1)', () => {
  it('our ciphertexts decrypt in sm-crypto (after dropping the 04), theirs decrypt here', async () => {
    const { ours, privateHex, publicHex } = pair as Required<typeof pair>;
    for (const plaintext of [utf8('x'), utf8('a 32-byte data key for SM4 use.'), new Uint8Array(300).map((_, i) => i)]) {
      const mine = await encryptAsymmetric('SM2', ours.publicKey, 'SM2_C1C3C2', plaintext, systemRandom);
      expect(mine[0]).toBe(0x04);
      expect(mine.length).toBe(97 + plaintext.length);
      const opened = sm2.doDecrypt(toHex(mine.subarray(1)), privateHex, 1, { output: 'array' }) as unknown as number[];
      expect(Uint8Array.from(opened)).toEqual(plaintext);

      const theirs = fromHex(sm2.doEncrypt(Array.from(plaintext), publicHex, 1))!;
      expect(theirs.length).toBe(96 + plaintext.length);
      expect(await decryptAsymmetric('SM2', ours.privateKey, 'SM2_C1C3C2', theirs)).toEqual(plaintext);
      const tampered = theirs.slice();
      tampered[tampered.length - 1]! ^= 1;
      expect(await decryptAsymmetric('SM2', ours.privateKey, 'SM2_C1C3C2', tampered)).toBeUndefined();
    }
  });
});
