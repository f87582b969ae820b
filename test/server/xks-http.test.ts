/**
 * The built-in XKS proxy on the server's port: the XKS client over real HTTP (fetch) against
 * `kms-emulator serve`'s /xks/kms/xks/v1, the control API's external keys, and the --xks-* flags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xksDecrypt, xksEncrypt, xksHealth, xksKeyMetadata, XksProxyError, type XksProxyTarget } from '../../src/dialects/aws/xks/client.js';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { DEFAULT_XKS_CREDENTIAL } from '../../src/server/xks-protocol.js';
import { raw, runCli, serve } from '../support/server.js';

const MD = { awsPrincipalArn: 'arn:aws:iam::111122223333:user/alice', kmsOperation: 'Encrypt', kmsRequestId: 'b3a1c2d4-0000-4000-8000-000000000001', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k' };
const MATERIAL = new Uint8Array(32).map((_, i) => i);
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

async function failure(call: () => Promise<unknown>): Promise<XksProxyError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(XksProxyError);
    return e as XksProxyError;
  }
  throw new Error('the call did not fail');
}

describe('the server mounts the XKS proxy', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let target: XksProxyTarget;

  beforeAll(async () => {
    server = await serve({ region: 'eu-west-1', xksKeys: [{ id: 'declared', material: MATERIAL }, { id: 'random' }] });
    target = { uriEndpoint: server.url, uriPath: '/xks/kms/xks/v1', credential: { ...DEFAULT_XKS_CREDENTIAL }, region: 'eu-west-1', timeoutMs: 5000 };
  });
  afterAll(() => server.close());

  it('answers health, metadata, encrypt and decrypt over HTTP with the default credential', async () => {
    expect((await xksHealth(target, { ...MD, kmsOperation: 'ConnectCustomKeyStore' })).ekmFleetDetails[0]!.healthStatus).toBe('ACTIVE');
    expect(await xksKeyMetadata(target, 'declared', MD)).toEqual({ keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
    const plaintext = new TextEncoder().encode('a data key of 32 bytes..........');
    const aad = new TextEncoder().encode('context');
    const sealed = await xksEncrypt(target, 'declared', { requestMetadata: MD, plaintext, additionalAuthenticatedData: aad, ciphertextDataIntegrityValueAlgorithm: 'SHA_256' });
    const { ciphertextDataIntegrityValue: _c, ...parts } = sealed;
    expect(await xksDecrypt(target, 'declared', { requestMetadata: { ...MD, kmsOperation: 'Decrypt' }, ...parts, additionalAuthenticatedData: aad })).toEqual(plaintext);
    // The declared material is what encrypted: AES-256-GCM with the spec's length-prefixed AAD opens it.
    const { gcm } = await import('@noble/ciphers/aes.js');
    const gcmAad = new Uint8Array([0, aad.length, ...aad, 0]);
    expect(gcm(MATERIAL, sealed.initializationVector, gcmAad).decrypt(new Uint8Array([...sealed.ciphertext, ...sealed.authenticationTag]))).toEqual(plaintext);
    expect(server.lines.some((l) => l.includes('xks/Encrypt 200'))).toBe(true);
  });

  it('a wrong credential, a wrong region or a wrong path is refused in the spec words', async () => {
    const wrong = await failure(() => xksHealth({ ...target, credential: { accessKeyId: 'ABCDEFGHIJKLMNOPQRST', secretAccessKey: DEFAULT_XKS_CREDENTIAL.secretAccessKey } }, MD));
    expect([wrong.failure, wrong.httpStatus, wrong.errorName]).toEqual(['authentication', 401, 'AuthenticationFailedException']);
    expect((await failure(() => xksHealth({ ...target, region: 'us-east-1' }, MD))).failure).toBe('authentication');
    expect((await failure(() => xksHealth({ ...target, uriPath: '/xks/other/kms/xks/v1' }, MD))).failure).toBe('invalid-uri-path');
    const get = await raw(server.url, { method: 'GET', path: '/xks/kms/xks/v1/health' });
    expect([get.status, get.json().errorName]).toEqual([405, 'ValidationException']);
    const huge = await raw(server.url, { path: '/xks/kms/xks/v1/keys/declared/encrypt', headers: { 'content-type': 'application/json' }, body: new Uint8Array(2 * 1024 * 1024) });
    expect([huge.status, huge.json().errorName]).toEqual([400, 'ValidationException']);
    const unsigned = await raw(server.url, { path: '/xks/kms/xks/v1/keys/declared/encrypt', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{}}' });
    expect([unsigned.status, unsigned.json().errorName]).toEqual([401, 'AuthenticationFailedException']);
  });

  it('the control API creates, lists, disables, enables and deletes external keys', async () => {
    const json = { 'content-type': 'application/json' };
    const made = await raw(server.url, { path: '/_kms/xks/keys', headers: json, body: JSON.stringify({ id: 'made-by-control', material: b64(MATERIAL) }) });
    expect([made.status, made.json()]).toEqual([201, { id: 'made-by-control', keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' }]);
    expect((await raw(server.url, { path: '/_kms/xks/keys', headers: json, body: JSON.stringify({ id: 'made-by-control' }) })).status).toBe(409);
    expect((await raw(server.url, { path: '/_kms/xks/keys', headers: json, body: JSON.stringify({ id: 'bad id' }) })).status).toBe(400);
    expect((await raw(server.url, { path: '/_kms/xks/keys', headers: json, body: JSON.stringify({ id: 'k', material: 'AAAA' }) })).status).toBe(400);
    const list = await raw(server.url, { method: 'GET', path: '/_kms/xks/keys' });
    expect(list.json().uriPath).toBe('/xks/kms/xks/v1');
    expect(list.json().keys.map((k: { id: string }) => k.id)).toEqual(['declared', 'made-by-control', 'random']);
    const sealed = await xksEncrypt(target, 'made-by-control', { requestMetadata: MD, plaintext: new Uint8Array([1, 2, 3]) });
    expect((await raw(server.url, { path: '/_kms/xks/keys/disable', headers: json, body: JSON.stringify({ id: 'made-by-control' }) })).json().keyStatus).toBe('DISABLED');
    expect((await failure(() => xksDecrypt(target, 'made-by-control', { requestMetadata: MD, ...sealed }))).failure).toBe('invalid-state');
    expect((await xksKeyMetadata(target, 'made-by-control', MD)).keyStatus).toBe('DISABLED');
    expect((await raw(server.url, { path: '/_kms/xks/keys/enable', headers: json, body: JSON.stringify({ id: 'made-by-control' }) })).status).toBe(200);
    expect(await xksDecrypt(target, 'made-by-control', { requestMetadata: MD, ...sealed })).toEqual(new Uint8Array([1, 2, 3]));
    expect((await raw(server.url, { path: '/_kms/xks/keys/enable', headers: json, body: JSON.stringify({ id: 'none' }) })).status).toBe(404);
    const deleteBody = JSON.stringify({ id: 'made-by-control' });
    // Node's client sends a DELETE body without a length unless told (curl -X DELETE -d sends one).
    expect((await raw(server.url, { method: 'DELETE', path: '/_kms/xks/keys', headers: { ...json, 'content-length': String(deleteBody.length) }, body: deleteBody })).status).toBe(200);
    expect((await failure(() => xksKeyMetadata(target, 'made-by-control', MD))).failure).toBe('key-not-found');
  });
});

describe('--xks-* flags', () => {
  it('parse keys, credentials and the path, and refuse bad ones', () => {
    const cred = 'ABCDEFGHIJKLMNOPQRSTUV:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const { options } = parseArgs(['serve', '--xks-key', 'one', '--xks-key', `two=${b64(MATERIAL)}`, '--xks-credential', cred, '--xks-path', '/tenant/a']);
    expect(options.xksKeys).toEqual([{ id: 'one' }, { id: 'two', material: MATERIAL }]);
    expect(options.xksCredentials).toEqual([{ accessKeyId: 'ABCDEFGHIJKLMNOPQRSTUV', secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }]);
    expect(options.xksPath).toBe('/tenant/a');
    expect(parseArgs(['serve'], { KMS_EMULATOR_XKS_KEY: 'a,b' }).options.xksKeys).toEqual([{ id: 'a' }, { id: 'b' }]);
    for (const bad of [['--xks-key', 'bad id'], ['--xks-key', 'k=AAAA'], ['--xks-key', 'k', '--xks-key', 'k'], ['--xks-credential', 'short:secret'], ['--xks-path', 'xks'], ['--xks-path', '/_kms'], ['--xks-path', '/v1']]) {
      expect(() => parseArgs(['serve', ...bad])).toThrow(UsageError);
    }
  });

  it('kms-emulator serve serves the proxy with the declared key and credential', async () => {
    const cred = { accessKeyId: 'ABCDEFGHIJKLMNOPQRSTUV', secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
    const cli = runCli(['serve', '--port', '0', '--xks-path', '/ext', '--xks-key', 'cli-key', '--xks-credential', `${cred.accessKeyId}:${cred.secretAccessKey}`]);
    try {
      const line = await cli.waitForLine('stdout', /listening on (http:\/\/\S+)$/, { ms: 30_000 });
      const url = /listening on (http:\/\/\S+)$/.exec(line)![1]!;
      const t: XksProxyTarget = { uriEndpoint: url, uriPath: '/ext/kms/xks/v1', credential: cred, region: 'us-east-1', timeoutMs: 5000 };
      expect((await xksKeyMetadata(t, 'cli-key', MD)).keyStatus).toBe('ENABLED');
      expect((await failure(() => xksHealth({ ...t, credential: { ...DEFAULT_XKS_CREDENTIAL } }, MD))).failure).toBe('authentication');
    } finally {
      cli.proc.kill('SIGTERM');
      await cli.exited;
    }
  });
});
