/**
 * CloudTrail's LookupEvents (API 2013-11-01, JSON 1.1, X-Amz-Target
 * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`) over the KMS events of the
 * caller's account and region: newest first, one lookup attribute, a time range, pages of at most
 * 50 whose NextToken is bound to the query (engine: audit-query.ts). The events are the CloudTrail
 * records of `kms.aws.cloudTrail()`, each with its record as the `CloudTrailEvent` JSON string.
 *
 * CloudTrail's error names are its own; their messages are not documented, so these are the
 * emulator's words (docs/server.md, "CloudTrail LookupEvents").
 */
import type { AuditEvent } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isKmsError } from '../../engine/errors.js';
import type { Realm } from '../../engine/types.js';
import { isPlainObject } from '../shared.js';
import { keyArn } from './arn.js';
import { eventNameOf, toCloudTrail } from './cloudtrail.js';
import { AwsServiceError } from './errors.js';

/** CloudTrail's X-Amz-Target prefixes: botocore (the AWS CLI) sends the long one, the Smithy SDKs the short one. */
const CLOUDTRAIL_TARGET_PREFIXES = ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.', 'CloudTrail_20131101.'] as const;

/** The CloudTrail operation an X-Amz-Target names, or undefined when it is not CloudTrail's. */
export function cloudTrailOperation(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  for (const prefix of CLOUDTRAIL_TARGET_PREFIXES) if (target.startsWith(prefix)) return target.slice(prefix.length);
  return undefined;
}

export const LOOKUP_ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type AttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

/** The model's bounds: MaxResults 1–50 (default 50), an attribute value 1–2,000 characters, one attribute. */
export const LOOKUP_LIMITS = { maxResults: 50, defaultResults: 50, valueLength: 2000 } as const;

const EVENT_SOURCE = 'kms.amazonaws.com';
const RESOURCE_TYPE = 'AWS::KMS::Key';

/** One event as LookupEvents returns it (times in epoch seconds, as JSON 1.1 carries them). */
export interface LookupEvent {
  EventId: string;
  EventName: string;
  ReadOnly: 'true' | 'false';
  AccessKeyId?: string;
  EventTime: number;
  EventSource: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  CloudTrailEvent: string;
}

interface Query {
  attribute?: { key: AttributeKey; value: string };
  start?: number;
  end?: number;
  insight: boolean;
  maxResults: number;
  nextToken?: string;
}

