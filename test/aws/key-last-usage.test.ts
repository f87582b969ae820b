import {
  CreateAliasCommand,
  CreateGrantCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyLastUsageCommand,
  KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { ACCOUNT, createKey, refused, T0 } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

const GRANTEE = '444455556666';
const usage = (client: KMSClient, KeyId: string) => client.send(new GetKeyLastUsageCommand({ KeyId }));
const eventOf = (kms: ReturnType<typeof setup>['kms'], name: string) => kms.aws.cloudTrail((r) => r.eventName === name && r.errorCode === undefined).at(-1)!;

describe('GetKeyLastUsage', () => {
  it('a new key has no last use; tracking starts at its creation', async () => {
    const { kms, client } = setup();
    kms.clock.advance('1h');
    const key = await createKey(client);
    const out = await usage(client, key.KeyId!);
    expect(out.KeyId).toBe(key.KeyId);
    expect(out.KeyLastUsage).toBeUndefined();
    expect(out.KeyCreationDate).toEqual(key.CreationDate);
    expect(out.TrackingStartDate).toEqual(key.CreationDate);
    expect(out.TrackingStartDate!.getTime()).toBe(T0 + 3_600_000);
  });

  it('names the last successful cryptographic operation, its time, CloudTrail event id and request id', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    kms.clock.advance('2d');
    const sealed = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    const encrypted = eventOf(kms, 'Encrypt');
    let out = await usage(client, key.Arn!);
    expect(out.KeyLastUsage).toEqual({
      Operation: 'Encrypt',
      Timestamp: new Date(T0 + 2 * 86_400_000),
      CloudTrailEventId: encrypted.eventID,
      KmsRequestId: encrypted.requestID,
    });
    // GetKeyLastUsage itself and other reads are not uses.
    expect((await usage(client, key.KeyId!)).KeyLastUsage!.CloudTrailEventId).toBe(encrypted.eventID);

    kms.clock.advance('1h');
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(opened.$metadata.requestId).toBe(eventOf(kms, 'Decrypt').requestID);
    out = await usage(client, key.KeyId!);
    expect(out.KeyLastUsage!.Operation).toBe('Decrypt');
    expect(out.KeyLastUsage!.KmsRequestId).toBe(opened.$metadata.requestId);
    expect(out.KeyLastUsage!.Timestamp!.getTime()).toBe(T0 + 2 * 86_400_000 + 3_600_000);

    await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    expect((await usage(client, key.KeyId!)).KeyLastUsage!.Operation).toBe('GenerateDataKey');
  });

  it('ReEncrypt records the use on both keys, with its one event', async () => {
    const { kms, client } = setup();
    const from = await createKey(client);
    const to = await createKey(client);
    const sealed = await client.send(new EncryptCommand({ KeyId: from.KeyId, Plaintext: text('x') }));
    kms.clock.advance('5m');
    await client.send(new ReEncryptCommand({ CiphertextBlob: sealed.CiphertextBlob, DestinationKeyId: to.KeyId }));
    const event = eventOf(kms, 'ReEncrypt');
    for (const key of [from, to]) {
      const out = await usage(client, key.KeyId!);
      expect(out.KeyLastUsage).toMatchObject({ Operation: 'ReEncrypt', CloudTrailEventId: event.eventID, KmsRequestId: event.requestID });
    }
  });

  it('a failed or dry-run call is not a use; a failed Verify leaves the Sign before it', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await client.send(new SignCommand({ KeyId: key.KeyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    const signed = eventOf(kms, 'Sign');
    await refused(kms, () => client.send(new VerifyCommand({ KeyId: key.KeyId, Message: text('m'), Signature: new Uint8Array(72), SigningAlgorithm: 'ECDSA_SHA_256' })));
    await refused(kms, () => client.send(new SignCommand({ KeyId: key.KeyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })));
    await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('m') })));
    expect((await usage(client, key.KeyId!)).KeyLastUsage).toMatchObject({ Operation: 'Sign', CloudTrailEventId: signed.eventID });
  });

  it('refuses alias names and alias ARNs, and changes nothing', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key.KeyId }));
    for (const KeyId of ['alias/app', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`]) {
      const e = await refused(kms, () => usage(client, KeyId));
      expect([e.name, e.message]).toEqual(['NotFoundException', `Invalid keyId '${KeyId}'`]);
    }
    const missing = await refused(kms, () => usage(client, '00000000-0000-4000-8000-000000000000'));
    expect(missing.name).toBe('NotFoundException');
    const invalidArn = await refused(kms, () => usage(client, 'arn:aws:kms:us-east-1'));
    expect(invalidArn.name).toBe('InvalidArnException');
    const empty = await refused(kms, () => usage(client, ''));
    expect(empty.name).toBe('ValidationException');
  });

  it('answers for a key pending deletion', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect((await usage(client, key.KeyId!)).KeyLastUsage!.Operation).toBe('Encrypt');
  });

  it('does not work across accounts, even for a grantee that uses the key', async () => {
    const { kms, client } = setup({ seed: 'last-usage-grants' });
    const grantee = new KMSClient({ ...kms.aws.clientConfig({ account: GRANTEE }) });
    const key = await createKey(client);
    const before = await refused(kms, () => usage(grantee, key.Arn!));
    expect(before.name).toBe('NotFoundException');
    await client.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: GRANTEE, Operations: ['Encrypt', 'DescribeKey'] }));
    await grantee.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: text('x') }));
    const e = await refused(kms, () => usage(grantee, key.Arn!));
    expect(e.name).toBe('AccessDeniedException');
    // The grantee's Encrypt is the owner's key's last use.
    expect((await usage(client, key.KeyId!)).KeyLastUsage!.CloudTrailEventId).toBe(eventOf(kms, 'Encrypt').eventID);
  });

  it('the last use survives a snapshot and a restore, and change records', async () => {
    const { kms, client } = setup({ seed: 'last-usage-snapshot' });
    const key = await createKey(client);
    await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    const before = await usage(client, key.KeyId!);

    const copy = createKms({ clock: new ManualClock(kms.clock.now() + 86_400_000) });
    copy.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    const copyClient = new KMSClient({ ...copy.aws.clientConfig() });
    const after = await usage(copyClient, key.KeyId!);
    expect(after.KeyLastUsage).toEqual(before.KeyLastUsage);
    expect(after.TrackingStartDate).toEqual(before.TrackingStartDate);

    // Change records: a use carries only the key's last use, not its entry.
    const replica = createKms({ clock: new ManualClock(kms.clock.now()) });
    replica.engine.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    kms.engine.discardChanges();
    kms.clock.advance('1m');
    await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    const record = kms.engine.takeChanges()!;
    expect(record.realms[0]!.keys).toEqual([]);
    expect(record.realms[0]!.lastUses).toEqual([expect.objectContaining({ keyId: key.KeyId, action: 'GenerateDataKey' })]);
    replica.engine.applyChanges(JSON.parse(JSON.stringify(record)));
    const replicaClient = new KMSClient({ ...replica.aws.clientConfig() });
    expect((await usage(replicaClient, key.KeyId!)).KeyLastUsage).toEqual((await usage(client, key.KeyId!)).KeyLastUsage);
  });

  it('a key from a document written before uses were recorded is tracked from its restore', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    const doc = JSON.parse(JSON.stringify(kms.snapshot()));
    for (const r of doc.realms) for (const k of r.keys) delete k.lastUse;
    const later = kms.clock.now() + 10 * 86_400_000;
    const copy = createKms({ clock: new ManualClock(later) });
    copy.restore(doc);
    const out = await usage(new KMSClient({ ...copy.aws.clientConfig() }), key.KeyId!);
    expect(out.KeyLastUsage).toBeUndefined();
    expect(out.TrackingStartDate!.getTime()).toBe(later);
    expect(out.KeyCreationDate).toEqual(key.CreationDate);
    // and it stays so in the next snapshot
    expect(JSON.parse(JSON.stringify(copy.snapshot())).realms[0].keys[0].usageTrackedFrom).toBe(later);
  });

  it('rejects a malformed last use in a snapshot or a change record', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    const doc = JSON.parse(JSON.stringify(kms.snapshot()));
    doc.realms[0].keys[0].lastUse = { action: '', time: 'x', eventId: 1 };
    expect(() => createKms().restore(doc)).toThrow(/Invalid snapshot/);
    const record = { format: 'kms-emulator/changes', version: 1, seq: 1, random: {}, audit: [], realms: [{ account: ACCOUNT, region: 'us-east-1', keys: [], removedKeys: [], aliases: [], removedAliases: [], lastUses: [{ keyId: key.KeyId, action: 'Encrypt', time: 0, eventId: 'e' }] }] };
    expect(() => createKms().engine.applyChanges(record)).toThrow(/Invalid change record: the last use of key/);
  });
});
