/**
 * Change tracking (Engine.takeChanges / applyChanges), which the durable store journals: every AWS
 * operation runs through the dialect, successful and failing, in several realms, with clock jumps
 * that fire automatic rotations and scheduled deletions. After every call:
 *   - a replica engine that only ever saw the change records (applyChanges, through JSON) holds
 *     exactly the live engine's snapshot: keys, aliases, counters, random position, audit log;
 *   - a successful mutating call's key or alias is in the record; a read's record changes no key
 *     or alias (it carries only its audit event).
 * A forgotten mutation shows up as a replica that differs.
 */
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/dialects/aws/operations.js';
import { createKms, ManualClock, type AwsCallMeta, type EngineChanges, type EngineSnapshot, type Kms } from '../../src/index.js';

const START = '2026-01-01T00:00:00Z';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function comparable(snapshot: EngineSnapshot): Omit<EngineSnapshot, 'takenAt'> {
  const { takenAt: _takenAt, ...rest } = snapshot;
  return { ...rest, realms: [...rest.realms].sort((a, b) => `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`)) };
}

function touched(changes: EngineChanges | undefined): { keys: string[]; aliases: string[] } {
  const keys: string[] = [];
  const aliases: string[] = [];
  for (const r of changes?.realms ?? []) {
    keys.push(...r.keys.map((k) => k.id), ...r.removedKeys);
    aliases.push(...r.aliases.map((a) => a.name), ...r.removedAliases);
  }
  return { keys, aliases };
}

class Harness {
  readonly live: Kms<ManualClock>;
  readonly replica: Kms<ManualClock>;
  readonly succeeded = new Set<string>();
  readonly records: EngineChanges[] = [];

  constructor(seed: string) {
    this.live = createKms({ clock: new ManualClock(START), seed });
    this.replica = createKms({ clock: new ManualClock(START), seed });
    // Construction state (the marker secret) travels in the first record.
    this.#sync();
  }

  #sync(): EngineChanges | undefined {
    const changes = this.live.engine.takeChanges();
    if (changes) {
      this.records.push(changes);
      this.replica.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
    }
    expect(this.live.engine.takeChanges()).toBeUndefined();
    expect(comparable(this.replica.snapshot())).toEqual(comparable(this.live.snapshot()));
    return changes;
  }

  async call(op: string, input: Record<string, unknown>, meta: AwsCallMeta = {}): Promise<Record<string, any> | undefined> {
    const aliasesBefore = new Set(this.live.snapshot().realms.flatMap((r) => r.aliases.map((a) => `${r.account}/${r.region}/${a.name}`)));
    const outcome = await this.live.aws.invoke(op, input, meta);
    const changes = this.#sync();
    expect(changes, `${op}: its audit event`).toBeDefined();
    const { keys, aliases } = touched(changes);
    // A read-only call naming a predefined alias whose key does not exist yet makes the AWS managed key and its alias.
    const predefined = typeof input.KeyId === 'string' && input.KeyId.startsWith('alias/aws/') ? input.KeyId : undefined;
    const makesManagedKey = outcome.ok && predefined !== undefined && !aliasesBefore.has(`111122223333/${meta.region ?? 'us-east-1'}/${predefined}`);
    // GetParametersForImport is read-only in CloudTrail, yet it stores a wrapping key pair on the key.
    if ((HANDLERS[op]?.readOnly ?? true) && op !== 'GetParametersForImport') {
      expect({ op, keys, aliases }).toEqual(makesManagedKey ? { op, keys: [expect.any(String)], aliases: [predefined] } : { op, keys: [], aliases: [] });
    } else if (outcome.ok) {
      if (typeof input.AliasName === 'string') expect(aliases, op).toContain(input.AliasName);
      // A custom key store operation changes its store (the record's keyStores or removedKeyStores).
      else if (op.endsWith('CustomKeyStore')) expect((changes?.keyStores?.length ?? 0) + (changes?.removedKeyStores?.length ?? 0), op).toBeGreaterThan(0);
      else if (op !== 'CreateKey') expect(keys.length, op).toBeGreaterThan(0);
    }
    if (outcome.ok) {
      this.succeeded.add(op);
      if (op === 'CreateKey') expect(keys).toEqual([(outcome.output as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId]);
      return outcome.output;
    }
    return undefined;
  }

  async must(op: string, input: Record<string, unknown>, meta: AwsCallMeta = {}): Promise<Record<string, any>> {
    const out = await this.call(op, input, meta);
    if (!out) {
      const outcome = await this.live.aws.invoke(op, input, meta);
      throw new Error(`${op} failed: ${outcome.ok ? '' : `${outcome.error.code} ${outcome.error.message}`}`);
    }
    return out;
  }

  advance(by: string): EngineChanges | undefined {
    // Only the live engine's clock moves: the replica learns of due work from the records alone.
    this.live.clock.advance(by);
    return this.#sync();
  }
}

