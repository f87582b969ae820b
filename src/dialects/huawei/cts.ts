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
  user_name: string;
  domain: { id: string; name: string };
  account_id: string;
  /** The AK that signed the request; empty for an unsigned (in-process) call. */
  access_key_id: string;
  principal_id: string;
  principal_urn: string;
  principal_is_root_user: 'true' | 'false';
  type: string;
  /** The service that made the request: `["service.console"]` for a console action, else empty. */
  invoked_by: string[];
  session_context: { attributes: { created_at: string; mfa_authenticated: 'true' | 'false' } };
}

/**
 * A CTS v3 trace: exactly the members of the `Traces` model of ListTraces (huawei-cts-v3). The
 * trace-file members the v3 model lacks are not answered: `domain_id` is `user.domain.id`;
 * `event_type` (always "system"), `tracker_name` (always "system") and `project_id` have no place.
 */
export interface CtsTrace {
  trace_id: string;
  trace_name: string;
  trace_rating: 'normal' | 'warning' | 'incident';
  trace_type: 'ApiCall' | 'ConsoleAction' | 'SystemAction';
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
  read_only: boolean;
  operation_id: string;
  user: CtsUser;
  endpoint: string;
  resource_url: string;
  enterprise_project_id: string;
  /** The key's account when it is another domain's (a grant), else empty. */
  resource_account_id: string;
  /** The error code of a refused call, else empty. */
  location_info: string;
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

/**
 * The path of the called route (without the endpoint), its project and path parameters filled:
 * the emulator's `resource_url` (Huawei's console detail-page URLs are not published).
 */
function resourceUrl(verb: string, projectId: string, keyId: string): string {
  const template = verb === RISK_TIPS_VERB ? '/v1.0/{project_id}/kms/delete-key-risk-tips' : (OPERATIONS[verb]?.path ?? '');
  return template.replace('{project_id}', projectId).replace('{key_id}', keyId);
}

/** Enterprise project of every key: the default one, "0" (as describe-key's sys_enterprise_project_id). */
const ENTERPRISE_PROJECT_ID = '0';

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
  const console = event.action === RISK_TIPS_VERB;
  const operationId = console ? 'DeleteKeyRiskTips' : capitalize(OPERATIONS[event.action]?.nodeMethod ?? event.action);
  const resourceId = trace.resourceType === 'rng' ? '' : (resource?.keyId ?? '');
  const record: CtsTrace = {
    trace_id: event.eventId,
    trace_name: trace.traceName,
    trace_rating: event.error ? 'warning' : 'normal',
    trace_type: console ? 'ConsoleAction' : 'ApiCall',
    service_type: 'KMS',
    resource_type: trace.resourceType,
    resource_id: resourceId,
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
    read_only: event.readOnly,
    operation_id: operationId,
    user: {
      id: p?.id ?? account,
      name: userName,
      user_name: userName,
      domain: { id: account, name: str(a.domain_name, account) },
      account_id: account,
      access_key_id: str(a.access_key_id, p?.accessKeyId ?? ''),
      principal_id: p?.id ?? account,
      principal_urn: root ? `iam::${account}:root` : `iam::${account}:user:${userName}`,
      principal_is_root_user: root ? 'true' : 'false',
      type: root ? 'Root' : 'User',
      invoked_by: console ? ['service.console'] : [],
      // An AK/SK signature: the credential in use when the request was signed, no MFA.
      session_context: { attributes: { created_at: str(a.signed_at, String(event.time)), mfa_authenticated: 'false' } },
    },
    endpoint: str(a.endpoint),
    resource_url: resourceUrl(event.action, str(a.project_id), resourceId),
    enterprise_project_id: ENTERPRISE_PROJECT_ID,
    resource_account_id: resource && resource.account !== event.realm.account ? resource.account : '',
    location_info: event.error ? event.error.code : '',
  };
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
 * 10, at most 200) at a time; `next` is the `marker` (a trace id) of the previous page. The
 * marker is a string as the v3 model types it: the last trace id when more follow, else empty.
 */
export function listTraces(all: readonly CtsTrace[], query: ListTracesQuery, now: number): { traces: CtsTrace[]; meta_data: { count: number; marker: string } } {
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
  if (traceType === 'data') return { traces: [], meta_data: { count: 0, marker: '' } };
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
        (query.enterprise_project_id === undefined || t.enterprise_project_id === query.enterprise_project_id) &&
        (query.tracker_name === undefined || query.tracker_name === 'system'),
    );
    if (query.next !== undefined && query.next !== '') {
      const at = candidates.findIndex((t) => t.trace_id === query.next);
      if (at < 0) throw invalid('next');
      candidates = candidates.slice(at + 1);
    }
  }
  const traces = candidates.slice(0, limit);
  const more = candidates.length > limit;
  return { traces, meta_data: { count: traces.length, marker: more ? traces.at(-1)!.trace_id : '' } };
}
