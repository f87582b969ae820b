// Properties of the evaluator: it never throws whatever it is given, a Deny statement never allows
// more, and taking an Allow statement away never allows more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorizeKmsRequest,
  evaluatePolicy,
  evaluateResourcePolicy,
  parsePolicy,
  parsePolicyDocument,
  type AuthorizationRequest,
  type ParsedPolicy,
  type PolicyEffect,
} from '../../src/engine/authorization/index.js';
import { ACCOUNT, policy, request, rng, statement, type PolicyKind } from './authorization-generator.js';

const RUNS = 300;

function compile(document: object): ParsedPolicy {
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.policy;
}

const rank: Record<PolicyEffect, number> = { deny: 0, none: 1, allow: 2 };

/** A seed for the policy generator, so that fast-check shrinks to a small reproducible case. */
const seed = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const kind = fc.constantFrom<PolicyKind>('resource', 'identity');

describe('the evaluator never throws', () => {
  it('on any JSON value as a policy', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const fromText = parsePolicy(JSON.stringify(value) ?? 'null');
        const fromObject = parsePolicyDocument(value);
        expect(typeof fromText.ok).toBe('boolean');
        expect(typeof fromObject.ok).toBe('boolean');
      }),
      { numRuns: 1000, seed: 18 },
    );
  });

  it('on policy-shaped documents with odd values in every element', () => {
    const odd = fc.oneof(
      fc.constantFrom<unknown>(null, true, 0, -1, 1e308, NaN, '', '*', '${', '${aws:username', '${*}', 'arn:', '::', '0.0.0.0/0', '2001:db8::/200', [], {}, [[]], { __proto__: 1 }),
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
    );
    const operators = fc.constantFrom('StringEquals', 'ForAllValues:StringLike', 'ForAnyValue:ArnLike', 'NumericLessThanIfExists', 'DateEquals', 'Bool', 'IpAddress', 'Null', 'BinaryEquals', 'Weird');
    fc.assert(
      fc.property(odd, odd, odd, odd, operators, odd, (principal, action, resource, key, operator, value) => {
        const document = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: principal, Action: action, Resource: resource, Condition: { [operator]: { [typeof key === 'string' ? key : 'aws:username']: value } } }],
        };
        const parsed = parsePolicyDocument(document);
        if (parsed.ok) {
          const r = request(rng(1));
          expect(['allow', 'deny', 'none']).toContain(evaluatePolicy(parsed.policy, r, 'resource'));
        }
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('on deep and huge documents', () => {
    let deep: unknown = 'kms:Encrypt';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: deep, Resource: '*' } }).ok).toBe(false);
    expect(parsePolicy(`${'['.repeat(200_000)}${']'.repeat(200_000)}`).ok).toBe(false);
    const many = { Version: '2012-10-17', Statement: Array.from({ length: 5000 }, () => ({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' })) };
    const parsed = parsePolicyDocument(many);
    expect(parsed.ok).toBe(true);
    const long = 'a*'.repeat(2000) + 'b';
    const slow = compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: long } });
    const start = performance.now();
    expect(evaluatePolicy(slow, { action: 'kms:Encrypt', resource: 'a'.repeat(5000), principal: { arn: 'x', account: ACCOUNT }, keys: new Map() }, 'identity')).toBe('none');
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('on getters that throw and proxies', () => {
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
    const statementWithGetter = { Effect: 'Allow', Resource: '*', get Action(): string { throw new Error('boom'); } };
    expect(parsePolicyDocument(trap).ok).toBe(false);
    expect(parsePolicyDocument({ Statement: statementWithGetter }).ok).toBe(false);
  });

  it('on requests that are not what their type says', () => {
    const p = compile({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:username': '${aws:userid}' } } }] });
    const hostile: unknown[] = [
      null,
      {},
      { action: 7, resource: null, principal: null, keys: null },
      { action: 'kms:Encrypt', resource: '*', principal: { arn: 1, account: {} }, keys: new Map<unknown, unknown>([[1, 2], ['aws:username', { toString: null }]]) },
      { action: 'kms:Encrypt', resource: '*', principal: { arn: 'a', account: 'b', names: 5 }, keys: {} },
    ];
    for (const r of hostile) {
      expect(['allow', 'deny', 'none']).toContain(evaluatePolicy(p, r as AuthorizationRequest, 'resource'));
      expect(typeof authorizeKmsRequest({ request: r as AuthorizationRequest, keyAccount: ACCOUNT, keyPolicy: p, identityPolicies: [p], grantAllows: false }).allowed).toBe('boolean');
    }
    expect(typeof authorizeKmsRequest(null as never).allowed).toBe('boolean');
    expect(evaluatePolicy(null as never, request(rng(2)), 'identity')).toBe('deny');
  });
});

describe('monotonicity', () => {
  it('adding a Deny statement never allows more', () => {
    fc.assert(
      fc.property(seed, kind, (s, k) => {
        const r = rng(s);
        const base = policy(r, k);
        const req = request(r);
        const deny = { ...statement(r, k), Effect: 'Deny' };
        const before = evaluatePolicy(compile(base), req, k);
        const after = evaluatePolicy(compile({ ...base, Statement: [...base.Statement, deny] }), req, k);
        expect(rank[after]).toBeLessThanOrEqual(rank[before]);
      }),
      { numRuns: RUNS * 3, seed: 20 },
    );
  });

  it('removing an Allow statement never allows more', () => {
    fc.assert(
      fc.property(seed, kind, (s, k) => {
        const r = rng(s);
        const base = policy(r, k, 1 + Math.floor(r() * 5));
        const req = request(r);
        const index = base.Statement.findIndex((st) => st.Effect === 'Allow');
        if (index < 0 || base.Statement.length === 1) return;
        const without = { ...base, Statement: base.Statement.filter((_, i) => i !== index) };
        expect(rank[evaluatePolicy(compile(without), req, k)]).toBeLessThanOrEqual(rank[evaluatePolicy(compile(base), req, k)]);
        const detailed = { deny: 0, none: 1, 'allow-account': 2, 'allow-principal': 3 } as const;
        expect(detailed[evaluateResourcePolicy(compile(without), req, k)]).toBeLessThanOrEqual(detailed[evaluateResourcePolicy(compile(base), req, k)]);
      }),
      { numRuns: RUNS * 3, seed: 21 },
    );
  });

  it('for KMS decisions: a Deny added to the key policy or an identity policy never allows what was refused', () => {
    fc.assert(
      fc.property(seed, fc.boolean(), (s, toKeyPolicy) => {
        const r = rng(s);
        const keyPolicy = policy(r, 'resource');
        const identity = policy(r, 'identity');
        const req = request(r);
        const grantAllows = r() < 0.2;
        const deny = { ...statement(r, toKeyPolicy ? 'resource' : 'identity'), Effect: 'Deny' };
        const decideWith = (kp: typeof keyPolicy, id: typeof identity) =>
          authorizeKmsRequest({ request: req, keyAccount: ACCOUNT, keyPolicy: compile(kp), identityPolicies: [compile(id)], grantAllows });
        const before = decideWith(keyPolicy, identity);
        const after = toKeyPolicy
          ? decideWith({ ...keyPolicy, Statement: [...keyPolicy.Statement, deny] }, identity)
          : decideWith(keyPolicy, { ...identity, Statement: [...identity.Statement, deny] });
        if (!before.allowed) expect(after.allowed).toBe(false);
      }),
      { numRuns: RUNS * 3, seed: 22 },
    );
  });
});
