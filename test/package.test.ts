import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';

describe('the published package', () => {
  it("imports as 'kms-emulator' (the built dist/ entry) and serves the AWS SDK", async () => {
    const { createKms, ManualClock } = await import('kms-emulator');
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), account: '444455556666', region: 'eu-west-1' });
    const client = new KMSClient({ ...kms.aws.clientConfig() });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    const other = new KMSClient({ ...kms.aws.clientConfig({ account: '777788889999' }) });
    await expect(other.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('npm start (the bundled CLI, dist/server/cli.bundle.js)', () => {
  it('serves the AWS API and the sandbox, reads a YAML init file, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kms-start-'));
    const init = join(dir, 'init.yaml');
    writeFileSync(init, 'version: 1\nkeys:\n  - id: 0b7ec4b4-1f2e-4c3d-9a8b-7c6d5e4f3a2b\n    aliases: [alias/started]\n');
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--init', init, '--log', 'off'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`npm start exited ${code}: ${err}`)));
      });
      const described = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
        body: JSON.stringify({ KeyId: 'alias/started' }),
      });
      expect((await described.json()).KeyMetadata.KeyId).toBe('0b7ec4b4-1f2e-4c3d-9a8b-7c6d5e4f3a2b');
      const page = await fetch(`${url}/`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      // npm runs the server as its child: signal the whole group.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
