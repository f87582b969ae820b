/**
 * Helpers for the Tencent dialect tests: an in-process emulator on a manual clock, a server with
 * Tencent credentials (signatures checked) on an OS-chosen port, and the real tencentcloud-sdk-nodejs
 * KMS and CloudAudit clients pointed at it.
 */
import { lookup as dnsLookup } from 'node:dns';
import { Agent } from 'node:http';
import { cloudaudit } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cloudaudit/index.js';
import { kms as kmsSdk } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/index.js';
import { expect } from 'vitest';
import { createKms, ManualClock, TencentCloudError, type Kms } from '../../src/index.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

export const START = '2026-01-01T00:00:00Z';
export const UIN = '100000000001';
export const REGION = 'ap-guangzhou';
export const FIPS_REGION = 'ap-singapore';

export const ROOT_KEY = { secretId: 'AKIDtencentroot000000000000000001', secretKey: 'tencent-root-secret' };
export const SUB_KEY = { secretId: 'AKIDtencentsub0000000000000000002', secretKey: 'tencent-sub-secret' };
export const SUB_UIN = '200000000002';

// Requests go to 127.0.0.1 directly, never through a proxy from the environment.
delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

/** A fresh emulator on a manual clock; check `kms.tencent.internalErrors` is empty with `done(kms)`. */
export function emulator(options: { seed?: string; region?: string } = {}): Kms<ManualClock> {
  return createKms({ clock: new ManualClock(START), ...(options.seed ? { seed: options.seed } : {}), tencent: { region: options.region ?? REGION } });
}

export function done(kms: Kms): void {
  expect(kms.tencent.internalErrors.recent()).toEqual([]);
}

/** The error of a call that must fail. */
export async function failure(promise: Promise<unknown>): Promise<TencentCloudError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TencentCloudError) return e;
    if (e && typeof e === 'object' && 'code' in e) return e as TencentCloudError;
    throw e;
  }
  throw new Error('expected the call to fail');
}

export const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
export const unb64 = (text: string) => Buffer.from(text, 'base64');

export interface TencentServer extends RunningServer {
  clock: ManualClock;
  /** A KMS client; `label: 'kms'` keeps the endpoint kms.tencentcloudapi.com:PORT (resolved to 127.0.0.1) so the SDK signs service "kms". */
  kmsClient(options?: { credential?: { secretId: string; secretKey: string }; region?: string; label?: '127' | 'kms' }): InstanceType<typeof kmsSdk.v20190118.Client>;
  auditClient(options?: { credential?: { secretId: string; secretKey: string } }): InstanceType<typeof cloudaudit.v20190319.Client>;
}

/** Resolves every host name to 127.0.0.1. */
function loopbackLookup(_host: string, options: unknown, callback: (...args: unknown[]) => void): void {
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}
void dnsLookup;

/** A server with Tencent credentials: a root key and a sub-account (CAM user) key of UIN 100000000001. */
export async function serveTencent(options: { seed?: string; dataDir?: string } = {}): Promise<TencentServer> {
  const clock = new ManualClock(START);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    clock,
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    credentials: {
      version: 1,
      credentials: [
        { provider: 'tencent', ...ROOT_KEY, account: UIN },
        { provider: 'tencent', ...SUB_KEY, account: UIN, principal: { type: 'user', name: 'alice', id: SUB_UIN } },
      ],
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const kmsAgent = new Agent({ keepAlive: true, maxSockets: 16, lookup: loopbackLookup as never });
  const profile = (label: '127' | 'kms' | 'cloudaudit') => ({
    httpProfile: {
      endpoint: label === '127' ? `127.0.0.1:${server.port}` : `${label}.tencentcloudapi.com:${server.port}`,
      protocol: 'http://',
      agent: label === '127' ? agent : kmsAgent,
      reqTimeout: 30,
    },
  });
  return {
    ...server,
    clock,
    kmsClient: (o = {}) => new kmsSdk.v20190118.Client({ credential: o.credential ?? ROOT_KEY, region: o.region ?? REGION, profile: profile(o.label ?? '127') }),
    auditClient: (o = {}) => new cloudaudit.v20190319.Client({ credential: o.credential ?? ROOT_KEY, region: REGION, profile: profile('cloudaudit') }),
    async close() {
      agent.destroy();
      kmsAgent.destroy();
      await server.close();
      expect(server.kms.tencent.internalErrors.recent()).toEqual([]);
    },
  };
}

/** sm-crypto's raw C1C3C2 hex (C1 without 04) as the GM/T 0009 DER structure AsymmetricSm2Decrypt takes. */
export function sm2Asn1(hex: string): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  const x = bytes.subarray(0, 32);
  const y = bytes.subarray(32, 64);
  const c3 = bytes.subarray(64, 96);
  const c2 = bytes.subarray(96);
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.of(0), v]);
    return tlv(0x02, v);
  };
  return tlv(0x30, Buffer.concat([int(x), int(y), tlv(0x04, c3), tlv(0x04, c2)]));
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, content]);
}
