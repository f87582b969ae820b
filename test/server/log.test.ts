/**
 * The request log (`--log text|json|off`): buffered lines written after the request's turn, JSON
 * lines with provider, operation, key id, status and duration, and a log that stops quietly when
 * its output fails while the server goes on answering.
 */
import { PassThrough, Writable } from 'node:stream';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { bufferedLog, jsonLine, textLine } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { httpClient, runCli, sleep, startCli } from '../support/server.js';

function collect(stream: PassThrough): { text: () => string } {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { text: () => text };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the request log', () => {
  it('writes nothing on the request path: lines of a turn go out together after it', async () => {
    const out = new PassThrough();
    const writes: string[] = [];
    out.on('data', (c: Buffer) => writes.push(c.toString('utf8')));
    const log = bufferedLog('text', out);
    const record = { at: Date.UTC(2026, 0, 1), method: 'POST', path: '/', provider: 'aws', operation: 'Encrypt', status: 200, ms: 1.25 };
    log.request(record);
    log.request({ ...record, operation: 'Decrypt', status: 400, note: 'signature' });
    expect(writes).toEqual([]);
    await log.flush();
    await tick();
    expect(writes).toEqual(['2026-01-01T00:00:00.000Z POST / aws/Encrypt 200 1.3ms\n2026-01-01T00:00:00.000Z POST / aws/Decrypt 400 1.3ms (signature)\n']);
    expect(textLine({ ...record, operation: '' })).toBe('2026-01-01T00:00:00.000Z POST / aws/- 200 1.3ms');
  });

  it('JSON lines carry the provider, operation, key id, status and duration', async () => {
    const out = new PassThrough();
    const lines = collect(out);
    const log = bufferedLog('json', out);
    const server = await startServer({ host: '127.0.0.1', port: 0, requestLog: log });
    try {
      const client = httpClient(server.url);
      const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4) }));
      await client.send(new DecryptCommand({ CiphertextBlob }));
      await expect(client.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(40) }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
      await fetch(`${server.url}/health`);
    } finally {
      await server.close();
    }
    await log.flush();
    const records = lines
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.provider, r.operation, r.status])).toEqual([
      ['aws', 'CreateKey', 200],
      ['aws', 'Encrypt', 200],
      ['aws', 'Decrypt', 200],
      ['aws', 'Decrypt', 400],
      ['server', 'health', 200],
    ]);
    const keyId = records[0]!.keyId as string;
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
    // Encrypt and Decrypt answer with the key's ARN.
    expect(records[1]!.keyId).toMatch(new RegExp(`^arn:aws:kms:us-east-1:111122223333:key/${keyId}$`));
    expect(records[2]!.keyId).toBe(records[1]!.keyId);
    expect(records[3]!.keyId).toBeNull();
    for (const r of records) {
      expect(typeof r.durationMs).toBe('number');
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\S+Z$/);
    }
  });

  it('a key id named only in the request (a refused call) is taken from the request', () => {
    const line = jsonLine({
      at: 0,
      method: 'POST',
      path: '/',
      provider: 'huawei',
      operation: 'DescribeKey',
      status: 404,
      ms: 0.5,
      requestBody: new TextEncoder().encode('{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f"}'),
      responseBody: '{"error":{"error_code":"KMS.0207"}}',
    });
    expect(JSON.parse(line)).toMatchObject({ provider: 'huawei', operation: 'DescribeKey', keyId: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', status: 404 });
  });

  it('stops quietly when its output fails; requests are still answered', async () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const log = bufferedLog('text', broken);
    const server = await startServer({ host: '127.0.0.1', port: 0, requestLog: log });
    try {
      const client = httpClient(server.url);
      for (let i = 0; i < 3; i++) {
        await client.send(new CreateKeyCommand({}));
        await sleep(5);
      }
      expect(writes).toBe(1);
      expect(server.kms.aws.internalErrors.recent()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('drops and counts lines when the output does not keep up, instead of growing without bound', async () => {
    const stuck = new Writable({ highWaterMark: 16, write() {} });
    const log = bufferedLog('text', stuck, { maxPendingBytes: 10 });
    const record = { at: 0, method: 'POST', path: '/', provider: 'aws', operation: 'Encrypt', status: 200, ms: 1 };
    log.request(record);
    await tick();
    for (let i = 0; i < 50; i++) log.request(record);
    expect(log.dropped).toBe(50);
  });

  it('--log text|json|off on the command line', async () => {
    expect(parseArgs(['serve', '--log', 'json'])).toEqual({ command: 'serve', options: {}, log: 'json' });
    expect(parseArgs(['serve', '--log=off'])).toEqual({ command: 'serve', options: {}, log: 'off' });
    expect(() => parseArgs(['serve', '--log', 'xml'])).toThrow(new UsageError("invalid --log 'xml' (text, json, off)"));

    const json = await startCli(['--log', 'json']);
    const off = await startCli(['--log', 'off']);
    try {
      await httpClient(json.url).send(new CreateKeyCommand({}));
      await httpClient(off.url).send(new CreateKeyCommand({}));
    } finally {
      json.proc.kill('SIGTERM');
      off.proc.kill('SIGTERM');
    }
    expect(await json.exited).toBe(0);
    expect(await off.exited).toBe(0);
    expect(json.stdout).toHaveLength(2);
    expect(JSON.parse(json.stdout[1]!)).toMatchObject({ provider: 'aws', operation: 'CreateKey', status: 200, method: 'POST', path: '/' });
    expect(off.stdout).toHaveLength(1);
    const usage = runCli(['serve', '--log', 'xml']);
    expect(await usage.exited).toBe(2);
  });
});
