/** Injected faults (src/faults.ts) in Tencent Cloud's words: common API 3.0 error codes, HTTP 200. */
import type { Engine } from '../../engine/engine.js';
import type { FaultKind } from '../../faults.js';
import { injectProviderFault, stringMember } from '../shared.js';
import { TencentFault } from './errors.js';

/** Called by the dialect pipeline (src/dialects/pipeline.ts) when faults are set: waits, then throws the fault's Tencent error. */
export function injectFault(engine: Engine, action: string, params: unknown): Promise<void> {
  return injectProviderFault(engine, 'tencent', action, stringMember(params, 'KeyId'), tencentFaultError);
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
