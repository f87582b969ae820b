/**
 * Key-state cells whose Tencent codes are not those of the neutral table, each checked to change
 * nothing when refused (docs/tencent.md, "State rules").
 */
import { describe, expect, it } from 'vitest';
import { b64, done, emulator, failure } from './support.js';
import type { Kms, ManualClock } from '../../src/index.js';

const state = (kms: Kms) => JSON.stringify(kms.snapshot().realms);

async function refused(kms: Kms<ManualClock>, action: string, params: Record<string, unknown>) {
  const before = state(kms);
  const error = await failure(kms.tencent.call(action, params));
  expect(state(kms)).toBe(before);
  return error;
}

describe('Tencent state cells', () => {
  it('Encrypt and GenerateDataKey on a PendingImport key: CmkDisabled (the one state code they document), worded for PendingImport', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'byok', Type: 2 })).KeyId;
    for (const [action, params] of [
      ['Encrypt', { KeyId: id, Plaintext: b64('x') }],
      ['GenerateDataKey', { KeyId: id, NumberOfBytes: 16 }],
    ] as const) {
      const error = await refused(kms, action, params);
      expect(error.code).toBe('ResourceUnavailable.CmkDisabled');
      expect(error.message).toContain('PendingImport');
    }
    done(kms);
  });

  it('GenerateDataKey on an Archived key: the common ResourceUnavailable (it documents neither CmkArchived nor CmkStateNotSupport)', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'archived' })).KeyId;
    await kms.tencent.call('ArchiveKey', { KeyId: id });
    expect((await refused(kms, 'GenerateDataKey', { KeyId: id, NumberOfBytes: 16 })).code).toBe('ResourceUnavailable');
    done(kms);
  });

  it('DisableKeyRotation documents no state error: it turns rotation off on Disabled, Archived and PendingDelete keys; EnableKeyRotation still refuses them', async () => {
    const kms = emulator();
    const make = async (alias: string) => {
      const id = (await kms.tencent.call('CreateKey', { Alias: alias })).KeyId;
      await kms.tencent.call('EnableKeyRotation', { KeyId: id, RotateDays: 30 });
      return id;
    };
    const disabled = await make('disabled');
    await kms.tencent.call('DisableKey', { KeyId: disabled });
    const archived = await make('archived');
    await kms.tencent.call('ArchiveKey', { KeyId: archived });
    const pending = await make('pending');
    await kms.tencent.call('DisableKey', { KeyId: pending });
    await kms.tencent.call('ScheduleKeyDeletion', { KeyId: pending, PendingWindowInDays: 7 });
    for (const id of [disabled, archived, pending]) {
      expect((await refused(kms, 'EnableKeyRotation', { KeyId: id, RotateDays: 30 })).code).toBe('ResourceUnavailable.CmkStateNotSupport');
      await kms.tencent.call('DisableKeyRotation', { KeyId: id });
      expect((await kms.tencent.call('GetKeyRotationStatus', { KeyId: id })).KeyRotationEnabled).toBe(false);
    }
    // The key comes back from pending deletion with rotation off, and no rotation happens meanwhile.
    await kms.tencent.call('CancelKeyDeletion', { KeyId: pending });
    kms.clock.advance('40d');
    await kms.tencent.call('EnableKey', { KeyId: disabled });
    expect((await kms.tencent.call('DescribeKey', { KeyId: disabled })).KeyMetadata).toMatchObject({ KeyRotationEnabled: false, LastRotateTime: 0 });
    done(kms);
  });

  it('the AWS dialect keeps the neutral row: DisableKeyRotation on a disabled key is refused', async () => {
    const kms = emulator();
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    await kms.aws.send('DisableKey', { KeyId: KeyMetadata.KeyId });
    await expect(kms.aws.send('DisableKeyRotation', { KeyId: KeyMetadata.KeyId })).rejects.toMatchObject({ name: 'DisabledException' });
  });
});
