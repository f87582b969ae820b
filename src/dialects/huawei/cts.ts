/**
 * Cloud Trace Service records of Huawei KMS calls, rendered from the neutral audit stream. Only
 * the operations CTS records for KMS (huawei-kms-cts-operations: createKey, createDataKey, …,
 * genRandom, deleteKeyRiskTips) become traces; reads are not recorded, as at Huawei. A refused
 * call is a `warning` trace whose `response` is the error body and `code` its HTTP status.
 */
import type { AuditEvent, JsonValue } from '../../engine/audit.js';
import { CONSOLE_TRACES, OPERATIONS } from './model.generated.js';
import { RISK_TIPS_VERB } from './call.js';

export interface CtsUser {
  id: string;
  name: string;
  domain: { id: string; name: string };
  account_id: string;
  access_key_id?: string;
  principal_id: string;
  principal_urn: string;
  principal_is_root_user: 'true' | 'false';
  type: string;
}

/** A CTS v3 trace (the `Traces` model of ListTraces, plus the trace-file fields). */
export interface CtsTrace {
  trace_id: string;
  trace_name: string;
  trace_rating: 'normal' | 'warning' | 'incident';
  trace_type: 'ApiCall' | 'ConsoleAction' | 'SystemAction';
  event_type: 'system';
  service_type: 'KMS';
  resource_type: string;
  resource_id: string;
  resource_name: string;
  source_ip: string;
  time: number;
  record_time: number;
  request: string;
  response: string;
  code: string;
  message: string;
  api_version: string;
  request_id: string;
  tracker_name: 'system';
  read_only: boolean;
  operation_id: string;
  project_id: string;
  domain_id: string;
  user: CtsUser;
  resource_account_id?: string;
  location_info?: string;
}

/** trace name and resource type of a verb CTS records; undefined for the others. */
export function traceOf(verb: string): { traceName: string; resourceType: string } | undefined {
  if (verb === RISK_TIPS_VERB) return { traceName: 'deleteKeyRiskTips', resourceType: CONSOLE_TRACES.deleteKeyRiskTips ?? 'cmk' };
  const cts = OPERATIONS[verb]?.cts;
  return cts ? { traceName: cts.traceName, resourceType: cts.resourceType } : undefined;
}

