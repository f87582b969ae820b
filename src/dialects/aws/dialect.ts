import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import type { AuditEvent, AuditResource, JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isKmsError } from '../../engine/errors.js';
import type { CallContext, KeyInfo, Principal, Realm } from '../../engine/types.js';
import { actionOf } from './actions.js';
import { parseKeyId, principalFromArn, withAwsNames, withoutAwsNames } from './arn.js';
import { toCloudTrail, type CloudTrailRecord } from './cloudtrail.js';
import { awsErrorFrom, AwsServiceError } from './errors.js';
import { AWS_MANAGED_KEYS } from './managed-keys.js';
import { OPERATIONS, SHAPES, type OperationModel } from './model.generated.js';
import type { Call, Trail } from './call.js';
import { HANDLERS } from './operations.js';
import { bodyText, checkMeta, requestObject, InputRejected, parseBoundedJson, pickHeaders } from '../input.js';
import { isPlainObject } from '../shared.js';
import { decodeInput, membersOf, SerializationProblem, validationMessage } from './validate.js';
import { injectFault } from './faults.js';
import { isTrackedUse } from './ops-usage.js';
import { CloudTrailInternalFailure, cloudTrailOperation, lookupEvents, type LookupEvent } from './lookup-events.js';
import { invokeOperation, lookUp, type DialectWire, type PipelineRequest } from '../pipeline.js';
import { InternalErrorLog } from '../internal-errors.js';
import { checkClusterDeclarations, type AwsKeyStoreOptions } from './custom-key-stores.js';
import { AUTHORIZATION_MODES, AwsAuthorization, AwsCallAuthorizer, checkIdentity, type AuthorizationMode, type AwsIdentity } from './authorization.js';

export interface AwsDialectOptions {
  account: string;
  region: string;
  /** Custom key stores: emulated CloudHSM clusters, how external key stores reach their proxies (custom-key-stores.ts). */
  keyStores?: AwsKeyStoreOptions;
  /** Key policies, identity policies and grants: 'off' (the default), 'enforce', or 'audit' (docs/authorization.md). */
  authorization?: AuthorizationMode;
}

/** Who is calling and from where; the SDK handler and the server fill it from the request. */
export interface AwsCallMeta {
  /** The caller's account; default: the dialect's account. */
  account?: string;
  region?: string;
  accessKeyId?: string;
  principal?: Principal;
  /** The principal's identity policies and tags (authorization mode). */
  identity?: AwsIdentity;
  sourceIp?: string;
  userAgent?: string;
  /** The AWS service calling on the principal's behalf (kms:ViaService), e.g. "s3.us-east-1.amazonaws.com". */
  viaService?: string;
}

export type AwsOutcome =
  | { ok: true; requestId: string; output: Record<string, unknown> }
  | { ok: false; requestId: string; error: AwsServiceError };

export interface AwsHttpRequest {
  headers: Record<string, string | undefined>;
  body?: string | Uint8Array;
}

export interface AwsHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'TrentService.';
/** The string members of AwsCallMeta. */
const META_STRINGS = ['account', 'region', 'accessKeyId', 'sourceIp', 'userAgent', 'viaService'] as const;
/** The headers `handle` reads: the operation, the signature's credential scope, the user agent. */
const READ_HEADERS = ['x-amz-target', 'authorization', 'x-amz-user-agent', 'user-agent'] as const;
const PLACEHOLDER_CREDENTIALS = { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'kms-emulator-secret-access-key' };

/** The AWS KMS dialect: TrentService operations over the neutral engine. */
export class AwsDialect {
  /** Unexpected exceptions caught at the boundary (answered as KMSInternalException): the last 100, their count, and a hook (`onError`). Empty unless there is a bug. */
  readonly internalErrors = new InternalErrorLog();

