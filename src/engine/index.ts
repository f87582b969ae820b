export * from './types.js';
export * from './errors.js';
export * from './clock.js';
export * from './lifecycle.js';
export * from './audit.js';
export * from './specs.js';
export { Engine, type EngineOptions, type CreateKeyInput } from './engine.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type EngineSnapshot } from './snapshot.js';
export { CHANGES_FORMAT, CHANGES_VERSION, type EngineChanges } from './changes.js';
