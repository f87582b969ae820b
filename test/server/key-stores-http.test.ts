/**
 * Custom key stores over HTTP: @aws-sdk/client-kms against `kms-emulator serve`, an external key
 * store whose XKS proxy is the server's own built-in proxy (/xks/kms/xks/v1, reached over the
 * loopback with fetch), and a CloudHSM key store on a declared cluster.
 */
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { DEFAULT_XKS_CREDENTIAL } from '../../src/server/xks-protocol.js';
import { httpClient, serve } from '../support/server.js';
import { TRUST_ANCHOR_A } from '../support/trust-anchors.js';

describe('custom key stores over HTTP', () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve({ clock, xksKeys: [{ id: 'ext-1' }], xksTimeoutMs: 5000, cloudHsmClusters: [{ id: 'cluster-2a23b4cdefg', trustAnchorCertificate: TRUST_ANCHOR_A }] });
  });
  afterAll(() => server.close());

  it('an external key store connects to the emulator\'s own XKS proxy, end to end, with no other software', async () => {
    const client = httpClient(server.url);
    const { CustomKeyStoreId: id } = await client.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'self',
        CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
        XksProxyUriEndpoint: server.url,
        XksProxyUriPath: server.xksProxy.uriPath,
        XksProxyConnectivity: 'PUBLIC_ENDPOINT',
        XksProxyAuthenticationCredential: { AccessKeyId: DEFAULT_XKS_CREDENTIAL.accessKeyId, RawSecretAccessKey: DEFAULT_XKS_CREDENTIAL.secretAccessKey },
      }),
    );
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    clock.advance('5s');
    expect((await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!.ConnectionState).toBe('CONNECTED');
    const key = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: 'ext-1' }))).KeyMetadata!;
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new TextEncoder().encode('round trip') }));
    expect(new TextDecoder().decode((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('round trip');
    await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    // The proxy's calls show in the request log.
    expect(server.lines.some((l) => l.includes('/xks/kms/xks/v1/keys/ext-1/encrypt'))).toBe(true);
    // Without the external key, the ciphertext does not open.
    server.xksProxy.setKeyEnabled('ext-1', false);
    const refused = await client.send(new DecryptCommand({ CiphertextBlob })).catch((e: { name: string }) => e);
    expect((refused as { name: string }).name).toBe('KMSInvalidStateException');
    server.xksProxy.setKeyEnabled('ext-1', true);
  });

  it('a CloudHSM key store on a declared cluster checks its trust anchor', async () => {
    const client = httpClient(server.url);
    const input = { CustomKeyStoreName: 'hsm', CloudHsmClusterId: 'cluster-2a23b4cdefg', TrustAnchorCertificate: TRUST_ANCHOR_A, KeyStorePassword: 'kmsuser-password' };
    const wrong = await client.send(new CreateCustomKeyStoreCommand({ ...input, CloudHsmClusterId: 'cluster-3b34c5defgh' })).catch((e: { name: string; $metadata: { httpStatusCode: number } }) => e);
    expect(wrong).toMatchObject({ name: 'CloudHsmClusterNotFoundException', $metadata: { httpStatusCode: 400 } });
    const { CustomKeyStoreId } = await client.send(new CreateCustomKeyStoreCommand(input));
    expect(CustomKeyStoreId).toMatch(/^cks-/);
  });
});
