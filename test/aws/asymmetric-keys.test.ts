import {
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  type KeyMetadata,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kms, ManualClock } from '../../src/index.js';
import { ALL_USAGES, ASYMMETRIC, rawPublicKey, spki } from '../support/asymmetric.js';
import { createKey, describeKey, refused } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

/** The algorithm lists AWS reports for a key of `spec` and `usage`. */
function expectedLists(spec: string, usage: string): Record<string, string[]> {
  const entry = ASYMMETRIC.find((a) => a.spec === spec)!;
  switch (usage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: spec === 'SM2' ? ['SM2PKE'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: entry.signing };
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH'] };
    default:
      return { EncapsulationAlgorithms: ['ML_KEM'] };
  }
}

const LIST_NAMES = ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms', 'MacAlgorithms', 'EncapsulationAlgorithms'] as const;
/** Specs the deprecated CustomerMasterKeySpec enum does not have. */
const NEWER_SPECS = new Set(['ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024']);

/** Public key sizes: SPKI DER length, or the raw key length inside it (ML-KEM). */
const SPKI_LENGTH: Record<string, number> = { ECC_NIST_EDWARDS25519: 44, ML_DSA_44: 1334, ML_DSA_65: 1974, ML_DSA_87: 2614, ECC_NIST_P256: 91, ECC_SECG_P256K1: 88, ECC_NIST_P384: 120, ECC_NIST_P521: 158, SM2: 91 };
const ML_KEM_PUBLIC: Record<string, number> = { ML_KEM_512: 800, ML_KEM_768: 1184, ML_KEM_1024: 1568 };

