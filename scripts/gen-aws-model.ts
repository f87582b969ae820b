/**
 * Generates src/dialects/aws/model.generated.ts from the AWS KMS Smithy model (and the 2026 delta):
 * operations, their input and output shapes, constraints, enums and errors. Documentation prose is
 * left out; only names, shapes and constraints are carried.
 *
 *   npm run gen:model -- ../shared/specs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const specs = process.argv[2] ?? '../shared/specs';
const model = JSON.parse(readFileSync(join(specs, 'aws-kms.smithy.json'), 'utf8'));
const delta = JSON.parse(readFileSync(join(specs, 'aws-kms.model-delta-2026.json'), 'utf8'));
const NS = 'com.amazonaws.kms#';
const shapes: Record<string, any> = model.shapes;

type Shape =
  | { type: 'string'; length?: [number?, number?]; pattern?: string; enum?: string[]; sensitive?: true }
  | { type: 'blob'; length?: [number?, number?]; sensitive?: true }
  | { type: 'integer' | 'long'; range?: [number?, number?] }
  | { type: 'boolean' | 'timestamp' }
  | { type: 'list'; member: string; length?: [number?, number?] }
  | { type: 'map'; key: string; value: string; length?: [number?, number?] }
  | { type: 'structure'; members: Record<string, { target: string; required?: true }> };

const out: Record<string, Shape> = {};

function local(target: string): string {
  if (target.startsWith('smithy.api#')) return target.slice('smithy.api#'.length);
  return target.slice(NS.length);
}

function bounds(t: any): [number?, number?] | undefined {
  if (!t) return undefined;
  return [t.min, t.max];
}

function visit(target: string): string {
  const name = local(target);
  if (out[name] || target.startsWith('smithy.api#')) {
    if (target.startsWith('smithy.api#') && !out[name]) {
      const prim = name.toLowerCase();
      out[name] = prim === 'unit' ? { type: 'structure', members: {} } : { type: prim === 'primitiveboolean' ? 'boolean' : (prim as any) };
    }
    return name;
  }
  const s = shapes[target];
  if (!s) throw new Error(`unknown shape ${target}`);
  const traits = s.traits ?? {};
  const sensitive = traits['smithy.api#sensitive'] ? { sensitive: true as const } : {};
  switch (s.type) {
    case 'string':
      out[name] = {
        type: 'string',
        ...(traits['smithy.api#length'] ? { length: bounds(traits['smithy.api#length']) } : {}),
        ...(traits['smithy.api#pattern'] ? { pattern: traits['smithy.api#pattern'] } : {}),
        ...sensitive,
      };
      break;
    case 'enum': {
      const values = Object.entries(s.members).map(([k, m]: [string, any]) => m.traits?.['smithy.api#enumValue'] ?? k);
      out[name] = { type: 'string', enum: values };
      break;
    }
    case 'blob':
      out[name] = { type: 'blob', ...(traits['smithy.api#length'] ? { length: bounds(traits['smithy.api#length']) } : {}), ...sensitive };
      break;
    case 'integer':
    case 'long':
      out[name] = { type: s.type, ...(traits['smithy.api#range'] ? { range: bounds(traits['smithy.api#range']) } : {}) };
      break;
    case 'boolean':
    case 'timestamp':
      out[name] = { type: s.type };
      break;
    case 'list':
      out[name] = { type: 'list', member: '', ...(traits['smithy.api#length'] ? { length: bounds(traits['smithy.api#length']) } : {}) };
      (out[name] as any).member = visit(s.member.target);
      break;
    case 'map':
      out[name] = { type: 'map', key: '', value: '', ...(traits['smithy.api#length'] ? { length: bounds(traits['smithy.api#length']) } : {}) };
      (out[name] as any).key = visit(s.key.target);
      (out[name] as any).value = visit(s.value.target);
      break;
    case 'structure': {
      const members: Record<string, { target: string; required?: true }> = {};
      out[name] = { type: 'structure', members };
      for (const [m, def] of Object.entries<any>(s.members ?? {})) {
        members[m] = { target: visit(def.target), ...(def.traits?.['smithy.api#required'] ? { required: true as const } : {}) };
      }
      break;
    }
    default:
      throw new Error(`unhandled shape type ${s.type} for ${target}`);
  }
  return name;
}

interface OperationModel {
  input: string;
  output: string;
  errors: string[];
  paginated?: true;
  /** Whether the KeyId member accepts alias names and alias ARNs (from the member's documentation). */
  keyIdAcceptsAlias?: boolean;
}

const operations: Record<string, OperationModel> = {};
for (const [id, s] of Object.entries<any>(shapes)) {
  if (s.type !== 'operation') continue;
  const name = local(id);
  const input = visit(s.input.target);
  const output = s.output ? visit(s.output.target) : 'Unit';
  const inputShape = shapes[s.input.target];
  const keyDoc: string | undefined = inputShape.members?.KeyId?.traits?.['smithy.api#documentation'];
  operations[name] = {
    input,
    output,
    errors: (s.errors ?? []).map((e: any) => local(e.target)).sort(),
    ...(s.traits?.['smithy.api#paginated'] ? { paginated: true as const } : {}),
    // "Alias names are not supported" (GetKeyLastUsage) names aliases to refuse them.
    ...(keyDoc !== undefined ? { keyIdAcceptsAlias: /alias name/i.test(keyDoc) && !/alias names are not supported/i.test(keyDoc) } : {}),
  };
}