  constructor(
    readonly engine: Engine,
    readonly options: AwsDialectOptions,
  ) {
    checkClusterDeclarations(options.keyStores?.cloudHsmClusters);
    this.#keyStores = options.keyStores ?? {};
    this.#wire = this.#makeWire();
    const mode = options.authorization ?? 'off';
    if (!AUTHORIZATION_MODES.includes(mode)) throw new TypeError(`authorization must be one of ${AUTHORIZATION_MODES.join(', ')}`);
    this.#authorization = mode === 'off' ? undefined : new AwsAuthorization(mode);
  }

  /** The authorization mode's shared part (parsed policies), when the mode is on. */
  readonly #authorization: AwsAuthorization | undefined;

  /** 'off', 'enforce' or 'audit'. */
  get authorization(): AuthorizationMode {
    return this.#authorization?.mode ?? 'off';
  }

  readonly #keyStores: AwsKeyStoreOptions;

  /**
   * Realms, default principals and user agents repeat from call to call; every audit event keeps
   * them, so calls share one (read-only) object or string each instead of a copy per event. Each
   * table is bounded: past 1,024 entries it starts again.
   */
  readonly #realms = new Map<string, Map<string, Realm>>();
  readonly #roots = new Map<string, Map<string, Principal>>();
  readonly #userAgents = new Map<string, string>();
  #lastRealm: Realm | undefined;

  #realmOf(account: string, region: string): Realm {
    const last = this.#lastRealm;
    if (last !== undefined && last.account === account && last.region === region) return last;
    const realm = shared(this.#realms, account, region, () => ({ account, region }));
    this.#lastRealm = realm;
    return realm;
  }

  #rootOf(account: string, accessKeyId: string | undefined): Principal {
    return shared(this.#roots, account, accessKeyId ?? '', () => ({ account, type: 'root' as const, id: account, ...(accessKeyId ? { accessKeyId } : {}) }));
  }

  #userAgentOf(userAgent: string): string {
    const known = this.#userAgents.get(userAgent);
    if (known !== undefined) return known;
    if (this.#userAgents.size >= 1024) this.#userAgents.clear();
    this.#userAgents.set(userAgent, userAgent);
    return userAgent;
  }

  /** Calls one operation with AWS-shaped JSON (base64 blobs, epoch-second dates); throws AwsServiceError. */
  async send(operation: string, input: Record<string, unknown> = {}, meta?: AwsCallMeta | null): Promise<Record<string, any>> {
    const outcome = await this.invoke(operation, input, meta);
    if (!outcome.ok) throw outcome.error;
    return outcome.output;
  }

  /** Validates, runs, records one CloudTrail-bound audit event. Whatever `input` holds, never rejects: errors are outcomes. A `meta` that is not an object of the documented fields is a TypeError (a programming mistake), before anything changes. */
  async invoke(operation: string, input: unknown, meta?: AwsCallMeta | null): Promise<AwsOutcome> {
    return this.#invoke(operation, input, checkMeta(meta, META_STRINGS));
  }

  #invoke(operation: string, input: unknown, meta: AwsCallMeta): Promise<AwsOutcome> {
    return invokeOperation(this.#wire, operation, input, meta);
  }

  /** AWS's steps of the dialect pipeline (src/dialects/pipeline.ts). */
  readonly #wire: AwsWire;

