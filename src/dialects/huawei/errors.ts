import type { KmsError } from '../../engine/errors.js';
import { ERRORS } from './model.generated.js';

/** A Huawei KMS error as the service returns it: HTTP status, `KMS.xxxx` code and `error_msg`. */
export class HuaweiError extends Error {
  override readonly name = 'HuaweiError';
  /** Filled in by the dialect once the call has its request id. */
  requestId = '';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The wire body: `{"error":{"error_code":"KMS.0207","error_msg":"…"}}`. */
  toJSON(): { error: { error_code: string; error_msg: string } } {
    return { error: { error_code: this.code, error_msg: this.message } };
  }
}

/**
 * Codes the service answers that its error table does not list: KMS.8003 is the code Huawei's
 * Terraform provider reads as "this keystore is gone"; its message is the emulator's (docs/huawei.md).
 */
export const UNLISTED_ERRORS: Readonly<Record<string, [number, string]>> = {
  'KMS.8003': [400, 'The keystore does not exist.'],
};

/** The documented error `code`, with its documented HTTP status and message. */
export function kmsError(code: string): HuaweiError {
  const entry = ERRORS[code] ?? UNLISTED_ERRORS[code];
  if (!entry) return new HuaweiError(500, 'KMS.0103', ERRORS['KMS.0103']![1]);
  return new HuaweiError(entry[0], code, entry[1]);
}

/** Rotation verbs: an origin or spec refusal there is "cannot be rotated", not "must be external". */
const ROTATION_VERBS = new Set(['enable-key-rotation', 'disable-key-rotation', 'get-key-rotation-status', 'update-key-rotation-interval', 'rotate-on-demand']);

/**
 * The state refusals Huawei words by verb (the override rows of the key-state table, lifecycle.ts,
 * and the neutral rows alike): enable a disabled key only, disable an enabled one only, import into
 * a key waiting for material only, delete the material of a usable key only; a key pending deletion
 * is not scheduled again.
 */
function stateError(verb: string, state: unknown): string | undefined {
  switch (verb) {
    case 'enable-key':
      return state === 'PendingDeletion' ? 'KMS.0210' : 'KMS.1201';
    case 'disable-key':
      return state === 'PendingDeletion' ? 'KMS.0210' : 'KMS.1301';
    case 'schedule-key-deletion':
      return state === 'PendingDeletion' ? 'KMS.1402' : undefined;
    case 'import-key-material':
      return 'KMS.0310';
    case 'delete-imported-key-material':
      return 'KMS.2701';
    default:
      return undefined;
  }
}

/** Words a neutral engine error as Huawei KMS does for `verb`. */
export function huaweiErrorFrom(error: KmsError, verb: string): HuaweiError {
  const d = error.details;
  switch (error.code) {
    case 'NotFound':
      if (d.resource === 'key-store') return kmsError('KMS.8003');
      if (d.resource === 'grant') return kmsError(d.reason === 'grant-key-mismatch' ? 'KMS.2502' : 'KMS.2501');
      if (d.resource === 'tag') return kmsError('KMS.0416');
      if (d.resource === 'key' || d.resource === 'alias') return kmsError('KMS.0207');
      return kmsError('KMS.0308');
    case 'Disabled':
      return kmsError('KMS.0209');
    case 'InvalidState':
      if (d.reason === 'not-pending-deletion') return kmsError('KMS.1501');
      // A key of a disabled keystore (Unavailable), or a key made in one: "The cmk partition is not enabled."
      if (d.state === 'Unavailable' || d.reason === 'key-store-disabled') return kmsError('KMS.0317');
      if (d.reason === 'key-store-has-keys') return kmsError('KMS.0308');
      if (d.reason === undefined || d.reason === 'state-rule') {
        const worded = stateError(verb, d.state);
        if (worded) return kmsError(worded);
      }
      if (d.state === 'PendingDeletion') return kmsError('KMS.0210');
      if (d.state === 'Disabled') return kmsError('KMS.0209');
      // A key waiting for its material (state 5) is not usable. Huawei documents no code for that;
      // KMS.1301 "The key is not enabled." is the one documented code that says it truthfully
      // (KMS.0310 "not in Pending import state" says the opposite). See docs/huawei.md.
      if (d.state === 'PendingImport') return kmsError(verb === 'import-key-material' ? 'KMS.0308' : 'KMS.1301');
      return kmsError('KMS.0308');
    case 'InvalidCiphertext':
      if (d.reason === 'wrapped-key-material') return kmsError('KMS.0311');
      return kmsError('KMS.2201');
    case 'IncorrectKey':
      return kmsError('KMS.2201');
    case 'AccessDenied':
      // A ciphertext naming a key the caller cannot reach reads as a key that does not exist.
      if (d.reason === 'ciphertext-key') return kmsError('KMS.0207');
      return kmsError('KMS.0306');
    case 'AlreadyExists':
      return kmsError(d.resource === 'alias' ? 'KMS.1104' : d.resource === 'key-store' ? 'KMS.0318' : 'KMS.0308');
    case 'LimitExceeded':
      if (d.reason === 'grants-per-key') return kmsError('KMS.2404');
      return kmsError('KMS.0308');
    case 'InvalidMarker':
      return kmsError('KMS.1602');
    case 'Unsupported':
      if (d.reason === 'origin') return kmsError(ROTATION_VERBS.has(verb) ? 'KMS.0312' : 'KMS.0309');
      if (ROTATION_VERBS.has(verb)) return kmsError(String(d.spec ?? '').startsWith('RSA') ? 'KMS.0324' : 'KMS.0325');
      if (d.reason === 'not-asymmetric') return kmsError('KMS.0331');
      return kmsError('KMS.0308');
    case 'Validation':
      return validationError(error);
    case 'InvalidImportToken':
      return kmsError('KMS.2605');
    case 'ExpiredImportToken':
      return kmsError('KMS.2601');
    case 'IncorrectKeyMaterial':
      return kmsError('KMS.2606');
    case 'InvalidKeyUsage':
      return kmsError('KMS.0308');
    case 'Internal':
      return kmsError('KMS.0103');
    default:
      return kmsError('KMS.0308');
  }
}

function validationError(error: KmsError): HuaweiError {
  switch (error.details.reason) {
    case 'digest-length':
      return kmsError('KMS.0329');
    case 'message-type-algorithm':
    case 'message-type-spec':
      return kmsError('KMS.0332');
    case 'plaintext-size':
      return kmsError('KMS.2108');
    case 'key-material-size':
      return kmsError('KMS.2604');
    case 'valid-to':
      return kmsError('KMS.2602');
    case 'realm-name':
      return kmsError('KMS.1102');
    default:
      return kmsError('KMS.0308');
  }
}
