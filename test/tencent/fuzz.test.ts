/**
 * Property-based fuzzing of the Tencent dialect: every implemented action, driven through
 * `kms.tencent.invoke` with inputs generated from the API model (right and wrong types, missing and
 * unknown members, existing and unknown key ids, edge values), in random sequences.
 *
 * Properties checked after every call:
 *   - a failure's code is one the action documents or a common API 3.0 code, never InternalError,
 *     and `kms.tencent.internalErrors` stays empty;
 *   - a failed call changes nothing (the state in a snapshot, audit and random position aside);
 *   - every call, failed or not, leaves one audit event.
 *
 * Longer runs: FUZZ_RUNS=2000 [FUZZ_SEED=<n>] npx vitest run test/tencent/fuzz.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentedCodes } from '../../src/dialects/tencent/errors.js';
import { ACTIONS, OBJECTS, type FieldModel } from '../../src/dialects/tencent/model.generated.js';
import { HANDLERS } from '../../src/dialects/tencent/operations.js';
import { createKms, ManualClock, type Kms } from '../../src/index.js';

const envRuns = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
const RUNS = Number.isFinite(envRuns) && envRuns > 0 ? envRuns : 300;
const envSeed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
const SEED = Number.isFinite(envSeed) ? envSeed : 0x74636b6d;
const ACTION_NAMES = Object.keys(HANDLERS);

/** Values a member of each type may take: mostly plausible, sometimes wrong. */
function valueFor(field: FieldModel, ids: string[], depth: number): fc.Arbitrary<unknown> {
  const wrong = fc.constantFrom<unknown>(null, true, -1, 1.5, 'x', [], {});
  if (field.list) {
    const item = valueFor({ name: field.name, type: field.type }, ids, depth);
    return fc.oneof({ weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) }, { weight: 1, arbitrary: wrong });
  }
  switch (field.type) {
    case 'string':
      return fc.oneof(
        { weight: 4, arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : fc.constant('00000000-0000-4000-8000-000000000000') },
        { weight: 3, arbitrary: stringFor(field.name) },
        { weight: 2, arbitrary: fc.string({ maxLength: 70 }) },
        { weight: 1, arbitrary: wrong },
      );
    case 'int64':
    case 'uint64':
      return fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 0, max: 400 }) },
        { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 40, 2147443200, 0) },
        { weight: 1, arbitrary: wrong },
      );
    case 'bool':
      return fc.oneof(fc.boolean(), wrong);
    default: {
      const members = OBJECTS[field.type] ?? [];
      if (depth > 2) return fc.constant({});
      return fc.oneof({ weight: 6, arbitrary: structure(members, ids, depth + 1) }, { weight: 1, arbitrary: wrong });
    }
  }
}

/** Strings that mean something for a member of this name. */
function stringFor(name: string): fc.Arbitrary<string> {
  switch (name) {
    case 'Plaintext':
    case 'PlainText':
    case 'Message':
    case 'SignatureValue':
    case 'Ciphertext':
    case 'EncryptedKeyMaterial':
    case 'ImportToken':
    case 'InitializationVector':
    case 'ImportKeyMaterial':
      return fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('base64'));
    case 'KeyUsage':
      return fc.constantFrom(
        'ENCRYPT_DECRYPT',
        'ASYMMETRIC_DECRYPT_SM2',
        'ASYMMETRIC_SIGN_VERIFY_SM2',
        'ASYMMETRIC_SIGN_VERIFY_ECC',
        'ASYMMETRIC_SIGN_VERIFY_DILITHIUM',
        'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES',
        'ALL',
        'BOGUS',
        '',
      );
    case 'Algorithm':
      return fc.constantFrom('SM2DSA', 'ECC_P256_R1', 'RSA_PSS_SHA_256', 'RSAES_OAEP_SHA_256', 'AES_256', 'SM4', 'BOGUS');
    case 'EncryptionAlgorithm':
      return fc.constantFrom('SM2', 'SM2_C1C3C2_ASN1', 'RSAES_PKCS1_V1_5', 'BOGUS');
    case 'WrappingAlgorithm':
      return fc.constantFrom('RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2');
    case 'WrappingKeySpec':
      return fc.constantFrom('RSA_2048', 'SM2');
    case 'KeySpec':
      return fc.constantFrom('AES_128', 'AES_256', 'AES_512');
    case 'MessageType':
      return fc.constantFrom('RAW', 'DIGEST', 'OTHER');
    case 'EncryptionContext':
    case 'SourceEncryptionContext':
    case 'DestinationEncryptionContext':
      return fc.constantFrom('{"a":"b"}', '{}', 'not json', '[1]', '{"a":1}');
    case 'Alias':
      return fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,8}$/);
    case 'DataKeyName':
    case 'SearchKeyAlias':
      return fc.oneof(fc.constantFrom('dek', 'dek-2', 'a b', ''), fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/));
    case 'Origin':
      return fc.constantFrom('TENCENT_KMS', 'EXTERNAL', 'ALL', '', 'bogus');
    case 'EncryptionPublicKey':
      return fc.constantFrom('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'x');
    case 'Identity':
      return fc.constantFrom(`${'a'.repeat(8)}-${'b'.repeat(14)}-${'c'.repeat(14)}-${'d'.repeat(14)}-${'e'.repeat(16)}`, 'bad');
    default:
      return fc.string({ maxLength: 12 });
  }
}

