import { KmsError } from './errors.js';
import type { KeyState, StateRules } from './types.js';

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
  pendingReplicaDeletion: Outcome,
  updating: Outcome,
  creating: Outcome,
];

// prettier-ignore
const ROWS = {
  //                         Enabled  Disabled PendDel  PendImp  Unavail  Archived PendRepl Updating Creating
  describeKey:              [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  getKeyLastUsage:          [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  updateDescription:        [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      ok ],
  // A replica being made, or a key changing its primary Region, is neither enabled nor disabled.
  enableKey:                [ok,      ok,      INV,     INV,     ok,      INV,     INV,     INV,     INV],
  disableKey:               [ok,      ok,      INV,     INV,     ok,      INV,     INV,     INV,     INV],
  // A replica being made can be scheduled for deletion; a key changing its primary Region cannot.
  scheduleDeletion:         [ok,      ok,      INV,     ok,      ok,      INV,     INV,     INV,     ok ],
  cancelDeletion:           [INV,     INV,     ok,      INV,     INV,     INV,     ok,      INV,     INV],
  encrypt:                  [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  decrypt:                  [ok,      DIS,     INV,     INV,     INV,     ok,      INV,     ok,      INV],
  // Archived keys still open envelopes, but not public-key ciphertexts (Tencent: Enabled only).
  decryptAsymmetric:        [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  reEncryptFrom:            [ok,      DIS,     INV,     INV,     INV,     ok,      INV,     ok,      INV],
  reEncryptTo:              [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  generateDataKey:          [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  generateDataKeyPair:      [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  getPublicKey:             [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  sign:                     [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  verify:                   [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  deriveSharedSecret:       [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  generateMac:              [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  verifyMac:                [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  encapsulate:              [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  decapsulate:              [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  createAlias:              [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      ok ],
  updateAlias:              [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      ok ],
  deleteAlias:              [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  tagKey:                   [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      ok ],
  untagKey:                 [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      ok ],
  listTags:                 [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  getPolicy:                [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  putPolicy:                [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  listPolicies:             [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  enableRotation:           [ok,      DIS,     INV,     UNS,     INV,     INV,     INV,     ok,      INV],
  disableRotation:          [ok,      DIS,     INV,     UNS,     INV,     INV,     INV,     ok,      INV],
  getRotationStatus:        [ok,      ok,      ok,      UNS,     ok,      ok,      ok,      ok,      ok ],
  rotateNow:                [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  listRotations:            [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  // Grants: created while the key can be used or made usable; listed, retired and revoked in any state.
  createGrant:              [ok,      ok,      INV,     ok,      ok,      ok,      INV,     ok,      INV],
  listGrants:               [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  retireGrant:              [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  revokeGrant:              [ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok,      ok ],
  // Archiving again is a no-op; cancelArchive names its own reason (see assertLifecycle).
  archiveKey:               [ok,      INV,     INV,     INV,     INV,     ok,      INV,     ok,      INV],
  cancelArchive:            [INV,     INV,     INV,     INV,     INV,     ok,      INV,     INV,     INV],
  bindResource:             [ok,      ok,      INV,     ok,      INV,     ok,      INV,     ok,      INV],
  unbindResource:           [ok,      ok,      INV,     ok,      INV,     ok,      INV,     ok,      INV],
  // Import rows are the union of the providers (AWS: Enabled, Disabled, PendingImport); dialects
  // narrow them (Tencent refuses Disabled, Huawei imports into PendingImport only).
  getImportParameters:      [ok,      ok,      INV,     ok,      INV,     INV,     INV,     INV,     INV],
  importKeyMaterial:        [ok,      ok,      INV,     ok,      INV,     INV,     INV,     ok,      INV],
  // AWS deletes material of a key pending deletion and leaves its state; Huawei allows Enabled and Disabled only.
  deleteImportedKeyMaterial:[ok,      ok,      ok,      ok,      INV,     INV,     ok,      INV,     INV],
  // Hosted data keys (data-keys.ts): the protecting key's state when a data key is read out,
  // enabled, or brought back from pending deletion (the data key's own state: data-key-data.ts).
  getDataKeyPlaintext:      [ok,      DIS,     INV,     INV,     INV,     ok,      INV,     ok,      INV],
  enableDataKey:            [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
  cancelDataKeyDeletion:    [ok,      ok,      INV,     INV,     INV,     ok,      INV,     ok,      INV],
  // Multi-Region keys (replicas.ts): an enabled primary is replicated, and hands its role to a replica.
  replicateKey:             [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     INV,     INV],
  updatePrimaryRegion:      [ok,      DIS,     INV,     INV,     INV,     INV,     INV,     ok,      INV],
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
  'getKeyLastUsage',
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
  'getDataKeyPlaintext',
  'enableDataKey',
  'cancelDataKeyDeletion',
]);

/**
 * One column per key state. The states only multi-Region keys reach follow AWS's key-state table:
 * PendingReplicaDeletion reads as PendingDeletion; Updating (a primary Region changing) allows
 * cryptography and most management but not enabling, disabling, deletion or replication; Creating
 * (a replica being made) allows management (description, tags, aliases, policies, deletion) only.
 */
const COLUMNS = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Archived', 'PendingReplicaDeletion', 'Updating', 'Creating'] as const;
const COLUMN_OF: Readonly<Record<KeyState, number>> = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as Record<KeyState, number>;

function column(state: KeyState): number {
  return COLUMN_OF[state];
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

/**
 * Rule sets that differ from the neutral rows: where a provider allows fewer (or, documented, more)
 * states for an operation, its dialect names its rule set in the call (CallContext.stateRules) and
 * the override row decides. A refusal by an override row where the neutral row allows the call is
 * InvalidState with reason 'state-rule' and the rule's name, for the dialect to word as its provider
 * does; where both refuse, the neutral refusal stands; where the override row allows a state the
 * neutral row refuses, the call goes through.
 */
export type { StateRules } from './types.js';

interface OverrideRow {
  readonly row: Row;
  /** What the rule is, for the dialect's error mapping and the generated docs. */
  readonly rule: string;
}

// prettier-ignore
const OVERRIDES: Readonly<Record<StateRules, Partial<Record<LifecycleOperation, OverrideRow>>>> = {
  tencent: {
    //                                  Enabled  Disabled PendDel  PendImp  Unavail  Archived PendRepl Updating Creating
    // Tencent: a key is disabled before its deletion is scheduled.
    scheduleDeletion:          { row: [INV,     ok,      INV,     ok,      ok,      INV,     INV,     INV,     ok ], rule: 'disable-before-deletion' },
    // Tencent imports into a key waiting for material, or re-imports into an enabled one.
    getImportParameters:       { row: [ok,      INV,     INV,     ok,      INV,     INV,     INV,     ok,      INV], rule: 'import-state' },
    importKeyMaterial:         { row: [ok,      INV,     INV,     ok,      INV,     INV,     INV,     ok,      INV], rule: 'import-state' },
    // Tencent documents no state error for DisableKeyRotation: turning rotation off is refused in no
    // state a key with rotation can be in (wider than the neutral row).
    disableRotation:           { row: [ok,      ok,      ok,      UNS,     INV,     ok,      INV,     ok,      INV], rule: 'rotation-off-any-state' },
  },
  huawei: {
    // Huawei enables a disabled key only and disables an enabled key only.
    enableKey:                 { row: [INV,     ok,      INV,     INV,     INV,     INV,     INV,     INV,     INV], rule: 'enable-disabled-only' },
    disableKey:                { row: [ok,      INV,     INV,     INV,     INV,     INV,     INV,     ok,      INV], rule: 'disable-enabled-only' },
    // Huawei imports into a key waiting for material only, and deletes material of usable keys only.
    importKeyMaterial:         { row: [INV,     INV,     INV,     ok,      INV,     INV,     INV,     INV,     INV], rule: 'import-pending-only' },
    deleteImportedKeyMaterial: { row: [ok,      ok,      INV,     INV,     INV,     INV,     INV,     ok,      INV], rule: 'delete-material-usable-only' },
  },
};

/** The override row of `rules` for `operation`, if it has one. */
function overrideOf(rules: StateRules | undefined, operation: LifecycleOperation): OverrideRow | undefined {
  return rules === undefined ? undefined : OVERRIDES[rules][operation];
}

/** Throws the table's error when `state` does not allow `operation` (under `rules`, when a dialect names its own). */
export function assertLifecycle(operation: LifecycleOperation, key: { id: string; state: KeyState }, rules?: StateRules): void {
  const outcome = lifecycleOutcome(operation, key.state);
  const details = { resource: 'key' as const, keyId: key.id, state: key.state, operation };
  const override = overrideOf(rules, operation);
  const narrowed = override?.row[column(key.state)];
  // The provider's row allows the state (it may allow more than the neutral row).
  if (narrowed === 'ok') return;
  if (outcome === 'ok') {
    if (override) {
      throw new KmsError(narrowed!, `Key ${key.id} is ${STATE_WORDS[key.state]}.`, { ...details, reason: 'state-rule', rule: override.rule });
    }
    return;
  }
  if (outcome === 'InvalidState' && operation === 'cancelDeletion') {
    throw new KmsError('InvalidState', `Key ${key.id} is not pending deletion.`, { ...details, reason: 'not-pending-deletion' });
  }
  if (outcome === 'InvalidState' && operation === 'cancelArchive') {
    throw new KmsError('InvalidState', `Key ${key.id} is not archived.`, { ...details, reason: 'not-archived' });
  }
  throw new KmsError(outcome, `Key ${key.id} is ${STATE_WORDS[key.state]}.`, details);
}

/** The override rows, for documentation and tests. */
export function lifecycleOverrides(): Array<{ rules: StateRules; operation: LifecycleOperation; rule: string; outcomes: Record<string, Outcome> }> {
  const out: Array<{ rules: StateRules; operation: LifecycleOperation; rule: string; outcomes: Record<string, Outcome> }> = [];
  for (const rules of Object.keys(OVERRIDES) as StateRules[]) {
    for (const [operation, o] of Object.entries(OVERRIDES[rules]) as Array<[LifecycleOperation, OverrideRow]>) {
      // The override row's ok stands; where it refuses, a state the neutral row refuses keeps the neutral error.
      const outcomes = Object.fromEntries(COLUMNS.map((c, i): [string, Outcome] => [c, o.row[i] === 'ok' ? 'ok' : ROWS[operation][i] !== 'ok' ? ROWS[operation][i]! : o.row[i]!]));
      out.push({ rules, operation, rule: o.rule, outcomes });
    }
  }
  return out;
}

/** The table itself, for documentation and tests. */
export function lifecycleTable(): Array<{ operation: LifecycleOperation; outcomes: Record<string, Outcome> }> {
  return (Object.keys(ROWS) as LifecycleOperation[]).map((operation) => ({
    operation,
    outcomes: Object.fromEntries(COLUMNS.map((c, i) => [c, ROWS[operation][i]!])),
  }));
}
