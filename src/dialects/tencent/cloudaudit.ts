/**
 * CloudAudit (API 2019-03-19) Event records of KMS calls, rendered from the neutral audit stream,
 * and LookUpEvents over them. CloudAudit logs the KMS actions of its "Operations Logged by
 * CloudAudit" table (CLOUDAUDIT_EVENT_NAMES), failed calls included; ListKeys appears as `ListKey`.
 * Plaintext, key material, ciphertext and signatures never enter a record (the dialect strips them).
 */
import type { AuditEvent } from '../../engine/audit.js';
import { fromBase64, toBase64, utf8, fromUtf8 } from '../../crypto/bytes.js';
import { TencentFault } from './errors.js';
import { TITLES_CN } from './model.generated.js';

/** CloudAudit's Event structure. */
export interface CloudAuditEvent {
  EventId: string;
  EventName: string;
  /** The action's Chinese title, as the API reference names it (CloudAudit's example: LookUpEvents is 检索日志). */
  EventNameCn: string;
  EventTime: string;
  EventSource: string;
  EventRegion: string;
  ResourceRegion: string;
  Username: string;
  AccountID: number | string;
  /** The signing SecretId; '' when the call named none. */
  SecretId: string;
  /** '' when the call came from no address (in process). */
  SourceIPAddress: string;
  /** The IP's location: 未知 ("unknown", as CloudAudit shows an address it cannot place); no geolocation is emulated. */
  Location: string;
  /** The CAM authorization error code: 0 (the emulator authorizes every call). */
  ErrorCode: number;
  RequestID: string;
  ResourceTypeCn: string;
  Resources: { ResourceType: string; ResourceName: string };
  /** The full record as a JSON string (userIdentity, requestParameters, responseElements, …). */
  CloudAuditEvent: string;
}

/** The KMS actions CloudAudit logs, and the event name each is logged under. */
export const CLOUDAUDIT_EVENT_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'CreateKey', 'DescribeKey', 'DescribeKeys', 'ListKeyDetail', 'UpdateKeyDescription', 'UpdateAlias', 'EnableKey', 'DisableKey',
    'EnableKeys', 'DisableKeys', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'GetParametersForImport', 'ImportKeyMaterial',
    'CreateWhiteBoxKey', 'EncryptByWhiteBox', 'EnableWhiteBoxKey', 'DisableWhiteBoxKey', 'EnableWhiteBoxKeys', 'DisableWhiteBoxKeys',
    'DeleteWhiteBoxKey', 'DescribeWhiteBoxServiceStatus', 'OverwriteWhiteBoxDeviceFingerprints', 'DescribeWhiteBoxDeviceFingerprints',
    'DescribeWhiteBoxDecryptKey', 'Decrypt', 'Encrypt', 'SignByAsymmetricKey', 'VerifyByAsymmetricKey', 'ArchiveKey', 'CancelKeyArchive',
    'GetRegions', 'ReEncrypt', 'GenerateRandom', 'GenerateDataKey', 'GetServiceStatus', 'ListAlgorithms', 'DisableKeyRotation',
    'EnableKeyRotation', 'GetKeyRotationStatus', 'BindCloudResource', 'UnbindCloudResource', 'GetPublicKey', 'AsymmetricSm2Decrypt',
    'AsymmetricRsaDecrypt',
    // Hosted data keys: not in the console guide's table (it predates them); logged under their action names.
    'ImportDataKey', 'DescribeDataKey', 'DescribeDataKeys', 'ListDataKeys', 'ListDataKeyDetail', 'EnableDataKey', 'DisableDataKey',
    'EnableDataKeys', 'DisableDataKeys', 'ScheduleDataKeyDeletion', 'CancelDataKeyDeletion', 'GetDataKeyPlaintext',
    'GetDataKeyCiphertextBlob', 'UpdateDataKeyName', 'UpdateDataKeyDescription',
  ]
    .map((a) => [a, a] as [string, string])
    .concat([['ListKeys', 'ListKey']]),
);

export const KMS_EVENT_SOURCE = 'kms.tencentcloudapi.com';

