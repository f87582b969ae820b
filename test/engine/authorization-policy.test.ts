// The policy document: its elements, their wildcards and negations, principals, and the documents
// that are malformed.
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, evaluateResourcePolicy, parsePolicy, parsePolicyDocument, type AuthorizationRequest, type ParsedPolicy } from '../../src/engine/authorization/index.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALICE = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT };
const ROOT = { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT };
const SESSION = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/s1`, account: ACCOUNT, names: [`arn:aws:iam::${ACCOUNT}:role/Admin`] };
const CAROL = { arn: 'arn:aws:iam::444455556666:user/carol', account: '444455556666' };
const EC2 = { arn: 'ec2.amazonaws.com', account: ACCOUNT, service: 'ec2.amazonaws.com' };

function policy(statement: object | object[], version = '2012-10-17'): ParsedPolicy {
  const parsed = parsePolicyDocument({ Version: version, Statement: statement });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.policy;
}

function request(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return { action: 'kms:Encrypt', resource: KEY, principal: ALICE, keys: new Map(), ...overrides };
}

const allow = (extra: object) => ({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', ...extra });

describe('Action and NotAction', () => {
  it.each([
    ['kms:Encrypt', true],
    ['KMS:encrypt', true],
    ['kms:*', true],
    ['*', true],
    ['kms:En*', true],
    ['kms:*crypt', true],
    ['kms:Encr?pt', true],
    ['kms:Decrypt', false],
    ['kms:Encrypt?', false],
    ['s3:*', false],
  ])('%s matches kms:Encrypt: %s', (action, expected) => {
    expect(evaluatePolicy(policy(allow({ Action: action })), request(), 'identity')).toBe(expected ? 'allow' : 'none');
  });
  it('a list matches when any entry does', () => {
    expect(evaluatePolicy(policy(allow({ Action: ['kms:Decrypt', 'kms:Encrypt'] })), request(), 'identity')).toBe('allow');
  });
  it('NotAction applies to every action it does not list', () => {
    const p = policy({ Effect: 'Allow', NotAction: ['kms:Decrypt', 'kms:Create*'], Resource: '*' });
    expect(evaluatePolicy(p, request(), 'identity')).toBe('allow');
    expect(evaluatePolicy(p, request({ action: 'kms:CreateGrant' }), 'identity')).toBe('none');
  });
});

describe('Resource and NotResource', () => {
  it.each([
    ['*', true],
    [KEY, true],
    ['arn:aws:kms:*:111122223333:key/*', true],
    ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890a?', true],
    ['arn:aws:kms:*', true],
    [KEY.toUpperCase(), false],
    ['arn:aws:kms:us-east-1:111122223333:alias/*', false],
  ])('%s matches the key ARN: %s', (resource, expected) => {
    expect(evaluatePolicy(policy(allow({ Resource: resource })), request(), 'identity')).toBe(expected ? 'allow' : 'none');
  });
  it('NotResource applies to every resource it does not list', () => {
    const p = policy({ Effect: 'Deny', Action: 'kms:*', NotResource: 'arn:aws:kms:*:111122223333:key/*' });
    expect(evaluatePolicy(p, request(), 'identity')).toBe('none');
    expect(evaluatePolicy(p, request({ resource: 'arn:aws:kms:us-east-1:444455556666:key/x' }), 'identity')).toBe('deny');
  });
  it('a policy variable in Resource takes the request value', () => {
    const p = policy(allow({ Resource: 'arn:aws:kms:*:${aws:PrincipalAccount}:key/*' }));
    expect(evaluatePolicy(p, request(), 'identity')).toBe('allow');
    expect(evaluatePolicy(p, request({ principal: CAROL }), 'identity')).toBe('none');
    expect(evaluatePolicy(policy(allow({ Resource: 'arn:aws:kms:*:${aws:PrincipalAccount}:key/*' }), '2008-10-17'), request(), 'identity')).toBe('none');
    expect(evaluatePolicy(policy(allow({ Resource: ['arn:aws:kms:*:*:key/${aws:username}', KEY] })), request(), 'identity')).toBe('allow');
    expect(evaluatePolicy(policy(allow({ Resource: 'arn:aws:kms:*:*:key/${aws:username}' })), request(), 'identity')).toBe('none');
    expect(evaluatePolicy(policy({ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:kms:*:*:key/${aws:username}' }), request(), 'identity')).toBe('none');
  });
});

describe('Effect', () => {
  it('a matching Deny wins over any Allow, in whatever order', () => {
    const deny = { Effect: 'Deny', Action: 'kms:*', Resource: '*' };
    expect(evaluatePolicy(policy([allow({}), deny]), request(), 'identity')).toBe('deny');
    expect(evaluatePolicy(policy([deny, allow({})]), request(), 'identity')).toBe('deny');
  });
  it('a Statement may be one object', () => {
    expect(evaluatePolicy(policy(allow({})), request(), 'identity')).toBe('allow');
  });
});

describe('Principal', () => {
  const keyPolicy = (principal: unknown) => policy(allow({ Principal: principal }));
  it('"*" and {"AWS": "*"} take in everyone, services included', () => {
    for (const p of ['*', { AWS: '*' }]) {
      for (const who of [ALICE, ROOT, CAROL, SESSION, EC2]) expect(evaluateResourcePolicy(keyPolicy(p), request({ principal: who }))).toBe('allow-principal');
    }
  });
  it('a user ARN names that user only', () => {
    const p = keyPolicy({ AWS: ALICE.arn });
    expect(evaluateResourcePolicy(p, request())).toBe('allow-principal');
    expect(evaluateResourcePolicy(p, request({ principal: ROOT }))).toBe('none');
  });
  it('a role ARN takes in its assumed-role sessions (through the names the caller gives)', () => {
    expect(evaluateResourcePolicy(keyPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }), request({ principal: SESSION }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(keyPolicy({ AWS: SESSION.arn }), request({ principal: SESSION }))).toBe('allow-principal');
  });
  it('an account (id or root ARN) is the root itself, and delegation for the account’s other principals', () => {
    for (const account of [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, [CAROL.arn, ACCOUNT]]) {
      const p = keyPolicy({ AWS: account });
      expect(evaluateResourcePolicy(p, request({ principal: ROOT }))).toBe('allow-principal');
      expect(evaluateResourcePolicy(p, request())).toBe('allow-account');
      expect(evaluateResourcePolicy(p, request({ principal: SESSION }))).toBe('allow-account');
      expect(evaluatePolicy(p, request(), 'resource')).toBe('allow');
    }
    expect(evaluateResourcePolicy(keyPolicy({ AWS: ACCOUNT }), request({ principal: CAROL }))).toBe('none');
  });
  it('a direct Allow outranks an account Allow', () => {
    const p = policy([allow({ Principal: { AWS: ACCOUNT } }), allow({ Principal: { AWS: ALICE.arn } })]);
    expect(evaluateResourcePolicy(p, request())).toBe('allow-principal');
  });
  it('a Deny naming the account applies to all its principals', () => {
    const p = policy([allow({ Principal: '*' }), { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }]);
    expect(evaluateResourcePolicy(p, request())).toBe('deny');
    expect(evaluateResourcePolicy(p, request({ principal: CAROL }))).toBe('allow-principal');
  });
  it('Service names a service principal, case-insensitively', () => {
    const p = keyPolicy({ Service: ['EC2.amazonaws.com'] });
    expect(evaluateResourcePolicy(p, request({ principal: EC2 }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(p, request())).toBe('none');
  });
  it('Federated and CanonicalUser match the principal’s ARN or names exactly', () => {
    const federated = { arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`, account: ACCOUNT, names: ['cognito-identity.amazonaws.com'] };
    expect(evaluateResourcePolicy(keyPolicy({ Federated: 'cognito-identity.amazonaws.com' }), request({ principal: federated }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(keyPolicy({ CanonicalUser: 'abc123' }), request())).toBe('none');
  });
  it('another provider’s principal type is accepted when the caller names it, and matches exactly', () => {
    const document = { Version: '2012-10-17', Statement: allow({ Principal: { IAM: ['iam::0123456789abcdef0123456789abcdef:user/alice'] } }) };
    expect(parsePolicyDocument(document).ok).toBe(false);
    const parsed = parsePolicyDocument(document, { principalTypes: ['IAM'] });
    if (!parsed.ok) throw new Error(parsed.reason);
    const huawei = { arn: 'iam::0123456789abcdef0123456789abcdef:user/alice', account: '0123456789abcdef0123456789abcdef' };
    expect(evaluateResourcePolicy(parsed.policy, request({ principal: huawei }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(parsed.policy, request())).toBe('none');
  });
  it('a resource-policy statement without a principal applies to no one; an identity policy ignores Principal', () => {
    expect(evaluateResourcePolicy(policy(allow({})), request())).toBe('none');
    expect(evaluatePolicy(policy(allow({ Principal: { AWS: CAROL.arn } })), request(), 'identity')).toBe('allow');
  });
});

