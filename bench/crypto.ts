/**
 * Performance of the asymmetric primitives (src/crypto/asymmetric.ts), measured in one run:
 *   a. sign and verify per second for every key spec (and ML-KEM encapsulate / decapsulate),
 *      each against a reference in the same run: node:crypto (OpenSSL) for the classic specs,
 *      sm-crypto for SM2 (goal: SM2 signing at least 20 times faster), the bare @noble call for
 *      ML-DSA / ML-KEM (what our key handling adds);
 *   b. SM2 encrypt / decrypt against sm-crypto;
 *   c. RSA key generation: generateKeyPair from the system source (WebCrypto) and from a seeded
 *      source (our prime search, reproducible) against a bare crypto.subtle.generateKey.
 *
 *   npx tsx bench/crypto.ts            (prints the rows)
 *   BENCH_QUICK=1 npx tsx bench/crypto.ts   (short rounds)
 *
 * `benchCrypto()` returns the rows and notes for bench/run.ts to fold into docs/performance.md.
 * Reports, never asserts.
 */
import { constants, createPrivateKey, createPublicKey, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import smCrypto from 'sm-crypto';
import {
  type AsymmetricSpec,
  decapsulate,
  decryptAsymmetric,
  encapsulate,
  encryptAsymmetric,
  generateKeyPair,
  type KeyPair,
  signMessage,
  type SigningAlgorithm,
  verifySignature,
} from '../src/crypto/asymmetric.js';
import { toHex } from '../src/crypto/bytes.js';
import { cachedPrivateScalar } from '../src/crypto/ecc.js';
import { SeededRandom, systemRandom } from '../src/crypto/random.js';
import { SM2_CURVE } from '../src/crypto/sm2.js';
import { type BenchRow, compareAsync, fmt, log, QUICK, timeMsAsync, verdict } from './support.js';

const ROUND_MS = QUICK ? 100 : 250;
const ROUNDS = QUICK ? 2 : 6;
const WARMUP_MS = QUICK ? 100 : 300;
/** RSA key generations timed per size (median reported); seeded 4096-bit keys take seconds each. */
const KEYGEN_TIMES: Record<number, number> = QUICK ? { 2048: 1, 3072: 1, 4096: 1 } : { 2048: 5, 3072: 3, 4096: 3 };

// ------------------------------------------------------------------ measuring

const compare = (a: () => unknown, b: () => unknown) => compareAsync(a, b, { warmupMs: WARMUP_MS, roundMs: ROUND_MS, rounds: ROUNDS });
const timeMs = timeMsAsync;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench self-check failed: ${what}`);
}

// ------------------------------------------------------------------ references

const message = new TextEncoder().encode('a 32-byte message to be signed..');

interface Reference {
  label: string;
  sign: () => unknown;
  verify: () => unknown;
}

const nodeKeys = (pair: KeyPair): { priv: KeyObject; pub: KeyObject } => ({
  priv: createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' }),
  pub: createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' }),
});

function nodeReference(pair: KeyPair, hash: string | null, options: object): Reference {
  const { priv, pub } = nodeKeys(pair);
  const signature = nodeSign(hash, message, { key: priv, ...options });
  return {
    label: 'node:crypto',
    sign: () => nodeSign(hash, message, { key: priv, ...options }),
    verify: () => nodeVerify(hash, message, { key: pub, ...options }, signature),
  };
}

function mlDsaReference(spec: AsymmetricSpec, pair: KeyPair): Reference {
  const impl = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 }[spec as 'ML_DSA_44']!;
  const seed = pair.privateKey.subarray(pair.privateKey.length - 32);
  const { secretKey, publicKey } = impl.keygen(seed);
  const signature = impl.sign(message, secretKey);
  return { label: '@noble/post-quantum, expanded key', sign: () => impl.sign(message, secretKey), verify: () => impl.verify(signature, message, publicKey) };
}

function smCryptoReference(pair: KeyPair): Reference & { encrypt: () => unknown; decrypt: () => unknown } {
  const privateHex = toHex(cachedPrivateScalar(SM2_CURVE, pair.privateKey)!.secret);
  const publicHex = toHex(pair.publicKey.subarray(pair.publicKey.length - 65));
  const bytes = Array.from(message);
  const signature = smCrypto.sm2.doSignature(bytes, privateHex, { der: true, hash: true, publicKey: publicHex });
  const ciphertext = smCrypto.sm2.doEncrypt(bytes, publicHex, 1);
  check(smCrypto.sm2.doVerifySignature(bytes, signature, publicHex, { der: true, hash: true }), 'sm-crypto verify');
  return {
    label: 'sm-crypto 0.3',
    sign: () => smCrypto.sm2.doSignature(bytes, privateHex, { der: true, hash: true, publicKey: publicHex }),
    verify: () => smCrypto.sm2.doVerifySignature(bytes, signature, publicHex, { der: true, hash: true }),
    encrypt: () => smCrypto.sm2.doEncrypt(bytes, publicHex, 1),
    decrypt: () => smCrypto.sm2.doDecrypt(ciphertext, privateHex, 1, { output: 'array' }),
  };
}

const SIGNING: Array<[AsymmetricSpec, SigningAlgorithm, (pair: KeyPair) => Reference]> = [
  ['RSA_2048', 'RSA_PSS_SHA_256', (p) => nodeReference(p, 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })],
  ['RSA_2048', 'RSA_PKCS1_SHA_256', (p) => nodeReference(p, 'sha256', {})],
  ['RSA_3072', 'RSA_PSS_SHA_384', (p) => nodeReference(p, 'sha384', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 })],
  ['RSA_4096', 'RSA_PSS_SHA_512', (p) => nodeReference(p, 'sha512', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 })],
  ['EC_P256', 'ECDSA_SHA_256', (p) => nodeReference(p, 'sha256', { dsaEncoding: 'der' })],
  ['EC_P384', 'ECDSA_SHA_384', (p) => nodeReference(p, 'sha384', { dsaEncoding: 'der' })],
  ['EC_P521', 'ECDSA_SHA_512', (p) => nodeReference(p, 'sha512', { dsaEncoding: 'der' })],
  ['EC_SECP256K1', 'ECDSA_SHA_256', (p) => nodeReference(p, 'sha256', { dsaEncoding: 'der' })],
  ['ED25519', 'ED25519', (p) => nodeReference(p, null, {})],
  ['SM2', 'SM2DSA_SM3', smCryptoReference],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256', (p) => mlDsaReference('ML_DSA_44', p)],
  ['ML_DSA_65', 'ML_DSA_SHAKE_256', (p) => mlDsaReference('ML_DSA_65', p)],
  ['ML_DSA_87', 'ML_DSA_SHAKE_256', (p) => mlDsaReference('ML_DSA_87', p)],
];

// ------------------------------------------------------------------ the bench

export async function benchCrypto(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const started = performance.now();
  const keys = new Map<AsymmetricSpec, KeyPair>();
  const keyOf = async (spec: AsymmetricSpec): Promise<KeyPair> => {
    if (!keys.has(spec)) keys.set(spec, await generateKeyPair(spec, systemRandom));
    return keys.get(spec)!;
  };

  log('a. sign / verify per spec …');
  for (const [spec, algorithm, reference] of SIGNING) {
    const pair = await keyOf(spec);
    const ref = reference(pair);
    const signature = await signMessage(spec, pair.privateKey, algorithm, 'RAW', message, systemRandom);
    check(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, signature), `${spec} verify`);
    const sign = await compare(() => signMessage(spec, pair.privateKey, algorithm, 'RAW', message, systemRandom), ref.sign);
    const verify = await compare(() => verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, signature), ref.verify);
    const goal = spec === 'SM2' ? verdict(sign.ratio, 20) : 'report';
    rows.push({ measure: `Sign ${spec} ${algorithm}, 32 B (ops/s)`, value: fmt(sign.a), baseline: `${fmt(sign.b)} (${ref.label})`, ratio: fmt(sign.ratio, 2), goal });
    rows.push({ measure: `Verify ${spec} ${algorithm} (ops/s)`, value: fmt(verify.a), baseline: `${fmt(verify.b)} (${ref.label})`, ratio: fmt(verify.ratio, 2), goal: 'report' });
    log(`   ${spec} ${algorithm}: sign ${fmt(sign.a)}/s (×${fmt(sign.ratio, 2)}), verify ${fmt(verify.a)}/s (×${fmt(verify.ratio, 2)})`);
  }

  // The DIGEST path signs with the BigInt private operation (WebCrypto cannot sign a digest).
  {
    const pair = await keyOf('RSA_2048');
    const digest = new Uint8Array(32).fill(9);
    const ref = nodeReference(pair, 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const sign = await compare(() => signMessage('RSA_2048', pair.privateKey, 'RSA_PSS_SHA_256', 'DIGEST', digest, systemRandom), ref.sign);
    rows.push({ measure: 'Sign RSA_2048 RSA_PSS_SHA_256, DIGEST input (ops/s)', value: fmt(sign.a), baseline: `${fmt(sign.b)} (node:crypto, message)`, ratio: fmt(sign.ratio, 2), goal: 'report' });
  }

  log('b. ML-KEM, SM2 encryption …');
  for (const [spec, impl] of [['ML_KEM_512', ml_kem512], ['ML_KEM_768', ml_kem768], ['ML_KEM_1024', ml_kem1024]] as const) {
    const pair = await keyOf(spec);
    const { secretKey, publicKey } = impl.keygen(pair.privateKey.subarray(pair.privateKey.length - 64));
    const { ciphertext } = await encapsulate(spec, pair.publicKey, systemRandom);
    check((await decapsulate(spec, pair.privateKey, ciphertext)) !== undefined, `${spec} decapsulate`);
    const enc = await compare(() => encapsulate(spec, pair.publicKey, systemRandom), () => impl.encapsulate(publicKey));
    const dec = await compare(() => decapsulate(spec, pair.privateKey, ciphertext), () => impl.decapsulate(ciphertext, secretKey));
    rows.push({ measure: `Encapsulate ${spec} (ops/s)`, value: fmt(enc.a), baseline: `${fmt(enc.b)} (@noble/post-quantum)`, ratio: fmt(enc.ratio, 2), goal: 'report' });
    rows.push({ measure: `Decapsulate ${spec} (ops/s)`, value: fmt(dec.a), baseline: `${fmt(dec.b)} (@noble/post-quantum, expanded key)`, ratio: fmt(dec.ratio, 2), goal: 'report' });
  }
  {
    const pair = await keyOf('SM2');
    const ref = smCryptoReference(pair);
    const ciphertext = await encryptAsymmetric('SM2', pair.publicKey, 'SM2_C1C3C2', message, systemRandom);
    check((await decryptAsymmetric('SM2', pair.privateKey, 'SM2_C1C3C2', ciphertext))?.length === message.length, 'SM2 decrypt');
    const enc = await compare(() => encryptAsymmetric('SM2', pair.publicKey, 'SM2_C1C3C2', message, systemRandom), ref.encrypt);
    const dec = await compare(() => decryptAsymmetric('SM2', pair.privateKey, 'SM2_C1C3C2', ciphertext), ref.decrypt);
    rows.push({ measure: 'Encrypt SM2 SM2_C1C3C2, 32 B (ops/s)', value: fmt(enc.a), baseline: `${fmt(enc.b)} (${ref.label})`, ratio: fmt(enc.ratio, 2), goal: 'report' });
    rows.push({ measure: 'Decrypt SM2 SM2_C1C3C2, 32 B (ops/s)', value: fmt(dec.a), baseline: `${fmt(dec.b)} (${ref.label})`, ratio: fmt(dec.ratio, 2), goal: 'report' });
  }

  log('c. RSA key generation …');
  for (const bits of [2048, 3072, 4096] as const) {
    const spec = `RSA_${bits}` as AsymmetricSpec;
    const times = KEYGEN_TIMES[bits]!;
    const raw = () =>
      crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' }, true, ['sign', 'verify']);
    const rawMs = await timeMs(raw, times);
    const webMs = await timeMs(() => generateKeyPair(spec, systemRandom), times);
    let seed = 0;
    const seededMs = await timeMs(() => generateKeyPair(spec, new SeededRandom(`bench-${seed++}`)), times);
    rows.push({ measure: `Generate ${spec}, system source → WebCrypto (ms, median of ${times})`, value: fmt(webMs), baseline: `${fmt(rawMs)} (crypto.subtle.generateKey)`, ratio: fmt(rawMs / webMs, 2), goal: 'report' });
    rows.push({ measure: `Generate ${spec}, seeded source → BigInt prime search (ms, median of ${times})`, value: fmt(seededMs), baseline: `${fmt(rawMs)} (crypto.subtle.generateKey)`, ratio: fmt(rawMs / seededMs, 2), goal: 'report' });
    log(`   ${spec}: WebCrypto path ${fmt(webMs)} ms, seeded ${fmt(seededMs)} ms, raw subtle ${fmt(rawMs)} ms`);
  }

  notes.push(
    `Crypto rounds: warm-up ${WARMUP_MS} ms each side, then ${ROUNDS} alternating rounds of ${ROUND_MS} ms; ops/s are medians, a ratio is the median of back-to-back round pairs (ours / reference; for key generation reference time / ours, so above 1 means faster).`,
    'Sign and verify go through signMessage / verifySignature with RAW input (async; cached parsed keys). RSA signs on WebCrypto; RSA-PSS from a seeded source and every DIGEST input use the BigInt private operation instead (the DIGEST row).',
    'ECDSA RAW on P-256/384/521 signs (system source) and verifies on WebCrypto, pure Ed25519 too where the platform has it; secp256k1, seeded ECDSA and every DIGEST input stay on noble. noble ECDSA verification switches a public key to precomputed tables after 16 uses, so the secp256k1 verify row (one key, many calls) shows the hot-key speed.',
    'RSA key generation times vary a lot from key to key (the prime search is random); the seeded path is reproducible from the seed but slower than native WebCrypto.',
    `The crypto part took ${fmt((performance.now() - started) / 1000)} s.`,
  );
  return { rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, notes } = await benchCrypto();
  console.log('| Measure | Ours | Reference | Ratio | Goal |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.measure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} |`);
  console.log();
  for (const n of notes) console.log(`- ${n}`);
}
