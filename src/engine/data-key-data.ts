/**
 * Hosted data keys: data keys the service keeps on the caller's behalf, each a resource of its own
 * bound to the key that protects it. Records, the data-key state table, and snapshot entries; the
 * operations are in data-keys.ts.
 */

import * as z from 'zod/mini';
import { fromBase64, toBase64 } from '../crypto/bytes.js';
import { KmsError } from './errors.js';
import { lazy } from './schema.js';
import type { Realm } from './types.js';

export const DATA_KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion'] as const;
export type DataKeyState = (typeof DATA_KEY_STATES)[number];

/** GENERATED: the service drew it; EXTERNAL: the caller brought it (plaintext or a ciphertext of it). */
export type DataKeyOrigin = 'GENERATED' | 'EXTERNAL';

export interface DataKeyInfo {
  readonly id: string;
  readonly realm: Realm;
  /** The key that protects it (its ciphertext is sealed under that key). */
  readonly keyId: string;
  readonly name: string;
  readonly description: string;
  readonly state: DataKeyState;
  readonly origin: DataKeyOrigin;
  readonly numberOfBytes: number;
  readonly createdAt: number;
  /** The principal id of the creator. */
  readonly creator: string;
  readonly deletionDate: number | undefined;
  readonly tags: ReadonlyMap<string, string>;
}

/** The engine's record: the view plus the plaintext and its ciphertext, which leave only through their own operations and snapshots. */
export interface DataKeyRecord extends DataKeyInfo {
  name: string;
  description: string;
  state: DataKeyState;
  deletionDate: number | undefined;
  plaintext: Uint8Array;
  ciphertext: Uint8Array;
  tags: Map<string, string>;
  view?: DataKeyInfo;
}

/**
 * The data-key state table: for every data-key operation, what each data-key state does to it
 * (`ok`, or the neutral error the call gets). The state of the protecting key is checked apart,
 * through the key-state table's rows `useDataKey`, `enableDataKey` and `cancelDataKeyDeletion`.
 */
export type DataKeyOperation =
  | 'describeDataKey'
  | 'updateDataKey'
  | 'enableDataKey'
  | 'disableDataKey'
  | 'scheduleDataKeyDeletion'
  | 'cancelDataKeyDeletion'
  | 'getDataKeyPlaintext'
  | 'getDataKeyCiphertext';

type Outcome = 'ok' | 'Disabled' | 'InvalidState';
const ok = 'ok';
const DIS = 'Disabled';
const INV = 'InvalidState';

// prettier-ignore
const DATA_KEY_ROWS: Readonly<Record<DataKeyOperation, readonly [enabled: Outcome, disabled: Outcome, pendingDeletion: Outcome]>> = {
  //                          Enabled Disabled PendDel
  describeDataKey:            [ok,     ok,      ok ],
  updateDataKey:              [ok,     ok,      ok ],
  enableDataKey:              [ok,     ok,      INV],
  disableDataKey:             [ok,     ok,      INV],
  // As for keys: a data key is disabled before its deletion is scheduled.
  scheduleDataKeyDeletion:    [INV,    ok,      INV],
  cancelDataKeyDeletion:      [INV,    INV,     ok ],
  getDataKeyPlaintext:        [ok,     DIS,     INV],
  getDataKeyCiphertext:       [ok,     INV,     INV],
};

/** The table itself, for documentation and tests. */
export function dataKeyTable(): Array<{ operation: DataKeyOperation; outcomes: Record<DataKeyState, Outcome> }> {
  return (Object.keys(DATA_KEY_ROWS) as DataKeyOperation[]).map((operation) => ({
    operation,
    outcomes: Object.fromEntries(DATA_KEY_STATES.map((st, i) => [st, DATA_KEY_ROWS[operation][i]!])) as Record<DataKeyState, Outcome>,
  }));
}

const WORDS: Record<DataKeyState, string> = { Enabled: 'enabled', Disabled: 'disabled', PendingDeletion: 'pending deletion' };

