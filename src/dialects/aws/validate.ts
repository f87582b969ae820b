import { fromBase64 } from '../../crypto/bytes.js';
import { SHAPES, type ShapeModel } from './model.generated.js';
import { isPlainObject } from '../shared.js';

/**
 * Model-driven input checks, worded as AWS words them:
 *   1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:
 *   Member must have value greater than or equal to 1
 * Type mismatches (a string where a number belongs, bad base64) are serialization errors.
 */
export class SerializationProblem extends Error {}

export interface Decoded {
  /** The input with blobs decoded to Uint8Array and timestamps to epoch ms. */
  value: Record<string, unknown>;
  violations: string[];
}

/**
 * The emulator's one allowance beyond the model: an XKS proxy endpoint (https://host, no port, in
 * AWS) may also be a loopback address with a port, over http or https, so that an external key store
 * reaches the built-in proxy or one under test on this machine (docs/key-stores.md).
 */
const PROXY_ENDPOINT_PATTERN = '^https://[a-zA-Z0-9.-]+$';
const LOOPBACK_PROXY = /^https?:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/;

const patternCache = new Map<string, RegExp>();
function compile(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    patternCache.set(pattern, re);
  }
  return re;
}

function lowerFirst(name: string): string {
  // AWSAccountId -> aWSAccountId, as the service reports member paths
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown, shape: ShapeModel): string {
  if (value === null || value === undefined) return 'null';
  if (shape.type === 'blob' && value instanceof Uint8Array) {
    return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]'`;
  }
  return `'${javaString(value)}'`;
}

function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Characters as the service counts them: code points (a surrogate pair is one). */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function sizeOf(value: unknown, shape: ShapeModel): number {
  if (shape.type === 'string') return codePoints(value as string);
  if (shape.type === 'blob') return (value as Uint8Array).length;
  if (shape.type === 'list') return (value as unknown[]).length;
  return Object.keys(value as object).length;
}

