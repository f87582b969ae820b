// The Condition element: operators, IfExists, the ForAnyValue: / ForAllValues: qualifiers, Null.
// Semantics as AWS documents them ("IAM JSON policy elements: Condition operators" and "Multivalued
// context keys"): keys AND, values OR; a negated operator is the negation of its positive form; an
// absent key fails a positive operator and satisfies a negated one, unless IfExists says "true if absent".
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';
import { keyValue, type AuthorizationRequest, type ConditionValue } from './request.js';
import { compileTemplate, resolveTemplate, type Template } from './variables.js';
import { equalsText, matchWildcard } from './wildcard.js';

type Family = 'string' | 'arn' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'null';
type Compare = 'eq' | 'eqi' | 'like' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

interface OperatorInfo {
  readonly family: Family;
  readonly compare: Compare;
  readonly negated: boolean;
}

const OPERATORS = new Map<string, OperatorInfo>();
const add = (name: string, family: Family, compare: Compare, negated = false) =>
  OPERATORS.set(name.toLowerCase(), { family, compare, negated });
add('StringEquals', 'string', 'eq');
add('StringNotEquals', 'string', 'eq', true);
add('StringEqualsIgnoreCase', 'string', 'eqi');
add('StringNotEqualsIgnoreCase', 'string', 'eqi', true);
add('StringLike', 'string', 'like');
add('StringNotLike', 'string', 'like', true);
for (const [prefix, family] of [['Numeric', 'numeric'], ['Date', 'date']] as const) {
  add(`${prefix}Equals`, family, 'eq');
  add(`${prefix}NotEquals`, family, 'eq', true);
  add(`${prefix}LessThan`, family, 'lt');
  add(`${prefix}LessThanEquals`, family, 'lte');
  add(`${prefix}GreaterThan`, family, 'gt');
  add(`${prefix}GreaterThanEquals`, family, 'gte');
}
add('Bool', 'bool', 'eq');
add('BinaryEquals', 'binary', 'eq');
add('IpAddress', 'ip', 'in');
add('NotIpAddress', 'ip', 'in', true);
add('ArnEquals', 'arn', 'like');
add('ArnLike', 'arn', 'like');
add('ArnNotEquals', 'arn', 'like', true);
add('ArnNotLike', 'arn', 'like', true);
add('Null', 'null', 'eq');

type Qualifier = 'none' | 'any' | 'all';

export interface Condition {
  readonly family: Family;
  readonly compare: Compare;
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly qualifier: Qualifier;
  /** The key name as written, and lower-case. */
  readonly key: string;
  readonly lower: string;
  readonly texts: readonly Template[];
  /** Some value holds a policy variable. */
  readonly variables: boolean;
  readonly numbers: readonly number[];
  readonly cidrs: readonly Cidr[];
}

/** Numbers for numeric operators; epoch milliseconds for date operators; NaN when unreadable. */
function toNumber(value: unknown, family: Family): number {
  if (typeof value === 'number') return family === 'date' ? value * 1000 : value;
  if (typeof value !== 'string' || value.trim() === '') return NaN;
  const text = value.trim();
  if (family === 'numeric') return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return NaN;
  // A time without an offset is UTC (JavaScript would read it as local time).
  return Date.parse(/T[\d:.]+$/.test(text) ? `${text}Z` : text);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Compiles one `"Operator": { "key": value(s) }` entry; a string is the reason it is malformed. */
export function compileCondition(operator: string, key: string, raw: unknown, variables: boolean): Condition | string {
  let name = operator;
  let qualifier: Qualifier = 'none';
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const q = name.slice(0, colon).toLowerCase();
    if (q === 'foranyvalue') qualifier = 'any';
    else if (q === 'forallvalues') qualifier = 'all';
    else return `unknown condition qualifier in ${operator}`;
    name = name.slice(colon + 1);
  }
  let lower = name.toLowerCase();
  let ifExists = false;
  if (lower.endsWith('ifexists') && lower !== 'ifexists') {
    ifExists = true;
    lower = lower.slice(0, -'ifexists'.length);
  }
  const info = OPERATORS.get(lower);
  if (info === undefined || (info.family === 'null' && ifExists)) return `unknown condition operator ${operator}`;
  if (key === '') return `empty condition key under ${operator}`;
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const texts: Template[] = [];
  const numbers: number[] = [];
  const cidrs: Cidr[] = [];
  for (const item of list) {
    const text = scalarText(item);
    if (text === undefined) return `condition ${operator} ${key} has a value that is not a string, number or boolean`;
    if (info.family === 'numeric' || info.family === 'date') numbers.push(toNumber(item, info.family));
    else if (info.family === 'ip') {
      const cidr = parseCidr(text.trim());
      if (cidr === undefined) return `condition ${operator} ${key} has an invalid IP address or CIDR block: ${text}`;
      cidrs.push(cidr);
    } else {
      const useVariables = variables && (info.family === 'string' || info.family === 'arn');
      texts.push(compileTemplate(info.family === 'bool' || info.family === 'null' ? text.toLowerCase() : text, useVariables));
    }
  }
  return { ...info, ifExists, qualifier, key, lower: key.toLowerCase(), texts, variables: texts.some((t) => t.text === undefined), numbers, cidrs };
}