describe('change tracking covers every operation', () => {
  it('a replica fed only change records equals the live engine after every AWS call', async () => {
    const h = new Harness('tracking');
    const west: AwsCallMeta = { region: 'us-west-2' };
    const key = async (input: Record<string, unknown> = {}, meta: AwsCallMeta = {}) => (await h.must('CreateKey', input, meta)).KeyMetadata.KeyId as string;

    const a = await key({ Description: 'a', Tags: [{ TagKey: 't', TagValue: '1' }] });
    const b = await key();
    const w = await key({}, west);
    const imported = await key({ Origin: 'EXTERNAL' });
    await h.must('DescribeKey', { KeyId: a });
    await h.must('ListKeys', { Limit: 1 });
    await h.must('UpdateKeyDescription', { KeyId: a, Description: 'changed' });
    await h.must('CreateAlias', { AliasName: 'alias/a', TargetKeyId: a });
    await h.must('CreateAlias', { AliasName: 'alias/w', TargetKeyId: w }, west);
    await h.must('UpdateAlias', { AliasName: 'alias/a', TargetKeyId: b });
    await h.must('ListAliases', {});
    await h.must('TagResource', { KeyId: b, Tags: [{ TagKey: 'team', TagValue: 'x' }] });
    await h.must('UntagResource', { KeyId: a, TagKeys: ['t'] });
    await h.must('ListResourceTags', { KeyId: b });
    const policy = (await h.must('GetKeyPolicy', { KeyId: a, PolicyName: 'default' })).Policy as string;
    await h.must('PutKeyPolicy', { KeyId: a, PolicyName: 'default', Policy: policy.replace('Enable IAM User Permissions', 'Changed') });
    await h.must('ListKeyPolicies', { KeyId: a });
    const enc = await h.must('Encrypt', { KeyId: a, Plaintext: b64('secret'), EncryptionContext: { k: 'v' } });
    await h.must('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { k: 'v' } });
    await h.must('ReEncrypt', { CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b });
    await h.must('GenerateDataKey', { KeyId: a, KeySpec: 'AES_256' });
    await h.must('GenerateDataKeyWithoutPlaintext', { KeyId: a, NumberOfBytes: 16 });
    await h.must('GenerateRandom', { NumberOfBytes: 32 });
    // Uses travel in the record beside the audit events, without the key's entry (GenerateDataKeyWithoutPlaintext's record).
    expect((await h.must('GetKeyLastUsage', { KeyId: b })).KeyLastUsage.Operation).toBe('ReEncrypt');
    expect(h.records.at(-3)!.realms.flatMap((r) => r.lastUses ?? []).map((u) => u.keyId)).toEqual([a]);
    await h.must('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
    await h.must('GetKeyRotationStatus', { KeyId: a });
    await h.must('RotateKeyOnDemand', { KeyId: b });
    await h.must('ListKeyRotations', { KeyId: b });
    await h.must('DisableKey', { KeyId: b });
    await h.must('EnableKey', { KeyId: b });
    await h.must('EnableKeyRotation', { KeyId: w }, west);
    await h.must('DisableKeyRotation', { KeyId: w }, west);
    await h.must('ScheduleKeyDeletion', { KeyId: w, PendingWindowInDays: 7 }, west);
    await h.must('CancelKeyDeletion', { KeyId: w }, west);
    const params = await h.must('GetParametersForImport', { KeyId: imported, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const wrapping = createPublicKey({ key: Buffer.from(params.PublicKey, 'base64'), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(32, 7)).toString('base64');
    await h.must('ImportKeyMaterial', { KeyId: imported, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: Date.parse(START) / 1000 + 86_400 });
    await h.must('DeleteImportedKeyMaterial', { KeyId: imported });
    const firstMaterial = await h.must('ImportKeyMaterial', { KeyId: imported, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    // A second material pending rotation, the rotation onto it, the first deleted by id and imported again.
    const next = publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(32, 8)).toString('base64');
    await h.must('ImportKeyMaterial', { KeyId: imported, ImportToken: params.ImportToken, EncryptedKeyMaterial: next, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'next', ValidTo: Date.parse(START) / 1000 + 86_400 });
    await h.must('RotateKeyOnDemand', { KeyId: imported });
    await h.must('DeleteImportedKeyMaterial', { KeyId: imported, KeyMaterialId: firstMaterial.KeyMaterialId });
    await h.must('ImportKeyMaterial', { KeyId: imported, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: firstMaterial.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    await h.must('ListKeyRotations', { KeyId: imported, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    await h.must('ScheduleKeyDeletion', { KeyId: imported, PendingWindowInDays: 7 });
    await h.must('ScheduleKeyDeletion', { KeyId: w, PendingWindowInDays: 7 }, west);

    // Asymmetric keys, HMAC and ML-KEM.
    const signing = await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await h.must('GetPublicKey', { KeyId: signing });
    const signed = await h.must('Sign', { KeyId: signing, Message: b64('m'), SigningAlgorithm: 'ECDSA_SHA_256' });
    await h.must('Verify', { KeyId: signing, Message: b64('m'), Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' });
    const agreement = await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = (await h.must('GetPublicKey', { KeyId: await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }) })).PublicKey;
    await h.must('DeriveSharedSecret', { KeyId: agreement, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer });
    const mac = await key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const made = await h.must('GenerateMac', { KeyId: mac, MacAlgorithm: 'HMAC_SHA_256', Message: b64('m') });
    await h.must('VerifyMac', { KeyId: mac, MacAlgorithm: 'HMAC_SHA_256', Message: b64('m'), Mac: made.Mac });
    const kem = await key({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    const capsule = await h.must('Encapsulate', { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM' });
    await h.must('Decapsulate', { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: capsule.SharedSecretCiphertextBlob });
    const pairKey = await key({ KeySpec: 'SYMMETRIC_DEFAULT' });
    await h.must('GenerateDataKeyPair', { KeyId: pairKey, KeyPairSpec: 'ECC_NIST_P256' });
    await h.must('GenerateDataKeyPairWithoutPlaintext', { KeyId: pairKey, KeyPairSpec: 'RSA_2048' });

    // Grants: a grant and its token, retired; another revoked.
    const grantee = 'arn:aws:iam::111122223333:role/app';
    const grant = await h.must('CreateGrant', { KeyId: a, GranteePrincipal: grantee, RetiringPrincipal: grantee, Operations: ['Encrypt', 'Decrypt'], Name: 'g1' });
    await h.must('Encrypt', { KeyId: a, Plaintext: b64('g'), GrantTokens: [grant.GrantToken] });
    await h.must('ListGrants', { KeyId: a });
    await h.must('ListRetirableGrants', { RetiringPrincipal: grantee });
    await h.must('RetireGrant', { GrantToken: grant.GrantToken });
    const other = await h.must('CreateGrant', { KeyId: b, GranteePrincipal: grantee, Operations: ['GenerateDataKey'] });
    await h.must('RevokeGrant', { KeyId: b, GrantId: other.GrantId });

    // AWS managed keys: made on first use of their predefined alias; managing them is refused.
    const managed = (await h.must('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata.KeyId as string;
    await h.must('Encrypt', { KeyId: 'alias/aws/ebs', Plaintext: b64('volume') });
    await h.must('GenerateDataKey', { KeyId: 'alias/aws/rds', NumberOfBytes: 32 }, west);
    await h.call('DisableKey', { KeyId: managed });
    await h.call('Encrypt', { KeyId: 'alias/aws/sqs', Plaintext: b64('x'), DryRun: true });
    // Multi-Region keys: a primary, its replica in another realm, the primary Region handed over.
    const mrk = await key({ MultiRegion: true });
    await h.must('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'eu-west-1', Description: 'replica' });
    h.advance('5s');
    await h.must('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'eu-west-1' });
    await h.call('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'ap-south-1' }); // no longer the primary

    // Custom key stores: a CloudHSM key store connected on the clock, a key in it, disconnected,
    // renamed, reconnected; another created and deleted.
    const anchor = readFileSync(new URL('../support/trust-anchors.ts', import.meta.url), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)![0];
    const hsm = { TrustAnchorCertificate: anchor, KeyStorePassword: 'kmsuser-password' };
    const store = (await h.must('CreateCustomKeyStore', { CustomKeyStoreName: 'hsm', CloudHsmClusterId: 'cluster-durabilityaa', ...hsm })).CustomKeyStoreId;
    await h.must('ConnectCustomKeyStore', { CustomKeyStoreId: store });
    h.advance('5s');
    const inStore = (await h.must('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: store })).KeyMetadata.KeyId;
    await h.must('Encrypt', { KeyId: inStore, Plaintext: b64('in the cluster') });
    await h.must('DescribeCustomKeyStores', { CustomKeyStoreId: store });
    await h.must('DisconnectCustomKeyStore', { CustomKeyStoreId: store });
    h.advance('1s');
    await h.call('Encrypt', { KeyId: inStore, Plaintext: b64('x') }); // Unavailable
    await h.must('UpdateCustomKeyStore', { CustomKeyStoreId: store, NewCustomKeyStoreName: 'hsm-renamed', KeyStorePassword: 'another-password' });
    await h.must('ConnectCustomKeyStore', { CustomKeyStoreId: store });
    h.advance('5s');
    const spare = (await h.must('CreateCustomKeyStore', { CustomKeyStoreName: 'spare', CloudHsmClusterId: 'cluster-durabilitybb', ...hsm })).CustomKeyStoreId;
    await h.call('DeleteCustomKeyStore', { CustomKeyStoreId: store }); // holds a key
    await h.must('DeleteCustomKeyStore', { CustomKeyStoreId: spare });

    // Failures: refused calls change nothing the replica does not also have.
    await h.call('DisableKey', { KeyId: w }, west); // pending deletion
    await h.call('CreateAlias', { AliasName: 'alias/a', TargetKeyId: a }); // exists
    await h.call('RotateKeyOnDemand', { KeyId: imported }); // unsupported origin
    await h.call('PutKeyPolicy', { KeyId: a, PolicyName: 'other', Policy: policy });
    await h.call('DescribeKey', { KeyId: '00000000-0000-4000-8000-000000000000' });
    await h.call('NoSuchOperation', {});
    await h.call('DeleteAlias', { AliasName: 'alias/none' });

    // Due work: the deletions (with the alias of the deleted key) and an automatic rotation.
    const deleted = touched(h.advance('8d'));
    expect(deleted.keys).toEqual(expect.arrayContaining([w, imported]));
    expect(deleted.aliases).toEqual(['alias/w']);
    const rotated = touched(h.advance('91d'));
    expect(rotated.keys).toEqual([a]);
    await h.must('DeleteAlias', { AliasName: 'alias/a' });

    const missing = Object.keys(HANDLERS).filter((op) => !h.succeeded.has(op));
    expect(missing, 'every implemented operation ran successfully at least once').toEqual([]);
  });

  it('random sequences of calls keep the replica equal', async () => {
    const h = new Harness('random');
    let state = 0x2545f491;
    const rand = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const keys: string[] = [];
    const pick = () => keys[rand(keys.length)] ?? 'alias/none';
    const ciphertexts: string[] = [];
    const steps: Array<() => Promise<unknown>> = [
      async () => {
        const out = await h.call('CreateKey', { Description: `k${keys.length}` }, rand(3) === 0 ? { region: 'eu-west-1' } : {});
        if (out) keys.push(out.KeyMetadata.KeyId);
      },
      () => h.call('DisableKey', { KeyId: pick() }),
      () => h.call('EnableKey', { KeyId: pick() }),
      () => h.call('ScheduleKeyDeletion', { KeyId: pick(), PendingWindowInDays: 7 + rand(3) }),
      () => h.call('CancelKeyDeletion', { KeyId: pick() }),
      () => h.call('CreateAlias', { AliasName: `alias/n${rand(5)}`, TargetKeyId: pick() }),
      () => h.call('UpdateAlias', { AliasName: `alias/n${rand(5)}`, TargetKeyId: pick() }),
      () => h.call('DeleteAlias', { AliasName: `alias/n${rand(5)}` }),
      () => h.call('TagResource', { KeyId: pick(), Tags: [{ TagKey: `t${rand(3)}`, TagValue: `${rand(9)}` }] }),
      () => h.call('UntagResource', { KeyId: pick(), TagKeys: [`t${rand(3)}`] }),
      () => h.call('EnableKeyRotation', { KeyId: pick(), RotationPeriodInDays: 90 + rand(10) }),
      () => h.call('DisableKeyRotation', { KeyId: pick() }),
      () => h.call('RotateKeyOnDemand', { KeyId: pick() }),
      () => h.call('UpdateKeyDescription', { KeyId: pick(), Description: `d${rand(9)}` }),
      async () => {
        const out = await h.call('Encrypt', { KeyId: pick(), Plaintext: b64('x') });
        if (out) ciphertexts.push(out.CiphertextBlob);
      },
      () => h.call('Decrypt', { CiphertextBlob: ciphertexts[rand(ciphertexts.length)] ?? b64('junk') }),
      () => h.call('DescribeKey', { KeyId: pick() }),
      async () => h.advance(['1h', '1d', '5d', '30d'][rand(4)]!),
    ];
    for (let i = 0; i < 400; i++) await steps[rand(steps.length)]!();
    expect(h.records.length).toBeGreaterThan(300);
  });

  it('restore() makes the next record a full reset, which a replica applies', async () => {
    const h = new Harness('reset');
    await h.must('CreateKey', {});
    const other = createKms({ clock: new ManualClock(START), seed: 'reset' });
    await other.aws.send('CreateKey', { Description: 'from elsewhere' });
    await other.aws.send('CreateAlias', { AliasName: 'alias/x', TargetKeyId: (await other.aws.send('ListKeys', {})).Keys[0].KeyId });
    h.live.restore(other.snapshot());
    const changes = h.live.engine.takeChanges()!;
    expect(changes.reset).toBe(true);
    h.replica.engine.applyChanges(changes);
    expect(comparable(h.replica.snapshot())).toEqual(comparable(h.live.snapshot()));
  });

  it('applyChanges refuses a malformed record with a Validation error', () => {
    const kms = createKms();
    expect(() => kms.engine.applyChanges({ format: 'nope' })).toThrow(/Invalid change record/);
    const record = kms.engine.takeChanges()!;
    const alias = { name: 'alias/x', keyId: 'missing', createdAt: 0, updatedAt: 0, seq: 1 };
    const bad = { ...record, seq: 1, realms: [{ account: '1', region: 'r', keys: [], removedKeys: [], aliases: [alias], removedAliases: [] }] };
    expect(() => kms.engine.applyChanges(bad)).toThrow(/alias alias\/x names key missing/);
  });
});