const errors: Record<string, { httpStatus: number; fault: 'client' | 'server' }> = {};
for (const [id, s] of Object.entries<any>(shapes)) {
  if (s.type === 'structure' && s.traits?.['smithy.api#error']) {
    errors[local(id)] = { httpStatus: s.traits['smithy.api#httpError'] ?? 400, fault: s.traits['smithy.api#error'] };
  }
}

// The 2026 delta: enum values and the ML-KEM operations that the newest SDK carries.
for (const [enumName, change] of Object.entries<any>(delta.enumDelta ?? {})) {
  const shapeName = enumName === 'KeyUsageType' ? 'KeyUsageType' : enumName;
  const shape = out[shapeName] as { enum?: string[] } | undefined;
  if (shape?.enum) shape.enum = [...shape.enum, ...change.added.filter((v: string) => !shape.enum!.includes(v))];
  else if (!shape) out[shapeName] = { type: 'string', enum: change.added };
}

// The operations the newest SDK adds (Encapsulate, Decapsulate): the delta describes their members
// in words; each member maps to the model's shape of the same meaning.
const DELTA_MEMBER_SHAPES: Record<string, string> = {
  KeyId: 'KeyIdType',
  GrantTokens: 'GrantTokenList',
  DryRun: 'NullableBooleanType',
  EncapsulationAlgorithm: 'EncapsulationAlgorithmSpec',
  SharedSecret: 'PlaintextType',
  SharedSecretCiphertextBlob: 'CiphertextType',
};
function deltaStructure(name: string, members: Record<string, string>): string {
  const out_: Record<string, { target: string; required?: true }> = {};
  for (const [member, description] of Object.entries(members)) {
    const target = DELTA_MEMBER_SHAPES[member];
    if (!target || !out[target]) throw new Error(`delta member ${name}.${member} has no known shape`);
    out_[member] = { target, ...(/\(required\)/.test(description) ? { required: true as const } : {}) };
  }
  out[name] = { type: 'structure', members: out_ };
  return name;
}
for (const [name, op] of Object.entries<any>(delta.addedOperations ?? {})) {
  if (operations[name]) continue;
  operations[name] = {
    input: deltaStructure(`${name}Request`, op.input),
    output: deltaStructure(`${name}Response`, op.output),
    errors: [...op.errors].sort(),
    keyIdAcceptsAlias: true,
  };
}
// Members the delta adds to existing structures: lists of the algorithms of the new enum.
for (const [structure, members] of Object.entries<string[]>(delta.addedStructureMembers ?? {})) {
  const shape = out[structure];
  if (!shape || shape.type !== 'structure') throw new Error(`delta structure ${structure} is not in the model`);
  for (const member of members) {
    if (member !== 'EncapsulationAlgorithms') throw new Error(`delta member ${structure}.${member} has no known shape`);
    out.EncapsulationAlgorithmSpecList ??= { type: 'list', member: 'EncapsulationAlgorithmSpec' };
    shape.members[member] = { target: 'EncapsulationAlgorithmSpecList' };
  }
}

const header = `// Generated by scripts/gen-aws-model.ts from the AWS KMS Smithy model (2014-11-01) and its 2026 delta.
// Do not edit by hand: run \`npm run gen:model -- <specs dir>\`.
/* eslint-disable */
`;
const body = `
export type ShapeModel =
  | { type: 'string'; length?: [number?, number?]; pattern?: string; enum?: string[]; sensitive?: true }
  | { type: 'blob'; length?: [number?, number?]; sensitive?: true }
  | { type: 'integer' | 'long'; range?: [number?, number?] }
  | { type: 'boolean' | 'timestamp' }
  | { type: 'list'; member: string; length?: [number?, number?] }
  | { type: 'map'; key: string; value: string; length?: [number?, number?] }
  | { type: 'structure'; members: Record<string, { target: string; required?: true }> };

export interface OperationModel {
  input: string;
  output: string;
  errors: string[];
  paginated?: true;
  keyIdAcceptsAlias?: boolean;
}

export const SHAPES: Record<string, ShapeModel> = ${JSON.stringify(out, null, 1)};

export const OPERATIONS: Record<string, OperationModel> = ${JSON.stringify(operations, null, 1)};

export const ERRORS: Record<string, { httpStatus: number; fault: 'client' | 'server' }> = ${JSON.stringify(errors, null, 1)};
`;
writeFileSync('src/dialects/aws/model.generated.ts', header + body);
console.log(`operations: ${Object.keys(operations).length}, shapes: ${Object.keys(out).length}, errors: ${Object.keys(errors).length}`);
