/** Checks a key's usage and algorithms before cryptography; and the dry-run stop. */

import { KmsError } from './errors.js';
import type { KeyRecord } from './records.js';
import type { CallContext, KeyUsage } from './types.js';

export function requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
  if (key.usage !== usage) {
    throw new KmsError('InvalidKeyUsage', `Key ${key.id} key usage is ${key.usage} which is not valid for ${operation}.`, {
      resource: 'key',
      keyId: key.id,
      usage: key.usage,
      operation,
    });
  }
}

/** `algorithm` must be one the key's spec supports for its usage; 'SYMMETRIC' is the envelope's. */
export function requireAlgorithm(key: KeyRecord, algorithm: string, allowed: readonly string[]): void {
  if (!allowed.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsage', `Algorithm ${algorithm} is not compatible with key spec ${key.spec}.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'algorithm',
      algorithm,
      spec: key.spec,
      usage: key.usage,
    });
  }
}

/**
 * Symmetric encryption needs a symmetric ENCRYPT_DECRYPT key. An asymmetric encryption key is
 * refused for the symmetric algorithm when the call names one (`algorithm`), else for its usage.
 */
export function requireSymmetric(key: KeyRecord, operation: string, algorithm?: 'SYMMETRIC'): void {
  const symmetric = key.spec === 'AES_256' || key.spec === 'SM4';
  if (algorithm && key.usage === 'ENCRYPT_DECRYPT' && !symmetric) requireAlgorithm(key, algorithm, []);
  if (key.usage !== 'ENCRYPT_DECRYPT' || !symmetric) {
    throw new KmsError('InvalidKeyUsage', `Key ${key.id} key usage is ${key.usage} which is not valid for ${operation}.`, {
      resource: 'key',
      keyId: key.id,
      usage: key.usage,
      operation,
    });
  }
}

/** A dry run stops here: after every check, before any cryptography or change. */
export function refuseDryRun(ctx: CallContext): void {
  if (ctx.dryRun === true) throw new KmsError('DryRun', 'The request would have succeeded, but the dry run option is set.', { reason: 'dry-run' });
}

/** A key that a cloud resource uses cannot be disabled, archived, deleted or lose its material. */
export function refuseIfBound(key: KeyRecord, operation: string): void {
  if (key.bindings.length === 0) return;
  throw new KmsError('InvalidState', `Key ${key.id} is in use by a cloud resource.`, {
    resource: 'key',
    keyId: key.id,
    reason: 'bound',
    state: key.state,
    operation,
  });
}
