import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import {
  DecapsulateCommand,
  DeriveSharedSecretCommand,
  DisableKeyCommand,
  EncapsulateCommand,
  GetPublicKeyCommand,
  type KeySpec,
  type KeyUsageType,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { rawPublicKey, spki } from '../support/asymmetric.js';
import { createKey, DRY_RUN, refused } from '../support/aws.js';
import { setup } from '../support/kms.js';

const CURVES = [
  ['ECC_NIST_P256', 'prime256v1', 32],
  ['ECC_NIST_P384', 'secp384r1', 48],
  ['ECC_NIST_P521', 'secp521r1', 66],
] as const;

const publicKeyOf = async (client: ReturnType<typeof setup>['client'], KeyId: string) => (await client.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!;

describe('DeriveSharedSecret', () => {
  it('agrees with node:crypto ECDH on every NIST curve, from either side', async () => {
    const { client } = setup();
    for (const [KeySpec, namedCurve, size] of CURVES) {
      const key = await createKey(client, { KeySpec, KeyUsage: 'KEY_AGREEMENT' });
      expect(key.KeyAgreementAlgorithms).toEqual(['ECDH']);
      const peer = generateKeyPairSync('ec', { namedCurve });
      const peerSpki = peer.publicKey.export({ type: 'spki', format: 'der' });
      const out = await client.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));
      expect(out).toMatchObject({ KeyId: key.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
      expect(out.SharedSecret!.length).toBe(size);
      const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: spki(await publicKeyOf(client, key.KeyId!)) });
      expect(Buffer.from(out.SharedSecret!).equals(theirs), KeySpec).toBe(true);
    }
  });

  it('two KMS keys derive the same secret from each other’s public keys (NIST and SM2)', async () => {
    const { client } = setup({ region: 'cn-north-1' });
    for (const KeySpec of ['ECC_NIST_P256', 'SM2'] as const) {
      const a = await createKey(client, { KeySpec, KeyUsage: 'KEY_AGREEMENT' });
      const b = await createKey(client, { KeySpec, KeyUsage: 'KEY_AGREEMENT' });
      const ab = await client.send(new DeriveSharedSecretCommand({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: await publicKeyOf(client, b.KeyId!) }));
      const ba = await client.send(new DeriveSharedSecretCommand({ KeyId: b.Arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: await publicKeyOf(client, a.KeyId!) }));
      expect(Buffer.from(ab.SharedSecret!).equals(Buffer.from(ba.SharedSecret!)), KeySpec).toBe(true);
    }
  });

  it('a peer public key that is not on the key’s curve is an empty ValidationException, changing nothing', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const otherCurve = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    const good = Uint8Array.from(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }));
    const offCurve = Uint8Array.from(good);
    offCurve[offCurve.length - 1]! ^= 1;
    for (const PublicKey of [otherCurve, rsa, new Uint8Array([1, 2, 3]), offCurve]) {
      const err = await refused(kms, () => client.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey })));
      expect(err.name).toBe('ValidationException');
    }
  });

  it('keys of other usages refuse it; disabled keys too; Recipient is not supported; DryRun', async () => {
    const { kms, client } = setup();
    const signing = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const agreement = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    const usage = await refused(kms, () => client.send(new DeriveSharedSecretCommand({ KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })));
    expect([usage.name, usage.message]).toEqual(['InvalidKeyUsageException', `${signing.Arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`]);
    const recipient = await refused(kms, () =>
      client.send(new DeriveSharedSecretCommand({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer, Recipient: { AttestationDocument: new Uint8Array(4), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } })),
    );
    expect(recipient.name).toBe('UnsupportedOperationException');
    const dry = await refused(kms, () => client.send(new DeriveSharedSecretCommand({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer, DryRun: true })));
    expect([dry.name, dry.message]).toEqual(['DryRunOperationException', DRY_RUN]);
    await client.send(new DisableKeyCommand({ KeyId: agreement.KeyId }));
    const disabled = await refused(kms, () => client.send(new DeriveSharedSecretCommand({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })));
    expect(disabled.name).toBe('DisabledException');
  });

  it('CloudTrail records the key and the algorithm, never the shared secret', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
    const out = await client.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }));
    expect(kms.aws.cloudTrail().at(-1)).toMatchObject({ eventName: 'DeriveSharedSecret', readOnly: true, requestParameters: { keyId: key.KeyId, keyAgreementAlgorithm: 'ECDH' }, responseElements: null });
    expect(JSON.stringify(kms.aws.cloudTrail())).not.toContain(Buffer.from(out.SharedSecret!).toString('base64'));
  });
});

