/**
 * External key stores through @aws-sdk/client-kms, end to end: against the built-in XKS proxy
 * (in the process, its asFetch() as the store's transport) and against a minimal proxy written
 * here on node:http, whose faults (a wrong credential, a slow answer, a malformed answer) map to
 * AWS's exceptions and connection error codes.
 */
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
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateRandomCommand,
  type KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  UpdateCustomKeyStoreCommand,
} from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XksProxy } from '../../src/dialects/aws/xks/index.js';
import type { Kms, ManualClock } from '../../src/index.js';
import { rejection, setup, str, text } from '../support/kms.js';
import { everything, storeOf, unchanged } from '../support/key-stores.js';

const CREDENTIAL = { AccessKeyId: 'ABCDEFGHIJKLMNOPQRST', RawSecretAccessKey: 'a'.repeat(43) };
const OTHER_CREDENTIAL = { AccessKeyId: 'ZYXWVUTSRQPONMLKJIHG', RawSecretAccessKey: 'b'.repeat(43) };

function xks(name: string, extra: Partial<CreateCustomKeyStoreCommandInput> = {}): CreateCustomKeyStoreCommandInput {
  return {
    CustomKeyStoreName: name,
    CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
    XksProxyUriEndpoint: 'https://xks.example.com',
    XksProxyUriPath: '/example/kms/xks/v1',
    XksProxyConnectivity: 'PUBLIC_ENDPOINT',
    XksProxyAuthenticationCredential: CREDENTIAL,
    ...extra,
  };
}

async function connect(kms: Kms<ManualClock>, client: KMSClient, id: string) {
  await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  kms.clock.advance('5s');
  return (await storeOf(client, id)).ConnectionState;
}

/** An emulator whose external key stores reach the built-in proxy in the process. */
function withBuiltInProxy() {
  // The proxy checks signatures against its clock, and the emulator signs with its own: they share it.
  let emulator: Kms<ManualClock> | undefined;
  const clock = () => emulator!.clock.now();
  const proxy = new XksProxy({ uriPath: '/example/kms/xks/v1', region: 'us-east-1', credentials: [{ accessKeyId: CREDENTIAL.AccessKeyId, secretAccessKey: CREDENTIAL.RawSecretAccessKey }], clock });
  proxy.createKey('ext-1');
  proxy.createKey('ext-2');
  const { kms, client } = setup({ aws: { fetch: proxy.asFetch() } });
  emulator = kms;
  return { kms, client, proxy };
}

