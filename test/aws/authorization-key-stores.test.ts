/**
 * Custom key stores in the enforce mode, through @aws-sdk/client-kms: each of the six operations is
 * judged by the caller's identity policies alone, as kms:<Operation> on "*" (a custom key store is not
 * an AWS resource, so no key policy and no key store ARN takes part), before the store, the cluster or
 * the XKS proxy is consulted; CreateKey in a custom key store needs kms:CreateKey the same way.
 */
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  type CreateCustomKeyStoreCommandInput,
  CreateKeyCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DisconnectCustomKeyStoreCommand,
  GenerateRandomCommand,
  KMSClient,
  UpdateCustomKeyStoreCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { XksProxy } from '../../src/dialects/aws/xks/index.js';
import { createKms, ManualClock, type AuthorizationMode, type Kms } from '../../src/index.js';
import { rejection, START } from '../support/kms.js';
import { everything } from '../support/key-stores.js';
import { TRUST_ANCHOR_A } from '../support/trust-anchors.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const OPERATOR = `arn:aws:iam::${ACCOUNT}:role/KeyStoreOperator`;
const OPERATOR_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/KeyStoreOperator/kms-emulator`;
const CREDENTIAL = { AccessKeyId: 'ABCDEFGHIJKLMNOPQRST', RawSecretAccessKey: 'a'.repeat(43) };

const cloudHsm = (name: string): CreateCustomKeyStoreCommandInput => ({
  CustomKeyStoreName: name,
  CloudHsmClusterId: 'cluster-2a23b4cdefg',
  TrustAnchorCertificate: TRUST_ANCHOR_A,
  KeyStorePassword: 'kmsuser-password',
});

const xks = (name: string): CreateCustomKeyStoreCommandInput => ({
  CustomKeyStoreName: name,
  CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
  XksProxyUriEndpoint: 'https://xks.example.com',
  XksProxyUriPath: '/example/kms/xks/v1',
  XksProxyConnectivity: 'PUBLIC_ENDPOINT',
  XksProxyAuthenticationCredential: CREDENTIAL,
});

const allow = (action: string | string[], resource: string | string[] = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const deny = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: action, Resource: '*' }] });

const noIdentityPolicy = (p: string, action: string) => `User: ${p} is not authorized to perform: kms:${action} because no identity-based policy allows the kms:${action} action`;
const identityDeny = (p: string, action: string) => `User: ${p} is not authorized to perform: kms:${action} with an explicit deny in an identity-based policy`;

/** An emulator whose external key stores reach a built-in XKS proxy; `proxyCalls` counts the requests that reached it. */
function emulator(authorization: AuthorizationMode = 'enforce') {
  let kms: Kms<ManualClock> | undefined;
  const proxy = new XksProxy({
    uriPath: '/example/kms/xks/v1',
    region: 'us-east-1',
    credentials: [{ accessKeyId: CREDENTIAL.AccessKeyId, secretAccessKey: CREDENTIAL.RawSecretAccessKey }],
    clock: () => kms!.clock.now(),
  });
  proxy.createKey('ext-1');
  const inner = proxy.asFetch();
  const counter = { proxyCalls: 0 };
  const fetch: typeof inner = (...args) => {
    counter.proxyCalls++;
    return inner(...args);
  };
  kms = createKms({ clock: new ManualClock(START), seed: 'authorization-key-stores', authorization, aws: { fetch } });
  return { kms, counter };
}

function as(kms: Kms, principal: string, policies: object[] = []): KMSClient {
  return new KMSClient({ ...kms.aws.clientConfig({ principal, identity: { policies } }) });
}

/** The call is refused with AccessDeniedException, changing nothing; its message. */
async function refusal(kms: Kms, fn: () => Promise<unknown>): Promise<string> {
  const before = everything(kms);
  const e = await rejection(fn);
  expect(e.name).toBe('AccessDeniedException');
  expect(everything(kms)).toEqual(before);
  return e.message;
}

describe('custom key stores in the enforce mode', () => {
  it('each of the six operations needs its own kms:<Operation> from an identity policy, and is refused without it', async () => {
    const { kms } = emulator();
    const nobody = as(kms, ALICE);
    const only = (action: string) => as(kms, ALICE, [allow(`kms:${action}`)]);
    expect(await refusal(kms, () => nobody.send(new CreateCustomKeyStoreCommand(cloudHsm('hsm'))))).toBe(noIdentityPolicy(ALICE, 'CreateCustomKeyStore'));
    const { CustomKeyStoreId: id } = await only('CreateCustomKeyStore').send(new CreateCustomKeyStoreCommand(cloudHsm('hsm')));

    expect(await refusal(kms, () => only('CreateCustomKeyStore').send(new DescribeCustomKeyStoresCommand({})))).toBe(noIdentityPolicy(ALICE, 'DescribeCustomKeyStores'));
    expect((await only('DescribeCustomKeyStores').send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!.ConnectionState).toBe('DISCONNECTED');

    expect(await refusal(kms, () => only('DescribeCustomKeyStores').send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).toBe(noIdentityPolicy(ALICE, 'ConnectCustomKeyStore'));
    await only('ConnectCustomKeyStore').send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');

    expect(await refusal(kms, () => only('ConnectCustomKeyStore').send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).toBe(noIdentityPolicy(ALICE, 'DisconnectCustomKeyStore'));
    await only('DisconnectCustomKeyStore').send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');

    expect(await refusal(kms, () => only('DisconnectCustomKeyStore').send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' })))).toBe(
      noIdentityPolicy(ALICE, 'UpdateCustomKeyStore'),
    );
    await only('UpdateCustomKeyStore').send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' }));

    expect(await refusal(kms, () => only('UpdateCustomKeyStore').send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).toBe(noIdentityPolicy(ALICE, 'DeleteCustomKeyStore'));
    await only('DeleteCustomKeyStore').send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await as(kms, ROOT).send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores).toEqual([]);
  });

  it('the refusal comes first: before an unknown store, a name in use, or the proxy is asked anything', async () => {
    const { kms, counter } = emulator();
    const nobody = as(kms, ALICE);
    expect(await refusal(kms, () => nobody.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-00000000000000000' })))).toBe(noIdentityPolicy(ALICE, 'ConnectCustomKeyStore'));
    expect(await refusal(kms, () => nobody.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'nothing' })))).toBe(noIdentityPolicy(ALICE, 'DescribeCustomKeyStores'));
    const root = as(kms, ROOT);
    await root.send(new CreateCustomKeyStoreCommand(cloudHsm('taken')));
    expect(await refusal(kms, () => nobody.send(new CreateCustomKeyStoreCommand(cloudHsm('taken'))))).toBe(noIdentityPolicy(ALICE, 'CreateCustomKeyStore'));
    // An external key store: the refused caller never reaches the proxy; the allowed one does.
    expect(await refusal(kms, () => nobody.send(new CreateCustomKeyStoreCommand(xks('external'))))).toBe(noIdentityPolicy(ALICE, 'CreateCustomKeyStore'));
    expect(counter.proxyCalls).toBe(0);
    await as(kms, ALICE, [allow('kms:CreateCustomKeyStore')]).send(new CreateCustomKeyStoreCommand(xks('external')));
    expect(counter.proxyCalls).toBeGreaterThan(0);
  });

  it('only "*" counts: a statement naming a key store ARN allows nothing; an explicit deny wins; a role session is named by its session ARN', async () => {
    const { kms } = emulator();
    const { CustomKeyStoreId: id } = await as(kms, ROOT).send(new CreateCustomKeyStoreCommand(cloudHsm('hsm')));
    const storeArn = `arn:aws:kms:us-east-1:${ACCOUNT}:custom-key-store/${id}`;
    expect(await refusal(kms, () => as(kms, ALICE, [allow('kms:DescribeCustomKeyStores', storeArn)]).send(new DescribeCustomKeyStoresCommand({})))).toBe(
      noIdentityPolicy(ALICE, 'DescribeCustomKeyStores'),
    );
    expect(await refusal(kms, () => as(kms, ALICE, [allow('kms:*'), deny('kms:DeleteCustomKeyStore')]).send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).toBe(
      identityDeny(ALICE, 'DeleteCustomKeyStore'),
    );
    const operator = as(kms, OPERATOR, [allow(['kms:DescribeCustomKeyStores', 'kms:ConnectCustomKeyStore'])]);
    expect((await operator.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores).toHaveLength(1);
    expect(await refusal(kms, () => operator.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'another-password' })))).toBe(
      noIdentityPolicy(OPERATOR_SESSION, 'UpdateCustomKeyStore'),
    );
    await operator.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('CreateKey in a custom key store needs kms:CreateKey before the store is looked at; GenerateRandom in one needs kms:GenerateRandom', async () => {
    const { kms, counter } = emulator();
    const root = as(kms, ROOT);
    const { CustomKeyStoreId: hsm } = await root.send(new CreateCustomKeyStoreCommand(cloudHsm('hsm')));
    const { CustomKeyStoreId: external } = await root.send(new CreateCustomKeyStoreCommand(xks('external')));
    // The stores are disconnected: a caller that may not create keys is refused before that matters.
    const storeAdmin = as(kms, ALICE, [allow('kms:*CustomKeyStore*')]);
    expect(await refusal(kms, () => storeAdmin.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: hsm })))).toBe(noIdentityPolicy(ALICE, 'CreateKey'));
    const asked = counter.proxyCalls;
    expect(await refusal(kms, () => storeAdmin.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: external, XksKeyId: 'ext-1' })))).toBe(
      noIdentityPolicy(ALICE, 'CreateKey'),
    );
    expect(counter.proxyCalls).toBe(asked);
    expect(await refusal(kms, () => storeAdmin.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: hsm })))).toBe(noIdentityPolicy(ALICE, 'GenerateRandom'));
    // Allowed kms:CreateKey, the caller meets the store's own rules (not connected yet), then makes its key.
    const keyMaker = as(kms, ALICE, [allow(['kms:CreateKey', 'kms:GenerateRandom', 'kms:ConnectCustomKeyStore'])]);
    expect((await rejection(() => keyMaker.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: hsm })))).name).toBe('CustomKeyStoreInvalidStateException');
    await keyMaker.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }));
    kms.clock.advance('5s');
    expect((await keyMaker.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: hsm }))).KeyMetadata!.CustomKeyStoreId).toBe(hsm);
    expect((await keyMaker.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: hsm }))).Plaintext).toHaveLength(16);
  });

  it('audit mode records the decision of a key store operation and refuses nothing', async () => {
    const { kms } = emulator('audit');
    const { CustomKeyStoreId: id } = await as(kms, ALICE).send(new CreateCustomKeyStoreCommand(cloudHsm('hsm')));
    expect(id).toMatch(/^cks-/);
    const record = kms.aws.cloudTrail((r) => r.eventName === 'CreateCustomKeyStore').at(-1)!;
    expect((record.additionalEventData as any).authorization.decisions).toEqual([
      { action: 'kms:CreateCustomKeyStore', resource: '*', allowed: false, reason: 'no-identity-policy-allows', message: noIdentityPolicy(ALICE, 'CreateCustomKeyStore') },
    ]);
  });
  it('audit mode records one decision for each key store operation, though the handlers read stores again inside', async () => {
    const { kms } = emulator('audit');
    const alice = as(kms, ALICE);
    const { CustomKeyStoreId: id } = await alice.send(new CreateCustomKeyStoreCommand(cloudHsm('hsm')));
    await alice.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    await alice.send(new DescribeCustomKeyStoresCommand({}));
    await alice.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    await alice.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'hsm-2' }));
    await alice.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    for (const operation of ['CreateCustomKeyStore', 'ConnectCustomKeyStore', 'DescribeCustomKeyStores', 'DisconnectCustomKeyStore', 'UpdateCustomKeyStore', 'DeleteCustomKeyStore']) {
      const records = kms.aws.cloudTrail((r) => r.eventName === operation);
      expect(records, operation).toHaveLength(1);
      expect((records[0]!.additionalEventData as any).authorization.decisions, operation).toEqual([
        { action: `kms:${operation}`, resource: '*', allowed: false, reason: 'no-identity-policy-allows', message: noIdentityPolicy(ALICE, operation) },
      ]);
    }
  });
});