describe('NotPrincipal', () => {
  const denyAllBut = (principals: unknown) =>
    policy([allow({ Principal: '*' }), { Effect: 'Deny', NotPrincipal: principals, Action: 'kms:*', Resource: '*' }]);
  it('denies everyone it does not name', () => {
    const p = denyAllBut({ AWS: [ALICE.arn, ROOT.arn] });
    expect(evaluateResourcePolicy(p, request())).toBe('allow-principal');
    expect(evaluateResourcePolicy(p, request({ principal: ROOT }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(p, request({ principal: CAROL }))).toBe('deny');
    expect(evaluateResourcePolicy(p, request({ principal: SESSION }))).toBe('deny');
  });
  it('an account entry exempts only the account root (the users must be named too, as AWS advises)', () => {
    const p = denyAllBut({ AWS: ACCOUNT });
    expect(evaluateResourcePolicy(p, request({ principal: ROOT }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(p, request())).toBe('deny');
  });
  it('a role entry exempts its sessions; a service entry exempts the service', () => {
    expect(evaluateResourcePolicy(denyAllBut({ AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }), request({ principal: SESSION }))).toBe('allow-principal');
    expect(evaluateResourcePolicy(denyAllBut({ Service: 'ec2.amazonaws.com' }), request({ principal: EC2 }))).toBe('allow-principal');
  });
});

describe('malformed documents', () => {
  const base = { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' };
  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['an empty Statement list', '{"Statement":[]}'],
    ['an unknown version', JSON.stringify({ Version: '2020-01-01', Statement: base })],
    ['an unknown top-level element', JSON.stringify({ Statement: base, Extra: 1 })],
    ['an unknown statement element', JSON.stringify({ Statement: { ...base, Actions: 'kms:*' } })],
    ['a lowercase effect', JSON.stringify({ Statement: { ...base, Effect: 'allow' } })],
    ['no Action', JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Resource: '*' } })],
    ['both Action and NotAction', JSON.stringify({ Statement: { ...base, NotAction: 'kms:Decrypt' } })],
    ['no Resource', JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: '*' } })],
    ['an action without a service', JSON.stringify({ Statement: { ...base, Action: 'Encrypt' } })],
    ['an empty action list', JSON.stringify({ Statement: { ...base, Action: [] } })],
    ['a number as action', JSON.stringify({ Statement: { ...base, Action: 7 } })],
    ['a wildcard principal ARN', JSON.stringify({ Statement: { ...base, Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } } })],
    ['an unknown principal type', JSON.stringify({ Statement: { ...base, Principal: { Group: 'x' } } })],
    ['a principal that is no ARN or account', JSON.stringify({ Statement: { ...base, Principal: { AWS: 'alice' } } })],
    ['an unknown condition operator', JSON.stringify({ Statement: { ...base, Condition: { StringMatches: { a: 'b' } } } })],
    ['a condition value that is an object', JSON.stringify({ Statement: { ...base, Condition: { StringEquals: { a: { b: 1 } } } } })],
    ['an empty condition value list', JSON.stringify({ Statement: { ...base, Condition: { StringEquals: { a: [] } } } })],
    ['a non-string Sid', JSON.stringify({ Statement: { ...base, Sid: 1 } })],
  ])('%s', (_name, text) => {
    const parsed = parsePolicy(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/\S/);
  });
  it('checks Principal by kind when asked', () => {
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, { kind: 'resource' }).ok).toBe(false);
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' } }, { kind: 'identity' }).ok).toBe(false);
  });
  it('reads AWS’s default key policy', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    });
    expect(parsePolicy(text).ok).toBe(true);
  });
  it('a __proto__ element is an unknown element, not a prototype', () => {
    expect(parsePolicy('{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","__proto__":{"x":1}}}').ok).toBe(false);
    expect(parsePolicy('{"__proto__":{"Statement":[]},"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}').ok).toBe(false);
    const parsed = parsePolicy('{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"__proto__":"x"}}}}');
    expect(parsed.ok).toBe(true);
  });
});
