/** The sandbox's AWS adapter offers custom key stores: a CloudHSM key store, and an external key store whose XKS proxy runs in the page. */
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock, type KeyInfo } from '../../src/index.js';
import { awsAdapter as aws } from '../../src/sandbox/adapters/aws.js';
import { kmsOptions } from '../../src/sandbox/adapters/index.js';
import { SANDBOX_XKS } from '../../src/sandbox/adapters/aws-key-stores.js';

const REGION = 'eu-west-1';

describe('sandbox: AWS custom key stores', () => {
  it('create both kinds, connect, make keys in them, encrypt and decrypt (the external one twice sealed in the page), disconnect, describe', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const kms = createKms({ clock, ...kmsOptions(clock) });
    const account = aws.account(kms);
    const ctx = { realm: { account, region: REGION }, principal: { account, type: 'root' as const, id: account }, requestId: 'view' };
    const first = await aws.call(kms, REGION, 'CreateKey', aws.createForm(REGION).params({ spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS' }) as Record<string, unknown>);
    const key: KeyInfo = kms.engine.describeKey(ctx, { keyId: aws.createdKeyId(first.output!)! });
    const forms = Object.fromEntries(aws.keyForms(kms, key).map((f) => [f.id, f]));
    const run = async (id: string, values: Record<string, string>) => {
      const form = forms[id]!;
      const defaults = Object.fromEntries(form.fields.filter((f) => f.value !== undefined).map((f) => [f.name, f.value!]));
      const all = { ...defaults, ...values };
      const result = await aws.call(kms, REGION, form.action, (await form.params(all)) as Record<string, unknown>);
      expect(result.ok, `${id}: ${JSON.stringify(result.error)}`).toBe(true);
      return form.outcome ? form.outcome(result.output!, all) : undefined;
    };
    let last: { store: string; blob: unknown } | undefined;
    for (const [create, origin] of [['cks-create-hsm', 'AWS_CLOUDHSM'], ['cks-create-xks', 'EXTERNAL_KEY_STORE']] as const) {
      const made = await run(create, {});
      const store = made!.carry!['cks-connect']!.store!;
      expect(made!.carry!.create).toEqual({ store });
      await run('cks-connect', { store });
      const createForm = aws.createForm(REGION);
      const values = { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', origin, store, xksKey: SANDBOX_XKS.externalKeyId };
      const inStore = await aws.call(kms, REGION, 'CreateKey', createForm.params(values) as Record<string, unknown>);
      expect(inStore.ok, JSON.stringify(inStore.error)).toBe(true);
      const keyId = aws.createdKeyId(inStore.output!)!;
      const metadata = aws.metadata(kms, kms.engine.describeKey(ctx, { keyId })) as Record<string, unknown>;
      expect(metadata).toMatchObject({ Origin: origin, CustomKeyStoreId: store });
      const sealed = await aws.call(kms, REGION, 'Encrypt', { KeyId: keyId, Plaintext: 'aGVsbG8=' });
      expect(sealed.ok).toBe(true);
      const opened = await aws.call(kms, REGION, 'Decrypt', { CiphertextBlob: sealed.output!.CiphertextBlob });
      expect(opened.output!.Plaintext).toBe('aGVsbG8=');
      const described = await run('cks-describe', { store });
      expect(described!.summary[0]![1]).toContain('CONNECTED');
      await run('cks-disconnect', { store });
      const refused = await aws.call(kms, REGION, 'Decrypt', { CiphertextBlob: sealed.output!.CiphertextBlob });
      expect(refused.error?.code).toBe('KMSInvalidStateException');
      last = { store, blob: sealed.output!.CiphertextBlob };
    }
    // The page reloaded from its snapshot (a new in-page proxy): the external key store's ciphertexts still open.
    const reloadedClock = new ManualClock(clock.now());
    const reloaded = createKms({ clock: reloadedClock, ...kmsOptions(reloadedClock) });
    reloaded.restore(kms.snapshot());
    expect((await aws.call(reloaded, REGION, 'ConnectCustomKeyStore', { CustomKeyStoreId: last!.store })).ok).toBe(true);
    expect((await aws.call(reloaded, REGION, 'Decrypt', { CiphertextBlob: last!.blob })).output!.Plaintext).toBe('aGVsbG8=');
    expect(kms.aws.internalErrors.recent()).toEqual([]);
  });
});