  #makeWire(): AwsWire {
    return {
    engine: this.engine,
    handlers: HANDLERS,
    internalErrors: this.internalErrors,
    unknownOperation: (requestId) => ({ ok: false, requestId, error: new AwsServiceError('UnknownOperationException', undefined) }),
    begin: (requestId, operation, spec, input, meta) => {
      const model = lookUp(OPERATIONS, operation);
      if (!model) return { ok: false, requestId, error: new AwsServiceError('UnknownOperationException', undefined) };
      const account = meta.account ?? this.options.account;
      const region = meta.region ?? this.options.region;
      const realm = this.#realmOf(account, region);
      const principal: Principal = meta.principal ?? this.#rootOf(account, meta.accessKeyId);
      const { body: raw, rejected } = requestObject(input);
      const grantTokens = raw && Array.isArray(raw.GrantTokens) ? raw.GrantTokens.filter((t): t is string => typeof t === 'string') : [];
      // A grant names its grantee by any of the principal's AWS names; its operations are actions.
      const ctx: Mutable<CallContext> = { realm, principal: withAwsNames(principal, region), requestId, serviceKeys: AWS_MANAGED_KEYS };
      const action = actionOf(operation);
      if (action !== undefined) ctx.action = action;
      if (grantTokens.length > 0) ctx.grantTokens = grantTokens;
      if (meta.sourceIp) ctx.sourceIp = meta.sourceIp;
      if (meta.userAgent) ctx.userAgent = this.#userAgentOf(meta.userAgent);
      const request: AwsRequest = {
        engine: this.engine,
        ctx,
        realm,
        operation,
        input: EMPTY_INPUT,
        trail: { resources: [] },
        keyStores: this.#keyStores,
        requestId,
        spec,
        raw,
        rejected,
        output: undefined,
        error: undefined,
        model,
        grantTokens,
      };
      if (this.#authorization !== undefined) {
        ctx.authorizer = new AwsCallAuthorizer(this.#authorization, {
          operation,
          realm,
          principal: ctx.principal,
          identity: checkIdentity(meta.identity),
          sourceIp: ctx.sourceIp,
          viaService: meta.viaService,
          call: request,
          clock: this.engine,
        });
      }
      return request;
    },
    refused: (rejected) => new AwsServiceError('SerializationException', rejected.message),
    notAnObject: () => new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.'),
    injectFault,
    decode: (request, raw) => {
      const { model, ctx } = request;
      const decoded = decodeInput(raw, model.input);
      if (decoded.violations.length > 0) throw new AwsServiceError('ValidationException', validationMessage(decoded.violations));
      // Operations that model InvalidGrantTokenException refuse a token that names no grant; the
      // others (DescribeKey, GetPublicKey, …) take GrantTokens but only ever use the valid ones.
      if (model.errors.includes('InvalidGrantTokenException')) {
        for (const token of request.grantTokens) {
          if (!this.engine.grantByToken(ctx, token)) throw new AwsServiceError('InvalidGrantTokenException', 'The grant token is not valid.');
        }
      }
      // The request is the handler's call: no second object per request.
      request.input = decoded.value;
      // A dry run is checked in full by the engine, then refused before any cryptography or change.
      if (decoded.value.DryRun === true) (ctx as Mutable<CallContext>).dryRun = true;
      return request;
    },
    providerError: (e, request) => {
      if (e instanceof AwsServiceError) return e;
      if (isKmsError(e)) return awsErrorFrom(e, request.realm, request.operation, request.ctx.principal);
      if (e instanceof SerializationProblem) return new AwsServiceError('SerializationException', e.message);
      return undefined;
    },
    internalError: () => new AwsServiceError('KMSInternalException', 'An internal error occurred.'),
    afterError: ({ trail, raw, ctx, input }) => {
      if (trail.resources.length === 0 && raw && typeof raw.KeyId === 'string') {
        this.#addResourceFor(ctx, raw.KeyId, trail);
      }
      // A refused dry run names the key its ciphertext names, as the call it stands for would.
      if (trail.resources.length === 0 && ctx.dryRun === true && input.CiphertextBlob instanceof Uint8Array) {
        const key = this.engine.ciphertextKey(ctx, input.CiphertextBlob);
        if (key) trail.resources.push(key);
      }
    },
    record: (r) => this.#record(r),
    outcome: ({ requestId, error, output }) => (error ? { ok: false, requestId, error } : { ok: true, requestId, output: output! }),
    };
  }

  /** The CloudTrail-bound audit event of one call. */
  #record({ raw, model, trail, operation, realm, ctx, requestId, spec, error }: AwsRequest): void {
    let request: Record<string, JsonValue> | null = null;
    if (raw) {
      request = trail.requestReplaced === true && trail.request ? { ...trail.request } : requestParameters(raw, model.input);
      if (trail.request && trail.requestReplaced !== true) Object.assign(request, trail.request);
    }
    const event: Mutable<CallEvent> = {
      dialect: 'aws',
      action: operation,
      realm,
      principal: withoutAwsNames(ctx.principal),
      requestId,
      readOnly: spec.readOnly,
      resources: resourcesOf(trail.resources),
      request,
      response: error ? null : (trail.response ?? null),
    };
    if (ctx.sourceIp) event.sourceIp = ctx.sourceIp;
    if (ctx.userAgent) event.userAgent = ctx.userAgent;
    if (!error && trail.additional) event.additional = trail.additional;
    // The authorization mode's decisions (docs/authorization.md), refused calls included.
    const authorizer = ctx.authorizer;
    if (authorizer instanceof AwsCallAuthorizer && authorizer.decisions.length > 0) {
      event.additional = { ...event.additional, authorization: authorizer.trailEntry() };
    }
    if (error) event.error = { code: error.code, message: error.wireMessage ?? '' };
    // A successful cryptographic call is the last use of its keys (GetKeyLastUsage).
    else if (isTrackedUse(operation)) event.keyUse = true;
    this.engine.recordCall(event);
  }

  #addResourceFor(ctx: CallContext, keyId: string, trail: Trail): void {
    let ref;
    try {
      ref = parseKeyId(keyId, ctx.realm, true);
    } catch (e) {
      // A key id AWS would not accept names no resource to record.
      if (e instanceof AwsServiceError) return;
      throw e;
    }
    const key = this.engine.findKey(ctx, ref);
    if (key) trail.resources.push(key);
  }

  /** Serves one AWS JSON 1.1 request (`X-Amz-Target: TrentService.<Operation>`). */
  async handle(request: AwsHttpRequest, meta?: AwsCallMeta | null): Promise<AwsHttpResponse> {
    if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object with headers');
    const [target, authorization, amzUserAgent, httpUserAgent] = pickHeaders(request.headers, READ_HEADERS);
    meta = checkMeta(meta, META_STRINGS);
    const fromAuth = parseAuthorization(authorization);
    const userAgent = amzUserAgent ?? httpUserAgent;
    const callMeta: AwsCallMeta = {};
    if (fromAuth.region) callMeta.region = fromAuth.region;
    if (fromAuth.accessKeyId) callMeta.accessKeyId = fromAuth.accessKeyId;
    if (userAgent) callMeta.userAgent = userAgent;
    Object.assign(callMeta, meta);
    const cloudTrail = cloudTrailOperation(target);
    if (!target || (!target.startsWith(TARGET_PREFIX) && cloudTrail === undefined)) {
      return this.#respond(this.engine.newId(), new AwsServiceError('UnknownOperationException', undefined));
    }
    let input: unknown;
    try {
      const text = bodyText(request.body, fromUtf8);
      input = text.trim() === '' ? {} : parseBoundedJson(text);
    } catch (e) {
      if (!(e instanceof InputRejected)) throw e;
      const message = e.problem === 'syntax' ? 'Malformed request body: not valid JSON.' : e.message;
      return this.#respond(this.engine.newId(), new AwsServiceError('SerializationException', message));
    }
    if (cloudTrail !== undefined) return this.#cloudTrailCall(cloudTrail, input, callMeta);
    const outcome = await this.#invoke(target.slice(TARGET_PREFIX.length), input, callMeta);
    return this.#respond(outcome.requestId, outcome.ok ? undefined : outcome.error, outcome.ok ? outcome.output : undefined);
  }

  /**
   * CloudTrail's LookupEvents over the KMS events of the caller's account and region (lookup-events.ts):
   * `Events` newest first and `NextToken`, with times in epoch seconds; throws AwsServiceError
   * (InvalidLookupAttributesException, InvalidTimeRangeException, InvalidMaxResultsException,
   * InvalidNextTokenException, …). StartTime and EndTime may be Dates. The call is not itself recorded.
   */
  lookupEvents(input: Record<string, unknown> = {}, meta?: AwsCallMeta | null): { Events: LookupEvent[]; NextToken?: string } {
    const m = checkMeta(meta, META_STRINGS);
    return lookupEvents(this.engine, this.#realmOf(m.account ?? this.options.account, m.region ?? this.options.region), input, isAwsEvent);
  }

  /** A CloudTrail operation on the KMS port: LookupEvents, or CloudTrail's UnknownOperationException. */
  #cloudTrailCall(operation: string, input: unknown, meta: AwsCallMeta): AwsHttpResponse {
    const requestId = this.engine.newId();
    if (operation !== 'LookupEvents') return this.#respond(requestId, new AwsServiceError('UnknownOperationException', undefined));
    try {
      return this.#respond(requestId, undefined, lookupEvents(this.engine, this.#realmOf(meta.account ?? this.options.account, meta.region ?? this.options.region), input, isAwsEvent));
    } catch (e) {
      if (e instanceof AwsServiceError) return this.#respond(requestId, e);
      this.internalErrors.record(e);
      return this.#respond(requestId, new CloudTrailInternalFailure());
    }
  }

  #respond(requestId: string, error?: AwsServiceError, output?: Record<string, unknown>): AwsHttpResponse {
    const body = error ? error.toJSON() : output;
    return {
      statusCode: error ? error.httpStatusCode : 200,
      headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
      body: utf8(JSON.stringify(body)),
    };
  }

  /**
   * Configuration for `new KMSClient({ ...kms.aws.clientConfig() })`: an in-process request
   * handler (no network), placeholder credentials and the emulator's region.
   */
  clientConfig(options: AwsClientOptions = {}) {
    const meta: AwsCallMeta = {};
    if (options.principal !== undefined) {
      meta.principal = typeof options.principal === 'string' ? principalFromArn(options.principal) : options.principal;
      meta.account = meta.principal.account;
    }
    if (options.account !== undefined) meta.account = options.account;
    if (options.identity !== undefined) meta.identity = checkIdentity(options.identity)!;
    if (options.viaService !== undefined) meta.viaService = options.viaService;
    if (options.sourceIp !== undefined) meta.sourceIp = options.sourceIp;
    return {
      region: options.region ?? this.options.region,
      credentials: options.credentials ?? PLACEHOLDER_CREDENTIALS,
      requestHandler: new InProcessRequestHandler(this, meta),
    };
  }

  /** CloudTrail records of AWS API calls and of service events (rotations, deletions), oldest first. */
  cloudTrail(filter?: (record: CloudTrailRecord) => boolean): CloudTrailRecord[] {
    this.engine.runDueWork();
    const records = this.engine.audit.list(isAwsEvent).map(toCloudTrail);
    return filter ? records.filter(filter) : records;
  }
}

