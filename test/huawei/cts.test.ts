/**
 * CTS traces: each of the sixteen operations of the seed (Huawei's "KMS operations that can be
 * recorded by CTS") leaves a trace with its exact trace name and resource type; failures are
 * `warning` traces; reads leave none; no plaintext, key material or ciphertext enters a trace.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { dekPlainText, emulator, failure, GRANTEE } from './support.js';

/** The seed's table: trace name → resource type. */
const SEED: ReadonlyArray<readonly [string, string]> = [
  ['createKey', 'cmk'],
  ['createDataKey', 'cmk'],
  ['createDataKeyWithoutPlaintext', 'cmk'],
  ['enableKey', 'cmk'],
  ['disableKey', 'cmk'],
  ['encryptDataKey', 'cmk'],
  ['decryptDataKey', 'cmk'],
  ['scheduleKeyDeletion', 'cmk'],
  ['cancelKeyDeletion', 'cmk'],
  ['updateKeyAlias', 'cmk'],
  ['updateKeyDescription', 'cmk'],
  ['deleteKeyRiskTips', 'cmk'],
  ['createGrant', 'cmk'],
  ['retireGrant', 'cmk'],
  ['revokeGrant', 'cmk'],
  ['genRandom', 'rng'],
];

describe('CTS traces of the sixteen seed operations', () => {
  it('each operation leaves one normal ApiCall/ConsoleAction trace with its exact name and resource type', async () => {
    const kms = emulator();
    const h = kms.huawei;
    const id = (await h.call('create-key', { key_alias: 'seed' })).key_info.key_id as string;
    const dk = await h.call('create-datakey', { key_id: id });
    await h.call('create-datakey-without-plaintext', { key_id: id });
    await h.call('disable-key', { key_id: id });
    await h.call('enable-key', { key_id: id });
    const dek = new Uint8Array(32).fill(9);
    await h.call('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha256), datakey_plain_length: '32' });
    await h.call('decrypt-datakey', { key_id: id, cipher_text: dk.cipher_text, datakey_cipher_length: '32' });
    await h.call('update-key-alias', { key_id: id, key_alias: 'seed-renamed' });
    await h.call('update-key-description', { key_id: id, key_description: 'seeded' });
    const g1 = await h.call('create-grant', { key_id: id, grantee_principal: GRANTEE.userId, operations: ['describe-key'] });
    const g2 = await h.call('create-grant', { key_id: id, grantee_principal: GRANTEE.userId, operations: ['encrypt-data'] });
    await h.call('retire-grant', { key_id: id, grant_id: g1.grant_id });
    await h.call('revoke-grant', { key_id: id, grant_id: g2.grant_id });
    await h.call('gen-random', { random_data_length: '512' });
    await h.call('delete-key-risk-tips', { key_id: id });
    await h.call('schedule-key-deletion', { key_id: id, pending_days: '7' });
    await h.call('cancel-key-deletion', { key_id: id });
    // Reads are not recorded by CTS.
    await h.call('describe-key', { key_id: id });
    await h.call('list-keys', {});

    const traces = h.traces();
    expect([...new Set(traces.map((t) => t.trace_name))].sort()).toEqual(SEED.map(([name]) => name).sort());
    expect(traces).toHaveLength(SEED.length + 1); // two grants were created
    for (const [name, resourceType] of SEED) {
      const trace = traces.find((t) => t.trace_name === name)!;
      expect(trace, name).toMatchObject({
        trace_rating: 'normal',
        trace_type: name === 'deleteKeyRiskTips' ? 'ConsoleAction' : 'ApiCall',
        service_type: 'KMS',
        resource_type: resourceType,
        resource_id: resourceType === 'rng' ? '' : id,
        code: '200',
        api_version: '1.0',
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        time: kms.clock.now(),
        record_time: kms.clock.now(),
        user: {
          id: kms.huawei.options.domainId,
          name: expect.any(String),
          user_name: expect.any(String),
          domain: { id: kms.huawei.options.domainId, name: expect.any(String) },
          access_key_id: '',
          invoked_by: name === 'deleteKeyRiskTips' ? ['service.console'] : [],
          session_context: { attributes: { created_at: String(kms.clock.now()), mfa_authenticated: 'false' } },
        },
        enterprise_project_id: '0',
        endpoint: '',
        resource_url: expect.stringMatching(new RegExp(`^/v1\\.0/${kms.huawei.options.projectId}/kms/[a-z-]+$`)),
      });
      for (const gone of ['event_type', 'tracker_name', 'project_id', 'domain_id']) expect(trace).not.toHaveProperty(gone);
      expect(typeof JSON.parse(trace.request)).toBe('object');
      expect(typeof JSON.parse(trace.response)).toBe('object');
    }
    expect(traces.find((t) => t.trace_name === 'updateKeyAlias')!.resource_name).toBe('seed-renamed');
    // No plaintext, key material or ciphertext in any trace.
    const text = JSON.stringify(traces);
    for (const secret of [dk.plain_text, dk.cipher_text, dk.plain_text.toLowerCase()]) expect(text).not.toContain(secret);
    for (const field of ['plain_text', 'cipher_text', 'random_data', 'data_key']) expect(text).not.toContain(`\\"${field}\\"`);
  });

  it('a refused call is a warning trace carrying the error body and the HTTP status; nothing changed', async () => {
    const kms = emulator();
    const h = kms.huawei;
    const id = (await h.call('create-key', { key_alias: 'w' })).key_info.key_id as string;
    const e = await failure(h.call('enable-key', { key_id: id }));
    expect([e.status, e.code]).toEqual([400, 'KMS.1201']);
    const missing = await failure(h.call('schedule-key-deletion', { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', pending_days: '7' }));
    expect([missing.status, missing.code]).toEqual([404, 'KMS.0207']);
    const [enable, schedule] = h.traces().slice(1);
    expect(enable).toMatchObject({ trace_name: 'enableKey', trace_rating: 'warning', code: '400', resource_id: id, message: 'The key is not disabled.', location_info: 'KMS.1201' });
    expect(JSON.parse(enable!.response)).toEqual({ error: { error_code: 'KMS.1201', error_msg: 'The key is not disabled.' } });
    expect(schedule).toMatchObject({ trace_name: 'scheduleKeyDeletion', trace_rating: 'warning', code: '404', resource_id: '' });
    expect((await h.call('describe-key', { key_id: id })).key_info.key_state).toBe('2');
  });
});
