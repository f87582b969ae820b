import type { AuditEvent, JsonValue } from '../../engine/audit.js';
import { ServiceEvent } from '../../engine/audit.js';
import { keyArn, partitionOf } from './arn.js';

/** A CloudTrail record for KMS, as CloudTrail delivers it. */
export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: Record<string, JsonValue>;
  eventTime: string;
  eventSource: 'kms.amazonaws.com';
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: JsonValue | null;
  responseElements: JsonValue | null;
  additionalEventData?: Record<string, JsonValue>;
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources: Array<{ accountId: string; type: 'AWS::KMS::Key'; ARN: string }>;
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
  errorCode?: string;
  errorMessage?: string;
  serviceEventDetails?: Record<string, JsonValue>;
}

const SERVICE_EVENT_NAMES: Record<string, string> = {
  [ServiceEvent.rotateKey]: 'RotateKey',
  [ServiceEvent.deleteKey]: 'DeleteKey',
  [ServiceEvent.deleteExpiredKeyMaterial]: 'DeleteExpiredKeyMaterial',
};

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function userIdentity(event: AuditEvent): Record<string, JsonValue> {
  const p = event.principal;
  if (!p) return { accountId: event.realm.account, invokedBy: 'AWS Internal' };
  const partition = partitionOf(event.realm.region);
  const base = { accountId: p.account, ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}) };
  switch (p.type) {
    case 'root':
      return { type: 'Root', principalId: p.account, arn: `arn:${partition}:iam::${p.account}:root`, ...base };
    case 'user':
      return { type: 'IAMUser', principalId: p.id, arn: `arn:${partition}:iam::${p.account}:user/${p.name ?? p.id}`, ...base, userName: p.name ?? p.id };
    case 'role':
      return { type: 'AssumedRole', principalId: p.id, arn: `arn:${partition}:sts::${p.account}:assumed-role/${p.name ?? p.id}`, ...base };
    case 'service':
      return { type: 'AWSService', invokedBy: p.name ?? p.id };
  }
}

/** The record's eventName, without rendering the record. */
export function eventNameOf(event: AuditEvent): string {
  return event.kind === 'service_event' ? (SERVICE_EVENT_NAMES[event.action] ?? event.action) : event.action;
}

/** Renders one neutral audit event as a CloudTrail record. */
export function toCloudTrail(event: AuditEvent): CloudTrailRecord {
  const service = event.kind === 'service_event';
  const record: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: userIdentity(event),
    eventTime: isoSeconds(event.time),
    eventSource: 'kms.amazonaws.com',
    eventName: eventNameOf(event),
    awsRegion: event.realm.region,
    sourceIPAddress: service ? 'AWS Internal' : (event.sourceIp ?? 'AWS Internal'),
    userAgent: service ? 'AWS Internal' : (event.userAgent ?? 'AWS Internal'),
    requestParameters: event.request,
    responseElements: event.response,
    ...(event.requestId ? { requestID: event.requestId } : {}),
    eventID: event.eventId,
    readOnly: event.readOnly,
    resources: event.resources.map((r) => ({
      accountId: r.account,
      type: 'AWS::KMS::Key' as const,
      ARN: keyArn({ account: r.account, region: r.region }, r.keyId),
    })),
    eventType: service ? 'AwsServiceEvent' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: event.realm.account,
    eventCategory: 'Management',
  };
  if (service) {
    if (event.action === ServiceEvent.rotateKey && event.additional) {
      const a = event.additional;
      record.serviceEventDetails = {
        rotationType: a.rotationType ?? null,
        keyOrigin: a.keyOrigin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_KMS',
        previousKeyMaterialId: a.previousKeyMaterialId ?? null,
        currentKeyMaterialId: a.currentKeyMaterialId ?? null,
      };
    }
  } else if (event.additional) {
    record.additionalEventData = { ...event.additional };
  }
  if (event.error) {
    // CloudTrail names an access-denied refusal AccessDenied, not by its exception's name.
    record.errorCode = event.error.code === 'AccessDeniedException' ? 'AccessDenied' : event.error.code;
    record.errorMessage = event.error.message;
  }
  return record;
}
