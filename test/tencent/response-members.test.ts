/**
 * Every response member the API model declares is present, with the declared type, in a successful
 * answer of every action the Tencent dialect offers — nested structures (KeyMetadata, AlgorithmInfo,
 * WhiteboxKeyInfo, …) included. A string member is a string (never null), a number a number, a list
 * an array. The member lists come from src/dialects/tencent/model.generated.ts (generated from the
 * API spec by scripts/gen-tencent-model.ts).
 */
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, CLOUDAUDIT_ACTIONS, CLOUDAUDIT_OBJECTS, OBJECTS, type FieldModel } from '../../src/dialects/tencent/model.generated.js';
import { HANDLERS } from '../../src/dialects/tencent/operations.js';
import type { Kms, ManualClock } from '../../src/index.js';
import { b64, done, emulator, sm2Asn1, unb64 } from './support.js';

/** The problems of `value` against `fields`: missing members and members of the wrong type. */
function check(value: Record<string, unknown>, fields: readonly FieldModel[], path: string, skip: readonly string[] = [], objects = OBJECTS): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    if (skip.includes(field.name)) continue;
    const v = value[field.name];
    const at = `${path}.${field.name}`;
    if (v === undefined) {
      problems.push(`${at} is missing`);
      continue;
    }
    if (field.list) {
      if (!Array.isArray(v)) problems.push(`${at} is not a list`);
      else v.forEach((item, i) => problems.push(...checkOne(item, field.type, `${at}[${i}]`, objects)));
    } else {
      problems.push(...checkOne(v, field.type, at, objects));
    }
  }
  return problems;
}

