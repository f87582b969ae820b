/**
 * The fuzzer's own calls (state probes, checks of acknowledged changes): valid requests of each
 * protocol, signed when the server checks signatures, with a counter of everything sent.
 */
import { Agent } from 'node:http';
import { b64, json, type Member, type Pairs, pairsObject, rawObject } from './model.js';
import { HUAWEI_PROJECT } from './server.js';
import { type Answer, bytes, judge, type ProtocolName, send, signedHeaders, type Verdict, type WireRequest } from './wire.js';

export class Client {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  sent = 0;

  constructor(
    public url: string,
    public signed: boolean,
  ) {}

  /** Sends `wire` (signed when the server checks signatures); `finish` alters the signed request; `signed` receives its headers. */
  async raw(wire: WireRequest, finish?: (headers: Record<string, string>) => { headers: Record<string, string>; body: Uint8Array }, seen?: (headers: Record<string, string>) => void): Promise<Answer> {
    const headers = await signedHeaders(wire, this.url, this.signed);
    seen?.(headers);
    const out = finish ? finish(headers) : { headers, body: wire.body };
    this.sent++;
    return send(this.url, wire.path, out.headers, out.body, this.agent, wire.method ?? 'POST', wire.chunked ?? false);
  }

  async call(protocol: ProtocolName, op: string, members: Member[], options: { path?: string; method?: string; region?: string } = {}): Promise<Verdict & { label: string }> {
    const path = options.path ?? (protocol === 'huawei' ? `/v1.0/${HUAWEI_PROJECT}/kms/${op}` : '/');
    const body = options.method === 'GET' ? new Uint8Array(0) : bytes(rawObject(members));
    const wire: WireRequest = { protocol, op, path, body, ...(options.method ? { method: options.method } : {}), ...(options.region !== undefined ? { region: options.region } : {}) };
    return { ...judge(protocol, await this.raw(wire)), label: `${protocol} ${op} ${rawObject(members).slice(0, 200)}` };
  }

  /** Decrypts an acknowledged ciphertext with `context`; the plaintext, or the error code. */
  async decrypt(protocol: ProtocolName, blob: string, context: Pairs | undefined): Promise<{ plaintext?: string; code: string; unexpected?: string }> {
    const ctx = context ?? [];
    let r;
    if (protocol === 'aws') r = await this.call(protocol, 'Decrypt', [['CiphertextBlob', json(blob)], ...(context ? [['EncryptionContext', pairsObject(ctx)] as Member] : [])]);
    else if (protocol === 'tencent') r = await this.call(protocol, 'Decrypt', [['CiphertextBlob', json(blob)], ...(context ? [['EncryptionContext', json(pairsObject(ctx))] as Member] : [])]);
    else r = await this.call(protocol, 'decrypt-data', [['cipher_text', json(blob)], ...(context ? [['encryption_context', pairsObject(ctx)] as Member] : [])]);
    if (!r.ok) return { code: r.code, ...(r.unexpected ? { unexpected: r.unexpected } : {}) };
    return { plaintext: plaintextOf(protocol, r.body), code: 'OK' };
  }

  /** The key's description as its protocol gives it (undefined: not found), with its alias. */
  async describe(protocol: ProtocolName, id: string): Promise<Verdict & { alias?: string }> {
    if (protocol === 'aws') return this.call(protocol, 'DescribeKey', [['KeyId', json(id)]]);
    if (protocol === 'tencent') {
      const r = await this.call(protocol, 'DescribeKey', [['KeyId', json(id)]]);
      return { ...r, ...(r.ok ? { alias: r.body?.KeyMetadata?.Alias } : {}) };
    }
    const r = await this.call(protocol, 'describe-key', [['key_id', json(id)]]);
    return { ...r, ...(r.ok ? { alias: r.body?.key_info?.key_alias } : {}) };
  }

