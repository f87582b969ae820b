/**
 * What the fuzzer was told succeeded (acknowledged changes), and the valid requests of each
 * protocol built from it: a request is a list of JSON members as raw text, so that hostile
 * variants can add duplicate keys, `__proto__` members and values JSON.stringify cannot produce.
 */
import { HUAWEI_PROJECT } from './server.js';
import type { ProtocolName } from './wire.js';

/** A JSON member: its name and its value as raw JSON text. */
export type Member = [name: string, raw: string];
/** A string map as ordered pairs (so `__proto__` is an ordinary key). */
export type Pairs = Array<[string, string]>;

export const json = (v: unknown): string => JSON.stringify(v);
export const rawObject = (members: readonly Member[]): string => `{${members.map(([k, v]) => `${json(k)}:${v}`).join(',')}}`;
export const pairsObject = (pairs: Pairs): string => rawObject(pairs.map(([k, v]) => [k, json(v)]));
export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export type KeyRole = 'crypto' | 'victim';

export interface KeyRecord {
  id: string;
  role: KeyRole;
  /** The alias (AWS: alias name → this key; Tencent Alias; Huawei key_alias), when acknowledged. */
  alias?: string;
  /** Tag key → value acknowledged (AWS and Huawei). */
  tags: Map<string, string>;
  /** A successful request with hostile members touched the alias or tags: not checked any more. */
  uncertain: boolean;
}

export interface CiphertextRecord {
  protocol: ProtocolName;
  keyId: string;
  blob: string;
  context: Pairs;
  plaintext: string;
}

export interface GrantRecord {
  keyId: string;
  grantId: string;
  constraint: 'EncryptionContextSubset' | 'EncryptionContextEquals';
  context: Pairs;
}

export class Model {
  readonly keys: Record<ProtocolName, KeyRecord[]> = { aws: [], tencent: [], huawei: [] };
  readonly ciphertexts: CiphertextRecord[] = [];
  readonly grants: GrantRecord[] = [];
  /** AWS alias names acknowledged, with their key. */
  readonly awsAliases = new Map<string, string>();
  acknowledged = 0;

  pick(protocol: ProtocolName, role: KeyRole, n: number): KeyRecord | undefined {
    const list = this.keys[protocol].filter((k) => k.role === role);
    return list.length === 0 ? undefined : list[n % list.length];
  }

  pickCiphertext(protocol: ProtocolName, n: number): CiphertextRecord | undefined {
    const list = this.ciphertexts.filter((c) => c.protocol === protocol);
    return list.length === 0 ? undefined : list[list.length - 1 - (n % Math.min(list.length, 50))];
  }

  find(protocol: ProtocolName, id: string): KeyRecord | undefined {
    return this.keys[protocol].find((k) => k.id === id);
  }
}

/** A valid request before hostile changes: members, route, and what a success acknowledges. */
export interface Draft {
  op: string;
  path: string;
  method?: string;
  members: Member[];
  mutating: boolean;
  /** The model key the request names (probed before and after when refused). */
  key?: KeyRecord;
  /** The member holding a string map (where prototype-named keys go), and how it is written. */
  mapMember?: { name: string; style: 'object' | 'json-string' | 'tags' | 'huawei-tag' | 'constraints' };
  /** Decrypt: the acknowledged ciphertext it names (blob variants alter it). */
  ciphertext?: CiphertextRecord;
  /** Applies an acknowledged success to the model; `exact` is false when hostile members replaced known ones. */
  effect?: (body: any, exact: boolean, map: Pairs) => void;
}

const huaweiPath = (verb: string) => `/v1.0/${HUAWEI_PROJECT}/kms/${verb}`;