/** What `clientConfig` takes: where the client calls from, and who it calls as. */
export interface AwsClientOptions {
  region?: string;
  /** The caller's account; default: the principal's, else the dialect's. */
  account?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Who calls: an IAM ARN (`arn:aws:iam::111122223333:user/alice`, `…:role/KeyUser`, `…:root`, an assumed-role session) or a principal. Default: the account root. */
  principal?: string | Principal;
  /** The principal's identity policies and tags (authorization mode, docs/authorization.md). */
  identity?: AwsIdentity;
  /** Calls as made by this AWS service on the principal's behalf (kms:ViaService). */
  viaService?: string;
  /** aws:SourceIp; default 127.0.0.1. */
  sourceIp?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Output = Record<string, unknown>;
type AwsWire = DialectWire<AwsCallMeta, AwsRequest, Call, Output, AwsServiceError, AwsOutcome>;
/** The input of a call not decoded yet (never seen by a handler). */
const EMPTY_INPUT: Record<string, any> = Object.freeze({});

/** One AWS request in flight; it is also the handler's call. */
interface AwsRequest extends PipelineRequest<Call, Output, AwsServiceError> {
  readonly engine: Engine;
  readonly ctx: CallContext;
  readonly realm: Realm;
  readonly operation: string;
  input: Record<string, any>;
  readonly trail: Trail;
  readonly keyStores: AwsKeyStoreOptions;
  readonly model: OperationModel;
  readonly grantTokens: string[];
}
/** What a dialect hands to Engine.recordCall. */
type CallEvent = Parameters<Engine['recordCall']>[0];

/** The value under `a`, `b` in a two-level table, made on first use; each level holds at most 1,024 entries. */
function shared<T>(table: Map<string, Map<string, T>>, a: string, b: string, make: () => T): T {
  let inner = table.get(a);
  if (!inner) {
    if (table.size >= 1024) table.clear();
    inner = new Map();
    table.set(a, inner);
  }
  let value = inner.get(b);
  if (value === undefined) {
    if (inner.size >= 1024) inner.clear();
    value = make();
    inner.set(b, value);
  }
  return value;
}

function isAwsEvent(event: AuditEvent): boolean {
  return event.kind === 'service_event' || event.dialect === 'aws';
}

/**
 * The `requestHandler` for `@aws-sdk/client-kms`: takes the SDK's signed HttpRequest and answers
 * it from the dialect, in process.
 */
export class InProcessRequestHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  constructor(
    readonly dialect: AwsDialect,
    readonly meta: AwsCallMeta = {},
  ) {}

