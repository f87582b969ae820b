import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  type CreateCustomKeyStoreCommandInput,
  CreateKeyCommand,
  DecryptCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  RotateKeyOnDemandCommand,
  GenerateRandomCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  UpdateCustomKeyStoreCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, type Kms, ManualClock } from '../../src/index.js';
import { rejection, setup, START, str, text } from '../support/kms.js';
import { everything, storeOf, unchanged } from '../support/key-stores.js';
import { TRUST_ANCHOR_A, TRUST_ANCHOR_B } from '../support/trust-anchors.js';

const CLUSTER = 'cluster-2a23b4cdefg';
const OTHER_CLUSTER = 'cluster-2b34c5defgh';

function cloudHsm(name: string, extra: Partial<CreateCustomKeyStoreCommandInput> = {}): CreateCustomKeyStoreCommandInput {
  return { CustomKeyStoreName: name, CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: TRUST_ANCHOR_A, KeyStorePassword: 'kmsuser-password', ...extra };
}

async function connected(kms: Kms<ManualClock>, client: KMSClient, name = 'hsm-store', input: Partial<CreateCustomKeyStoreCommandInput> = {}) {
  const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(cloudHsm(name, input)));
  await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  kms.clock.advance('5s');
  return id!;
}

describe('CloudHSM key stores', () => {
  it('live their whole life: create, connect, keys, crypto, disconnect (keys Unavailable), reconnect, update, delete', async () => {
    const { kms, client } = setup();
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(cloudHsm('hsm-store')));
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);
    let store = await storeOf(client, id!);
    expect(store).toMatchObject({ CustomKeyStoreId: id, CustomKeyStoreName: 'hsm-store', CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: TRUST_ANCHOR_A, ConnectionState: 'DISCONNECTED', CustomKeyStoreType: 'AWS_CLOUDHSM' });
    expect(store.CreationDate).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(JSON.stringify(store)).not.toContain('kmsuser-password');

    // Keys wait for a connected store.
    const early = await unchanged(kms, () => client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id })));
    expect(early.name).toBe('CustomKeyStoreInvalidStateException');

    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await storeOf(client, id!)).ConnectionState).toBe('CONNECTING');
    // Connecting again while connecting changes nothing.
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    expect((await storeOf(client, id!)).ConnectionState).toBe('CONNECTED');

    const key = (await client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, Description: 'in the cluster' }))).KeyMetadata!;
    expect(key).toMatchObject({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, CloudHsmClusterId: CLUSTER, KeySpec: 'SYMMETRIC_DEFAULT', KeyState: 'Enabled', Enabled: true });
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('hello hsm') }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('hello hsm');
    const random = await client.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: id }));
    expect(random.Plaintext).toHaveLength(16);

    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await storeOf(client, id!)).ConnectionState).toBe('DISCONNECTING');
    kms.clock.advance('1s');
    expect((await storeOf(client, id!)).ConnectionState).toBe('DISCONNECTED');
    const unavailable = (await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(unavailable).toMatchObject({ KeyState: 'Unavailable', Enabled: false });
    const refused = await unchanged(kms, () => client.send(new DecryptCommand({ CiphertextBlob })));
    expect(refused.name).toBe('KMSInvalidStateException');
    expect(refused.message).toBe(`${key.Arn} is unavailable.`);
    expect((await unchanged(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })))).name).toBe('KMSInvalidStateException');
    expect((await unchanged(kms, () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })))).name).toBe('KMSInvalidStateException');
    expect((await unchanged(kms, () => client.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: id })))).name).toBe('CustomKeyStoreInvalidStateException');

    // Disconnected, every property may change.
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed', KeyStorePassword: 'new-password' }));
    store = await storeOf(client, id!);
    expect(store.CustomKeyStoreName).toBe('renamed');

    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('hello hsm');
    // Connected, only the name may change.
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed again' }));
    expect((await unchanged(kms, () => client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'another-one' })))).name).toBe('CustomKeyStoreInvalidStateException');

    // A store with keys is not deleted; a connected one neither.
    expect((await unchanged(kms, () => client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe('CustomKeyStoreHasCMKsException');
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('7d');
    expect((await unchanged(kms, () => client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe('CustomKeyStoreInvalidStateException');
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    await client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await rejection(() => storeOf(client, id!))).name).toBe('CustomKeyStoreNotFoundException');
  });

  it('checks the cluster, the trust anchor and the password as AWS does, each refusal changing nothing', async () => {
    const { kms, client } = setup({
      aws: {
        cloudHsmClusters: [
          { id: CLUSTER, trustAnchorCertificate: TRUST_ANCHOR_A },
          { id: OTHER_CLUSTER, trustAnchorCertificate: TRUST_ANCHOR_B },
          { id: 'cluster-3c45d6efghi', active: false },
          { id: 'cluster-4d56e7fghij', hsms: 1 },
          { id: 'cluster-5e67f7ghijk', trustAnchorCertificate: TRUST_ANCHOR_A },
        ],
      },
    });
    const create = (input: Partial<CreateCustomKeyStoreCommandInput>) => unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand(cloudHsm('s', input))));
    expect((await create({ CloudHsmClusterId: 'cluster-7777777777777' })).name).toBe('CloudHsmClusterNotFoundException');
    expect((await create({ CloudHsmClusterId: 'cluster-3c45d6efghi' })).name).toBe('CloudHsmClusterNotActiveException');
    expect((await create({ CloudHsmClusterId: 'cluster-4d56e7fghij' })).name).toBe('CloudHsmClusterInvalidConfigurationException');
    expect((await create({ TrustAnchorCertificate: TRUST_ANCHOR_B })).name).toBe('IncorrectTrustAnchorException');
    expect((await create({ TrustAnchorCertificate: 'not a certificate' })).name).toBe('IncorrectTrustAnchorException');
    const short = await create({ KeyStorePassword: 'short' });
    expect(short.name).toBe('ValidationException');
    expect(short.message).toContain("at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7");
    expect(short.message).not.toContain('short');
    expect((await create({ CloudHsmClusterId: 'cluster-1' })).name).toBe('ValidationException');
    expect((await create({ KeyStorePassword: undefined })).name).toBe('ValidationException');
    expect((await create({ XksProxyUriPath: '/kms/xks/v1' })).name).toBe('ValidationException');

    const id = await connected(kms, client, 's');
    expect((await create({})).name).toBe('CustomKeyStoreNameInUseException');
    expect((await create({ CustomKeyStoreName: 'other' })).name).toBe('CloudHsmClusterInUseException');
    // A cluster of the same backup history (the same trust anchor) is in use too.
    expect((await create({ CustomKeyStoreName: 'other', CloudHsmClusterId: 'cluster-5e67f7ghijk' })).name).toBe('CloudHsmClusterInUseException');
    await client.send(new CreateCustomKeyStoreCommand(cloudHsm('second', { CloudHsmClusterId: OTHER_CLUSTER, TrustAnchorCertificate: TRUST_ANCHOR_B })));

    // Update: connected stores take a new name only; an unrelated cluster is refused.
    const update = (input: Record<string, unknown>) => unchanged(kms, () => client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, ...input })));
    expect((await update({ NewCustomKeyStoreName: 'second' })).name).toBe('CustomKeyStoreNameInUseException');
    expect((await update({ CloudHsmClusterId: 'cluster-5e67f7ghijk' })).name).toBe('CustomKeyStoreInvalidStateException');
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    expect((await update({ CloudHsmClusterId: OTHER_CLUSTER })).name).toBe('CloudHsmClusterNotRelatedException');
    expect((await update({ CloudHsmClusterId: 'cluster-7777777777777' })).name).toBe('CloudHsmClusterNotFoundException');
    expect((await update({ XksProxyUriPath: '/kms/xks/v1' })).name).toBe('ValidationException');
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, CloudHsmClusterId: 'cluster-5e67f7ghijk' }));
    expect((await storeOf(client, id)).CloudHsmClusterId).toBe('cluster-5e67f7ghijk');

    // Connect, disconnect, delete of a store that does not exist; disconnect of a disconnected one.
    for (const command of [new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-00000000000000000' }), new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-00000000000000000' }), new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-00000000000000000' })]) {
      expect((await unchanged(kms, () => client.send(command as never))).name).toBe('CustomKeyStoreNotFoundException');
    }
    expect((await unchanged(kms, () => client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe('CustomKeyStoreInvalidStateException');
  });

  it('connects to FAILED with the connection error code, and reconnects only after a disconnect', async () => {
    const { kms, client } = setup({ aws: { cloudHsmClusters: [{ id: CLUSTER, kmsuserPassword: 'the-right-one' }, { id: OTHER_CLUSTER, hsms: 2 }] } });
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(cloudHsm('s', { KeyStorePassword: 'the-wrong-one' })));
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    expect(await storeOf(client, id!)).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'INVALID_CREDENTIALS' });
    expect((await unchanged(kms, () => client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe('CustomKeyStoreInvalidStateException');
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    const store = await storeOf(client, id!);
    expect(store.ConnectionState).toBe('DISCONNECTED');
    expect(store.ConnectionErrorCode).toBeUndefined();
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'the-right-one' }));
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('5s');
    expect((await storeOf(client, id!)).ConnectionState).toBe('CONNECTED');
  });

  it('refuses keys a custom key store cannot hold', async () => {
    const { kms, client } = setup();
    const id = await connected(kms, client);
    const create = (input: Record<string, unknown>) => unchanged(kms, () => client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, ...input })));
    expect((await create({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).name).toBe('UnsupportedOperationException');
    expect((await create({ MultiRegion: true })).name).toBe('UnsupportedOperationException');
    expect((await create({ XksKeyId: 'abc' })).name).toBe('ValidationException');
    expect((await create({ Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'abc' })).name).toBe('ValidationException');
    expect((await create({ CustomKeyStoreId: 'cks-00000000000000000' })).name).toBe('CustomKeyStoreNotFoundException');
    expect((await create({ CustomKeyStoreId: undefined })).name).toBe('ValidationException');
    // Keys in custom key stores are not rotated.
    const key = (await client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }))).KeyMetadata!;
    for (const command of [new EnableKeyRotationCommand({ KeyId: key.KeyId }), new RotateKeyOnDemandCommand({ KeyId: key.KeyId })]) {
      const e = await unchanged(kms, () => client.send(command as never));
      expect(e.name).toBe('UnsupportedOperationException');
      expect(e.message).toBe(`${key.Arn} origin is AWS_CLOUDHSM which is not valid for this operation.`);
    }
  });
});

