/**
 * Hostile input, each with the request that showed it: deep members that made a data directory
 * unopenable, an audit trail bounded only by count, `__proto__` keys that vanished, a change
 * answered as a failure, and in-process calls that threw non-provider exceptions.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createKms } from '../../src/index.js';
import { AuditLog } from '../../src/engine/audit.js';
import { awsCall, raw, serve, startCli, type CliProcess } from '../support/server.js';
import { DurableStore } from '../../src/server/store.js';

const PROJECT = '3f2e1d0c9b8a79685746352413021f0e';
const dirs: string[] = [];
const children: CliProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kms-hostile-'));
  dirs.push(dir);
  return dir;
}

/** `{"a":{"a":…}}`, `levels` objects deep, as text (no recursion on either side). */
function nested(levels: number): string {
  return '{"a":'.repeat(levels) + '{}' + '}'.repeat(levels);
}

function huawei(url: string, verb: string, body: string | object, agent?: Agent) {
  return raw(url, {
    path: `/v1.0/${PROJECT}/kms/${verb}`,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(agent ? { agent } : {}),
  });
}

function tencent(url: string, action: string, body: string | object) {
  return raw(url, {
    headers: { 'content-type': 'application/json', 'x-tc-action': action, 'x-tc-version': '2019-01-18', 'x-tc-region': 'ap-guangzhou' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function killAndRestart(cli: CliProcess & { url: string }, dir: string): Promise<CliProcess & { url: string }> {
  cli.proc.kill('SIGKILL');
  await cli.exited;
  const next = await startCli(['--data-dir', dir]);
  children.push(next);
  return next;
}

describe('hostile input over HTTP', () => {
  it('a deeply nested member is answered, audited as a placeholder, and the data directory still opens after kill -9', async () => {
    const dir = tempDir();
    let cli = await startCli(['--data-dir', dir]);
    children.push(cli);
    const member = nested(66);
    const created = await huawei(cli.url, 'create-key', `{"key_alias":"x","x":${member}}`);
    expect(created.status).toBe(200);
    const keyId = created.json().key_info.key_id as string;
    // Tencent refuses the unknown member (and audits the refusal) with the same member.
    const refused = await tencent(cli.url, 'CreateKey', `{"Alias":"t","x":${member}}`);
    expect(refused.json().Response.Error.Code).toBe('UnknownParameter');

    cli = await killAndRestart(cli, dir);
    const described = await huawei(cli.url, 'describe-key', { key_id: keyId });
    expect(described.status).toBe(200);
    expect(described.json().key_info.key_alias).toBe('x');
    const traces = await raw(cli.url, { method: 'GET', path: `/v3/${PROJECT}/traces?trace_name=createKey` });
    const trace = traces.json().traces.find((t: { resource_id: string }) => t.resource_id === keyId);
    expect(JSON.parse(trace.request).x).toMatch(/^\[omitted: unknown member, \d+ bytes\]$/);
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('750 list-keys with a 900 KB unknown member keep the audit trail and the snapshot small, and the server starts again', async () => {
    const dir = tempDir();
    let server = await serve({ dataDir: dir });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const body = JSON.stringify({ x: 'y'.repeat(900_000) });
    for (let i = 0; i < 750; i += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => huawei(server.url, 'list-keys', body, agent)));
      for (const a of answers) expect(a.status).toBe(200);
    }
    agent.destroy();
    const listed = (kms: typeof server.kms) => kms.engine.audit.list((e) => e.action === 'list-keys');
    expect(listed(server.kms)).toHaveLength(750);
    expect((listed(server.kms)[0]!.request as Record<string, string>).x).toBe('[omitted: unknown member, 900002 bytes]');
    expect(server.kms.engine.audit.bytes).toBeLessThan(2 * 1024 * 1024);
    await server.close();
    expect(statSync(join(dir, 'snapshot.json')).size).toBeLessThan(2 * 1024 * 1024);
    server = await serve({ dataDir: dir });
    expect(listed(server.kms)).toHaveLength(750);
    await server.close();
  });

  it('__proto__ in an AWS encryption context is an ordinary key: the ciphertext needs exactly it', async () => {
    const server = await serve();
    try {
      const keyId = (await awsCall(server.url, 'CreateKey', {})).json().KeyMetadata.KeyId;
      const encrypted = await awsCall(server.url, 'Encrypt', `{"KeyId":"${keyId}","Plaintext":"aGk=","EncryptionContext":{"__proto__":"v1"}}`);
      expect(encrypted.status).toBe(200);
      const blob = encrypted.json().CiphertextBlob as string;
      const none = await awsCall(server.url, 'Decrypt', { CiphertextBlob: blob });
      expect(none.json().__type).toBe('InvalidCiphertextException');
      const other = await awsCall(server.url, 'Decrypt', `{"CiphertextBlob":"${blob}","EncryptionContext":{"__proto__":"v2"}}`);
      expect(other.json().__type).toBe('InvalidCiphertextException');
      const same = await awsCall(server.url, 'Decrypt', `{"CiphertextBlob":"${blob}","EncryptionContext":{"__proto__":"v1"}}`);
      expect(same.json().Plaintext).toBe('aGk=');
      const record = server.kms.aws.cloudTrail((r) => r.eventName === 'Encrypt').at(-1)!;
      expect(Object.hasOwn((record.requestParameters as Record<string, object>).encryptionContext!, '__proto__')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('__proto__ in a Huawei encryption context is an ordinary key (encrypt-data, decrypt-data)', async () => {
    const server = await serve();
    try {
      const keyId = (await huawei(server.url, 'create-key', { key_alias: 'p' })).json().key_info.key_id;
      const encrypted = await huawei(server.url, 'encrypt-data', `{"key_id":"${keyId}","plain_text":"hi","encryption_context":{"__proto__":"v1"}}`);
      expect(encrypted.status).toBe(200);
      const cipher = encrypted.json().cipher_text as string;
      const none = await huawei(server.url, 'decrypt-data', { cipher_text: cipher });
      expect(none.json().error.error_code).toBe('KMS.2201');
      const other = await huawei(server.url, 'decrypt-data', `{"cipher_text":"${cipher}","encryption_context":{"__proto__":"v2"}}`);
      expect(other.json().error.error_code).toBe('KMS.2201');
      const same = await huawei(server.url, 'decrypt-data', `{"cipher_text":"${cipher}","encryption_context":{"__proto__":"v1"}}`);
      expect(same.json().plain_text).toBe('hi');
    } finally {
      await server.close();
    }
  });

  it('a Huawei schedule-key-deletion with a member nested 20,000 deep is refused (KMS.0202) and changes nothing', async () => {
    const server = await serve();
    try {
      const keyId = (await huawei(server.url, 'create-key', { key_alias: 'd' })).json().key_info.key_id;
      const answer = await huawei(server.url, 'schedule-key-deletion', `{"key_id":"${keyId}","pending_days":"7","x":${nested(20_000)}}`);
      expect(answer.status).toBe(400);
      expect(answer.json().error.error_code).toBe('KMS.0202');
      expect((await huawei(server.url, 'describe-key', { key_id: keyId })).json().key_info.key_state).toBe('2');
    } finally {
      await server.close();
    }
  });
});

describe('__proto__ in a grant constraint', () => {
  it('CreateGrant keeps EncryptionContextSubset {"__proto__":"tenant-a"}: other contexts are refused, before and after a snapshot round trip', async () => {
    const kms = createKms({ seed: 'proto-grant' });
    const grantee = { account: '444455556666' };
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    await kms.aws.send('CreateGrant', {
      KeyId: KeyMetadata.KeyId,
      GranteePrincipal: '444455556666',
      Operations: ['Encrypt', 'GenerateDataKey'],
      Constraints: { EncryptionContextSubset: JSON.parse('{"__proto__":"tenant-a"}') },
    });
    const grants = await kms.aws.send('ListGrants', { KeyId: KeyMetadata.KeyId });
    expect(Object.keys(grants.Grants[0].Constraints.EncryptionContextSubset)).toEqual(['__proto__']);
    for (const emulator of [kms, (() => {
      const copy = createKms();
      copy.restore(JSON.parse(JSON.stringify(kms.snapshot())));
      return copy;
    })()]) {
      const allowed = await emulator.aws.invoke('Encrypt', { KeyId: KeyMetadata.Arn, Plaintext: 'aGk=', EncryptionContext: JSON.parse('{"__proto__":"tenant-a"}') }, grantee);
      expect(allowed.ok).toBe(true);
      for (const context of [{}, JSON.parse('{"__proto__":"tenant-b"}'), { other: 'tenant-a' }]) {
        const refused = await emulator.aws.invoke('Encrypt', { KeyId: KeyMetadata.Arn, Plaintext: 'aGk=', EncryptionContext: context }, grantee);
        expect(refused.ok ? 'ok' : refused.error.name).not.toBe('ok');
      }
    }
  });
});

describe('the in-process API answers provider errors (or a documented TypeError) and nothing poisons later calls', () => {
  const deep = () => {
    const root: Record<string, unknown> = {};
    let at = root;
    for (let i = 0; i < 20_000; i++) at = at.a = {};
    return root;
  };
  const cyclic = () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  };

  it('deep and cyclic inputs: AWS SerializationException, Tencent InvalidParameter, Huawei KMS.0202', async () => {
    const kms = createKms();
    for (const input of [deep(), cyclic(), { x: deep() }, { x: [cyclic()] }]) {
      const aws = await kms.aws.invoke('CreateKey', input);
      expect(aws.ok ? 'ok' : aws.error.name).toBe('SerializationException');
      const tencent = await kms.tencent.invoke('CreateKey', { Alias: 'a', ...input });
      expect(tencent.ok ? 'ok' : tencent.error.code).toBe('InvalidParameter');
      await expect(kms.tencent.call('CreateKey', { Alias: 'a', ...input })).rejects.toMatchObject({ code: 'InvalidParameter' });
      await expect(kms.huawei.call('create-key', { key_alias: 'a', ...input })).rejects.toMatchObject({ code: 'KMS.0202' });
    }
    expect((await kms.aws.send('ListKeys', {})).Keys).toEqual([]);
    expect(kms.aws.internalErrors.recent()).toEqual([]);
    expect(kms.tencent.internalErrors.recent()).toEqual([]);
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });

  it('a null meta means the defaults; a meta of the wrong shape is a TypeError before anything changes', async () => {
    const kms = createKms();
    expect((await kms.aws.invoke('CreateKey', {}, null)).ok).toBe(true);
    expect((await kms.tencent.invoke('CreateKey', { Alias: 'n' }, null)).ok).toBe(true);
    expect((await kms.huawei.invoke('create-key', { key_alias: 'n' }, null)).ok).toBe(true);
    await expect(kms.aws.invoke('CreateKey', {}, 'x' as never)).rejects.toThrow(TypeError);
    await expect(kms.huawei.invoke('create-key', {}, { domainId: 5 } as never)).rejects.toThrow(TypeError);
    await expect(kms.tencent.invoke('CreateKey', { Alias: 'm' }, { principal: {} } as never)).rejects.toThrow(TypeError);
    expect(kms.engine.audit.size).toBe(3);
  });

  it('tencent.handle given a non-object, no headers or a 5 MB string as headers: a TypeError at once', async () => {
    const kms = createKms();
    await expect(kms.tencent.handle(5 as never)).rejects.toThrow(TypeError);
    await expect(kms.tencent.handle({} as never)).rejects.toThrow(TypeError);
    const started = performance.now();
    await expect(kms.tencent.handle({ headers: 'x'.repeat(5e6) } as never)).rejects.toThrow(TypeError);
    // Not a timing assertion: a TypeError at all means the string was never walked character by character.
    void started;
    await expect(kms.aws.handle({ headers: null } as never)).rejects.toThrow(TypeError);
    await expect(kms.huawei.handle('POST', `/v1.0/${PROJECT}/kms/list-keys`, '', 'x' as never, undefined)).rejects.toThrow(TypeError);
    expect(kms.engine.audit.size).toBe(0);
  });

  it('a BigInt member is refused (KMS.0202), and snapshots and traces still serialize afterwards', async () => {
    const kms = createKms();
    await expect(kms.huawei.call('create-key', { key_alias: 'b', sequence: 10n } as never)).rejects.toMatchObject({ code: 'KMS.0202' });
    await expect(kms.aws.send('CreateKey', { Description: 10n } as never)).rejects.toMatchObject({ name: 'SerializationException' });
    await expect(kms.tencent.call('CreateKey', { Alias: 'b', Description: 10n } as never)).rejects.toMatchObject({ code: 'InvalidParameter' });
    expect(() => JSON.stringify(kms.snapshot())).not.toThrow();
    expect(() => JSON.stringify(kms.huawei.traces())).not.toThrow();
    expect(() => JSON.stringify(kms.aws.cloudTrail())).not.toThrow();
    expect((await kms.huawei.call('create-key', { key_alias: 'after' })).key_info.key_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('functions, symbols, class instances and getters that throw are refused as the provider refuses a bad value', async () => {
    const kms = createKms();
    const throwing = Object.defineProperty({}, 'Description', { enumerable: true, get: () => { throw new Error('boom'); } });
    for (const input of [{ Description: () => 1 }, { Description: Symbol('s') }, { Tags: [new Date()] }, throwing, { Description: Number.NaN }]) {
      const outcome = await kms.aws.invoke('CreateKey', input);
      expect(outcome.ok ? 'ok' : outcome.error.name).toBe('SerializationException');
    }
    expect(kms.aws.internalErrors.recent()).toEqual([]);
  });
});

describe('the audit trail is bounded in bytes as well as in count', () => {
  it('old events are dropped once the byte budget is reached; the newest always stays', async () => {
    const kms = createKms({ auditBytes: 256 * 1024 });
    for (let i = 0; i < 200; i++) await kms.aws.send('CreateKey', { Description: 'd'.repeat(8000) });
    expect(kms.engine.audit.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(kms.engine.audit.size).toBeLessThan(200);
    expect(kms.aws.cloudTrail().at(-1)!.eventName).toBe('CreateKey');
    const log = new AuditLog(10, 100);
    log.append({ eventId: 'e', time: 0, kind: 'api_call', action: 'a', realm: { account: '1', region: 'r' }, readOnly: true, resources: [], request: 'x'.repeat(1000), response: null });
    expect(log.size).toBe(1);
  });

  it('an oversized value becomes a placeholder with its size', async () => {
    const kms = createKms();
    await kms.huawei.invoke('list-keys', { limit: '10', x: 'y'.repeat(100_000) });
    await kms.aws.invoke('CreateKey', { Description: 'd'.repeat(40_000) });
    const [huawei, aws] = kms.engine.audit.list().map((e) => e.request as Record<string, string>);
    expect(huawei!.x).toBe('[omitted: unknown member, 100002 bytes]');
    expect(huawei!.limit).toBe('10');
    expect(aws!.description).toBe('[omitted: oversized value, 40002 bytes]');
  });
});

describe('snapshot and journal reading in pieces', () => {
  it('a data directory opens with a tiny piece size, exactly as it was written', async () => {
    const dir = tempDir();
    const server = await serve({ dataDir: dir });
    for (let i = 0; i < 20; i++) await awsCall(server.url, 'CreateKey', `{"Description":"k${i}","Tags":[{"TagKey":"__proto__","TagValue":"v"}]}`);
    await awsCall(server.url, 'CreateAlias', { AliasName: 'alias/one', TargetKeyId: (await awsCall(server.url, 'ListKeys', {})).json().Keys[0].KeyId });
    const before = JSON.stringify(server.kms.snapshot());
    await server.close();
    const kms = createKms();
    const store = await DurableStore.open(dir, kms.engine, { jsonPieceBytes: 64 });
    try {
      const after = kms.snapshot();
      expect(JSON.stringify({ ...after, takenAt: 0 })).toBe(JSON.stringify({ ...JSON.parse(before), takenAt: 0 }));
    } finally {
      await store.close();
    }
  });
});