/** CloudAudit's Location for an address it cannot place. */
const UNKNOWN_LOCATION = '未知';

function uinNumber(uin: string): number | string {
  return /^\d{1,15}$/.test(uin) ? Number(uin) : uin;
}

function resourceName(event: AuditEvent): string {
  return event.resources.map((r) => r.keyId).join(',');
}

/** The six-segment resource name: qcs::kms:<region>:uin/<owner>:key/creatorUin/<owner>/<id>. */
function qcsResource(event: AuditEvent, keyId: string, whiteBox: boolean): string {
  const { account, region } = event.realm;
  return `qcs::kms:${region}:uin/${account}:${whiteBox ? 'whitebox' : 'key'}/creatorUin/${account}/${keyId}`;
}

/** Renders one neutral API-call event as a CloudAudit Event. */
export function toCloudAuditEvent(event: AuditEvent): CloudAuditEvent {
  const p = event.principal;
  const account = event.realm.account;
  const root = !p || p.type === 'root';
  const username = root ? 'root' : (p.name ?? p.id);
  const secretId = typeof event.additional?.secretId === 'string' ? event.additional.secretId : null;
  const whiteBox = event.additional?.resourceType === 'whitebox';
  const time = String(Math.floor(event.time / 1000));
  const eventName = CLOUDAUDIT_EVENT_NAMES[event.action] ?? event.action;
  const name = resourceName(event);
  const detail = {
    userIdentity: {
      principalId: root ? account : (p?.id ?? account),
      accountId: account,
      secretId: secretId ?? '',
      sessionContext: JSON.stringify({ uin: root ? account : (p?.id ?? account), ownerUin: account, userIp: event.sourceIp ?? '', ua: event.userAgent ?? '' }),
      type: root ? 'Root' : 'CAMUser',
      userName: username,
    },
    eventRegion: event.realm.region,
    eventVersion: 2,
    errorCode: 0,
    errorMessage: '',
    requestID: event.requestId ?? '',
    eventID: event.eventId,
    apiVersion: '3.0',
    eventType: 'ApiCall',
    actionType: event.readOnly ? 'Read' : 'Write',
    httpMethod: 'POST',
    apiErrorCode: event.error ? event.error.code : 0,
    apiErrorMessage: event.error ? event.error.message : '',
    userAgent: event.userAgent ?? '',
    eventTime: time,
    sourceIPAddress: event.sourceIp ?? '',
    eventSource: KMS_EVENT_SOURCE,
    resources: JSON.stringify(event.resources.map((r) => qcsResource(event, r.keyId, whiteBox))),
    resourceName: name,
    resourceSet: event.resources.map((r) => ({ resourceType: whiteBox ? 'whitebox' : 'kms', resourceName: r.keyId })),
    requestParameters: JSON.stringify({ Action: event.action, Region: event.realm.region, ...((event.request as object | null) ?? {}) }),
    responseElements: JSON.stringify(event.response ?? {}),
    resourceType: 'kms',
    eventName,
    sensitiveAction: '0',
    tags: '',
  };
  return {
    EventId: event.eventId,
    EventName: eventName,
    EventNameCn: TITLES_CN[event.action] ?? '',
    EventTime: time,
    EventSource: KMS_EVENT_SOURCE,
    EventRegion: event.realm.region,
    ResourceRegion: event.realm.region,
    Username: username,
    AccountID: uinNumber(account),
    SecretId: secretId ?? '',
    SourceIPAddress: event.sourceIp ?? '',
    Location: UNKNOWN_LOCATION,
    ErrorCode: 0,
    RequestID: event.requestId ?? '',
    ResourceTypeCn: '密钥管理服务',
    Resources: { ResourceType: 'kms', ResourceName: name },
    CloudAuditEvent: JSON.stringify(detail),
  };
}

// ------------------------------------------------------------------ LookUpEvents