describe('DescribeCustomKeyStores', () => {
  it('pages with Limit and Marker and filters by id or name', async () => {
    const { kms, client } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { CustomKeyStoreId } = await client.send(new CreateCustomKeyStoreCommand(cloudHsm(`store-${i}`, { CloudHsmClusterId: `cluster-abcdefghijk${'abcde'[i]}` })));
      ids.push(CustomKeyStoreId!);
    }
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new DescribeCustomKeyStoresCommand({ Limit: 2, ...(marker ? { Marker: marker } : {}) }));
      expect(page.CustomKeyStores!.length).toBeLessThanOrEqual(2);
      seen.push(...page.CustomKeyStores!.map((s) => s.CustomKeyStoreId!));
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    expect(seen).toEqual(ids);
    expect((await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'store-3' }))).CustomKeyStores!.map((s) => s.CustomKeyStoreId)).toEqual([ids[3]]);
    expect((await rejection(() => client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'nope' })))).name).toBe('CustomKeyStoreNotFoundException');
    expect((await rejection(() => client.send(new DescribeCustomKeyStoresCommand({ Marker: 'forged' })))).name).toBe('InvalidMarkerException');
    expect((await rejection(() => client.send(new DescribeCustomKeyStoresCommand({ Limit: 0 })))).name).toBe('ValidationException');
    // Ten stores an account may have in a Region.
    for (let i = 5; i < 10; i++) await client.send(new CreateCustomKeyStoreCommand(cloudHsm(`store-${i}`, { CloudHsmClusterId: `cluster-abcdefghijk${'fghij'[i - 5]}` })));
    expect((await unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand(cloudHsm('store-10', { CloudHsmClusterId: 'cluster-abcdefghijkz' }))))).name).toBe('LimitExceededException');
  });
});

