/** Injected faults (src/faults.ts) in AWS KMS's words. */
import type { Engine } from '../../engine/engine.js';
import type { FaultKind } from '../../faults.js';
import { injectProviderFault, stringMember } from '../shared.js';
import { AwsServiceError } from './errors.js';
import { OPERATIONS } from './model.generated.js';

/** Called by the dialect pipeline (src/dialects/pipeline.ts) when faults are set: waits, then throws the fault's AWS error. */
export function injectFault(engine: Engine, operation: string, input: unknown): Promise<void> {
  return injectProviderFault(engine, 'aws', operation, stringMember(input, 'KeyId'), (kind) => awsFaultError(kind, operation));
}

/** The error AWS KMS answers for each kind of fault (HTTP 400 for throttling, 500 for the others). */
export function awsFaultError(kind: FaultKind, operation: string): AwsServiceError {
  switch (kind) {
    case 'throttling':
      return new AwsServiceError('ThrottlingException', 'Rate exceeded');
    case 'internal':
      return new AwsServiceError('KMSInternalException', 'An internal error occurred.');
    case 'dependency-timeout':
      return new AwsServiceError('DependencyTimeoutException', 'The system timed out while trying to fulfill the request. You can retry the request.');
    case 'key-unavailable':
      // KeyUnavailableException where the model lists it (Decrypt, Encrypt, Sign, …), else the key's invalid state.
      return OPERATIONS[operation]?.errors.includes('KeyUnavailableException')
        ? new AwsServiceError('KeyUnavailableException', 'The request was rejected because the specified KMS key was not available. You can retry the request.')
        : new AwsServiceError('KMSInvalidStateException', 'The request was rejected because the state of the specified resource is not valid for this request.');
  }
}