describe('external key stores with the built-in XKS proxy', () => {
  it('live their whole life: create (health check), connect, keys on external keys, double encryption, disconnect, update, delete', async () => {
    const { kms, client, proxy } = withBuiltInProxy();
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(xks('xks-store')));
    const store = await storeOf(client, id!);
    expect(store).toMatchObject({
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      ConnectionState: 'DISCONNECTED',
      XksProxyConfiguration: { Connectivity: 'PUBLIC_ENDPOINT', AccessKeyId: CREDENTIAL.AccessKeyId, UriEndpoint: 'https://xks.example.com', UriPath: '/example/kms/xks/v1' },
    });
    expect(JSON.stringify(store)).not.toContain(CREDENTIAL.RawSecretAccessKey);
    expect(store.CloudHsmClusterId).toBeUndefined();
    expect(await connect(kms, client, id!)).toBe('CONNECTED');

    const key = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: 'ext-1' }))).KeyMetadata!;
    expect(key).toMatchObject({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyConfiguration: { Id: 'ext-1' }, KeySpec: 'SYMMETRIC_DEFAULT', KeyState: 'Enabled' });
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('outside too'), EncryptionContext: { a: 'b' } }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } }))).Plaintext)).toBe('outside too');
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'c' } })))).name).toBe('InvalidCiphertextException');
    const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    expect((await client.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext).toEqual(dataKey.Plaintext);
    const local = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const moved = await client.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: local.KeyId }));
    const back = await client.send(new ReEncryptCommand({ CiphertextBlob: moved.CiphertextBlob, DestinationKeyId: key.KeyId }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }))).Plaintext)).toBe('outside too');
    // Data key pairs, and re-encryption to and from a key pair, go through the proxy as well.
    const pair = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect((await client.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }))).Plaintext).toEqual(pair.PrivateKeyPlaintext);
    const rsa = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const toRsa = await client.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const fromRsa = await client.send(new ReEncryptCommand({ CiphertextBlob: toRsa.CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: key.KeyId }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: fromRsa.CiphertextBlob }))).Plaintext)).toBe('outside too');

    // The external key is half of it: disabled in the proxy, the ciphertext does not open.
    proxy.setKeyEnabled('ext-1', false);
    const refused = await unchanged(kms, () => client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } })));
    expect(refused.name).toBe('KMSInvalidStateException');
    proxy.setKeyEnabled('ext-1', true);

    // CloudTrail names the store (and the proxy's request id) for a cryptographic call.
    const encryptRecord = kms.aws.cloudTrail().filter((r) => r.eventName === 'Encrypt').at(-1)!;
    expect(encryptRecord.additionalEventData).toMatchObject({ customKeyStoreId: id });
    expect(typeof encryptRecord.additionalEventData!.xksProxyRequestId).toBe('string');
    const createRecord = kms.aws.cloudTrail().find((r) => r.eventName === 'CreateCustomKeyStore')!;
    expect(createRecord.requestParameters).toMatchObject({ customKeyStoreName: 'xks-store', customKeyStoreType: 'EXTERNAL_KEY_STORE', xksProxyUriPath: '/example/kms/xks/v1' });
    expect(createRecord.requestParameters).not.toHaveProperty('xksProxyAuthenticationCredential');
    expect(JSON.stringify(kms.aws.cloudTrail())).not.toContain(CREDENTIAL.RawSecretAccessKey);

    // GenerateRandom does not take an external key store.
    expect((await unchanged(kms, () => client.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id })))).name).toBe('UnsupportedOperationException');

    // Connected, the credential and the path may change; the endpoint waits for DISCONNECTED.
    proxy.addCredential(OTHER_CREDENTIAL.AccessKeyId, OTHER_CREDENTIAL.RawSecretAccessKey);
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyAuthenticationCredential: OTHER_CREDENTIAL }));
    expect((await storeOf(client, id!)).XksProxyConfiguration!.AccessKeyId).toBe(OTHER_CREDENTIAL.AccessKeyId);
    expect((await unchanged(kms, () => client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriEndpoint: 'https://xks2.example.com' })))).name).toBe(
      'CustomKeyStoreInvalidStateException',
    );

    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Unavailable');
    expect((await unchanged(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })))).name).toBe('KMSInvalidStateException');
    expect(await connect(kms, client, id!)).toBe('CONNECTED');
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } }))).Plaintext)).toBe('outside too');

    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('7d');
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    await client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('checks the external key with the proxy and the store settings as AWS does, each refusal changing nothing', async () => {
    const { kms, client, proxy } = withBuiltInProxy();
    const create = (input: Partial<CreateCustomKeyStoreCommandInput>) => unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand(xks('s', input))));
    expect((await create({ XksProxyAuthenticationCredential: OTHER_CREDENTIAL })).name).toBe('XksProxyIncorrectAuthenticationCredentialException');
    expect((await create({ XksProxyUriPath: '/other/kms/xks/v1' })).name).toBe('XksProxyInvalidConfigurationException');
    expect((await create({ XksProxyUriPath: '/kms/xks' })).name).toBe('ValidationException');
    expect((await create({ XksProxyUriEndpoint: 'http://xks.example.com' })).name).toBe('ValidationException');
    expect((await create({ XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' })).name).toBe('ValidationException');
    expect((await create({ XksProxyAuthenticationCredential: undefined })).name).toBe('ValidationException');
    expect((await create({ KeyStorePassword: 'kmsuser-password' })).name).toBe('ValidationException');
    expect((await create({ XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' })).name).toBe('ValidationException');

    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(xks('s')));
    expect((await create({ CustomKeyStoreName: 'other' })).name).toBe('XksProxyUriInUseException');
    expect((await create({})).name).toBe('CustomKeyStoreNameInUseException');
    // VPC endpoint service connectivity: validated, and unique in the Region.
    const vpc = { XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' as const, XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' };
    await client.send(new CreateCustomKeyStoreCommand(xks('vpc', { ...vpc, XksProxyUriEndpoint: 'https://vpc.example.com' })));
    expect((await create({ ...vpc, CustomKeyStoreName: 'vpc2', XksProxyUriEndpoint: 'https://vpc2.example.com' })).name).toBe('XksProxyVpcEndpointServiceInUseException');
    expect((await create({ ...vpc, XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1', CustomKeyStoreName: 'vpc3', XksProxyUriEndpoint: 'https://vpc.example.com', XksProxyUriPath: '/other/kms/xks/v1' })).name).toBe(
      'XksProxyUriEndpointInUseException',
    );
    expect((await create({ ...vpc, XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-2', XksProxyVpcEndpointServiceOwner: '999999999999', CustomKeyStoreName: 'vpc4', XksProxyUriEndpoint: 'https://vpc4.example.com' })).name).toBe(
      'XksProxyVpcEndpointServiceNotFoundException',
    );

    expect(await connect(kms, client, id!)).toBe('CONNECTED');
    const key = (what: Record<string, unknown>) => unchanged(kms, () => client.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, ...what })));
    expect((await key({ XksKeyId: 'nope' })).name).toBe('XksKeyNotFoundException');
    proxy.setKeyEnabled('ext-2', false);
    expect((await key({ XksKeyId: 'ext-2' })).name).toBe('XksKeyInvalidConfigurationException');
    expect((await key({})).name).toBe('ValidationException');
    await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: 'ext-1' }));
    expect((await key({ XksKeyId: 'ext-1' })).name).toBe('XksKeyAlreadyInUseException');
    expect((await key({ Origin: 'AWS_CLOUDHSM', XksKeyId: undefined })).name).toBe('ValidationException');
  });
});

// ------------------------------------------------------------------ a minimal proxy of our own, over HTTP

type Mode = 'ok' | 'slow' | 'malformed' | 'unavailable' | 'bad-integrity';

/** A few lines of XKS proxy: AES-256-GCM keys, the access key id checked (not the signature), and faults on demand. */
function minimalProxy() {
  const keys = new Map([['k1', randomBytes(32)]]);
  const state = { mode: 'ok' as Mode };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        const json = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `mini-${Date.now()}` }).end(json);
      };
      if (!(req.headers.authorization ?? '').includes(`Credential=${CREDENTIAL.AccessKeyId}/`)) return send(401, { errorName: 'AuthenticationFailedException', errorMessage: 'who are you' });
      const answer = () => {
        if (state.mode === 'malformed') return send(200, 'this is not json');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const path = req.url!.replace('/mini/kms/xks/v1', '');
        if (path === '/health') {
          const healthStatus = state.mode === 'unavailable' ? 'UNAVAILABLE' : 'ACTIVE';
          return send(200, { xksProxyFleetSize: 1, xksProxyVendor: 'test', xksProxyModel: 'mini', ekmVendor: 'test', ekmFleetDetails: [{ id: 'e1', model: 'm', healthStatus }] });
        }
        const m = /^\/keys\/([^/]+)\/(metadata|encrypt|decrypt)$/.exec(path);
        const key = m ? keys.get(m[1]!) : undefined;
        if (!m || !key) return send(404, { errorName: 'KeyNotFoundException', errorMessage: 'no such key' });
        const aad = body.additionalAuthenticatedData ? Buffer.from(body.additionalAuthenticatedData, 'base64') : Buffer.alloc(0);
        if (m[2] === 'metadata') return send(200, { keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
        if (m[2] === 'encrypt') {
          const iv = randomBytes(12);
          const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
          const ciphertext = Buffer.concat([c.update(Buffer.from(body.plaintext, 'base64')), c.final()]);
          const tag = c.getAuthTag();
          // The spec's Appendix C: SHA-256 over AAD, metadata (none here), IV, ciphertext and tag.
          const integrity = createHash('sha256').update(Buffer.concat([aad, iv, ciphertext, state.mode === 'bad-integrity' ? Buffer.alloc(16) : tag])).digest();
          return send(200, {
            ciphertext: ciphertext.toString('base64'),
            initializationVector: iv.toString('base64'),
            authenticationTag: tag.toString('base64'),
            ...(body.ciphertextDataIntegrityValueAlgorithm === 'SHA_256' ? { ciphertextDataIntegrityValue: integrity.toString('base64') } : {}),
          });
        }
        try {
          const d = createDecipheriv('aes-256-gcm', key, Buffer.from(body.initializationVector, 'base64')).setAAD(aad).setAuthTag(Buffer.from(body.authenticationTag, 'base64'));
          return send(200, { plaintext: Buffer.concat([d.update(Buffer.from(body.ciphertext, 'base64')), d.final()]).toString('base64') });
        } catch {
          return send(400, { errorName: 'InvalidCiphertextException', errorMessage: 'does not open' });
        }
      };
      if (state.mode === 'slow') setTimeout(answer, 1500);
      else answer();
    });
  });
  return { server, state };
}

