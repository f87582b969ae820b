/**
 * Helpers for the Huawei dialect tests: a server with Huawei credentials (two domains), the real
 * `@huaweicloud/huaweicloud-sdk-core` client pointed at it (its AK/SK signer and HTTP layer, as
 * KmsClient uses them: the KMS service package is not on the registry here), and in-process
 * emulators on a manual clock.
 */
import log4js from 'log4js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { expect } from 'vitest';
import { createKms, ManualClock, type Kms } from '../../src/index.js';
import type { HuaweiError } from '../../src/dialects/huawei/errors.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.js';

// The SDK core logs every failed request at ERROR level through log4js: keep test output quiet.
log4js.configure({ appenders: { none: { type: 'stdout' } }, categories: { default: { appenders: ['none'], level: 'off' } } });

export const START = '2026-01-01T00:00:00Z';

/** Two accounts (domains), each with an IAM user, and their projects in cn-north-4. */
export const OWNER = {
  ak: 'HPUAOWNER0000000000001',
  sk: 'owner-secret-key-0000000000000000000000',
  domainId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  projectId: '3f2e1d0c9b8a79685746352413021f0e',
  userId: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  userName: 'alice',
};
export const GRANTEE = {
  ak: 'HPUAGRANTEE00000000002',
  sk: 'grantee-secret-key-000000000000000000000',
  domainId: 'f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4',
  projectId: '0e1f2d3c4b5a69788796a5b4c3d2e1f0',
  userId: 'b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7',
  userName: 'bob',
};

export const CREDENTIALS = {
  version: 1 as const,
  credentials: [OWNER, GRANTEE].map((who) => ({
    provider: 'huawei' as const,
    accessKey: who.ak,
    secretKey: who.sk,
    account: who.domainId,
    projectId: who.projectId,
    principal: { type: 'user' as const, name: who.userName, id: who.userId },
  })),
};

export type HuaweiServer = RunningServer & { close(): Promise<void> };

/** A server on 127.0.0.1:0 with the two Huawei credentials; `close()` checks for internal errors. */
export async function serveHuawei(options: ServerOptions = {}): Promise<HuaweiServer> {
  const server = await startServer({ host: '127.0.0.1', port: 0, credentials: CREDENTIALS, clock: new ManualClock(START), ...options });
  return {
    ...server,
    async close() {
      await server.close();
      expect(server.kms.huawei.internalErrors.recent()).toEqual([]);
    },
  };
}

export interface SdkResult {
  status: number;
  body: any;
  requestId: string | undefined;
}

/**
 * The real Huawei SDK core client (`ClientBuilder`, `BasicCredentials` with AK/SK and project id,
 * `withEndpoint`): `send` issues `HcClient.sendRequest` as KmsClient does and returns the status
 * and the raw body (the core's exception drops the nested `error.error_code`, so it is read here).
 */
export function sdkClient(url: string, who: { ak: string; sk: string; projectId: string }) {
  const hc: HcClient = new ClientBuilder((client: HcClient) => client)
    .withCredential(new BasicCredentials().withAk(who.ak).withSk(who.sk).withProjectId(who.projectId))
    .withEndpoint(url)
    .build();
  async function send(method: string, path: string, data?: Record<string, unknown>, query: Record<string, string> = {}): Promise<SdkResult> {
    let raw: string | undefined;
    let headers: Record<string, string> = {};
    const options = {
      method,
      url: path,
      contentType: 'application/json;charset=UTF-8',
      queryParams: query,
      pathParams: {},
      headers: {},
      ...(data !== undefined ? { data } : {}),
      axiosRequestConfig: {
        transformResponse: [
          (text: string, h: Record<string, string>) => {
            raw = text;
            headers = { ...h };
            try {
              return JSON.parse(text);
            } catch {
              return text;
            }
          },
        ],
      },
    };
    try {
      const response: any = await hc.sendRequest(options as any);
      const { httpStatusCode, ...body } = response;
      return { status: httpStatusCode, body, requestId: headers['x-request-id'] };
    } catch (e: any) {
      if (typeof e?.httpStatusCode !== 'number') throw e;
      expect(e.requestId ?? headers['x-request-id']).toBeTruthy();
      return { status: e.httpStatusCode, body: raw ? JSON.parse(raw) : undefined, requestId: e.requestId ?? headers['x-request-id'] };
    }
  }
  return {
    send,
    /** POST /v1.0/{project_id}/kms/<verb> */
    kms: (verb: string, data: Record<string, unknown> = {}) => send('POST', `/v1.0/{project_id}/kms/${verb}`, data),
  };
}

export type SdkClient = ReturnType<typeof sdkClient>;

/** Expects a documented Huawei error: HTTP status and `{"error":{"error_code","error_msg"}}`. */
export function expectError(result: SdkResult, status: number, code: string): void {
  expect({ status: result.status, code: result.body?.error?.error_code }).toEqual({ status, code });
  expect(typeof result.body.error.error_msg).toBe('string');
}

/** An in-process emulator on a manual clock. */
export function emulator(options: { seed?: string } = {}): Kms<ManualClock> {
  return createKms({ clock: new ManualClock(START), ...(options.seed ? { seed: options.seed } : {}) });
}

/** The HuaweiError a call fails with. */
export async function failure(promise: Promise<unknown>): Promise<HuaweiError> {
  try {
    await promise;
  } catch (e) {
    return e as HuaweiError;
  }
  throw new Error('expected the call to fail');
}

/** hex(DEK) followed by hex(digest(DEK)), as encrypt-datakey's plain_text wants it. */
export function dekPlainText(dek: Uint8Array, digest: (b: Uint8Array) => Uint8Array): string {
  return Buffer.from(dek).toString('hex') + Buffer.from(digest(dek)).toString('hex');
}
