import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isKmsError } from '../../engine/errors.js';
import type { CallContext, Principal, Realm } from '../../engine/types.js';
import { CtsError, listTraces, toTrace, type CtsTrace, type ListTracesQuery } from './cts.js';
import { HuaweiError, huaweiErrorFrom, kmsError } from './errors.js';
import { MODELS, OPERATIONS } from './model.generated.js';
import { aliasOf, RISK_TIPS_VERB, VERB_ACTIONS, type Call, type Trail } from './call.js';
import { HANDLERS } from './operations.js';
import { resolveAliasKeyId } from './ops-aliases.js';
import { bodyText, checkMeta, requestObject, InputRejected, isPlainObject, lowerCaseHeaders, parseBoundedJson } from '../input.js';
import { omittedValue } from '../../engine/audit.js';
import { checkBody, type Body } from './validate.js';
import { injectFault } from './faults.js';
import { invokeOperation, type DialectWire, type PipelineRequest } from '../pipeline.js';
import { InternalErrorLog } from '../internal-errors.js';

export interface HuaweiDialectOptions {
  /** The account (domain id, 32 hex characters) of callers that name none. */
  domainId: string;
  /** The project of callers that name none. */
  projectId: string;
  /** The region of `projectId` and of projects not in `projects`. */
  region: string;
  /** Project id → region. */
  projects: Readonly<Record<string, string>>;
}

export const DEFAULT_HUAWEI_DOMAIN_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const DEFAULT_HUAWEI_PROJECT_ID = '3f2e1d0c9b8a79685746352413021f0e';
export const DEFAULT_HUAWEI_REGION = 'cn-north-4';

/** Who is calling and from where; the server fills it from the verified signature. */
export interface HuaweiCallMeta {
  /** The caller's account (domain id); default: the dialect's. */
  domainId?: string;
  /** The caller's account name (CTS user.domain.name); default: the domain id. */
  domainName?: string;
  /** The project the call names (its region is the key's region); default: the dialect's. */
  projectId?: string;
  principal?: Principal;
  accessKeyId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The endpoint the caller used, for version discovery links and the CTS trace's `endpoint`. */
  endpoint?: string;
  /** When the caller signed the request (ms since the epoch, as a string; the signer's X-Sdk-Date). */
  signedAt?: string;
}

export type HuaweiOutcome =
  | { ok: true; requestId: string; status: number; body: Record<string, unknown> }
  | { ok: false; requestId: string; error: HuaweiError };

export interface HuaweiHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The verb served (for the request log). */
  verb?: string;
}

export const HUAWEI_JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Fields that never enter a trace: plaintext, key material, ciphertexts, signatures, MACs. */
const SECRET_FIELDS = new Set([
  'plain_text',
  'plain_text_base64',
  'data_key',
  'datakey_dgst',
  'random_data',
  'cipher_text',
  'private_key_plain_text',
  'private_key_cipher_text',
  'wrapped_private_key',
  'ciphertext_recipient',
  'signature',
  'mac',
  'message',
  'import_token',
  'encrypted_key_material',
  'encrypted_privatekey',
  'public_key',
  'pin',
]);

/** A body without its secret fields; fields the verb does not have are kept only as their size. */
function sanitize(value: Record<string, unknown>, known?: (name: string) => boolean): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_FIELDS.has(k) || v === undefined) continue;
    if (known && !known(k)) out[k] = omittedValue('unknown member', v);
    else out[k] = isPlainObject(v) ? sanitize(v) : (v as JsonValue);
  }
  return out;
}

/** Whether `name` is a field of `verb`'s body or path. */
function fieldOf(verb: string): (name: string) => boolean {
  const model = verb === RISK_TIPS_VERB ? 'OperateKeyRequestBody' : OPERATIONS[verb]?.body;
  const fields = model ? MODELS[model] : undefined;
  const path = OPERATIONS[verb]?.pathParams ?? [];
  return (name) => (fields !== undefined && Object.hasOwn(fields, name)) || path.includes(name);
}

/** A refused input in Huawei KMS's words: too large is KMS.0203, anything else not JSON (KMS.0202). */
function inputError(e: InputRejected): HuaweiError {
  return kmsError(e.problem === 'size' ? 'KMS.0203' : 'KMS.0202');
}

/** The string members of HuaweiCallMeta. */
const META_STRINGS = ['domainId', 'domainName', 'projectId', 'accessKeyId', 'sourceIp', 'userAgent', 'endpoint', 'signedAt'] as const;

interface Route {
  verb: string;
  method: string;
  pattern: RegExp;
  /** Names of the capture groups after the project id. */
  params: string[];
  hasProject: boolean;
}