describe('asymmetric keys: CreateKey, DescribeKey, GetPublicKey', () => {
  let kms: Kms<ManualClock>;
  let client: KMSClient;
  /** One key of every spec and usage AWS allows, created once (RSA key generation takes time). */
  const keys: Array<{ spec: KeySpec; usage: KeyUsageType; key: KeyMetadata }> = [];

  beforeAll(async () => {
    // SM2 is a China Regions key spec.
    ({ kms, client } = setup({ region: 'cn-north-1' }));
    const pending: Array<Promise<void>> = [];
    for (const { spec, usages } of ASYMMETRIC) {
      // The larger RSA encryption keys are created (and checked) by the encryption tests: RSA key generation is slow.
      for (const usage of usages.filter((u) => !(u === 'ENCRYPT_DECRYPT' && (spec === 'RSA_3072' || spec === 'RSA_4096')))) {
        pending.push(createKey(client, { KeySpec: spec, KeyUsage: usage, Description: `${spec} ${usage}` }).then((key) => void keys.push({ spec, usage, key })));
      }
    }
    await Promise.all(pending);
  }, 60_000);

  it('creates every spec with every usage AWS allows, reporting the algorithm lists of that usage', async () => {
    expect(keys.length).toBe(ASYMMETRIC.reduce((n, a) => n + a.usages.length, 0) - 2);
    for (const { spec, usage, key } of keys) {
      expect(key).toMatchObject({ KeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', MultiRegion: false });
      const lists = expectedLists(spec, usage);
      for (const name of LIST_NAMES) expect(key[name], `${spec}/${usage} ${name}`).toEqual(lists[name]);
      expect(key.CustomerMasterKeySpec, spec).toBe(NEWER_SPECS.has(spec) ? undefined : spec);
      // AWS shows CurrentKeyMaterialId for symmetric encryption keys only.
      expect(key).not.toHaveProperty('CurrentKeyMaterialId');
      expect(await describeKey(client, key.KeyId!)).toEqual(key);
    }
  });

  it('GetPublicKey returns a DER SubjectPublicKeyInfo of the spec, with the same key spec, usage and algorithm lists', async () => {
    for (const { spec, usage, key } of keys) {
      const out = await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
      expect(out.KeyId).toBe(key.Arn);
      expect(out.KeySpec).toBe(spec);
      expect(out.KeyUsage).toBe(usage);
      expect(out.CustomerMasterKeySpec).toBe(key.CustomerMasterKeySpec);
      for (const name of LIST_NAMES) expect((out as unknown as Record<string, unknown>)[name], `${spec} ${name}`).toEqual(key[name]);
      const der = out.PublicKey!;
      expect(der[0]).toBe(0x30);
      if (spec.startsWith('RSA_')) {
        const k = spki(der);
        expect(k.asymmetricKeyType).toBe('rsa');
        expect(k.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
        expect(k.asymmetricKeyDetails?.publicExponent).toBe(65537n);
      } else if (spec.startsWith('ECC_NIST_P') || spec === 'ECC_SECG_P256K1') {
        const k = spki(der);
        expect(k.asymmetricKeyType).toBe('ec');
        expect(k.asymmetricKeyDetails?.namedCurve).toBe({ ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1' }[spec as string]);
      } else if (spec === 'ECC_NIST_EDWARDS25519') {
        expect(spki(der).asymmetricKeyType).toBe('ed25519');
      }
      if (SPKI_LENGTH[spec]) expect(der.length, spec).toBe(SPKI_LENGTH[spec]);
      if (ML_KEM_PUBLIC[spec]) {
        const { ml_kem512, ml_kem768, ml_kem1024 } = await import('@noble/post-quantum/ml-kem.js');
        const kem = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 }[spec as string]!;
        const raw = rawPublicKey(der, ML_KEM_PUBLIC[spec]!);
        expect(der.length).toBeGreaterThan(raw.length);
        expect(() => kem.encapsulate(raw)).not.toThrow();
      }
    }
  });

  it('each key pair is different', async () => {
    const publicKeys = await Promise.all(keys.map(async ({ key }) => Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!).toString('base64')));
    expect(new Set(publicKeys).size).toBe(keys.length);
  });

  it('accepts the deprecated CustomerMasterKeySpec in place of KeySpec', async () => {
    const key = await createKey(client, { CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(key).toMatchObject({ KeySpec: 'ECC_NIST_P256', CustomerMasterKeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
  });

  it('refuses every usage a spec does not allow, and a missing KeyUsage, in AWS words, creating nothing', async () => {
    for (const { spec, usages } of ASYMMETRIC) {
      for (const usage of ALL_USAGES.filter((u) => !usages.includes(u))) {
        const err = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage })));
        expect(err.name).toBe('ValidationException');
        expect(err.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
      }
      const missing = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: spec })));
      expect(missing.name).toBe('ValidationException');
      expect(missing.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    }
  });

  it('an EXTERNAL-origin asymmetric key waits for its material: PendingImport, no public key', async () => {
    const key = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false, SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    const err = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending import.`);
    const sign = await refused(kms, () => client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') })));
    expect(sign.name).toBe('KMSInvalidStateException');
  });
});

describe('GetPublicKey refusals', () => {
  it('symmetric and HMAC keys have no public key: UnsupportedOperationException', async () => {
    const { kms, client } = setup();
    for (const input of [{}, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }] as CreateKeyCommandInput[]) {
      const key = await createKey(client, input);
      const err = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: key.KeyId })));
      expect(err.name).toBe('UnsupportedOperationException');
    }
  });

  it('disabled and pending-deletion keys refuse GetPublicKey, changing nothing', async () => {
    const { kms, client } = setup();
    const disabled = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const doomed = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const a = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: disabled.KeyId })));
    expect(a.name).toBe('DisabledException');
    expect(a.message).toBe(`${disabled.Arn} is disabled.`);
    const b = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: doomed.KeyId })));
    expect(b.name).toBe('KMSInvalidStateException');
    expect(b.message).toBe(`${doomed.Arn} is pending deletion.`);
    const missing = await refused(kms, () => client.send(new GetPublicKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })));
    expect(missing.name).toBe('NotFoundException');
  });

  it('accepts an alias name and alias ARN', async () => {
    const { client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const { CreateAliasCommand } = await import('@aws-sdk/client-kms');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/eth', TargetKeyId: key.KeyId }));
    const byId = await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    for (const KeyId of ['alias/eth', `arn:aws:kms:us-east-1:111122223333:alias/eth`]) {
      const out = await client.send(new GetPublicKeyCommand({ KeyId }));
      expect(Buffer.from(out.PublicKey!).equals(Buffer.from(byId.PublicKey!))).toBe(true);
    }
  });
});

describe('asymmetric keys do not rotate', () => {
  it('EnableKeyRotation, RotateKeyOnDemand and GetKeyRotationStatus are UnsupportedOperationException, changing nothing', async () => {
    const { kms, client } = setup();
    for (const [KeySpec, KeyUsage] of [['ECC_NIST_P256', 'SIGN_VERIFY'], ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'], ['ML_DSA_44', 'SIGN_VERIFY']] as const) {
      const key = await createKey(client, { KeySpec, KeyUsage });
      const enable = await refused(kms, () => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })));
      expect(enable.name).toBe('UnsupportedOperationException');
      expect(enable.message).toBe(`${key.Arn} key spec is ${KeySpec} which is not valid for this operation.`);
      const now = await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
      expect(now.name).toBe('UnsupportedOperationException');
      const status = await refused(kms, () => client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })));
      expect(status.name).toBe('UnsupportedOperationException');
    }
  });
});

describe('asymmetric keys in snapshots, seeds and CloudTrail', () => {
  it('a restored key has the same public key and its signatures verify with it', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    const before = await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const copy = setup();
    copy.kms.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    const after = await copy.client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(Buffer.from(after.PublicKey!).equals(Buffer.from(before.PublicKey!))).toBe(true);
    const { Signature } = await copy.client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_384', Message: text('after restore') }));
    expect(verify('sha384', text('after restore'), spki(before.PublicKey!), Signature!)).toBe(true);
  });

  it('the same seed gives the same key pairs', async () => {
    const publicKeys = async () => {
      const { client } = setup({ seed: 'asymmetric' });
      const out: string[] = [];
      for (const [KeySpec, KeyUsage] of [['ECC_NIST_P256', 'SIGN_VERIFY'], ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'], ['ML_KEM_512', 'ENCAPSULATE_DECAPSULATE']] as const) {
        const key = await createKey(client, { KeySpec: KeySpec as KeySpec, KeyUsage: KeyUsage as KeyUsageType });
        out.push(key.KeyId!, Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!).toString('hex'));
      }
      return out;
    };
    expect(await publicKeys()).toEqual(await publicKeys());
  });

  it('CloudTrail records CreateKey with the key spec, usage and algorithm lists', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const [create, get] = kms.aws.cloudTrail();
    expect(create).toMatchObject({
      eventName: 'CreateKey',
      requestParameters: { keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY', origin: 'AWS_KMS' },
      responseElements: { keyMetadata: { keySpec: 'ECC_NIST_EDWARDS25519', signingAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
    });
    expect(get).toMatchObject({ eventName: 'GetPublicKey', readOnly: true, requestParameters: { keyId: key.KeyId }, responseElements: null });
    expect(JSON.stringify(kms.aws.cloudTrail())).not.toContain(Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!).toString('base64'));
  });
});
