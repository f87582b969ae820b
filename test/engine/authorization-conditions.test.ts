// The Condition element, operator by operator, as AWS's "IAM JSON policy elements: Condition
// operators" and "Multivalued context keys" describe them.
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, parsePolicyDocument, type ConditionValue } from '../../src/engine/authorization/index.js';

const ALICE = { arn: 'arn:aws:iam::111122223333:user/alice', account: '111122223333' };
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Does an identity policy with this one Condition allow a kms:Encrypt call with these keys? */
function holds(condition: Record<string, unknown>, keys: Record<string, ConditionValue> = {}, version = '2012-10-17'): boolean {
  const parsed = parsePolicyDocument({ Version: version, Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: condition } });
  if (!parsed.ok) throw new Error(parsed.reason);
  return evaluatePolicy(parsed.policy, { action: 'kms:Encrypt', resource: KEY, principal: ALICE, keys: new Map(Object.entries(keys)) }, 'identity') === 'allow';
}

describe('string operators', () => {
  const ctx = { 'kms:EncryptionContext:app': 'Payroll' };
  it('StringEquals is exact and case-sensitive; several values are OR', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContext:app': 'Payroll' } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:app': 'payroll' } }, ctx)).toBe(false);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:app': ['x', 'Payroll'] } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:app': 'Pay*' } }, ctx)).toBe(false);
  });
  it('StringNotEquals is true when no value matches', () => {
    expect(holds({ StringNotEquals: { 'kms:EncryptionContext:app': ['a', 'b'] } }, ctx)).toBe(true);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContext:app': ['a', 'Payroll'] } }, ctx)).toBe(false);
  });
  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase fold case', () => {
    expect(holds({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:app': 'PAYROLL' } }, ctx)).toBe(true);
    expect(holds({ StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:app': 'payroll' } }, ctx)).toBe(false);
  });
  it('StringLike and StringNotLike take * and ? (case-sensitive)', () => {
    expect(holds({ StringLike: { 'kms:EncryptionContext:app': 'Pay*' } }, ctx)).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:app': 'P?yroll' } }, ctx)).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:app': 'pay*' } }, ctx)).toBe(false);
    expect(holds({ StringLike: { 'kms:EncryptionContext:app': '*' } }, ctx)).toBe(true);
    expect(holds({ StringNotLike: { 'kms:EncryptionContext:app': 'Pay*' } }, ctx)).toBe(false);
    expect(holds({ StringNotLike: { 'kms:EncryptionContext:app': 'Bill*' } }, ctx)).toBe(true);
  });
  it('condition key names match whatever their case, on either side', () => {
    expect(holds({ StringEquals: { 'KMS:ENCRYPTIONCONTEXT:APP': 'Payroll' } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'kms:encryptioncontext:app': 'Payroll' } }, { 'Kms:EncryptionContext:App': 'Payroll' })).toBe(true);
  });
  it('an absent key fails a positive operator and satisfies a negated one', () => {
    expect(holds({ StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } })).toBe(false);
    expect(holds({ StringNotEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } })).toBe(true);
    expect(holds({ StringNotLike: { 'kms:ViaService': '*' } })).toBe(true);
  });
  it('numbers and booleans in the policy are compared as their text', () => {
    expect(holds({ StringEquals: { 'kms:CallerAccount': 111122223333 } }, { 'kms:CallerAccount': '111122223333' })).toBe(true);
  });
  it('keys AND, values OR', () => {
    const both = { StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': ['a', 'b'] } };
    expect(holds(both, { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'b' })).toBe(true);
    expect(holds(both, { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'c' })).toBe(false);
    expect(holds({ ...both, Bool: { 'aws:SecureTransport': 'true' } }, { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'a', 'aws:SecureTransport': false })).toBe(false);
  });
});

