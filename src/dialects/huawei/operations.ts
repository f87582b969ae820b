/**
 * Huawei KMS operations by URL verb: name → handler (in ops-*.ts, by capability). A handler validates,
 * translates names and encodings, calls the engine, translates back. State rules that differ from the
 * engine's (enable of a non-disabled key, schedule of a key already pending deletion, rotation of RSA
 * or imported keys) are checked before the engine is called, so a refused call changes nothing.
 */
import type { JsonValue } from '../../engine/audit.js';
import { HuaweiError } from './errors.js';
import type { OperationSpec } from './call.js';
import { deriveSharedSecret } from './ops-agreement.js';
import { associateAlias, createAlias, deleteAlias, listAliases, updateKeyAlias } from './ops-aliases.js';
import { createKeyPolicy, deleteKeyPolicy, listKeyPolicy, showKeyPolicy, updateKeyPolicy } from './ops-key-policies.js';
import { createDatakeyCapsule, decryptDatakeyCapsule } from './ops-capsules.js';
import { createDatakeyPair, generateMac, getPublickey, sign, verify, verifyMac } from './ops-asymmetric.js';
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './ops-grants.js';
import { listSupportRegions, replicateKey, updatePrimaryRegion } from './ops-regions.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './ops-import.js';
import { createAccessPoint, deleteAccessPoint, disableAccessPoint, downloadAccessPointPrivateKey, enableAccessPoint, listAccessPoint } from './ops-access-points.js';
import { createPin } from './ops-pin.js';
import { createKeyStore, deleteKeyStore, disableKeyStore, enableKeyStore, listKeyStores, showKeyStore } from './ops-keystores.js';
import { cancelKeyDeletion, createKey, deleteKeyRiskTips, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './ops-keys.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, rotateOnDemand, updateKeyRotationInterval } from './ops-rotation.js';
import { showVersion, showVersions, userInstances, userQuotas } from './ops-service.js';
import { createDatakeyWith, decryptData, decryptDatakey, encryptData, encryptDatakey, genRandom, reEncrypt } from './ops-symmetric.js';
import { batchCreateKmsTags, createKmsTag, deleteTag, listKmsByTags, listKmsTags, showKmsTags } from './ops-tags.js';

export const HANDLERS: Readonly<Record<string, OperationSpec>> = {
  'create-key': { handler: createKey, readOnly: false },
  'describe-key': { handler: describeKey, readOnly: true },
  'list-keys': { handler: listKeys, readOnly: true },
  'enable-key': { handler: enableKey, readOnly: false },
  'disable-key': { handler: disableKey, readOnly: false },
  'schedule-key-deletion': { handler: scheduleKeyDeletion, readOnly: false },
  'cancel-key-deletion': { handler: cancelKeyDeletion, readOnly: false },
  'update-key-alias': { handler: updateKeyAlias, readOnly: false },
  'create-alias': { handler: createAlias, readOnly: false, status: 201 },
  'associate-alias': { handler: associateAlias, readOnly: false },
  'delete-alias': { handler: deleteAlias, readOnly: false },
  'list-aliases': { handler: listAliases, readOnly: true },
  'create-key-policy': { handler: createKeyPolicy, readOnly: false },
  'show-key-policy': { handler: showKeyPolicy, readOnly: true },
  'list-key-policy': { handler: listKeyPolicy, readOnly: true },
  'update-key-policy': { handler: updateKeyPolicy, readOnly: false },
  'delete-key-policy': { handler: deleteKeyPolicy, readOnly: false },
  'update-key-description': { handler: updateKeyDescription, readOnly: false },
  'create-datakey': { handler: createDatakeyWith(true), readOnly: false },
  'create-datakey-without-plaintext': { handler: createDatakeyWith(false), readOnly: false },
  'encrypt-datakey': { handler: encryptDatakey, readOnly: false },
  'decrypt-datakey': { handler: decryptDatakey, readOnly: false },
  'create-datakey-capsule': { handler: createDatakeyCapsule, readOnly: false },
  'decrypt-datakey-capsule': { handler: decryptDatakeyCapsule, readOnly: false },
  'encrypt-data': { handler: encryptData, readOnly: false },
  'decrypt-data': { handler: decryptData, readOnly: false },
  're-encrypt': { handler: reEncrypt, readOnly: false },
  'gen-random': { handler: genRandom, readOnly: false },
  'create-pin': { handler: createPin, readOnly: false },
  'create-grant': { handler: createGrant, readOnly: false },
  'list-grants': { handler: listGrants, readOnly: true },
  'list-retirable-grants': { handler: listRetirableGrants, readOnly: true },
  'retire-grant': { handler: retireGrant, readOnly: false },
  'revoke-grant': { handler: revokeGrant, readOnly: false },
  'get-key-rotation-status': { handler: getKeyRotationStatus, readOnly: true },
  'enable-key-rotation': { handler: enableKeyRotation, readOnly: false },
  'disable-key-rotation': { handler: disableKeyRotation, readOnly: false },
  'update-key-rotation-interval': { handler: updateKeyRotationInterval, readOnly: false },
  'rotate-on-demand': { handler: rotateOnDemand, readOnly: false },
  'get-parameters-for-import': { handler: getParametersForImport, readOnly: false },
  'import-key-material': { handler: importKeyMaterial, readOnly: false },
  'delete-imported-key-material': { handler: deleteImportedKeyMaterial, readOnly: false },
  sign: { handler: sign, readOnly: false },
  verify: { handler: verify, readOnly: true },
  'get-publickey': { handler: getPublickey, readOnly: true },
  'generate-mac': { handler: generateMac, readOnly: false },
  'verify-mac': { handler: verifyMac, readOnly: true },
  'create-rsa-datakey-pair': { handler: createDatakeyPair, readOnly: false },
  'create-ec-datakey-pair': { handler: createDatakeyPair, readOnly: false },
  'derive-shared-secret': { handler: deriveSharedSecret, readOnly: false },
  'list-support-regions': { handler: listSupportRegions, readOnly: true },
  'replicate-key': { handler: replicateKey, readOnly: false },
  'update-primary-region': { handler: updatePrimaryRegion, readOnly: false },
  'user-instances': { handler: userInstances, readOnly: true },
  'user-quotas': { handler: userQuotas, readOnly: true },
  'create-kms-tag': { handler: createKmsTag, readOnly: false },
  'delete-tag': { handler: deleteTag, readOnly: false },
  'batch-create-kms-tags': { handler: batchCreateKmsTags, readOnly: false },
  'show-kms-tags': { handler: showKmsTags, readOnly: true },
  'list-kms-tags': { handler: listKmsTags, readOnly: true },
  'list-kms-by-tags': { handler: listKmsByTags, readOnly: true },
  'show-versions': { handler: showVersions, readOnly: true },
  'show-version': { handler: showVersion, readOnly: true },
  'delete-key-risk-tips': { handler: deleteKeyRiskTips, readOnly: true },
  'create-key-store': { handler: createKeyStore, readOnly: false },
  'show-key-store': { handler: showKeyStore, readOnly: true },
  'list-key-stores': { handler: listKeyStores, readOnly: true },
  'enable-key-store': { handler: enableKeyStore, readOnly: false },
  'disable-key-store': { handler: disableKeyStore, readOnly: false },
  'delete-key-store': { handler: deleteKeyStore, readOnly: false },
  'create-access-point': { handler: createAccessPoint, readOnly: false, status: 201 },
  'list-access-point': { handler: listAccessPoint, readOnly: true },
  'enable-access-point': { handler: enableAccessPoint, readOnly: false },
  'disable-access-point': { handler: disableAccessPoint, readOnly: false },
  'delete-access-point': { handler: deleteAccessPoint, readOnly: false },
  'download-access-point-private-key': { handler: downloadAccessPointPrivateKey, readOnly: true },
};

export type { JsonValue, HuaweiError };

export { GRANT_OPERATIONS, LIMITS, RISK_TIPS_VERB, type Call, type Handler, type OperationSpec, type Trail } from './call.js';
