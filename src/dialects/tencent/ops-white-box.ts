/** Tencent white-box keys: create, describe, enable/disable, delete, EncryptByWhiteBox and device fingerprints (containers: white-box.ts). */
import { toBase64, utf8 } from '../../crypto/bytes.js';
import type { WhiteBoxKeyInfo } from '../../engine/white-box.js';
import { fault, TencentFault } from './errors.js';
import { secs, uinValue } from './metadata.js';
import { WHITE_BOX_REGIONS } from './model.generated.js';
import { whiteBoxContainer } from './white-box.js';
import { base64Bytes, type Call, checkAlias, checkTags, FINGERPRINT, type Handler, KEY_ID, LIMITS, tagResult, tagsMatch, touch } from './call.js';

function requireWhiteBoxRegion(call: Call): void {
  if (!WHITE_BOX_REGIONS.includes(call.realm.region)) {
    throw new TencentFault('UnsupportedRegion', `White-box keys are not offered in region ${call.realm.region}.`);
  }
}

function whiteBoxId(call: Call, value: string): string {
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  if (!KEY_ID.test(value)) throw fault(call.action, ['InvalidParameterValue.InvalidKeyId'], 'InvalidParameterValue', `The KeyId ${value} is invalid.`);
  return value.toLowerCase();
}

function whiteBoxIds(call: Call, ids: string[]): string[] {
  if (ids.length === 0 || ids.length > LIMITS.whiteBoxBatch) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `KeyIds must hold 1 to ${LIMITS.whiteBoxBatch} key ids.`);
  const out = ids.map((id) => whiteBoxId(call, id));
  if (new Set(out).size !== out.length) throw fault(call.action, ['InvalidParameterValue.DuplicatedKeyId'], 'InvalidParameterValue', 'A KeyId is repeated.');
  return out;
}

function whiteBoxInfo(call: Call, key: WhiteBoxKeyInfo): Record<string, unknown> {
  const { secret } = call.engine.whiteBoxSecret(call.ctx, key.id);
  const creator = key.creator === key.realm.account || key.creator === '' ? key.realm.account : key.creator;
  return {
    KeyId: key.id,
    Alias: key.alias,
    CreatorUin: uinValue(creator),
    Description: key.description,
    CreateTime: secs(key.createdAt),
    Status: key.state,
    OwnerUin: uinValue(key.realm.account),
    Algorithm: key.algorithm,
    EncryptKey: whiteBoxContainer(key.algorithm, 'encrypt', secret),
    DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret),
    ResourceId: `creatorUin/${creator}/${key.id}`,
    DeviceFingerprintBind: key.deviceFingerprints.length > 0,
  };
}

export const createWhiteBoxKey: Handler = (call) => {
  const { engine, ctx, input } = call;
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  checkAlias(call, input.Alias);
  if (input.Algorithm !== 'AES_256' && input.Algorithm !== 'SM4') throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `Algorithm ${input.Algorithm} is invalid.`);
  if (input.Description !== undefined && utf8(input.Description).length > LIMITS.descriptionBytes) {
    throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `The description must be at most ${LIMITS.descriptionBytes} bytes.`);
  }
  const tags = checkTags(call, input.Tags);
  const { key, secret } = engine.createWhiteBoxKey(ctx, {
    alias: input.Alias,
    algorithm: input.Algorithm,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    tags,
    limit: LIMITS.whiteBoxKeys,
  });
  touch(call, key);
  return {
    KeyId: key.id,
    EncryptKey: whiteBoxContainer(key.algorithm, 'encrypt', secret),
    DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret),
    ...tagResult(input.Tags),
  };
};

export const describeWhiteBoxKey: Handler = (call) => {
  const key = call.engine.describeWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return { KeyInfo: whiteBoxInfo(call, key) };
};