describe('IfExists', () => {
  it('is true when the key is absent and behaves as the operator when present', () => {
    expect(holds({ StringEqualsIfExists: { 'kms:ViaService': 'x' } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'kms:ViaService': 'x' } }, { 'kms:ViaService': 'y' })).toBe(false);
    expect(holds({ StringNotEqualsIfExists: { 'kms:ViaService': 'x' } }, { 'kms:ViaService': 'x' })).toBe(false);
    expect(holds({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': 60 } })).toBe(true);
    expect(holds({ BoolIfExists: { 'aws:SecureTransport': 'true' } })).toBe(true);
    expect(holds({ IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.0.0.1' })).toBe(false);
  });
});

describe('Null', () => {
  it('"true" holds when the key is absent, "false" when present', () => {
    expect(holds({ Null: { 'kms:ViaService': 'true' } })).toBe(true);
    expect(holds({ Null: { 'kms:ViaService': 'false' } })).toBe(false);
    expect(holds({ Null: { 'kms:ViaService': 'false' } }, { 'kms:ViaService': 'x' })).toBe(true);
    expect(holds({ Null: { 'kms:ViaService': true } }, { 'kms:ViaService': 'x' })).toBe(false);
  });
  it('an empty set is absent', () => {
    expect(holds({ Null: { 'kms:EncryptionContextKeys': 'true' } }, { 'kms:EncryptionContextKeys': [] })).toBe(true);
  });
  it('has no IfExists form', () => {
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { NullIfExists: { a: 'true' } } } }).ok).toBe(false);
  });
});

describe('numeric operators', () => {
  const age = (n: ConditionValue) => ({ 'aws:MultiFactorAuthAge': n });
  it.each([
    ['NumericEquals', 300, true],
    ['NumericNotEquals', 300, false],
    ['NumericLessThan', 301, true],
    ['NumericLessThan', 300, false],
    ['NumericLessThanEquals', 300, true],
    ['NumericGreaterThan', 299, true],
    ['NumericGreaterThan', 300, false],
    ['NumericGreaterThanEquals', 300, true],
  ] as const)('%s %d against 300', (operator, value, expected) => {
    expect(holds({ [operator]: { 'aws:MultiFactorAuthAge': value } }, age('300'))).toBe(expected);
    expect(holds({ [operator]: { 'aws:MultiFactorAuthAge': String(value) } }, age(300))).toBe(expected);
  });
  it('decimals compare as numbers; text that is no number never matches', () => {
    expect(holds({ NumericLessThan: { 'aws:MultiFactorAuthAge': '10.5' } }, age('9.75'))).toBe(true);
    expect(holds({ NumericEquals: { 'aws:MultiFactorAuthAge': '1e3' } }, age('1000'))).toBe(false);
    expect(holds({ NumericEquals: { 'aws:MultiFactorAuthAge': '300' } }, age('three'))).toBe(false);
    expect(holds({ NumericNotEquals: { 'aws:MultiFactorAuthAge': '300' } }, age('three'))).toBe(true);
  });
});

describe('date operators', () => {
  const now = { 'aws:CurrentTime': '2026-12-06T16:00:00Z' };
  it.each([
    ['DateEquals', '2026-12-06T16:00:00Z', true],
    ['DateNotEquals', '2026-12-06T16:00:00Z', false],
    ['DateLessThan', '2027-01-01T00:00:00Z', true],
    ['DateLessThanEquals', '2026-12-06T16:00:00Z', true],
    ['DateGreaterThan', '2027-01-01T00:00:00Z', false],
    ['DateGreaterThanEquals', '2026-01-01', true],
  ] as const)('%s %s', (operator, value, expected) => {
    expect(holds({ [operator]: { 'aws:CurrentTime': value } }, now)).toBe(expected);
  });
  it('takes epoch seconds and time-zone offsets', () => {
    const epoch = Date.parse('2026-12-06T16:00:00Z') / 1000;
    expect(holds({ DateEquals: { 'aws:CurrentTime': epoch } }, now)).toBe(true);
    expect(holds({ DateEquals: { 'aws:CurrentTime': String(epoch) } }, now)).toBe(true);
    expect(holds({ DateEquals: { 'aws:CurrentTime': '2026-12-06T17:00:00+01:00' } }, now)).toBe(true);
    expect(holds({ DateEquals: { 'aws:CurrentTime': '2026-12-06T16:00:00' } }, now)).toBe(true);
    expect(holds({ DateEquals: { 'aws:CurrentTime': '2026-12-06T16:00:00.000Z' } }, { 'aws:CurrentTime': '2026-12-06T16:00:00' })).toBe(true);
    expect(holds({ DateLessThan: { 'aws:CurrentTime': 'tomorrow' } }, now)).toBe(false);
    expect(holds({ DateLessThan: { 'aws:EpochTime': '2026-12-07T00:00:00Z' } }, { 'aws:EpochTime': epoch })).toBe(true);
  });
});

describe('Bool and BinaryEquals', () => {
  it('Bool compares true/false whatever their case or type', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'TRUE' })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(holds({ Bool: { 'kms:BypassPolicyLockoutSafetyCheck': false } }, { 'kms:BypassPolicyLockoutSafetyCheck': false })).toBe(true);
  });
  it('BinaryEquals compares base64 text', () => {
    expect(holds({ BinaryEquals: { 'kms:RecipientAttestation:ImageSha384': 'QUJD' } }, { 'kms:RecipientAttestation:ImageSha384': 'QUJD' })).toBe(true);
    expect(holds({ BinaryEquals: { 'kms:RecipientAttestation:ImageSha384': 'QUJD' } }, { 'kms:RecipientAttestation:ImageSha384': 'QUJE' })).toBe(false);
  });
});