/** Throws the table's error when the data key's state does not allow `operation`. */
export function assertDataKeyState(operation: DataKeyOperation, key: DataKeyRecord): void {
  const outcome = DATA_KEY_ROWS[operation][DATA_KEY_STATES.indexOf(key.state)]!;
  if (outcome === 'ok') return;
  const details = { resource: 'data-key' as const, keyId: key.id, state: key.state, operation };
  if (operation === 'cancelDataKeyDeletion') throw new KmsError('InvalidState', `Data key ${key.id} is not pending deletion.`, { ...details, reason: 'not-pending-deletion' });
  if (operation === 'scheduleDataKeyDeletion' && key.state === 'Enabled') {
    throw new KmsError('InvalidState', `Data key ${key.id} must be disabled before its deletion is scheduled.`, { ...details, reason: 'disable-before-deletion' });
  }
  throw new KmsError(outcome, `Data key ${key.id} is ${WORDS[key.state]}.`, details);
}

// ------------------------------------------------------------------ snapshot entries

/** Built on first use, as the snapshot's schemas are (./snapshot.ts). */
export const dataKeySchema = lazy(() => z.object({
  account: z.string().check(z.minLength(1), z.maxLength(255)),
  region: z.string().check(z.minLength(1), z.maxLength(255)),
  id: z.string().check(z.minLength(1), z.maxLength(255)),
  keyId: z.string().check(z.minLength(1), z.maxLength(255)),
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  description: z.string(),
  state: z.enum(DATA_KEY_STATES),
  origin: z.enum(['GENERATED', 'EXTERNAL']),
  createdAt: z.number(),
  creator: z.string(),
  deletionDate: z.optional(z.number()),
  tags: z.array(z.tuple([z.string(), z.string()])),
  plaintext: z.string().check(z.refine((s) => fromBase64(s) !== undefined, 'not base64')),
  ciphertext: z.string().check(z.refine((s) => fromBase64(s) !== undefined, 'not base64')),
}));
export type DataKeySnapshot = z.infer<typeof dataKeySchema>;

export const removedDataKeySchema = lazy(() => z.object({ account: z.string(), region: z.string(), id: z.string() }));

export function dataKeySnapshot(k: DataKeyRecord): DataKeySnapshot {
  return {
    account: k.realm.account,
    region: k.realm.region,
    id: k.id,
    keyId: k.keyId,
    name: k.name,
    description: k.description,
    state: k.state,
    origin: k.origin,
    createdAt: k.createdAt,
    creator: k.creator,
    ...(k.deletionDate !== undefined ? { deletionDate: k.deletionDate } : {}),
    tags: [...k.tags],
    plaintext: toBase64(k.plaintext),
    ciphertext: toBase64(k.ciphertext),
  };
}

export function dataKeyFromSnapshot(s: DataKeySnapshot, realm: Realm): DataKeyRecord {
  const plaintext = fromBase64(s.plaintext)!;
  return {
    id: s.id,
    realm,
    keyId: s.keyId,
    name: s.name,
    description: s.description,
    state: s.state,
    origin: s.origin,
    numberOfBytes: plaintext.length,
    createdAt: s.createdAt,
    creator: s.creator,
    deletionDate: s.deletionDate,
    tags: new Map(s.tags),
    plaintext,
    ciphertext: fromBase64(s.ciphertext)!,
  };
}

/** Checks a snapshot entry beyond its schema. */
export function checkDataKeySnapshot(s: DataKeySnapshot, invalid: (why: string) => Error): void {
  const n = fromBase64(s.plaintext)!.length;
  if (n < 1 || n > 1_048_576) throw invalid(`data key ${s.id} holds a key of the wrong size.`);
  if ((s.state === 'PendingDeletion') !== (s.deletionDate !== undefined)) throw invalid(`data key ${s.id} has a deletion date that does not fit its state.`);
}
