/**
 * The control API under /_kms/: health, reset (to empty or to the init file), snapshots, the manual
 * clock; admin credentials off loopback or with --credentials; bad requests change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DescribeKeyCommand, ListKeysCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { parseArgs } from '../../src/server/args.js';
import { rejection } from '../support/kms.js';
import { httpClient, raw, serve, startCli } from '../support/server.js';

const KEY_ID = '0b7ec4b4-1f2e-4c3d-9a8b-7c6d5e4f3a2b';
const INIT = { keys: [{ id: KEY_ID, material: Buffer.alloc(32, 1).toString('base64'), aliases: ['alias/orders'] }] };
const dir = mkdtempSync(join(tmpdir(), 'kms-control-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const control = (url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  raw(url, { method, path, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

async function keyIds(url: string): Promise<string[]> {
  const client = httpClient(url);
  const { Keys } = await client.send(new ListKeysCommand({}));
  client.destroy();
  return Keys!.map((k) => k.KeyId!).sort();
}

describe('the control API', () => {
  it('GET /_kms/health; POST /_kms/reset to the init file (the default) or to empty', async () => {
    const server = await serve({ init: INIT, clock: new ManualClock('2026-01-01T00:00:00Z') });
    try {
      const health = await control(server.url, 'GET', '/_kms/health');
      expect(health.status).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', clock: 'manual', now: '2026-01-01T00:00:00.000Z', init: true, protocols: ['aws', 'tencent', 'huawei'] });
      const client = httpClient(server.url);
      await client.send(new CreateKeyCommand({}));
      expect(await keyIds(server.url)).toHaveLength(2);
      expect((await control(server.url, 'POST', '/_kms/reset')).json()).toEqual({ status: 'reset', to: 'init' });
      expect(await keyIds(server.url)).toEqual([KEY_ID]);
      // The audit trail is the init state's too: only the ListKeys made since.
      expect(server.kms.aws.cloudTrail().map((e) => e.eventName)).toEqual(['ListKeys']);
      expect((await control(server.url, 'POST', '/_kms/reset', { to: 'empty' })).json()).toEqual({ status: 'reset', to: 'empty' });
      expect(await keyIds(server.url)).toEqual([]);
      await control(server.url, 'POST', '/_kms/reset', { to: 'init' });
      expect(await keyIds(server.url)).toEqual([KEY_ID]);
      client.destroy();
      expect(server.lines.some((l) => / POST \/_kms\/reset control\/reset 200 /.test(l))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('GET and PUT /_kms/snapshot', async () => {
    const server = await serve();
    try {
      const client = httpClient(server.url);
      const first = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const snapshot = await control(server.url, 'GET', '/_kms/snapshot');
      expect(snapshot.json()).toMatchObject({ format: 'kms-emulator/snapshot' });
      await client.send(new CreateKeyCommand({}));
      expect(await keyIds(server.url)).toHaveLength(2);
      expect((await control(server.url, 'PUT', '/_kms/snapshot', snapshot.text)).json()).toEqual({ status: 'restored' });
      expect(await keyIds(server.url)).toEqual([first]);
      client.destroy();
    } finally {
      await server.close();
    }
  });

  it('POST /_kms/clock/advance moves a manual clock: a key pending deletion goes after its window', async () => {
    const server = await serve({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    try {
      const client = httpClient(server.url);
      const id = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
      expect((await control(server.url, 'POST', '/_kms/clock/advance', { by: '6d' })).json()).toEqual({ now: '2026-01-07T00:00:00.000Z' });
      expect((await client.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
      expect((await control(server.url, 'POST', '/_kms/clock/advance', { to: '2026-01-09T00:00:00Z' })).json()).toEqual({ now: '2026-01-09T00:00:00.000Z' });
      expect((await rejection(() => client.send(new DescribeKeyCommand({ KeyId: id })))).name).toBe('NotFoundException');
      expect((await control(server.url, 'GET', '/_kms/clock')).json()).toEqual({ mode: 'manual', now: '2026-01-09T00:00:00.000Z' });
      client.destroy();
    } finally {
      await server.close();
    }
  });

  it('bad control requests get a JSON error (400, 404, 405) and change nothing', async () => {
    const server = await serve({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    const system = await serve();
    try {
      await httpClient(server.url).send(new CreateKeyCommand({}));
      const before = JSON.stringify({ ...server.kms.snapshot(), takenAt: 0 });
      const cases: Array<[string, string, unknown, number, string]> = [
        ['GET', '/_kms/nope', undefined, 404, 'NotFound'],
        ['GET', '/_kms/', undefined, 404, 'NotFound'],
        ['DELETE', '/_kms/reset', undefined, 405, 'MethodNotAllowed'],
        ['POST', '/_kms/snapshot', undefined, 405, 'MethodNotAllowed'],
        ['POST', '/_kms/reset', '{not json', 400, 'InvalidJson'],
        ['POST', '/_kms/reset', { to: 'yesterday' }, 400, 'InvalidRequest'],
        ['POST', '/_kms/reset', { too: 'empty' }, 400, 'InvalidRequest'],
        ['POST', '/_kms/reset', { to: 'init' }, 400, 'NoInitFile'],
        ['POST', '/_kms/reset', [], 400, 'InvalidRequest'],
        ['PUT', '/_kms/snapshot', { format: 'something else' }, 400, 'InvalidSnapshot'],
        ['PUT', '/_kms/snapshot', undefined, 400, 'InvalidSnapshot'],
        ['POST', '/_kms/clock/advance', { by: 'a week' }, 400, 'InvalidRequest'],
        ['POST', '/_kms/clock/advance', { by: '1d', to: '2027-01-01T00:00:00Z' }, 400, 'InvalidRequest'],
        ['POST', '/_kms/clock/advance', {}, 400, 'InvalidRequest'],
        ['POST', '/_kms/clock/advance', { to: '2025-01-01T00:00:00Z' }, 400, 'InvalidRequest'],
      ];
      for (const [method, path, body, status, code] of cases) {
        const response = await control(server.url, method, path, body);
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.json().error.code, `${method} ${path}`).toBe(code);
        expect(typeof response.json().error.message).toBe('string');
        if (status === 405) expect(response.headers.allow).toBeDefined();
      }
      expect(JSON.stringify({ ...server.kms.snapshot(), takenAt: 0 })).toBe(before);
      expect(server.kms.clock.now()).toBe(Date.parse('2026-01-01T00:00:00Z'));
      const notManual = await control(system.url, 'POST', '/_kms/clock/advance', { by: '1d' });
      expect([notManual.status, notManual.json().error.code]).toEqual([400, 'ClockNotManual']);
    } finally {
      await server.close();
      await system.close();
    }
  });

  it('with --credentials, or off loopback, the control API needs an admin credential (HTTP Basic)', async () => {
    const credentials = {
      version: 1 as const,
      credentials: [
        { provider: 'aws' as const, accessKeyId: 'AKIAADMIN00000000001', secretAccessKey: 'admin-secret', admin: true },
        { provider: 'aws' as const, accessKeyId: 'AKIAUSER000000000001', secretAccessKey: 'user-secret' },
      ],
    };
    const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
    const server = await serve({ credentials });
    const open = await serve({ host: '0.0.0.0' });
    try {
      const none = await control(server.url, 'GET', '/_kms/health');
      expect([none.status, none.json().error.code, none.headers['www-authenticate']]).toEqual([401, 'AdminCredentialRequired', 'Basic realm="kms-emulator control API"']);
      const wrong = await control(server.url, 'POST', '/_kms/reset', undefined, basic('AKIAADMIN00000000001', 'nope'));
      expect([wrong.status, wrong.json().error.code]).toEqual([401, 'InvalidAdminCredential']);
      // A key that is not an admin's cannot call it either.
      expect((await control(server.url, 'GET', '/_kms/snapshot', undefined, basic('AKIAUSER000000000001', 'user-secret'))).status).toBe(401);
      expect((await control(server.url, 'GET', '/_kms/health', undefined, basic('AKIAADMIN00000000001', 'admin-secret'))).status).toBe(200);
      // Off loopback without a credentials file there is no admin at all.
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      const refused = await control(url, 'POST', '/_kms/reset');
      expect([refused.status, refused.json().error.code]).toEqual([403, 'AdminCredentialRequired']);
    } finally {
      await server.close();
      await open.close();
    }
  });

  it('with --data-dir, a reset, a restore and a clock move are durable like any change', async () => {
    const dataDir = join(dir, 'durable');
    const first = await serve({ dataDir, init: INIT, clock: new ManualClock('2026-01-01T00:00:00Z') });
    const client = httpClient(first.url);
    const extra = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const withExtra = (await control(first.url, 'GET', '/_kms/snapshot')).text;
    await control(first.url, 'POST', '/_kms/reset', { to: 'empty' });
    client.destroy();
    await first.close();
    const second = await serve({ dataDir, init: INIT });
    expect(await keyIds(second.url)).toEqual([]);
    await control(second.url, 'PUT', '/_kms/snapshot', withExtra);
    await second.close();
    const third = await serve({ dataDir });
    expect(await keyIds(third.url)).toEqual([KEY_ID, extra].sort());
    await third.close();
  });

  it('kms-emulator serve --clock manual:…: the CLI starts a manual clock', async () => {
    expect(parseArgs(['serve', '--clock', 'manual:2026-01-01T00:00:00Z']).options.clock!.now()).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(parseArgs(['serve', '--clock', 'system']).options).toEqual({});
    expect(() => parseArgs(['serve', '--clock', 'fast'])).toThrow("invalid --clock 'fast' (system, manual or manual:2026-01-01T00:00:00Z)");
    expect(() => parseArgs(['serve'], { KMS_EMULATOR_CLOCK: 'manual:yesterday' })).toThrow("invalid KMS_EMULATOR_CLOCK 'manual:yesterday'");
    const cli = await startCli(['--clock', 'manual:2026-01-01T00:00:00Z']);
    try {
      expect((await control(cli.url, 'POST', '/_kms/clock/advance', { by: '1d12h' })).json()).toEqual({ now: '2026-01-02T12:00:00.000Z' });
      expect((await raw(cli.url, { method: 'GET', path: '/_kms/health' })).headers.date).toBe('Fri, 02 Jan 2026 12:00:00 GMT');
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});
