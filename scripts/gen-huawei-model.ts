/**
 * Generates src/dialects/huawei/model.generated.ts from the Huawei Cloud KMS v2 SDK extraction,
 * the KMS error table, the KMS→CTS operation table and the CTS seed: every operation (method, URL
 * template, request fields with type, required-ness, enum, pattern and range), the error codes
 * (HTTP status and the service's short wire message) and the CTS trace names. The SDK's Chinese
 * doc strings are read only to pull out the regexes and ranges they state; no prose is carried.
 *
 *   npx tsx scripts/gen-huawei-model.ts ../shared
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const shared = process.argv[2] ?? '../shared';
const spec = JSON.parse(readFileSync(join(shared, 'specs/huawei-kms-v2-sdk-spec.json'), 'utf8'));
const errorTable = JSON.parse(readFileSync(join(shared, 'specs/huawei-kms-error-codes.json'), 'utf8'));
const ctsTable = JSON.parse(readFileSync(join(shared, 'specs/huawei-kms-cts-operations.json'), 'utf8'));
const seed = readFileSync(join(shared, 'seeds/000_fab3688aee7bacde.txt'), 'utf8');

interface FieldModel {
  type: 'string' | 'integer' | 'boolean' | 'object' | 'list';
  /** For lists: 'string' or a model name; for objects: a model name. */
  of?: string;
  required?: true;
  enum?: string[];
  pattern?: string;
  range?: [number, number];
}

const models: Record<string, Record<string, FieldModel>> = {};

function fieldType(t: string): Pick<FieldModel, 'type' | 'of'> {
  if (t === 'str') return { type: 'string' };
  if (t === 'int') return { type: 'integer' };
  if (t === 'bool') return { type: 'boolean' };
  if (t === 'object' || t === 'dict(str, str)') return { type: 'object' };
  const list = /^list\[(.+)\]$/.exec(t);
  if (list) return { type: 'list', of: list[1] === 'str' ? 'string' : list[1]! };
  return { type: 'object', of: t };
}

/** The regex a doc string quotes (“^…$”), with the full-width comma some of them carry fixed. */
function patternOf(description: string): string | undefined {
  const m = /“(\^[^”]*\$)”/.exec(description);
  return m ? m[1]!.replace(/，/g, ',') : undefined;
}

