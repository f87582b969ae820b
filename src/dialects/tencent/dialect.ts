import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import type { AuditEvent, JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isKmsError } from '../../engine/errors.js';
import type { CallContext, Principal, Realm } from '../../engine/types.js';
import { lookUpEvents, toCloudAuditEvent, type CloudAuditEvent, CLOUDAUDIT_EVENT_NAMES } from './cloudaudit.js';
import { TencentCloudError, TencentFault, tencentFaultFrom } from './errors.js';
import { flavourOf, type RegionFlavour } from './metadata.js';
import { checkRegion } from './regions.js';
import { ACTIONS, API_VERSION, CLOUDAUDIT_ACTIONS, CLOUDAUDIT_API_VERSION, CLOUDAUDIT_OBJECTS } from './model.generated.js';
import { TENCENT_ACTIONS, type Call, type Trail } from './call.js';
import { HANDLERS } from './operations.js';
import { bodyText, checkMeta, requestObject, InputRejected, isPlainObject, lowerCaseHeaders, parseBoundedJson } from '../input.js';
import { omittedValue } from '../../engine/audit.js';
import { decodeRequest } from './validate.js';
import type { ActionModel, FieldModel } from './model.generated.js';
import { injectFault } from './faults.js';
import { invokeOperation, lookUp, providerErrorOf, type DialectWire, type PipelineRequest } from '../pipeline.js';
import { InternalErrorLog } from '../internal-errors.js';

export interface TencentDialectOptions {
  /** The owner account (root UIN) of callers that name none. */
  uin: string;
  /** The region of callers that name none (X-TC-Region). */
  region: string;
  /** Region flavours beyond (or instead of) the built-in table: `sm` national crypto, `fips` FIPS 140-2. */
  flavours?: Readonly<Record<string, RegionFlavour>>;
  /** The CMKs (not pending deletion) an account may hold in a region: GetServiceStatus CmkLimit; CreateKey beyond it is LimitExceeded.CmkLimitExceeded. Default 200. */
  cmkLimit?: number;
}

/** Who is calling and from where; the server fills it from the request and its credentials. */
export interface TencentCallMeta {
  /** The owner account (root UIN); default: the dialect's. */
  uin?: string;
  /** X-TC-Region; default: the dialect's region. */
  region?: string;
  /** The caller: a root account or a sub-account (its id is the sub-account's UIN). */
  principal?: Principal;
  /** The SecretId that signed the request. */
  secretId?: string;
  sourceIp?: string;
  userAgent?: string;
}

export type TencentOutcome =
  | { ok: true; requestId: string; response: Record<string, unknown> }
  | { ok: false; requestId: string; error: TencentCloudError };

export interface TencentHttpRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: string | Uint8Array;
}

export interface TencentHttpResponse {
  statusCode: 200;
  headers: Record<string, string>;
  body: Uint8Array;
}

export const TENCENT_JSON_CONTENT_TYPE = 'application/json';

/** The string members of TencentCallMeta (a region that is not one Tencent serves is UnsupportedRegion: see regions.ts). */
const META_STRINGS = ['uin', 'secretId', 'sourceIp', 'userAgent'] as const;

/** A refused input in the API 3.0 gateway's words. */
function inputFault(e: InputRejected): TencentFault {
  if (e.problem === 'syntax') return new TencentFault('InvalidParameter', 'The request body is not valid JSON.');
  if (e.problem === 'size') return new TencentFault('RequestSizeLimitExceeded', e.message);
  return new TencentFault('InvalidParameter', e.path ? `The value type of parameter \`${e.path}\` is not valid.` : e.message);
}

/** The request parameters as a bounded, null-prototype object; undefined when not an object; a fault when refused. */
function boundedParams(params: unknown): Record<string, unknown> | TencentFault | undefined {
  const { body, rejected } = requestObject(params);
  return rejected ? inputFault(rejected) : body;
}

/** What the audit event keeps of the parameters: members the action does not have only as their size. */
function auditedParams(raw: Record<string, unknown>, fields: readonly FieldModel[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(raw)) out[k] = fields.some((f) => f.name === k) ? v : omittedValue('unknown member', v);
  return out;
}

/** Tencent Cloud KMS (API 2019-01-18) over the neutral engine, with CloudAudit's LookUpEvents. */
export class TencentDialect {
  /** Unexpected exceptions caught at the boundary (answered as InternalError): the last 100, their count, and a hook (`onError`). Empty unless there is a bug. */
  readonly internalErrors = new InternalErrorLog();

