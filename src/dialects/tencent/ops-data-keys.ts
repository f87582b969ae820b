/**
 * Tencent hosted data keys: ImportDataKey, GenerateDataKey with IsHostedByKms (see ops-symmetric.ts),
 * DescribeDataKey(s), ListDataKeys, ListDataKeyDetail, Enable/DisableDataKey(s),
 * Schedule/CancelDataKeyDeletion, GetDataKeyPlaintext, GetDataKeyCiphertextBlob,
 * UpdateDataKeyName, UpdateDataKeyDescription (engine room: src/engine/data-keys.ts).
 */
import { utf8 } from '../../crypto/bytes.js';
import type { DataKeyInfo, DataKeyState } from '../../engine/data-keys.js';
import type { KeyRef } from '../../engine/types.js';
import { fromCiphertextBlob, toCiphertextBlob } from './ciphertext.js';
import { fault } from './errors.js';
import { secs, tencentKeyUsage, uinValue, UNMODELLED_MEMBERS } from './metadata.js';
import { deliver, recipientOf } from './recipient.js';
import { aliasOf, base64Bytes, type Call, checkTags, existing, type Handler, inRange, KEY_ID, keyRef, LIMITS, tagResult, tagsMatch, touch } from './call.js';

/** Hosted data keys' own limits: descriptions of at most 100 bytes; names as aliases are written (the documentation gives no pattern). */
export const DATA_KEY_LIMITS = { descriptionBytes: 100, batch: 100 };
const DATA_KEY_NAME = /^[A-Za-z0-9_-]{1,60}$/;

export const DATA_KEY_STATE: Readonly<Record<DataKeyState, string>> = { Enabled: 'Enabled', Disabled: 'Disabled', PendingDeletion: 'PendingDelete' };
const STATE_FILTER: readonly (string | undefined)[] = [undefined, 'Enabled', 'Disabled', 'PendingDelete'];

export function dataKeyId(call: Call, value: string): string {
  if (!KEY_ID.test(value)) throw fault(call.action, ['InvalidParameterValue.InvalidDataKeyId'], 'InvalidParameterValue', `The DataKeyId ${value} is invalid.`);
  return value.toLowerCase();
}

function dataKeyIds(call: Call, ids: string[]): string[] {
  if (ids.length === 0 || ids.length > DATA_KEY_LIMITS.batch) {
    throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `DataKeyIds must hold 1 to ${DATA_KEY_LIMITS.batch} data key ids.`);
  }
  const out = ids.map((id) => dataKeyId(call, id));
  const seen = new Set<string>();
  for (const id of out) {
    if (seen.has(id)) throw fault(call.action, ['InvalidParameterValue.DuplicatedDataKeyId'], 'InvalidParameterValue', `The DataKeyId ${id} is repeated.`);
    seen.add(id);
  }
  return out;
}

export function checkDataKeyName(call: Call, name: string | undefined): string {
  if (name === undefined || !DATA_KEY_NAME.test(name)) {
    throw fault(call.action, ['InvalidParameterValue.InvalidDataKeyName'], 'InvalidParameterValue', name === undefined ? 'DataKeyName is required.' : `The DataKeyName ${name} is invalid.`);
  }
  return name;
}

export function checkDataKeyDescription(call: Call, description: string | undefined): string | undefined {
  if (description !== undefined && utf8(description).length > DATA_KEY_LIMITS.descriptionBytes) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `The description of a data key must be at most ${DATA_KEY_LIMITS.descriptionBytes} bytes.`);
  }
  return description;
}

/** GenerateDataKey's hosting members: undefined when the data key is not hosted (IsHostedByKms absent or 0). */
export function hostingOf(call: Call): { name: string; description?: string } | undefined {
  const { input } = call;
  const hosted: number | undefined = input.IsHostedByKms;
  if (hosted === undefined || hosted === 0) return undefined;
  if (hosted !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'IsHostedByKms must be 0 or 1.');
  const name = checkDataKeyName(call, input.DataKeyName);
  const description = checkDataKeyDescription(call, input.Description);
  return { name, ...(description !== undefined ? { description } : {}) };
}

function trail(call: Call, key: DataKeyInfo): void {
  touch(call, { id: key.id, realm: key.realm });
}

function creatorOf(key: DataKeyInfo): string {
  return key.creator === '' ? key.realm.account : key.creator;
}

