/**
 * Engine Encrypt over many keys in turn: `kms.engine.encrypt` of 32 bytes, round-robin over 2,000
 * AES_256 keys, against the baseline of the engine's one-key Encrypt row in bench/run.ts (node:crypto
 * AES-256-GCM: createCipheriv with a fresh 12-byte nonce, update, final, getAuthTag per call).
 * The engine keeps the expanded key and GHASH tables of recently used keys (bounded); with 2,000
 * keys in turn no call finds its key there, so this row shows what a call costs without that help.
 *
 *   npx tsx bench/engine-keys.ts            (prints the row)
 *   BENCH_QUICK=1 npx tsx bench/engine-keys.ts   (short rounds)
 *
 * `benchEncryptManyKeys()` returns the row for bench/run.ts to put beside the engine rows.
 * Reports, never asserts.
 */
import { fileURLToPath } from 'node:url';
import { createKms, type CallContext } from '../src/index.js';
import { type BenchRow, compareSync, nodeAesGcmEncrypt, fmt, IN_PROCESS_ROUNDS, log, table } from './support.js';

export const KEYS_IN_TURN = 2_000;

export function benchEncryptManyKeys(): BenchRow {
  log(`a. engine Encrypt round-robin over ${fmt(KEYS_IN_TURN)} keys vs. node:crypto AES-256-GCM …`);
  const kms = createKms();
  const ctx: CallContext = {
    realm: { account: '111122223333', region: 'us-east-1' },
    principal: { account: '111122223333', type: 'root', id: '111122223333' },
    requestId: 'bench',
  };
  const refs = Array.from({ length: KEYS_IN_TURN }, () => ({ keyId: kms.engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' }).id }));
  const plaintext = new Uint8Array(32).fill(7);
  for (const ref of [refs[0]!, refs.at(-1)!]) {
    if (kms.engine.decrypt(ctx, kms.engine.encrypt(ctx, ref, plaintext).ciphertext).plaintext.length !== 32) throw new Error('round trip failed');
  }

  let sink = 0;
  let next = 0;
  const engineEncrypt = () => {
    sink += kms.engine.encrypt(ctx, refs[next]!, plaintext).ciphertext.length;
    next = next + 1 === KEYS_IN_TURN ? 0 : next + 1;
  };
  // The same baseline as the engine's one-key Encrypt row against node:crypto.
  const nodeSeal = nodeAesGcmEncrypt(crypto.getRandomValues(new Uint8Array(32)), plaintext);
  const nodeEncrypt = () => {
    sink += nodeSeal();
  };
  const r = compareSync(engineEncrypt, nodeEncrypt, IN_PROCESS_ROUNDS);
  if (sink === 0) throw new Error('nothing measured');
  if (kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
  return {
    measure: `Encrypt over ${fmt(KEYS_IN_TURN)} keys in turn, 32 bytes (ops/s)`,
    value: fmt(r.a),
    baseline: `${fmt(r.b)} (node:crypto aes-256-gcm, one key: createCipheriv, fresh 12-byte nonce, update, final, getAuthTag)`,
    ratio: fmt(r.ratio, 2),
    goal: 'report',
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${table([benchEncryptManyKeys()])}\n`);
}
