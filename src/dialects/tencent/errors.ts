/**
 * Tencent Cloud API 3.0 errors. Every answer is HTTP 200; a failure is
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`. Neutral engine errors become the code
 * the action documents: each neutral error has a preference list of Tencent codes, and the first
 * one in the action's documented list wins; when none is, a common API 3.0 code (documented for every
 * action) stands in. A code an action does not document is never produced.
 */
import type { KmsError } from '../../engine/errors.js';
import { ACTIONS, COMMON_ERROR_CODES, CLOUDAUDIT_ACTIONS } from './model.generated.js';

/** A failure a handler raises in Tencent's own terms (the dialect adds the request id). */
export class TencentFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error the Tencent dialect answers with: the SDK's TencentCloudSDKHttpException carries the same three fields. */
export class TencentCloudError extends Error {
  override readonly name = 'TencentCloudError';
  constructor(
    readonly code: string,
    message: string,
    readonly requestId: string,
  ) {
    super(message);
  }

  toJSON(): { Code: string; Message: string } {
    return { Code: this.code, Message: this.message };
  }
}

const COMMON = new Set(COMMON_ERROR_CODES);

/** The codes an action may answer: its documented ones and the common API 3.0 codes. */
export function documentedCodes(action: string): ReadonlySet<string> {
  const model = ACTIONS[action] ?? CLOUDAUDIT_ACTIONS[action];
  return new Set([...(model?.errors ?? []), ...COMMON]);
}

const documentedCache = new Map<string, ReadonlySet<string>>();
function actionCodes(action: string): ReadonlySet<string> {
  let codes = documentedCache.get(action);
  if (!codes) {
    codes = new Set(ACTIONS[action]?.errors ?? CLOUDAUDIT_ACTIONS[action]?.errors ?? []);
    documentedCache.set(action, codes);
  }
  return codes;
}

/** The first of `preferred` the action documents; else the first common code among them; else `fallback` (a common code). */
export function pickCode(action: string, preferred: readonly string[], fallback: string): string {
  const codes = actionCodes(action);
  for (const code of preferred) if (codes.has(code)) return code;
  for (const code of preferred) if (COMMON.has(code)) return code;
  return fallback;
}

/** A fault worded for `action`: the code is chosen from `preferred` as pickCode does. */
export function fault(action: string, preferred: readonly string[], fallback: string, message: string): TencentFault {
  return new TencentFault(pickCode(action, preferred, fallback), message);
}

const STATE_WORDS: Record<string, string> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDelete',
  PendingImport: 'PendingImport',
  Archived: 'Archived',
};

