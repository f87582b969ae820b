/** Injected faults (src/faults.ts) in Huawei Cloud's words: KMS.xxxx codes and their HTTP statuses. */
import type { Engine } from '../../engine/engine.js';
import type { FaultKind } from '../../faults.js';
import { injectProviderFault, stringMember } from '../shared.js';
import { HuaweiError } from './errors.js';

/** Called by the dialect pipeline (src/dialects/pipeline.ts) when faults are set: waits, then throws the fault's Huawei error. */
export function injectFault(engine: Engine, verb: string, body: unknown): Promise<void> {
  return injectProviderFault(engine, 'huawei', verb, stringMember(body, 'key_id'), huaweiFaultError);
}

/**
 * Throttling is the API gateway's (HTTP 429, APIGW.0308, in front of every Huawei Cloud service);
 * the others are KMS's own codes from its error table.
 */
const WORDS: Record<FaultKind, [number, string, string]> = {
  throttling: [429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit.'],
  internal: [500, 'KMS.0103', 'A system exception occurred. Contact technical support.'],
  'dependency-timeout': [503, 'KMS.0104', 'A system exception occurred. Contact technical support.'],
  'key-unavailable': [500, 'KMS.0102', 'Abnormal KMS I/O.'],
};

export function huaweiFaultError(kind: FaultKind): HuaweiError {
  const [status, code, message] = WORDS[kind];
  return new HuaweiError(status, code, message);
}