/** The first documented numeric range: "1~1024", "7到1096", "30~365". */
function rangeOf(description: string): [number, number] | undefined {
  const m = /(\d+)\s*(?:~|～|到)\s*(\d+)/.exec(description);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function visitModel(name: string): void {
  if (models[name] || !spec.models[name]) return;
  const fields: Record<string, FieldModel> = {};
  models[name] = fields;
  for (const f of spec.models[name].fields) {
    const field: FieldModel = { ...fieldType(f.type) };
    if (f.required) field.required = true;
    if (Array.isArray(f.enum) && f.enum.length > 0) field.enum = [...f.enum];
    const description: string = f.description_zh ?? '';
    const pattern = patternOf(description);
    if (pattern && field.type === 'string') field.pattern = pattern;
    const range = rangeOf(description);
    if (range && !pattern) field.range = range;
    fields[f.name] = field;
    if (field.of && field.of !== 'string') visitModel(field.of);
  }
}

// Trace names: the seed's spelling where it lists the operation (the reference), else the spec's.
const seedNames = new Map<string, string>();
for (const m of seed.matchAll(/>([a-zA-Z]+)<\/p>\s*<\/td>\s*<\/tr>/g)) seedNames.set(m[1]!.toLowerCase(), m[1]!);

function traceName(name: string): string {
  return seedNames.get(name.toLowerCase()) ?? name;
}

interface OperationModel {
  sdkName: string;
  nodeMethod: string;
  method: string;
  path: string;
  pathParams: string[];
  query: string[];
  body?: string;
  response: string;
  responseFields: string[];
  cts?: { resourceType: string; traceName: string };
}

const pathCount = new Map<string, number>();
for (const op of spec.operations) pathCount.set(op.path, (pathCount.get(op.path) ?? 0) + 1);

/** The dialect's name for an operation: the URL verb where the path ends in one, else the SDK name with dashes. */
function verbOf(op: any): string {
  const m = /^\/v1\.0\/\{project_id\}\/kms\/([a-z]+(?:-[a-z]+)*)$/.exec(op.path);
  if (m && pathCount.get(op.path) === 1 && (op.http_method === 'POST' || m[1]!.includes('-'))) return m[1]!;
  return op.operation.replace(/_/g, '-');
}

const operations: Record<string, OperationModel> = {};
for (const op of [...spec.operations].sort((a: any, b: any) => verbOf(a).localeCompare(verbOf(b)))) {
  const request = spec.models[op.request_type];
  const bodyField = request?.fields.find((f: any) => f.name === 'body');
  if (bodyField) visitModel(bodyField.type);
  visitModel(op.response_type);
  const model: OperationModel = {
    sdkName: op.operation,
    nodeMethod: op.node_sdk_method,
    method: op.http_method,
    path: op.path,
    pathParams: [...op.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!).filter((p) => p !== 'project_id'),
    query: [...op.query_params],
    ...(bodyField ? { body: bodyField.type } : {}),
    response: op.response_type,
    responseFields: (spec.models[op.response_type]?.fields ?? []).map((f: any) => f.name),
  };
  if (op.cts) model.cts = { resourceType: op.cts.resource_type, traceName: traceName(op.cts.trace_name) };
  operations[verbOf(op)] = model;
}

// Traces CTS records for console actions that have no REST API (deleteKeyRiskTips).
const consoleTraces: Record<string, string> = {};
for (const entry of ctsTable.operations) {
  if (entry.api === null) consoleTraces[traceName(entry.trace_name)] = entry.resource_type;
}

const errors: Record<string, [number, string]> = {};
for (const e of errorTable.errors) {
  if (typeof e.error_code === 'string' && e.error_code.startsWith('KMS.')) errors[e.error_code] = [e.http_status, e.message];
}

const header = `// Generated by scripts/gen-huawei-model.ts from the Huawei Cloud KMS v2 SDK extraction, the KMS error
// table and the CTS operation table. Do not edit by hand: run \`npx tsx scripts/gen-huawei-model.ts <shared dir>\`.
/* eslint-disable */
`;
const body = `
export interface FieldModel {
  type: 'string' | 'integer' | 'boolean' | 'object' | 'list';
  /** Lists: 'string' or a model name; objects: a model name. */
  of?: string;
  required?: true;
  enum?: string[];
  pattern?: string;
  range?: [number, number];
}

export interface OperationModel {
  sdkName: string;
  nodeMethod: string;
  method: string;
  path: string;
  pathParams: string[];
  query: string[];
  body?: string;
  response: string;
  responseFields: string[];
  cts?: { resourceType: string; traceName: string };
}

export const MODELS: Record<string, Record<string, FieldModel>> = ${JSON.stringify(models, null, 1)};

/** By the dialect's operation name (the URL verb, or the SDK name with dashes). */
export const OPERATIONS: Record<string, OperationModel> = ${JSON.stringify(operations, null, 1)};

/** CTS traces of console actions that have no REST API: trace name → resource type. */
export const CONSOLE_TRACES: Record<string, string> = ${JSON.stringify(consoleTraces, null, 1)};

/** KMS.xxxx → [HTTP status, the service's error_msg]. */
export const ERRORS: Record<string, [number, string]> = ${JSON.stringify(errors, null, 1)};
`;
writeFileSync('src/dialects/huawei/model.generated.ts', header + body);
console.log(`operations: ${Object.keys(operations).length}, models: ${Object.keys(models).length}, errors: ${Object.keys(errors).length}`);
