import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  KMSClient,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCESS_DENIED, aliasNames, createKey, DAY, T0 } from '../support/aws.js';
import { rejection, setup, str, text } from '../support/kms.js';

async function keyIds(client: KMSClient): Promise<string[]> {
  return (await client.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId!);
}

describe('ScheduleKeyDeletion', () => {
  it('puts the key in PendingDeletion with a DeletionDate PendingWindowInDays from now', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(out.KeyId).toBe(key.Arn);
    expect(out.KeyState).toBe('PendingDeletion');
    expect(out.PendingWindowInDays).toBe(7);
    expect(out.DeletionDate).toEqual(new Date(T0 + 7 * DAY));
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata!.KeyState).toBe('PendingDeletion');
    expect(KeyMetadata!.Enabled).toBe(false);
    expect(KeyMetadata!.DeletionDate).toEqual(new Date(T0 + 7 * DAY));
    // AWS shows the window only for multi-Region primaries in PendingReplicaDeletion.
    expect(KeyMetadata!.PendingDeletionWindowInDays).toBeUndefined();
  });

  it('defaults to a 30-day window and refuses 6 and 31 days in AWS words', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const low = await rejection(() => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })));
    expect(low.name).toBe('ValidationException');
    expect(low.message).toBe(
      "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
    );
    const high = await rejection(() => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 31 })));
    expect(high.name).toBe('ValidationException');
    expect(high.message).toBe(
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
    );
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(out.PendingWindowInDays).toBe(30);
    expect(out.DeletionDate).toEqual(new Date(T0 + 30 * DAY));
  });

  it('cannot schedule a key twice', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await rejection(() => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.DeletionDate).toEqual(new Date(T0 + 7 * DAY));
  });
});

describe('deletion when the waiting period ends', () => {
  it("after advancing 31 days the key, its aliases and its ciphertexts' key are gone", async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const keep = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed-too', TargetKeyId: key.Arn }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: keep.KeyId }));
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('last words') }));
    const kept = await client.send(new EncryptCommand({ KeyId: keep.KeyId, Plaintext: text('survivor') }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));

    kms.clock.advance('31d');

    const described = await rejection(() => client.send(new DescribeKeyCommand({ KeyId: key.KeyId })));
    expect(described.name).toBe('NotFoundException');
    expect(described.message).toBe(`Key '${key.Arn}' does not exist`);
    expect((await rejection(() => client.send(new DescribeKeyCommand({ KeyId: key.Arn })))).message).toBe(`Key '${key.Arn}' does not exist`);

    expect(await keyIds(client)).toEqual([keep.KeyId]);
    expect(await aliasNames(client)).toEqual(['alias/kept']);
    const viaAlias = await rejection(() => client.send(new EncryptCommand({ KeyId: 'alias/doomed', Plaintext: text('x') })));
    expect(viaAlias.name).toBe('NotFoundException');
    expect(viaAlias.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/doomed is not found.');

    const dec = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    expect(dec.name).toBe('AccessDeniedException');
    expect(dec.message).toBe(ACCESS_DENIED);
    const cancel = await rejection(() => client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })));
    expect(cancel.name).toBe('NotFoundException');

    // Other keys are untouched; a deleted alias name can be reused.
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: kept.CiphertextBlob }))).Plaintext)).toBe('survivor');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: keep.KeyId }));
    expect((await client.send(new EncryptCommand({ KeyId: 'alias/doomed', Plaintext: text('x') }))).KeyId).toBe(keep.Arn);
  });

  it('happens exactly at DeletionDate, not a millisecond before', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    kms.clock.advance('5h');
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const deletionDate = out.DeletionDate!.getTime();
    expect(deletionDate).toBe(T0 + 5 * 3_600_000 + 7 * DAY);

    kms.clock.set(deletionDate - 1);
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).toBe('KMSInvalidStateException');

    kms.clock.advance(1);
    expect((await rejection(() => client.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('NotFoundException');
    const deleted = kms.aws.cloudTrail((r) => r.eventName === 'DeleteKey');
    expect(deleted).toHaveLength(1);
    expect(Date.parse(deleted[0]!.eventTime)).toBe(deletionDate);
    expect(deleted[0]!.resources).toEqual([{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn }]);
  });

  it('keys with different dates are deleted each at its own time, even in one big clock step', async () => {
    const { client, kms } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    const c = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: b.KeyId, PendingWindowInDays: 20 }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: a.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('10d');
    expect(await keyIds(client)).toEqual([b.KeyId, c.KeyId]);
    kms.clock.advance('100d');
    expect(await keyIds(client)).toEqual([c.KeyId]);
    const deleted = kms.aws.cloudTrail((r) => r.eventName === 'DeleteKey');
    expect(deleted.map((r) => [r.resources[0]!.ARN, r.eventTime])).toEqual([
      [a.Arn, '2026-01-08T00:00:00Z'],
      [b.Arn, '2026-01-21T00:00:00Z'],
    ]);
  });

  it('deletion in one region leaves another region alone', async () => {
    const { client, kms } = setup();
    const eu = new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1' }) });
    const usKey = await createKey(client);
    const euKey = await createKey(eu);
    await eu.send(new ScheduleKeyDeletionCommand({ KeyId: euKey.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('8d');
    expect(await keyIds(eu)).toEqual([]);
    expect(await keyIds(client)).toEqual([usKey.KeyId]);
    expect((await rejection(() => eu.send(new DescribeKeyCommand({ KeyId: euKey.KeyId })))).message).toBe(`Key '${euKey.Arn}' does not exist`);
  });
});

describe('CancelKeyDeletion', () => {
  it('before the date keeps the key, Disabled, past the original date; enabling makes it usable again', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/spared', TargetKeyId: key.KeyId }));
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('spared') }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('6d');
    const out = await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(out.KeyId).toBe(key.Arn);

    kms.clock.advance('31d');
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata!.KeyState).toBe('Disabled');
    expect(KeyMetadata!.Enabled).toBe(false);
    expect(KeyMetadata!.DeletionDate).toBeUndefined();
    expect(KeyMetadata!.PendingDeletionWindowInDays).toBeUndefined();
    expect(await aliasNames(client)).toEqual(['alias/spared']);
    expect(kms.aws.cloudTrail((r) => r.eventName === 'DeleteKey')).toEqual([]);

    const disabled = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    expect(disabled.name).toBe('DisabledException');
    expect(disabled.message).toBe(`${key.Arn} is disabled.`);
    // EnableKey takes a key id or ARN, not an alias.
    expect((await rejection(() => client.send(new EnableKeyCommand({ KeyId: 'alias/spared' })))).name).toBe('NotFoundException');
    await client.send(new EnableKeyCommand({ KeyId: key.Arn }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('spared');
  });

  it('a rescheduled deletion uses the new date, not the cancelled one', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('1d');
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    kms.clock.advance('1d');
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
    kms.clock.advance('6d'); // day 8: past the first date (day 7), before the second (day 12)
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
    kms.clock.advance('4d');
    expect((await rejection(() => client.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('NotFoundException');
    expect(kms.aws.cloudTrail((r) => r.eventName === 'DeleteKey').map((r) => r.eventTime)).toEqual(['2026-01-13T00:00:00Z']);
  });

  it('on a key that is not pending deletion is KMSInvalidStateException', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const err = await rejection(() => client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
  });
});