/** The HTTP status of a verb's success: 200 unless its operation entry documents another (201 Created). */
function successStatus(verb: string): number {
  return (Object.hasOwn(HANDLERS, verb) ? HANDLERS[verb]!.status : undefined) ?? 200;
}

/** Routes of the implemented verbs, from the generated URL templates. */
function buildRoutes(): Route[] {
  const routes: Route[] = [];
  const add = (verb: string, method: string, template: string) => {
    const params: string[] = [];
    let hasProject = false;
    const source = template
      .split('/')
      .map((segment) => {
        const m = /^\{([a-z_]+)\}$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // The SDK writes the literal segment "resource_instances" as a path parameter.
        if (m[1] === 'resource_instances') return 'resource_instances';
        if (m[1] === 'project_id') hasProject = true;
        else params.push(m[1]!);
        return '([^/]+)';
      })
      .join('/');
    routes.push({ verb, method, pattern: new RegExp(`^${source === '' ? '' : source}/?$`), params, hasProject });
  };
  for (const [verb, model] of Object.entries(OPERATIONS)) {
    if (!Object.hasOwn(HANDLERS, verb) || verb === 'show-versions' || verb === 'show-version') continue;
    add(verb, model.method, model.path);
  }
  add(RISK_TIPS_VERB, 'POST', '/v1.0/{project_id}/kms/delete-key-risk-tips');
  return routes;
}

const ROUTES = buildRoutes();
const VERSION_PATH = /^\/(v1\.0|v2)\/?$/;
const TRACES_PATH = /^\/v3\/([^/]+)\/traces\/?$/;

/** The Huawei Cloud KMS dialect: KMS v1.0 REST verbs over the neutral engine, CTS traces of the calls. */
export class HuaweiDialect {
  /** Unexpected exceptions caught at the boundary (answered as KMS.0103): the last 100, their count, and a hook (`onError`). Empty unless there is a bug. */
  readonly internalErrors = new InternalErrorLog();

  readonly #wire: HuaweiWire;

  constructor(
    readonly engine: Engine,
    readonly options: HuaweiDialectOptions,
  ) {
    this.#wire = this.#makeWire();
  }

  /** The region a project lives in. */
  regionOf(projectId: string): string {
    return Object.hasOwn(this.options.projects, projectId) ? this.options.projects[projectId]! : this.options.region;
  }

  /** Calls one verb (`create-key`, `encrypt-datakey`, …) with Huawei's JSON body; throws HuaweiError. */
  async call(verb: string, body: Record<string, unknown> = {}, meta?: HuaweiCallMeta | null): Promise<Record<string, any>> {
    const outcome = await this.invoke(verb, body, meta);
    if (!outcome.ok) throw outcome.error;
    return outcome.body;
  }

