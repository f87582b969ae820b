/**
 * Huawei access points of a trusted key space: create-access-point, list-access-point,
 * enable/disable/delete-access-point, download-access-point-private-key, over the engine's
 * access-point room (engine/access-points.ts). A Custom access point (type 3) gets a key pair at
 * creation; its private key is downloaded as PKCS#8 PEM. Huawei's API has no call that creates a
 * key space: any key space id of UUID form is taken (docs/huawei.md).
 */
import { toPem } from '../../crypto/keys.js';
import type { AccessPointInfo } from '../../engine/access-points.js';
import { kmsError } from './errors.js';
import { ms } from './metadata.js';
import type { Handler } from './call.js';

/** type: 1 ECS (identity: the server id), 2 CCE (identity: the cluster's public key, cluster_id required), 3 Custom (a generated key pair). */
const KINDS: Readonly<Record<number, string>> = { 1: 'ECS', 2: 'CCE', 3: 'CUSTOM' };
const TYPE_OF: Readonly<Record<string, number>> = { ECS: 1, CCE: 2, CUSTOM: 3 };
/** state: as key_state words a key's ("2" enabled, "3" disabled), as an integer. */
const STATE = { Enabled: 2, Disabled: 3 } as const;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAME = /^[a-zA-Z0-9:/_-]{1,255}$/;

export const createAccessPoint: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const space = body.keyspace_id as string;
  const name = body.access_point_name as string;
  const type = body.type as number;
  if (!UUID.test(space) || !NAME.test(name) || !Object.hasOwn(KINDS, type)) throw kmsError('KMS.0308');
  const identity = body.identity as string | undefined;
  const cluster = body.cluster_id as string | undefined;
  const description = body.description as string | undefined;
  if (description !== undefined && [...description].length > 255) throw kmsError('KMS.0308');
  // An ECS or CCE access point names its workload; a CCE one its cluster too. A Custom one proves itself with its own key pair.
  if (type !== 3 && (identity === undefined || identity === '')) throw kmsError('KMS.0204');
  if (type === 2 && (cluster === undefined || cluster === '')) throw kmsError('KMS.0204');
  if (identity !== undefined && identity.length > 65_536) throw kmsError('KMS.0308');
  if (engine.listAccessPoints(ctx, space).some((p) => p.name === name)) throw kmsError('KMS.0308');
  const point = await engine.createAccessPoint(ctx, {
    space,
    name,
    kind: KINDS[type]!,
    ...(type !== 3 && identity !== undefined ? { identity } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(description !== undefined ? { description } : {}),
    keyPair: type === 3,
  });
  call.trail.resourceName = point.name;
  return { access_point_id: point.id };
};

function entry(p: AccessPointInfo): Record<string, unknown> {
  return {
    access_point_id: p.id,
    keyspace_id: p.space,
    access_point_name: p.name,
    state: STATE[p.state],
    type: TYPE_OF[p.kind] ?? 3,
    created_by: p.creator,
    create_time: ms(p.createdAt),
    // The SDK model's own spelling of the last-modified time.
    lsat_modify_time: ms(p.updatedAt),
  };
}

function count(value: unknown, fallback: number, code: string, min: number): number {
  if (value === undefined) return fallback;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text) || Number(text) < min) throw kmsError(code);
  return Number(text);
}

export const listAccessPoint: Handler = (call) => {
  const { body } = call;
  const space = body.keyspace_id;
  if (space !== undefined && (typeof space !== 'string' || !UUID.test(space))) throw kmsError('KMS.0308');
  const limit = count(body.limit, 100, 'KMS.1601', 1);
  const from = count(body.marker, 0, 'KMS.1602', 0);
  const points = call.engine.listAccessPoints(call.ctx, space as string | undefined);
  const page = points.slice(from, from + limit);
  const more = from + limit < points.length;
  return { page_info: { next_marker: more ? String(from + limit) : '', current_count: page.length }, access_points: page.map(entry) };
};

function idOf(body: Record<string, unknown>): string {
  const id = body.access_point_id;
  if (id === undefined) throw kmsError('KMS.0204');
  if (typeof id !== 'string') throw kmsError('KMS.0308');
  return id;
}

function stateHandler(enable: boolean): Handler {
  return (call) => {
    const id = idOf(call.body);
    const point = enable ? call.engine.enableAccessPoint(call.ctx, id) : call.engine.disableAccessPoint(call.ctx, id);
    call.trail.resourceName = point.name;
    return {};
  };
}
export const enableAccessPoint = stateHandler(true);
export const disableAccessPoint = stateHandler(false);

export const deleteAccessPoint: Handler = (call) => {
  const point = call.engine.deleteAccessPoint(call.ctx, idOf(call.body));
  call.trail.resourceName = point.name;
  return {};
};

export const downloadAccessPointPrivateKey: Handler = (call) => {
  const { accessPoint, privateKey } = call.engine.accessPointKeyPair(call.ctx, idOf(call.body));
  call.trail.resourceName = accessPoint.name;
  return { access_point_id: accessPoint.id, private_key: toPem(privateKey, 'PRIVATE KEY') };
};
