/**
 * Neutral action names: what a call does, in the engine's words. Grants list them, and key policies
 * will be evaluated against them; each dialect maps its own operation names to them (an AWS
 * `GenerateDataKeyWithoutPlaintext`, a Huawei `create-datakey-without-plaintext`: both
 * `generateDataKeyWithoutPlaintext`), so a grant made through one dialect means the same through another.
 */

export const ACTIONS = [
  // keys and their lifecycle
  'createKey',
  'describeKey',
  'listKeys',
  'updateDescription',
  'enableKey',
  'disableKey',
  'scheduleDeletion',
  'cancelDeletion',
  'archiveKey',
  'cancelArchive',
  'bindResource',
  'unbindResource',
  /** When the key was last used for cryptography. */
  'getKeyLastUsage',
  // symmetric cryptography
  'encrypt',
  'decrypt',
  'reEncryptFrom',
  'reEncryptTo',
  'generateDataKey',
  'generateDataKeyWithoutPlaintext',
  'generateDataKeyPair',
  'generateDataKeyPairWithoutPlaintext',
  /** Encrypting or decrypting a data key the caller holds (Huawei tells these apart from data). */
  'encryptDataKey',
  'decryptDataKey',
  'generateRandom',
  // asymmetric and HMAC cryptography
  'getPublicKey',
  'sign',
  'verify',
  'deriveSharedSecret',
  'generateMac',
  'verifyMac',
  'encapsulate',
  'decapsulate',
  // aliases, tags, policies
  'createAlias',
  'updateAlias',
  'deleteAlias',
  'listAliases',
  'tagKey',
  'untagKey',
  'listTags',
  'getPolicy',
  'putPolicy',
  'listPolicies',
  // rotation
  'enableRotation',
  'disableRotation',
  'getRotationStatus',
  'rotateNow',
  'listRotations',
  // grants
  'createGrant',
  'listGrants',
  'listRetirableGrants',
  'retireGrant',
  'revokeGrant',
  // imported key material
  'getImportParameters',
  'importKeyMaterial',
  'deleteImportedKeyMaterial',
  // hosted data keys (what a data-key operation asks of the key that protects the data key)
  'getDataKeyPlaintext',
  'enableDataKey',
  'cancelDataKeyDeletion',
  // multi-Region keys
  'replicateKey',
  'updatePrimaryRegion',
  // key stores (judged without a key: by the caller's own policies)
  'manageKeyStore',
  'describeKeyStores',
] as const;
export type Action = (typeof ACTIONS)[number];

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

export function isAction(name: string): name is Action {
  return ACTION_SET.has(name);
}

/**
 * Actions a grant may allow to a principal of another account (the union over providers; each
 * dialect narrows what its own CreateGrant accepts).
 */
export const GRANTABLE_ACTIONS = [
  'describeKey',
  'createGrant',
  'retireGrant',
  'encrypt',
  'decrypt',
  'reEncryptFrom',
  'reEncryptTo',
  'generateDataKey',
  'generateDataKeyWithoutPlaintext',
  'generateDataKeyPair',
  'generateDataKeyPairWithoutPlaintext',
  'encryptDataKey',
  'decryptDataKey',
  'getPublicKey',
  'sign',
  'verify',
  'deriveSharedSecret',
  'generateMac',
  'verifyMac',
  'encapsulate',
  'decapsulate',
] as const satisfies readonly Action[];
export type GrantableAction = (typeof GRANTABLE_ACTIONS)[number];

/**
 * Actions that take an encryption context: a grant's encryption-context constraints bind these.
 * For the other actions a grant allows, its constraints do not apply (they have no context to test).
 */
export const CONTEXT_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'encrypt',
  'decrypt',
  'reEncryptFrom',
  'reEncryptTo',
  'generateDataKey',
  'generateDataKeyWithoutPlaintext',
  'generateDataKeyPair',
  'generateDataKeyPairWithoutPlaintext',
  'encryptDataKey',
  'decryptDataKey',
]);

/**
 * Actions the owner of a service-managed key may not perform: the cloud service manages the key (its
 * state, description, policy, tags, aliases, rotation, material and Regions); the owner uses and reads it
 * (reading import parameters included: the key's own checks then refuse them for its origin).
 */
export const SERVICE_MANAGED_REFUSED: ReadonlySet<Action> = new Set<Action>([
  'updateDescription',
  'enableKey',
  'disableKey',
  'scheduleDeletion',
  'cancelDeletion',
  'archiveKey',
  'cancelArchive',
  'bindResource',
  'unbindResource',
  'createAlias',
  'updateAlias',
  'deleteAlias',
  'tagKey',
  'untagKey',
  'putPolicy',
  'enableRotation',
  'disableRotation',
  'rotateNow',
  'importKeyMaterial',
  'deleteImportedKeyMaterial',
  'replicateKey',
  'updatePrimaryRegion',
]);

/**
 * Grants written before actions were neutral hold a dialect's operation names. Restoring maps them:
 * an AWS name is its action with a capital first letter; the Huawei names are listed here.
 */
const EARLIER_GRANT_OPERATIONS: Readonly<Record<string, Action>> = {
  'create-datakey': 'generateDataKey',
  'create-datakey-without-plaintext': 'generateDataKeyWithoutPlaintext',
  'encrypt-datakey': 'encryptDataKey',
  'decrypt-datakey': 'decryptDataKey',
  'describe-key': 'describeKey',
  'create-grant': 'createGrant',
  'retire-grant': 'retireGrant',
  'encrypt-data': 'encrypt',
  'decrypt-data': 'decrypt',
};

/** The action a stored grant operation names: itself when neutral, else its earlier dialect name mapped. */
export function storedGrantAction(operation: string): string {
  if (ACTION_SET.has(operation)) return operation;
  if (Object.hasOwn(EARLIER_GRANT_OPERATIONS, operation)) return EARLIER_GRANT_OPERATIONS[operation]!;
  const lowered = operation.charAt(0).toLowerCase() + operation.slice(1);
  return ACTION_SET.has(lowered) ? lowered : operation;
}
