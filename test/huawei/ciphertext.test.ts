/**
 * Huawei's outward ciphertext framing: the published samples' layout (version 2, LE offset,
 * body, 36-character key id, four zero bytes, 32 trailing bytes) around the engine's envelope.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { frameCiphertext, frameKeyId, unframeCiphertext } from '../../src/dialects/huawei/ciphertext.js';
import { dekPlainText, emulator, failure } from './support.js';

/** Published samples (Huawei / OTC API reference, huaweicloud/golangsdk fixtures). */
const SAMPLES = [
  {
    hex: '020098009EEAFCE122CAA5927D2E020086F9548BA1675FDB022E4ECC01B96F2189CF4B85E78357E73E1CEB518DAF7A4960E7C7DE8885ED3FB2F1471ABF400119CC1B20BD3C4A9B80AF590EFD0AEDABFDBB0E2B689DA7B6C9E7D3C5645FCD9274802586BE63779471F9156F2CDF07CD8412FFBE9230643034363662302D653732372D346439632D623335642D6638346262343734613337660000000045B05321483BD9F9561865EE7DFE9BE267A42EB104E98C16589CE46940B18E52',
    keyId: '0d0466b0-e727-4d9c-b35d-f84bb474a37f',
  },
  {
    base64: 'AgBoADOno72EHR/JjaUrSX7IKbS11ARcP0ZvqR/izGq+eSMqGlfN8QT3om5xbgoeJ4nfeC5n8bxo2XGoAIpcJaiYzj9lOTY2YTMwMC0wYzM0LTRhMzEtODZlMS1lNjdkMTNlNjQyNmEAAAAAoufe9kr8XlgVUSamOMOtsOIpw0Shy1pF1GnL2Wreobo=',
    keyId: 'e966a300-0c34-4a31-86e1-e67d13e6426a',
  },
];

describe('the Huawei ciphertext frame', () => {
  it('the published samples parse: their key id is where the frame puts it and their trailer is the SHA-256 of the bytes before it', () => {
    for (const s of SAMPLES) {
      const bytes = new Uint8Array(s.hex ? Buffer.from(s.hex, 'hex') : Buffer.from(s.base64!, 'base64'));
      expect(frameKeyId(bytes)).toBe(s.keyId);
      const frame = unframeCiphertext(bytes);
      expect(frame?.keyId).toBe(s.keyId);
      expect(frame?.envelope.length).toBe(bytes.length - 76);
    }
  });

  it('frames and unframes an envelope; any flipped byte is refused', () => {
    const envelope = new Uint8Array(100).map((_, i) => i);
    const keyId = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';
    const framed = frameCiphertext(envelope, keyId);
    expect(framed.length).toBe(100 + 76);
    expect([...framed.subarray(0, 4)]).toEqual([2, 0, 140, 0]);
    expect(unframeCiphertext(framed)).toEqual({ envelope, keyId });
    for (const i of [0, 2, 50, 140, 141, framed.length - 1]) {
      const bad = framed.slice();
      bad[i]! ^= 1;
      expect(unframeCiphertext(bad), `byte ${i}`).toBeUndefined();
    }
  });

  it('decrypt-data refuses a tampered ciphertext (KMS.2201) and one naming another key', async () => {
    const kms = emulator();
    const id = (await kms.huawei.call('create-key', { key_alias: 'c' })).key_info.key_id;
    const other = (await kms.huawei.call('create-key', { key_alias: 'd' })).key_info.key_id;
    const { cipher_text } = await kms.huawei.call('encrypt-data', { key_id: id, plain_text: 'secret' });
    const bytes = Buffer.from(cipher_text, 'base64');
    bytes[30]! ^= 1;
    expect((await failure(kms.huawei.call('decrypt-data', { cipher_text: bytes.toString('base64') }))).code).toBe('KMS.2201');
    expect((await failure(kms.huawei.call('decrypt-data', { cipher_text, key_id: other }))).code).toBe('KMS.2201');
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });
});

/** A copy of `frame` with byte `i` set by `mutate`, its SHA-256 trailer recomputed (which needs no key). */
function flipped(frame: Uint8Array, i: number, mutate: (byte: number) => number): Buffer {
  const bytes = Buffer.from(frame);
  bytes[i] = mutate(bytes[i]!);
  createHash('sha256').update(bytes.subarray(0, bytes.length - 32)).digest().copy(bytes, bytes.length - 32);
  return bytes;
}

/** Each way a byte is changed: a bit flip, all ones, and (for key ids) another character a key id may hold. */
const MUTATIONS: Array<(byte: number) => number> = [(b) => b ^ 0x01, () => 0xff, (b) => (b === 0x61 ? 0x30 : 0x61)];