function checkOne(v: unknown, type: string, at: string, objects: Readonly<Record<string, readonly FieldModel[]>>): string[] {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? [] : [`${at} is ${JSON.stringify(v)}, not a string`];
    case 'int64':
    case 'uint64':
    case 'float':
      // A UIN too large for a double travels as a string (uinValue); the ones used here are numbers.
      return typeof v === 'number' && Number.isFinite(v) ? [] : [`${at} is ${JSON.stringify(v)}, not a number`];
    case 'bool':
      return typeof v === 'boolean' ? [] : [`${at} is ${JSON.stringify(v)}, not a bool`];
    default: {
      const members = objects[type];
      if (!members) return [`${at} has the unknown type ${type}`];
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${at} is not a ${type} structure`];
      return check(v as Record<string, unknown>, members, at, [], objects);
    }
  }
}

let kms: Kms<ManualClock>;
const responses = new Map<string, Record<string, unknown>>();

async function call(action: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await kms.tencent.call(action, params);
  if (!responses.has(action)) responses.set(action, response);
  return response;
}

beforeAll(async () => {
  kms = emulator();
  // Keys with tags, rotation and material, so that optional structures are filled in.
  const sym = (await call('CreateKey', { Alias: 'walk-sym', Description: 'd', Tags: [{ TagKey: 'env', TagValue: 'test' }] })).KeyId;
  await call('DescribeKey', { KeyId: sym });
  await call('DescribeKeys', { KeyIds: [sym] });
  await call('ListKeys', {});
  await call('ListKeyDetail', { KeyUsage: 'ALL' });
  await call('UpdateAlias', { KeyId: sym, Alias: 'walk-sym-2' });
  await call('UpdateKeyDescription', { KeyId: sym, Description: 'e' });
  await call('DisableKey', { KeyId: sym });
  await call('EnableKey', { KeyId: sym });
  await call('DisableKeys', { KeyIds: [sym] });
  await call('EnableKeys', { KeyIds: [sym] });
  await call('ArchiveKey', { KeyId: sym });
  await call('CancelKeyArchive', { KeyId: sym });
  await call('BindCloudResource', { KeyId: sym, ProductId: 'cbs', ResourceId: 'disk-1' });
  await call('UnbindCloudResource', { KeyId: sym, ProductId: 'cbs', ResourceId: 'disk-1' });
  await call('EnableKeyRotation', { KeyId: sym, RotateDays: 30 });
  await call('GetKeyRotationStatus', { KeyId: sym });
  await call('RotateKey', { KeyId: sym });
  await call('DisableKeyRotation', { KeyId: sym });
  const blob = (await call('Encrypt', { KeyId: sym, Plaintext: b64('x') })).CiphertextBlob;
  await call('Decrypt', { CiphertextBlob: blob });
  await call('ReEncrypt', { CiphertextBlob: blob });
  await call('GenerateDataKey', { KeyId: sym, KeySpec: 'AES_256' });
  await call('GenerateRandom', { NumberOfBytes: 16 });

  const rsa = (await call('CreateKey', { Alias: 'walk-rsa', KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' })).KeyId;
  const pem = (await call('GetPublicKey', { KeyId: rsa })).PublicKeyPem;
  const rsaCt = publicEncrypt({ key: createPublicKey(pem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('x'));
  await call('AsymmetricRsaDecrypt', { KeyId: rsa, Ciphertext: b64(rsaCt), Algorithm: 'RSAES_OAEP_SHA_256' });
  const sm2 = (await call('CreateKey', { Alias: 'walk-sm2', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })).KeyId;
  const point = unb64((await call('GetPublicKey', { KeyId: sm2 })).PublicKey).subarray(-65).toString('hex');
  const { sm2: smCrypto } = await import('sm-crypto');
  await call('AsymmetricSm2Decrypt', { KeyId: sm2, Ciphertext: b64(sm2Asn1(smCrypto.doEncrypt('x', point, 1))) });
  const ecc = (await call('CreateKey', { Alias: 'walk-ecc', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' })).KeyId;
  const signature = (await call('SignByAsymmetricKey', { KeyId: ecc, Algorithm: 'ECC_P256_R1', Message: b64('m') })).Signature;
  await call('VerifyByAsymmetricKey', { KeyId: ecc, Algorithm: 'ECC_P256_R1', Message: b64('m'), SignatureValue: signature });

  const kyber = (await call('CreateKey', { Alias: 'walk-kyber', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' })).KeyId;
  const pqBlob = (await call('PostQuantumCryptoEncrypt', { KeyId: kyber, PlainText: b64('x') })).CiphertextBlob;
  await call('PostQuantumCryptoDecrypt', { CiphertextBlob: pqBlob });
  const dilithium = (await call('CreateKey', { Alias: 'walk-dilithium', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' })).KeyId;
  const pqSignature = (await call('PostQuantumCryptoSign', { KeyId: dilithium, Message: b64('m') })).Signature;
  await call('PostQuantumCryptoVerify', { KeyId: dilithium, Message: b64('m'), SignatureValue: pqSignature });

  const ext = (await call('CreateKey', { Alias: 'walk-ext', Type: 2 })).KeyId;
  const params = await call('GetParametersForImport', { KeyId: ext, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const wrapped = publicEncrypt({ key: createPublicKey({ key: unb64(params.PublicKey), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(16, 7));
  await call('ImportKeyMaterial', { KeyId: ext, ImportToken: params.ImportToken, EncryptedKeyMaterial: b64(wrapped), ValidTo: 2000000000 });
  // DescribeKey of an imported key with material (ValidTo set).
  responses.delete('DescribeKey');
  await call('DescribeKey', { KeyId: ext });
  await call('DeleteImportedKeyMaterial', { KeyId: ext });

  await call('GetServiceStatus');
  await call('GetRegions');
  await call('ListAlgorithms');

  await call('DescribeWhiteBoxServiceStatus');
  const wb = (await call('CreateWhiteBoxKey', { Alias: 'walk-wb', Algorithm: 'AES_256', Description: 'd', Tags: [{ TagKey: 'env', TagValue: 'test' }] })).KeyId;
  await call('EncryptByWhiteBox', { KeyId: wb, PlainText: b64('x') });
  await call('DescribeWhiteBoxDecryptKey', { KeyId: wb });
  await call('DescribeWhiteBoxKey', { KeyId: wb });
  await call('DescribeWhiteBoxKeyDetails', {});
  const identity = `${'a'.repeat(8)}-${'b'.repeat(14)}-${'c'.repeat(14)}-${'d'.repeat(14)}-${'e'.repeat(16)}`;
  await call('OverwriteWhiteBoxDeviceFingerprints', { KeyId: wb, DeviceFingerprints: [{ Identity: identity, Description: 'laptop' }] });
  await call('DescribeWhiteBoxDeviceFingerprints', { KeyId: wb });
  await call('DisableWhiteBoxKeys', { KeyIds: [wb] });
  await call('EnableWhiteBoxKeys', { KeyIds: [wb] });
  await call('DisableWhiteBoxKey', { KeyId: wb });
  await call('EnableWhiteBoxKey', { KeyId: wb });
  await call('DisableWhiteBoxKey', { KeyId: wb });
  await call('DeleteWhiteBoxKey', { KeyId: wb });

  // Hosted data keys; this GenerateDataKey (hosted, with tags) is the one walked, so it goes first.
  responses.delete('GenerateDataKey');
  const dek = (await call('GenerateDataKey', { KeyId: sym, NumberOfBytes: 32, IsHostedByKms: 1, DataKeyName: 'walk-dek', Description: 'd', Tags: [{ TagKey: 'env', TagValue: 'test' }] })).DataKeyId;
  const imported = (await call('ImportDataKey', { DataKeyName: 'walk-imported', ImportKeyMaterial: b64('imported-data-key'), ImportType: 2, KeyId: sym })).DataKeyId;
  await call('DescribeDataKey', { DataKeyId: dek });
  await call('DescribeDataKeys', { DataKeyIds: [dek, imported] });
  await call('GetDataKeyPlaintext', { DataKeyId: dek });
  await call('GetDataKeyCiphertextBlob', { DataKeyId: dek });
  await call('UpdateDataKeyName', { DataKeyId: dek, DataKeyName: 'walk-dek-2' });
  await call('UpdateDataKeyDescription', { DataKeyId: dek, Description: 'e' });
  await call('ListDataKeys', {});
  await call('ListDataKeyDetail', {});
  await call('DisableDataKeys', { DataKeyIds: [dek, imported] });
  await call('EnableDataKeys', { DataKeyIds: [dek] });
  await call('DisableDataKey', { DataKeyId: dek });
  await call('EnableDataKey', { DataKeyId: imported });
  await call('DisableDataKey', { DataKeyId: imported });
  await call('ScheduleDataKeyDeletion', { DataKeyId: imported, PendingWindowInDays: 7 });
  await call('CancelDataKeyDeletion', { DataKeyId: imported });

  await call('DisableKey', { KeyId: sym });
  await call('ScheduleKeyDeletion', { KeyId: sym, PendingWindowInDays: 7 });
  await call('CancelKeyDeletion', { KeyId: sym });
});

afterAll(() => done(kms));

describe('response members', () => {
  it('every action the dialect offers was answered successfully here', () => {
    expect([...responses.keys()].sort()).toEqual(Object.keys(HANDLERS).sort());
  });

  it.each(Object.keys(HANDLERS).sort())('%s answers every member the model declares, with its type', (action) => {
    const response = responses.get(action);
    expect(response, `${action} was not called`).toBeDefined();
    expect(check(response!, ACTIONS[action]!.response, action)).toEqual([]);
  });

  it('CloudAudit LookUpEvents answers every member, its events every Event member, on a page and at the end', async () => {
    const page = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 2 });
    const last = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 50 });
    for (const response of [page, last]) {
      expect(response.Events.length).toBeGreaterThan(0);
      expect(check(response, CLOUDAUDIT_ACTIONS.LookUpEvents!.response, 'LookUpEvents', [], CLOUDAUDIT_OBJECTS)).toEqual([]);
    }
  });

});
