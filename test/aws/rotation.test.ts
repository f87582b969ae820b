import {
  CancelKeyDeletionCommand,
  DecryptCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  KMSClient,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKey, currentMaterial, DAY, T0 } from '../support/aws.js';
import { rejection, setup, str, text } from '../support/kms.js';

const at = (ms: number) => new Date(ms);

async function rotations(client: KMSClient, keyId: string, include?: 'ROTATIONS_ONLY' | 'ALL_KEY_MATERIAL'): Promise<RotationsListEntry[]> {
  const out: RotationsListEntry[] = [];
  let Marker: string | undefined;
  do {
    const page = await client.send(new ListKeyRotationsCommand({ KeyId: keyId, ...(include ? { IncludeKeyMaterial: include } : {}), ...(Marker ? { Marker } : {}) }));
    out.push(...page.Rotations!);
    Marker = page.NextMarker;
  } while (Marker);
  return out;
}

describe('EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus', () => {
  it('a new key has rotation off; enabling defaults to 365 days from now', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const off = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(off.KeyRotationEnabled).toBe(false);
    expect(off.KeyId).toBe(key.Arn);
    expect(off.NextRotationDate).toBeUndefined();

    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    const on = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }));
    expect(on.KeyRotationEnabled).toBe(true);
    expect(on.RotationPeriodInDays).toBe(365);
    expect(on.NextRotationDate).toEqual(at(T0 + 365 * DAY));
    expect(on.OnDemandRotationStartDate).toBeUndefined();
  });

  it('accepts rotation periods 90 and 2560 and refuses 89 and 2561 in AWS words', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const days of [90, 2560, 1000]) {
      await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days }));
      const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(status.RotationPeriodInDays).toBe(days);
      expect(status.NextRotationDate).toEqual(at(T0 + days * DAY));
    }
    const low = await rejection(() => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })));
    expect(low.name).toBe('ValidationException');
    expect(low.message).toBe(
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    );
    const high = await rejection(() => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 2561 })));
    expect(high.name).toBe('ValidationException');
    expect(high.message).toBe(
      "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560",
    );
    // The refused calls changed nothing.
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays).toBe(1000);
  });

  it('disabling stops the schedule: no automatic rotation happens afterwards', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await client.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.KeyRotationEnabled).toBe(false);
    expect(status.NextRotationDate).toBeUndefined();
    kms.clock.advance('400d');
    expect(await currentMaterial(client, key.KeyId!)).toBe(key.CurrentKeyMaterialId);
    expect(await rotations(client, key.KeyId!)).toEqual([]);
  });

  it('rotation settings need an enabled key; GetKeyRotationStatus works on a disabled key', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    for (const call of [
      () => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })),
      () => client.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })),
      () => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })),
    ]) {
      const err = await rejection(call);
      expect(err.name).toBe('DisabledException');
      expect(err.message).toBe(`${key.Arn} is disabled.`);
    }
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.KeyRotationEnabled).toBe(true);
    expect(status.RotationPeriodInDays).toBe(180);
  });

  it('a key pending deletion reports rotation off, and cancelling the deletion brings the status back', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const pending = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(pending.KeyRotationEnabled).toBe(false);
    const err = await rejection(() => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    expect((await rejection(() => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('KMSInvalidStateException');

    await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    const back = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(back.KeyRotationEnabled).toBe(true);
    expect(back.RotationPeriodInDays).toBe(90);
  });

  it('automatic rotation settings on an EXTERNAL-origin key are UnsupportedOperationException', async () => {
    const { client } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    for (const call of [
      () => client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })),
      () => client.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })),
      () => client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })),
    ]) {
      const err = await rejection(call);
      expect(err.name).toBe('UnsupportedOperationException');
      expect(err.message).toBe(`${key.Arn} origin is EXTERNAL which is not valid for this operation.`);
    }
  });

  it('unknown keys are NotFoundException', async () => {
    const { client } = setup();
    const id = '12366f9b-1230-423d-923e-123e6ae60c02';
    for (const call of [
      () => client.send(new EnableKeyRotationCommand({ KeyId: id })),
      () => client.send(new DisableKeyRotationCommand({ KeyId: id })),
      () => client.send(new GetKeyRotationStatusCommand({ KeyId: id })),
      () => client.send(new RotateKeyOnDemandCommand({ KeyId: id })),
      () => client.send(new ListKeyRotationsCommand({ KeyId: id })),
    ]) {
      const err = await rejection(call);
      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`);
    }
  });
});

describe('RotateKeyOnDemand', () => {
  it('makes new key material current; old ciphertexts still decrypt, new ones use the new material', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const first = key.CurrentKeyMaterialId!;
    const before = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('before'), EncryptionContext: { n: '0' } }));
    const dkBefore = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    expect(dkBefore.KeyMaterialId).toBe(first);

    const out = await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect(out.KeyId).toBe(key.Arn);
    const second = await currentMaterial(client, key.KeyId!);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);

    const after = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('after') }));
    const decAfter = await client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }));
    expect(decAfter.KeyMaterialId).toBe(second);
    expect(str(decAfter.Plaintext)).toBe('after');
    expect((await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 8 }))).KeyMaterialId).toBe(second);

    const decBefore = await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob, EncryptionContext: { n: '0' } }));
    expect(str(decBefore.Plaintext)).toBe('before');
    expect(decBefore.KeyMaterialId).toBe(first);
    const dk = await client.send(new DecryptCommand({ CiphertextBlob: dkBefore.CiphertextBlob }));
    expect(Buffer.from(dk.Plaintext!).equals(Buffer.from(dkBefore.Plaintext!))).toBe(true);

    // ReEncrypt moves an old ciphertext onto the current material of the same key.
    const re = await client.send(
      new ReEncryptCommand({ CiphertextBlob: before.CiphertextBlob, SourceEncryptionContext: { n: '0' }, DestinationKeyId: key.KeyId, DestinationEncryptionContext: { n: '0' } }),
    );
    expect(re.SourceKeyMaterialId).toBe(first);
    expect(re.DestinationKeyMaterialId).toBe(second);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { n: '0' } }))).Plaintext)).toBe('before');

    // Still decryptable after many more rotations.
    for (let i = 0; i < 5; i++) {
      kms.clock.advance('1m');
      await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    }
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob, EncryptionContext: { n: '0' } }))).Plaintext)).toBe('before');
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext)).toBe('after');
  });

  it('a second rotation within a second is ConflictException; after the clock moves it succeeds', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.OnDemandRotationStartDate).toEqual(at(T0));
    const err = await rejection(() => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('ConflictException');
    kms.clock.advance(999);
    expect((await rejection(() => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('ConflictException');
    kms.clock.advance(1);
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect(await rotations(client, key.KeyId!)).toHaveLength(2);
    kms.clock.advance('1s');
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).OnDemandRotationStartDate).toBeUndefined();
  });

  it('allows 25 on-demand rotations per key, then LimitExceededException in AWS words', async () => {
    const { kms } = setup();
    // The AWS SDK takes LimitExceededException for throttling and retries it with back-off (three
    // attempts, about 300 ms): one attempt keeps reaching the limit cheap.
    const client = new KMSClient({ ...kms.aws.clientConfig(), maxAttempts: 1 });
    const key = await createKey(client);
    const other = await createKey(client);
    // A ciphertext under every fifth generation of material, and under the last.
    const ciphertexts = new Map<number, Uint8Array>();
    for (let i = 0; i < 25; i++) {
      if (i % 5 === 0 || i === 24) ciphertexts.set(i, (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text(`m${i}`) }))).CiphertextBlob!);
      await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      kms.clock.advance('2s');
    }
    const err = await rejection(() => client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('LimitExceededException');
    expect(kms.aws.cloudTrail().filter((r) => r.errorCode === 'LimitExceededException')).toHaveLength(1);
    expect(err.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`,
    );
    const all = await rotations(client, key.KeyId!, 'ALL_KEY_MATERIAL');
    expect(all).toHaveLength(26);
    expect(new Set(all.map((r) => r.KeyMaterialId)).size).toBe(26);
    // Old generations of material still decrypt.
    for (const [i, ciphertext] of ciphertexts) {
      expect(str((await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext)).toBe(`m${i}`);
    }
    // The limit is per key.
    await client.send(new RotateKeyOnDemandCommand({ KeyId: other.KeyId }));
    // Automatic rotation does not count against it and still happens.
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    kms.clock.advance('91d');
    expect(await rotations(client, key.KeyId!)).toHaveLength(26);
  });

  it('does not change the automatic rotation schedule', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 730 }));
    kms.clock.advance('100d');
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.NextRotationDate).toEqual(at(T0 + 730 * DAY));
  });
});