export function dataKeyMetadata(call: Call, key: DataKeyInfo): Record<string, unknown> {
  const cmk = call.engine.findKey(call.ctx, { keyId: key.keyId });
  const creator = creatorOf(key);
  return {
    DataKeyId: key.id,
    KeyId: key.keyId,
    KeyName: cmk ? aliasOf(call, cmk) : '',
    DataKeyName: key.name,
    NumberOfBytes: key.numberOfBytes,
    CreateTime: secs(key.createdAt),
    Description: key.description,
    KeyState: DATA_KEY_STATE[key.state],
    CreatorUin: uinValue(creator),
    Owner: 'user',
    DeletionDate: key.deletionDate !== undefined ? secs(key.deletionDate) : 0,
    Origin: key.origin === 'GENERATED' ? 'TENCENT_KMS' : 'EXTERNAL',
    HsmClusterId: '',
    ResourceId: `creatorUin/${creator}/${key.id}`,
    ...UNMODELLED_MEMBERS,
    CreatorUinString: creator,
  };
}

export const importDataKey: Handler = (call) => {
  const { engine, ctx, input } = call;
  const name = checkDataKeyName(call, input.DataKeyName);
  const description = checkDataKeyDescription(call, input.Description);
  const type: number = input.ImportType;
  if (type !== 1 && type !== 2) throw fault(call.action, ['InvalidParameterValue.InvalidType'], 'InvalidParameterValue', `ImportType ${type} is invalid.`);
  const ref: KeyRef | undefined = input.KeyId !== undefined && input.KeyId !== '' ? keyRef(call, input.KeyId) : undefined;
  if (type === 2 && !ref) throw fault(call.action, ['InvalidParameterValue.InvalidKeyId', 'InvalidParameter'], 'InvalidParameterValue', 'KeyId is required to import a plaintext data key.');
  const tags = checkTags(call, input.Tags);
  const source =
    type === 2
      ? { kind: 'plaintext' as const, plaintext: base64Bytes(call, input.ImportKeyMaterial, 'ImportKeyMaterial', ['InvalidParameterValue.InvalidImportKeyMaterial', 'InvalidParameterValue.InvalidPlaintext'], LIMITS.dataKeyBytes) }
      : { kind: 'ciphertext' as const, ciphertext: blobOf(call, input.ImportKeyMaterial) };
  if (ref) {
    const key = existing(call, ref);
    touch(call, key);
    if (tencentKeyUsage(key) !== 'ENCRYPT_DECRYPT') {
      throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `The KeyUsage of CMK ${key.id} is not ENCRYPT_DECRYPT.`);
    }
  }
  const made = engine.hostDataKey(ctx, ref, { name, ...(description !== undefined ? { description } : {}), source, tags });
  made.plaintext.fill(0);
  touch(call, made.key);
  trail(call, made.dataKey);
  return { KeyId: made.key.id, DataKeyId: made.dataKey.id, ...tagResult(input.Tags) };
};

function blobOf(call: Call, text: string): Uint8Array {
  const bytes = fromCiphertextBlob(text);
  if (!bytes) throw fault(call.action, ['InvalidParameterValue.InvalidImportKeyMaterial'], 'InvalidParameterValue', 'ImportKeyMaterial is not a ciphertext of KMS.');
  return bytes;
}

export const describeDataKey: Handler = (call) => {
  const key = call.engine.describeDataKey(call.ctx, dataKeyId(call, call.input.DataKeyId));
  trail(call, key);
  return { DataKeyMetadata: dataKeyMetadata(call, key) };
};

export const describeDataKeys: Handler = (call) => {
  const keys = dataKeyIds(call, call.input.DataKeyIds).map((id) => call.engine.describeDataKey(call.ctx, id));
  for (const k of keys) trail(call, k);
  return { DataKeyMetadatas: keys.map((k) => dataKeyMetadata(call, k)) };
};

/** The caller's data keys (Role 0) or those cloud products made for it (Role 1: none here), newest first unless asked. */
function userDataKeys(call: Call, role: number | undefined, ascending = false): DataKeyInfo[] {
  if (role !== undefined && role !== 0 && role !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'Role must be 0 or 1.');
  const keys = role === 1 ? [] : [...call.engine.listDataKeys(call.ctx)];
  return ascending ? keys : keys.reverse();
}

/** Offset and Limit (at most 200), refused with the code the action documents (ListDataKeys: InvalidParameterValue only). */
function pageOf(call: Call): { offset: number; limit: number } {
  const limit: number = call.input.Limit ?? LIMITS.listDefault;
  if (limit > LIMITS.listMax) throw fault(call.action, ['InvalidParameterValue', 'InvalidParameter'], 'InvalidParameterValue', `Limit must be at most ${LIMITS.listMax}.`);
  return { offset: call.input.Offset ?? 0, limit };
}

export const listDataKeys: Handler = (call) => {
  const { offset, limit } = pageOf(call);
  const keys = userDataKeys(call, call.input.Role);
  return { DataKeys: keys.slice(offset, offset + limit).map((k) => ({ DataKeyId: k.id })), TotalCount: keys.length };
};

