/**
 * Huawei key policies (create/show/list/update/delete-key-policy): policy documents of a key space
 * (keyspace_id), each a resource of its own (policy_id, policy_name), kept in the engine's standalone
 * policy room. The `policy` member is an escaped JSON document in Huawei's key-policy grammar:
 * `version` (required), `validity_period` {start_time, end_time}, `allowed_access_point` [ids],
 * `allowed_data_security_zone` [ids] (camelCase validityPeriod / allowedAccessPoint are read too).
 * Policies are stored and served, not evaluated (no authorization mode yet). Huawei documents no
 * error codes of its own for these routes: a bad or unknown value is KMS.0308 "Invalid parameter.".
 */
import type { StandalonePolicyInfo } from '../../engine/standalone-policies.js';
import { kmsError } from './errors.js';
import { type Handler, pageOf } from './call.js';
import { isPlainObject } from '../shared.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const POLICY_NAME = /^[a-zA-Z0-9:/_-]{1,255}$/;
/** Limits the emulator sets where Huawei states none (docs/huawei.md). */
const MAX_POLICY_CHARS = 32_768;
const MAX_LIST = 100;
const MAX_DESCRIPTION = 255;

interface PolicyDocument {
  version: string;
  validity_period?: { start_time?: string; end_time?: string };
  allowed_access_point?: string[];
  allowed_data_security_zone?: string[];
}

/** The camelCase spellings the list model uses, read as their snake_case members. */
const CAMEL: Readonly<Record<string, string>> = { validityPeriod: 'validity_period', allowedAccessPoint: 'allowed_access_point', allowedDataSecurityZone: 'allowed_data_security_zone' };

const bad = () => kmsError('KMS.0308');

function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_LIST || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 255)) throw bad();
  return [...value];
}

/** Reads a policy document (a JSON string) in Huawei's grammar; anything else is KMS.0308. */
export function parsePolicy(text: unknown): PolicyDocument {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_POLICY_CHARS) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (!isPlainObject(parsed)) throw bad();
  const doc: PolicyDocument = { version: '' };
  // A member named twice in the text is read as JSON.parse reads it (the last wins); a member and its camelCase twin both given are refused.
  const seen = new Set<string>();
  for (const [member, value] of Object.entries(parsed)) {
    const name = Object.hasOwn(CAMEL, member) ? CAMEL[member]! : member;
    if (seen.has(name)) throw bad();
    seen.add(name);
    if (name === 'version') {
      if (typeof value !== 'string' || value.length === 0 || value.length > 16) throw bad();
      doc.version = value;
    } else if (name === 'validity_period') {
      if (!isPlainObject(value)) throw bad();
      const period: { start_time?: string; end_time?: string } = {};
      for (const [k, v] of Object.entries(value)) {
        if ((k !== 'start_time' && k !== 'end_time') || typeof v !== 'string' || v.length > 64) throw bad();
        period[k] = v;
      }
      if (period.start_time !== undefined && period.end_time !== undefined && /^\d+$/.test(period.start_time) && /^\d+$/.test(period.end_time) && Number(period.start_time) > Number(period.end_time)) throw bad();
      doc.validity_period = period;
    } else if (name === 'allowed_access_point' || name === 'allowed_data_security_zone') doc[name] = stringList(value);
    else throw bad();
  }
  if (!doc.version) throw bad();
  return doc;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The stored document as a response's `policy` object: snake_case, or the list model's camelCase. */
function policyView(p: StandalonePolicyInfo, camel: boolean): Record<string, unknown> {
  const doc = JSON.parse(p.document) as PolicyDocument;
  const out: Record<string, unknown> = { version: doc.version };
  if (doc.validity_period) out[camel ? 'validityPeriod' : 'validity_period'] = doc.validity_period;
  if (doc.allowed_access_point) out[camel ? 'allowedAccessPoint' : 'allowed_access_point'] = doc.allowed_access_point;
  if (doc.allowed_data_security_zone) out.allowed_data_security_zone = doc.allowed_data_security_zone;
  return out;
}

function record(p: StandalonePolicyInfo, camel: boolean): Record<string, unknown> {
  return {
    policy_id: p.id,
    policy_name: p.name,
    keyspace_id: p.scope,
    policy: policyView(p, camel),
    description: p.description,
    created_by: p.creator,
    create_time: iso(p.createdAt),
    last_modify_time: iso(p.updatedAt),
    // Policies are not evaluated, so never accessed: the last access is the last change.
    last_access_time: iso(p.updatedAt),
  };
}

function description(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || [...value].length > MAX_DESCRIPTION) throw bad();
  return value;
}

function policyId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw bad();
  return value;
}

export const createKeyPolicy: Handler = (call) => {
  const { engine, ctx, body } = call;
  if (typeof body.keyspace_id !== 'string' || !UUID.test(body.keyspace_id)) throw bad();
  if (typeof body.policy_name !== 'string' || !POLICY_NAME.test(body.policy_name)) throw bad();
  const doc = parsePolicy(body.policy);
  const desc = description(body.description);
  const p = engine.createStandalonePolicy(ctx, {
    scope: body.keyspace_id,
    name: body.policy_name,
    document: JSON.stringify(doc),
    ...(desc !== undefined ? { description: desc } : {}),
  });
  call.trail.resourceName = p.name;
  return { policy_id: p.id };
};

export const showKeyPolicy: Handler = (call) => {
  const p = call.engine.getStandalonePolicy(call.ctx, policyId(call.body.policy_id));
  return record(p, false);
};

/** A query parameter that is a whole number (a string of digits, or a number in process), or absent. */
function checkCount(value: unknown, code: string): void {
  if (value === undefined) return;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text)) throw kmsError(code);
}

export const listKeyPolicy: Handler = (call) => {
  const { engine, ctx, body } = call;
  const scope = body.keyspace_id;
  if (scope !== undefined && (typeof scope !== 'string' || !UUID.test(scope))) throw bad();
  checkCount(body.limit, 'KMS.1601');
  checkCount(body.marker, 'KMS.1602');
  const page = pageOf(engine.listStandalonePolicies(ctx, scope as string | undefined), body);
  return { page_info: { next_marker: page.next_marker, current_count: page.items.length }, keyspace_policies: page.items.map((p) => record(p, true)) };
};

export const updateKeyPolicy: Handler = (call) => {
  const { engine, ctx, body } = call;
  const id = policyId(body.policy_id);
  const doc = parsePolicy(body.policy);
  const desc = description(body.description);
  const p = engine.updateStandalonePolicy(ctx, id, { document: JSON.stringify(doc), ...(desc !== undefined ? { description: desc } : {}) });
  call.trail.resourceName = p.name;
  return { policy_id: p.id, policy: policyView(p, false), description: p.description, last_modify_time: iso(p.updatedAt) };
};

export const deleteKeyPolicy: Handler = (call) => {
  const p = call.engine.deleteStandalonePolicy(call.ctx, policyId(call.body.policy_id));
  call.trail.resourceName = p.name;
  return {};
};
