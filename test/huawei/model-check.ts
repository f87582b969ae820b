/**
 * Checks a value against a generated Huawei model (KMS v2 or CTS v3): every member the model declares
 * is present, with its type (string, integer, boolean, object, list), its enum value where the model
 * has one, and nested models and list items checked the same way. Returns the problems found.
 */
import type { FieldModel } from '../../src/dialects/huawei/model.generated.js';

export type Models = Record<string, Record<string, FieldModel>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkField(models: Models, field: FieldModel, value: unknown, path: string, problems: string[]): void {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      else if (field.enum && !field.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${field.enum.join(', ')}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'object':
      if (!isObject(value)) problems.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
      else if (field.of && models[field.of]) checkModel(models, field.of, value, path, problems);
      return;
    case 'list':
      if (!Array.isArray(value)) {
        problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
        return;
      }
      value.forEach((item, i) => {
        if (field.of === 'string') {
          if (typeof item !== 'string') problems.push(`${path}[${i}]: expected a string, got ${JSON.stringify(item)}`);
        } else if (field.of && models[field.of]) {
          if (!isObject(item)) problems.push(`${path}[${i}]: expected an object, got ${JSON.stringify(item)}`);
          else checkModel(models, field.of, item, `${path}[${i}]`, problems);
        }
      });
      return;
  }
}

/** The problems of `value` as an instance of `models[name]` (empty when it conforms). */
export function checkModel(models: Models, name: string, value: unknown, path = '', problems: string[] = []): string[] {
  const model = models[name];
  if (!model) {
    problems.push(`${path || '(root)'}: no model ${name}`);
    return problems;
  }
  if (!isObject(value)) {
    problems.push(`${path || '(root)'}: expected an object (${name}), got ${JSON.stringify(value)}`);
    return problems;
  }
  for (const [member, field] of Object.entries(model)) {
    const where = path ? `${path}.${member}` : member;
    if (!Object.hasOwn(value, member) || value[member] === undefined) problems.push(`${where}: missing (${name})`);
    else checkField(models, field, value[member], where, problems);
  }
  return problems;
}