describe('IpAddress and NotIpAddress', () => {
  const ip = (a: string) => ({ 'aws:SourceIp': a });
  it('IPv4 blocks, bare addresses and /0', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, ip('203.0.113.77'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, ip('203.0.114.1'))).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/9' } }, ip('10.127.255.255'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/9' } }, ip('10.128.0.0'))).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.7' } }, ip('203.0.113.7'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, ip('8.8.8.8'))).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, ip('192.168.3.4'))).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, ip('172.16.0.1'))).toBe(true);
  });
  it('IPv6 blocks, compressed forms, and IPv4-mapped addresses', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, ip('2001:db8:1234::1'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, ip('2001:db9::1'))).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:DB8:0:0:0:0:0:1/128' } }, ip('2001:db8::1'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('::ffff:10.1.2.3'))).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('2001:db8::1'))).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip('2001:db8::1'))).toBe(true);
  });
  it('a request value that is no address never matches; a policy value that is none is malformed', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, ip('not-an-ip'))).toBe(false);
    for (const bad of ['10.0.0.0/33', '256.1.1.1', '1:2:3', 'x', '2001:db8::/129']) {
      expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': bad } } } }).ok).toBe(false);
    }
  });
});

describe('ARN operators', () => {
  const arn = (a: string) => ({ 'aws:PrincipalArn': a });
  it('ArnLike and ArnEquals match each of the six parts separately, wildcards included', () => {
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(true);
    expect(holds({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/al?ce' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(true);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(false);
    // A * stays within its part: it does not swallow the colons of the account and region.
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:*:user/alice' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(false);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:*' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(true);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/ALICE' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(false);
  });
  it('ArnNotLike and ArnNotEquals negate; a value that is no ARN never matches', () => {
    expect(holds({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/alice' } }, arn('arn:aws:iam::111122223333:user/alice'))).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': '*' } }, { 'aws:SourceArn': 'not-an-arn' })).toBe(false);
  });
  it('aws:PrincipalArn defaults to the calling principal', () => {
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/*' } })).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalAccount': '111122223333' } })).toBe(true);
  });
});

describe('ForAnyValue and ForAllValues', () => {
  const keys = (list: readonly string[]) => ({ 'kms:EncryptionContextKeys': list });
  it('ForAnyValue holds when at least one request value matches; false when the key is absent or empty', () => {
    expect(holds({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'app' } }, keys(['app', 'x']))).toBe(true);
    expect(holds({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'app' } }, keys(['x']))).toBe(false);
    expect(holds({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'app' } })).toBe(false);
    expect(holds({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'app' } }, keys([]))).toBe(false);
  });
  it('ForAllValues holds when every request value matches; true when the key is absent or empty', () => {
    const only = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['app', 'team'] } };
    expect(holds(only, keys(['app', 'team']))).toBe(true);
    expect(holds(only, keys(['app', 'other']))).toBe(false);
    expect(holds(only)).toBe(true);
    expect(holds(only, keys([]))).toBe(true);
  });
  it('negated operators apply to each value', () => {
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'app' } }, keys(['app', 'x']))).toBe(true);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'app' } }, keys(['app']))).toBe(false);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': 'secret' } }, keys(['app', 'x']))).toBe(true);
    expect(holds({ 'ForAllValues:StringNotLike': { 'kms:EncryptionContextKeys': 'sec*' } }, keys(['app', 'secret']))).toBe(false);
  });
  it('IfExists on a qualified operator: true when absent', () => {
    expect(holds({ 'ForAnyValue:StringEqualsIfExists': { 'kms:EncryptionContextKeys': 'app' } })).toBe(true);
  });
  it('a single-valued key is a set of one', () => {
    expect(holds({ 'ForAnyValue:StringLike': { 'kms:ViaService': 'ec2.*' } }, { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).toBe(true);
  });
  it('a multivalued key under an operator without a qualifier fails the condition, negated or not', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContextKeys': 'app' } }, keys(['app']))).toBe(false);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContextKeys': 'app' } }, keys(['x']))).toBe(false);
  });
  it('an unknown qualifier is malformed', () => {
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForSomeValues:StringEquals': { a: 'b' } } } }).ok).toBe(false);
  });
});

describe('policy variables', () => {
  it('are replaced by the request value in condition values (Version 2012-10-17)', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'alice', 'aws:username': 'alice' })).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:path': 'home/${aws:username}/*' } }, { 'kms:EncryptionContext:path': 'home/alice/x', 'aws:username': 'alice' })).toBe(true);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:PrincipalTag/team}' } }, { 'kms:EncryptionContext:owner': 'eng', 'aws:PrincipalTag/team': 'eng' })).toBe(true);
  });
  it('are literal text in a Version 2008-10-17 policy', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': '${aws:username}', 'aws:username': 'alice' }, '2008-10-17')).toBe(true);
  });
  it('take a default value; without one an absent key matches nothing', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': "${aws:username, 'nobody'}" } }, { 'kms:EncryptionContext:owner': 'nobody' })).toBe(true);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': '' })).toBe(false);
  });
  it('an unresolved variable matches nothing and fails a negated operator when its key is present; an absent key follows the absent-key rules', () => {
    expect(holds({ StringLike: { 'kms:EncryptionContext:owner': ['${aws:username}', 'x*'] } }, { 'kms:EncryptionContext:owner': 'xy' })).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:owner': ['${aws:username}'] } }, { 'kms:EncryptionContext:owner': 'xy' })).toBe(false);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } })).toBe(true);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'x' })).toBe(false);
    expect(holds({ StringNotLike: { 'kms:EncryptionContext:owner': ['${aws:username}', 'y'] } }, { 'kms:EncryptionContext:owner': 'x' })).toBe(false);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': '${aws:username}' } }, { 'kms:EncryptionContextKeys': ['x'] })).toBe(false);
    expect(holds({ StringNotEqualsIfExists: { 'kms:EncryptionContext:owner': '${aws:username}' } })).toBe(true);
    expect(holds({ StringNotEqualsIfExists: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'x' })).toBe(false);
  });
  it('${*}, ${?} and ${$} are a literal *, ? and $; a substituted * is literal too', () => {
    expect(holds({ StringLike: { 'kms:EncryptionContext:x': 'a${*}b' } }, { 'kms:EncryptionContext:x': 'a*b' })).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:x': 'a${*}b' } }, { 'kms:EncryptionContext:x': 'axxb' })).toBe(false);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:x': 'a${?}${$}' } }, { 'kms:EncryptionContext:x': 'a?$' })).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:x': '${aws:username}' } }, { 'kms:EncryptionContext:x': 'anything', 'aws:username': '*' })).toBe(false);
  });
});
