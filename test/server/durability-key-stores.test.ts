/**
 * kill -9 with custom key stores: the CLI (--data-dir, a manual clock, a declared CloudHSM cluster)
 * is killed with SIGKILL while one store is connected and holds a key and another is still
 * connecting; restarted on the same directory, the stores come back as they were acknowledged, the
 * connecting one settles when the clock reaches its time, and a disconnected store's key stays
 * Unavailable across a second kill.
 */
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, httpClient, startCli } from '../support/server.js';
import { TRUST_ANCHOR_A } from '../support/trust-anchors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function kill(server: CliProcess): Promise<void> {
  server.proc.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
}

async function advance(url: string, by: string): Promise<void> {
  const res = await fetch(`${url}/_kms/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by }) });
  expect(res.status).toBe(200);
}

async function connectionState(client: KMSClient, id: string) {
  return (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!.ConnectionState;
}

describe('custom key stores under kill -9', () => {
  it('keep their connection states, settle after a restart, and their keys stay usable or Unavailable as acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-ks-kill-'));
    dirs.push(dir);
    const anchor = join(dir, 'customerCA.crt');
    writeFileSync(anchor, TRUST_ANCHOR_A);
    const args = ['--data-dir', join(dir, 'data'), '--clock', 'manual:2026-01-01T00:00:00Z', '--cloudhsm-cluster', `cluster-2a23b4cdefg=${anchor},cluster-3b34c5defgh`];
    let server = await startCli(args);
    let client = httpClient(server.url);
    const create = (name: string, cluster: string) =>
      client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: name, CloudHsmClusterId: cluster, TrustAnchorCertificate: TRUST_ANCHOR_A, KeyStorePassword: 'kmsuser-password' }));
    const { CustomKeyStoreId: a } = await create('a', 'cluster-2a23b4cdefg');
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: a }));
    await advance(server.url, '5s');
    const key = (await client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: a }))).KeyMetadata!;
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new TextEncoder().encode('kept') }));
    const { CustomKeyStoreId: b } = await create('b', 'cluster-3b34c5defgh');
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: b }));

    await kill(server);
    server = await startCli(args);
    client = httpClient(server.url);
    expect(await connectionState(client, a!)).toBe('CONNECTED');
    expect(await connectionState(client, b!)).toBe('CONNECTING');
    expect(new TextDecoder().decode((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('kept');
    await advance(server.url, '1m');
    expect(await connectionState(client, b!)).toBe('CONNECTED');

    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: a }));
    await kill(server);
    server = await startCli(args);
    client = httpClient(server.url);
    await advance(server.url, '2m');
    expect(await connectionState(client, a!)).toBe('DISCONNECTED');
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Unavailable');
    const refused = await client.send(new DecryptCommand({ CiphertextBlob })).catch((e: { name: string }) => e);
    expect((refused as { name: string }).name).toBe('KMSInvalidStateException');
    await kill(server);
  }, 120_000);
});
