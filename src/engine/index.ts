export * from './types.js';
export * from './errors.js';
export * from './clock.js';
export * from './lifecycle.js';
export * from './audit.js';
export * from './specs.js';
export { Engine, type EngineOptions, type CreateKeyInput } from './engine.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type EngineSnapshot, type DeferredKeys } from './snapshot.js';
export { CHANGES_FORMAT, CHANGES_VERSION, type EngineChanges } from './changes.js';
export { DEFAULT_IMPORT_VALIDITY_MS, IMPORT_TOKEN_BYTES, MAX_IMPORT_PARAMETER_SETS } from './import.js';
export { DEFAULT_GRANTS_PER_KEY, type GrantInfo, type GrantConstraints, type CreateGrantInput } from './grant-data.js';
export {
  DEFAULT_WHITE_BOX_KEY_LIMIT,
  WHITE_BOX_ALGORITHMS,
  type WhiteBoxAlgorithm,
  type WhiteBoxKeyInfo,
  type DeviceFingerprint,
  type CreateWhiteBoxKeyInput,
} from './white-box-data.js';
export { DATA_KEY_STATES, dataKeyTable, type DataKeyInfo, type DataKeyOrigin, type DataKeySource, type DataKeyState, type HostDataKeyInput } from './data-keys.js';
export { CONNECTION_STATES, KEY_STORE_STATES, type ConnectionState, type KeyStoreInfo, type KeyStoreState, type StoreConnection } from './key-store-data.js';
export type { CreateKeyStoreInput } from './key-stores.js';
export type { ConnectInput, UpdateKeyStoreInput } from './key-store-connections.js';
export type { ExternalCiphertext, ExternalKeyCipher, ExternalKeyRequest } from './external-keys.js';
export { ACCESS_POINT_STATES, type AccessPointInfo, type AccessPointState, type CreateAccessPointInput } from './access-points.js';
export { ACTIONS, GRANTABLE_ACTIONS, CONTEXT_ACTIONS, isAction, type Action, type GrantableAction } from './actions.js';
export type { KeyUse, KeyUsageInfo } from './usage.js';
