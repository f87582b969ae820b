import { createHmac } from 'node:crypto';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  type MacAlgorithmSpec,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { Kms } from '../../src/index.js';
import { createKey, describeKey, DRY_RUN, refused } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

const SPECS = [
  ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28],
  ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
  ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48],
  ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
] as const;

/** The key's HMAC secret, read from a snapshot (it never leaves the emulator otherwise). */
function secretOf(kms: Kms, keyId: string): Buffer {
  for (const realm of kms.snapshot().realms) {
    const key = realm.keys.find((k) => k.id === keyId);
    if (key) return Buffer.from(key.materials[0]!.secret!, 'base64');
  }
  throw new Error(`no key ${keyId}`);
}

describe('HMAC keys', () => {
  it('creates every HMAC key spec with its one MAC algorithm and a secret as long as the hash', async () => {
    const { kms, client } = setup();
    for (const [KeySpec, algorithm, , length] of SPECS) {
      const key = await createKey(client, { KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      expect(key).toMatchObject({ KeySpec, CustomerMasterKeySpec: KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC', KeyState: 'Enabled', MacAlgorithms: [algorithm] });
      expect(key.EncryptionAlgorithms).toBeUndefined();
      expect(key.SigningAlgorithms).toBeUndefined();
      expect(await describeKey(client, key.KeyId!)).toEqual(key);
      expect(secretOf(kms, key.KeyId!).length).toBe(length);
    }
  });

  it('needs KeyUsage GENERATE_VERIFY_MAC, in AWS words', async () => {
    const { kms, client } = setup();
    const missing = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })));
    expect(missing.name).toBe('ValidationException');
    expect(missing.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    for (const usage of ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'] as const) {
      const wrong = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: usage })));
      expect(wrong.name).toBe('ValidationException');
      expect(wrong.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec HMAC_256`);
    }
    const symmetric = await refused(kms, () => client.send(new CreateKeyCommand({ KeyUsage: 'GENERATE_VERIFY_MAC' })));
    expect(symmetric.message).toBe('KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SYMMETRIC_DEFAULT');
  });

  it('GenerateMac computes RFC 2104 HMAC (as node:crypto does) and VerifyMac accepts it', async () => {
    const { kms, client } = setup();
    for (const [KeySpec, MacAlgorithm, hash] of SPECS) {
      const key = await createKey(client, { KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      for (const message of [new Uint8Array([0]), text('attack at dawn'), new Uint8Array(4096).fill(0xab)]) {
        const out = await client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm, Message: message }));
        expect(out.KeyId).toBe(key.Arn);
        expect(out.MacAlgorithm).toBe(MacAlgorithm);
        const expected = createHmac(hash, secretOf(kms, key.KeyId!)).update(message).digest();
        expect(Buffer.from(out.Mac!).equals(expected)).toBe(true);
        const verified = await client.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm, Message: message, Mac: out.Mac }));
        expect(verified).toMatchObject({ KeyId: key.Arn, MacValid: true, MacAlgorithm });
      }
    }
  });

  it('accepts the key by ARN, and gives the same MAC every time', async () => {
    const { client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const a = await client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_384', Message: text('m') }));
    const b = await client.send(new GenerateMacCommand({ KeyId: key.Arn, MacAlgorithm: 'HMAC_SHA_384', Message: text('m') }));
    expect(Buffer.from(a.Mac!).equals(Buffer.from(b.Mac!))).toBe(true);
  });

  it('a wrong MAC, message or key is KMSInvalidMacException without a message, and changes nothing', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const other = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('some important message') }));
    const flipped = Uint8Array.from(Mac!);
    flipped[0]! ^= 1;
    const cases = [
      { KeyId: key.KeyId, Message: text('some important message'), Mac: flipped },
      { KeyId: key.KeyId, Message: text('some different important message'), Mac },
      { KeyId: key.KeyId, Message: text('some important message'), Mac: Mac!.subarray(0, 16) },
      { KeyId: other.KeyId, Message: text('some important message'), Mac },
    ];
    for (const input of cases) {
      const err = await refused(kms, () => client.send(new VerifyMacCommand({ ...input, MacAlgorithm: 'HMAC_SHA_256' })));
      expect(err.name).toBe('KMSInvalidMacException');
      expect(err.message).not.toMatch(/important|mac/i);
    }
  });

  it('a MAC algorithm of another spec is InvalidKeyUsageException in AWS words', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const MacAlgorithm of ['HMAC_SHA_256', 'HMAC_SHA_512'] as MacAlgorithmSpec[]) {
      const gen = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm, Message: text('x') })));
      expect(gen.name).toBe('InvalidKeyUsageException');
      expect(gen.message).toBe(`Algorithm ${MacAlgorithm} is incompatible with key spec HMAC_224.`);
      const ver = await refused(kms, () => client.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm, Message: text('x'), Mac: new Uint8Array(28) })));
      expect(ver.message).toBe(`Algorithm ${MacAlgorithm} is incompatible with key spec HMAC_224.`);
    }
    const bad = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'INVALID' as MacAlgorithmSpec, Message: text('x') })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set/);
  });

  it('keys of other usages refuse GenerateMac, and HMAC keys refuse other operations, in AWS words', async () => {
    const { kms, client } = setup();
    const symmetric = await createKey(client);
    const hmac = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const gen = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: symmetric.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') })));
    expect(gen.name).toBe('InvalidKeyUsageException');
    expect(gen.message).toBe(`${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
    const ver = await refused(kms, () => client.send(new VerifyMacCommand({ KeyId: symmetric.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x'), Mac: new Uint8Array(32) })));
    expect(ver.message).toBe(`${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for VerifyMac.`);
    const sign = await refused(kms, () => client.send(new SignCommand({ KeyId: hmac.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('x') })));
    expect(sign.name).toBe('InvalidKeyUsageException');
    expect(sign.message).toBe(`${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`);
    const enc = await refused(kms, () => client.send(new EncryptCommand({ KeyId: hmac.KeyId, Plaintext: text('x') })));
    expect(enc.name).toBe('InvalidKeyUsageException');
    expect(enc.message).toBe(`${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`);
    const pub = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: hmac.KeyId })));
    expect(pub.name).toBe('UnsupportedOperationException');
  });

  it('HMAC keys do not rotate: UnsupportedOperationException', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const enable = await refused(kms, () => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })));
    expect(enable.name).toBe('UnsupportedOperationException');
    expect(enable.message).toBe(`${key.Arn} key spec is HMAC_512 which is not valid for this operation.`);
    const now = await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
    expect(now.name).toBe('UnsupportedOperationException');
  });

  it('disabled and pending-deletion keys refuse MACs, changing nothing', async () => {
    const { kms, client } = setup();
    const disabled = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const doomed = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: disabled.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') }));
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const a = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: disabled.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') })));
    expect(a.name).toBe('DisabledException');
    expect(a.message).toBe(`${disabled.Arn} is disabled.`);
    const b = await refused(kms, () => client.send(new VerifyMacCommand({ KeyId: disabled.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x'), Mac })));
    expect(b.name).toBe('DisabledException');
    const c = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: doomed.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') })));
    expect(c.name).toBe('KMSInvalidStateException');
    expect(c.message).toBe(`${doomed.Arn} is pending deletion.`);
  });

  it('DryRun answers DryRunOperationException after every other check', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const dry = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x'), DryRun: true })));
    expect(dry.name).toBe('DryRunOperationException');
    expect(dry.message).toBe(DRY_RUN);
    const wrongAlgorithm = await refused(kms, () => client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_384', Message: text('x'), DryRun: true })));
    expect(wrongAlgorithm.name).toBe('InvalidKeyUsageException');
  });

  it('CloudTrail records the key and the algorithm, never the message or the MAC', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('top secret words') }));
    await client.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('top secret words'), Mac }));
    const [gen, ver] = kms.aws.cloudTrail().slice(-2);
    expect(gen).toMatchObject({ eventName: 'GenerateMac', readOnly: true, requestParameters: { keyId: key.KeyId, macAlgorithm: 'HMAC_SHA_256' }, responseElements: null });
    expect(gen!.resources).toEqual([{ accountId: key.AWSAccountId, type: 'AWS::KMS::Key', ARN: key.Arn }]);
    expect(ver).toMatchObject({ eventName: 'VerifyMac', readOnly: true, requestParameters: { keyId: key.KeyId, macAlgorithm: 'HMAC_SHA_256' } });
    const all = JSON.stringify(kms.aws.cloudTrail());
    expect(all).not.toContain(Buffer.from('top secret words').toString('base64'));
    expect(all).not.toContain(Buffer.from(Mac!).toString('base64'));
  });

  it('survives snapshot and restore', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const before = await client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') }));
    const copy = setup();
    copy.kms.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    const after = await copy.client.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: text('x') }));
    expect(Buffer.from(after.Mac!).equals(Buffer.from(before.Mac!))).toBe(true);
  });
});