  /** Validates, runs, records one audit event (a CTS trace for traced verbs). Whatever `input` holds, never rejects: errors are outcomes. A `meta` that is not an object of the documented fields is a TypeError (a programming mistake), before anything changes. */
  async invoke(verb: string, body: unknown, meta?: HuaweiCallMeta | null): Promise<HuaweiOutcome> {
    return invokeOperation(this.#wire, verb, body, checkMeta(meta, META_STRINGS));
  }

  /** Huawei's steps of the dialect pipeline (src/dialects/pipeline.ts). */
  #makeWire(): HuaweiWire {
    return {
      engine: this.engine,
      handlers: HANDLERS,
      internalErrors: this.internalErrors,
      unknownOperation: (requestId) => this.#failure(requestId, kmsError('KMS.0201')),
      begin: (requestId, verb, spec, body, meta) => {
        const domainId = meta.domainId ?? this.options.domainId;
        const projectId = meta.projectId ?? this.options.projectId;
        const realm: Realm = { account: domainId, region: this.regionOf(projectId) };
        const principal: Principal = meta.principal ?? {
          account: domainId,
          type: 'root',
          id: domainId,
          ...(meta.domainName ? { name: meta.domainName } : {}),
          ...(meta.accessKeyId ? { accessKeyId: meta.accessKeyId } : {}),
        };
        const ctx: CallContext = {
          realm,
          principal,
          requestId,
          // Huawei's narrower state rules (enable and disable, import and material deletion).
          stateRules: 'huawei',
          ...(Object.hasOwn(VERB_ACTIONS, verb) ? { action: VERB_ACTIONS[verb] } : {}),
          ...(meta.sourceIp ? { sourceIp: meta.sourceIp } : {}),
          ...(meta.userAgent ? { userAgent: meta.userAgent } : {}),
        };
        const { body: raw, rejected } = requestObject(body);
        return { requestId, operation: verb, spec, raw, rejected, output: undefined, error: undefined, ctx, meta, projectId, trail: {} };
      },
      refused: (rejected) => inputError(rejected),
      notAnObject: () => kmsError('KMS.0214'),
      injectFault,
      decode: ({ operation: verb, ctx, meta, trail }, raw) => {
        const model = verb === RISK_TIPS_VERB ? 'OperateKeyRequestBody' : OPERATIONS[verb]?.body;
        const checked = checkBody(model, resolveAliasKeyId(this.engine, ctx, verb, raw));
        this.#checkPathParams(verb, checked);
        if (meta.endpoint !== undefined) checked.endpoint = meta.endpoint;
        return { engine: this.engine, ctx, verb, body: checked, trail, regionOf: (projectId: string) => this.regionOf(projectId) };
      },
      providerError: (e, { operation: verb }) => {
        if (e instanceof HuaweiError) return e;
        if (isKmsError(e)) return huaweiErrorFrom(e, verb);
        return undefined;
      },
      internalError: () => kmsError('KMS.0103'),
      afterError: ({ trail, raw, ctx }) => {
        const realm = ctx.realm;
        if (!trail.key && raw && typeof raw.key_id === 'string') {
          const key = this.engine.findKey(ctx, { keyId: raw.key_id });
          if (key && key.realm.account === realm.account) trail.key = key;
        }
        if (trail.key && trail.resourceName === undefined) trail.resourceName = aliasOf(this.engine, trail.key);
      },
      record: (r) => this.#record(r),
      outcome: ({ requestId, error, output, operation }) => (error ? this.#failure(requestId, error) : { ok: true, requestId, status: successStatus(operation), body: output! }),
    };
  }

  /** The audit event of one call (a CTS trace for traced verbs). */
  #record({ operation: verb, ctx, meta, projectId, trail, raw, spec, output, error, requestId }: HuaweiRequest): void {
    const { realm, principal } = ctx;
    const domainId = realm.account;
    this.engine.recordCall({
      dialect: 'huawei',
      action: verb,
      realm,
      principal,
      ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
      requestId,
      readOnly: spec.readOnly,
      resources: trail.key ? [{ account: trail.key.realm.account, region: trail.key.realm.region, keyId: trail.key.id }] : [],
      request: raw ? sanitize(raw, fieldOf(verb)) : null,
      response: error || !output ? null : sanitize(output),
      additional: {
        status: error ? error.status : successStatus(verb),
        project_id: projectId,
        domain_name: meta.domainName ?? (principal.type === 'root' && principal.name ? principal.name : domainId),
        resource_name: trail.resourceName ?? '',
        access_key_id: meta.accessKeyId ?? principal.accessKeyId ?? '',
        endpoint: meta.endpoint ?? '',
        ...(meta.signedAt !== undefined ? { signed_at: meta.signedAt } : {}),
      },
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    });
  }

