/**
 * The authorization mode on RetireGrant (the grant decides who may retire it, then the key's
 * account through its policies) and on UpdatePrimaryRegion (kms:UpdatePrimaryRegion on the primary
 * and on the replica that becomes primary), through @aws-sdk/client-kms with named callers.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListGrantsCommand,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
  RetireGrantCommand,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock, type AuthorizationMode, type AwsIdentity, type Kms } from '../../src/index.js';
import { rejection, START } from '../support/kms.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const CAROL = `arn:aws:iam::${OTHER}:user/carol`;
const DAVE = `arn:aws:iam::${OTHER}:user/dave`;

function emulator(authorization: AuthorizationMode = 'enforce'): Kms<ManualClock> {
  return createKms({ clock: new ManualClock(START), seed: 'authorization-retire', authorization });
}

function as(kms: Kms, principal: string, identity?: AwsIdentity, region?: string): KMSClient {
  return new KMSClient({ ...kms.aws.clientConfig({ principal, ...(identity ? { identity } : {}), ...(region ? { region } : {}) }) });
}

const allow = (action: string | string[], resource: string | string[] = '*', condition?: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }],
});
const deny = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: action, Resource: '*' }] });

function denied(principal: string, action: string, resource: string, why: string): string {
  return `User: ${principal} is not authorized to perform: kms:${action} on resource: ${resource} ${why}`;
}
const noResourcePolicy = (p: string, action: string, resource: string) => denied(p, action, resource, `because no resource-based policy allows the kms:${action} action`);
const noIdentityPolicy = (p: string, action: string, resource: string) => denied(p, action, resource, `because no identity-based policy allows the kms:${action} action`);
const identityDeny = (p: string, action: string, resource: string) => denied(p, action, resource, 'with an explicit deny in an identity-based policy');
const resourceDeny = (p: string, action: string, resource: string) => denied(p, action, resource, 'with an explicit deny in a resource-based policy');

async function refusal(fn: () => Promise<unknown>): Promise<string> {
  const e = await rejection(fn);
  expect(e.name).toBe('AccessDeniedException');
  return e.message;
}

/** A key of ACCOUNT with the default key policy, and a grant on it made by the root. */
async function grantOn(kms: Kms, grant: { GranteePrincipal: string; RetiringPrincipal?: string; Operations: string[] }, keyArn?: string) {
  const root = as(kms, ROOT);
  const arn = keyArn ?? (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  const made = await root.send(new CreateGrantCommand({ KeyId: arn, ...grant } as never));
  return { arn, grantId: made.GrantId!, token: made.GrantToken! };
}

async function grantCount(kms: Kms, arn: string): Promise<number> {
  return (await as(kms, ROOT).send(new ListGrantsCommand({ KeyId: arn }))).Grants!.length;
}

describe('RetireGrant in the authorization mode', () => {
  it('the retiring principal named in the grant retires it with no policy of its own, in the account and from another account', async () => {
    const kms = emulator();
    const { arn, token } = await grantOn(kms, { GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Encrypt'] });
    await as(kms, ALICE).send(new RetireGrantCommand({ GrantToken: token }));
    expect(await grantCount(kms, arn)).toBe(0);
    const other = await grantOn(kms, { GranteePrincipal: BOB, RetiringPrincipal: CAROL, Operations: ['Encrypt'] }, arn);
    await as(kms, CAROL).send(new RetireGrantCommand({ KeyId: arn, GrantId: other.grantId }));
    expect(await grantCount(kms, arn)).toBe(0);
  });

  it('the grantee retires it only when the grant lists RetireGrant', async () => {
    const kms = emulator();
    const plain = await grantOn(kms, { GranteePrincipal: CAROL, Operations: ['Encrypt'] });
    expect(await refusal(() => as(kms, CAROL).send(new RetireGrantCommand({ GrantToken: plain.token })))).toBe(noResourcePolicy(CAROL, 'RetireGrant', plain.arn));
    expect(await grantCount(kms, plain.arn)).toBe(1);
    const retirable = await grantOn(kms, { GranteePrincipal: CAROL, Operations: ['Encrypt', 'RetireGrant'] }, plain.arn);
    await as(kms, CAROL).send(new RetireGrantCommand({ GrantToken: retirable.token }));
    expect(await grantCount(kms, plain.arn)).toBe(1);
  });

  it("the key's account: its root always; its users when the key policy delegates to IAM and an identity policy allows kms:RetireGrant", async () => {
    const kms = emulator();
    const { arn, token, grantId } = await grantOn(kms, { GranteePrincipal: CAROL, RetiringPrincipal: DAVE, Operations: ['Decrypt'] });
    expect(await refusal(() => as(kms, BOB).send(new RetireGrantCommand({ GrantToken: token })))).toBe(noIdentityPolicy(BOB, 'RetireGrant', arn));
    // An identity policy on another key delegates nothing.
    const elsewhere = as(kms, BOB, { policies: [allow('kms:RetireGrant', `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`)] });
    expect(await refusal(() => elsewhere.send(new RetireGrantCommand({ GrantToken: token })))).toBe(noIdentityPolicy(BOB, 'RetireGrant', arn));
    expect(await grantCount(kms, arn)).toBe(1);
    await as(kms, BOB, { policies: [allow('kms:RetireGrant', arn)] }).send(new RetireGrantCommand({ GrantToken: token }));
    expect(await grantCount(kms, arn)).toBe(0);
    const again = await grantOn(kms, { GranteePrincipal: CAROL, Operations: ['Decrypt'] }, arn);
    expect(again.grantId).not.toBe(grantId);
    await as(kms, ROOT).send(new RetireGrantCommand({ KeyId: arn, GrantId: again.grantId }));
    expect(await grantCount(kms, arn)).toBe(0);
  });

  it('a principal of another account that the grant does not name is refused, whatever its own identity policies say', async () => {
    const kms = emulator();
    const { arn, token } = await grantOn(kms, { GranteePrincipal: CAROL, RetiringPrincipal: ALICE, Operations: ['Decrypt'] });
    const dave = as(kms, DAVE, { policies: [allow('kms:*')] });
    expect(await refusal(() => dave.send(new RetireGrantCommand({ GrantToken: token })))).toBe(noResourcePolicy(DAVE, 'RetireGrant', arn));
    expect(await refusal(() => dave.send(new RetireGrantCommand({ GrantToken: token, DryRun: true })))).toBe(noResourcePolicy(DAVE, 'RetireGrant', arn));
    expect(await grantCount(kms, arn)).toBe(1);
    // Refused, recorded with AccessDenied.
    const record = kms.aws.cloudTrail((r) => r.eventName === 'RetireGrant').at(-1)!;
    expect(record.errorCode).toBe('AccessDenied');
  });

  it('an explicit deny of kms:RetireGrant stops even the principals the grant names', async () => {
    const kms = emulator();
    const { arn, token } = await grantOn(kms, { GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Encrypt', 'RetireGrant'] });
    expect(await refusal(() => as(kms, ALICE, { policies: [deny('kms:RetireGrant')] }).send(new RetireGrantCommand({ GrantToken: token })))).toBe(
      identityDeny(ALICE, 'RetireGrant', arn),
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: BOB }, Action: 'kms:RetireGrant', Resource: '*' },
      ],
    });
    await as(kms, ROOT).send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: policy }));
    expect(await refusal(() => as(kms, BOB).send(new RetireGrantCommand({ GrantToken: token })))).toBe(resourceDeny(BOB, 'RetireGrant', arn));
    expect(await grantCount(kms, arn)).toBe(1);
    await as(kms, ALICE).send(new RetireGrantCommand({ GrantToken: token }));
    expect(await grantCount(kms, arn)).toBe(0);
  });

  it('a dry run is judged as the call is: DryRunOperationException for an allowed caller', async () => {
    const kms = emulator();
    const { arn, token, grantId } = await grantOn(kms, { GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Encrypt'] });
    expect((await rejection(() => as(kms, ALICE).send(new RetireGrantCommand({ GrantToken: token, DryRun: true })))).name).toBe('DryRunOperationException');
    expect(await refusal(() => as(kms, BOB).send(new RetireGrantCommand({ KeyId: arn, GrantId: grantId, DryRun: true })))).toBe(noIdentityPolicy(BOB, 'RetireGrant', arn));
    expect(await grantCount(kms, arn)).toBe(1);
  });

  it('audit mode records the decision and retires as the off mode does', async () => {
    const kms = emulator('audit');
    const { arn, token } = await grantOn(kms, { GranteePrincipal: CAROL, Operations: ['Encrypt'] });
    await as(kms, BOB).send(new RetireGrantCommand({ GrantToken: token }));
    expect(await grantCount(kms, arn)).toBe(0);
    const decisions = (kms.aws.cloudTrail((r) => r.eventName === 'RetireGrant').at(-1)!.additionalEventData as any).authorization.decisions;
    expect(decisions).toEqual([
      { action: 'kms:RetireGrant', resource: arn, allowed: false, reason: 'no-identity-policy-allows', message: noIdentityPolicy(BOB, 'RetireGrant', arn) },
    ]);
  });

  it('off: the grantee without RetireGrant in the grant, and another account it does not name, are refused; the account may retire', async () => {
    const kms = emulator('off');
    const { arn, token } = await grantOn(kms, { GranteePrincipal: CAROL, Operations: ['Encrypt'] });
    expect((await rejection(() => as(kms, CAROL).send(new RetireGrantCommand({ GrantToken: token })))).name).toBe('AccessDeniedException');
    expect((await rejection(() => as(kms, DAVE).send(new RetireGrantCommand({ GrantToken: token })))).name).toBe('AccessDeniedException');
    await as(kms, BOB).send(new RetireGrantCommand({ GrantToken: token }));
    expect(await grantCount(kms, arn)).toBe(0);
  });
});