function str(value: JsonValue | undefined, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** Renders one audit event of the Huawei dialect as a CTS trace (undefined when CTS does not record it). */
export function toTrace(event: AuditEvent): CtsTrace | undefined {
  if (event.kind !== 'api_call' || event.dialect !== 'huawei') return undefined;
  const trace = traceOf(event.action);
  if (!trace) return undefined;
  const a = event.additional ?? {};
  const p = event.principal;
  const account = p?.account ?? event.realm.account;
  const userName = p?.name ?? p?.id ?? account;
  const root = !p || p.type === 'root';
  const resource = event.resources[0];
  const status = typeof a.status === 'number' ? a.status : event.error ? 400 : 200;
  const operationId = event.action === RISK_TIPS_VERB ? 'DeleteKeyRiskTips' : capitalize(OPERATIONS[event.action]?.nodeMethod ?? event.action);
  const record: CtsTrace = {
    trace_id: event.eventId,
    trace_name: trace.traceName,
    trace_rating: event.error ? 'warning' : 'normal',
    trace_type: event.action === RISK_TIPS_VERB ? 'ConsoleAction' : 'ApiCall',
    event_type: 'system',
    service_type: 'KMS',
    resource_type: trace.resourceType,
    resource_id: trace.resourceType === 'rng' ? '' : (resource?.keyId ?? ''),
    resource_name: str(a.resource_name),
    source_ip: event.sourceIp ?? '',
    time: event.time,
    record_time: event.time,
    request: JSON.stringify(event.request ?? {}),
    response: JSON.stringify(event.error ? { error: { error_code: event.error.code, error_msg: event.error.message } } : (event.response ?? {})),
    code: String(status),
    message: event.error ? event.error.message : '',
    api_version: '1.0',
    request_id: event.requestId ?? '',
    tracker_name: 'system',
    read_only: event.readOnly,
    operation_id: operationId,
    project_id: str(a.project_id),
    domain_id: event.realm.account,
    user: {
      id: p?.id ?? account,
      name: userName,
      domain: { id: account, name: str(a.domain_name, account) },
      account_id: account,
      ...(p?.accessKeyId ? { access_key_id: p.accessKeyId } : {}),
      principal_id: p?.id ?? account,
      principal_urn: root ? `iam::${account}:root` : `iam::${account}:user:${userName}`,
      principal_is_root_user: root ? 'true' : 'false',
      type: root ? 'Root' : 'User',
    },
  };
  if (resource && resource.account !== event.realm.account) record.resource_account_id = resource.account;
  if (event.error) record.location_info = event.error.code;
  return record;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// ------------------------------------------------------------------ ListTraces

export interface ListTracesQuery {
  [name: string]: string | undefined;
}

/** A CTS error answer: flat `{error_code, error_msg}` (CTS does not nest it as KMS does). */
export class CtsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  toJSON(): { error_code: string; error_msg: string } {
    return { error_code: this.code, error_msg: this.message };
  }
}

const invalid = (name: string) => new CtsError(400, 'CTS.0001', `Invalid parameter: ${name}.`);

/**
 * CTS v3 ListTraces over a list of traces (oldest first): newest first, filtered, `limit` (default
 * 10, at most 200) at a time; `next` is the `marker` (a trace id) of the previous page.
 */
export function listTraces(all: readonly CtsTrace[], query: ListTracesQuery, now: number): { traces: CtsTrace[]; meta_data: { count: number; marker: string | null } } {
  const traceType = query.trace_type ?? 'system';
  if (traceType !== 'system' && traceType !== 'data') throw invalid('trace_type');
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw invalid('limit');
  const time = (name: 'from' | 'to', fallback: number) => {
    const v = query[name];
    if (v === undefined) return fallback;
    if (!/^\d{1,13}$/.test(v)) throw invalid(name);
    return Number(v);
  };
  // Default window: the last hour, as CTS documents.
  const to = time('to', now + 1);
  const from = time('from', now - 3_600_000);
  if (from > to) throw invalid('from');
  if (query.trace_rating !== undefined && !['normal', 'warning', 'incident'].includes(query.trace_rating)) throw invalid('trace_rating');
  if (traceType === 'data') return { traces: [], meta_data: { count: 0, marker: null } };
  let candidates = [...all].reverse();
  if (query.trace_id !== undefined) {
    candidates = candidates.filter((t) => t.trace_id === query.trace_id);
  } else {
    candidates = candidates.filter(
      (t) =>
        t.time > from &&
        t.time < to &&
        (query.service_type === undefined || t.service_type === query.service_type) &&
        (query.resource_type === undefined || t.resource_type === query.resource_type) &&
        (query.resource_id === undefined || t.resource_id === query.resource_id) &&
        (query.resource_name === undefined || t.resource_name === query.resource_name) &&
        (query.trace_name === undefined || t.trace_name === query.trace_name) &&
        (query.trace_rating === undefined || t.trace_rating === query.trace_rating) &&
        (query.user === undefined || t.user.name === query.user) &&
        (query.access_key_id === undefined || t.user.access_key_id === query.access_key_id) &&
        (query.tracker_name === undefined || query.tracker_name === 'system'),
    );
    if (query.next !== undefined) {
      const at = candidates.findIndex((t) => t.trace_id === query.next);
      if (at < 0) throw invalid('next');
      candidates = candidates.slice(at + 1);
    }
  }
  const traces = candidates.slice(0, limit);
  const more = candidates.length > limit;
  return { traces, meta_data: { count: traces.length, marker: more ? traces.at(-1)!.trace_id : null } };
}