/** Builds a valid request of `op` (a name from OPS) on the model's keys; undefined if it needs a key there is none of. */
export function draft(model: Model, protocol: ProtocolName, op: string, n: number, seq: number): Draft | undefined {
  const crypto = model.pick(protocol, 'crypto', n);
  const victim = model.pick(protocol, 'victim', n);
  const plaintext = `plain-${seq}`;
  const keyEffect = (role: KeyRole, alias: string | undefined, id: (b: any) => string | undefined) => (body: any, exact: boolean) => {
    const keyId = id(body);
    if (typeof keyId === 'string') model.keys[protocol].push({ id: keyId, role, ...(exact && alias ? { alias } : {}), tags: new Map(), uncertain: !exact });
  };
  const cipherEffect = (key: KeyRecord, blob: (b: any) => unknown) => (body: any, exact: boolean, map: Pairs) => {
    const value = blob(body);
    if (exact && typeof value === 'string') model.ciphertexts.push({ protocol, keyId: key.id, blob: value, context: map, plaintext });
  };
  const role: KeyRole = seq % 3 === 0 ? 'victim' : 'crypto';
  const sealed = model.pickCiphertext(protocol, n);
  if (op === 'Decrypt' || op === 'decrypt-data') {
    if (!sealed) return undefined;
    const members: Member[] =
      protocol === 'aws'
        ? [['CiphertextBlob', json(sealed.blob)], ['EncryptionContext', pairsObject(sealed.context)]]
        : protocol === 'tencent'
          ? [['CiphertextBlob', json(sealed.blob)], ['EncryptionContext', json(pairsObject(sealed.context))]]
          : [['cipher_text', json(sealed.blob)], ['encryption_context', pairsObject(sealed.context)]];
    return { op, path: protocol === 'huawei' ? huaweiPath(op) : '/', mutating: false, members, ciphertext: sealed };
  }
  if (protocol === 'aws') {
    switch (op) {
      case 'CreateKey':
        return { op, path: '/', mutating: true, members: [['Description', json(`key ${seq}`)]], mapMember: { name: 'Tags', style: 'tags' }, effect: keyEffect(role, undefined, (b) => b?.KeyMetadata?.KeyId) };
      case 'Encrypt':
        if (!crypto) return undefined;
        return { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)], ['Plaintext', json(b64(plaintext))]], mapMember: { name: 'EncryptionContext', style: 'object' }, effect: cipherEffect(crypto, (b) => b?.CiphertextBlob) };
      case 'GenerateDataKey':
        if (!crypto) return undefined;
        return { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)], ['KeySpec', json('AES_256')]], mapMember: { name: 'EncryptionContext', style: 'object' } };
      case 'CreateAlias': {
        if (!crypto) return undefined;
        const name = `alias/fz-${seq}`;
        return {
          op, path: '/', mutating: true, key: crypto, members: [['AliasName', json(name)], ['TargetKeyId', json(crypto.id)]],
          effect: (_b, exact) => (exact ? model.awsAliases.set(name, crypto.id) : (crypto.uncertain = true)),
        };
      }
      case 'CreateGrant':
        if (!crypto) return undefined;
        return {
          op, path: '/', mutating: true, key: crypto,
          members: [['KeyId', json(crypto.id)], ['GranteePrincipal', json('arn:aws:iam::111122223333:user/fuzz')], ['Operations', json(['Decrypt', 'Encrypt'])]],
          mapMember: { name: 'Constraints', style: 'constraints' },
          effect: (b, exact, map) => {
            if (exact && typeof b?.GrantId === 'string' && map.length > 0) model.grants.push({ keyId: crypto.id, grantId: b.GrantId, constraint: seq % 2 ? 'EncryptionContextSubset' : 'EncryptionContextEquals', context: map });
          },
        };
      case 'TagResource':
        if (!crypto) return undefined;
        return { op, path: '/', mutating: true, key: crypto, members: [['KeyId', json(crypto.id)]], mapMember: { name: 'Tags', style: 'tags' }, effect: tagEffect(crypto) };
      case 'DescribeKey':
      case 'ListResourceTags':
      case 'ListGrants':
        return crypto ? { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)]] } : undefined;
      case 'ListKeys':
      case 'ListAliases':
        return { op, path: '/', mutating: false, members: [['Limit', '50']] };
      case 'UpdateKeyDescription':
        return crypto ? { op, path: '/', mutating: true, key: crypto, members: [['KeyId', json(crypto.id)], ['Description', json(`described ${seq}`)]] } : undefined;
      case 'DisableKey':
      case 'ScheduleKeyDeletion':
        return victim ? { op, path: '/', mutating: true, key: victim, members: [['KeyId', json(victim.id)], ...(op === 'ScheduleKeyDeletion' ? [['PendingWindowInDays', '7'] as Member] : [])] } : undefined;
    }
  }
  if (protocol === 'tencent') {
    switch (op) {
      case 'CreateKey': {
        const alias = `fz-${seq}`;
        return { op, path: '/', mutating: true, members: [['Alias', json(alias)], ['Description', json(`key ${seq}`)]], mapMember: { name: 'Tags', style: 'tags' }, effect: keyEffect(role, alias, (b) => b?.KeyId) };
      }
      case 'Encrypt':
        if (!crypto) return undefined;
        return { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)], ['Plaintext', json(b64(plaintext))]], mapMember: { name: 'EncryptionContext', style: 'json-string' }, effect: cipherEffect(crypto, (b) => b?.CiphertextBlob) };
      case 'GenerateDataKey':
        if (!crypto) return undefined;
        return { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)], ['KeySpec', json('AES_256')]], mapMember: { name: 'EncryptionContext', style: 'json-string' } };
      case 'UpdateAlias': {
        if (!crypto) return undefined;
        const alias = `fz-${seq}`;
        return { op, path: '/', mutating: true, key: crypto, members: [['KeyId', json(crypto.id)], ['Alias', json(alias)]], effect: (_b, exact) => (exact ? (crypto.alias = alias) : (crypto.uncertain = true)) };
      }
      case 'DescribeKey':
      case 'GetKeyRotationStatus':
        return crypto ? { op, path: '/', mutating: false, key: crypto, members: [['KeyId', json(crypto.id)]] } : undefined;
      case 'UpdateKeyDescription':
        return crypto ? { op, path: '/', mutating: true, key: crypto, members: [['KeyId', json(crypto.id)], ['Description', json(`described ${seq}`)]] } : undefined;
      case 'ListKeys':
        return { op, path: '/', mutating: false, members: [['Limit', '50']] };
      case 'GetRegions':
        return { op, path: '/', mutating: false, members: [] };
      case 'DisableKey':
      case 'ScheduleKeyDeletion':
        return victim ? { op, path: '/', mutating: true, key: victim, members: [['KeyId', json(victim.id)], ...(op === 'ScheduleKeyDeletion' ? [['PendingWindowInDays', '7'] as Member] : [])] } : undefined;
    }
  }
  if (protocol === 'huawei') {
    switch (op) {
      case 'create-key': {
        const alias = `fz-${seq}`;
        return { op, path: huaweiPath(op), mutating: true, members: [['key_alias', json(alias)], ['key_spec', json('AES_256')]], effect: keyEffect(role, alias, (b) => b?.key_info?.key_id) };
      }
      case 'encrypt-data':
        if (!crypto) return undefined;
        return { op, path: huaweiPath(op), mutating: false, key: crypto, members: [['key_id', json(crypto.id)], ['plain_text', json(plaintext)]], mapMember: { name: 'encryption_context', style: 'object' }, effect: cipherEffect(crypto, (b) => b?.cipher_text) };
      case 'create-datakey':
        if (!crypto) return undefined;
        return { op, path: huaweiPath(op), mutating: false, key: crypto, members: [['key_id', json(crypto.id)], ['datakey_length', json('512')]], mapMember: { name: 'encryption_context', style: 'object' } };
      case 'create-kms-tag':
        if (!crypto) return undefined;
        return { op, path: huaweiPath(`${crypto.id}/tags`), mutating: true, key: crypto, members: [], mapMember: { name: 'tag', style: 'huawei-tag' }, effect: tagEffect(crypto) };
      case 'update-key-alias': {
        if (!crypto) return undefined;
        const alias = `fz-${seq}`;
        return { op, path: huaweiPath(op), mutating: true, key: crypto, members: [['key_id', json(crypto.id)], ['key_alias', json(alias)]], effect: (_b, exact) => (exact ? (crypto.alias = alias) : (crypto.uncertain = true)) };
      }
      case 'describe-key':
        return crypto ? { op, path: huaweiPath(op), mutating: false, key: crypto, members: [['key_id', json(crypto.id)]] } : undefined;
      case 'update-key-description':
        return crypto ? { op, path: huaweiPath(op), mutating: true, key: crypto, members: [['key_id', json(crypto.id)], ['key_description', json(`described ${seq}`)]] } : undefined;
      case 'list-keys':
        return { op, path: huaweiPath(op), mutating: false, members: [['limit', json('50')]] };
      case 'disable-key':
      case 'schedule-key-deletion':
        return victim ? { op, path: huaweiPath(op), mutating: true, key: victim, members: [['key_id', json(victim.id)], ...(op === 'schedule-key-deletion' ? [['pending_days', json('7')] as Member] : [])] } : undefined;
    }
  }
  return undefined;
}

