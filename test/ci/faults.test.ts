/**
 * Fault injection: the next N calls (or a share of calls) of a provider, operation or key fail with
 * that provider's own error, or answer late; SDK retry logic runs against it; every injected fault
 * is audited as the real error would be.
 */
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, FaultSpecError } from '../../src/index.js';
import { rejection } from '../support/kms.js';
import { httpClient, raw, serve } from '../support/server.js';
import { failure, serveTencent } from '../tencent/support.js';
import { expectError, OWNER, sdkClient, serveHuawei } from '../huawei/support.js';

const control = (url: string, method: string, path: string, body?: unknown) =>
  raw(url, { method, path, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('fault injection', () => {
  it("@aws-sdk/client-kms's standard retry strategy retries ThrottlingException, and gives up after maxAttempts (3 calls in CloudTrail)", async () => {
    const server = await serve();
    try {
      const client = httpClient(server.url, { maxAttempts: 3 });
      const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      // Two throttled calls, then a success: the SDK's retries absorb them.
      const added = await control(server.url, 'POST', '/_kms/faults', { provider: 'aws', operation: 'Encrypt', count: 2, error: 'throttling' });
      expect(added.status).toBe(201);
      expect(added.json().fault).toMatchObject({ id: 'fault-1', provider: 'aws', operation: 'Encrypt', count: 2, remaining: 2, error: 'throttling', injected: 0 });
      const ok = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
      expect(ok.$metadata.attempts).toBe(3);
      let encrypts = server.kms.aws.cloudTrail().filter((r) => r.eventName === 'Encrypt');
      expect(encrypts.map((r) => r.errorCode ?? 'ok')).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
      expect(encrypts[0]).toMatchObject({ errorMessage: 'Rate exceeded', requestParameters: { keyId } });
      expect((await control(server.url, 'GET', '/_kms/faults')).json()).toEqual({ faults: [] });

      // More throttled calls than attempts: three calls, then the SDK gives up with the error.
      await control(server.url, 'POST', '/_kms/faults', { provider: 'aws', operation: 'Encrypt', count: 5, error: 'throttling' });
      const error = await rejection(() => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })));
      expect(error.name).toBe('ThrottlingException');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
      encrypts = server.kms.aws.cloudTrail().filter((r) => r.eventName === 'Encrypt');
      expect(encrypts.slice(3).map((r) => r.errorCode)).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException']);
      expect((await control(server.url, 'GET', '/_kms/faults')).json().faults[0]).toMatchObject({ remaining: 2, injected: 3 });
      expect((await control(server.url, 'DELETE', '/_kms/faults')).json()).toEqual({ removed: 1 });
      await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
      client.destroy();
    } finally {
      await server.close();
    }
  });

  it('each kind in AWS words, in process: internal, dependency timeout, key unavailable; a key, a delay', async () => {
    const kms = createKms();
    const client = new KMSClient({ ...kms.aws.clientConfig(), maxAttempts: 1 });
    const a = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const b = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const expectations: Array<[string, string, number]> = [
      ['internal', 'KMSInternalException', 500],
      ['dependency-timeout', 'DependencyTimeoutException', 500],
      ['key-unavailable', 'KeyUnavailableException', 500],
    ];
    for (const [kind, name, status] of expectations) {
      kms.faults.add({ provider: 'aws', keyId: a, count: 1, error: kind as 'internal' });
      // Another key is not affected.
      await client.send(new EncryptCommand({ KeyId: b, Plaintext: Buffer.from('x') }));
      const e = await rejection(() => client.send(new EncryptCommand({ KeyId: `arn:aws:kms:us-east-1:111122223333:key/${a}`, Plaintext: Buffer.from('x') })));
      expect([e.name, e.$metadata?.httpStatusCode]).toEqual([name, status]);
    }
    // key-unavailable where the model has no KeyUnavailableException: the key's invalid state.
    kms.faults.add({ operation: 'DescribeKey', count: 1, error: 'key-unavailable' });
    expect((await rejection(() => kms.aws.send('DescribeKey', { KeyId: a }))).name).toBe('KMSInvalidStateException');
    // A delay alone: the call answers, late.
    kms.faults.add({ operation: 'ListKeys', count: 1, delayMs: 200 });
    const started = performance.now();
    await kms.aws.send('ListKeys', {});
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(kms.faults.list()).toEqual([]);
  });

  it('a share of calls, drawn from the seeded random source: the same seed fails the same calls', async () => {
    const pattern = async () => {
      const kms = createKms({ seed: 'faults' });
      kms.faults.add({ provider: 'aws', operation: 'GenerateRandom', rate: 0.3, error: 'internal' });
      const out: boolean[] = [];
      for (let i = 0; i < 60; i++) out.push(await kms.aws.send('GenerateRandom', { NumberOfBytes: 8 }).then(() => true, () => false));
      return out;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    const failed = first.filter((ok) => !ok).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
  });

  it('tencentcloud-sdk-nodejs sees RequestLimitExceeded, InternalError; CloudAudit records them', async () => {
    const server = await serveTencent();
    try {
      const client = server.kmsClient();
      server.kms.faults.add({ provider: 'tencent', operation: 'CreateKey', count: 1, error: 'throttling' });
      server.kms.faults.add({ provider: 'tencent', operation: 'ListKeys', count: 1, error: 'internal' });
      const throttled = await failure(client.CreateKey({ Alias: 'throttled' }));
      expect(throttled.code).toBe('RequestLimitExceeded');
      expect((await failure(client.ListKeys({}))).code).toBe('InternalError');
      // The faults are used up: the calls go through now.
      await client.CreateKey({ Alias: 'throttled' });
      const events = server.kms.tencent.auditEvents().map((e) => JSON.stringify(e));
      expect(events.some((e) => e.includes('RequestLimitExceeded'))).toBe(true);
      expect(events.some((e) => e.includes('InternalError'))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('the Huawei SDK sees APIGW.0308 (429), KMS.0103 (500), KMS.0104 (503); CTS traces record them', async () => {
    const server = await serveHuawei();
    try {
      const client = sdkClient(server.url, OWNER);
      server.kms.faults.add({ provider: 'huawei', operation: 'create-key', count: 1, error: 'throttling' });
      expectError(await client.kms('create-key', { key_alias: 'a' }), 429, 'APIGW.0308');
      server.kms.faults.add({ provider: 'huawei', count: 1, error: 'internal' });
      expectError(await client.kms('create-key', { key_alias: 'a' }), 500, 'KMS.0103');
      server.kms.faults.add({ provider: 'huawei', count: 1, error: 'dependency-timeout' });
      expectError(await client.kms('create-key', { key_alias: 'a' }), 503, 'KMS.0104');
      expect((await client.kms('create-key', { key_alias: 'a' })).status).toBe(200);
      const traces = server.kms.huawei.traces().filter((t) => t.trace_name === 'createKey');
      expect(traces.map((t) => t.code)).toEqual(['429', '500', '503', '200']);
    } finally {
      await server.close();
    }
  });

  it('a bad fault spec is refused with a clear error and adds nothing', async () => {
    const kms = createKms();
    const bad: unknown[] = [
      {},
      { provider: 'gcp', error: 'internal' },
      { error: 'meltdown' },
      { error: 'internal', count: 0 },
      { error: 'internal', rate: 1.5 },
      { error: 'internal', count: 1, rate: 0.5 },
      { error: 'internal', colour: 'red' },
      { delayMs: -1 },
    ];
    for (const spec of bad) expect(() => kms.faults.add(spec as never), JSON.stringify(spec)).toThrow(FaultSpecError);
    expect(() => kms.faults.add({} as never)).toThrow('Invalid fault: error: a fault needs an "error" or a "delayMs"');
    expect(kms.faults.list()).toEqual([]);

    const server = await serve();
    try {
      for (const body of [...bad, 'text', [1]]) {
        const r = await control(server.url, 'POST', '/_kms/faults', body);
        expect([r.status, r.json().error.code], JSON.stringify(body)).toEqual([400, 'InvalidFault']);
      }
      expect((await control(server.url, 'GET', '/_kms/faults')).json()).toEqual({ faults: [] });
      const missing = await control(server.url, 'DELETE', '/_kms/faults?id=fault-9');
      expect([missing.status, missing.json().error.code]).toEqual([404, 'NoSuchFault']);
      // One fault removed by id; a reset clears the others.
      await control(server.url, 'POST', '/_kms/faults', { error: 'internal' });
      await control(server.url, 'POST', '/_kms/faults', { error: 'throttling' });
      const ids = (await control(server.url, 'GET', '/_kms/faults')).json().faults.map((f: { id: string }) => f.id);
      expect((await control(server.url, 'DELETE', `/_kms/faults?id=${ids[0]}`)).json()).toEqual({ removed: 1 });
      await control(server.url, 'POST', '/_kms/reset');
      expect((await control(server.url, 'GET', '/_kms/faults')).json()).toEqual({ faults: [] });
    } finally {
      await server.close();
    }
  });
});
