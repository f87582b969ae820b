/** The AWS KMS operation table: name → handler and CloudTrail's readOnly flag. Handlers live in ops-*.ts by capability. */
import type { OperationSpec } from './call.js';
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './ops-grants.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './ops-import.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './ops-aliases.js';
import { dataKeyPair, decapsulate, deriveSharedSecret, encapsulate, generateMac, getPublicKey, sign, verify, verifyMac } from './ops-asymmetric.js';
import { cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './ops-keys.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './ops-rotation.js';
import { dataKey, decrypt, encrypt, generateRandom, reEncrypt } from './ops-symmetric.js';
import { getKeyLastUsage } from './ops-usage.js';
import { connectCustomKeyStore, createCustomKeyStore, deleteCustomKeyStore, describeCustomKeyStores, disconnectCustomKeyStore, updateCustomKeyStore } from './ops-key-stores.js';
import { replicateKey, updatePrimaryRegion } from './ops-replicas.js';
import { getKeyPolicy, listKeyPolicies, listResourceTags, putKeyPolicy, tagResource, untagResource } from './ops-tags-policies.js';

/** The implemented operations: name → handler and CloudTrail's readOnly flag. */
export const HANDLERS: Record<string, OperationSpec> = {
  CreateKey: { handler: createKey, readOnly: false },
  DescribeKey: { handler: describeKey, readOnly: true },
  ListKeys: { handler: listKeys, readOnly: true },
  UpdateKeyDescription: { handler: updateKeyDescription, readOnly: false },
  EnableKey: { handler: enableKey, readOnly: false },
  DisableKey: { handler: disableKey, readOnly: false },
  ScheduleKeyDeletion: { handler: scheduleKeyDeletion, readOnly: false },
  CancelKeyDeletion: { handler: cancelKeyDeletion, readOnly: false },
  Encrypt: { handler: encrypt, readOnly: true },
  Decrypt: { handler: decrypt, readOnly: true },
  ReEncrypt: { handler: reEncrypt, readOnly: true },
  GenerateDataKey: { handler: dataKey(true), readOnly: true },
  GenerateDataKeyWithoutPlaintext: { handler: dataKey(false), readOnly: true },
  GenerateDataKeyPair: { handler: dataKeyPair(true), readOnly: true },
  GenerateDataKeyPairWithoutPlaintext: { handler: dataKeyPair(false), readOnly: true },
  GenerateRandom: { handler: generateRandom, readOnly: true },
  GetPublicKey: { handler: getPublicKey, readOnly: true },
  Sign: { handler: sign, readOnly: true },
  Verify: { handler: verify, readOnly: true },
  DeriveSharedSecret: { handler: deriveSharedSecret, readOnly: true },
  GenerateMac: { handler: generateMac, readOnly: true },
  VerifyMac: { handler: verifyMac, readOnly: true },
  Encapsulate: { handler: encapsulate, readOnly: true },
  Decapsulate: { handler: decapsulate, readOnly: true },
  CreateAlias: { handler: createAlias, readOnly: false },
  UpdateAlias: { handler: updateAlias, readOnly: false },
  DeleteAlias: { handler: deleteAlias, readOnly: false },
  ListAliases: { handler: listAliases, readOnly: true },
  TagResource: { handler: tagResource, readOnly: false },
  UntagResource: { handler: untagResource, readOnly: false },
  ListResourceTags: { handler: listResourceTags, readOnly: true },
  GetKeyPolicy: { handler: getKeyPolicy, readOnly: true },
  PutKeyPolicy: { handler: putKeyPolicy, readOnly: false },
  ListKeyPolicies: { handler: listKeyPolicies, readOnly: true },
  EnableKeyRotation: { handler: enableKeyRotation, readOnly: false },
  DisableKeyRotation: { handler: disableKeyRotation, readOnly: false },
  GetKeyRotationStatus: { handler: getKeyRotationStatus, readOnly: true },
  RotateKeyOnDemand: { handler: rotateKeyOnDemand, readOnly: false },
  ListKeyRotations: { handler: listKeyRotations, readOnly: true },
  GetKeyLastUsage: { handler: getKeyLastUsage, readOnly: true },
  CreateGrant: { handler: createGrant, readOnly: false },
  ListGrants: { handler: listGrants, readOnly: true },
  ListRetirableGrants: { handler: listRetirableGrants, readOnly: true },
  RetireGrant: { handler: retireGrant, readOnly: false },
  RevokeGrant: { handler: revokeGrant, readOnly: false },
  GetParametersForImport: { handler: getParametersForImport, readOnly: true },
  ImportKeyMaterial: { handler: importKeyMaterial, readOnly: false },
  DeleteImportedKeyMaterial: { handler: deleteImportedKeyMaterial, readOnly: false },
  ReplicateKey: { handler: replicateKey, readOnly: false },
  CreateCustomKeyStore: { handler: createCustomKeyStore, readOnly: false },
  ConnectCustomKeyStore: { handler: connectCustomKeyStore, readOnly: false },
  DisconnectCustomKeyStore: { handler: disconnectCustomKeyStore, readOnly: false },
  DescribeCustomKeyStores: { handler: describeCustomKeyStores, readOnly: true },
  UpdateCustomKeyStore: { handler: updateCustomKeyStore, readOnly: false },
  DeleteCustomKeyStore: { handler: deleteCustomKeyStore, readOnly: false },
  UpdatePrimaryRegion: { handler: updatePrimaryRegion, readOnly: false },
};

export { LIMITS, type Call, type Handler, type OperationSpec, type Trail } from './call.js';
