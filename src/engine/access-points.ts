/**
 * Access points: named entries through which a workload (a server, a container cluster, a custom
 * client) reaches a key space, grouped by the space's id. An access point has a kind (the dialect's
 * word), the workload's identity, an enabled state and, for kinds that prove themselves by
 * signature, a key pair made for it whose private key its owner downloads. The engine keeps them,
 * persists them in snapshots and change records, and does not evaluate them.
 */

import { resourceChanges, resourceSnapshots, type RemovedResource } from './realm-resources.js';
import * as z from 'zod/mini';
import { fromBase64, toBase64 } from '../crypto/bytes.js';
import { generateKeyPair } from '../crypto/asymmetric.js';
import { refuseDryRun } from './checks.js';
import { KmsError } from './errors.js';
import { realmKey } from './records.js';
import { lazy } from './schema.js';
import type { EngineState } from './state.js';
import type { CallContext, Realm } from './types.js';

export const ACCESS_POINT_STATES = ['Enabled', 'Disabled'] as const;
export type AccessPointState = (typeof ACCESS_POINT_STATES)[number];

export interface AccessPointInfo {
  readonly id: string;
  readonly realm: Realm;
  /** The key space it belongs to. */
  readonly space: string;
  readonly name: string;
  readonly kind: string;
  /** The workload's identity (a server id, a cluster's public key); '' when the kind takes a generated pair. */
  readonly identity: string;
  readonly cluster: string;
  readonly description: string;
  readonly state: AccessPointState;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The principal id of the creator. */
  readonly creator: string;
  /** Whether a key pair was made for it (its private key can be downloaded). */
  readonly hasKeyPair: boolean;
}

interface AccessPointRecord {
  id: string;
  realm: Realm;
  space: string;
  name: string;
  kind: string;
  identity: string;
  cluster: string;
  description: string;
  state: AccessPointState;
  createdAt: number;
  updatedAt: number;
  creator: string;
  /** PKCS#8 private key and SPKI public key of its pair, when it has one. */
  privateKey?: Uint8Array;
  publicKey?: Uint8Array;
}

export interface CreateAccessPointInput {
  space: string;
  name: string;
  kind: string;
  identity?: string;
  cluster?: string;
  description?: string;
  /** Make a key pair (EC P-256) for it. */
  keyPair?: boolean;
}

function pointsOf(s: EngineState, realm: Realm, create = false): Map<string, AccessPointRecord> | undefined {
  const k = realmKey(realm.account, realm.region);
  let points = s.accessPoints.get(k);
  if (!points && create) s.accessPoints.set(k, (points = new Map()));
  return points;
}

function view(r: AccessPointRecord): AccessPointInfo {
  return {
    id: r.id,
    realm: r.realm,
    space: r.space,
    name: r.name,
    kind: r.kind,
    identity: r.identity,
    cluster: r.cluster,
    description: r.description,
    state: r.state,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    creator: r.creator,
    hasKeyPair: r.privateKey !== undefined,
  };
}

function record(s: EngineState, ctx: CallContext, id: string): AccessPointRecord {
  const point = typeof id === 'string' ? pointsOf(s, ctx.realm)?.get(id) : undefined;
  if (!point) throw new KmsError('NotFound', `Access point ${String(id)} does not exist.`, { resource: 'access-point', accessPointId: id });
  return point;
}

function checkText(value: unknown, what: string, max: number, min = 0): string {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new KmsError('Validation', `The access point ${what} must be a string of ${min} to ${max} characters.`, { reason: 'access-point-field', field: what });
  }
  return value;
}

export async function createAccessPoint(s: EngineState, ctx: CallContext, input: CreateAccessPointInput): Promise<AccessPointInfo> {
  const space = checkText(input.space, 'space', 255, 1);
  const name = checkText(input.name, 'name', 255, 1);
  const kind = checkText(input.kind, 'kind', 64, 1);
  const identity = checkText(input.identity ?? '', 'identity', 65_536);
  const cluster = checkText(input.cluster ?? '', 'cluster', 255);
  const description = checkText(input.description ?? '', 'description', 255);
  const taken = () => {
    for (const p of pointsOf(s, ctx.realm)?.values() ?? []) {
      if (p.space === space && p.name === name) throw new KmsError('AlreadyExists', `An access point named ${name} already exists in ${space}.`, { resource: 'access-point', reason: 'access-point-name' });
    }
  };
  taken();
  refuseDryRun(ctx);
  const pair = input.keyPair ? await generateKeyPair('EC_P256', s.random) : undefined;
  // Checked again: another call may have taken the name while the pair was made.
  taken();
  const now = s.now();
  const realm = s.realmFor(ctx.realm).realm;
  const point: AccessPointRecord = { id: s.newId(), realm, space, name, kind, identity, cluster, description, state: 'Enabled', createdAt: now, updatedAt: now, creator: ctx.principal.id };
  if (pair) {
    point.privateKey = pair.privateKey;
    point.publicKey = pair.publicKey;
  }
  pointsOf(s, realm, true)!.set(point.id, point);
  s.changes.accessPoints.add(point);
  return view(point);
}