const ATTRIBUTE_KEYS = ['RequestId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'AccessKeyId', 'EventId'];
const MAX_RESULTS = 50;
const DEFAULT_RESULTS = 10;

function matches(event: CloudAuditEvent, key: string, value: string): boolean {
  switch (key) {
    case 'RequestId':
      return event.RequestID === value;
    case 'EventName':
      return event.EventName === value;
    case 'ReadOnly': {
      const read = (JSON.parse(event.CloudAuditEvent) as { actionType: string }).actionType === 'Read';
      return value === 'true' ? read : value === 'false' ? !read : true;
    }
    case 'Username':
      return event.Username === value;
    case 'ResourceType':
      return event.Resources.ResourceType === value;
    case 'ResourceName':
      return event.Resources.ResourceName.split(',').includes(value);
    case 'AccessKeyId':
      return event.SecretId === value;
    case 'EventId':
      return event.EventId === value;
    default:
      return false;
  }
}

/**
 * NextToken names the last event of the page (its EventId and time): the next page starts after it,
 * so events recorded between two pages neither repeat nor shift the listing. If that event has
 * since left the retained trail, the next page starts at the events older than its second.
 */
function nextToken(last: CloudAuditEvent): string {
  return toBase64(utf8(`lookup:${last.EventId}:${last.EventTime}`));
}

function tokenOf(token: string): { eventId: string; time: number } {
  const bytes = fromBase64(token);
  let text: string | undefined;
  try {
    text = bytes ? fromUtf8(bytes) : undefined;
  } catch {
    text = undefined;
  }
  const m = text ? /^lookup:([0-9a-f-]{1,64}):(\d{1,12})$/.exec(text) : null;
  if (!m) throw new TencentFault('InvalidParameterValue', 'The NextToken is invalid.');
  return { eventId: m[1]!, time: Number(m[2]) };
}

/** Where the page after the token's event starts in the newest-first list. */
function resume(selected: readonly CloudAuditEvent[], token: { eventId: string; time: number }): number {
  const at = selected.findIndex((e) => e.EventId === token.eventId);
  if (at >= 0) return at + 1;
  const older = selected.findIndex((e) => Number(e.EventTime) < token.time);
  return older >= 0 ? older : selected.length;
}

/** LookUpEvents over the given events (the caller's account): newest first, filtered, paged. */
export function lookUpEvents(all: readonly CloudAuditEvent[], input: Record<string, any>, _now: number): Record<string, unknown> {
  const start: number = input.StartTime;
  const end: number = input.EndTime;
  if (start > end) throw new TencentFault('InvalidParameterValue.Time', 'The start time cannot be after the end time.');
  const max: number = input.MaxResults ?? DEFAULT_RESULTS;
  if (max < 1 || max > MAX_RESULTS) throw new TencentFault('InvalidParameterValue.MaxResult', 'The maximum number of entries returned in one search is 50.');
  const attributes: Array<{ AttributeKey: string; AttributeValue?: string }> = input.LookupAttributes ?? [];
  for (const a of attributes) {
    if (!ATTRIBUTE_KEYS.includes(a.AttributeKey)) {
      throw new TencentFault('InvalidParameterValue.attributeKey', `Valid values of AttributeKey: ${ATTRIBUTE_KEYS.join(', ')}.`);
    }
  }
  if (input.Mode !== undefined && input.Mode !== 'standard' && input.Mode !== 'quick') {
    throw new TencentFault('InvalidParameterValue', 'Mode must be standard or quick.');
  }
  const token = input.NextToken !== undefined && input.NextToken !== '' ? tokenOf(input.NextToken) : undefined;
  const selected = all
    .filter((e) => {
      const t = Number(e.EventTime);
      return t >= start && t <= end && attributes.every((a) => a.AttributeValue === undefined || matches(e, a.AttributeKey, a.AttributeValue));
    })
    .reverse();
  const offset = token ? resume(selected, token) : 0;
  const page = selected.slice(offset, offset + max);
  const listOver = offset + max >= selected.length;
  return {
    Events: page,
    ListOver: listOver,
    TotalCount: selected.length,
    // Always a string: the token of the next page, or '' when the list is over.
    NextToken: listOver || page.length === 0 ? '' : nextToken(page.at(-1)!),
  };
}
