/**
 * Request checks from the generated model: every field's type, enum, pattern and range, each bad
 * value answered with the code Huawei KMS documents for that field (KMS.0205 for a bad key_id,
 * KMS.1401 for pending_days, …), a missing required field with KMS.0204. Values come back
 * normalized: numeric strings stay strings, integers become numbers.
 */
import { utf8 } from '../../crypto/bytes.js';
import { HuaweiError, kmsError } from './errors.js';
import { MODELS, type FieldModel } from './model.generated.js';
import { isPlainObject } from '../shared.js';

export type Body = Record<string, unknown>;

/** The code a bad value of each field gets; fields not listed get KMS.0308 "Invalid parameter." */
const FIELD_CODES: Readonly<Record<string, string>> = {
  key_id: 'KMS.0205',
  source_key_id: 'KMS.0205',
  destination_key_id: 'KMS.0205',
  sequence: 'KMS.0206',
  key_alias: 'KMS.1101',
  alias: 'KMS.1101',
  key_description: 'KMS.1103',
  limit: 'KMS.1601',
  marker: 'KMS.1602',
  offset: 'KMS.1603',
  pending_days: 'KMS.1401',
  datakey_length: 'KMS.1901',
  random_data_length: 'KMS.1801',
  plain_text: 'KMS.2101',
  datakey_plain_length: 'KMS.2102',
  cipher_text: 'KMS.2201',
  datakey_cipher_length: 'KMS.2202',
  grant_id: 'KMS.2501',
  grantee_principal: 'KMS.2402',
  retiring_principal: 'KMS.2402',
  rotation_interval: 'KMS.3001',
  encryption_context: 'KMS.0208',
  tags: 'KMS.0412',
  action: 'KMS.0404',
  matches: 'KMS.0415',
};

/** Codes for a field of one model that differ from FIELD_CODES. */
const MODEL_FIELD_CODES: Readonly<Record<string, Record<string, string>>> = {
  CreateDatakeyRequestBody: { key_spec: 'KMS.1902' },
  CreateDatakeyCapsuleRequestBody: { datakey_length: 'KMS.0308' },
};

/** String fields that carry a whole number (bits, bytes, days, counts); their range is the value's. */
const NUMERIC_STRINGS = new Set(['datakey_length', 'datakey_plain_length', 'datakey_cipher_length', 'random_data_length', 'pending_days', 'limit', 'marker', 'offset']);

/** Values the service takes beyond the SDK's enum lists (older or region-specific names). */
const EXTRA_ENUM: Readonly<Record<string, readonly string[]>> = {
  key_usage: ['GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'],
  wrapping_algorithm: ['RSAES_OAEP_SHA_1'],
};

/** Fields whose documented limits the SDK doc strings do not state as a pattern or range. */
const EXTRA_RULES: Readonly<Record<string, (value: unknown) => boolean>> = {
  sequence: (v) => typeof v === 'string' && /^[0-9a-zA-Z-]{36}$/.test(v),
  additional_authenticated_data: (v) => typeof v === 'string' && utf8(v).length <= 128,
  key_id: (v) => typeof v === 'string' && v.length === 36,
  name: (v) => typeof v === 'string' && /^[a-zA-Z0-9:/_-]{1,255}$/.test(v),
  // encrypt-datakey's model gives pin_type no enum; its documentation names the same two values.
  pin_type: (v) => v === 'CipherText' || v === 'PlainText',
};

export function codeFor(model: string, field: string): string {
  return MODEL_FIELD_CODES[model]?.[field] ?? FIELD_CODES[field] ?? 'KMS.0308';
}


/** Checks `body` against request model `model`; returns the normalized body or throws the documented error. */
export function checkBody(model: string | undefined, body: Body): Body {
  const fields = model ? MODELS[model] : undefined;
  if (!fields) return { ...body };
  const out: Body = { ...body };
  for (const [name, field] of Object.entries(fields)) {
    const value = body[name];
    if (value === undefined || value === null) {
      if (field.required) throw kmsError('KMS.0204');
      delete out[name];
      continue;
    }
    out[name] = checkField(model!, name, field, value);
  }
  return out;
}

function checkField(model: string, name: string, field: FieldModel, value: unknown): unknown {
  const bad = (): HuaweiError => kmsError(codeFor(model, name));
  switch (field.type) {
    case 'string': {
      let text: string;
      // A field with an enum is a name even where the member elsewhere holds a number (capsules' datakey_length).
      const numeric = NUMERIC_STRINGS.has(name) && !field.enum;
      if (typeof value === 'string') text = value;
      else if (numeric && typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
      else throw bad();
      if (numeric) {
        if (!/^\d{1,10}$/.test(text)) throw bad();
        if (field.range && (Number(text) < field.range[0] || Number(text) > field.range[1])) throw bad();
      } else if (field.range) {
        const length = [...text].length;
        if (length < field.range[0] || length > field.range[1]) throw bad();
      }
      if (field.enum && !field.enum.includes(text) && !(EXTRA_ENUM[name] ?? []).includes(text)) throw bad();
      if (field.pattern && !safeTest(field.pattern, text)) throw bad();
      const rule = EXTRA_RULES[name];
      if (rule && !rule(text)) throw bad();
      return text;
    }
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw bad();
      if (field.range && (n < field.range[0] || n > field.range[1])) throw bad();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad();
    case 'list': {
      if (!Array.isArray(value)) throw bad();
      if (field.of === 'string') {
        if (!value.every((v) => typeof v === 'string')) throw bad();
        return [...value];
      }
      const itemModel = field.of ? MODELS[field.of] : undefined;
      return value.map((item) => {
        if (!isPlainObject(item)) throw bad();
        return itemModel ? checkItem(field.of!, itemModel, item, bad) : item;
      });
    }
    case 'object':
      if (!isPlainObject(value)) throw bad();
      return value;
  }
}

/** A list item (a tag): its own fields' types, the list's code when one is wrong. */
function checkItem(model: string, fields: Record<string, FieldModel>, item: Body, bad: () => HuaweiError): Body {
  const out: Body = { ...item };
  for (const [name, field] of Object.entries(fields)) {
    const value = item[name];
    if (value === undefined || value === null) {
      if (field.required) throw bad();
      continue;
    }
    if (field.type === 'string' && typeof value !== 'string') throw bad();
    if (field.type === 'list' && (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))) throw bad();
  }
  void model;
  return out;
}

const compiled = new Map<string, RegExp>();
function safeTest(pattern: string, text: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'su');
    } catch {
      re = /^[\s\S]*$/;
    }
    compiled.set(pattern, re);
  }
  return re.test(text);
}

/** A whole number from a validated numeric string (or its default). */
export function numberOf(value: unknown, fallback: number): number {
  return typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : fallback;
}