describe('ListKeyRotations', () => {
  it('ROTATIONS_ONLY lists rotations; ALL_KEY_MATERIAL adds the original material; CURRENT marks the newest', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    expect(await rotations(client, key.KeyId!)).toEqual([]);
    const original = key.CurrentKeyMaterialId!;
    kms.clock.advance('1h');
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const m1 = await currentMaterial(client, key.KeyId!);
    kms.clock.advance('1h');
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.Arn }));
    const m2 = await currentMaterial(client, key.KeyId!);

    const only = await rotations(client, key.KeyId!, 'ROTATIONS_ONLY');
    expect(only).toEqual([
      { KeyId: key.KeyId, KeyMaterialId: m1, KeyMaterialState: 'NON_CURRENT', RotationDate: at(T0 + 3_600_000), RotationType: 'ON_DEMAND' },
      { KeyId: key.KeyId, KeyMaterialId: m2, KeyMaterialState: 'CURRENT', RotationDate: at(T0 + 7_200_000), RotationType: 'ON_DEMAND' },
    ]);
    expect(await rotations(client, key.KeyId!)).toEqual(only);

    const all = await rotations(client, key.KeyId!, 'ALL_KEY_MATERIAL');
    expect(all.map((r) => r.KeyMaterialId)).toEqual([original, m1, m2]);
    expect(all[0]!.RotationDate).toBeUndefined();
    expect(all[0]!.KeyMaterialState).toBe('NON_CURRENT');
    expect(all.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'NON_CURRENT', 'CURRENT']);
  });

  it('pages with Limit and Marker, and refuses a forged marker', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    for (let i = 0; i < 5; i++) {
      await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      kms.clock.advance('1m');
    }
    const p1 = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2 }));
    expect(p1.Rotations).toHaveLength(2);
    expect(p1.Truncated).toBe(true);
    expect(p1.NextMarker).toBeTruthy();
    const p2 = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2, Marker: p1.NextMarker }));
    expect(p2.Rotations).toHaveLength(2);
    expect(p2.Truncated).toBe(true);
    const p3 = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2, Marker: p2.NextMarker }));
    expect(p3.Rotations).toHaveLength(1);
    expect(p3.Truncated).toBe(false);
    expect(p3.NextMarker).toBeUndefined();
    const paged = [...p1.Rotations!, ...p2.Rotations!, ...p3.Rotations!].map((r) => r.KeyMaterialId);
    const whole = (await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.map((r) => r.KeyMaterialId);
    expect(paged).toEqual(whole);
    expect(new Set(paged).size).toBe(5);
    // ALL_KEY_MATERIAL pages the same way, one more entry.
    const a1 = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 3, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    const a2 = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 3, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker: a1.NextMarker }));
    expect(a1.Rotations!.length + a2.Rotations!.length).toBe(6);
    expect(a2.Truncated).toBe(false);

    const bad = await rejection(() => client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Marker: 'garbage' })));
    expect(bad.name).toBe('InvalidMarkerException');
  });
});