  readonly #wire: TencentWire;

  constructor(
    readonly engine: Engine,
    readonly options: TencentDialectOptions,
  ) {
    this.#wire = this.#makeWire();
  }

  /** The flavour of a region (SM4 and KeyMetadata.Type 4, or AES-256 and Type 2). */
  flavour(region: string = this.options.region): RegionFlavour {
    return flavourOf(region, this.options.flavours);
  }

  /** Calls one action with API 3.0 parameters; resolves to `Response` without RequestId, or throws TencentCloudError. */
  async call(action: string, params: Record<string, unknown> = {}, meta?: TencentCallMeta | null): Promise<Record<string, any>> {
    const outcome = await this.invoke(action, params, meta);
    if (!outcome.ok) throw outcome.error;
    return outcome.response;
  }

  /** Validates, runs and audits one KMS action. Whatever `input` holds, never rejects: errors are outcomes. A `meta` that is not an object of the documented fields is a TypeError (a programming mistake), before anything changes. */
  async invoke(action: string, params: unknown, meta?: TencentCallMeta | null): Promise<TencentOutcome> {
    return invokeOperation(this.#wire, action, params, checkMeta(meta, META_STRINGS));
  }

  /** Tencent's steps of the dialect pipeline (src/dialects/pipeline.ts). */
  #makeWire(): TencentWire {
    return {
      engine: this.engine,
      handlers: HANDLERS,
      internalErrors: this.internalErrors,
      unknownOperation: (requestId, action) => ({ ok: false, requestId, error: invalidAction(String(action).slice(0, 256), 'kms', API_VERSION, requestId) }),
      begin: (requestId, action, spec, params, meta) => {
        const model = lookUp(ACTIONS, action);
        if (!model) return { ok: false, requestId, error: invalidAction(String(action).slice(0, 256), 'kms', API_VERSION, requestId) };
        const unsupportedRegion = checkRegion(meta, this.options, requestId);
        if (unsupportedRegion) return { ok: false, requestId, error: unsupportedRegion };
        const ctx = this.#context(meta, requestId, action);
        const { body: raw, rejected } = requestObject(params);
        return { requestId, operation: action, spec, raw, rejected, output: undefined, error: undefined, ctx, meta, model, trail: { resources: [] } };
      },
      refused: (rejected) => inputFault(rejected),
      notAnObject: () => new TencentFault('InvalidParameter', 'The request parameters must be a JSON object.'),
      injectFault,
      decode: ({ ctx, operation: action, model, trail }, raw) => {
        const input = decodeRequest(raw, model.request);
        return { engine: this.engine, ctx, realm: ctx.realm, action, input, trail, flavour: this.flavour(ctx.realm.region), dialect: this };
      },
      providerError: (e, { operation, requestId }) => this.#knownError(e, operation, requestId),
      internalError: ({ requestId }) => internalError(requestId),
      record: ({ operation, spec, ctx, meta, raw, model, trail, output, error }) =>
        this.#record(operation, spec.readOnly, ctx, meta, raw && auditedParams(raw, model.request), trail, output, error),
      outcome: ({ requestId, error, output }) => (error ? { ok: false, requestId, error } : { ok: true, requestId, response: output! }),
    };
  }