describe('CloudTrail records of key-store operations', () => {
  it('name the store as AWS\'s records do, and never hold its password', async () => {
    const { kms, client } = setup();
    const id = await connected(kms, client, 'ExampleKeyStore');
    const key = (await client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }))).KeyMetadata!;
    await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }));
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await rejection(() => client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })));
    const records = kms.aws.cloudTrail();
    const byName = (name: string) => records.find((r) => r.eventName === name)!;
    expect(byName('CreateCustomKeyStore')).toMatchObject({
      requestParameters: { customKeyStoreName: 'ExampleKeyStore', clusterId: CLUSTER },
      responseElements: { customKeyStoreId: id },
      readOnly: false,
    });
    expect(byName('ConnectCustomKeyStore')).toMatchObject({ requestParameters: { customKeyStoreId: id }, responseElements: null, additionalEventData: { customKeyStoreName: 'ExampleKeyStore', clusterId: CLUSTER } });
    expect(byName('DescribeCustomKeyStores')).toMatchObject({ requestParameters: { customKeyStoreId: id }, responseElements: null, readOnly: true });
    expect(byName('DisconnectCustomKeyStore')).toMatchObject({ additionalEventData: { customKeyStoreName: 'ExampleKeyStore', clusterId: CLUSTER } });
    expect(byName('DeleteCustomKeyStore')).toMatchObject({ errorCode: 'CustomKeyStoreHasCMKsException' });
    expect(byName('CreateKey').additionalEventData).toMatchObject({ customKeyStoreId: id });
    expect(byName('CreateKey').responseElements).toMatchObject({ keyMetadata: { customKeyStoreId: id, cloudHsmClusterId: CLUSTER, origin: 'AWS_CLOUDHSM', keyId: key.KeyId } });
    expect(JSON.stringify(records)).not.toContain('kmsuser-password');
    expect(JSON.stringify(records)).not.toContain('BEGIN CERTIFICATE');
  });
});

