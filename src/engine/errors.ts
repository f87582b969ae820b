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

/** What the error is about, for dialects to word their messages. */
export interface KmsErrorDetails {
  /** The kind of resource the error concerns. */
  resource?: 'key' | 'alias' | 'policy' | 'ciphertext' | 'marker' | 'tag' | 'binding' | 'grant' | 'white-box-key';
  keyId?: string;
  account?: string;
  region?: string;
  alias?: string;
  state?: KeyState;
  operation?: string;
  /** A stable reason within the code, e.g. 'not-pending-deletion', 'origin', 'rotation-limit'. */
  reason?: string;
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