export const describeWhiteBoxKeyDetails: Handler = (call) => {
  const { input } = call;
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  const status: number | undefined = input.KeyStatus;
  if (status !== undefined && status !== 0 && status !== 1) throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', 'KeyStatus must be 0 or 1.');
  const limit: number = input.Limit ?? 0;
  const offset: number = input.Offset ?? 0;
  const keys = call.engine
    .listWhiteBoxKeys(call.ctx)
    .filter((k) => (status === undefined || k.state === (status === 1 ? 'Enabled' : 'Disabled')) && tagsMatch(k.tags, input.TagFilters));
  // Limit 0: no paging.
  const page = limit === 0 ? keys.slice(offset) : keys.slice(offset, offset + limit);
  return { KeyInfos: page.map((k) => whiteBoxInfo(call, k)), TotalCount: keys.length };
};

export const describeWhiteBoxDecryptKey: Handler = (call) => {
  const { key, secret } = call.engine.whiteBoxSecret(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return { DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret) };
};

export const describeWhiteBoxServiceStatus: Handler = (call) => {
  call.trail.whiteBox = true;
  return { ServiceEnabled: WHITE_BOX_REGIONS.includes(call.realm.region) };
};

export const encryptByWhiteBox: Handler = (call) => {
  const { input } = call;
  const id = whiteBoxId(call, input.KeyId);
  const plaintext = base64Bytes(call, input.PlainText, 'PlainText', ['InvalidParameterValue'], [0, LIMITS.plaintextBytes]);
  const iv = input.InitializationVector !== undefined && input.InitializationVector !== '' ? base64Bytes(call, input.InitializationVector, 'InitializationVector', ['InvalidParameterValue'], [16, 16]) : undefined;
  const result = call.engine.whiteBoxEncrypt(call.ctx, id, plaintext, iv);
  touch(call, result.key);
  return { InitializationVector: toBase64(result.iv), CipherText: toBase64(result.ciphertext) };
};

export function whiteBoxSwitch(operation: 'enableWhiteBoxKey' | 'disableWhiteBoxKey', many: boolean): Handler {
  return (call) => {
    const ids = many ? whiteBoxIds(call, call.input.KeyIds) : [whiteBoxId(call, call.input.KeyId)];
    // Every key must exist before any changes.
    for (const id of ids) touch(call, call.engine.describeWhiteBoxKey(call.ctx, id));
    for (const id of ids) call.engine[operation](call.ctx, id);
    return {};
  };
}

export const deleteWhiteBoxKey: Handler = (call) => {
  touch(call, call.engine.deleteWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId)));
  return {};
};

export const overwriteWhiteBoxDeviceFingerprints: Handler = (call) => {
  const { input } = call;
  const id = whiteBoxId(call, input.KeyId);
  const list: Array<{ Identity: string; Description?: string }> = input.DeviceFingerprints ?? [];
  if (list.length > LIMITS.fingerprints) throw fault(call.action, ['LimitExceeded.FingerprintsLimitExceeded'], 'LimitExceeded', `At most ${LIMITS.fingerprints} device fingerprints may be bound.`);
  for (const f of list) {
    if (!FINGERPRINT.test(f.Identity)) throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `The device fingerprint ${f.Identity} is invalid.`);
    if (f.Description !== undefined && utf8(f.Description).length > LIMITS.descriptionBytes) {
      throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `A fingerprint description must be at most ${LIMITS.descriptionBytes} bytes.`);
    }
  }
  const key = call.engine.setWhiteBoxFingerprints(
    call.ctx,
    id,
    list.map((f) => (f.Description !== undefined ? { identity: f.Identity, description: f.Description } : { identity: f.Identity })),
  );
  touch(call, key);
  return {};
};

export const describeWhiteBoxDeviceFingerprints: Handler = (call) => {
  const key = call.engine.describeWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return {
    DeviceFingerprints: key.deviceFingerprints.map((f) => (f.description !== undefined ? { Identity: f.identity, Description: f.description } : { Identity: f.identity })),
  };
};
