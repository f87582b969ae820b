/**
 * Every operation of the AWS dialect's operation table is judged in the enforce mode: an IAM user of
 * the key's account with no identity policy at all is refused each one with AccessDeniedException
 * (the default key policy leaves every decision to IAM), and the account root then makes the very same
 * call successfully, so the refusal is the authorization's and not a bad request's. AWS KMS exempts
 * no operation from authorization (RetireGrant is decided by the grant and then the key's account: a
 * user the grant does not name needs an identity policy), so none is exempt here. An operation added
 * to the table without a case below fails this test.
 */
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AWS_OPERATIONS, createKms, ManualClock, principalFromArn, type Kms } from '../../src/index.js';
import { START } from '../support/kms.js';
import { everything } from '../support/key-stores.js';
import { TRUST_ANCHOR_A } from '../support/trust-anchors.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const HELLO = Buffer.from('hello').toString('base64');

type Input = Record<string, unknown>;
type Root = (operation: string, input?: Input) => Promise<Record<string, any>>;

interface Case {
  /** Makes what the call needs, as the account root, and returns the call's input. */
  readonly input: (root: Root, kms: Kms<ManualClock>) => Promise<Input>;
  /** The action the refusal names, when it is not kms:<Operation>. */
  readonly action?: string;
}

const key = async (root: Root, input: Input = {}) => (await root('CreateKey', input)).KeyMetadata.KeyId as string;
const symmetric = (root: Root) => key(root);
const signing = (root: Root) => key(root, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
const agreement = (root: Root) => key(root, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
const hmac = (root: Root) => key(root, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
const kem = (root: Root) => key(root, { KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });

/** An EXTERNAL key with material imported, and the ImportKeyMaterial input that imports it. */
async function imported(root: Root, importNow: boolean): Promise<{ KeyId: string; request: Input }> {
  const KeyId = await key(root, { Origin: 'EXTERNAL' });
  const p = await root('GetParametersForImport', { KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const publicKey = createPublicKey({ key: Buffer.from(p.PublicKey, 'base64'), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
  const request = { KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped.toString('base64'), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
  if (importNow) await root('ImportKeyMaterial', request);
  return { KeyId, request };
}

/** A multi-Region primary in us-east-1 and a replica in eu-west-1, settled. */
async function family(root: Root, kms: Kms<ManualClock>): Promise<string> {
  const KeyId = await key(root, { MultiRegion: true });
  await root('ReplicateKey', { KeyId, ReplicaRegion: 'eu-west-1' });
  kms.clock.advance('5s');
  return KeyId;
}

/** A CloudHSM key store (disconnected), made by the root; connected on request. */
async function keyStore(root: Root, kms: Kms<ManualClock>, connect = false): Promise<string> {
  const { CustomKeyStoreId } = await root('CreateCustomKeyStore', {
    CustomKeyStoreName: 'coverage',
    CloudHsmClusterId: 'cluster-2a23b4cdefg',
    TrustAnchorCertificate: TRUST_ANCHOR_A,
    KeyStorePassword: 'kmsuser-password',
  });
  if (connect) {
    await root('ConnectCustomKeyStore', { CustomKeyStoreId });
    kms.clock.advance('5s');
  }
  return CustomKeyStoreId;
}

const CASES: Record<string, Case> = {
  CreateKey: { input: async () => ({}) },
  DescribeKey: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  ListKeys: { input: async () => ({}) },
  UpdateKeyDescription: { input: async (root) => ({ KeyId: await symmetric(root), Description: 'new' }) },
  EnableKey: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  DisableKey: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  ScheduleKeyDeletion: { input: async (root) => ({ KeyId: await symmetric(root), PendingWindowInDays: 7 }) },
  CancelKeyDeletion: {
    input: async (root) => {
      const KeyId = await symmetric(root);
      await root('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 });
      return { KeyId };
    },
  },
  Encrypt: { input: async (root) => ({ KeyId: await symmetric(root), Plaintext: HELLO }) },
  Decrypt: { input: async (root) => ({ CiphertextBlob: (await root('Encrypt', { KeyId: await symmetric(root), Plaintext: HELLO })).CiphertextBlob }) },
  ReEncrypt: {
    action: 'kms:ReEncryptFrom',
    input: async (root) => ({
      CiphertextBlob: (await root('Encrypt', { KeyId: await symmetric(root), Plaintext: HELLO })).CiphertextBlob,
      DestinationKeyId: await symmetric(root),
    }),
  },
  GenerateDataKey: { input: async (root) => ({ KeyId: await symmetric(root), KeySpec: 'AES_256' }) },
  GenerateDataKeyWithoutPlaintext: { input: async (root) => ({ KeyId: await symmetric(root), KeySpec: 'AES_256' }) },
  GenerateDataKeyPair: { input: async (root) => ({ KeyId: await symmetric(root), KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateDataKeyPairWithoutPlaintext: { input: async (root) => ({ KeyId: await symmetric(root), KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateRandom: { input: async () => ({ NumberOfBytes: 16 }) },
  GetPublicKey: { input: async (root) => ({ KeyId: await signing(root) }) },
  Sign: { input: async (root) => ({ KeyId: await signing(root), Message: HELLO, SigningAlgorithm: 'ECDSA_SHA_256' }) },
  Verify: {
    input: async (root) => {
      const KeyId = await signing(root);
      const { Signature } = await root('Sign', { KeyId, Message: HELLO, SigningAlgorithm: 'ECDSA_SHA_256' });
      return { KeyId, Message: HELLO, SigningAlgorithm: 'ECDSA_SHA_256', Signature };
    },
  },
  DeriveSharedSecret: {
    input: async (root) => {
      const peer = (await root('GetPublicKey', { KeyId: await agreement(root) })).PublicKey;
      return { KeyId: await agreement(root), KeyAgreementAlgorithm: 'ECDH', PublicKey: peer };
    },
  },
  GenerateMac: { input: async (root) => ({ KeyId: await hmac(root), Message: HELLO, MacAlgorithm: 'HMAC_SHA_256' }) },
  VerifyMac: {
    input: async (root) => {
      const KeyId = await hmac(root);
      const { Mac } = await root('GenerateMac', { KeyId, Message: HELLO, MacAlgorithm: 'HMAC_SHA_256' });
      return { KeyId, Message: HELLO, MacAlgorithm: 'HMAC_SHA_256', Mac };
    },
  },
  Encapsulate: { input: async (root) => ({ KeyId: await kem(root), EncapsulationAlgorithm: 'ML_KEM' }) },
  Decapsulate: {
    input: async (root) => {
      const KeyId = await kem(root);
      const { SharedSecretCiphertextBlob } = await root('Encapsulate', { KeyId, EncapsulationAlgorithm: 'ML_KEM' });
      return { KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob };
    },
  },
  CreateAlias: { input: async (root) => ({ AliasName: 'alias/coverage', TargetKeyId: await symmetric(root) }) },
  UpdateAlias: {
    input: async (root) => {
      await root('CreateAlias', { AliasName: 'alias/coverage', TargetKeyId: await symmetric(root) });
      return { AliasName: 'alias/coverage', TargetKeyId: await symmetric(root) };
    },
  },
  DeleteAlias: {
    input: async (root) => {
      await root('CreateAlias', { AliasName: 'alias/coverage', TargetKeyId: await symmetric(root) });
      return { AliasName: 'alias/coverage' };
    },
  },
  ListAliases: { input: async () => ({}) },
  TagResource: { input: async (root) => ({ KeyId: await symmetric(root), Tags: [{ TagKey: 'team', TagValue: 'a' }] }) },
  UntagResource: {
    input: async (root) => {
      const KeyId = await key(root, { Tags: [{ TagKey: 'team', TagValue: 'a' }] });
      return { KeyId, TagKeys: ['team'] };
    },
  },
  ListResourceTags: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  GetKeyPolicy: { input: async (root) => ({ KeyId: await symmetric(root), PolicyName: 'default' }) },
  PutKeyPolicy: {
    input: async (root) => {
      const KeyId = await symmetric(root);
      const { Policy } = await root('GetKeyPolicy', { KeyId, PolicyName: 'default' });
      return { KeyId, PolicyName: 'default', Policy };
    },
  },
  ListKeyPolicies: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  EnableKeyRotation: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  DisableKeyRotation: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  GetKeyRotationStatus: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  RotateKeyOnDemand: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  ListKeyRotations: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  GetKeyLastUsage: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  CreateGrant: { input: async (root) => ({ KeyId: await symmetric(root), GranteePrincipal: BOB, Operations: ['Encrypt'] }) },
  ListGrants: { input: async (root) => ({ KeyId: await symmetric(root) }) },
  ListRetirableGrants: { input: async () => ({ RetiringPrincipal: BOB }) },
  RetireGrant: {
    input: async (root) => {
      const { GrantToken } = await root('CreateGrant', { KeyId: await symmetric(root), GranteePrincipal: BOB, RetiringPrincipal: BOB, Operations: ['Encrypt'] });
      return { GrantToken };
    },
  },
  RevokeGrant: {
    input: async (root) => {
      const KeyId = await symmetric(root);
      const { GrantId } = await root('CreateGrant', { KeyId, GranteePrincipal: BOB, Operations: ['Encrypt'] });
      return { KeyId, GrantId };
    },
  },
  GetParametersForImport: { input: async (root) => ({ KeyId: await key(root, { Origin: 'EXTERNAL' }), WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }) },
  ImportKeyMaterial: { input: async (root) => (await imported(root, false)).request },
  DeleteImportedKeyMaterial: { input: async (root) => ({ KeyId: (await imported(root, true)).KeyId }) },
  ReplicateKey: { input: async (root) => ({ KeyId: await key(root, { MultiRegion: true }), ReplicaRegion: 'eu-west-1' }) },
  UpdatePrimaryRegion: { input: async (root, kms) => ({ KeyId: await family(root, kms), PrimaryRegion: 'eu-west-1' }) },
  CreateCustomKeyStore: {
    input: async () => ({ CustomKeyStoreName: 'coverage', CloudHsmClusterId: 'cluster-2a23b4cdefg', TrustAnchorCertificate: TRUST_ANCHOR_A, KeyStorePassword: 'kmsuser-password' }),
  },
  ConnectCustomKeyStore: { input: async (root, kms) => ({ CustomKeyStoreId: await keyStore(root, kms) }) },
  DisconnectCustomKeyStore: { input: async (root, kms) => ({ CustomKeyStoreId: await keyStore(root, kms, true) }) },
  DescribeCustomKeyStores: { input: async (root, kms) => ({ CustomKeyStoreId: await keyStore(root, kms) }) },
  UpdateCustomKeyStore: { input: async (root, kms) => ({ CustomKeyStoreId: await keyStore(root, kms), NewCustomKeyStoreName: 'renamed' }) },
  DeleteCustomKeyStore: { input: async (root, kms) => ({ CustomKeyStoreId: await keyStore(root, kms) }) },
};

describe('the enforce mode judges every AWS operation', () => {
  it('every operation of the table has a case here', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(AWS_OPERATIONS).sort());
  });

  it.each(Object.keys(AWS_OPERATIONS))('%s: refused to an IAM user with no identity policy, then made by the account root', async (operation) => {
    const c = CASES[operation];
    expect(c, `no case for ${operation}`).toBeDefined();
    const kms = createKms({ clock: new ManualClock(START), seed: `coverage-${operation}`, authorization: 'enforce' });
    const root: Root = (op, input = {}) => kms.aws.send(op, input);
    const input = await c!.input(root, kms);
    const before = JSON.stringify(everything(kms));
    const refused = await kms.aws.invoke(operation, input, { principal: principalFromArn(ALICE) });
    expect(refused.ok, `${operation} was allowed to a user without policies`).toBe(false);
    if (refused.ok) return;
    expect(refused.error.name).toBe('AccessDeniedException');
    const action = c!.action ?? `kms:${operation}`;
    expect(refused.error.message).toMatch(new RegExp(`^User: ${ALICE} is not authorized to perform: ${action}( on resource: arn:aws:kms:[^ ]+)? because no identity-based policy allows the ${action} action$`));
    // The refusal changed nothing, and the same call succeeds for the root.
    expect(JSON.stringify(everything(kms))).toBe(before);
    const made = await kms.aws.invoke(operation, input);
    expect(made.ok ? 'ok' : `${made.error.name}: ${made.error.message}`).toBe('ok');
  });
});
