import { KmsError } from './errors.js';
import type { KeyState } from './types.js';

/**
 * The key-state table: for every engine operation, what each key state does to it.
 * `ok` lets the call through; any other entry is the neutral error the call gets.
 * "Can I encrypt with a disabled key?" — row `encrypt`, column Disabled: no, `Disabled`.
 */
export type Outcome = 'ok' | 'Disabled' | 'InvalidState' | 'Unsupported';

const ok = 'ok';
const DIS = 'Disabled';
const INV = 'InvalidState';
const UNS = 'Unsupported';

type Row = readonly [
  enabled: Outcome,
  disabled: Outcome,
  pendingDeletion: Outcome,
  pendingImport: Outcome,
  unavailable: Outcome,
  archived: Outcome,
];

// prettier-ignore
const ROWS = {
  //                         Enabled  Disabled PendDel  PendImp  Unavail  Archived
  describeKey:              [ok,      ok,      ok,      ok,      ok,      ok ],
  updateDescription:        [ok,      ok,      INV,     ok,      ok,      ok ],
  enableKey:                [ok,      ok,      INV,     INV,     ok,      INV],
  disableKey:               [ok,      ok,      INV,     INV,     ok,      INV],
  scheduleDeletion:         [ok,      ok,      INV,     ok,      ok,      INV],
  cancelDeletion:           [INV,     INV,     ok,      INV,     INV,     INV],
  encrypt:                  [ok,      DIS,     INV,     INV,     INV,     INV],
  decrypt:                  [ok,      DIS,     INV,     INV,     INV,     ok ],
  // Archived keys still open envelopes, but not public-key ciphertexts (Tencent: Enabled only).
  decryptAsymmetric:        [ok,      DIS,     INV,     INV,     INV,     INV],
  reEncryptFrom:            [ok,      DIS,     INV,     INV,     INV,     ok ],
  reEncryptTo:              [ok,      DIS,     INV,     INV,     INV,     INV],
  generateDataKey:          [ok,      DIS,     INV,     INV,     INV,     INV],
  generateDataKeyPair:      [ok,      DIS,     INV,     INV,     INV,     INV],
  getPublicKey:             [ok,      DIS,     INV,     INV,     INV,     INV],
  sign:                     [ok,      DIS,     INV,     INV,     INV,     INV],
  verify:                   [ok,      DIS,     INV,     INV,     INV,     INV],
  deriveSharedSecret:       [ok,      DIS,     INV,     INV,     INV,     INV],
  generateMac:              [ok,      DIS,     INV,     INV,     INV,     INV],
  verifyMac:                [ok,      DIS,     INV,     INV,     INV,     INV],
  encapsulate:              [ok,      DIS,     INV,     INV,     INV,     INV],
  decapsulate:              [ok,      DIS,     INV,     INV,     INV,     INV],
  createAlias:              [ok,      ok,      INV,     ok,      ok,      ok ],
  updateAlias:              [ok,      ok,      INV,     ok,      ok,      ok ],
  deleteAlias:              [ok,      ok,      ok,      ok,      ok,      ok ],
  tagKey:                   [ok,      ok,      INV,     ok,      ok,      ok ],
  untagKey:                 [ok,      ok,      INV,     ok,      ok,      ok ],
  listTags:                 [ok,      ok,      ok,      ok,      ok,      ok ],
  getPolicy:                [ok,      ok,      ok,      ok,      ok,      ok ],
  putPolicy:                [ok,      ok,      ok,      ok,      ok,      ok ],
  listPolicies:             [ok,      ok,      ok,      ok,      ok,      ok ],
  enableRotation:           [ok,      DIS,     INV,     UNS,     INV,     INV],
  disableRotation:          [ok,      DIS,     INV,     UNS,     INV,     INV],
  getRotationStatus:        [ok,      ok,      ok,      UNS,     ok,      ok ],
  rotateNow:                [ok,      DIS,     INV,     INV,     INV,     INV],
  listRotations:            [ok,      ok,      ok,      ok,      ok,      ok ],
  // Grants: created while the key can be used or made usable; listed, retired and revoked in any state.
  createGrant:              [ok,      ok,      INV,     ok,      ok,      ok ],
  listGrants:               [ok,      ok,      ok,      ok,      ok,      ok ],
  retireGrant:              [ok,      ok,      ok,      ok,      ok,      ok ],
  revokeGrant:              [ok,      ok,      ok,      ok,      ok,      ok ],
  // Archiving again is a no-op; cancelArchive names its own reason (see assertLifecycle).
  archiveKey:               [ok,      INV,     INV,     INV,     INV,     ok ],
  cancelArchive:            [INV,     INV,     INV,     INV,     INV,     ok ],
  bindResource:             [ok,      ok,      INV,     ok,      INV,     ok ],
  unbindResource:           [ok,      ok,      INV,     ok,      INV,     ok ],
  // Import rows are the union of the providers (AWS: Enabled, Disabled, PendingImport); dialects
  // narrow them (Tencent refuses Disabled, Huawei imports into PendingImport only).
  getImportParameters:      [ok,      ok,      INV,     ok,      INV,     INV],
  importKeyMaterial:        [ok,      ok,      INV,     ok,      INV,     INV],
  // AWS deletes material of a key pending deletion and leaves its state; Huawei allows Enabled and Disabled only.
  deleteImportedKeyMaterial:[ok,      ok,      ok,      ok,      INV,     INV],
} as const satisfies Record<string, Row>;

