/** Injected faults (src/faults.ts) in Huawei Cloud's words: KMS.xxxx codes and their HTTP statuses. */
import type { Engine } from '../../engine/engine.js';
import { type FaultKind, faultsOf, sufferFault } from '../../faults.js';
import { HuaweiError } from './errors.js';

export { hasFaults } from '../../faults.js';

/** Called first thing in `invoke` when faults are set: waits, then throws the fault's Huawei error. */
export async function injectFault(engine: Engine, verb: string, body: unknown): Promise<void> {
  const keyId = body !== null && typeof body === 'object' && typeof (body as { key_id?: unknown }).key_id === 'string' ? (body as { key_id: string }).key_id : undefined;
  const fault = faultsOf(engine).take({ provider: 'huawei', operation: verb, keyId });
  if (!fault) return;
  const kind = await sufferFault(fault);
  if (kind) throw huaweiFaultError(kind);
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
