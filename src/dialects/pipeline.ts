/**
 * The one request pipeline of the three dialects: look the operation up (own properties only),
 * build the call context, check and decode the input, run the handler, map what it threw to the
 * provider's error (an unexpected exception is logged and answered as the provider's internal
 * error), record the audit event. Each dialect supplies its wire specifics as a `DialectWire`.
 */
import type { Engine } from '../engine/engine.js';
import { hasFaults } from '../faults.js';
import type { InputRejected } from './input.js';
import type { InternalErrorLog } from './internal-errors.js';

/** One row of a dialect's operation table. */
export interface OperationEntry<Call, Out> {
  readonly handler: (call: Call) => Out | Promise<Out>;
  /** The audit record's read-only flag. */
  readonly readOnly: boolean;
}

/** One request in flight, as the pipeline sees it; a dialect adds what its own steps need. */
export interface PipelineRequest<Call, Out, Err> {
  readonly requestId: string;
  readonly operation: string;
  readonly spec: OperationEntry<Call, Out>;
  /** The input as a bounded, null-prototype object; undefined when it is not an object or was refused. */
  readonly raw: Record<string, unknown> | undefined;
  readonly rejected: InputRejected | undefined;
  output: Out | undefined;
  error: Err | undefined;
}

/** What a dialect plugs into the pipeline. `Outcome`s all carry `ok`; requests do not. */
export interface DialectWire<Meta, R extends PipelineRequest<Call, Out, Err>, Call, Out, Err, Outcome extends { ok: boolean }> {
  readonly engine: Engine;
  readonly handlers: Readonly<Record<string, OperationEntry<Call, Out>>>;
  readonly internalErrors: InternalErrorLog;
  /** The answer to an operation the table does not have. */
  unknownOperation(requestId: string, operation: unknown): Outcome;
  /** The request's context and state, or an outcome that refuses it before anything runs. */
  begin(requestId: string, operation: string, spec: OperationEntry<Call, Out>, input: unknown, meta: Meta): R | Outcome;
  /** What to throw for input that is not bounded JSON. */
  refused(problem: InputRejected, request: R): unknown;
  /** What to throw for input that is not an object. */
  notAnObject(request: R): unknown;
  /** Waits out, then throws, an injected fault (called only when the engine has faults). */
  injectFault(engine: Engine, operation: string, raw: Record<string, unknown> | undefined): Promise<void>;
  /** Checks and translates the input into the handler's call; throws the provider's errors. */
  decode(request: R, raw: Record<string, unknown>): Call;
  /** The provider's error for what a step threw: its own errors and KmsError; undefined for anything else (a bug). */
  providerError(e: unknown, request: R): Err | undefined;
  /** The provider's internal error. */
  internalError(request: R): Err;
  /** Called after a failure, before the audit record (to name the key the request named). */
  afterError?(request: R): void;
  /** Renders and records the audit event. */
  record(request: R): void;
  outcome(request: R): Outcome;
}

/** `table[name]` when `name` is one of its own properties ('toString' or 'constructor' name no operation). */
export function lookUp<T>(table: Readonly<Record<string, T>>, name: unknown): T | undefined {
  return typeof name === 'string' && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The provider's error for `e`; an unexpected exception is logged and becomes the internal error. */
export function providerErrorOf<Err>(e: unknown, known: Err | undefined, internal: () => Err, log: InternalErrorLog): Err {
  if (known !== undefined) return known;
  log.record(e);
  return internal();
}

/** Runs one operation through the pipeline. Whatever `input` holds, never rejects: errors are outcomes. */
export async function invokeOperation<Meta, R extends PipelineRequest<Call, Out, Err>, Call, Out, Err, Outcome extends { ok: boolean }>(
  wire: DialectWire<Meta, R, Call, Out, Err, Outcome>,
  operation: string,
  input: unknown,
  meta: Meta,
): Promise<Outcome> {
  const engine = wire.engine;
  const requestId = engine.newId();
  const spec = lookUp(wire.handlers, operation);
  if (!spec) return wire.unknownOperation(requestId, operation);
  const request = wire.begin(requestId, operation, spec, input, meta);
  if ('ok' in request) return request;
  try {
    if (request.rejected) throw wire.refused(request.rejected, request);
    if (hasFaults(engine)) await wire.injectFault(engine, operation, request.raw);
    if (!request.raw) throw wire.notAnObject(request);
    const call = wire.decode(request, request.raw);
    const result = spec.handler(call);
    // Most operations finish synchronously; only those doing asynchronous cryptography are awaited.
    request.output = result instanceof Promise ? await result : result;
  } catch (e) {
    request.error = providerErrorOf(e, wire.providerError(e, request), () => wire.internalError(request), wire.internalErrors);
    wire.afterError?.(request);
  }
  wire.record(request);
  return wire.outcome(request);
}