function structure(fields: readonly FieldModel[], ids: string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.fromEntries(fields.map((f) => [f.name, valueFor(f, ids, depth)]));
  // Required members are usually present; any member may be left out; now and then an unknown one appears.
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return fc
    .record(entries, { requiredKeys: [] })
    .chain((r) =>
      fc.tuple(fc.constant(r), fc.boolean(), fc.integer({ min: 0, max: 19 })).map(([rec, keepRequired, roll]) => {
        const out: Record<string, unknown> = { ...rec };
        if (keepRequired) for (const name of required) if (out[name] === undefined) out[name] = fields.find((f) => f.name === name)!.type === 'string' ? 'x' : 1;
        if (roll === 0) out.Unknown = 1;
        return out;
      }),
    );
}

function stateOf(kms: Kms): string {
  const { realms, whiteBoxKeys, dataKeys } = kms.snapshot() as unknown as { realms: unknown; whiteBoxKeys?: unknown; dataKeys?: unknown };
  return JSON.stringify({ realms, whiteBoxKeys, dataKeys });
}

async function seeded(): Promise<{ kms: Kms<ManualClock>; ids: string[] }> {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'tencent-fuzz' });
  const ids: string[] = [];
  for (const [alias, extra] of [
    ['sym', {}],
    ['ext', { Type: 2 }],
    ['sm2', { KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' }],
    ['ecc', { KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' }],
    ['dilithium', { KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' }],
    ['kyber', { KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' }],
  ] as const) {
    ids.push((await kms.tencent.call('CreateKey', { Alias: alias, ...extra })).KeyId);
  }
  ids.push((await kms.tencent.call('CreateWhiteBoxKey', { Alias: 'wb', Algorithm: 'AES_256' })).KeyId);
  ids.push((await kms.tencent.call('Encrypt', { KeyId: ids[0], Plaintext: 'aGVsbG8=' })).CiphertextBlob);
  const pqBlob: string = (await kms.tencent.call('PostQuantumCryptoEncrypt', { KeyId: ids[5], PlainText: 'aGVsbG8=' })).CiphertextBlob;
  ids.push(pqBlob);
  // The same blob with one segment cut short or swapped: past the format check, into the cryptography.
  const [head, encapsulation, sealed] = pqBlob.split('-k-');
  ids.push([head, sealed, encapsulation].join('-k-'), [head, encapsulation, 'AAAAAAAAAAAAAAAAAAAAAA=='].join('-k-'));
  ids.push((await kms.tencent.call('GenerateDataKey', { KeyId: ids[0], NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'dek' })).DataKeyId);
  const disabled = (await kms.tencent.call('ImportDataKey', { DataKeyName: 'dek-2', ImportKeyMaterial: 'aGVsbG8=', ImportType: 2, KeyId: ids[0] })).DataKeyId;
  await kms.tencent.call('DisableDataKey', { DataKeyId: disabled });
  ids.push(disabled);
  return { kms, ids };
}

describe('Tencent dialect fuzzing', () => {
  it('every action, random inputs: documented codes only, failures change nothing, every call audited', async () => {
    const { kms, ids } = await seeded();
    const seen = { ok: new Set<string>(), codes: new Set<string>() };
    const call = fc.constantFrom(...ACTION_NAMES).chain((action) => fc.tuple(fc.constant(action), structure(ACTIONS[action]!.request, ids, 0)));
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 8 }), async (calls) => {
        for (const [action, input] of calls) {
          const before = stateOf(kms);
          const audited = kms.engine.audit.appended;
          const outcome = await kms.tencent.invoke(action, input);
          expect(kms.tencent.internalErrors.recent()).toEqual([]);
          // One API-call event per call; an on-demand rotation adds the engine's rotate-key service event.
          expect(kms.engine.audit.since(audited).filter((e) => e.kind === 'api_call')).toHaveLength(1);
          if (outcome.ok) seen.ok.add(action);
          else seen.codes.add(outcome.error.code);
          if (!outcome.ok) {
            expect(outcome.error.code).not.toBe('InternalError');
            expect(documentedCodes(action).has(outcome.error.code), `${action} answered ${outcome.error.code}: ${outcome.error.message}`).toBe(true);
            expect(stateOf(kms), `${action} failed with ${outcome.error.code} but changed state`).toBe(before);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The generator reaches past validation: many actions succeed, and the errors are varied.
    expect(seen.ok.size).toBeGreaterThanOrEqual(8);
    expect(seen.codes.size).toBeGreaterThan(10);
    // Hosted data keys among them: the seeded data keys are found and served.
    expect([...seen.ok].filter((a) => a.includes('DataKey') && a !== 'GenerateDataKey').length, [...seen.ok].join(' ')).toBeGreaterThanOrEqual(3);
  });

  it('post-quantum actions, inputs around valid ones: documented codes only, failures change nothing, valid calls succeed', async () => {
    const { kms, ids } = await seeded();
    const [dilithium, kyber] = [ids[4]!, ids[5]!];
    const blob: string = ids[8]!;
    const signature: string = (await kms.tencent.call('PostQuantumCryptoSign', { KeyId: dilithium, Message: 'aGVsbG8=' })).Signature;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const keyId = fc.constantFrom(kyber, dilithium, ids[0]!, ids[2]!, '00000000-0000-4000-8000-000000000000', 'bad', '');
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
      fc.constantFrom(Buffer.alloc(4096, 1).toString('base64'), Buffer.alloc(4097, 1).toString('base64'), 'aGVsbG8=', '', '***', 'aGVsbG8'),
    );
    const blobs = fc.oneof(
      fc.constant(blob),
      fc.nat({ max: blob.length - 1 }).map((at) => flip(blob, at)),
      fc.constantFrom(ids[7]!, ids[9]!, ids[10]!, 'a-k-b-k-c', '', blob.replace(/-k-/g, '')),
    );
    const signatures = fc.oneof(fc.constant(signature), fc.nat({ max: signature.length - 5 }).map((at) => flip(signature, at)), bytes);
    const request = fc.oneof(
      fc.record({ action: fc.constant('PostQuantumCryptoEncrypt'), params: fc.record({ KeyId: keyId, PlainText: bytes }, { requiredKeys: [] }) }),
      fc.record({
        action: fc.constant('PostQuantumCryptoDecrypt'),
        params: fc.record({ CiphertextBlob: blobs, EncryptionAlgorithm: fc.constantFrom('SM2', 'RSAES_OAEP_SHA_256', 'BOGUS', '') }, { requiredKeys: ['CiphertextBlob'] }),
      }),
      fc.record({ action: fc.constant('PostQuantumCryptoSign'), params: fc.record({ KeyId: keyId, Message: bytes }, { requiredKeys: [] }) }),
      fc.record({ action: fc.constant('PostQuantumCryptoVerify'), params: fc.record({ KeyId: keyId, Message: bytes, SignatureValue: signatures }, { requiredKeys: [] }) }),
    );
    const succeeded = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async ({ action, params }) => {
        const before = stateOf(kms);
        const outcome = await kms.tencent.invoke(action, params);
        expect(kms.tencent.internalErrors.recent()).toEqual([]);
        if (outcome.ok) {
          succeeded.add(action);
          if (action === 'PostQuantumCryptoDecrypt' && params.CiphertextBlob === blob && !params.EncryptionAlgorithm?.startsWith('RSA')) {
            expect(outcome.response.PlainText).toBe('aGVsbG8=');
          }
        } else {
          expect(documentedCodes(action).has(outcome.error.code), `${action} answered ${outcome.error.code}: ${outcome.error.message}`).toBe(true);
          expect(outcome.error.code).not.toBe('InternalError');
          expect(stateOf(kms)).toBe(before);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect([...succeeded].sort()).toEqual(['PostQuantumCryptoDecrypt', 'PostQuantumCryptoEncrypt', 'PostQuantumCryptoSign', 'PostQuantumCryptoVerify']);
  });

  it('non-object parameters and unknown actions are answered, never thrown', async () => {
    const { kms } = await seeded();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTION_NAMES, 'Nope', 'toString', '__proto__'), fc.anything(), async (action, input) => {
        const outcome = await kms.tencent.invoke(action, input);
        if (!outcome.ok) expect(documentedCodes(action).has(outcome.error.code) || outcome.error.code === 'InvalidAction').toBe(true);
        expect(kms.tencent.internalErrors.recent()).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
