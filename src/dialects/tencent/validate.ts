/**
 * Model-driven request checks, in the API 3.0 gateway's terms:
 *   MissingParameter   The request is missing a required parameter `KeyId`.
 *   UnknownParameter   The parameter `Foo` is not recognized.
 *   InvalidParameter   The value type of parameter `Limit` is not valid.
 * Members inside lists and structures are named as the gateway flattens them: `Tags.0.TagKey`.
 * A JSON null counts as an absent member.
 */
import { OBJECTS, type FieldModel } from './model.generated.js';
import { TencentFault } from './errors.js';
import { isPlainObject } from '../shared.js';


const missing = (path: string) => new TencentFault('MissingParameter', `The request is missing a required parameter \`${path}\`.`);
const unknown = (path: string) => new TencentFault('UnknownParameter', `The parameter \`${path}\` is not recognized.`);
const badType = (path: string) => new TencentFault('InvalidParameter', `The value type of parameter \`${path}\` is not valid.`);

/** Integers in JSON: int64/uint64 members must be whole numbers in range (uint64: not negative). */
type Objects = Readonly<Record<string, readonly FieldModel[]>>;

function checkScalar(value: unknown, type: string, path: string, objects: Objects): unknown {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw badType(path);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw badType(path);
      return value;
    case 'int64':
    case 'uint64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || (type === 'uint64' && value < 0)) throw badType(path);
      return value;
    default:
      if (!isPlainObject(value)) throw badType(path);
      return decodeStructure(value, objects[type] ?? [], `${path}.`, objects);
  }
}

function decodeField(value: unknown, field: FieldModel, path: string, objects: Objects): unknown {
  if (!field.list) return checkScalar(value, field.type, path, objects);
  if (!Array.isArray(value)) throw badType(path);
  return value.map((item, i) => {
    if (item === null || item === undefined) throw badType(`${path}.${i}`);
    return checkScalar(item, field.type, `${path}.${i}`, objects);
  });
}

function decodeStructure(input: Record<string, unknown>, fields: readonly FieldModel[], prefix: string, objects: Objects): Record<string, unknown> {
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name) && input[name] !== null && input[name] !== undefined) throw unknown(prefix + name);
  }
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = input[field.name];
    if (value === undefined || value === null) {
      if (field.required) throw missing(prefix + field.name);
      continue;
    }
    out[field.name] = decodeField(value, field, prefix + field.name, objects);
  }
  return out;
}

/** Checks an action's parameters against its request members; throws a TencentFault. */
export function decodeRequest(input: Record<string, unknown>, fields: readonly FieldModel[], objects: Objects = OBJECTS): Record<string, unknown> {
  return decodeStructure(input, fields, '', objects);
}
