// Parsing a policy document (JSON text or an object) into a compiled form, checked as AWS checks it.
import { compileCondition, type Condition } from './conditions.js';
import { compileTemplate, type Template } from './variables.js';
import { compileGlob, type Glob } from './wildcard.js';

export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly everyone: boolean;
  /** Account ids named by `"123456789012"` or `arn:<partition>:iam::123456789012:root`. */
  readonly accounts: readonly string[];
  /** Other AWS, Federated and CanonicalUser values, matched exactly. */
  readonly names: readonly string[];
  /** Service principals, lower-case. */
  readonly services: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly deny: boolean;
  /** Principal (negated false) or NotPrincipal (true); undefined when neither is present. */
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: boolean;
  readonly actions: readonly Glob[];
  readonly notAction: boolean;
  readonly resources: readonly Template[];
  readonly notResource: boolean;
  readonly conditions: readonly Condition[];
}

export interface ParsedPolicy {
  readonly version: string;
  readonly statements: readonly Statement[];
}

export type ParseResult = { ok: true; policy: ParsedPolicy } | { ok: false; reason: string };

export interface ParseOptions {
  /** Also check the elements a kind of policy may not have (a Principal in an identity policy, its absence in a resource policy). */
  readonly kind?: 'resource' | 'identity';
  /** Principal types accepted beside AWS, Service, Federated and CanonicalUser (another provider's, e.g. Huawei's); their values match the principal's ARN or names exactly. */
  readonly principalTypes?: readonly string[];
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;

class Malformed extends Error {}

function own(object: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty array of strings (AWS's form for Action, Resource and principal values). */
function stringList(value: unknown, element: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw new Malformed(`${element} must be a string or a non-empty array of strings`);
  for (const item of list) {
    if (typeof item !== 'string' || item === '') throw new Malformed(`${element} must be a string or a non-empty array of strings`);
  }
  return list as string[];
}

function parsePrincipal(value: unknown, element: string, extraTypes: readonly string[]): PrincipalSet {
  if (value === '*') return { everyone: true, accounts: [], names: [], services: [] };
  if (!isObject(value) || Object.keys(value).length === 0) throw new Malformed(`${element} must be "*" or an object of principal types`);
  let everyone = false;
  const accounts: string[] = [];
  const names: string[] = [];
  const services: string[] = [];
  for (const type of Object.keys(value)) {
    if (!PRINCIPAL_TYPES.has(type) && !extraTypes.includes(type)) throw new Malformed(`${element} has an unknown principal type ${type}`);
    for (const entry of stringList(value[type], `${element} ${type}`)) {
      if (type === 'AWS') {
        if (entry === '*') {
          everyone = true;
          continue;
        }
        if (entry.includes('*') || entry.includes('?')) throw new Malformed(`${element} has an invalid principal ${entry}`);
        const root = ROOT_ARN.exec(entry);
        if (ACCOUNT_ID.test(entry)) accounts.push(entry);
        else if (root) accounts.push(root[1]!);
        else if (entry.startsWith('arn:') || /^A[A-Z0-9]{8,}$/.test(entry)) names.push(entry);
        else throw new Malformed(`${element} has an invalid principal ${entry}`);
      } else if (type === 'Service') {
        if (entry === '*') everyone = true;
        else services.push(entry.toLowerCase());
      } else {
        names.push(entry);
      }
    }
  }
  return { everyone, accounts, names, services };
}

function parseConditions(value: unknown, variables: boolean): Condition[] {
  if (!isObject(value)) throw new Malformed('Condition must be an object');
  const conditions: Condition[] = [];
  for (const operator of Object.keys(value)) {
    const block = value[operator];
    if (!isObject(block)) throw new Malformed(`Condition ${operator} must be an object of condition keys`);
    for (const key of Object.keys(block)) {
      const raw = block[key];
      if (Array.isArray(raw) && raw.length === 0) throw new Malformed(`Condition ${operator} ${key} has no values`);
      const compiled = compileCondition(operator, key, raw, variables);
      if (typeof compiled === 'string') throw new Malformed(compiled);
      conditions.push(compiled);
    }
  }
  return conditions;
}

function pair(raw: Record<string, unknown>, name: string, negation: string, required: boolean): [unknown, boolean] {
  const value = own(raw, name);
  const negated = own(raw, negation);
  if (value !== undefined && negated !== undefined) throw new Malformed(`a statement cannot have both ${name} and ${negation}`);
  if (required && value === undefined && negated === undefined) throw new Malformed(`a statement needs ${name} or ${negation}`);
  return value !== undefined ? [value, false] : [negated, negated !== undefined];
}

function parseStatement(raw: unknown, variables: boolean, options: ParseOptions): Statement {
  const kind = options.kind;
  if (!isObject(raw)) throw new Malformed('each statement must be an object');
  for (const name of Object.keys(raw)) {
    if (!STATEMENT_ELEMENTS.has(name)) throw new Malformed(`a statement has an unknown element ${name}`);
  }
  const sid = own(raw, 'Sid');
  if (sid !== undefined && typeof sid !== 'string') throw new Malformed('Sid must be a string');
  const effect = own(raw, 'Effect');
  if (effect !== 'Allow' && effect !== 'Deny') throw new Malformed('Effect must be "Allow" or "Deny"');
  const [principalValue, notPrincipal] = pair(raw, 'Principal', 'NotPrincipal', kind === 'resource');
  if (kind === 'identity' && principalValue !== undefined) throw new Malformed('an identity-based policy cannot have Principal or NotPrincipal');
  const [actionValue, notAction] = pair(raw, 'Action', 'NotAction', true);
  const [resourceValue, notResource] = pair(raw, 'Resource', 'NotResource', true);
  const conditionValue = own(raw, 'Condition');
  return {
    sid,
    deny: effect === 'Deny',
    principal: principalValue === undefined ? undefined : parsePrincipal(principalValue, notPrincipal ? 'NotPrincipal' : 'Principal', options.principalTypes ?? []),
    notPrincipal,
    actions: stringList(actionValue, notAction ? 'NotAction' : 'Action').map((action) => {
      if (action !== '*' && !action.includes(':')) throw new Malformed(`invalid action ${action}: it must be "*" or service:action`);
      return compileGlob(action, true);
    }),
    notAction,
    resources: stringList(resourceValue, notResource ? 'NotResource' : 'Resource').map((r) => compileTemplate(r, variables)),
    notResource,
    conditions: conditionValue === undefined ? [] : parseConditions(conditionValue, variables),
  };
}

/** Compiles a policy document already read from JSON. Never throws. */
export function parsePolicyDocument(document: unknown, options: ParseOptions = {}): ParseResult {
  try {
    if (!isObject(document)) return { ok: false, reason: 'the policy must be a JSON object' };
    for (const name of Object.keys(document)) {
      if (!TOP_LEVEL.has(name)) return { ok: false, reason: `unknown top-level element ${name}` };
    }
    const version = own(document, 'Version') ?? '2008-10-17';
    if (version !== '2012-10-17' && version !== '2008-10-17') return { ok: false, reason: 'Version must be "2012-10-17" or "2008-10-17"' };
    const id = own(document, 'Id');
    if (id !== undefined && typeof id !== 'string') return { ok: false, reason: 'Id must be a string' };
    const raw = own(document, 'Statement');
    if (raw === undefined) return { ok: false, reason: 'the policy has no Statement' };
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) return { ok: false, reason: 'Statement must not be empty' };
    const variables = version === '2012-10-17';
    const statements = list.map((s) => parseStatement(s, variables, options));
    return { ok: true, policy: { version, statements } };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    return { ok: false, reason: 'the policy could not be read' };
  }
}

/** Parses and compiles a policy from its JSON text. Never throws. */
export function parsePolicy(text: string, options: ParseOptions = {}): ParseResult {
  let document: unknown;
  try {
    if (typeof text !== 'string') return { ok: false, reason: 'the policy must be JSON text' };
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the policy is not valid JSON' };
  }
  return parsePolicyDocument(document, options);
}