describe('UpdatePrimaryRegion in the authorization mode', () => {
  /** A multi-Region primary in us-east-1 and its replica in eu-west-1, with `replicaPolicy` on the replica. */
  async function family(kms: Kms<ManualClock>, replicaPolicy?: string): Promise<{ primary: string; replica: string }> {
    const root = as(kms, ROOT);
    const primary = (await root.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.Arn!;
    const replica = (await root.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: 'eu-west-1', ...(replicaPolicy ? { Policy: replicaPolicy, BypassPolicyLockoutSafetyCheck: true } : {}) })))
      .ReplicaKeyMetadata!.Arn!;
    kms.clock.advance('5s'); // the replica is Creating until then
    return { primary, replica };
  }

  const primaryRegion = async (kms: Kms, arn: string) => (await as(kms, ROOT).send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.MultiRegionConfiguration!.PrimaryKey!.Region;

  it('needs kms:UpdatePrimaryRegion on the primary key and on the replica key, each in its own Region', async () => {
    const kms = emulator();
    const { primary, replica } = await family(kms);
    expect(replica).toBe(primary.replace('us-east-1', 'eu-west-1'));
    const onPrimaryOnly = as(kms, ALICE, { policies: [allow('kms:UpdatePrimaryRegion', primary)] });
    expect(await refusal(() => onPrimaryOnly.send(new UpdatePrimaryRegionCommand({ KeyId: primary, PrimaryRegion: 'eu-west-1' })))).toBe(
      noIdentityPolicy(ALICE, 'UpdatePrimaryRegion', replica),
    );
    const onReplicaOnly = as(kms, ALICE, { policies: [allow('kms:UpdatePrimaryRegion', replica)] });
    expect(await refusal(() => onReplicaOnly.send(new UpdatePrimaryRegionCommand({ KeyId: primary, PrimaryRegion: 'eu-west-1' })))).toBe(
      noIdentityPolicy(ALICE, 'UpdatePrimaryRegion', primary),
    );
    expect(await primaryRegion(kms, primary)).toBe('us-east-1');
    await as(kms, ALICE, { policies: [allow('kms:UpdatePrimaryRegion', [primary, replica])] }).send(new UpdatePrimaryRegionCommand({ KeyId: primary, PrimaryRegion: 'eu-west-1' }));
    expect(await primaryRegion(kms, primary)).toBe('eu-west-1');
  });

  it("the replica's own key policy is read: a deny there refuses, a policy without the account statement refuses", async () => {
    const kms = emulator();
    const denying = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:UpdatePrimaryRegion', Resource: '*' },
      ],
    });
    const { primary, replica } = await family(kms, denying);
    expect(await refusal(() => as(kms, ROOT).send(new UpdatePrimaryRegionCommand({ KeyId: primary, PrimaryRegion: 'eu-west-1' })))).toBe(
      resourceDeny(ROOT, 'UpdatePrimaryRegion', replica),
    );
    const usersOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Encrypt', Resource: '*' }] });
    const other = await family(kms, usersOnly);
    expect(await refusal(() => as(kms, ROOT).send(new UpdatePrimaryRegionCommand({ KeyId: other.primary, PrimaryRegion: 'eu-west-1' })))).toBe(
      noResourcePolicy(ROOT, 'UpdatePrimaryRegion', other.replica),
    );
    expect(await primaryRegion(kms, primary)).toBe('us-east-1');
    expect(await primaryRegion(kms, other.primary)).toBe('us-east-1');
  });

  it('audit mode records both decisions', async () => {
    const kms = emulator('audit');
    const { primary, replica } = await family(kms);
    await as(kms, ALICE, { policies: [allow('kms:UpdatePrimaryRegion', primary)] }).send(new UpdatePrimaryRegionCommand({ KeyId: primary, PrimaryRegion: 'eu-west-1' }));
    const decisions = (kms.aws.cloudTrail((r) => r.eventName === 'UpdatePrimaryRegion').at(-1)!.additionalEventData as any).authorization.decisions;
    expect(decisions).toEqual([
      { action: 'kms:UpdatePrimaryRegion', resource: primary, allowed: true, by: 'identity-policy' },
      { action: 'kms:UpdatePrimaryRegion', resource: replica, allowed: false, reason: 'no-identity-policy-allows', message: noIdentityPolicy(ALICE, 'UpdatePrimaryRegion', replica) },
    ]);
  });
});
