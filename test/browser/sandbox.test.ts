/**
 * The sandbox page in Debian's Chromium: served by the local endpoint (`npm start`) and as built
 * static files from a plain static host. Each test saves a screenshot under test-output/browser/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { ADAPTERS } from '../../src/sandbox/adapters/index.js';
import { buildSandbox } from '../../src/server/sandbox-build.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { HAVE_CHROMIUM, launch, openPage, screenshot, SKIP_REASON, staticServer } from './support.js';

if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

describe.skipIf(!HAVE_CHROMIUM)('the sandbox page in Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let staticDir: string;
  let host: Awaited<ReturnType<typeof staticServer>>;

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'kms-sandbox-static-'));
    const [b, s] = await Promise.all([launch(), startServer({ host: '127.0.0.1', port: 0 }), buildSandbox(staticDir, { sourcemap: false })]);
    browser = b;
    server = s;
    host = await staticServer(staticDir);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await host?.close();
    if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  });

  async function fresh(width = 1440, height = 900): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
    const { page, problems } = await openPage(context);
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'CreateKey' }).waitFor();
    return { context, page, problems };
  }

  /** Runs the form's action and waits for its outcome (success or the provider's error). */
  async function act(page: Page, form: string, fill: Record<string, string> = {}): Promise<string> {
    const scope = page.locator(`form[data-form="${form}"]`).first();
    for (const [label, value] of Object.entries(fill)) {
      const control = scope.getByLabel(label, { exact: true });
      if ((await control.evaluate((e) => e.tagName)) === 'SELECT') await control.selectOption(value);
      else await control.fill(value);
    }
    const before = await page.locator('ol.calls > li').count().catch(() => 0);
    await scope.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('ol.calls > li').count()).toBeGreaterThan(before);
    return (await page.locator(`form[data-form="${form}"] .outcome`).first().innerText()).trim();
  }

  it('creates a key, encrypts, decrypts and shows the wire exchange and the CloudTrail record', async () => {
    const { context, page, problems } = await fresh();
    expect(await page.locator('.tagline').innerText()).toContain('Runs entirely in this tab');
    expect(await act(page, 'create', { Description: 'orders' })).toContain('Enabled');
    expect(await act(page, 'encrypt', { 'Plaintext (text)': 'attack at dawn' })).toContain('CiphertextBlob');
    const decrypted = await act(page, 'decrypt');
    expect(decrypted).toContain('attack at dawn');

    // The newest call, open: the JSON 1.1 request, the response, the CloudTrail record.
    const entry = page.locator('ol.calls > li').first();
    const request = await entry.locator('pre.request').innerText();
    expect(request).toMatch(/^POST \/ HTTP\/1\.1\n/);
    expect(request).toContain('X-Amz-Target: TrentService.Decrypt');
    expect(request).toContain('Content-Type: application/x-amz-json-1.1');
    const body = JSON.parse(request.slice(request.indexOf('\n\n') + 2)) as Record<string, unknown>;
    expect(typeof body.CiphertextBlob).toBe('string');
    const response = await entry.locator('pre.response').innerText();
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\n/);
    const out = JSON.parse(response.slice(response.indexOf('\n\n') + 2)) as Record<string, unknown>;
    expect(atob(String(out.Plaintext))).toBe('attack at dawn');
    const record = JSON.parse(await entry.locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(record).toMatchObject({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', eventType: 'AwsApiCall', readOnly: true });
    expect(JSON.stringify(record)).not.toContain('attack at dawn');

    // The CloudTrail tab lists every record: CreateKey, Encrypt, Decrypt.
    await page.getByRole('tab', { name: 'CloudTrail' }).click();
    const names = await page.locator('#log-body .entry summary strong').allInnerTexts();
    expect(names).toEqual(['Decrypt', 'Encrypt', 'CreateKey']);
    // The diagram marks the key's state.
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('Enabled');
    await screenshot(page, 'sandbox-encrypt-decrypt');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the provider's error next to the call that caused it, and keeps working", async () => {
    const { context, page, problems } = await fresh();
    await act(page, 'create');
    const error = await act(page, 'decrypt', { 'CiphertextBlob (base64)': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(error).toContain('InvalidCiphertextException');
    const bad = await act(page, 'schedule-deletion', { PendingWindowInDays: '3' });
    expect(bad).toContain('ValidationException');
    expect(await page.locator('ol.calls > li').first().locator('pre.response').innerText()).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    // Failed calls are recorded too, with their error code.
    const record = JSON.parse(await page.locator('ol.calls > li').first().locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(record).toMatchObject({ eventName: 'ScheduleKeyDeletion', errorCode: 'ValidationException' });
    // Not-a-duration in the clock box: the page says so and carries on.
    await page.getByLabel('Advance by a duration').fill('soon');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await expect.poll(() => page.locator('#clock-error').count()).toBe(1);
    expect(await act(page, 'encrypt')).toContain('CiphertextBlob');
    await screenshot(page, 'sandbox-errors');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('advances the clock past a deletion window: the key is gone and CloudTrail has the DeleteKey service event', async () => {
    const { context, page, problems } = await fresh();
    await act(page, 'create');
    const keyId = (await page.locator('#key-title .mono').innerText()).trim();
    expect(await act(page, 'schedule-deletion', { PendingWindowInDays: '7' })).toContain('PendingDeletion');
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('PendingDeletion');
    expect(await page.locator('.due').innerText()).toContain('is deleted in 7d');
    await page.getByRole('button', { name: '+7 d' }).click();
    await expect.poll(() => page.locator('#key-title').innerText()).toBe('Key deleted');
    expect(await page.locator('.key-list').count()).toBe(0);
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('deleted');
    const clockEntry = page.locator('ol.calls > li').first();
    expect(await clockEntry.locator('summary strong').innerText()).toBe('Clock +7d');
    const record = JSON.parse(await clockEntry.locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(record).toMatchObject({ eventName: 'DeleteKey', eventType: 'AwsServiceEvent' });
    expect(JSON.stringify(record)).toContain(keyId);
    await screenshot(page, 'sandbox-deleted');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('replicates a multi-Region key to another Region, switches Region and decrypts there', async () => {
    const { context, page, problems } = await fresh();
    expect(await act(page, 'create', { MultiRegion: 'true' })).toContain('Enabled');
    const keyId = (await page.locator('#key-title .mono').innerText()).trim();
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(await act(page, 'encrypt', { 'Plaintext (text)': 'from us-east-1' })).toContain('CiphertextBlob');
    const replicated = await act(page, 'replicate', { ReplicaRegion: 'eu-west-1' });
    expect(replicated).toContain(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`);
    expect(replicated).toContain('Creating');
    await page.getByRole('button', { name: '+1 h' }).click();
    await page.locator('#region').selectOption('eu-west-1');
    await expect.poll(() => page.locator('#key-title .mono').innerText()).toBe(keyId);
    const decrypted = await act(page, 'decrypt');
    expect(decrypted).toContain('from us-east-1');
    expect(decrypted).toContain(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`);
    const record = JSON.parse(await page.locator('ol.calls > li').first().locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(record).toMatchObject({ eventName: 'Decrypt', awsRegion: 'eu-west-1' });
    await screenshot(page, 'sandbox-multi-region');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps the state across a reload (IndexedDB), the clock included', async () => {
    const { context, page, problems } = await fresh();
    await act(page, 'create', { Description: 'kept' });
    const ciphertext = (await act(page, 'encrypt', { 'Plaintext (text)': 'still here' })).replace(/^CiphertextBlob\s*/, '');
    const before = await page.locator('#clock-now').innerText();
    await page.getByRole('button', { name: '+30 d' }).click();
    await expect.poll(() => page.locator('#clock-now').innerText()).not.toBe(before);
    const time = await page.locator('#clock-now').innerText();
    expect(Date.parse(time) - Date.parse(before)).toBe(30 * 86_400_000);
    await page.reload();
    await page.getByRole('button', { name: 'CreateKey' }).waitFor();
    expect(await page.locator('#clock-now').innerText()).toBe(time);
    expect(await page.locator('.key-item').count()).toBe(1);
    expect(await page.locator('.key-item').innerText()).toContain('kept');
    expect(await act(page, 'decrypt', { 'CiphertextBlob (base64)': ciphertext })).toContain('still here');
    await page.getByRole('tab', { name: 'CloudTrail' }).click();
    expect(await page.locator('#log-body .entry summary strong').allInnerTexts()).toEqual(['Decrypt', 'Encrypt', 'CreateKey']);
    await screenshot(page, 'sandbox-reloaded');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('exports a snapshot that restores in Node, and imports one made in Node', async () => {
    const { context, page, problems } = await fresh();
    await act(page, 'create');
    const ciphertext = (await act(page, 'encrypt', { 'Plaintext (text)': 'from the tab' })).replace(/^CiphertextBlob\s*/, '');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export snapshot' }).click()]);
    const exported = readFileSync((await download.path())!, 'utf8');
    const node = createKms({ clock: new ManualClock(Date.now() + 86_400_000) });
    node.restore(exported);
    const out = await node.aws.send('Decrypt', { CiphertextBlob: ciphertext });
    expect(atob(out.Plaintext)).toBe('from the tab');

    // The other way: a snapshot made in Node, imported through the file picker.
    const made = createKms({ clock: new ManualClock('2030-01-01T00:00:00Z') });
    const key = await made.aws.send('CreateKey', { Description: 'made in node' });
    const sealed = await made.aws.send('Encrypt', { KeyId: key.KeyMetadata.KeyId, Plaintext: btoa('from node') });
    const dir = mkdtempSync(join(tmpdir(), 'kms-sandbox-snap-'));
    try {
      const file = join(dir, 'node.json');
      writeFileSync(file, JSON.stringify(made.snapshot()));
      await page.locator('#import-snapshot').setInputFiles(file);
      await expect.poll(() => page.locator('.key-item').innerText()).toContain('made in node');
      expect(await page.locator('#clock-now').innerText()).toBe('2030-01-01T00:00:00Z');
      await page.locator('.key-item').first().click();
      expect(await act(page, 'decrypt', { 'CiphertextBlob (base64)': sealed.CiphertextBlob })).toContain('from node');
      // A document that is not a snapshot is refused and changes nothing.
      writeFileSync(file, JSON.stringify({ format: 'something else' }));
      await page.locator('#import-snapshot').setInputFiles(file);
      await expect.poll(() => page.locator('.banner').count()).toBe(1);
      expect(await page.locator('.banner').innerText()).toContain('Snapshot refused');
      expect(await page.locator('.key-item').innerText()).toContain('made in node');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await screenshot(page, 'sandbox-snapshot');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'tencent'))('switches to the Tencent dialect: create, encrypt, decrypt, CloudAudit record', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('tencent');
    expect(await act(page, 'create', { Alias: 'orders' })).toContain('orders');
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('Enabled');
    expect(await act(page, 'encrypt', { 'Plaintext (text)': 'ni hao' })).toContain('CiphertextBlob');
    expect(await act(page, 'decrypt')).toContain('ni hao');
    const entry = page.locator('ol.calls > li').first();
    const request = await entry.locator('pre.request').innerText();
    expect(request).toContain('X-TC-Action: Decrypt');
    expect(request).toContain('X-TC-Version: 2019-01-18');
    expect(await entry.locator('pre.response').innerText()).toMatch(/^HTTP\/1\.1 200 OK/);
    // Tencent answers errors with HTTP 200 and Response.Error; the page shows the code beside the form.
    expect(await act(page, 'schedule-deletion', { PendingWindowInDays: '3' })).toMatch(/InvalidParameter/);
    await page.getByRole('tab', { name: 'CloudAudit' }).click();
    const names = await page.locator('#log-body .entry summary strong').allInnerTexts();
    expect(names).toContain('CreateKey');
    expect(names).toContain('Decrypt');
    await screenshot(page, 'sandbox-tencent');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'tencent'))('Tencent hosted data keys: made under a CMK, read out, disabled, listed, scheduled for deletion', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('tencent');
    await act(page, 'create', { Alias: 'dek-host' });
    const made = await act(page, 'host-data-key', { DataKeyName: 'orders-dek', NumberOfBytes: '16' });
    expect(made).toContain('DataKeyId');
    const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(made)![0];
    // The DataKeyId is carried into the other data-key forms.
    expect(await page.locator('form[data-form="data-key-plaintext"]').getByLabel('DataKeyId', { exact: true }).inputValue()).toBe(id);
    expect(await act(page, 'data-key-plaintext')).toContain('Plaintext');
    await act(page, 'data-key-disable');
    expect(await act(page, 'data-key-plaintext')).toContain('ResourceUnavailable.DataKeyDisabled');
    const listed = await act(page, 'list-data-keys');
    expect(listed).toContain('orders-dek');
    expect(listed).toContain('Disabled');
    expect(await act(page, 'data-key-schedule-deletion')).toContain('DeletionDate');
    expect(await act(page, 'list-data-keys')).toContain('PendingDelete');
    await page.getByRole('tab', { name: 'CloudAudit' }).click();
    const names = await page.locator('#log-body .entry summary strong').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['GenerateDataKey', 'GetDataKeyPlaintext', 'DisableDataKey', 'ScheduleDataKeyDeletion']));
    await screenshot(page, 'sandbox-tencent-data-keys');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'tencent'))('offers post-quantum keys in the Tencent dialect: Kyber_AES encrypt/decrypt, Dilithium sign/verify', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('tencent');
    expect(await act(page, 'create', { Alias: 'pq-kyber', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' })).toContain('pq-kyber');
    expect(await act(page, 'pq-encrypt', { 'PlainText (text)': 'post-quantum hello' })).toContain('CiphertextBlob');
    expect(await act(page, 'pq-decrypt')).toContain('post-quantum hello');
    expect(await page.locator('ol.calls > li').first().locator('pre.request').innerText()).toContain('X-TC-Action: PostQuantumCryptoDecrypt');
    expect(await act(page, 'create', { Alias: 'pq-dilithium', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' })).toContain('pq-dilithium');
    expect(await act(page, 'pq-sign')).toContain('Signature');
    expect(await act(page, 'pq-verify')).toContain('true');
    expect(await act(page, 'pq-verify', { 'Message (text)': 'tampered' })).toContain('false');
    await screenshot(page, 'sandbox-tencent-pq');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'huawei'))('switches to the Huawei dialect: create-key, encrypt-data, decrypt-data, CTS trace, aliases', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('huawei');
    expect(await act(page, 'create', { key_alias: 'orders' })).toContain('key_id');
    expect(await act(page, 'encrypt', { plain_text: 'ni hao' })).toContain('cipher_text');
    expect(await act(page, 'decrypt')).toContain('ni hao');
    const entry = page.locator('ol.calls > li').first();
    expect(await entry.locator('pre.request').innerText()).toMatch(/^POST \/v1\.0\/[0-9a-f]{32}\/kms\/decrypt-data HTTP\/1\.1/);
    const trace = JSON.parse(await entry.locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(trace).toMatchObject({ trace_name: 'decryptData', service_type: 'KMS' });
    // Aliases of the alias API travel on their own routes (201 for create-alias, GET with a query to list).
    expect(await act(page, 'create-alias', { alias: 'alias/orders' })).toMatch(/kms:cn-north-4:[0-9a-f]{32}:alias:orders/);
    expect(await page.locator('ol.calls > li').first().locator('pre.response').innerText()).toMatch(/^HTTP\/1\.1 201 Created/);
    expect(await act(page, 'list-aliases')).toContain('alias/orders');
    expect(await page.locator('ol.calls > li').first().locator('pre.request').innerText()).toMatch(/^GET \/v1\.0\/[0-9a-f]{32}\/kms\/aliases\?key_id=[0-9a-f-]{36} HTTP\/1\.1/);
    expect(await act(page, 'create-alias', { alias: 'orders' })).toContain('KMS.1101');
    expect(await act(page, 'schedule-deletion', { pending_days: 'soon' })).toMatch(/KMS\.\d{4}/);
    await screenshot(page, 'sandbox-huawei');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'huawei'))('Huawei dedicated keystores: a key made in one refuses use while it is disabled (KMS.0317)', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('huawei');
    await act(page, 'create', { key_alias: 'plain' });
    const made = await act(page, 'keystore-create', { keystore_alias: 'hsm-store' });
    const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(made)![0];
    expect(await page.locator('form[data-form="keystore-disable"]').getByLabel('keystore_id', { exact: true }).inputValue()).toBe(id);
    expect(await act(page, 'create', { key_alias: 'in-store', 'keystore_id (optional)': id })).toContain('key_id');
    // The new key is selected: its keystore forms name its keystore.
    expect(await act(page, 'keystore-disable')).toContain('keystore_state');
    expect(await act(page, 'encrypt', { plain_text: 'x' })).toContain('KMS.0317');
    expect(await act(page, 'keystore-list')).toContain('hsm-store');
    expect(await page.locator('ol.calls > li').first().locator('pre.request').innerText()).toMatch(/^GET \/v1\.0\/[0-9a-f]{32}\/keystores HTTP\/1\.1/);
    expect(await act(page, 'keystore-delete')).toContain('KMS.0308');
    await screenshot(page, 'sandbox-huawei-keystores');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!ADAPTERS.some((a) => a.id === 'huawei'))('Huawei replicas: replicate-key into another region\'s project, decrypt there, update-primary-region', async () => {
    const { context, page, problems } = await fresh();
    await page.getByLabel('Dialect').selectOption('huawei');
    // The region picker follows the dialect once the page has switched to it.
    await expect.poll(() => page.locator('#region').inputValue()).toBe('cn-north-4');
    await act(page, 'create', { key_alias: 'orders' });
    const keyId = (await page.locator('#key-title .mono').innerText()).trim();
    expect(await act(page, 'encrypt', { plain_text: 'from beijing' })).toContain('cipher_text');
    expect(await act(page, 'support-regions')).toContain('cn-east-3, cn-south-1, cn-southwest-2');
    expect(await page.locator('ol.calls > li').first().locator('pre.request').innerText()).toMatch(/^GET \/v2\/[0-9a-f]{32}\/kms\/regions HTTP\/1\.1/);
    // A bad alias is Huawei's error, and makes no replica.
    expect(await act(page, 'replicate', { replica_region: 'cn-east-3', 'key_alias (of the replica)': 'bad alias!' })).toContain('KMS.1101');
    await expect.poll(() => page.locator('form[data-form="update-primary"]').count()).toBe(0);
    const east = await page.locator('form[data-form="replicate"]').getByLabel('replica_project_id', { exact: true }).inputValue();
    expect(east).toMatch(/^[0-9a-f]{32}$/);
    const replicated = await act(page, 'replicate', { replica_region: 'cn-east-3', 'key_alias (of the replica)': 'orders-east' });
    expect(replicated).toContain(keyId);
    expect(replicated).toContain('cn-east-3');
    const request = await page.locator('ol.calls > li').first().locator('pre.request').innerText();
    expect(request).toMatch(new RegExp(`^POST /v2/[0-9a-f]{32}/kms/keys/${keyId}/replicate HTTP/1\\.1`));
    expect(request).toContain(`"key_id":"${keyId}"`);
    expect(request).toContain(`"replica_project_id":"${east}"`);
    await page.getByRole('button', { name: '+1 h' }).click();
    await page.locator('#region').selectOption('cn-east-3');
    await expect.poll(() => page.locator('#key-title .mono').innerText()).toBe(keyId);
    // The replica is no primary: it offers no replicate-key.
    await expect.poll(() => page.locator('form[data-form="replicate"]').count()).toBe(0);
    const decrypted = await act(page, 'decrypt');
    expect(decrypted).toContain('from beijing');
    const entry = page.locator('ol.calls > li').first();
    expect(await entry.locator('pre.request').innerText()).toMatch(new RegExp(`^POST /v1\\.0/${east}/kms/decrypt-data HTTP/1\\.1`));
    const trace = JSON.parse(await entry.locator('pre.audit').innerText()) as Record<string, unknown>;
    expect(trace).toMatchObject({ trace_name: 'decryptData', resource_id: keyId });
    expect(String(trace.resource_url)).toContain(east);
    // Back in the primary's region, the primary role moves to cn-east-3.
    await page.locator('#region').selectOption('cn-north-4');
    await expect.poll(() => page.locator('#key-title .mono').innerText()).toBe(keyId);
    // The key here is then a replica, so its forms (update-primary-region's outcome with them) go: the call log shows the answer.
    const before = await page.locator('ol.calls > li').count();
    await page.locator('form[data-form="update-primary"]').getByLabel('primary_region', { exact: true }).selectOption('cn-east-3');
    await page.locator('form[data-form="update-primary"] button[type="submit"]').click();
    await expect.poll(() => page.locator('ol.calls > li').count()).toBeGreaterThan(before);
    const moved = page.locator('ol.calls > li').first();
    expect(await moved.locator('pre.request').innerText()).toMatch(new RegExp(`^PUT /v2/[0-9a-f]{32}/kms/keys/${keyId}/update-primary-region HTTP/1\\.1`));
    expect(await moved.locator('pre.response').innerText()).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"primary_region":\s*"cn-east-3"/);
    await page.getByRole('button', { name: '+1 h' }).click();
    await expect.poll(() => page.locator('form[data-form="replicate"]').count()).toBe(0);
    await page.locator('#region').selectOption('cn-east-3');
    await expect.poll(() => page.locator('form[data-form="replicate"]').count()).toBe(1);
    await screenshot(page, 'sandbox-huawei-replicas');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('imports key material wrapped in the page (WebCrypto RSA-OAEP), in the AWS and Tencent dialects', async () => {
    const { context, page, problems } = await fresh();
    const material = '2b'.repeat(32);
    expect(await act(page, 'create', { Origin: 'EXTERNAL' })).toContain('PendingImport');
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('PendingImport');
    // Nothing to wrap with yet: the page says so and sends nothing.
    const calls = await page.locator('ol.calls > li').count();
    expect(await act(page, 'import', { 'Key material (hex)': material })).toContain('ImportKeyMaterial not sent: no wrapping public key');
    expect(await act(page, 'import-parameters')).toContain('ImportToken');
    expect(await page.locator('ol.calls > li').count()).toBe(calls + 2);
    expect(await act(page, 'import', { 'Key material (hex)': 'not hex' })).toContain('must be hex');
    expect(await act(page, 'import', { 'Key material (hex)': material })).toContain(`Key material imported (hex)\n${material}`);
    const request = await page.locator('ol.calls > li').first().locator('pre.request').innerText();
    const body = JSON.parse(request.slice(request.indexOf('\n\n') + 2)) as Record<string, string>;
    // Only the wrapped material travels: 256 bytes of RSA-OAEP under the 2048-bit wrapping key.
    expect(atob(body.EncryptedKeyMaterial!).length).toBe(256);
    expect(request).not.toContain(material);
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('Enabled');
    expect(await act(page, 'encrypt', { 'Plaintext (text)': 'imported' })).toContain('CiphertextBlob');
    expect(await act(page, 'decrypt')).toContain('imported');
    // Delete the material; only the same material imports again.
    expect(await act(page, 'delete-material')).toContain('succeeded');
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('PendingImport');
    await act(page, 'import-parameters');
    expect(await act(page, 'import', { 'Key material (hex)': '3c'.repeat(32) })).toContain('IncorrectKeyMaterialException');
    expect(await act(page, 'import', { 'Key material (hex)': material })).toContain('Key material imported');

    await page.getByLabel('Dialect').selectOption('tencent');
    expect(await act(page, 'create', { Alias: 'byok', Type: '2' })).toContain('byok');
    expect(await page.locator('svg.diagram .node.current text').textContent()).toBe('PendingImport');
    await act(page, 'import-parameters');
    // ap-guangzhou is a national-crypto region: the key is SM4, 16 random bytes when none are typed,
    // shown and kept in the form, so the same material imports again after a delete.
    const imported = await act(page, 'import');
    expect(imported).toMatch(/Key material imported \(hex\)\s+[0-9a-f]{32}$/);
    expect(await act(page, 'encrypt', { 'Plaintext (text)': 'sm4 byok' })).toContain('CiphertextBlob');
    expect(await act(page, 'decrypt')).toContain('sm4 byok');
    expect(await act(page, 'delete-material')).toContain('succeeded');
    await act(page, 'import-parameters');
    expect(await act(page, 'import')).toBe(imported);
    expect(await act(page, 'decrypt')).toContain('sm4 byok');
    await screenshot(page, 'sandbox-import');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is usable from the keyboard, labels every control, and fits a 390 px screen', async () => {
    const { context, page, problems } = await fresh(390, 844);
    // Keyboard only: focus the KeySpec select, pick a spec, tab through to CreateKey, press Enter.
    await page.getByLabel('KeySpec').focus();
    await page.keyboard.press('End');
    const spec = await page.getByLabel('KeySpec').inputValue();
    expect(spec).not.toBe('SYMMETRIC_DEFAULT');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'CreateKey'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.key-item').count()).toBe(1);
    expect(await page.locator('form[data-form="create"] .outcome').innerText()).toContain('Enabled');
    // Every control has a name a screen reader reads out.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !(e.textContent ?? '').trim())
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'sandbox-narrow', { fullPage: false });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works as static files from any static host, without a single network call of its own', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const { page, problems } = await openPage(context);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${host.url}/`);
    await page.getByRole('button', { name: 'CreateKey' }).waitFor();
    await act(page, 'create', { KeySpec: 'ECC_NIST_P256' });
    expect(await act(page, 'sign')).toContain('Signature');
    expect(await act(page, 'verify')).toContain('true');
    expect(requested.map((u) => new URL(u).pathname).sort()).toEqual(['/', '/app.css', '/app.js']);
    expect(host.requests.filter((r) => !r.startsWith('GET /'))).toEqual([]);
    await screenshot(page, 'sandbox-static-host');
    expect(problems).toEqual([]);
    await context.close();
  });
});