describe('every byte of a framed ciphertext is checked or bound', () => {
  /** The key id (36 bytes) and the reserved bytes (4) before the 32-byte trailer. */
  const positions = (frame: Uint8Array) => Array.from({ length: 40 }, (_, i) => frame.length - 32 - 40 + i);

  it('encrypt-data / decrypt-data: a changed reserved byte or key-id byte, trailer recomputed, is refused with KMS.2201 and changes nothing', async () => {
    const kms = emulator();
    const id = (await kms.huawei.call('create-key', { key_alias: 'framed' })).key_info.key_id;
    const other = (await kms.huawei.call('create-key', { key_alias: 'other' })).key_info.key_id;
    const { cipher_text } = await kms.huawei.call('encrypt-data', { key_id: id, plain_text: 'secret', encryption_context: { app: 'x' } });
    const frame = Buffer.from(cipher_text, 'base64');
    expect([...frame.subarray(frame.length - 36, frame.length - 32)]).toEqual([0, 0, 0, 0]);
    const state = JSON.stringify(kms.snapshot().realms);
    let refused = 0;
    for (const i of positions(frame)) {
      for (const mutate of MUTATIONS) {
        const bad = flipped(frame, i, mutate);
        if (bad.equals(frame)) continue;
        for (const keyId of [undefined, id]) {
          const e = await failure(kms.huawei.call('decrypt-data', { cipher_text: bad.toString('base64'), encryption_context: { app: 'x' }, ...(keyId ? { key_id: keyId } : {}) }));
          expect(e.code, `byte ${i}`).toBe('KMS.2201');
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(200);
    // A frame re-labelled with another existing key's id (and a request naming that key) is refused too.
    const relabelled = Buffer.from(frame);
    relabelled.write(other, frame.length - 32 - 40, 'latin1');
    createHash('sha256').update(relabelled.subarray(0, relabelled.length - 32)).digest().copy(relabelled, relabelled.length - 32);
    for (const keyId of [undefined, other]) {
      expect((await failure(kms.huawei.call('decrypt-data', { cipher_text: relabelled.toString('base64'), encryption_context: { app: 'x' }, ...(keyId ? { key_id: keyId } : {}) }))).code).toBe('KMS.2201');
    }
    expect(JSON.stringify(kms.snapshot().realms)).toBe(state);
    // The untouched ciphertext still decrypts.
    expect((await kms.huawei.call('decrypt-data', { cipher_text, encryption_context: { app: 'x' } })).plain_text).toBe('secret');
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });

  it('encrypt-datakey / decrypt-datakey: the same changes to the hex frame are refused with KMS.2201 and change nothing', async () => {
    const kms = emulator();
    const id = (await kms.huawei.call('create-key', { key_alias: 'framed-dk' })).key_info.key_id;
    const other = (await kms.huawei.call('create-key', { key_alias: 'other-dk' })).key_info.key_id;
    const dek = new Uint8Array(32).map((_, i) => i * 7);
    const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
    const { cipher_text } = await kms.huawei.call('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha), datakey_plain_length: '32' });
    const frame = Buffer.from(cipher_text, 'hex');
    const state = JSON.stringify(kms.snapshot().realms);
    let refused = 0;
    for (const i of positions(frame)) {
      for (const mutate of MUTATIONS) {
        const bad = flipped(frame, i, mutate);
        if (bad.equals(frame)) continue;
        const e = await failure(kms.huawei.call('decrypt-datakey', { key_id: id, cipher_text: bad.toString('hex'), datakey_cipher_length: '32' }));
        expect(e.code, `byte ${i}`).toBe('KMS.2201');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    // The frame re-labelled with another key's id, and the request naming that key: the envelope is still the first key's.
    const relabelled = Buffer.from(frame);
    relabelled.write(other, frame.length - 32 - 40, 'latin1');
    createHash('sha256').update(relabelled.subarray(0, relabelled.length - 32)).digest().copy(relabelled, relabelled.length - 32);
    expect((await failure(kms.huawei.call('decrypt-datakey', { key_id: other, cipher_text: relabelled.toString('hex'), datakey_cipher_length: '32' }))).code).toBe('KMS.2201');
    expect(JSON.stringify(kms.snapshot().realms)).toBe(state);
    const ok = await kms.huawei.call('decrypt-datakey', { key_id: id, cipher_text, datakey_cipher_length: '32' });
    expect(ok.data_key).toBe(Buffer.from(dek).toString('hex').toUpperCase());
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });
});