/** The realm's access points (of one key space, when given), in creation order. */
export function listAccessPoints(s: EngineState, ctx: CallContext, space?: string): AccessPointInfo[] {
  return [...(pointsOf(s, ctx.realm)?.values() ?? [])].filter((p) => space === undefined || p.space === space).map(view);
}

export function setAccessPointState(s: EngineState, ctx: CallContext, id: string, state: AccessPointState): AccessPointInfo {
  const point = record(s, ctx, id);
  refuseDryRun(ctx);
  if (point.state !== state) {
    point.state = state;
    point.updatedAt = s.now();
    s.changes.accessPoints.add(point);
  }
  return view(point);
}

export function deleteAccessPoint(s: EngineState, ctx: CallContext, id: string): AccessPointInfo {
  const point = record(s, ctx, id);
  refuseDryRun(ctx);
  pointsOf(s, point.realm)!.delete(id);
  s.changes.accessPoints.add(point);
  return view(point);
}

/** The access point's private key (PKCS#8) and public key (SPKI); Unsupported for one made without a pair. */
export function accessPointKeyPair(s: EngineState, ctx: CallContext, id: string): { accessPoint: AccessPointInfo; privateKey: Uint8Array; publicKey: Uint8Array } {
  const point = record(s, ctx, id);
  if (!point.privateKey || !point.publicKey) {
    throw new KmsError('Unsupported', `Access point ${id} has no key pair.`, { resource: 'access-point', reason: 'access-point-no-key-pair' });
  }
  return { accessPoint: view(point), privateKey: point.privateKey.slice(), publicKey: point.publicKey.slice() };
}

// ------------------------------------------------------------------ persistence

const base64 = () => z.string().check(z.refine((v) => fromBase64(v) !== undefined, 'not base64'));

export const accessPointSchema = lazy(() =>
  z.object({
    account: z.string().check(z.minLength(1), z.maxLength(255)),
    region: z.string().check(z.minLength(1), z.maxLength(255)),
    id: z.string().check(z.minLength(1), z.maxLength(255)),
    space: z.string().check(z.minLength(1), z.maxLength(255)),
    name: z.string().check(z.minLength(1), z.maxLength(255)),
    kind: z.string().check(z.minLength(1), z.maxLength(64)),
    identity: z.string().check(z.maxLength(65_536)),
    cluster: z.string().check(z.maxLength(255)),
    description: z.string().check(z.maxLength(255)),
    state: z.enum(ACCESS_POINT_STATES),
    createdAt: z.number(),
    updatedAt: z.number(),
    creator: z.string(),
    privateKey: z.optional(base64()),
    publicKey: z.optional(base64()),
  }),
);
export type AccessPointSnapshot = z.infer<typeof accessPointSchema>;

export const removedAccessPointSchema = lazy(() => z.object({ account: z.string(), region: z.string(), id: z.string() }));

function snapshotOf(p: AccessPointRecord): AccessPointSnapshot {
  const { realm, privateKey, publicKey, ...rest } = p;
  return {
    account: realm.account,
    region: realm.region,
    ...rest,
    ...(privateKey ? { privateKey: toBase64(privateKey) } : {}),
    ...(publicKey ? { publicKey: toBase64(publicKey) } : {}),
  };
}

export function accessPointSnapshots(s: EngineState): AccessPointSnapshot[] {
  return resourceSnapshots(s.accessPoints, snapshotOf);
}

export function accessPointChanges(s: EngineState, reset: boolean): { accessPoints?: AccessPointSnapshot[]; removedAccessPoints?: RemovedResource[] } {
  const { changed, removed } = resourceChanges(s.accessPoints, s.changes.accessPoints, snapshotOf, reset);
  return { ...(changed ? { accessPoints: changed } : {}), ...(removed ? { removedAccessPoints: removed } : {}) };
}

export function putAccessPoint(s: EngineState, d: AccessPointSnapshot): void {
  if ((d.privateKey === undefined) !== (d.publicKey === undefined)) {
    throw new KmsError('Validation', `Access point ${d.id} has half a key pair.`, { reason: 'snapshot' });
  }
  const realm = s.realmFor({ account: d.account, region: d.region }).realm;
  const { account: _a, region: _r, privateKey, publicKey, ...rest } = d;
  const point: AccessPointRecord = { ...rest, realm };
  if (privateKey !== undefined && publicKey !== undefined) {
    point.privateKey = fromBase64(privateKey)!;
    point.publicKey = fromBase64(publicKey)!;
  }
  pointsOf(s, realm, true)!.set(d.id, point);
}

export function removeAccessPoint(s: EngineState, r: { account: string; region: string; id: string }): void {
  pointsOf(s, r)?.delete(r.id);
}

export type { AccessPointRecord };