describe('Encapsulate and Decapsulate (ML-KEM)', () => {
  const KEMS = [
    ['ML_KEM_512', ml_kem512, 800, 768],
    ['ML_KEM_768', ml_kem768, 1184, 1088],
    ['ML_KEM_1024', ml_kem1024, 1568, 1568],
  ] as const;
  const kemKey = (KeySpec: string) => ({ KeySpec: KeySpec as KeySpec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' as KeyUsageType });

  it('Encapsulate gives a 32-byte secret that Decapsulate recovers; noble encapsulations to the public key decapsulate', async () => {
    const { client } = setup();
    for (const [KeySpec, kem, publicSize, ciphertextSize] of KEMS) {
      const key = await createKey(client, kemKey(KeySpec));
      expect(key.EncapsulationAlgorithms).toEqual(['ML_KEM']);
      const enc = await client.send(new EncapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
      expect(enc).toMatchObject({ KeyId: key.Arn, EncapsulationAlgorithm: 'ML_KEM' });
      expect(enc.SharedSecret!.length).toBe(32);
      expect(enc.SharedSecretCiphertextBlob!.length).toBe(ciphertextSize);
      const dec = await client.send(new DecapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob }));
      expect(dec).toMatchObject({ KeyId: key.Arn, EncapsulationAlgorithm: 'ML_KEM' });
      expect(Buffer.from(dec.SharedSecret!).equals(Buffer.from(enc.SharedSecret!))).toBe(true);
      const theirs = kem.encapsulate(rawPublicKey(await publicKeyOf(client, key.KeyId!), publicSize));
      const recovered = await client.send(new DecapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: theirs.cipherText }));
      expect(Buffer.from(recovered.SharedSecret!).equals(Buffer.from(theirs.sharedSecret)), KeySpec).toBe(true);
    }
  });

  it('a ciphertext of the wrong length is InvalidCiphertextException; a tampered one gives another secret (implicit rejection)', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, kemKey('ML_KEM_768'));
    const enc = await client.send(new EncapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
    for (const SharedSecretCiphertextBlob of [enc.SharedSecretCiphertextBlob!.subarray(1), new Uint8Array(768), new Uint8Array(1089)]) {
      const err = await refused(kms, () => client.send(new DecapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob })));
      expect(err.name).toBe('InvalidCiphertextException');
    }
    const tampered = Uint8Array.from(enc.SharedSecretCiphertextBlob!);
    tampered[100]! ^= 1;
    const dec = await client.send(new DecapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: tampered }));
    expect(dec.SharedSecret!.length).toBe(32);
    expect(Buffer.from(dec.SharedSecret!).equals(Buffer.from(enc.SharedSecret!))).toBe(false);
  });

  it('keys of other usages, disabled and pending-deletion keys refuse it, changing nothing', async () => {
    const { kms, client } = setup();
    const symmetric = await createKey(client);
    const kemKeyMeta = await createKey(client, kemKey('ML_KEM_512'));
    const doomed = await createKey(client, kemKey('ML_KEM_512'));
    const a = await refused(kms, () => client.send(new EncapsulateCommand({ KeyId: symmetric.KeyId, EncapsulationAlgorithm: 'ML_KEM' })));
    expect([a.name, a.message]).toEqual(['InvalidKeyUsageException', `${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate.`]);
    const b = await refused(kms, () => client.send(new DecapsulateCommand({ KeyId: symmetric.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(768) })));
    expect(b.message).toBe(`${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Decapsulate.`);
    const dry = await refused(kms, () => client.send(new EncapsulateCommand({ KeyId: kemKeyMeta.KeyId, EncapsulationAlgorithm: 'ML_KEM', DryRun: true })));
    expect(dry.name).toBe('DryRunOperationException');
    await client.send(new DisableKeyCommand({ KeyId: kemKeyMeta.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const c = await refused(kms, () => client.send(new EncapsulateCommand({ KeyId: kemKeyMeta.KeyId, EncapsulationAlgorithm: 'ML_KEM' })));
    expect(c.name).toBe('DisabledException');
    const d = await refused(kms, () => client.send(new DecapsulateCommand({ KeyId: doomed.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(768) })));
    expect([d.name, d.message]).toEqual(['KMSInvalidStateException', `${doomed.Arn} is pending deletion.`]);
  });

  it('CloudTrail records keyId and encapsulationAlgorithm, never the secret or its encapsulation', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, kemKey('ML_KEM_512'));
    const enc = await client.send(new EncapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
    await client.send(new DecapsulateCommand({ KeyId: key.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob }));
    const [e, d] = kms.aws.cloudTrail().slice(-2);
    expect(e).toMatchObject({ eventName: 'Encapsulate', readOnly: true, requestParameters: { keyId: key.KeyId, encapsulationAlgorithm: 'ML_KEM' }, responseElements: null });
    expect(d).toMatchObject({ eventName: 'Decapsulate', readOnly: true, requestParameters: { keyId: key.KeyId, encapsulationAlgorithm: 'ML_KEM' }, responseElements: null });
    const log = JSON.stringify(kms.aws.cloudTrail());
    expect(log).not.toContain(Buffer.from(enc.SharedSecret!).toString('base64'));
    expect(log).not.toContain(Buffer.from(enc.SharedSecretCiphertextBlob!).toString('base64').slice(0, 40));
  });
});
