/**
 * How the AWS dialect reaches an external key store's XKS proxy. The XKS client arrives with the
 * proxy protocol modules (src/dialects/aws/xks/); until then an external key store cannot reach a
 * proxy, and every call that would is refused.
 */
import type { ExternalKeyCipher } from '../../engine/index.js';
import type { Call } from './call.js';
import { AwsServiceError } from './errors.js';
import { P } from './custom-key-stores.js';

export interface XksSettings {
  readonly endpoint: string;
  readonly path: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function xksSettings(p: ReadonlyMap<string, string>): XksSettings {
  return { endpoint: p.get(P.endpoint) ?? '', path: p.get(P.path) ?? '', accessKeyId: p.get(P.accessKeyId) ?? '', secretAccessKey: p.get(P.secretAccessKey) ?? '' };
}

const unreachable = (): AwsServiceError => new AwsServiceError('XksProxyUriUnreachableException', 'KMS was unable to reach the specified XksProxyUriPath.');

export async function checkProxy(_call: Call, _settings: XksSettings, _operation: string): Promise<void> {
  throw unreachable();
}

export async function proxyConnectionFailure(_call: Call, _settings: XksSettings): Promise<string | undefined> {
  return 'XKS_PROXY_NOT_REACHABLE';
}

export async function checkExternalKey(_call: Call, _settings: XksSettings, _xksKeyId: string): Promise<void> {
  throw unreachable();
}

export function externalCipher(_call: Call): ExternalKeyCipher {
  return {
    encrypt: () => Promise.reject(unreachable()),
    decrypt: () => Promise.reject(unreachable()),
  };
}
