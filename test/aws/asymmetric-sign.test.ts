import { constants, verify as nodeVerify } from 'node:crypto';
import {
  DisableKeyCommand,
  GetPublicKeyCommand,
  type KeyMetadata,
  type KMSClient,
  type MessageType,
  ScheduleKeyDeletionCommand,
  SignCommand,
  type SignCommandInput,
  type SigningAlgorithmSpec,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { sm2, sm3 } from 'sm-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kms, ManualClock } from '../../src/index.js';
import { ASYMMETRIC, digest, ecPoint, hashOf, hex, openssl, pem, rawPublicKey, spki, unhex } from '../support/asymmetric.js';
import { createKey, DRY_RUN, refused } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

const ML_DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;
const ML_DSA_PUBLIC = { ML_DSA_44: 1312, ML_DSA_65: 1952, ML_DSA_87: 2592 } as const;

/** SM2 parameters (GB/T 32918.5) for the signer's Z value. */
const SM2_CURVE =
  'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC' +
  '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93' +
  '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7' +
  'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0';

/** e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), with the default ID 1234567812345678. */
function sm2Digest(publicPoint: Uint8Array, message: Uint8Array): Uint8Array {
  const id = Buffer.from('1234567812345678');
  const z = unhex(sm3([0, id.length * 8, ...id, ...unhex(SM2_CURVE), ...publicPoint.subarray(1)]));
  return unhex(sm3([...z, ...message]));
}

/** ML-DSA's mu for an empty context: SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64) (FIPS 204 §6.2). */
function mu(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const tr = shake256(publicKey, { dkLen: 64 });
  return shake256(Uint8Array.from([...tr, 0, 0, ...message]), { dkLen: 64 });
}

/** The message forms each algorithm accepts, and what the caller sends in each. */
function forms(spec: string, algorithm: SigningAlgorithmSpec, message: Uint8Array, publicKey: Uint8Array): Array<[MessageType, Uint8Array]> {
  if (algorithm === 'ED25519_SHA_512') return [['RAW', message]];
  if (algorithm === 'ED25519_PH_SHA_512') return [['DIGEST', digest('sha512', message)]];
  if (algorithm === 'ML_DSA_SHAKE_256') {
    return [['RAW', message], ['EXTERNAL_MU' as MessageType, mu(rawPublicKey(publicKey, ML_DSA_PUBLIC[spec as keyof typeof ML_DSA_PUBLIC]), message)]];
  }
  if (algorithm === 'SM2DSA') return [['RAW', message], ['DIGEST', sm2Digest(ecPoint(publicKey), message)]];
  return [['RAW', message], ['DIGEST', digest(algorithm, message)]];
}

/** Verifies `signature` of `message` (the original message, whatever form was signed) outside the emulator. */
function verifiesElsewhere(spec: string, algorithm: SigningAlgorithmSpec, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (algorithm.startsWith('RSASSA_PSS')) {
    const hash = hashOf(algorithm);
    return nodeVerify(hash, message, { key: spki(publicKey), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest(algorithm, new Uint8Array()).length }, signature);
  }
  if (algorithm.startsWith('RSASSA_PKCS1')) return nodeVerify(hashOf(algorithm), message, spki(publicKey), signature);
  if (algorithm.startsWith('ECDSA')) return nodeVerify(hashOf(algorithm), message, { key: spki(publicKey), dsaEncoding: 'der' }, signature);
  if (algorithm === 'ED25519_SHA_512') return nodeVerify(null, message, spki(publicKey), signature);
  // Ed25519ph over the caller's SHA-512 digest: the digest is hashed once more (RFC 8032 PH).
  if (algorithm === 'ED25519_PH_SHA_512') return ed25519ph.verify(signature, digest('sha512', message), rawPublicKey(publicKey, 32));
  if (algorithm === 'SM2DSA') return sm2.doVerifySignature(Array.from(message), hex(signature), hex(ecPoint(publicKey)), { der: true, hash: true });
  const dsa = ML_DSA[spec as keyof typeof ML_DSA];
  return dsa.verify(signature, message, rawPublicKey(publicKey, ML_DSA_PUBLIC[spec as keyof typeof ML_DSA_PUBLIC]));
}

describe('Sign and Verify with every signing key spec', () => {
  let kms: Kms<ManualClock>;
  let client: KMSClient;
  const keys = new Map<string, { key: KeyMetadata; publicKey: Uint8Array }>();
  /** The same input sent as Sign and as Verify. */
  const both = (input: Record<string, unknown>) => [() => client.send(new SignCommand(input as never)), () => client.send(new VerifyCommand(input as never))];

  beforeAll(async () => {
    // SM2 is a China Regions key spec.
    ({ kms, client } = setup({ region: 'cn-north-1' }));
    await Promise.all(
      ASYMMETRIC.filter((a) => a.usages.includes('SIGN_VERIFY')).map(async ({ spec }) => {
        const key = await createKey(client, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
        const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
        keys.set(spec!, { key, publicKey: PublicKey! });
      }),
    );
  }, 60_000);

  it('every spec × algorithm × message type: signatures verify in the emulator and with node:crypto, noble or sm-crypto', async () => {
    let checked = 0;
    for (const { spec, signing } of ASYMMETRIC.filter((a) => a.signing.length > 0)) {
      const { key, publicKey } = keys.get(spec!)!;
      for (const SigningAlgorithm of signing) {
        const message = text(`message for ${spec} ${SigningAlgorithm}`);
        for (const [MessageType, Message] of forms(spec!, SigningAlgorithm, message, publicKey)) {
          const what = `${spec} ${SigningAlgorithm} ${MessageType}`;
          const signed = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm, MessageType, Message }));
          expect(signed.KeyId, what).toBe(key.Arn);
          expect(signed.SigningAlgorithm, what).toBe(SigningAlgorithm);
          const signature = signed.Signature!;
          const verified = await client.send(new VerifyCommand({ KeyId: key.KeyId, SigningAlgorithm, MessageType, Message, Signature: signature }));
          expect(verified, what).toMatchObject({ KeyId: key.Arn, SignatureValid: true, SigningAlgorithm });
          expect(verifiesElsewhere(spec!, SigningAlgorithm, publicKey, message, signature), what).toBe(true);
          checked++;
        }
      }
    }
    // 3 RSA sizes × 6 algorithms × 2 forms, 4 ECDSA × 2, Ed25519 × 2, SM2 × 2, 3 ML-DSA × 2.
    expect(checked).toBe(36 + 8 + 2 + 2 + 6);
  }, 60_000);

  it('signature sizes are those of the algorithms (Ed25519 64 bytes, ML-DSA 2420/3309/4627, RSA the modulus)', async () => {
    const size = async (spec: string, SigningAlgorithm: SigningAlgorithmSpec) =>
      (await client.send(new SignCommand({ KeyId: keys.get(spec)!.key.KeyId, SigningAlgorithm, Message: text('m') }))).Signature!.length;
    expect(await size('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512')).toBe(64);
    expect(await size('ML_DSA_44', 'ML_DSA_SHAKE_256')).toBe(2420);
    expect(await size('ML_DSA_65', 'ML_DSA_SHAKE_256')).toBe(3309);
    expect(await size('ML_DSA_87', 'ML_DSA_SHAKE_256')).toBe(4627);
    expect(await size('RSA_3072', 'RSASSA_PSS_SHA_256')).toBe(384);
  });

  it('a RAW signature and an EXTERNAL_MU signature of the same message are interchangeable for ML-DSA', async () => {
    const { key, publicKey } = keys.get('ML_DSA_65')!;
    const message = text('post-quantum');
    const m = mu(rawPublicKey(publicKey, 1952), message);
    const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ML_DSA_SHAKE_256', MessageType: 'EXTERNAL_MU' as MessageType, Message: m }));
    const verified = await client.send(new VerifyCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ML_DSA_SHAKE_256', MessageType: 'RAW', Message: message, Signature }));
    expect(verified.SignatureValid).toBe(true);
  });

  it('signatures verify with the openssl command: RSA PSS and PKCS#1, ECDSA P-256 and secp256k1, Ed25519', async () => {
    const message = text('verified by openssl');
    const cases: Array<[string, SigningAlgorithmSpec, (dir: string) => string[]]> = [
      ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', () => ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['RSA_4096', 'RSASSA_PKCS1_V1_5_SHA_512', () => ['dgst', '-sha512', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['RSA_2048', 'RSASSA_PSS_SHA_256', () => ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['RSA_3072', 'RSASSA_PSS_SHA_384', () => ['dgst', '-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', () => ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', () => ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', () => ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg.bin', '-sigfile', 'sig.bin']],
    ];
    for (const [spec, SigningAlgorithm, args] of cases) {
      const { key, publicKey } = keys.get(spec)!;
      const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm, Message: message }));
      const good = openssl(args, { 'pub.pem': pem('PUBLIC KEY', publicKey), 'sig.bin': Signature!, 'msg.bin': message });
      expect(good.status, `${spec} ${SigningAlgorithm}: ${good.stderr}`).toBe(0);
      const tampered = openssl(args, { 'pub.pem': pem('PUBLIC KEY', publicKey), 'sig.bin': Signature!, 'msg.bin': text('verified by opensslX') });
      expect(tampered.status, `${spec} ${SigningAlgorithm} tampered`).not.toBe(0);
    }
  });

  it('verifies signatures made elsewhere: a DIGEST signature made by sm-crypto-compatible SM2 and RAW/DIGEST pairs agree', async () => {
    // A signature over the digest verifies as a signature over the message (one hash, not two).
    for (const [spec, SigningAlgorithm] of [['RSA_2048', 'RSASSA_PSS_SHA_512'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['SM2', 'SM2DSA']] as const) {
      const { key, publicKey } = keys.get(spec)!;
      const message = text(`once ${spec}`);
      const [[, raw], [, d]] = forms(spec, SigningAlgorithm, message, publicKey) as [[MessageType, Uint8Array], [MessageType, Uint8Array]];
      const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm, MessageType: 'DIGEST', Message: d }));
      const asRaw = await client.send(new VerifyCommand({ KeyId: key.KeyId, SigningAlgorithm, MessageType: 'RAW', Message: raw, Signature }));
      expect(asRaw.SignatureValid).toBe(true);
    }
  });

  it('a bad signature is KMSInvalidSignatureException without a message, and changes nothing', async () => {
    const cases: Array<[string, SigningAlgorithmSpec]> = [['RSA_2048', 'RSASSA_PSS_SHA_256'], ['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'], ['SM2', 'SM2DSA'], ['ML_DSA_44', 'ML_DSA_SHAKE_256']];
    for (const [spec, SigningAlgorithm] of cases) {
      const { key } = keys.get(spec)!;
      const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm, Message: text('original') }));
      const flipped = Uint8Array.from(Signature!);
      flipped[flipped.length >> 1]! ^= 0x10;
      for (const [Message, sig] of [[text('original'), flipped], [text('other'), Signature!], [text('original'), Signature!.subarray(0, 8)]] as const) {
        const err = await refused(kms, () => client.send(new VerifyCommand({ KeyId: key.KeyId, SigningAlgorithm, Message, Signature: sig })));
        expect(err.name, spec).toBe('KMSInvalidSignatureException');
      }
    }
    // A PSS signature is not a PKCS#1 signature; another key's signature is not this key's.
    const rsa = keys.get('RSA_2048')!.key;
    const { Signature: pss } = await client.send(new SignCommand({ KeyId: rsa.KeyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: text('m') }));
    const other = await refused(kms, () => client.send(new VerifyCommand({ KeyId: rsa.KeyId, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', Message: text('m'), Signature: pss })));
    expect(other.name).toBe('KMSInvalidSignatureException');
    const p256 = keys.get('ECC_NIST_P256')!.key;
    const second = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const { Signature: mine } = await client.send(new SignCommand({ KeyId: p256.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') }));
    const wrongKey = await refused(kms, () => client.send(new VerifyCommand({ KeyId: second.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m'), Signature: mine })));
    expect(wrongKey.name).toBe('KMSInvalidSignatureException');
  });

  it('an algorithm of another key spec is InvalidKeyUsageException in AWS words', async () => {
    const cases: Array<[string, SigningAlgorithmSpec]> = [
      ['ECC_NIST_P256', 'ECDSA_SHA_384'],
      ['ECC_NIST_P384', 'ECDSA_SHA_256'],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_512'],
      ['ECC_NIST_EDWARDS25519', 'ECDSA_SHA_512'],
      ['RSA_2048', 'ECDSA_SHA_256'],
      ['ECC_NIST_P256', 'RSASSA_PSS_SHA_256'],
      ['SM2', 'ECDSA_SHA_256'],
      ['ML_DSA_44', 'ED25519_SHA_512'],
      ['ECC_NIST_P521', 'ML_DSA_SHAKE_256'],
      ['RSA_2048', 'SM2DSA'],
    ];
    for (const [spec, SigningAlgorithm] of cases) {
      const { key } = keys.get(spec)!;
      for (const call of both({ KeyId: key.KeyId, SigningAlgorithm, MessageType: 'RAW', Message: text('m'), Signature: new Uint8Array(64) })) {
        const err = await refused(kms, call);
        expect(err.name, `${spec} ${SigningAlgorithm}`).toBe('InvalidKeyUsageException');
        expect(err.message).toBe(`Algorithm ${SigningAlgorithm} is incompatible with key spec ${spec}.`);
      }
    }
  });

  it('message types an algorithm does not take are ValidationException in AWS words', async () => {
    const cases: Array<[string, SigningAlgorithmSpec, string, string]> = [
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'DIGEST', 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.'],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'RAW', 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.'],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'DIGEST', 'Message type DIGEST is incompatible with key spec ML_DSA_44.'],
      ['ML_DSA_87', 'ML_DSA_SHAKE_256', 'DIGEST', 'Message type DIGEST is incompatible with key spec ML_DSA_87.'],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'EXTERNAL_MU', 'Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256.'],
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 'EXTERNAL_MU', 'Message type EXTERNAL_MU is incompatible with key spec RSA_2048.'],
    ];
    for (const [spec, SigningAlgorithm, MessageType, message] of cases) {
      const { key } = keys.get(spec)!;
      for (const call of both({ KeyId: key.KeyId, SigningAlgorithm, MessageType, Message: new Uint8Array(64), Signature: new Uint8Array(64) })) {
        const err = await refused(kms, call);
        expect(err.name, `${spec} ${SigningAlgorithm} ${MessageType}`).toBe('ValidationException');
        expect(err.message).toBe(message);
      }
    }
  });

  it('a digest of the wrong length is ValidationException "Digest is invalid length for algorithm …" on Sign and Verify', async () => {
    const cases: Array<[string, SigningAlgorithmSpec, MessageType, number[]]> = [
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 'DIGEST', [31, 33, 48, 64]],
      ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'DIGEST', [32, 47, 64]],
      ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'DIGEST', [32, 48, 65]],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'DIGEST', [1, 20, 64]],
      ['ECC_NIST_P384', 'ECDSA_SHA_384', 'DIGEST', [32]],
      ['ECC_NIST_P521', 'ECDSA_SHA_512', 'DIGEST', [66]],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'DIGEST', [33]],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', [20, 32]],
      ['SM2', 'SM2DSA', 'DIGEST', [20, 64]],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU' as MessageType, [32, 63, 65]],
    ];
    for (const [spec, SigningAlgorithm, MessageType, lengths] of cases) {
      const { key } = keys.get(spec)!;
      for (const length of lengths) {
        for (const call of both({ KeyId: key.KeyId, SigningAlgorithm, MessageType, Message: new Uint8Array(length).fill(1), Signature: new Uint8Array(64) })) {
          const err = await refused(kms, call);
          expect(err.name, `${spec} ${SigningAlgorithm} ${length}`).toBe('ValidationException');
          expect(err.message).toBe(`Digest is invalid length for algorithm ${SigningAlgorithm}.`);
        }
      }
    }
  });

  it('RAW messages are 1 to 4096 bytes', async () => {
    const { key, publicKey } = keys.get('ECC_NIST_P256')!;
    const big = new Uint8Array(4096).fill(0x61);
    const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: big }));
    expect(verifiesElsewhere('ECC_NIST_P256', 'ECDSA_SHA_256', publicKey, big, Signature!)).toBe(true);
    const tooBig = await refused(kms, () => client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: new Uint8Array(4097) })));
    expect(tooBig.name).toBe('ValidationException');
    expect(tooBig.message).toBe("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });

  it('keys of other usages refuse Sign and Verify with InvalidKeyUsageException in AWS words', async () => {
    const encryption = await createKey(client, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const agreement = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const symmetric = await createKey(client);
    const a = await refused(kms, () => client.send(new SignCommand({ KeyId: encryption.KeyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: text('m') })));
    expect(a.name).toBe('InvalidKeyUsageException');
    expect(a.message).toBe(`${encryption.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
    const b = await refused(kms, () => client.send(new VerifyCommand({ KeyId: agreement.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m'), Signature: new Uint8Array(70) })));
    expect(b.message).toBe(`${agreement.Arn} key usage is KEY_AGREEMENT which is not valid for Verify.`);
    const c = await refused(kms, () => client.send(new SignCommand({ KeyId: symmetric.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') })));
    expect(c.message).toBe(`${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
  });

  it('DryRun answers DryRunOperationException once every check has passed', async () => {
    const { key } = keys.get('ECC_NIST_P256')!;
    const dry = await refused(kms, () => client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m'), DryRun: true })));
    expect(dry.name).toBe('DryRunOperationException');
    expect(dry.message).toBe(DRY_RUN);
    const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') }));
    const dryVerify = await refused(kms, () => client.send(new VerifyCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m'), Signature, DryRun: true })));
    expect(dryVerify.name).toBe('DryRunOperationException');
    const badDigest = await refused(kms, () => client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'DIGEST', Message: text('m'), DryRun: true })));
    expect(badDigest.name).toBe('ValidationException');
  });

  it('CloudTrail records key, algorithm and message type, never the message or the signature', async () => {
    const { key } = keys.get('ECC_NIST_EDWARDS25519')!;
    const secret = text('a message nobody may read in a log');
    const { Signature } = await client.send(new SignCommand({ KeyId: key.KeyId, SigningAlgorithm: 'ED25519_SHA_512', Message: secret }));
    await client.send(new VerifyCommand({ KeyId: key.Arn, SigningAlgorithm: 'ED25519_SHA_512', MessageType: 'RAW', Message: secret, Signature }));
    const [sign, ver] = kms.aws.cloudTrail().slice(-2);
    expect(sign).toMatchObject({
      eventName: 'Sign',
      readOnly: true,
      requestParameters: { keyId: key.KeyId, signingAlgorithm: 'ED25519_SHA_512', messageType: 'RAW' },
      responseElements: null,
      resources: [{ ARN: key.Arn }],
    });
    expect(ver).toMatchObject({ eventName: 'Verify', requestParameters: { keyId: key.Arn, signingAlgorithm: 'ED25519_SHA_512', messageType: 'RAW' } });
    const log = JSON.stringify(kms.aws.cloudTrail());
    expect(log).not.toContain(Buffer.from(secret).toString('base64'));
    expect(log).not.toContain(Buffer.from(Signature!).toString('base64'));
  });
});

describe('Sign and Verify refuse keys that are not enabled', () => {
  it('disabled: DisabledException; pending deletion: KMSInvalidStateException; nothing changes', async () => {
    const { kms, client } = setup();
    const disabled = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const doomed = await createKey(client, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const { Signature } = await client.send(new SignCommand({ KeyId: disabled.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') }));
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const input = (KeyId: string): SignCommandInput => ({ KeyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: text('m') });
    const a = await refused(kms, () => client.send(new SignCommand(input(disabled.KeyId!))));
    expect([a.name, a.message]).toEqual(['DisabledException', `${disabled.Arn} is disabled.`]);
    const b = await refused(kms, () => client.send(new VerifyCommand({ ...input(disabled.KeyId!), Signature })));
    expect(b.name).toBe('DisabledException');
    const c = await refused(kms, () => client.send(new SignCommand(input(doomed.KeyId!))));
    expect([c.name, c.message]).toEqual(['KMSInvalidStateException', `${doomed.Arn} is pending deletion.`]);
  });
});