describe('custom key stores under enforced authorization', () => {
  it('are judged by the caller\'s identity policies alone, each operation as kms:<Operation>', async () => {
    const kms = createKms({ clock: new ManualClock(START), authorization: 'enforce' });
    const ALICE = 'arn:aws:iam::111122223333:user/alice';
    const as = (policies: object[]) => new KMSClient({ ...kms.aws.clientConfig({ principal: ALICE, identity: { policies } }) });
    const allow = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
    const nobody = as([]);
    const refused = await unchanged(kms, () => nobody.send(new CreateCustomKeyStoreCommand(cloudHsm('s'))));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toBe(`User: ${ALICE} is not authorized to perform: kms:CreateCustomKeyStore because no identity-based policy allows the kms:CreateCustomKeyStore action`);
    const { CustomKeyStoreId: id } = await as([allow('kms:CreateCustomKeyStore')]).send(new CreateCustomKeyStoreCommand(cloudHsm('s')));
    expect((await unchanged(kms, () => as([allow('kms:CreateCustomKeyStore')]).send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe('AccessDeniedException');
    await as([allow('kms:ConnectCustomKeyStore')]).send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await as([allow('kms:DescribeCustomKeyStores')]).send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores).toHaveLength(1);
    expect(kms.aws.internalErrors.recent()).toEqual([]);
  });
});
