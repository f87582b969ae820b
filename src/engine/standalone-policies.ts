/**
 * Standalone policies: named policy documents of a realm that are resources of their own (an id, a
 * name unique within its scope, a description, a creator and dates), attached to a scope the dialect
 * names (an id of a container of keys), not to one key. Stored, listed and replaced; evaluating them is
 * the authorization module's work. Records, snapshot entries and operations.
 */

import { resourceChanges, resourceSnapshots } from './realm-resources.js';
import * as z from 'zod/mini';
import { refuseDryRun } from './checks.js';
import { KmsError } from './errors.js';
import { lazy } from './schema.js';
import { realmKey } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, Realm } from './types.js';
import type { EngineChanges } from './changes.js';

export interface StandalonePolicyInfo {
  readonly id: string;
  readonly realm: Realm;
  /** The container it belongs to (an id the dialect gives). */
  readonly scope: string;
  readonly name: string;
  /** The document, as the dialect stores it (the engine does not read it). */
  readonly document: string;
  readonly description: string;
  /** The principal id of the creator. */
  readonly creator: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type StandalonePolicyRecord = { -readonly [K in keyof StandalonePolicyInfo]: StandalonePolicyInfo[K] };

/** Built on first use, as the snapshot's schemas are (./snapshot.ts). */
export const standalonePolicySchema = lazy(() =>
  z.object({
    account: z.string().check(z.minLength(1), z.maxLength(255)),
    region: z.string().check(z.minLength(1), z.maxLength(255)),
    id: z.string().check(z.minLength(1), z.maxLength(255)),
    scope: z.string().check(z.minLength(1), z.maxLength(255)),
    name: z.string().check(z.minLength(1), z.maxLength(255)),
    document: z.string().check(z.maxLength(1_048_576)),
    description: z.string().check(z.maxLength(65_536)),
    creator: z.string().check(z.maxLength(1024)),
    createdAt: z.number(),
    updatedAt: z.number(),
  }),
);
export type StandalonePolicySnapshot = z.infer<typeof standalonePolicySchema>;
export const removedStandalonePolicySchema = lazy(() => z.object({ account: z.string(), region: z.string(), id: z.string() }));

function snapshotOf(p: StandalonePolicyRecord): StandalonePolicySnapshot {
  const { realm, ...rest } = p;
  return { account: realm.account, region: realm.region, ...rest };
}

const view = (p: StandalonePolicyRecord): StandalonePolicyInfo => ({ ...p });

function realmPolicies(s: EngineState, realm: Realm): Map<string, StandalonePolicyRecord> | undefined {
  return s.standalonePolicies.get(realmKey(realm.account, realm.region));
}

function record(s: EngineState, ctx: CallContext, id: string): StandalonePolicyRecord {
  const p = realmPolicies(s, ctx.realm)?.get(id);
  if (!p) throw new KmsError('NotFound', `Policy ${id} does not exist.`, { resource: 'policy', policyId: id });
  return p;
}

export function createStandalonePolicy(s: EngineState, ctx: CallContext, input: { scope: string; name: string; document: string; description?: string }): StandalonePolicyInfo {
  const existing = realmPolicies(s, ctx.realm);
  for (const p of existing?.values() ?? []) {
    if (p.scope === input.scope && p.name === input.name) {
      throw new KmsError('AlreadyExists', `A policy named ${input.name} already exists.`, { resource: 'policy', policyName: input.name });
    }
  }
  refuseDryRun(ctx);
  const now = s.now();
  const realm = s.realmFor(ctx.realm).realm;
  const p: StandalonePolicyRecord = {
    id: s.newId(),
    realm,
    scope: input.scope,
    name: input.name,
    document: input.document,
    description: input.description ?? '',
    creator: ctx.principal.id,
    createdAt: now,
    updatedAt: now,
  };
  const k = realmKey(realm.account, realm.region);
  const map = existing ?? new Map<string, StandalonePolicyRecord>();
  map.set(p.id, p);
  s.standalonePolicies.set(k, map);
  s.changes.standalonePolicies.add(p);
  return view(p);
}

export function getStandalonePolicy(s: EngineState, ctx: CallContext, id: string): StandalonePolicyInfo {
  return view(record(s, ctx, id));
}

/** The realm's policies of one scope (or all), oldest first. */
export function listStandalonePolicies(s: EngineState, ctx: CallContext, scope?: string): StandalonePolicyInfo[] {
  return [...(realmPolicies(s, ctx.realm)?.values() ?? [])].filter((p) => scope === undefined || p.scope === scope).map(view);
}

export function updateStandalonePolicy(s: EngineState, ctx: CallContext, id: string, change: { document: string; description?: string }): StandalonePolicyInfo {
  const p = record(s, ctx, id);
  refuseDryRun(ctx);
  p.document = change.document;
  if (change.description !== undefined) p.description = change.description;
  p.updatedAt = s.now();
  s.changes.standalonePolicies.add(p);
  return view(p);
}

export function deleteStandalonePolicy(s: EngineState, ctx: CallContext, id: string): StandalonePolicyInfo {
  const p = record(s, ctx, id);
  refuseDryRun(ctx);
  realmPolicies(s, ctx.realm)!.delete(id);
  s.changes.standalonePolicies.add(p);
  return view(p);
}

// ------------------------------------------------------------------ persistence

export function standalonePolicySnapshots(s: EngineState): StandalonePolicySnapshot[] {
  return resourceSnapshots(s.standalonePolicies, snapshotOf);
}

/** The part of a change record: changed policies in full, removed ones by id (everything after a reset). */
export function standalonePolicyChanges(s: EngineState, reset: boolean): Pick<EngineChanges, 'standalonePolicies' | 'removedStandalonePolicies'> {
  const { changed, removed } = resourceChanges(s.standalonePolicies, s.changes.standalonePolicies, snapshotOf, reset);
  return { ...(changed ? { standalonePolicies: changed } : {}), ...(removed ? { removedStandalonePolicies: removed } : {}) };
}

/** Puts a policy from a snapshot or change record in place (replacing one with its id). */
export function putStandalonePolicy(s: EngineState, p: StandalonePolicySnapshot): void {
  const { account, region, ...rest } = p;
  const realm = s.realmFor({ account, region }).realm;
  const k = realmKey(account, region);
  const map = s.standalonePolicies.get(k) ?? new Map<string, StandalonePolicyRecord>();
  map.set(p.id, { ...rest, realm });
  s.standalonePolicies.set(k, map);
}

export function removeStandalonePolicy(s: EngineState, r: { account: string; region: string; id: string }): void {
  s.standalonePolicies.get(realmKey(r.account, r.region))?.delete(r.id);
}