describe('automatic rotation', () => {
  it('period 90 days and 200 days later: two rotations, at +90 and +180 days, and old ciphertexts still decrypt', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const m0 = key.CurrentKeyMaterialId!;
    const c0 = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('gen0'), EncryptionContext: { g: '0' } }));
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));

    kms.clock.advance('89d');
    expect(await rotations(client, key.KeyId!)).toEqual([]);
    const c0b = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('still gen0') }));

    kms.clock.advance('111d'); // day 200
    const list = await rotations(client, key.KeyId!);
    expect(list.map((r) => [r.RotationType, r.RotationDate])).toEqual([
      ['AUTOMATIC', at(T0 + 90 * DAY)],
      ['AUTOMATIC', at(T0 + 180 * DAY)],
    ]);
    const [m1, m2] = list.map((r) => r.KeyMaterialId!);
    expect(new Set([m0, m1, m2]).size).toBe(3);
    expect(await currentMaterial(client, key.KeyId!)).toBe(m2);
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.NextRotationDate).toEqual(at(T0 + 270 * DAY));

    // Old ciphertexts decrypt with their own material; new ones use the newest.
    const d0 = await client.send(new DecryptCommand({ CiphertextBlob: c0.CiphertextBlob, EncryptionContext: { g: '0' } }));
    expect(str(d0.Plaintext)).toBe('gen0');
    expect(d0.KeyMaterialId).toBe(m0);
    const d0b = await client.send(new DecryptCommand({ CiphertextBlob: c0b.CiphertextBlob }));
    expect(str(d0b.Plaintext)).toBe('still gen0');
    expect(d0b.KeyMaterialId).toBe(m0);
    const c2 = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('gen2') }));
    const d2 = await client.send(new DecryptCommand({ CiphertextBlob: c2.CiphertextBlob }));
    expect(d2.KeyMaterialId).toBe(m2);
    expect(str(d2.Plaintext)).toBe('gen2');

    // CloudTrail has one RotateKey service event per rotation, at the rotation time.
    const events = kms.aws.cloudTrail((r) => r.eventName === 'RotateKey');
    expect(events.map((e) => [e.eventTime, e.serviceEventDetails])).toEqual([
      [new Date(T0 + 90 * DAY).toISOString().replace('.000Z', 'Z'), { rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: m0, currentKeyMaterialId: m1 }],
      [new Date(T0 + 180 * DAY).toISOString().replace('.000Z', 'Z'), { rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: m1, currentKeyMaterialId: m2 }],
    ]);
  });

  it('rotates exactly at the due time, not a millisecond before', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    kms.clock.advance(90 * DAY - 1);
    expect(await currentMaterial(client, key.KeyId!)).toBe(key.CurrentKeyMaterialId);
    kms.clock.advance(1);
    expect(await currentMaterial(client, key.KeyId!)).not.toBe(key.CurrentKeyMaterialId);
  });

  it('changing the period of an enabled key reschedules from the last rotation', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 365 }));
    kms.clock.advance('100d');
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.RotationPeriodInDays).toBe(180);
    expect(status.NextRotationDate).toEqual(at(T0 + 180 * DAY));
    kms.clock.advance('81d');
    const list = await rotations(client, key.KeyId!);
    expect(list.map((r) => r.RotationDate)).toEqual([at(T0 + 180 * DAY)]);
  });

  it('a disabled key is not rotated; enabling it after its rotation came due rotates it at once', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const c = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('old') }));
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    kms.clock.advance('120d');
    expect(await rotations(client, key.KeyId!)).toEqual([]);
    expect(await currentMaterial(client, key.KeyId!)).toBe(key.CurrentKeyMaterialId);
    expect(kms.aws.cloudTrail((r) => r.eventName === 'RotateKey')).toEqual([]);

    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    const list = await rotations(client, key.KeyId!);
    expect(list).toHaveLength(1);
    expect(list[0]!.RotationType).toBe('AUTOMATIC');
    expect(list[0]!.RotationDate).toEqual(at(T0 + 120 * DAY));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.NextRotationDate).toEqual(at(T0 + 210 * DAY));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: c.CiphertextBlob }))).Plaintext)).toBe('old');

    // And the schedule continues from there.
    kms.clock.advance('90d');
    expect(await rotations(client, key.KeyId!)).toHaveLength(2);
  });

  it('re-enabling a key before its rotation is due keeps the prior schedule', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    kms.clock.advance('30d');
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(await rotations(client, key.KeyId!)).toEqual([]);
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate).toEqual(at(T0 + 90 * DAY));
    kms.clock.advance('60d');
    expect((await rotations(client, key.KeyId!)).map((r) => r.RotationDate)).toEqual([at(T0 + 90 * DAY)]);
  });

  it('a key pending deletion is not rotated', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    kms.clock.advance('85d');
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 }));
    kms.clock.advance('10d');
    expect(await rotations(client, key.KeyId!)).toEqual([]);
    expect(kms.aws.cloudTrail((r) => r.eventName === 'RotateKey')).toEqual([]);
  });
});
