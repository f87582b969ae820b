import * as z from 'zod/mini';
import { KmsError } from './errors.js';
import { lazy } from './schema.js';
import { checkWhiteBoxSnapshot, removedWhiteBoxSchema, whiteBoxSchema } from './white-box-data.js';
import { checkDataKeySnapshot, dataKeySchema, removedDataKeySchema } from './data-key-data.js';
import { removedStandalonePolicySchema, standalonePolicySchema } from './standalone-policies.js';
import { keyStoreSchema, removedKeyStoreSchema } from './key-store-data.js';
import { accessPointSchema, removedAccessPointSchema } from './access-points.js';
import { aliasSchema, auditSchema, base64Schema, checkKeySnapshot, keySchema, keyUseObject } from './snapshot.js';

/**
 * A change record: what changed in an engine since the previous one (Engine.takeChanges), applied
 * in order on top of a snapshot by Engine.applyChanges. Keys and aliases are serialized exactly as
 * in a snapshot; a record names removed keys and aliases by id and name. Durable stores append one
 * record per commit to a journal.
 */
export const CHANGES_FORMAT = 'kms-emulator/changes';
export const CHANGES_VERSION = 1;

// Built on first use, as the snapshot's schemas are (./snapshot.ts).
const realmChangesSchema = lazy(() => z.object({
  account: z.string().check(z.minLength(1), z.maxLength(255)),
  region: z.string().check(z.minLength(1), z.maxLength(255)),
  /** Keys created or changed, in full. */
  keys: z.array(keySchema),
  removedKeys: z.array(z.string().check(z.minLength(1))),
  /** Aliases created or changed, in full. */
  aliases: z.array(aliasSchema),
  removedAliases: z.array(z.string().check(z.minLength(1))),
  /** Last uses of keys used since the previous record and not among `keys` (absent when none). */
  lastUses: z.optional(z.array(z.extend(keyUseObject(), { keyId: z.string().check(z.minLength(1)) }))),
}));

export const changesSchema = lazy(() => z.object({
  format: z.literal(CHANGES_FORMAT),
  version: z.literal(CHANGES_VERSION),
  /** The whole state follows (after a restore): applying it first clears keys, aliases and the audit log. */
  reset: z.optional(z.boolean()),
  /** The engine's sequence counter after the changes. */
  seq: z.number().check(z.int(), z.nonnegative()),
  /** Present once: the secret that signs paging markers. */
  markerSecret: z.optional(base64Schema),
  /** The seeded random stream's position after the changes. */
  random: z.object({ seed: z.optional(z.string()), position: z.optional(z.number().check(z.int(), z.nonnegative())) }),
  realms: z.array(realmChangesSchema),
  /** Audit events appended since the previous record, oldest first. */
  audit: z.array(auditSchema),
  /** White-box keys created or changed, in full. */
  whiteBoxKeys: z.optional(z.array(whiteBoxSchema)),
  removedWhiteBoxKeys: z.optional(z.array(removedWhiteBoxSchema)),
  /** Hosted data keys created or changed, in full. */
  dataKeys: z.optional(z.array(dataKeySchema)),
  removedDataKeys: z.optional(z.array(removedDataKeySchema)),
  standalonePolicies: z.optional(z.array(standalonePolicySchema)),
  removedStandalonePolicies: z.optional(z.array(removedStandalonePolicySchema)),
  /** Key stores created or changed, in full. */
  keyStores: z.optional(z.array(keyStoreSchema)),
  removedKeyStores: z.optional(z.array(removedKeyStoreSchema)),
  /** Access points created or changed, in full. */
  accessPoints: z.optional(z.array(accessPointSchema)),
  removedAccessPoints: z.optional(z.array(removedAccessPointSchema)),
}));

export type EngineChanges = z.infer<typeof changesSchema>;
export type RealmChanges = z.infer<typeof realmChangesSchema>;

export function parseChanges(document: unknown): EngineChanges {
  const result = changesSchema.safeParse(document);
  const invalid = (why: string) => new KmsError('Validation', `Invalid change record: ${why}`, { reason: 'changes' });
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw invalid(`${where ? `at '${where}': ` : ''}${issue?.message ?? 'malformed document'}`);
  }
  const doc = result.data;
  for (const realm of doc.realms) {
    for (const key of realm.keys) {
      if (key.seq > doc.seq) throw invalid(`key ${key.id} has a sequence number above the counter.`);
      checkKeySnapshot(key, invalid);
    }
    for (const alias of realm.aliases) {
      if (alias.seq > doc.seq) throw invalid(`alias ${alias.name} has a sequence number above the counter.`);
    }
  }
  for (const w of doc.whiteBoxKeys ?? []) checkWhiteBoxSnapshot(w, invalid);
  for (const d of doc.dataKeys ?? []) checkDataKeySnapshot(d, invalid);
  return doc;
}
