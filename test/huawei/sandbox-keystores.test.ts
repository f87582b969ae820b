/** The sandbox's Huawei adapter offers keystores: its forms send the REST-shaped routes as the page would. */
import { describe, expect, it } from 'vitest';
import { huaweiAdapter as huawei } from '../../src/sandbox/adapters/huawei.js';
import { emulator } from './support.js';

describe('sandbox: Huawei keystores', () => {
  it('create-key-store, create-key in it, disable (the key refuses KMS.0317), list and delete through the adapter', async () => {
    const kms = emulator({ seed: 'sandbox-keystores' });
    const first = await huawei.call(kms, 'cn-north-4', 'create-key', huawei.createForm('cn-north-4').params({ alias: 'k0', spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'kms' }) as Record<string, unknown>);
    const account = huawei.account(kms);
    const key = kms.engine.describeKey({ realm: { account, region: 'cn-north-4' }, principal: { account, type: 'root', id: account }, requestId: 'view' }, { keyId: huawei.createdKeyId(first.output!)! });
    const forms = Object.fromEntries(huawei.keyForms(kms, key).map((f) => [f.id, f]));
    const run = async (id: string, values: Record<string, string>) => {
      const form = forms[id]!;
      const result = await huawei.call(kms, 'cn-north-4', form.action, (await form.params(values)) as Record<string, unknown>);
      return { result, outcome: result.ok && form.outcome ? form.outcome(result.output!, values) : undefined };
    };
    const created = await run('keystore-create', { alias: 'sandbox-ks', type: 'DHSM', cluster: '' });
    expect(created.result.request.startLine).toBe(`POST /v1.0/${kms.huawei.options.projectId}/keystores HTTP/1.1`);
    const id = created.outcome!.carry!['keystore-disable']!.keystore!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const inStore = await huawei.call(kms, 'cn-north-4', 'create-key', huawei.createForm('cn-north-4').params({ alias: 'k1', spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'kms', keystore: id }) as Record<string, unknown>);
    expect(inStore.ok).toBe(true);
    const keyId = huawei.createdKeyId(inStore.output!)!;
    const disabled = await run('keystore-disable', { keystore: id });
    expect(disabled.result.request.startLine).toBe(`POST /v1.0/${kms.huawei.options.projectId}/keystores/${id}/disable HTTP/1.1`);
    expect(disabled.outcome!.summary).toContainEqual(['keystore_state', '3']);
    const refused = await huawei.call(kms, 'cn-north-4', 'encrypt-data', { key_id: keyId, plain_text: 'x' });
    expect(refused.error?.code).toBe('KMS.0317');

    const listed = await run('keystore-list', {});
    expect(listed.result.request.startLine).toBe(`GET /v1.0/${kms.huawei.options.projectId}/keystores HTTP/1.1`);
    expect(listed.outcome!.summary).toEqual([['total', '1'], ['sandbox-ks', id]]);
    const shown = await run('keystore-show', { keystore: id });
    expect(shown.outcome!.summary).toContainEqual(['keystore_alias', 'sandbox-ks']);
    const held = await run('keystore-delete', { keystore: id });
    expect(held.result.request.startLine).toBe(`DELETE /v1.0/${kms.huawei.options.projectId}/keystores/${id} HTTP/1.1`);
    expect(held.result.error?.code).toBe('KMS.0308');
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });
});
