/**
 * Two fixes for `@huaweicloud/huaweicloud-sdk-core` (3.1.x) when it talks to KMS, the emulator or
 * Huawei Cloud alike:
 *
 * 1. KMS answers errors nested, `{"error":{"error_code":"KMS.0207","error_msg":"…"}}`; the core's
 *    exception reads only `error.code` / `error_code`, so `errorCode` stays undefined.
 *    `kmsClientOptions()` gives the client an axios `transformResponse` that also sets the top-level
 *    `error_code` / `error_msg` of such a body: the thrown exception then has `errorCode`,
 *    `errorMsg`, `httpStatusCode` and `requestId`. Success bodies are parsed as before.
 * 2. On every failed request the core logs, at ERROR level through log4js's default category, an
 *    object holding the request's axios config, Authorization header included. `quietHuaweiSdkLog()`
 *    turns log4js's default category off (the SDK has no per-client logger option).
 *
 *   npx tsx examples/huawei-sdk.ts   (starts an emulator on a free port and shows both)
 */
import log4js from 'log4js';
import type { UserOptions } from '@huaweicloud/huaweicloud-sdk-core/UserOptions.js';

/** An axios transformResponse: JSON bodies parsed, KMS's nested error code and message lifted to the top. */
export function liftKmsError(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return data;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  const nested = record.error;
  if (typeof nested === 'object' && nested !== null && record.error_code === undefined) {
    const { error_code, error_msg } = nested as Record<string, unknown>;
    if (typeof error_code === 'string') return { ...record, error_code, error_msg };
  }
  return body;
}

/** Client options for `ClientBuilder.withOptions()` (or `KmsClient.newBuilder().withOptions()`). */
export function kmsClientOptions(): UserOptions {
  return { axiosRequestConfig: { transformResponse: [liftKmsError] } };
}

/**
 * Silences the SDK's log output: the core logs through log4js's default category (which it sets to
 * stdout at debug level when it loads). If your program logs with log4js itself, give your own
 * loggers named categories in your own `log4js.configure()` and keep `default` off instead.
 */
export function quietHuaweiSdkLog(): void {
  log4js.configure({ appenders: { off: { type: 'stdout' } }, categories: { default: { appenders: ['off'], level: 'off' } } });
}

// --- demo: `npx tsx examples/huawei-sdk.ts` -------------------------------------------------------

async function demo(): Promise<void> {
  const { ClientBuilder } = await import('@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js');
  const { BasicCredentials } = await import('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js');
  const { startServer } = await import('../src/server/server.js');
  const { DEFAULT_HUAWEI_PROJECT_ID } = await import('../src/index.js');
  quietHuaweiSdkLog();
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  try {
    const client = new ClientBuilder((hc) => hc)
      .withCredential(new BasicCredentials().withAk('AK-EXAMPLE').withSk('SK-EXAMPLE').withProjectId(DEFAULT_HUAWEI_PROJECT_ID))
      .withEndpoint(server.url)
      .withOptions(kmsClientOptions())
      .build();
    const request = (verb: string, data: Record<string, unknown>): Promise<any> =>
      client.sendRequest({ method: 'POST', url: `/v1.0/{project_id}/kms/${verb}`, contentType: 'application/json;charset=UTF-8', queryParams: {}, pathParams: {}, headers: {}, data } as never);
    const created = await request('create-key', { key_alias: 'example' });
    console.log(`created ${created.key_info.key_id}`);
    try {
      await request('describe-key', { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f' });
    } catch (e) {
      const { httpStatusCode, errorCode, errorMsg } = e as { httpStatusCode: number; errorCode: string; errorMsg: string };
      console.log(`refused: ${httpStatusCode} ${errorCode} ${errorMsg}`);
    }
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await demo();