  async handle(request: { headers: Record<string, string>; body?: unknown }): Promise<{ response: AwsHttpResponse }> {
    const body = typeof request.body === 'string' || request.body instanceof Uint8Array ? request.body : undefined;
    const httpRequest: AwsHttpRequest = { headers: request.headers };
    if (body !== undefined) httpRequest.body = body;
    return { response: await this.dialect.handle(httpRequest, { sourceIp: '127.0.0.1', ...this.meta }) };
  }

  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, unknown> {
    return {};
  }
  destroy(): void {}
}

/** Reads `Credential=AKID/date/region/service/aws4_request` from a SigV4 Authorization header. */
export function parseAuthorization(header: string | undefined): { accessKeyId?: string; region?: string } {
  if (!header) return {};
  // A region is lower-case letters, digits and dashes; anything else is not a region (ignored).
  const m = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]{1,64})\/[^/,\s]+\/aws4_request/.exec(header);
  return m ? { accessKeyId: m[1]!, region: m[2]! } : {};
}

/** CloudTrail's requestParameters: lowerCamelCase members, without blobs or grant tokens (GrantTokens, RetireGrant's GrantToken). */
function requestParameters(input: Record<string, unknown>, shapeName: string): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const shape = SHAPES[shapeName];
  if (!shape || shape.type !== 'structure') return out;
  for (const m of membersOf(shapeName)) {
    const value = input[m.member];
    if (value === undefined || value === null || m.member === 'GrantTokens' || m.member === 'GrantToken') continue;
    const target = SHAPES[m.target];
    // Blobs, and secrets (a key store's password, a proxy's credential), never enter a record.
    if (!target || target.type === 'blob' || ('sensitive' in target && target.sensitive === true)) continue;
    if (target.type === 'structure' && isPlainObject(value)) {
      const nested = requestParameters(value, m.target);
      // A structure of secrets only (a proxy's credential) leaves no trace.
      if (Object.keys(nested).length > 0 || Object.keys(value).length === 0) out[m.name] = nested;
    } else out[m.name] = value as JsonValue;
  }
  return out;
}

/** The audit resources of the keys a call touched, each key once. */
function resourcesOf(keys: readonly KeyInfo[]): AuditResource[] {
  const out: AuditResource[] = [];
  for (const k of keys) {
    if (out.some((r) => r.keyId === k.id)) continue;
    out.push({ account: k.realm.account, region: k.realm.region, keyId: k.id });
  }
  return out;
}