describe('external key stores with a proxy of your own on the loopback', () => {
  const mini = minimalProxy();
  let endpoint = '';
  beforeAll(async () => {
    await new Promise<void>((r) => mini.server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(mini.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => mini.server.close(() => r())));

  it('works end to end over HTTP, and each fault maps to AWS\'s exception or connection error code', async () => {
    const { kms, client } = setup({ aws: { xksTimeoutMs: 800 } });
    const input = xks('mine', { XksProxyUriEndpoint: endpoint, XksProxyUriPath: '/mini/kms/xks/v1' });
    expect((await unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand({ ...input, XksProxyAuthenticationCredential: OTHER_CREDENTIAL })))).name).toBe(
      'XksProxyIncorrectAuthenticationCredentialException',
    );
    for (const [mode, name] of [['slow', 'XksProxyUriUnreachableException'], ['malformed', 'XksProxyInvalidResponseException'], ['unavailable', 'XksProxyUriUnreachableException']] as const) {
      mini.state.mode = mode;
      expect((await unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand(input)))).name, mode).toBe(name);
    }
    expect((await unchanged(kms, () => client.send(new CreateCustomKeyStoreCommand({ ...input, XksProxyUriEndpoint: 'http://127.0.0.1:1' })))).name).toBe('XksProxyUriUnreachableException');
    mini.state.mode = 'ok';
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(input));
    expect(await connect(kms, client, id!)).toBe('CONNECTED');
    const key = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: 'k1' }))).KeyMetadata!;
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('mine') }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('mine');

    // A proxy that misbehaves during cryptography: KMSInvalidStateException, whatever the fault.
    for (const mode of ['slow', 'malformed'] as const) {
      mini.state.mode = mode;
      expect((await unchanged(kms, () => client.send(new DecryptCommand({ CiphertextBlob })))).name, mode).toBe('KMSInvalidStateException');
    }
    // A ciphertext data integrity value that does not match the answer is caught on Encrypt.
    mini.state.mode = 'bad-integrity';
    expect((await unchanged(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })))).name).toBe('KMSInvalidStateException');

    // Connecting with a fault ends FAILED with the code; a failed store is disconnected before it reconnects.
    for (const [mode, code] of [['slow', 'XKS_PROXY_TIMED_OUT'], ['malformed', 'XKS_PROXY_INVALID_RESPONSE'], ['unavailable', 'XKS_PROXY_NOT_REACHABLE']] as const) {
      mini.state.mode = 'ok';
      await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
      kms.clock.advance('1s');
      mini.state.mode = mode;
      expect(await connect(kms, client, id!), mode).toBe('FAILED');
      expect((await storeOf(client, id!)).ConnectionErrorCode).toBe(code);
    }
    mini.state.mode = 'ok';
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    kms.clock.advance('1s');
    // An update that changes how the proxy is reached is checked with the proxy first.
    expect((await unchanged(kms, () => client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyAuthenticationCredential: OTHER_CREDENTIAL })))).name).toBe(
      'XksProxyIncorrectAuthenticationCredentialException',
    );
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'mine-2' }));
    expect(await connect(kms, client, id!)).toBe('CONNECTED');
  });
});
