import type { KeyState } from './types.js';

/** Neutral error codes. Each dialect maps them to its provider's error names and messages. */
export type KmsErrorCode =
  | 'NotFound'
  | 'Disabled'
  | 'InvalidState'
  | 'InvalidCiphertext'
  | 'IncorrectKey'
  | 'InvalidKeyUsage'
  | 'Validation'
  | 'AlreadyExists'
  | 'LimitExceeded'
  | 'InvalidMarker'
  | 'InvalidSignature'
  | 'InvalidMac'
  | 'AccessDenied'
  | 'Unsupported'
  | 'InvalidPolicy'
  | 'Conflict'
  | 'DryRun'
  | 'InvalidImportToken'
  | 'ExpiredImportToken'
  | 'IncorrectKeyMaterial'
  | 'Internal';

/** Why, within its code, the engine refused a call: a closed set that dialects switch on. */
export type KmsErrorReason =
  | 'algorithm'
  | 'data-keys'
  | 'disable-before-deletion'
  | 'key-required'
  | 'pending-window'
  | 'alias-key-type'
  | 'asymmetric-context'
  | 'asynchronous-key-spec'
  | 'bound'
  | 'byte-count'
  | 'changes'
  | 'ciphertext-key'
  | 'digest-length'
  | 'dry-run'
  | 'grant'
  | 'grant-constraints'
  | 'grant-key-mismatch'
  | 'grant-token'
  | 'grants-per-key'
  | 'import-options'
  | 'iv-length'
  | 'key-id'
  | 'key-material-size'
  | 'key-spec'
  | 'material-known'
  | 'material-pending-rotation'
  | 'material-pending-replicas'
  | 'material-versions'
  | 'message-type-algorithm'
  | 'message-type-spec'
  | 'no-pending-material'
  | 'not-archived'
  | 'access-point-field'
  | 'access-point-name'
  | 'access-point-no-key-pair'
  | 'key-store-disabled'
  | 'key-store-has-keys'
  | 'key-store-not-connected'
  | 'key-store-connection'
  | 'key-store-connects-not'
  | 'external-key-in-use'
  | 'external-key'
  | 'external-response'
  | 'key-store-kind'
  | 'key-store-name'
  | 'key-store-property'
  | 'not-asymmetric'
  | 'not-hmac'
  | 'not-multi-region'
  | 'not-pending-deletion'
  | 'not-primary'
  | 'origin'
  | 'peer-public-key'
  | 'plaintext-size'
  | 'policy'
  | 'realm-name'
  | 'replica-region'
  | 'retire'
  | 'rotation-in-progress'
  | 'rotation-limit'
  | 'service-managed'
  | 'snapshot'
  | 'state-rule'
  | 'usage-spec'
  | 'valid-for'
  | 'valid-to'
  | 'white-box-enabled'
  | 'white-box-keys'
  | 'wrapped-key-material'
  | 'wrapping-key-spec';

/** What the error is about, for dialects to word their messages. */
export interface KmsErrorDetails {
  /** The kind of resource the error concerns. */
  resource?: 'key' | 'key-material' | 'alias' | 'policy' | 'ciphertext' | 'marker' | 'tag' | 'binding' | 'grant' | 'white-box-key' | 'data-key' | 'key-store' | 'access-point';
  keyId?: string;
  account?: string;
  region?: string;
  alias?: string;
  state?: KeyState;
  operation?: string;
  /** A stable reason within the code, e.g. 'not-pending-deletion', 'origin', 'rotation-limit'. */
  reason?: KmsErrorReason;
  /** The override row (lifecycle.ts) that refused a call, with reason 'state-rule'. */
  rule?: string;
  [extra: string]: unknown;
}

/** The only error type the engine throws. */
export class KmsError extends Error {
  override readonly name = 'KmsError';
  constructor(
    readonly code: KmsErrorCode,
    message: string,
    readonly details: KmsErrorDetails = {},
  ) {
    super(message);
  }
}

export function isKmsError(error: unknown): error is KmsError {
  return error instanceof KmsError;
}