const ARN_PARTS = 6;

/** ArnLike: each of the six colon-separated parts is matched separately (wildcards stay in their part). */
function arnLike(pattern: string, arn: string): boolean {
  let ps = 0;
  let ts = 0;
  for (let part = 0; part < ARN_PARTS; part++) {
    const last = part === ARN_PARTS - 1;
    const pe = last ? pattern.length : pattern.indexOf(':', ps);
    const te = last ? arn.length : arn.indexOf(':', ts);
    if (pe < 0 || te < 0) return false;
    if (!matchWildcard(pattern, arn, false, ts, te, ps, pe)) return false;
    ps = pe + 1;
    ts = te + 1;
  }
  return true;
}

function compareNumbers(compare: Compare, request: number, policy: number): boolean {
  switch (compare) {
    case 'eq':
      return request === policy;
    case 'lt':
      return request < policy;
    case 'lte':
      return request <= policy;
    case 'gt':
      return request > policy;
    case 'gte':
      return request >= policy;
    default:
      return false;
  }
}

/** Does one request value match any of the condition's values (the positive form of the operator)? */
function matchesOne(c: Condition, value: string | number | boolean, request: AuthorizationRequest): boolean {
  switch (c.family) {
    case 'numeric':
    case 'date': {
      const n = toNumber(value, c.family);
      if (Number.isNaN(n)) return false;
      for (const p of c.numbers) if (compareNumbers(c.compare, n, p)) return true;
      return false;
    }
    case 'ip': {
      if (typeof value !== 'string') return false;
      const address = parseIp(value.trim());
      if (address === undefined) return false;
      for (const cidr of c.cidrs) if (cidrContains(cidr, address)) return true;
      return false;
    }
    default: {
      const text = typeof value === 'string' ? value : String(value);
      for (const template of c.texts) {
        const p = resolveTemplate(template, request);
        if (p === undefined) continue;
        if (c.family === 'arn') {
          if (arnLike(p, text)) return true;
        } else if (c.compare === 'like') {
          if (matchWildcard(p, text, false)) return true;
        } else if (c.family === 'bool') {
          if (equalsText(p, text, true)) return true;
        } else if (equalsText(p, text, c.compare === 'eqi')) return true;
      }
      return false;
    }
  }
}

function variablesResolve(c: Condition, request: AuthorizationRequest): boolean {
  for (const template of c.texts) if (resolveTemplate(template, request) === undefined) return false;
  return true;
}

function isAbsent(value: ConditionValue | undefined): boolean {
  return value === undefined || (typeof value === 'object' && value.length === 0);
}

export function evaluateCondition(c: Condition, request: AuthorizationRequest): boolean {
  const value = keyValue(request, c.key, c.lower);
  if (c.family === 'null') {
    const absent = isAbsent(value);
    for (const t of c.texts) if ((t.text === 'true') === absent) return true;
    return false;
  }
  if (isAbsent(value)) {
    if (c.ifExists) return true;
    if (c.qualifier === 'all') return true;
    if (c.qualifier === 'any') return false;
    return c.negated;
  }
  // A value whose variable cannot be resolved (no value, no default) matches nothing, and a negated
  // operator with such a value fails (AWS: "If AWS cannot resolve a variable, this might cause the
  // entire statement to be invalid"; @cloud-copilot/iam-simulate does the same).
  if (c.negated && c.variables && !variablesResolve(c, request)) return false;
  if (typeof value !== 'object') {
    const hit = matchesOne(c, value!, request);
    return c.negated ? !hit : hit;
  }
  const values = value as readonly string[];
  if (c.qualifier === 'all') {
    for (const v of values) if (matchesOne(c, v, request) === c.negated) return false;
    return true;
  }
  if (c.qualifier === 'any') {
    for (const v of values) if (matchesOne(c, v, request) !== c.negated) return true;
    return false;
  }
  // A multivalued key needs ForAnyValue: or ForAllValues: (AWS: "multivalued context keys require a
  // condition set operator"); without one the condition does not hold, negated or not, as in
  // @cloud-copilot/iam-simulate.
  return false;
}
