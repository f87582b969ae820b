/**
 * SDK-HMAC-SHA256 binds the body that arrived, as API Gateway does: requests signed by the real
 * `@huaweicloud/huaweicloud-sdk-core` signer (AKSKSigner), sent over HTTP, then tampered with, and
 * ordinary HcClient requests.
 * `X-Sdk-Content-Sha256` counts only when it is signed: `UNSIGNED-PAYLOAD` (what the SDK sends for
 * non-JSON bodies) leaves the body unbound, a signed hex hash must be the body's own, an unsigned one is
 * ignored.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, sdkClient, serveHuawei, type HuaweiServer } from './support.js';

let server: HuaweiServer;
const credential = new BasicCredentials().withAk(OWNER.ak).withSk(OWNER.sk).withProjectId(OWNER.projectId);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  server = await serveHuawei();
});
afterAll(async () => {
  await server.close();
});

/** The headers the real signer gives `POST /v1.0/{project}/kms/<verb>` with `data` and `extra` headers. */
function sign(verb: string, data: Record<string, unknown>, extra: Record<string, string> = {}) {
  const path = `/v1.0/${OWNER.projectId}/kms/${verb}`;
  const headers = AKSKSigner.sign(
    { method: 'POST', endpoint: `${server.url}${path}`, headers: { 'content-type': 'application/json', ...extra }, queryParams: {}, data } as any,
    credential,
  ) as Record<string, string>;
  return { path, headers };
}

/** Sends `body` with exactly `headers` (node:http, so that Host is the one signed). */
function send(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const keyCount = () => server.kms.huawei.traces().filter((t) => t.trace_name === 'createKey').length;

describe('SDK-HMAC-SHA256 binds the request body', () => {
  it('a signed request whose body is replaced, with an added X-Sdk-Content-Sha256 of the original body, is refused (401 APIG.0301) and changes nothing', async () => {
    const original = { key_alias: 'binding-original' };
    const { path, headers } = sign('create-key', original);
    const before = keyCount();
    const tampered = JSON.stringify({ key_alias: 'binding-tampered' });
    const r = await send(path, { ...headers, 'X-Sdk-Content-Sha256': sha256(JSON.stringify(original)) }, tampered);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error_code: 'APIG.0301', error_msg: expect.stringMatching(/^Incorrect IAM authentication information/) });
    // Without the added header the replaced body fails too.
    expect((await send(path, headers, tampered)).status).toBe(401);
    expect(keyCount()).toBe(before);
    // The untouched request goes through.
    const ok = await send(path, headers, JSON.stringify(original));
    expect(ok.status).toBe(200);
    expect(ok.body.key_info.key_id).toBeTruthy();
    expect(keyCount()).toBe(before + 1);
  });

  it('an unsigned X-Sdk-Content-Sha256 is ignored: the hash of the body that arrived is used', async () => {
    const data = { limit: '5' };
    const { path, headers } = sign('list-keys', data);
    const body = JSON.stringify(data);
    // A wrong unsigned hash does not spoil a good request ...
    const r = await send(path, { ...headers, 'X-Sdk-Content-Sha256': sha256('something else') }, body);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.keys)).toBe(true);
    // ... and an unsigned UNSIGNED-PAYLOAD does not unbind it.
    const swapped = await send(path, { ...headers, 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, JSON.stringify({ limit: '6' }));
    expect(swapped.status).toBe(401);
  });

  it('a signed X-Sdk-Content-Sha256 of UNSIGNED-PAYLOAD is accepted, as the SDK signs non-JSON bodies', async () => {
    const data = { limit: '3' };
    const { path, headers } = sign('list-keys', data, { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' });
    expect(headers.Authorization).toMatch(/SignedHeaders=[^,]*x-sdk-content-sha256/);
    const r = await send(path, headers, JSON.stringify(data));
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.keys)).toBe(true);
  });

  it('a signed hex X-Sdk-Content-Sha256 must be the hash of the body that arrived', async () => {
    const data = { limit: '4' };
    const body = JSON.stringify(data);
    const good = sign('list-keys', data, { 'X-Sdk-Content-Sha256': sha256(body) });
    expect((await send(good.path, good.headers, body)).status).toBe(200);
    const before = keyCount();
    const lying = sign('create-key', { key_alias: 'binding-signed-hash' }, { 'X-Sdk-Content-Sha256': sha256(JSON.stringify({ key_alias: 'binding-signed-hash' })) });
    const r = await send(lying.path, lying.headers, JSON.stringify({ key_alias: 'binding-other' }));
    expect(r.status).toBe(401);
    expect(r.body.error_code).toBe('APIG.0301');
    expect(keyCount()).toBe(before);
  });

  it('ordinary SDK requests (HcClient sends application/json, signed over the body\'s SHA-256) are still accepted', async () => {
    const owner = sdkClient(server.url, OWNER);
    const created = await owner.kms('create-key', { key_alias: 'binding-sdk' });
    expect(created.status).toBe(200);
    const described = await owner.kms('describe-key', { key_id: created.body.key_info.key_id });
    expect(described.status).toBe(200);
    const plain = sign('describe-key', { key_id: created.body.key_info.key_id });
    expect(plain.headers.Authorization).not.toMatch(/x-sdk-content-sha256/);
    const r = await send(plain.path, plain.headers, JSON.stringify({ key_id: created.body.key_info.key_id }));
    expect(r.status).toBe(200);
    expect(r.body.key_info.key_alias).toBe('binding-sdk');
  });
});
