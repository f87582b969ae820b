/**
 * `kms-emulator/vitest` as a user imports it: the package's own entry (the built dist/, through the
 * package's exports), its fixture and matchers, and the README's example.
 */
import { expect } from 'vitest';
import { createKms } from 'kms-emulator';
import { kmsTest } from 'kms-emulator/vitest';

kmsTest('a failed Decrypt is logged (the README example)', async ({ kms }) => {
  await kms.aws.send('Decrypt', { CiphertextBlob: btoa('not a ciphertext') }).catch(() => {});
  expect(kms).toHaveCloudTrailEvent({ eventName: 'Decrypt', errorCode: 'InvalidCiphertextException' });
});

kmsTest('the matchers read an emulator made by the package root, and fail with the closest records', async () => {
  const kms = createKms();
  await kms.tencent.call('CreateKey', { Alias: 'entry' });
  expect(kms).toHaveCloudAuditEventTimes(1, { EventName: 'CreateKey' });
  expect(() => expect(kms).toHaveCtsTrace({ trace_name: 'createKey' })).toThrow('Expected the emulator to have a CTS trace matching {"trace_name": "createKey"}\nIt has 0 matching CTS traces among 0');
});