/** CloudTrail's answer to a failure of its own (HTTP 500). */
export class CloudTrailInternalFailure extends AwsServiceError {
  override readonly httpStatusCode = 500;
  override readonly $fault = 'server' as const;
  constructor() {
    super('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
  }
}

function fault(code: string, message: string): AwsServiceError {
  return new AwsServiceError(code, message);
}

function serialization(member: string, expected: string, value: unknown): AwsServiceError {
  const found = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new AwsServiceError('SerializationException', `Expected ${expected} for '${member}' but found ${found}`);
}

/** A JSON 1.1 timestamp (epoch seconds) or, in process, a Date: epoch ms. */
function timestamp(member: string, value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : Number.NaN;
  if (value instanceof Date || typeof value === 'number') {
    if (!Number.isFinite(ms)) throw fault('InvalidTimeRangeException', `${member} is not a valid time.`);
    return ms;
  }
  throw serialization(member, 'a timestamp', value);
}

/** Checks the request as CloudTrail does; throws its errors. */
function parseQuery(input: unknown): Query {
  if (!isPlainObject(input)) throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.');
  const query: Query = { insight: false, maxResults: LOOKUP_LIMITS.defaultResults };
  const attributes = input.LookupAttributes;
  if (attributes !== undefined && attributes !== null) {
    if (!Array.isArray(attributes)) throw serialization('LookupAttributes', 'a list', attributes);
    if (attributes.length > 1) throw fault('InvalidLookupAttributesException', 'Only one lookup attribute can be specified.');
    const a: unknown = attributes[0];
    if (a !== undefined) {
      if (!isPlainObject(a)) throw serialization('LookupAttributes.member', 'a structure', a);
      const { AttributeKey: key, AttributeValue: value } = a;
      if (typeof key !== 'string' || !(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
        throw fault('InvalidLookupAttributesException', `AttributeKey must be one of ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}.`);
      }
      if (typeof value !== 'string' || value.length < 1 || value.length > LOOKUP_LIMITS.valueLength) {
        throw fault('InvalidLookupAttributesException', `AttributeValue must be a string of 1 to ${LOOKUP_LIMITS.valueLength} characters.`);
      }
      if (key === 'ReadOnly' && value !== 'true' && value !== 'false') throw fault('InvalidLookupAttributesException', 'The value of ReadOnly must be true or false.');
      query.attribute = { key: key as AttributeKey, value };
    }
  }
  if (input.StartTime !== undefined && input.StartTime !== null) query.start = timestamp('StartTime', input.StartTime);
  if (input.EndTime !== undefined && input.EndTime !== null) query.end = timestamp('EndTime', input.EndTime);
  if (query.start !== undefined && query.end !== undefined && query.start > query.end) {
    throw fault('InvalidTimeRangeException', 'The start time must not be after the end time.');
  }
  const category = input.EventCategory;
  if (category !== undefined && category !== null) {
    if (category !== 'insight') throw fault('InvalidEventCategoryException', 'EventCategory must be insight.');
    query.insight = true;
  }
  const max = input.MaxResults;
  if (max !== undefined && max !== null) {
    if (typeof max !== 'number') throw serialization('MaxResults', 'an integer', max);
    if (!Number.isInteger(max) || max < 1 || max > LOOKUP_LIMITS.maxResults) {
      throw fault('InvalidMaxResultsException', `MaxResults must be an integer from 1 to ${LOOKUP_LIMITS.maxResults}.`);
    }
    query.maxResults = max;
  }
  const token = input.NextToken;
  if (token !== undefined && token !== null) {
    if (typeof token !== 'string') throw serialization('NextToken', 'a string', token);
    if (token !== '') query.nextToken = token;
  }
  return query;
}

/** The user name CloudTrail shows for an event: root, the IAM user's name, the role session's name. */
function username(event: AuditEvent): string | undefined {
  const p = event.principal;
  if (!p) return undefined;
  if (p.type === 'root') return 'root';
  const name = p.name ?? p.id;
  return p.type === 'role' ? name.slice(name.lastIndexOf('/') + 1) : name;
}

function resourceNames(event: AuditEvent): string[] {
  return event.resources.map((r) => keyArn({ account: r.account, region: r.region }, r.keyId));
}

function matches(event: AuditEvent, key: AttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return event.eventId === value;
    case 'EventName':
      return eventNameOf(event) === value;
    case 'ReadOnly':
      return String(event.readOnly) === value;
    case 'Username':
      return username(event) === value;
    case 'ResourceType':
      return value === RESOURCE_TYPE && event.resources.length > 0;
    case 'ResourceName':
      return resourceNames(event).includes(value);
    case 'EventSource':
      return value === EVENT_SOURCE;
    case 'AccessKeyId':
      return event.principal?.accessKeyId === value;
  }
}

/** Renders one neutral event as a LookupEvents Event. */
export function toLookupEvent(event: AuditEvent): LookupEvent {
  const record = toCloudTrail(event);
  const name = username(event);
  const accessKeyId = event.principal?.accessKeyId;
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: event.readOnly ? 'true' : 'false',
    ...(accessKeyId ? { AccessKeyId: accessKeyId } : {}),
    EventTime: Math.floor(event.time / 1000),
    EventSource: EVENT_SOURCE,
    ...(name !== undefined ? { Username: name } : {}),
    Resources: resourceNames(event).map((arn) => ({ ResourceType: RESOURCE_TYPE, ResourceName: arn })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

/**
 * LookupEvents for a caller in `realm` over the engine's audit stream: the KMS events (API calls of
 * the AWS dialect, service events) of that account and region. Throws AwsServiceError.
 */
export function lookupEvents(engine: Engine, realm: Realm, input: unknown, isAwsEvent: (event: AuditEvent) => boolean): { Events: LookupEvent[]; NextToken?: string } {
  const q = parseQuery(input);
  // Insights events are not emulated: an insight lookup finds none.
  if (q.insight && q.nextToken === undefined) return { Events: [] };
  const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  const filter = (e: AuditEvent): boolean =>
    !q.insight &&
    isAwsEvent(e) &&
    e.realm.account === realm.account &&
    e.realm.region === realm.region &&
    (q.start === undefined || seconds(e.time) >= q.start) &&
    (q.end === undefined || seconds(e.time) <= q.end) &&
    (q.attribute === undefined || matches(e, q.attribute.key, q.attribute.value));
  // The token is bound to the caller's realm and every parameter but MaxResults.
  const scope = JSON.stringify(['cloudtrail:LookupEvents', realm.account, realm.region, q.attribute?.key ?? null, q.attribute?.value ?? null, q.start ?? null, q.end ?? null, q.insight]);
  let page;
  try {
    page = engine.auditPage(scope, filter, q.maxResults, q.nextToken);
  } catch (e) {
    if (isKmsError(e) && e.code === 'InvalidMarker') throw fault('InvalidNextTokenException', 'The NextToken is not valid for this request.');
    throw e;
  }
  return { Events: page.items.map(toLookupEvent), ...(page.nextMarker !== undefined ? { NextToken: page.nextMarker } : {}) };
}
