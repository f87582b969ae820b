/**
 * The Tencent KMS actions: name → handler. A handler (in ops-*.ts, by capability) checks what the
 * gateway's model cannot (value ranges, formats, the dialect's own state rules), calls the engine, and
 * renders Tencent's response. State rules that differ from the engine's table (ScheduleKeyDeletion of
 * an enabled key, RotateKey once a day, the import states) are checked before the engine call, so a
 * refused call changes nothing.
 */
import { creatorUin } from './metadata.js';
import type { ActionSpec, Handler } from './call.js';
import { updateAlias } from './ops-aliases.js';
import { asymmetricDecrypt, getPublicKey, signByAsymmetricKey, verifyByAsymmetricKey } from './ops-asymmetric.js';
import { cancelDataKeyDeletion, dataKeySwitch, describeDataKey, describeDataKeys, getDataKeyCiphertextBlob, getDataKeyPlaintext, importDataKey, listDataKeyDetail, listDataKeys, scheduleDataKeyDeletion, updateDataKeyDescription, updateDataKeyName } from './ops-data-keys.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './ops-import.js';
import { archiveKey, batch, bindCloudResource, cancelKeyArchive, cancelKeyDeletion, createKey, describeKey, describeKeys, disableKey, enableKey, listKeyDetail, listKeys, scheduleKeyDeletion, unbindCloudResource, updateKeyDescription } from './ops-keys.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, rotateKey } from './ops-rotation.js';
import { postQuantumDecrypt, postQuantumEncrypt, postQuantumSign, postQuantumVerify } from './ops-post-quantum.js';
import { getRegions, getServiceStatus, listAlgorithms } from './ops-service.js';
import { decrypt, encrypt, generateDataKey, generateRandom, reEncrypt } from './ops-symmetric.js';
import { createWhiteBoxKey, deleteWhiteBoxKey, describeWhiteBoxDecryptKey, describeWhiteBoxDeviceFingerprints, describeWhiteBoxKey, describeWhiteBoxKeyDetails, describeWhiteBoxServiceStatus, encryptByWhiteBox, overwriteWhiteBoxDeviceFingerprints, whiteBoxSwitch } from './ops-white-box.js';

const read = (handler: Handler): ActionSpec => ({ handler, readOnly: true });
const write = (handler: Handler): ActionSpec => ({ handler, readOnly: false });

/** The implemented actions; every other action of the API answers InvalidAction. */
export const HANDLERS: Record<string, ActionSpec> = {
  CreateKey: write(createKey),
  DescribeKey: read(describeKey),
  DescribeKeys: read(describeKeys),
  ListKeys: read(listKeys),
  ListKeyDetail: read(listKeyDetail),
  UpdateAlias: write(updateAlias),
  UpdateKeyDescription: write(updateKeyDescription),
  EnableKey: write(enableKey),
  DisableKey: write(disableKey),
  EnableKeys: write(batch('enableKey')),
  DisableKeys: write(batch('disableKey')),
  ScheduleKeyDeletion: write(scheduleKeyDeletion),
  CancelKeyDeletion: write(cancelKeyDeletion),
  ArchiveKey: write(archiveKey),
  CancelKeyArchive: write(cancelKeyArchive),
  BindCloudResource: write(bindCloudResource),
  UnbindCloudResource: write(unbindCloudResource),
  EnableKeyRotation: write(enableKeyRotation),
  DisableKeyRotation: write(disableKeyRotation),
  GetKeyRotationStatus: read(getKeyRotationStatus),
  RotateKey: write(rotateKey),
  Encrypt: read(encrypt),
  Decrypt: read(decrypt),
  ReEncrypt: read(reEncrypt),
  GenerateDataKey: read(generateDataKey),
  GenerateRandom: read(generateRandom),
  GetPublicKey: read(getPublicKey),
  AsymmetricRsaDecrypt: read(asymmetricDecrypt('ASYMMETRIC_DECRYPT_RSA_2048')),
  AsymmetricSm2Decrypt: read(asymmetricDecrypt('ASYMMETRIC_DECRYPT_SM2')),
  SignByAsymmetricKey: read(signByAsymmetricKey),
  VerifyByAsymmetricKey: read(verifyByAsymmetricKey),
  PostQuantumCryptoEncrypt: read(postQuantumEncrypt),
  PostQuantumCryptoDecrypt: read(postQuantumDecrypt),
  PostQuantumCryptoSign: read(postQuantumSign),
  PostQuantumCryptoVerify: read(postQuantumVerify),
  GetParametersForImport: write(getParametersForImport),
  ImportKeyMaterial: write(importKeyMaterial),
  DeleteImportedKeyMaterial: write(deleteImportedKeyMaterial),
  GetServiceStatus: read(getServiceStatus),
  GetRegions: read(getRegions),
  ListAlgorithms: read(listAlgorithms),
  CreateWhiteBoxKey: write(createWhiteBoxKey),
  DescribeWhiteBoxKey: read(describeWhiteBoxKey),
  DescribeWhiteBoxKeyDetails: read(describeWhiteBoxKeyDetails),
  DescribeWhiteBoxDecryptKey: read(describeWhiteBoxDecryptKey),
  DescribeWhiteBoxServiceStatus: read(describeWhiteBoxServiceStatus),
  EncryptByWhiteBox: read(encryptByWhiteBox),
  EnableWhiteBoxKey: write(whiteBoxSwitch('enableWhiteBoxKey', false)),
  DisableWhiteBoxKey: write(whiteBoxSwitch('disableWhiteBoxKey', false)),
  EnableWhiteBoxKeys: write(whiteBoxSwitch('enableWhiteBoxKey', true)),
  DisableWhiteBoxKeys: write(whiteBoxSwitch('disableWhiteBoxKey', true)),
  DeleteWhiteBoxKey: write(deleteWhiteBoxKey),
  OverwriteWhiteBoxDeviceFingerprints: write(overwriteWhiteBoxDeviceFingerprints),
  DescribeWhiteBoxDeviceFingerprints: read(describeWhiteBoxDeviceFingerprints),
  ImportDataKey: write(importDataKey),
  DescribeDataKey: read(describeDataKey),
  DescribeDataKeys: read(describeDataKeys),
  ListDataKeys: read(listDataKeys),
  ListDataKeyDetail: read(listDataKeyDetail),
  EnableDataKey: write(dataKeySwitch('enableDataKey', false)),
  DisableDataKey: write(dataKeySwitch('disableDataKey', false)),
  EnableDataKeys: write(dataKeySwitch('enableDataKey', true)),
  DisableDataKeys: write(dataKeySwitch('disableDataKey', true)),
  ScheduleDataKeyDeletion: write(scheduleDataKeyDeletion),
  CancelDataKeyDeletion: write(cancelDataKeyDeletion),
  GetDataKeyPlaintext: read(getDataKeyPlaintext),
  GetDataKeyCiphertextBlob: read(getDataKeyCiphertextBlob),
  UpdateDataKeyName: write(updateDataKeyName),
  UpdateDataKeyDescription: write(updateDataKeyDescription),
};

export { creatorUin };

export { LIMITS, type ActionSpec, type Call, type Handler, type Trail } from './call.js';
