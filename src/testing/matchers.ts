/**
 * Matchers over the emulator's audit trails, for `expect.extend` in vitest or jest:
 *
 *   expect(kms).toHaveCloudTrailEvent({ eventName: 'Decrypt', errorCode: 'AccessDeniedException' });
 *   expect(kms).toHaveCloudTrailEventTimes(2, { eventName: 'Encrypt' });
 *   expect(kms).toHaveCloudAuditEvent({ EventName: 'Encrypt' });            // Tencent CloudAudit
 *   expect(kms).toHaveCtsTrace({ trace_name: 'createKey', code: '200' });   // Huawei CTS
 *
 * `kms` is an emulator (createKms or a one-dialect factory), the dialect itself (`kms.aws`), or an
 * array of records. Patterns match partially at every depth; a failure lists the closest records.
 */
import type { CloudTrailRecord } from '../dialects/aws/cloudtrail.js';
import type { CtsTrace } from '../dialects/huawei/cts.js';
import type { CloudAuditEvent } from '../dialects/tencent/cloudaudit.js';
import { checkTrail, type MatcherContextLike, type TrailDescription } from './match.js';

/** Any of the record's fields, each a value, an asymmetric matcher, or (for nested objects and JSON strings) a nested pattern. */
export type RecordPattern<T> = { [K in keyof T]?: unknown };

export interface KmsMatchers<R = unknown> {
  /** The AWS CloudTrail trail has at least one record matching the pattern. */
  toHaveCloudTrailEvent(expected: RecordPattern<CloudTrailRecord>): R;
  /** Exactly `times` CloudTrail records match the pattern. */
  toHaveCloudTrailEventTimes(times: number, expected: RecordPattern<CloudTrailRecord>): R;
  /** Tencent's CloudAudit trail has at least one event matching (`CloudAuditEvent` may be given as an object). */
  toHaveCloudAuditEvent(expected: RecordPattern<CloudAuditEvent>): R;
  toHaveCloudAuditEventTimes(times: number, expected: RecordPattern<CloudAuditEvent>): R;
  /** Huawei's CTS trail has at least one trace matching (`request` and `response` may be given as objects). */
  toHaveCtsTrace(expected: RecordPattern<CtsTrace>): R;
  toHaveCtsTraceTimes(times: number, expected: RecordPattern<CtsTrace>): R;
}

interface Trail<T> extends TrailDescription<T> {
  /** The dialect property of an emulator, and its method that lists the records. */
  dialect: 'aws' | 'tencent' | 'huawei';
  method: string;
}

const CLOUDTRAIL: Trail<CloudTrailRecord> = {
  noun: 'CloudTrail event',
  dialect: 'aws',
  method: 'cloudTrail',
  label: (r) => `${r.eventName} at ${r.eventTime}${r.errorCode ? ` [${r.errorCode}]` : ''}`,
};
const CLOUDAUDIT: Trail<CloudAuditEvent> = {
  noun: 'CloudAudit event',
  dialect: 'tencent',
  method: 'auditEvents',
  label: (r) => `${r.EventName} at ${new Date(Number(r.EventTime) * 1000).toISOString().replace('.000Z', 'Z')}`,
};
const CTS: Trail<CtsTrace> = {
  noun: 'CTS trace',
  dialect: 'huawei',
  method: 'traces',
  label: (r) => `${r.trace_name} at ${new Date(r.time).toISOString().replace('.000Z', 'Z')} [${r.code}]`,
};

/** The records of a trail from an emulator, a dialect or an array. */
function recordsOf<T>(received: unknown, trail: Trail<T>, matcherName: string): readonly T[] {
  if (Array.isArray(received)) return received as T[];
  if (typeof received === 'object' && received !== null) {
    const holder = received as Record<string, unknown>;
    const direct = holder[trail.method];
    if (typeof direct === 'function') return (direct as () => T[]).call(received);
    const dialect = holder[trail.dialect] as Record<string, unknown> | undefined;
    if (dialect && typeof dialect[trail.method] === 'function') return (dialect[trail.method] as () => T[]).call(dialect);
  }
  throw new TypeError(
    `${matcherName}: expected an emulator with the ${trail.dialect} dialect (createKms()), kms.${trail.dialect}, or an array of ${trail.noun}s; got ${received === null ? 'null' : typeof received}`,
  );
}

type MatcherFn = (this: MatcherContextLike, received: unknown, ...args: unknown[]) => { pass: boolean; message: () => string };

function pair<T>(trail: Trail<T>, name: string): Record<string, MatcherFn> {
  return {
    [name](this: MatcherContextLike, received: unknown, expected: unknown) {
      return checkTrail(this, recordsOf(received, trail, name), expected, trail, undefined, name);
    },
    [`${name}Times`](this: MatcherContextLike, received: unknown, times: unknown, expected: unknown) {
      return checkTrail(this, recordsOf(received, trail, `${name}Times`), expected, trail, times as number, `${name}Times`);
    },
  };
}

/** The matchers, for `expect.extend(kmsMatchers)`. */
export const kmsMatchers = {
  ...pair(CLOUDTRAIL, 'toHaveCloudTrailEvent'),
  ...pair(CLOUDAUDIT, 'toHaveCloudAuditEvent'),
  ...pair(CTS, 'toHaveCtsTrace'),
} as Record<keyof KmsMatchers, MatcherFn>;