  #failure(requestId: string, error: HuaweiError): HuaweiOutcome {
    error.requestId = requestId;
    return { ok: false, requestId, error };
  }

  /** Path parameters arrive in the body for in-process calls: the same checks as the URL's. */
  #checkPathParams(verb: string, body: Body): void {
    const params = OPERATIONS[verb]?.pathParams ?? [];
    if (params.includes('key_id')) {
      if (body.key_id === undefined) throw kmsError('KMS.0204');
      if (typeof body.key_id !== 'string' || !/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/.test(body.key_id)) throw kmsError('KMS.0205');
    }
    if (params.includes('key') && (typeof body.key !== 'string' || body.key === '')) throw kmsError('KMS.0204');
    if (params.includes('version_id') && typeof body.version_id !== 'string') throw kmsError('KMS.0204');
  }

  /**
   * Serves one HTTP request: the KMS v1.0 routes (`POST /v1.0/{project_id}/kms/<verb>`, the GET and
   * DELETE tag routes), version discovery (`GET /`, `GET /v1.0`) and CTS `GET /v3/{project_id}/traces`.
   */
  async handle(
    method: string,
    path: string,
    query: string,
    headers: Record<string, string | string[] | undefined>,
    body: string | Uint8Array | undefined,
    meta?: HuaweiCallMeta | null,
  ): Promise<HuaweiHttpResponse> {
    if (typeof method !== 'string' || typeof path !== 'string' || typeof query !== 'string') throw new TypeError('method, path and query must be strings');
    const lowered = lowerCaseHeaders(headers);
    meta = checkMeta(meta, META_STRINGS);
    const decodedPath = safeDecodePath(path);
    const params = new URLSearchParams(query);
    if (decodedPath === undefined) return this.#respond(this.engine.newId(), kmsError('KMS.0201'));
    if (method === 'GET' && (decodedPath === '/' || VERSION_PATH.test(decodedPath))) {
      const version = VERSION_PATH.exec(decodedPath)?.[1];
      const verb = version ? 'show-version' : 'show-versions';
      const outcome = await this.invoke(verb, version ? { version_id: version } : {}, { ...meta, endpoint: meta.endpoint ?? '' });
      return this.#outcome(outcome, verb);
    }
    const traces = TRACES_PATH.exec(decodedPath);
    if (traces) return this.#listTraces(method, params, meta);
    const candidates = ROUTES.map((r) => ({ route: r, m: r.pattern.exec(decodedPath) })).filter((x) => x.m);
    if (candidates.length === 0) return this.#respond(this.engine.newId(), kmsError('KMS.0201'));
    const match = candidates.find((x) => x.route.method === method);
    if (!match) return this.#respond(this.engine.newId(), kmsError('KMS.0215'));
    const { route, m } = match;
    let input: Body;
    try {
      const text = bodyText(body, fromUtf8);
      const parsed = text.trim() === '' ? Object.create(null) : parseBoundedJson(text);
      if (!isPlainObject(parsed)) throw kmsError('KMS.0214');
      input = parsed;
    } catch (e) {
      if (e instanceof InputRejected) return this.#respond(this.engine.newId(), inputError(e), route.verb);
      if (e instanceof HuaweiError) return this.#respond(this.engine.newId(), e, route.verb);
      throw e;
    }
    // Query parameters and path parameters join the body, as the SDK's request models join them.
    for (const [k, v] of params) if (!(k in input)) input[k] = v;
    const values = m!.slice(route.hasProject ? 2 : 1);
    route.params.forEach((name, i) => (input[name] = values[i]));
    const projectId = route.hasProject ? m![1]! : undefined;
    const callMeta: HuaweiCallMeta = { ...meta, ...(projectId ? { projectId } : {}) };
    const userAgent = lowered['user-agent'];
    if (userAgent && !callMeta.userAgent) callMeta.userAgent = userAgent;
    const outcome = await this.invoke(route.verb, input, callMeta);
    return this.#outcome(outcome, route.verb);
  }

  #listTraces(method: string, params: URLSearchParams, meta: HuaweiCallMeta): HuaweiHttpResponse {
    const requestId = this.engine.newId();
    if (method !== 'GET') return this.#json(405, requestId, { error_code: 'CTS.0002', error_msg: 'Request method not supported.' });
    const q: ListTracesQuery = {};
    for (const [k, v] of params) q[k] = v;
    try {
      const domainId = meta.domainId ?? this.options.domainId;
      // A call on another domain's key is seen by both domains (CTS copies cross-tenant traces).
      const result = listTraces(this.traces((t) => t.user.domain.id === domainId || t.resource_account_id === domainId), q, this.engine.now());
      return this.#json(200, requestId, result);
    } catch (e) {
      if (e instanceof CtsError) return this.#json(e.status, requestId, e.toJSON());
      this.internalErrors.record(e);
      return this.#json(500, requestId, { error_code: 'CTS.0500', error_msg: 'Internal error.' });
    }
  }

  #outcome(outcome: HuaweiOutcome, verb: string): HuaweiHttpResponse {
    if (!outcome.ok) return this.#respond(outcome.requestId, outcome.error, verb);
    const body = { ...outcome.body };
    return { ...this.#json(outcome.status, outcome.requestId, body), verb };
  }

  #respond(requestId: string, error: HuaweiError, verb?: string): HuaweiHttpResponse {
    error.requestId = requestId;
    return { ...this.#json(error.status, requestId, error.toJSON()), ...(verb ? { verb } : {}) };
  }

  #json(status: number, requestId: string, value: unknown): HuaweiHttpResponse {
    return { status, headers: { 'content-type': HUAWEI_JSON_CONTENT_TYPE, 'x-request-id': requestId }, body: utf8(JSON.stringify(value)) };
  }

  /** CTS traces of the traced Huawei KMS calls, oldest first. */
  traces(filter?: (trace: CtsTrace) => boolean): CtsTrace[] {
    this.engine.runDueWork();
    const out: CtsTrace[] = [];
    for (const event of this.engine.audit.list((e) => e.dialect === 'huawei')) {
      const trace = toTrace(event);
      if (trace && (!filter || filter(trace))) out.push(trace);
    }
    return out;
  }
}

type Output = Record<string, unknown>;
type HuaweiWire = DialectWire<HuaweiCallMeta, HuaweiRequest, Call, Output, HuaweiError, HuaweiOutcome>;

/** One Huawei request in flight. */
interface HuaweiRequest extends PipelineRequest<Call, Output, HuaweiError> {
  readonly ctx: CallContext;
  readonly meta: HuaweiCallMeta;
  readonly projectId: string;
  readonly trail: Trail;
}

function safeDecodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