function tagEffect(key: KeyRecord) {
  return (_b: unknown, exact: boolean, map: Pairs) => {
    if (!exact) key.uncertain = true;
    else for (const [k, v] of map) key.tags.set(k, v);
  };
}

/** Operations by protocol, with weights (creates are rare: keys pile up and Huawei allows 100 per project). */
export const OPS: Record<ProtocolName, Array<[string, number]>> = {
  aws: [['CreateKey', 2], ['Encrypt', 6], ['Decrypt', 4], ['GenerateDataKey', 3], ['CreateAlias', 1], ['CreateGrant', 3], ['TagResource', 3], ['DescribeKey', 2], ['ListResourceTags', 1], ['ListGrants', 1], ['ListKeys', 1], ['ListAliases', 1], ['UpdateKeyDescription', 2], ['DisableKey', 1], ['ScheduleKeyDeletion', 1]],
  tencent: [['CreateKey', 2], ['Encrypt', 6], ['Decrypt', 4], ['GenerateDataKey', 3], ['UpdateAlias', 2], ['DescribeKey', 2], ['GetKeyRotationStatus', 1], ['UpdateKeyDescription', 2], ['ListKeys', 1], ['GetRegions', 1], ['DisableKey', 1], ['ScheduleKeyDeletion', 1]],
  huawei: [['create-key', 1], ['encrypt-data', 6], ['decrypt-data', 4], ['create-datakey', 3], ['create-kms-tag', 3], ['update-key-alias', 2], ['describe-key', 2], ['update-key-description', 2], ['list-keys', 1], ['disable-key', 1], ['schedule-key-deletion', 1]],
};

/** Renders a string map in the style of its member. */
export function renderMap(style: NonNullable<Draft['mapMember']>['style'], pairs: Pairs, seq: number): string {
  switch (style) {
    case 'object':
      return pairsObject(pairs);
    case 'json-string':
      return json(pairsObject(pairs));
    case 'tags':
      return `[${pairs.map(([k, v]) => rawObject([['TagKey', json(k)], ['TagValue', json(v)]])).join(',')}]`;
    case 'huawei-tag':
      return rawObject([['key', json(pairs[0]?.[0] ?? 'k')], ['value', json(pairs[0]?.[1] ?? 'v')]]);
    case 'constraints':
      return rawObject([[seq % 2 ? 'EncryptionContextSubset' : 'EncryptionContextEquals', pairsObject(pairs)]]);
  }
}