/** Records one violation (the value is rendered only then: most values pass). */
function fail(out: string[], value: unknown, shape: ShapeModel, path: string, constraint: string): void {
  // AWS never echoes a sensitive member (Plaintext, passwords): "Value at 'plaintext' failed to ..."
  const shown = 'sensitive' in shape && shape.sensitive ? '' : ` ${show(value, shape)}`;
  out.push(`Value${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
}

/** Checks a decoded value against its shape's constraints, pushing one violation per broken constraint. */
type Check = (value: unknown, path: string, out: string[]) => void;
/** Decodes and checks one value; type mismatches throw SerializationProblem. */
type Decoder = (value: unknown, path: string, out: string[]) => unknown;

/**
 * A shape's constraints as one function, built once per shape: its length (or size), range, enum
 * and pattern, checked in that order, each message written in advance.
 */
function compileCheck(shape: ShapeModel): Check | undefined {
  const steps: Check[] = [];
  if ('length' in shape && shape.length) {
    const [min, max] = shape.length;
    const below = `Member must have length greater than or equal to ${min}`;
    const above = `Member must have length less than or equal to ${max}`;
    steps.push((value, path, out) => {
      const n = sizeOf(value, shape);
      if (min !== undefined && n < min) fail(out, value, shape, path, below);
      else if (max !== undefined && n > max) fail(out, value, shape, path, above);
    });
  }
  if ('range' in shape && shape.range) {
    const [min, max] = shape.range;
    const below = `Member must have value greater than or equal to ${min}`;
    const above = `Member must have value less than or equal to ${max}`;
    steps.push((value, path, out) => {
      const n = value as number;
      if (min !== undefined && n < min) fail(out, value, shape, path, below);
      else if (max !== undefined && n > max) fail(out, value, shape, path, above);
    });
  }
  if (shape.type === 'string') {
    const values = shape.enum;
    if (values) {
      const message = `Member must satisfy enum value set: [${values.join(', ')}]`;
      steps.push((value, path, out) => {
        if (!values.includes(value as string)) fail(out, value, shape, path, message);
      });
    }
    const pattern = shape.pattern;
    if (pattern) {
      const re = compile(pattern);
      const loopback = pattern === PROXY_ENDPOINT_PATTERN;
      const message = `Member must satisfy regular expression pattern: ${pattern}`;
      steps.push((value, path, out) => {
        if (!re.test(value as string) && !(loopback && LOOPBACK_PROXY.test(value as string))) fail(out, value, shape, path, message);
      });
    }
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (value, path, out) => {
    for (const step of steps) step(value, path, out);
  };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function mismatch(expected: string, path: string, value: unknown): SerializationProblem {
  return new SerializationProblem(`Expected ${expected} for '${path}' but found ${typeName(value)}`);
}

/** Each shape's decoder, built on first use (structures may name themselves). */
const decoders = new Map<string, Decoder>();
function decoderOf(shapeName: string): Decoder {
  let decoder = decoders.get(shapeName);
  if (decoder === undefined) {
    decoder = compileDecoder(shapeName);
    decoders.set(shapeName, decoder);
  }
  return decoder;
}

/** A shape's decoder: its type check and decoding, then its constraints (none for structures, booleans and timestamps). */
function compileDecoder(shapeName: string): Decoder {
  const shape = SHAPES[shapeName];
  if (!shape) {
    return () => {
      throw new Error(`no shape ${shapeName}`);
    };
  }
  const check = shape.type === 'structure' || shape.type === 'boolean' || shape.type === 'timestamp' ? undefined : compileCheck(shape);
  const checked = (decode: Decoder): Decoder =>
    check === undefined
      ? decode
      : (value, path, out) => {
          const decoded = decode(value, path, out);
          check(decoded, path, out);
          return decoded;
        };
  switch (shape.type) {
    case 'string':
      return checked((value, path) => {
        if (typeof value !== 'string') throw mismatch('a string', path, value);
        return value;
      });
    case 'blob':
      return checked((value, path) => {
        if (typeof value !== 'string') throw mismatch('a base64 string', path, value);
        const bytes = fromBase64(value);
        if (!bytes) throw new SerializationProblem(`Value for '${path}' is not valid base64`);
        return bytes;
      });
    case 'integer':
    case 'long':
      return checked((value, path) => {
        if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch('an integer', path, value);
        return value;
      });
    case 'boolean':
      return (value, path) => {
        if (typeof value !== 'boolean') throw mismatch('a boolean', path, value);
        return value;
      };
    case 'timestamp':
      return (value, path) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch('a timestamp', path, value);
        return value * 1000;
      };
    case 'list': {
      const memberShape = shape.member;
      return checked((value, path, out) => {
        if (!Array.isArray(value)) throw mismatch('a list', path, value);
        const decodeItem = decoderOf(memberShape);
        const decoded = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === null) throw new SerializationProblem(`Null element in list '${path}'`);
          decoded[i] = decodeItem(item, `${path}.${i + 1}.member`, out);
        }
        return decoded;
      });
    }
    case 'map': {
      const keyShape = shape.key;
      const valueShape = shape.value;
      return checked((value, path, out) => {
        if (!isPlainObject(value)) throw mismatch('a map', path, value);
        const decodeKey = decoderOf(keyShape);
        const decodeValue = decoderOf(valueShape);
        // Every key is an ordinary key, '__proto__' included, as the service treats it.
        const entries: Record<string, unknown> = Object.create(null);
        for (const k of Object.keys(value)) {
          const v = value[k];
          decodeKey(k, path, out);
          if (v === null) throw new SerializationProblem(`Null value in map '${path}'`);
          entries[k] = decodeValue(v, path, out);
        }
        return entries;
      });
    }
    case 'structure':
      return (value, path, out) => {
        if (!isPlainObject(value)) throw mismatch('a structure', path, value);
        return decodeStructure(value, shapeName, path, out);
      };
  }
}

type StructureShape = Extract<ShapeModel, { type: 'structure' }>;
export interface MemberEntry {
  readonly member: string;
  /** The member's name in paths of messages (lowerCamelCase). */
  readonly name: string;
  readonly target: string;
  readonly required: boolean;
}
/** Each structure's members, listed once. */
const memberTables = new Map<string, readonly MemberEntry[]>();
export function membersOf(shapeName: string): readonly MemberEntry[] {
  let table = memberTables.get(shapeName);
  if (!table) {
    const shape = SHAPES[shapeName] as StructureShape;
    table = Object.entries(shape.members).map(([member, def]) => ({ member, name: lowerFirst(member), target: def.target, required: def.required === true }));
    memberTables.set(shapeName, table);
  }
  return table;
}

/** A structure's members with their decoders (resolved on first use) and messages, listed once. */
interface DecodedMember {
  readonly member: string;
  readonly name: string;
  readonly target: string;
  readonly required: boolean;
  /** The message of a missing required member at the top level. */
  readonly missing: string;
  decode: Decoder | undefined;
}
const decodedMembers = new Map<string, readonly DecodedMember[]>();
function decodedMembersOf(shapeName: string): readonly DecodedMember[] {
  let table = decodedMembers.get(shapeName);
  if (!table) {
    table = membersOf(shapeName).map((m) => ({ ...m, missing: missingMessage(m.name), decode: undefined }));
    decodedMembers.set(shapeName, table);
  }
  return table;
}

function missingMessage(path: string): string {
  return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

function decodeStructure(value: Record<string, unknown>, shapeName: string, path: string, out: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const m of decodedMembersOf(shapeName)) {
    const v = value[m.member];
    const memberPath = path === '' ? m.name : `${path}.${m.name}`;
    if (v === undefined || v === null) {
      if (m.required) out.push(path === '' ? m.missing : missingMessage(memberPath));
      continue;
    }
    const decode = (m.decode ??= decoderOf(m.target));
    result[m.member] = decode(v, memberPath, out);
  }
  return result;
}

/** Decodes an operation's input; unknown members are ignored, as the service ignores them. */
export function decodeInput(input: Record<string, unknown>, shapeName: string): Decoded {
  const violations: string[] = [];
  const value = decodeStructure(input, shapeName, '', violations);
  return { value, violations };
}

export function validationMessage(violations: string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}
