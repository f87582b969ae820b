/** Injected faults (src/faults.ts) in Tencent Cloud's words: common API 3.0 error codes, HTTP 200. */
import type { Engine } from '../../engine/engine.js';
import { type FaultKind, faultsOf, sufferFault } from '../../faults.js';
import { TencentFault } from './errors.js';

export { hasFaults } from '../../faults.js';

/** Called first thing in `invoke` when faults are set: waits, then throws the fault's Tencent error. */
export async function injectFault(engine: Engine, action: string, params: unknown): Promise<void> {
  const keyId = params !== null && typeof params === 'object' && typeof (params as { KeyId?: unknown }).KeyId === 'string' ? (params as { KeyId: string }).KeyId : undefined;
  const fault = faultsOf(engine).take({ provider: 'tencent', operation: action, keyId });
  if (!fault) return;
  const kind = await sufferFault(fault);
  if (kind) throw tencentFaultError(kind);
}

const WORDS: Record<FaultKind, [string, string]> = {
  throttling: ['RequestLimitExceeded', 'The number of requests exceeds the frequency limit.'],
  internal: ['InternalError', 'An internal error occurred.'],
  'dependency-timeout': ['ServiceUnavailable', 'The service is temporarily unavailable. Try again later.'],
  'key-unavailable': ['ResourceUnavailable', 'The key is temporarily unavailable.'],
};

export function tencentFaultError(kind: FaultKind): TencentFault {
  const [code, message] = WORDS[kind];
  return new TencentFault(code, message);
}
