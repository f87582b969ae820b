import type { KmsError } from '../../engine/errors.js';
import type { KeyOrigin, KeySpec, Principal, Realm } from '../../engine/types.js';
import { aliasArn, keyArn, principalArn } from './arn.js';
import { AWS_KEY_SPEC, AWS_ORIGIN, awsAlgorithm } from './metadata.js';
import { AwsServiceError, DRY_RUN_MESSAGE } from './service-error.js';

export { AwsServiceError, DRY_RUN_MESSAGE };

const STATE_PHRASE: Record<string, string> = {
  PendingDeletion: 'is pending deletion',
  PendingImport: 'is pending import',
  PendingReplicaDeletion: 'is pending replica deletion',
  Unavailable: 'is unavailable',
  Creating: 'is creating',
  Updating: 'is updating',
  Disabled: 'is disabled',
  Enabled: 'is enabled',
  Archived: 'is archived',
};

/** Words a neutral engine error as AWS KMS does; `principal` is the caller's, for access-denied messages. */
export function awsErrorFrom(error: KmsError, realm: Realm, operation: string, principal?: Principal): AwsServiceError {
  const d = error.details;
  const arn = d.keyId ? keyArn({ account: d.account ?? realm.account, region: d.region ?? realm.region }, d.keyId) : '';
  switch (error.code) {
    case 'NotFound':
      if (d.resource === 'alias') return new AwsServiceError('NotFoundException', `Alias ${aliasArn(realm, d.alias!)} is not found.`);
      if (d.resource === 'policy') return new AwsServiceError('NotFoundException', 'No such policy exists');
      // AWS's wording for an unknown key material id is not documented: the emulator's own.
      if (d.resource === 'key-material') return new AwsServiceError('NotFoundException', `Key material ${String(d.materialId)} does not exist for key ${arn}.`);
      if (d.resource === 'grant') {
        if (d.reason === 'grant-token') return new AwsServiceError('InvalidGrantTokenException', 'The grant token is not valid.');
        return new AwsServiceError('InvalidGrantIdException', `Grant ID ${String(d.grantId ?? '')} is not valid.`);
      }
      return new AwsServiceError('NotFoundException', `Key '${arn}' does not exist`);
    case 'Disabled':
      return new AwsServiceError('DisabledException', `${arn} is disabled.`);
    case 'InvalidState':
      if (d.reason === 'key-store-not-connected' || d.reason === 'key-store-connection') {
        return new AwsServiceError('CustomKeyStoreInvalidStateException', `Custom key store ${String(d.keyStoreId)} has a ConnectionState of ${String(d.connection ?? '').toUpperCase()}, which is not valid for ${operation}.`);
      }
      if (d.reason === 'not-pending-deletion') return new AwsServiceError('KMSInvalidStateException', `${arn} is not pending deletion.`);
      if (d.reason === 'no-pending-material') return new AwsServiceError('KMSInvalidStateException', `No available key material pending rotation for the key: ${arn}.`);
      if (d.reason === 'material-pending-replicas') {
        // AWS does not document this refusal's message: the emulator's wording.
        return new AwsServiceError('KMSInvalidStateException', `Key material (id: ${String(d.materialId)}) of KMS key ${arn} must be imported into every replica Region key before rotation.`);
      }
      if (d.reason === 'material-pending-rotation') {
        return new AwsServiceError(
          'KMSInvalidStateException',
          `New key material (id: ${String(d.materialId)}) cannot be imported into KMS key ${d.keyId}, because another key material (id: ${String(d.pendingMaterialId)}) is pending rotation.`,
        );
      }
      return new AwsServiceError('KMSInvalidStateException', `${arn} ${STATE_PHRASE[d.state ?? ''] ?? 'is in an invalid state'}.`);
    case 'InvalidCiphertext':
      return new AwsServiceError('InvalidCiphertextException', undefined);
    case 'IncorrectKey':
      return new AwsServiceError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    case 'InvalidKeyUsage':
      if (d.reason === 'algorithm') {
        return new AwsServiceError('InvalidKeyUsageException', `Algorithm ${awsAlgorithm(String(d.algorithm))} is incompatible with key spec ${awsSpec(d.spec)}.`);
      }
      return new AwsServiceError('InvalidKeyUsageException', `${arn} key usage is ${d.usage} which is not valid for ${operation}.`);
    case 'AccessDenied':
      // The authorization mode's refusal, already in AWS's words (authorization.ts).
      if (d.reason === 'policy') return new AwsServiceError('AccessDeniedException', error.message);
      // An AWS managed key's policy lets the account read the key, and its service use it: nothing else.
      if (d.reason === 'service-managed' && principal) {
        return new AwsServiceError(
          'AccessDeniedException',
          `User: ${principalArn(principal, realm.region)} is not authorized to perform: kms:${operation} on resource: ${arn} because no resource-based policy allows the kms:${operation} action`,
        );
      }
      if (d.reason === 'ciphertext-key') {
        return new AwsServiceError(
          'AccessDeniedException',
          'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
        );
      }
      return new AwsServiceError('AccessDeniedException', error.message);
    case 'AlreadyExists':
      if (d.resource === 'alias') return new AwsServiceError('AlreadyExistsException', `An alias with the name ${aliasArn(realm, d.alias!)} already exists`);
      if (d.reason === 'external-key-in-use') {
        return new AwsServiceError('XksKeyAlreadyInUseException', `The XksKeyId is already associated with another KMS key (${keyArn(realm, String(d.keyId))}) in this external key store.`);
      }
      if (d.reason === 'replica-region') return new AwsServiceError('AlreadyExistsException', `${keyArn({ account: realm.account, region: d.region! }, d.keyId!)} already exists.`);
      return new AwsServiceError('AlreadyExistsException', error.message);
    case 'LimitExceeded':
      if (d.reason === 'rotation-limit') {
        return new AwsServiceError(
          'LimitExceededException',
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arn}`,
        );
      }
      return new AwsServiceError('LimitExceededException', error.message);
    case 'InvalidMarker':
      return new AwsServiceError('InvalidMarkerException', 'Could not deserialize marker');
    case 'Unsupported':
      if (d.reason === 'not-primary') return new AwsServiceError('UnsupportedOperationException', `${arn} is not a multi-region primary key.`);
      if (d.reason === 'external-key') return new AwsServiceError('UnsupportedOperationException', `${arn} is in an external key store: ${operation} is not supported for it by this emulator.`);
      if (d.reason === 'not-multi-region') return new AwsServiceError('UnsupportedOperationException', `${arn} is not a multi-region key.`);
      if (d.reason === 'origin') return new AwsServiceError('UnsupportedOperationException', `${arn} origin is ${AWS_ORIGIN[d.origin as KeyOrigin] ?? d.origin} which is not valid for this operation.`);
      if (d.reason === 'key-spec' && d.keyId) {
        // On-demand rotation of an asymmetric or HMAC key is refused without a message.
        if (operation === 'RotateKeyOnDemand') return new AwsServiceError('UnsupportedOperationException', undefined);
        return new AwsServiceError('UnsupportedOperationException', `${arn} key spec is ${awsSpec(d.spec)} which is not valid for this operation.`);
      }
      // GetPublicKey of a symmetric or HMAC key.
      if (d.reason === 'not-asymmetric' || d.reason === 'not-hmac') return new AwsServiceError('UnsupportedOperationException', undefined);
      if (d.state) return new AwsServiceError('UnsupportedOperationException', `${arn} origin is EXTERNAL which is not valid for this operation.`);
      return new AwsServiceError('UnsupportedOperationException', error.message);
    case 'Validation':
      return awsValidation(error);
    case 'InvalidPolicy':
      return new AwsServiceError('MalformedPolicyDocumentException', error.message);
    case 'Conflict':
      return new AwsServiceError('ConflictException', error.message);
    case 'DryRun':
      return new AwsServiceError('DryRunOperationException', DRY_RUN_MESSAGE);
    case 'InvalidSignature':
      return new AwsServiceError('KMSInvalidSignatureException', undefined);
    case 'InvalidMac':
      return new AwsServiceError('KMSInvalidMacException', undefined);
    case 'InvalidImportToken':
      return new AwsServiceError('InvalidImportTokenException', 'The import token is invalid or is associated with a different KMS key.');
    case 'ExpiredImportToken':
      return new AwsServiceError('ExpiredImportTokenException', 'The import token is expired. Use GetParametersForImport to get a new import token and public key.');
    case 'IncorrectKeyMaterial':
      return new AwsServiceError('IncorrectKeyMaterialException', 'The key material in the request is expired, invalid, or is not the same key material that was previously imported into this KMS key.');
    case 'Internal':
      return new AwsServiceError('KMSInternalException', error.message);
  }
}

function awsSpec(spec: unknown): string {
  return AWS_KEY_SPEC[spec as KeySpec] ?? String(spec);
}

/** Validation errors in AWS's words, with AWS's names for specs and algorithms. */
function awsValidation(error: KmsError): AwsServiceError {
  const d = error.details;
  const algorithm = awsAlgorithm(String(d.algorithm));
  switch (d.reason) {
    case 'usage-spec':
      return new AwsServiceError('ValidationException', `KeyUsage ${d.usage} is not compatible with KeySpec ${awsSpec(d.spec)}`);
    case 'message-type-algorithm':
      return new AwsServiceError('ValidationException', `Message type ${d.messageType} is incompatible with algorithm ${algorithm}.`);
    case 'message-type-spec':
      return new AwsServiceError('ValidationException', `Message type ${d.messageType} is incompatible with key spec ${awsSpec(d.spec)}.`);
    case 'digest-length':
      return new AwsServiceError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
    case 'plaintext-size':
      return new AwsServiceError('ValidationException', `Algorithm ${algorithm} and key spec ${awsSpec(d.spec)} cannot encrypt data larger than ${d.max} bytes.`);
    case 'asymmetric-context':
      return new AwsServiceError('ValidationException', 'EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
    case 'peer-public-key':
      // AWS answers a peer public key it cannot use with an empty ValidationException.
      return new AwsServiceError('ValidationException', undefined);
    default:
      return new AwsServiceError('ValidationException', error.message);
  }
}