/** Words a neutral engine error as Tencent KMS does, choosing a code `action` documents. */
export function tencentFaultFrom(error: KmsError, action: string): TencentFault {
  const d = error.details;
  const id = typeof d.keyId === 'string' ? d.keyId : '';
  const state = STATE_WORDS[d.state ?? ''] ?? d.state;
  const reason = d.reason;
  const whiteBox = (d.resource as string | undefined) === 'white-box-key';
  if (d.resource === 'data-key') return dataKeyFault(error, action, id);
  switch (error.code as string) {
    case 'NotFound':
      if (whiteBox) return fault(action, ['ResourceNotFound'], 'ResourceNotFound', `The white-box key ${named(d.keyId ?? d.id)}does not exist.`);
      if ((d.resource as string | undefined) === 'binding') {
        return fault(action, ['ResourceUnavailable.CloudResourceBindingNotFound'], 'ResourceNotFound', 'The binding between the CMK and the cloud resource does not exist.');
      }
      if ((d.resource as string | undefined) === 'grant') return fault(action, ['ResourceNotFound'], 'ResourceNotFound', error.message);
      return fault(action, ['ResourceUnavailable.CmkNotFound'], 'ResourceNotFound', `The CMK ${named(id)}does not exist.`);
    case 'Disabled':
      if (whiteBox) return fault(action, ['ResourceUnavailable.KeyDisabled'], 'ResourceUnavailable', 'The white-box key is disabled.');
      return fault(action, ['ResourceUnavailable.CmkDisabled', 'ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', `The CMK ${id} is disabled.`);
    case 'InvalidState':
      return invalidState(action, id, state, reason, error.details.rule as string | undefined);
    case 'InvalidCiphertext':
      if (reason === 'wrapped-key-material') {
        return fault(action, ['InvalidParameter.DecryptMaterialError'], 'InvalidParameter', 'The encrypted key material could not be decrypted with the import parameters.');
      }
      return fault(action, ['InvalidParameterValue.InvalidCiphertext', 'FailedOperation.DecryptError', 'InvalidParameterValue.InvalidImportKeyMaterial'], 'InvalidParameterValue', 'The ciphertext is invalid.');
    case 'AccessDenied':
      if (reason === 'ciphertext-key') {
        return fault(action, ['InvalidParameterValue.InvalidCiphertext', 'ResourceUnavailable.CmkNotFound'], 'ResourceNotFound', 'The CMK of the ciphertext does not exist.');
      }
      return fault(action, ['UnauthorizedOperation'], 'UnauthorizedOperation', error.message);
    case 'IncorrectKey':
      return fault(action, ['InvalidParameterValue.InvalidCiphertext', 'InvalidParameterValue.InvalidImportKeyMaterial'], 'InvalidParameterValue', 'The ciphertext was not encrypted with this CMK.');
    case 'InvalidKeyUsage':
      return fault(action, ['InvalidParameterValue.InvalidKeyUsage', 'InvalidParameter'], 'UnsupportedOperation', `The KeyUsage of CMK ${id} does not support this operation.`);
    case 'AlreadyExists':
      // CreateKey names the alias it was given (the key and its alias are made in one step).
      return fault(action, ['InvalidParameterValue.AliasAlreadyExists'], 'InvalidParameterValue', action === 'CreateKey' && typeof error.details.alias === 'string' ? `The alias ${error.details.alias} already exists.` : 'The alias already exists.');
    case 'LimitExceeded':
      if (reason === 'white-box-keys') return fault(action, ['LimitExceeded.KeyLimitExceeded'], 'LimitExceeded', 'The number of white-box keys has reached the limit.');
      if (reason === 'rotation-limit' || reason === 'material-versions') {
        return fault(action, ['RequestLimitExceeded.RotateRateLimited'], 'LimitExceeded', 'The key has reached its rotation limit.');
      }
      return fault(action, ['LimitExceeded.CmkLimitExceeded'], 'LimitExceeded', error.message);
    case 'Unsupported':
      if (reason === 'origin') {
        return fault(
          action,
          ['UnsupportedOperation.ExternalCmkCanNotRotate', 'UnsupportedOperation.NotExternalCmk', 'UnsupportedOperation.RotateNotSupported'],
          'UnsupportedOperation',
          d.origin === 'EXTERNAL' ? `The CMK ${id} has imported key material.` : `The CMK ${id} is not an EXTERNAL CMK.`,
        );
      }
      if (d.state) return invalidState(action, id, state, reason, d.rule as string | undefined);
      return fault(action, ['UnsupportedOperation.RotateNotSupported', 'InvalidParameterValue.InvalidKeyUsage'], 'UnsupportedOperation', `The CMK ${id} does not support this operation.`);
    case 'Conflict':
      return fault(action, ['FailedOperation.RotateTaskRunning'], 'FailedOperation', 'A rotation of the key is in progress.');
    case 'InvalidImportToken':
      return fault(action, ['InvalidParameter.DecryptMaterialError'], 'InvalidParameter', 'The import token is invalid.');
    case 'ExpiredImportToken':
      return fault(action, ['ResourceUnavailable.TokenExpired'], 'ResourceUnavailable', 'The import token has expired.');
    case 'IncorrectKeyMaterial':
      return fault(action, ['InvalidParameterValue.MaterialNotMatch'], 'InvalidParameterValue', 'The key material does not match the material imported before.');
    case 'Validation':
      return fault(action, validationCodes(reason), 'InvalidParameterValue', error.message);
    default:
      return fault(action, ['FailedOperation'], 'FailedOperation', error.message);
  }
}

/** A refusal about a hosted data key (its own state table: src/engine/data-key-data.ts). */
function dataKeyFault(error: KmsError, action: string, id: string): TencentFault {
  const d = error.details;
  switch (error.code as string) {
    case 'NotFound':
      return fault(action, ['ResourceUnavailable.DataKeyNotFound'], 'ResourceNotFound', `The data key ${named(id)}does not exist.`);
    case 'Disabled':
      return fault(action, ['ResourceUnavailable.DataKeyDisabled', 'ResourceUnavailable.DataKeyStateNotSupport'], 'ResourceUnavailable', `The data key ${id} is disabled.`);
    case 'InvalidState':
      if (d.reason === 'not-pending-deletion') {
        return fault(action, ['ResourceUnavailable.DataKeyNotPendingDelete', 'ResourceUnavailable.DataKeyStateNotSupport'], 'ResourceUnavailable', `The data key ${id} is not pending deletion.`);
      }
      if (d.state === 'PendingDeletion') {
        return fault(action, ['ResourceUnavailable.DataKeyPendingDelete', 'ResourceUnavailable.DataKeyStateNotSupport'], 'ResourceUnavailable', `The data key ${id} is pending deletion.`);
      }
      return fault(action, ['ResourceUnavailable.DataKeyStateNotSupport'], 'ResourceUnavailable', d.reason === 'disable-before-deletion' ? `The data key ${id} must be disabled before its deletion is scheduled.` : `The data key ${id} is ${STATE_WORDS[d.state ?? ''] ?? d.state}, which does not support this operation.`);
    case 'AlreadyExists':
      return fault(action, ['InvalidParameterValue.DataKeyNameAlreadyExists', 'InvalidParameterValue.InvalidDataKeyName'], 'InvalidParameterValue', `The DataKeyName ${String(d.name ?? '')} already exists.`);
    case 'LimitExceeded':
      return fault(action, ['LimitExceeded.DataKeyLimitExceeded'], 'LimitExceeded', 'The number of data keys has reached the limit.');
    default:
      return fault(action, ['FailedOperation'], 'FailedOperation', error.message);
  }
}

/** `<id> ` or nothing, for messages about an id the request may not have carried. */
function named(id: unknown): string {
  return typeof id === 'string' && id !== '' ? `${id} ` : '';
}

function validationCodes(reason: string | undefined): string[] {
  switch (reason) {
    case 'usage-spec':
      return ['InvalidParameterValue.InvalidKeyUsage'];
    case 'plaintext-size':
      return ['InvalidParameterValue.InvalidPlaintext', 'InvalidParameter'];
    case 'key-material-size':
    case 'valid-to':
      return ['InvalidParameter.DecryptMaterialError', 'InvalidParameter'];
    default:
      return ['InvalidParameter'];
  }
}

/** Actions whose every state refusal is Tencent's import-state refusal (the 'import-state' rule of lifecycle.ts and the neutral rows alike). */
const IMPORT_ACTIONS = new Set(['GetParametersForImport', 'ImportKeyMaterial']);

function invalidState(action: string, id: string, state: string | undefined, reason: string | undefined, rule: string | undefined): TencentFault {
  if (rule === 'disable-before-deletion') {
    return fault(action, ['ResourceUnavailable.CmkShouldBeDisabled'], 'ResourceUnavailable', `The CMK ${id} must be disabled before its deletion is scheduled.`);
  }
  if (rule === 'import-state' || (IMPORT_ACTIONS.has(action) && reason === undefined)) {
    return fault(action, ['ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', `The CMK ${id} is ${state ?? 'unknown'}.`);
  }
  switch (reason) {
    case 'bound':
      return fault(action, ['FailedOperation.CmkUsedByCloudProduct'], 'FailedOperation', `The CMK ${id} is used by a cloud product.`);
    case 'not-pending-deletion':
      return fault(action, ['ResourceUnavailable.CmkNotPendingDelete', 'ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', `The CMK ${id} is not pending deletion.`);
    case 'white-box-enabled':
      return fault(action, ['FailedOperation'], 'FailedOperation', 'The white-box key must be disabled before it is deleted.');
  }
  const message = `The CMK ${id} is in state ${state ?? 'unknown'}, which does not support this operation.`;
  switch (state) {
    case 'PendingDelete':
      return fault(action, ['ResourceUnavailable.KeyPendingDelete', 'ResourceUnavailable.CmkStateNotSupport', 'ResourceUnavailable.CmkDisabled'], 'ResourceUnavailable', message);
    case 'Archived':
      return fault(action, ['ResourceUnavailable.CmkArchived', 'ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', message);
    case 'Disabled':
      return fault(action, ['ResourceUnavailable.CmkDisabled', 'ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', message);
    default:
      return fault(action, ['ResourceUnavailable.CmkStateNotSupport', 'ResourceUnavailable.CmkDisabled'], 'ResourceUnavailable', message);
  }
}