  /** CloudAudit (API 2019-03-19) actions on this endpoint: LookUpEvents over the KMS events. */
  async invokeCloudAudit(action: string, params: unknown, meta?: TencentCallMeta | null): Promise<TencentOutcome> {
    meta = checkMeta(meta, META_STRINGS);
    const requestId = this.engine.newId();
    const model = action === 'LookUpEvents' ? CLOUDAUDIT_ACTIONS[action] : undefined;
    if (!model) return { ok: false, requestId, error: invalidAction(String(action).slice(0, 256), 'cloudaudit', CLOUDAUDIT_API_VERSION, requestId) };
    const unsupportedRegion = checkRegion(meta, this.options, requestId);
    if (unsupportedRegion) return { ok: false, requestId, error: unsupportedRegion };
    try {
      const copied = boundedParams(params);
      if (copied instanceof TencentFault) throw copied;
      if (!copied) throw new TencentFault('InvalidParameter', 'The request parameters must be a JSON object.');
      const input = decodeRequest(copied, model.request, CLOUDAUDIT_OBJECTS);
      const ctx = this.#context(meta, requestId);
      return { ok: true, requestId, response: lookUpEvents(this.#events(ctx.realm.account), input, this.engine.now()) };
    } catch (e) {
      return { ok: false, requestId, error: this.#toError(e, action, requestId) };
    }
  }

  /** CloudAudit's LookUpEvents in process: resolves to `Response` without RequestId, or throws TencentCloudError. */
  async lookUpEvents(params: Record<string, unknown>, meta?: TencentCallMeta | null): Promise<Record<string, any>> {
    const outcome = await this.invokeCloudAudit('LookUpEvents', params, meta);
    if (!outcome.ok) throw outcome.error;
    return outcome.response;
  }

  #context(meta: TencentCallMeta, requestId: string, operation?: string): CallContext {
    const account = meta.uin ?? meta.principal?.account ?? this.options.uin;
    const region = meta.region ?? this.options.region;
    const principal: Principal = meta.principal ?? { account, type: 'root', id: account, ...(meta.secretId ? { accessKeyId: meta.secretId } : {}) };
    return {
      realm: { account, region },
      principal,
      requestId,
      // Tencent's narrower state rules: disable before deletion; import into PendingImport or Enabled keys.
      stateRules: 'tencent',
      ...(operation !== undefined && Object.hasOwn(TENCENT_ACTIONS, operation) ? { action: TENCENT_ACTIONS[operation] } : {}),
      ...(meta.sourceIp ? { sourceIp: meta.sourceIp } : {}),
      ...(meta.userAgent ? { userAgent: meta.userAgent } : {}),
    };
  }

  #toError(e: unknown, action: string, requestId: string): TencentCloudError {
    return providerErrorOf(e, this.#knownError(e, action, requestId), () => internalError(requestId), this.internalErrors);
  }

  /** Tencent's error for a TencentFault or a KmsError; undefined for anything else. */
  #knownError(e: unknown, action: string, requestId: string): TencentCloudError | undefined {
    if (e instanceof TencentFault) return new TencentCloudError(e.code, e.message, requestId);
    if (isKmsError(e)) {
      const f = tencentFaultFrom(e, action);
      return new TencentCloudError(f.code, f.message, requestId);
    }
    return undefined;
  }

  #record(
    action: string,
    readOnly: boolean,
    ctx: CallContext,
    meta: TencentCallMeta,
    raw: Record<string, unknown> | undefined,
    trail: Trail,
    response: Record<string, unknown> | undefined,
    error: TencentCloudError | undefined,
  ): void {
    if (trail.resources.length === 0 && raw && typeof raw.KeyId === 'string') {
      const key = this.engine.findKey(ctx, { keyId: raw.KeyId });
      if (key) trail.resources.push({ id: key.id, realm: key.realm });
    }
    const seen = new Set<string>();
    const resources = trail.resources
      .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
      .map((r) => ({ account: r.realm.account, region: r.realm.region, keyId: r.id }));
    this.engine.recordCall({
      dialect: 'tencent',
      action,
      realm: ctx.realm,
      principal: ctx.principal,
      ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
      requestId: ctx.requestId,
      readOnly,
      resources,
      request: raw ? { ...sanitize(raw), ...trail.request } : null,
      response: error || !response ? null : (trail.response ?? sanitize(response)),
      additional: {
        resourceType: trail.whiteBox ? 'whitebox' : 'kms',
        ...(meta.secretId ?? ctx.principal.accessKeyId ? { secretId: (meta.secretId ?? ctx.principal.accessKeyId)! } : {}),
      },
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    });
  }

