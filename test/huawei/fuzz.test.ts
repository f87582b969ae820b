/**
 * Property-based fuzzing of the Huawei dialect: every implemented verb, driven through
 * `kms.huawei.invoke` with bodies built from the generated request models (valid values, values
 * of the wrong type, out-of-range numbers, malformed ids, missing fields, extra fields) and through
 * `kms.huawei.handle` with arbitrary paths and bodies. Properties after every call:
 *   - the outcome is a success, or a documented KMS.xxxx code with its documented HTTP status;
 *   - `kms.huawei.internalErrors` stays empty (no unexpected exception);
 *   - a failed call changes no key, alias or grant (the snapshot's realms are unchanged).
 *
 * Longer runs: FUZZ_RUNS=2000 [FUZZ_SEED=<n>] npx vitest run test/huawei/fuzz.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRORS, MODELS, OPERATIONS, type FieldModel } from '../../src/dialects/huawei/model.generated.js';
import { GRANT_OPERATIONS, HANDLERS } from '../../src/dialects/huawei/operations.js';
import { UNLISTED_ERRORS } from '../../src/dialects/huawei/errors.js';
import { emulator } from './support.js';

const envRuns = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
const RUNS = Number.isFinite(envRuns) && envRuns > 0 ? envRuns : 150;
const envSeed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
const SEED = Number.isFinite(envSeed) ? envSeed : 0x687561;
const VERBS = Object.keys(HANDLERS);

/** Key specs fast enough to create many times (RSA 3072/4096 key generation would dominate). */
const FAST_SPECS = ['AES_256', 'SM4', 'EC_P256', 'SECP256K1', 'SM2', 'ED25519', 'HMAC_256', 'RSA_2048', 'HMAC_SM3', 'AES_512'];

/** Names of the alias API (and a URN of the first) that the fuzzed calls create, move and delete. */
const ALIASES = ['alias/fz1', 'alias/fz2', 'kms:cn-north-4:0a1b2c3d4e5f60718293a4b5c6d7e8f9:alias:fz1'];

function valueFor(name: string, field: FieldModel, keyIds: readonly string[], storeIds: readonly string[] = []): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string(), fc.constant({}), fc.constant([]), fc.constant('-1'), fc.constant(''));
  let good: fc.Arbitrary<unknown>;
  if (name === 'keystore_id') good = fc.constantFrom('0', '1', '2', '0d0466b0-e727-4d9c-b35d-f84bb474a37f', ...storeIds);
  else if (/key_id$/.test(name)) good = fc.oneof(fc.constantFrom(...keyIds), fc.uuid(), fc.constant('0d0466b0-e727-4d9c-b35d-f84bb474a37f'), fc.constantFrom(...ALIASES));
  else if (name === 'alias') good = fc.constantFrom(...ALIASES, 'alias/obs/default', 'fz1', '__proto__');
  else if (name === 'keyspace_id') good = fc.constantFrom('6b3c1d2e-0f4a-4b5c-8d6e-7f8091a2b3c4', 'space');
  else if (name === 'policy') good = fc.oneof(fc.constantFrom('{"version":"1.0"}', '{"version":"1.0","allowed_access_point":["a"]}', '{}'), fc.json());
  else if (name === 'policy_name') good = fc.constantFrom('p1', 'p2', 'bad name');
  else if (name === 'aliases') good = fc.array(fc.constantFrom(...ALIASES, 'fz1'), { maxLength: 3 });
  else if (name === 'key_spec') good = fc.constantFrom(...(field.enum ?? []).filter((s) => !/RSA_(3072|4096)/.test(s)), ...FAST_SPECS);
  else if (field.enum) good = fc.constantFrom(...field.enum);
  else if (name === 'operations') good = fc.subarray([...GRANT_OPERATIONS]);
  else if (name === 'grant_id') good = fc.stringMatching(/^[0-9a-f]{64}$/);
  else if (name === 'sequence') good = fc.uuid();
  else if (['datakey_length', 'random_data_length'].includes(name)) good = fc.integer({ min: 0, max: 9000 }).map(String);
  else if (['datakey_plain_length', 'datakey_cipher_length'].includes(name)) good = fc.integer({ min: 0, max: 1100 }).map(String);
  else if (name === 'pending_days') good = fc.integer({ min: 0, max: 1200 }).map(String);
  else if (['limit', 'marker', 'offset'].includes(name)) good = fc.integer({ min: -2, max: 50 }).map(String);
  else if (name === 'rotation_interval') good = fc.integer({ min: 0, max: 400 });
  else if (['message', 'signature', 'mac', 'cipher_text', 'import_token', 'encrypted_key_material'].includes(name)) {
    good = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex')));
  } else if (name === 'plain_text') good = fc.oneof(fc.string({ maxLength: 50 }), fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('hex')));
  else if (field.type === 'integer') good = fc.integer({ min: -10, max: 2_000_000_000 });
  else if (field.type === 'boolean') good = fc.boolean();
  else if (field.type === 'list') good = fc.array(fc.record({ key: fc.string({ maxLength: 40 }), value: fc.string({ maxLength: 45 }), values: fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }) }), { maxLength: 12 });
  else if (field.type === 'object') good = fc.oneof(fc.record({ key: fc.string({ maxLength: 40 }), value: fc.string({ maxLength: 45 }) }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })));
  else good = fc.string({ maxLength: 60 });
  return fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: junk });
}

