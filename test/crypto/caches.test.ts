/**
 * CryptoCaches: each set is its own (one engine's keys never land in another's caches), the
 * functions given one use it and no other, and a working set larger than the old limits (1,024
 * headers, 256 AES / SM4 states) stays cached instead of being emptied and rebuilt.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair, publicKeyOf, signMessage, verifySignature } from '../../src/crypto/asymmetric.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { createCryptoCaches, DEFAULT_CACHE_CAPACITIES, defaultCryptoCaches } from '../../src/crypto/caches.js';
import { EnvelopeAlgorithm, type EnvelopeAlgorithmId, type EnvelopeHeader, openEnvelope, parseEnvelope, sealEnvelope } from '../../src/crypto/envelope.js';
import { SeededRandom } from '../../src/crypto/random.js';

function envelopeKey(i: number, algorithm: EnvelopeAlgorithmId): { header: EnvelopeHeader; key: Uint8Array } {
  const key = new Uint8Array(algorithm === EnvelopeAlgorithm.AES_256_GCM ? 32 : 16).map((_, j) => (i * 131 + j) & 0xff);
  const materialId = i.toString(16).padStart(64, '0');
  return { key, header: { algorithm, account: '111122223333', region: 'eu-west-1', keyId: `key-${i}`, materialId } };
}

const nonce = new Uint8Array(12).fill(3);
const plaintext = utf8('attack at dawn');

describe('CryptoCaches', () => {
  it('has the documented default capacities, and takes others', () => {
    expect(createCryptoCaches().capacities).toEqual({ headers: 4096, cipherStates: 2048, parsedKeys: 512, publicPoints: 64 });
    expect(DEFAULT_CACHE_CAPACITIES.headers).toBe(4096);
    const small = createCryptoCaches({ headers: 8, cipherStates: 4 });
    expect(small.encodedHeaders.capacity).toBe(8);
    expect(small.aesStates.capacity).toBe(4);
    expect(small.sm4States.capacity).toBe(4);
    expect(small.capacities.parsedKeys).toBe(512);
    expect(() => createCryptoCaches({ headers: 0 })).toThrow(RangeError);
  });

  it('an envelope sealed, parsed and opened with one set of caches fills that set only', () => {
    const mine = createCryptoCaches();
    const other = createCryptoCaches();
    const before = { encoded: defaultCryptoCaches.encodedHeaders.size, parsed: defaultCryptoCaches.parsedHeaders.size, aes: defaultCryptoCaches.aesStates.size };
    for (const algorithm of [EnvelopeAlgorithm.AES_256_GCM, EnvelopeAlgorithm.SM4_GCM]) {
      const { header, key } = envelopeKey(7, algorithm);
      const blob = sealEnvelope(header, key, nonce, plaintext, { a: 'b' }, mine);
      const parsed = parseEnvelope(blob, mine)!;
      expect(parsed.keyId).toBe('key-7');
      expect(openEnvelope(parsed, key, { a: 'b' }, mine)).toEqual(plaintext);
      // The same bytes through the default caches: the same answer.
      expect(openEnvelope(parseEnvelope(blob)!, key, { a: 'b' })).toEqual(plaintext);
    }
    expect(mine.encodedHeaders.size).toBe(2);
    expect(mine.parsedHeaders.size).toBe(2);
    expect(mine.aesStates.size).toBe(1);
    expect(mine.sm4States.size).toBe(1);
    expect(other.encodedHeaders.size + other.parsedHeaders.size + other.aesStates.size + other.sm4States.size).toBe(0);
    expect(defaultCryptoCaches.encodedHeaders.size).toBe(before.encoded);
    expect(defaultCryptoCaches.aesStates.size).toBe(before.aes + 1);
    expect(defaultCryptoCaches.parsedHeaders.size).toBe(before.parsed + 2);
  });

  it('2,000 keys round-robin: after the first round every header and key state is a hit', () => {
    for (const algorithm of [EnvelopeAlgorithm.AES_256_GCM, EnvelopeAlgorithm.SM4_GCM]) {
      const caches = createCryptoCaches();
      const states = algorithm === EnvelopeAlgorithm.AES_256_GCM ? caches.aesStates : caches.sm4States;
      const keys = Array.from({ length: 2000 }, (_, i) => envelopeKey(i, algorithm));
      const roundTrip = ({ header, key }: { header: EnvelopeHeader; key: Uint8Array }): void => {
        expect(openEnvelope(parseEnvelope(sealEnvelope(header, key, nonce, plaintext, undefined, caches), caches)!, key, undefined, caches)).toEqual(plaintext);
      };
      keys.forEach(roundTrip);
      const firstStates = keys.map(({ key }) => states.get(key));
      expect(states.size).toBe(2000);
      for (let round = 0; round < 2; round++) keys.forEach(roundTrip);
      expect(states.size).toBe(2000);
      expect(caches.encodedHeaders.size).toBe(2000);
      expect(caches.parsedHeaders.size).toBe(2000);
      // The same state objects: none was dropped and rebuilt.
      keys.forEach(({ key }, i) => expect(states.get(key)).toBe(firstStates[i]));
    }
  });

  it('a key cache holds at most twice its capacity: the least recently used states go first', () => {
    const caches = createCryptoCaches({ cipherStates: 16 });
    const keys = Array.from({ length: 100 }, (_, i) => envelopeKey(i, EnvelopeAlgorithm.AES_256_GCM));
    for (const { header, key } of keys) sealEnvelope(header, key, nonce, plaintext, undefined, caches);
    expect(caches.aesStates.size).toBeLessThanOrEqual(32);
    expect(caches.aesStates.size).toBeGreaterThanOrEqual(16);
    for (const { key } of keys.slice(-16)) expect(caches.aesStates.get(key)).toBeDefined();
    expect(caches.aesStates.get(keys[0]!.key)).toBeUndefined();
  });

  it('signing, verifying and deriving a public key with one set of caches parse the key into that set', async () => {
    const algorithms = { EC_P256: 'ECDSA_SHA_256', ED25519: 'ED25519', SM2: 'SM2DSA_SM3', ML_DSA_44: 'ML_DSA_SHAKE_256' } as const;
    for (const spec of Object.keys(algorithms) as (keyof typeof algorithms)[]) {
      const pair = await generateKeyPair(spec, new SeededRandom(`caches ${spec}`));
      const mine = createCryptoCaches();
      const algorithm = algorithms[spec];
      const message = utf8('hello');
      const signature = await signMessage(spec, pair.privateKey, algorithm, 'RAW', message, new SeededRandom('sig'), mine);
      expect(mine.parsedKeyCount).toBeGreaterThanOrEqual(1);
      const afterSign = mine.parsedKeyCount;
      expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, signature, mine)).toBe(true);
      // ML-DSA public keys are read afresh each time (nothing to precompute); the others are cached.
      if (spec === 'ML_DSA_44') expect(mine.parsedKeyCount).toBe(afterSign);
      else expect(mine.parsedKeyCount).toBeGreaterThan(afterSign);
      expect(await publicKeyOf(spec, pair.privateKey, mine)).toEqual(pair.publicKey);
      expect(createCryptoCaches().parsedKeyCount).toBe(0);
    }
  });
});