  /** Serves one API 3.0 request: `X-TC-Action`, `X-TC-Version`, `X-TC-Region`, a JSON body. Always HTTP 200. */
  async handle(request: TencentHttpRequest, meta?: TencentCallMeta | null): Promise<TencentHttpResponse> {
    if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object with headers');
    const headers = lowerCaseHeaders(request.headers);
    meta = checkMeta(meta, META_STRINGS);
    const action = headers['x-tc-action'] ?? '';
    const version = headers['x-tc-version'];
    const region = headers['x-tc-region'];
    const callMeta: TencentCallMeta = {
      ...(region ? { region } : {}),
      ...(headers['user-agent'] || headers['x-tc-requestclient'] ? { userAgent: headers['x-tc-requestclient'] ?? headers['user-agent']! } : {}),
      ...meta,
    };
    const traceId = headers['x-tc-traceid'];
    let outcome: TencentOutcome;
    let params: unknown;
    try {
      const text = bodyText(request.body, fromUtf8);
      params = text.trim() === '' ? {} : parseBoundedJson(text);
    } catch (e) {
      if (!(e instanceof InputRejected)) throw e;
      const requestId = this.engine.newId();
      const fault = inputFault(e);
      return respond({ ok: false, requestId, error: new TencentCloudError(fault.code, fault.message, requestId) }, traceId);
    }
    if (version === undefined || version === '') {
      const requestId = this.engine.newId();
      outcome = { ok: false, requestId, error: new TencentCloudError('MissingParameter', 'The request is missing a required parameter `Version`.', requestId) };
    } else if (version === CLOUDAUDIT_API_VERSION && Object.hasOwn(CLOUDAUDIT_ACTIONS, action)) {
      outcome = await this.invokeCloudAudit(action, params, callMeta);
    } else if (version !== API_VERSION) {
      const requestId = this.engine.newId();
      outcome = { ok: false, requestId, error: new TencentCloudError('NoSuchVersion', `The requested version \`${version}\` of service \`kms\` does not exist.`, requestId) };
    } else {
      outcome = await this.invoke(action, params, callMeta);
    }
    return respond(outcome, traceId);
  }

  /**
   * CloudAudit Event records of the KMS actions CloudAudit logs (oldest first): successful and
   * failed calls, never plaintext or key material.
   */
  auditEvents(filter?: (event: CloudAuditEvent) => boolean): CloudAuditEvent[] {
    this.engine.runDueWork();
    const events = this.#events();
    return filter ? events.filter(filter) : events;
  }

  #events(account?: string): CloudAuditEvent[] {
    return this.engine.audit.list((e) => isLogged(e) && (account === undefined || e.realm.account === account)).map(toCloudAuditEvent);
  }
}

type Output = Record<string, unknown>;
type TencentWire = DialectWire<TencentCallMeta, TencentRequest, Call, Output, TencentCloudError, TencentOutcome>;

/** One Tencent request in flight. */
interface TencentRequest extends PipelineRequest<Call, Output, TencentCloudError> {
  readonly ctx: CallContext;
  readonly meta: TencentCallMeta;
  readonly model: ActionModel;
  readonly trail: Trail;
}

function internalError(requestId: string): TencentCloudError {
  return new TencentCloudError('InternalError', 'An internal error occurred.', requestId);
}

function isLogged(event: AuditEvent): boolean {
  return event.kind === 'api_call' && event.dialect === 'tencent' && Object.hasOwn(CLOUDAUDIT_EVENT_NAMES, event.action);
}

function invalidAction(action: string, service: string, version: string, requestId: string): TencentCloudError {
  return new TencentCloudError('InvalidAction', `The request action=\`${action}\` is invalid or not found in service=\`${service}\` and version=\`${version}\`.`, requestId);
}

function respond(outcome: TencentOutcome, traceId: string | undefined): TencentHttpResponse {
  const body = outcome.ok
    ? { Response: { ...outcome.response, RequestId: outcome.requestId } }
    : { Response: { Error: outcome.error.toJSON(), RequestId: outcome.requestId } };
  return {
    statusCode: 200,
    headers: { 'content-type': TENCENT_JSON_CONTENT_TYPE, ...(traceId ? { 'x-tc-traceid': traceId } : {}) },
    body: utf8(JSON.stringify(body)),
  };
}

/** Members that carry plaintext, key material, ciphertext, signatures or tokens: never recorded. */
const SECRET_MEMBERS = new Set([
  'Plaintext',
  'PlainText',
  'CiphertextBlob',
  'Ciphertext',
  'CipherText',
  'Message',
  'Signature',
  'SignatureValue',
  'EncryptedKeyMaterial',
  'ImportKeyMaterial',
  'ImportToken',
  'EncryptKey',
  'DecryptKey',
  'InitializationVector',
]);

/** A request or response without its secret members (nested structures included). */
function sanitize(value: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_MEMBERS.has(k) || v === undefined) continue;
    out[k] = clean(v);
  }
  return out;
}

function clean(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(clean);
  if (isPlainObject(v)) return sanitize(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return String(v);
}

export type { Realm };
