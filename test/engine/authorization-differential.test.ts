// Our policy evaluator against @cloud-copilot/iam-simulate on generated policies and requests:
// single identity policies, single key policies, and KMS's combination of the two.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { authorizeKmsRequest, evaluateResourcePolicy, parsePolicyDocument, type AuthorizationRequest, type ParsedPolicy } from '../../src/engine/authorization/index.js';
import { ACCOUNT, policy, request, rng, type PolicyKind } from './authorization-generator.js';

const CASES = Number(process.env.AUTHZ_DIFF_CASES ?? 1500);

type Simulated = Awaited<ReturnType<typeof runSimulation>>;

async function simulate(req: ReturnType<typeof request>, identity: object | undefined, resource: object | undefined): Promise<Simulated> {
  return runSimulation(
    {
      request: {
        principal: req.principal.arn,
        action: req.action,
        resource: { resource: req.resource, accountId: ACCOUNT },
        contextVariables: req.context,
      },
      identityPolicies: identity === undefined ? [] : [{ name: 'identity', policy: identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource,
    },
    {},
  );
}

function analysis(result: Simulated) {
  if (result.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(result).slice(0, 400)}`);
  return result.result.analysis!;
}

/**
 * The request without the keys the simulator left out: a key the action does not have (DescribeKey
 * has no encryption context) is not in AWS's request context either, and an empty set is absent.
 */
function asSimulated(req: ReturnType<typeof request>, result: Simulated): AuthorizationRequest {
  if (result.resultType !== 'single') return req;
  const ignored = new Set((result.result.ignoredContextKeys ?? []).map((k) => k.toLowerCase()));
  if (ignored.size === 0) return req;
  return { ...req, keys: new Map([...req.keys].filter(([k]) => !ignored.has(k.toLowerCase()))) };
}

function compiled(document: object, kind: PolicyKind): ParsedPolicy {
  const parsed = parsePolicyDocument(document, { kind });
  if (!parsed.ok) throw new Error(`generated policy rejected: ${parsed.reason}`);
  return parsed.policy;
}

/**
 * Left out on purpose: a NotPrincipal naming the account of a principal who is not its root. The
 * simulator exempts every principal of the account; AWS's guide says the account entry exempts only
 * the account step, so the user or role must be named as well ("you must also specify the account
 * ARN of the not-denied principal"). Our evaluator follows AWS and exempts only the root.
 */
function notPrincipalNamesAccountOf(document: { Statement: Record<string, unknown>[] }, principal: { arn: string; account: string }): boolean {
  if (principal.arn.endsWith(':root')) return false;
  return document.Statement.some((s) => {
    const aws = (s.NotPrincipal as { AWS?: string | string[] } | undefined)?.AWS;
    const list = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
    return list.some((p) => p === principal.account || p === `arn:aws:iam::${principal.account}:root`);
  });
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const RESOURCE_RESULTS: Record<string, string> = {
  Allowed: 'allow-principal',
  AllowedForAccount: 'allow-account',
  ExplicitlyDenied: 'deny',
  DeniedForAccount: 'deny',
  ImplicitlyDenied: 'none',
  NotApplicable: 'none',
};
const IDENTITY_RESULTS: Record<string, string> = { Allowed: 'allow', ExplicitlyDenied: 'deny', ImplicitlyDenied: 'none' };

function report(mismatches: string[], total: number): void {
  if (mismatches.length > 0) console.log(`${mismatches.length}/${total} mismatches, first:\n${mismatches.slice(0, 3).join('\n\n')}`);
}

describe('the policy evaluator agrees with @cloud-copilot/iam-simulate', () => {
  it(`on ${CASES} generated identity policies`, async () => {
    const r = rng(1801);
    const mismatches: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const document = policy(r, 'identity');
      const req = request(r);
      const simulated = await simulate(req, document, undefined);
      const theirs = IDENTITY_RESULTS[analysis(simulated).identityAnalysis!.result];
      const ours = evaluateResourcePolicy(compiled(document, 'identity'), asSimulated(req, simulated), 'identity');
      const oursShort = ours === 'deny' ? 'deny' : ours === 'none' ? 'none' : 'allow';
      if (oursShort !== theirs) mismatches.push(`#${i} ours=${oursShort} simulator=${theirs}\n${JSON.stringify({ document, req: { ...req, keys: undefined } })}`);
    }
    report(mismatches, CASES);
    expect(mismatches.length).toBe(0);
  });

  it(`on ${CASES} generated key policies`, async () => {
    const r = rng(1802);
    const mismatches: string[] = [];
    let skipped = 0;
    for (let i = 0; i < CASES; i++) {
      const document = policy(r, 'resource');
      const req = request(r);
      if (notPrincipalNamesAccountOf(document, req.principal)) {
        skipped++;
        continue;
      }
      const simulated = await simulate(req, undefined, document);
      let theirs = RESOURCE_RESULTS[analysis(simulated).resourceAnalysis!.result];
      // An account principal names the account root itself: for the root it is a direct match.
      if (theirs === 'allow-account' && req.principal.arn.endsWith(':root')) theirs = 'allow-principal';
      const ours = evaluateResourcePolicy(compiled(document, 'resource'), asSimulated(req, simulated), 'resource');
      if (ours !== theirs) mismatches.push(`#${i} ours=${ours} simulator=${theirs}\n${JSON.stringify({ document, req: { ...req, keys: undefined } })}`);
    }
    report(mismatches, CASES);
    expect(mismatches.length).toBe(0);
    expect(skipped).toBeLessThan(CASES / 10);
  });

  it(`on ${CASES} generated KMS decisions (key policy and identity policy together)`, async () => {
    const r = rng(1803);
    const mismatches: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const keyPolicy = policy(r, 'resource');
      const identity = policy(r, 'identity');
      const req = request(r);
      const root = req.principal.arn.endsWith(':root');
      // The account root has every permission of its account without identity policies: the
      // simulator is given an Allow-all identity policy to stand for that.
      const theirs = (await simulate(req, root ? ALLOW_ALL : identity, keyPolicy)) as Simulated & { overallResult?: string };
      analysis(theirs);
      const decision = authorizeKmsRequest({
        request: asSimulated(req, theirs),
        keyAccount: ACCOUNT,
        keyPolicy: compiled(keyPolicy, 'resource'),
        identityPolicies: root ? [] : [compiled(identity, 'identity')],
        grantAllows: false,
      });
      const simulated = theirs.resultType === 'single' ? theirs.overallResult : undefined;
      if (decision.allowed !== (simulated === 'Allowed')) {
        mismatches.push(`#${i} ours=${JSON.stringify(decision)} simulator=${simulated}\n${JSON.stringify({ keyPolicy, identity, req: { ...req, keys: undefined } })}`);
      }
    }
    report(mismatches, CASES);
    expect(mismatches.length).toBe(0);
  });
});
