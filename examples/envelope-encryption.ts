/**
 * Envelope encryption with the real AWS SDK against the emulator, in process:
 * a data key from GenerateDataKey encrypts a document locally (AES-256-GCM via WebCrypto);
 * only the encrypted data key is kept; Decrypt recovers it later. Then the CloudTrail records.
 *
 *   npm run example
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { createKms, ManualClock } from '../src/index.js';

// The SDK warns about Node 20 support ending in 2027; the example runs on Node 20 by design.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const kms = createKms({ clock: new ManualClock('2026-01-01T09:00:00Z') });
const client = new KMSClient({ ...kms.aws.clientConfig() });

const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'documents' }));
await client.send(new CreateAliasCommand({ AliasName: 'alias/documents', TargetKeyId: KeyMetadata!.KeyId }));
console.log(`created ${KeyMetadata!.Arn} (alias/documents)`);

const context = { purpose: 'example', document: 'memo-1' };
const document = new TextEncoder().encode('The quarterly numbers are in.');

// Encrypt: a fresh data key, used once, locally; keep only its encrypted copy.
const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/documents', KeySpec: 'AES_256', EncryptionContext: context }));
const iv = crypto.getRandomValues(new Uint8Array(12));
const aesKey = await crypto.subtle.importKey('raw', new Uint8Array(dataKey.Plaintext!), 'AES-GCM', false, ['encrypt', 'decrypt']);
const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aesKey, document));
dataKey.Plaintext!.fill(0);
const stored = { encryptedDataKey: dataKey.CiphertextBlob!, iv, sealed };
console.log(`document sealed: ${sealed.length} bytes; encrypted data key: ${stored.encryptedDataKey.length} bytes`);

// Later: ask KMS to decrypt the data key (no KeyId needed), then open the document.
kms.clock.advance('2h');
const recovered = await client.send(new DecryptCommand({ CiphertextBlob: stored.encryptedDataKey, EncryptionContext: context }));
const key = await crypto.subtle.importKey('raw', new Uint8Array(recovered.Plaintext!), 'AES-GCM', false, ['decrypt']);
const opened = new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: stored.iv }, key, stored.sealed));
console.log(`document opened: "${opened}"`);

// A wrong encryption context is refused.
try {
  await client.send(new DecryptCommand({ CiphertextBlob: stored.encryptedDataKey, EncryptionContext: { purpose: 'other' } }));
} catch (e) {
  console.log(`decrypt with another context: ${(e as Error).name}`);
}

console.log('\nCloudTrail records:');
for (const record of kms.aws.cloudTrail()) {
  const { eventTime, eventName, readOnly, requestParameters, additionalEventData, errorCode } = record;
  console.log(JSON.stringify({ eventTime, eventName, readOnly, requestParameters, additionalEventData, errorCode }));
}