/** A body for `verb`: each model field present (good or junk) or absent, path parameters included. */
function bodyFor(verb: string, keyIds: readonly string[], storeIds: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const model = verb === 'delete-key-risk-tips' ? 'OperateKeyRequestBody' : OPERATIONS[verb]?.body;
  const fields: Record<string, FieldModel> = { ...(model ? MODELS[model] : {}) };
  for (const p of OPERATIONS[verb]?.pathParams ?? []) fields[p] = { type: 'string', required: true };
  for (const q of OPERATIONS[verb]?.query ?? []) fields[q] ??= { type: 'string' };
  if (verb.includes('crypt') || verb.includes('datakey')) fields.encryption_context = { type: 'object' };
  const entries = Object.entries(fields).map(([name, field]) => [name, fc.option(valueFor(name, field, keyIds, storeIds), { nil: undefined, freq: field.required ? 10 : 3 })] as const);
  return fc.record(Object.fromEntries(entries)).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

function realms(kms: ReturnType<typeof emulator>): string {
  const s = kms.snapshot();
  return JSON.stringify([s.realms, s.keyStores]);
}

describe('fuzzing the Huawei dialect', () => {
  it('every verb with generated bodies: success or a documented code with its status, no internal error, failures change nothing', async () => {
    const kms = emulator();
    const h = kms.huawei;
    const keyIds: string[] = [];
    for (const [spec, alias] of [['AES_256', 'fa'], ['SM4', 'fs'], ['EC_P256', 'fe'], ['HMAC_256', 'fh'], ['SM2', 'f2']] as const) {
      keyIds.push((await h.call('create-key', { key_alias: alias, key_spec: spec })).key_info.key_id);
    }
    keyIds.push((await h.call('create-key', { key_alias: 'fx', origin: 'external' })).key_info.key_id);
    const storeIds = [(await h.call('create-key-store', { keystore_alias: 'fuzz-store' })).keystore.keystore_id as string];
    keyIds.push((await h.call('create-key', { key_alias: 'fk', keystore_id: storeIds[0] })).key_info.key_id);
    const calls = fc.array(fc.constantFrom(...VERBS).chain((verb) => bodyFor(verb, keyIds, storeIds).map((body) => ({ verb, body }))), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(calls, async (sequence) => {
        for (const { verb, body } of sequence) {
          const before = realms(kms);
          const outcome = await h.invoke(verb, body);
          expect(h.internalErrors.recent()).toEqual([]);
          if (!outcome.ok) {
            const documented = ERRORS[outcome.error.code] ?? UNLISTED_ERRORS[outcome.error.code];
            expect(documented, `${verb} ${outcome.error.code}`).toBeDefined();
            expect([outcome.error.status, outcome.error.message]).toEqual(documented);
            expect(realms(kms), `${verb} failed with ${outcome.error.code} but changed state`).toBe(before);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('HTTP: arbitrary paths, methods and bodies get a documented code (or a success), never an internal error', async () => {
    const kms = emulator();
    const paths = fc.oneof(
      fc.constantFrom(...VERBS).map((v) => `/v1.0/p1/kms/${v}`),
      // The REST-shaped routes (keystores, access points) with their path parameters filled in.
      fc.tuple(fc.constantFrom(...VERBS.filter((v) => !OPERATIONS[v]?.path.includes('/kms/{') && OPERATIONS[v]?.path.includes('{project_id}'))), fc.constantFrom('0d0466b0-e727-4d9c-b35d-f84bb474a37f', 'x', '%00'))
        .map(([v, id]) => OPERATIONS[v]!.path.replace('{project_id}', 'p1').replace(/\{[a-z_]+\}/g, id)),
      fc.string({ maxLength: 30 }).map((s) => `/v1.0/p1/kms/${encodeURIComponent(s)}`),
      fc.string({ maxLength: 30 }).map((s) => `/${s}`),
      fc.constant('/v1.0/p1/kms/0d0466b0-e727-4d9c-b35d-f84bb474a37f/tags/%E0%A4%A'),
    );
    const bodies = fc.oneof(fc.string({ maxLength: 80 }), fc.json(), fc.constant('{"key_id":'), fc.constant('[]'), fc.constant('null'));
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'), bodies, async (path, method, body) => {
        const response = await kms.huawei.handle(method, path, '', {}, body);
        expect(kms.huawei.internalErrors.recent()).toEqual([]);
        expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        if (response.status >= 300) {
          const parsed = JSON.parse(new TextDecoder().decode(response.body));
          const code = parsed.error?.error_code ?? parsed.error_code;
          const documented = ERRORS[code] ?? UNLISTED_ERRORS[code];
          expect(documented ?? (code?.startsWith('CTS.') ? [response.status] : undefined), `${method} ${path} → ${code}`).toBeDefined();
          if (documented) expect(response.status).toBe(documented[0]);
        }
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});