export const listDataKeyDetail: Handler = (call) => {
  const { input } = call;
  const { offset, limit } = pageOf(call);
  const order: number = input.OrderType ?? 0;
  if (order !== 0 && order !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'OrderType must be 0 or 1.');
  const stateIndex: number = input.KeyState ?? 0;
  if (stateIndex < 0 || stateIndex >= STATE_FILTER.length) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `KeyState must be 0 to ${STATE_FILTER.length - 1}.`);
  const state = STATE_FILTER[stateIndex];
  const origin: string = input.Origin ?? '';
  if (!['', 'ALL', 'TENCENT_KMS', 'EXTERNAL'].includes(origin)) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Origin ${origin} is invalid.`);
  let cmkId: string | undefined;
  if (input.KeyId !== undefined && input.KeyId !== '') {
    const cmk = existing(call, keyRef(call, input.KeyId));
    touch(call, cmk);
    cmkId = cmk.id;
  }
  const search = typeof input.SearchKeyAlias === 'string' && input.SearchKeyAlias !== '' ? (input.SearchKeyAlias as string) : undefined;
  const length: number | undefined = input.DataKeyLen;
  const keys = userDataKeys(call, input.Role, order === 1).filter((k) => {
    const m = dataKeyOrigin(k);
    return (
      (state === undefined || DATA_KEY_STATE[k.state] === state) &&
      (origin === '' || origin === 'ALL' || m === origin) &&
      (cmkId === undefined || k.keyId === cmkId) &&
      (length === undefined || k.numberOfBytes === length) &&
      (search === undefined || k.id.includes(search) || k.name.includes(search)) &&
      tagsMatch(k.tags, input.TagFilters)
    );
  });
  return { DataKeyMetadatas: keys.slice(offset, offset + limit).map((k) => dataKeyMetadata(call, k)), TotalCount: keys.length };
};

function dataKeyOrigin(k: DataKeyInfo): string {
  return k.origin === 'GENERATED' ? 'TENCENT_KMS' : 'EXTERNAL';
}

/** Enable/DisableDataKey(s): every data key is checked (a dry run of the change) before any changes. */
export function dataKeySwitch(operation: 'enableDataKey' | 'disableDataKey', many: boolean): Handler {
  return (call) => {
    const { engine, ctx } = call;
    const ids = many ? dataKeyIds(call, call.input.DataKeyIds) : [dataKeyId(call, call.input.DataKeyId)];
    const dry = { ...ctx, dryRun: true };
    for (const id of ids) {
      trail(call, engine.describeDataKey(ctx, id));
      try {
        engine[operation](dry, id);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'DryRun') throw e;
      }
    }
    for (const id of ids) engine[operation](ctx, id);
    return {};
  };
}

export const scheduleDataKeyDeletion: Handler = (call) => {
  const id = dataKeyId(call, call.input.DataKeyId);
  const days = inRange(call, call.input.PendingWindowInDays, LIMITS.pendingWindowDays, 'PendingWindowInDays', ['InvalidParameter.InvalidPendingWindowInDays']);
  const key = call.engine.scheduleDataKeyDeletion(call.ctx, id, days);
  trail(call, key);
  return { DeletionDate: secs(key.deletionDate!), DataKeyId: key.id };
};

export const cancelDataKeyDeletion: Handler = (call) => {
  const id = dataKeyId(call, call.input.DataKeyId);
  trail(call, call.engine.describeDataKey(call.ctx, id));
  const key = call.engine.cancelDataKeyDeletion(call.ctx, id);
  return { DataKeyId: key.id };
};

export const getDataKeyPlaintext: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const id = dataKeyId(call, input.DataKeyId);
  const recipient = await recipientOf(call, input.EncryptionPublicKey, input.EncryptionAlgorithm);
  trail(call, engine.describeDataKey(ctx, id));
  const result = engine.dataKeyPlaintext(ctx, id);
  const plaintext = await deliver(recipient, result.plaintext);
  result.plaintext.fill(0);
  return { Plaintext: plaintext };
};

export const getDataKeyCiphertextBlob: Handler = (call) => {
  const result = call.engine.dataKeyCiphertext(call.ctx, dataKeyId(call, call.input.DataKeyId));
  trail(call, result.dataKey);
  return { CiphertextBlob: toCiphertextBlob(call.engine, result.ciphertext) };
};

export const updateDataKeyName: Handler = (call) => {
  const id = dataKeyId(call, call.input.DataKeyId);
  const name = checkDataKeyName(call, call.input.DataKeyName);
  trail(call, call.engine.updateDataKey(call.ctx, id, { name }));
  return {};
};

export const updateDataKeyDescription: Handler = (call) => {
  const id = dataKeyId(call, call.input.DataKeyId);
  const description = checkDataKeyDescription(call, call.input.Description) ?? '';
  trail(call, call.engine.updateDataKey(call.ctx, id, { description }));
  return {};
};