export type LifecycleOperation = keyof typeof ROWS;

/**
 * Lifecycle operations that leave the key record as it was (reads, cryptography, alias writes,
 * which change the alias and not the key). Every other operation marks its key changed once the
 * state table lets it through, so a new operation is durable by default: forgetting to list a
 * read here costs a disk write, never a lost change (see persistence.ts).
 */
export const KEY_UNCHANGED: ReadonlySet<LifecycleOperation> = new Set<LifecycleOperation>([
  'describeKey',
  'encrypt',
  'decrypt',
  'reEncryptFrom',
  'reEncryptTo',
  'generateDataKey',
  'generateDataKeyPair',
  'getPublicKey',
  'sign',
  'verify',
  'deriveSharedSecret',
  'generateMac',
  'verifyMac',
  'encapsulate',
  'decapsulate',
  'createAlias',
  'updateAlias',
  'deleteAlias',
  'listTags',
  'getPolicy',
  'listPolicies',
  'getRotationStatus',
  'listRotations',
  'decryptAsymmetric',
  'listGrants',
]);

const COLUMNS = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Archived'] as const;

/** States only multi-Region keys reach borrow a column: replica deletion acts as deletion. */
function column(state: KeyState): number {
  switch (state) {
    case 'PendingReplicaDeletion':
      return 2;
    case 'Updating':
      return 0;
    case 'Creating':
      return 4;
    default:
      return COLUMNS.indexOf(state);
  }
}

export function lifecycleOutcome(operation: LifecycleOperation, state: KeyState): Outcome {
  return ROWS[operation][column(state)]!;
}

const STATE_WORDS: Record<KeyState, string> = {
  Creating: 'being created',
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDeletion: 'pending deletion',
  PendingImport: 'pending import',
  PendingReplicaDeletion: 'pending replica deletion',
  Unavailable: 'unavailable',
  Updating: 'being updated',
  Archived: 'archived',
};

/** Throws the table's error when `state` does not allow `operation`. */
export function assertLifecycle(operation: LifecycleOperation, key: { id: string; state: KeyState }): void {
  const outcome = lifecycleOutcome(operation, key.state);
  if (outcome === 'ok') return;
  const details = { resource: 'key' as const, keyId: key.id, state: key.state, operation };
  if (outcome === 'InvalidState' && operation === 'cancelDeletion') {
    throw new KmsError('InvalidState', `Key ${key.id} is not pending deletion.`, { ...details, reason: 'not-pending-deletion' });
  }
  if (outcome === 'InvalidState' && operation === 'cancelArchive') {
    throw new KmsError('InvalidState', `Key ${key.id} is not archived.`, { ...details, reason: 'not-archived' });
  }
  throw new KmsError(outcome, `Key ${key.id} is ${STATE_WORDS[key.state]}.`, details);
}

/** The table itself, for documentation and tests. */
export function lifecycleTable(): Array<{ operation: LifecycleOperation; outcomes: Record<string, Outcome> }> {
  return (Object.keys(ROWS) as LifecycleOperation[]).map((operation) => ({
    operation,
    outcomes: Object.fromEntries(COLUMNS.map((c, i) => [c, ROWS[operation][i]!])),
  }));
}