  /** Tag key → value of a key (AWS, Huawei). */
  async tags(protocol: ProtocolName, id: string): Promise<Map<string, string> | string> {
    if (protocol === 'aws') {
      const r = await this.call(protocol, 'ListResourceTags', [['KeyId', json(id)], ['Limit', '50']]);
      if (!r.ok) return r.code;
      return new Map((r.body?.Tags ?? []).map((t: { TagKey: string; TagValue: string }) => [t.TagKey, t.TagValue]));
    }
    const r = await this.call(protocol, 'show-kms-tags', [], { path: `/v1.0/${HUAWEI_PROJECT}/kms/${id}/tags`, method: 'GET' });
    if (!r.ok) return r.code;
    return new Map((r.body?.tags ?? []).map((t: { key: string; value: string }) => [t.key, t.value]));
  }

  /** Every AWS alias name → target key id (paged). */
  async awsAliases(): Promise<Map<string, string> | string> {
    const out = new Map<string, string>();
    let marker: string | undefined;
    do {
      const r = await this.call('aws', 'ListAliases', [['Limit', '100'], ...(marker ? [['Marker', json(marker)] as Member] : [])]);
      if (!r.ok) return r.code;
      for (const a of r.body?.Aliases ?? []) if (a.TargetKeyId) out.set(a.AliasName, a.TargetKeyId);
      marker = r.body?.Truncated ? r.body.NextMarker : undefined;
    } while (marker);
    return out;
  }

  /**
   * A cheap picture of the state a refused request must not change: key and alias counts of its
   * protocol (in the request's Tencent region), and the named key's description, tags and grants.
   */
  async probe(protocol: ProtocolName, keyId: string | undefined, region: string | undefined): Promise<string> {
    const parts: unknown[] = [];
    const strip = (r: Verdict, pick: (b: any) => unknown) => (r.ok ? pick(r.body) : r.code);
    if (protocol === 'aws') {
      let count = 0;
      let marker: string | undefined;
      do {
        const r = await this.call('aws', 'ListKeys', [['Limit', '1000'], ...(marker ? [['Marker', json(marker)] as Member] : [])]);
        if (!r.ok) return `ListKeys ${r.code}`;
        count += r.body?.Keys?.length ?? 0;
        marker = r.body?.Truncated ? r.body.NextMarker : undefined;
      } while (marker);
      const aliases = await this.awsAliases();
      parts.push(count, typeof aliases === 'string' ? aliases : [...aliases].sort());
      if (keyId) {
        parts.push(strip(await this.describe('aws', keyId), (b) => ({ ...b.KeyMetadata, LastUsed: undefined })));
        const tags = await this.tags('aws', keyId);
        parts.push(typeof tags === 'string' ? tags : [...tags].sort());
        parts.push(strip(await this.call('aws', 'ListGrants', [['KeyId', json(keyId)], ['Limit', '100']]), (b) => b.Grants));
      }
    } else if (protocol === 'tencent') {
      for (const r of new Set([undefined, region])) {
        const out = await this.call('tencent', 'ListKeys', [['Limit', '1']], r === undefined ? {} : { region: r });
        parts.push(strip(out, (b) => b.TotalCount));
      }
      if (keyId) parts.push(strip(await this.describe('tencent', keyId), (b) => b.KeyMetadata));
    } else {
      parts.push(strip(await this.call('huawei', 'list-keys', [['limit', json('1000')], ['key_spec', json('ALL')]]), (b) => b.total));
      if (keyId) {
        parts.push(strip(await this.describe('huawei', keyId), (b) => b.key_info));
        const tags = await this.tags('huawei', keyId);
        parts.push(typeof tags === 'string' ? tags : [...tags].sort());
      }
    }
    return JSON.stringify(parts);
  }

  /** Grant id → its constraint (AWS ListGrants). */
  async grants(keyId: string): Promise<Map<string, unknown> | string> {
    const r = await this.call('aws', 'ListGrants', [['KeyId', json(keyId)], ['Limit', '100']]);
    if (!r.ok) return r.code;
    return new Map((r.body?.Grants ?? []).map((g: { GrantId: string; Constraints?: unknown }) => [g.GrantId, g.Constraints]));
  }

  close(): void {
    this.agent.destroy();
  }
}

export { b64 };

/** The plaintext of a decrypt answer (AWS and Tencent base64, Huawei as given). */
export function plaintextOf(protocol: ProtocolName, body: any): string | undefined {
  if (protocol === 'huawei') return body?.plain_text;
  return typeof body?.Plaintext === 'string' ? Buffer.from(body.Plaintext, 'base64').toString('utf8') : undefined;
}
