/**
 * Turns a Spec into a wire request against the model: the valid draft, the hostile change, the
 * mutation after signing; and a short label naming what is hostile about it (for the report).
 */
import { createHash } from 'node:crypto';
import { anyOperation } from './any-operation.js';
import { type HostileValue, describeValue, PROTO_NAMES, type Spec, writeValue } from './generators.js';
import { type Draft, draft, json, type Member, type Model, type Pairs, rawObject, renderMap } from './model.js';
import { bytes, type Mutation, type ProtocolName, type WireRequest } from './wire.js';

export interface Built {
  spec: Spec;
  draft: Draft;
  wire: WireRequest;
  /** The string map the request carries (encryption context, tags, constraint). */
  map: Pairs;
  /** False when a success does not say exactly what changed (hostile members replaced known ones). */
  exact: boolean;
  /** Anything hostile about the request (members, body or mutation). */
  hostile: boolean;
  /** Decrypt of an altered ciphertext: must be refused (`refuse`), or may decrypt to the same plaintext only (`same`). */
  blob?: 'refuse' | 'same';
  label: string;
}

const CREATE: Record<ProtocolName, string> = { aws: 'CreateKey', tencent: 'CreateKey', huawei: 'create-key' };
const DROPPABLE: Record<ProtocolName, string[]> = {
  aws: ['x-amz-date', 'authorization', 'x-amz-date'],
  tencent: ['x-tc-timestamp', 'authorization', 'x-tc-timestamp'],
  huawei: ['X-Sdk-Date', 'Authorization', 'X-Sdk-Content-Sha256'],
};
const INVALID: Record<string, number[]> = { 'invalid-utf8': [0xff, 0xfe], 'overlong-utf8': [0xc0, 0xaf], 'lone-surrogate': [0xed, 0xa0, 0x80], nul: [0x00] };
const MARK = '@@HOSTILE-BYTES@@';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes of a body with the hostile change of the spec applied. */
export function body(spec: Spec, members: Member[]): { body: Uint8Array; exact: boolean; label: string } {
  const v = spec.variant;
  if (v.kind !== 'body') return { body: bytes(rawObject(members)), exact: true, label: '' };
  const text = rawObject(members);
  switch (v.how) {
    case 'bom':
      return { body: concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes(text)), exact: false, label: 'body starts with a UTF-8 BOM' };
    case 'invalid-utf8':
    case 'overlong-utf8':
    case 'lone-surrogate':
    case 'nul': {
      const strings = members.map((m, i) => [m, i] as const).filter(([m]) => m[1].startsWith('"'));
      const [target, index] = strings.length > 0 ? strings[v.at % strings.length]! : [['Fuzz', '""'] as Member, members.length];
      const copy = [...members];
      copy[index] = [target[0], json(MARK)];
      const [before, after] = rawObject(copy).split(MARK) as [string, string];
      return { body: concat(bytes(before), Uint8Array.from(INVALID[v.how]!), bytes(after)), exact: false, label: `${v.how} bytes as member ${target[0]}` };
    }
    case 'duplicate-keys': {
      const first = members[v.at % Math.max(1, members.length)] ?? ['KeyId', '"x"'];
      return { body: bytes(rawObject([...members, [first[0], json('duplicate')]])), exact: false, label: `member ${first[0]} twice` };
    }
    case 'truncated': {
      const cut = text.length <= 1 ? 0 : 1 + (v.at % (text.length - 1));
      return { body: bytes(text.slice(0, cut)), exact: false, label: `JSON cut at ${cut} of ${text.length}` };
    }
    case 'non-object': {
      const raw = ['[]', '1', 'null', '"x"', `[${text}]`, 'true', '-0'][v.at % 7]!;
      return { body: bytes(raw), exact: false, label: `body ${raw.slice(0, 20)}` };
    }
    case 'trailing':
      return { body: bytes(`${text}${[' x', '{}', ',', ']'][v.at % 4]}`), exact: false, label: 'trailing bytes after the JSON' };
    case 'empty':
      return { body: new Uint8Array(0), exact: false, label: 'empty body' };
  }
}

function mutation(spec: Spec, signed: boolean, members: Member[]): { mutation?: Mutation; region?: string; label: string } {
  const m = spec.mutation;
  if (!m) return { label: '' };
  if (m.kind === 'odd-region') {
    if (spec.protocol === 'tencent') return { region: m.region, label: `X-TC-Region ${JSON.stringify(m.region.slice(0, 20))}${m.region.length > 20 ? `… (${m.region.length})` : ''}` };
    return signed ? { mutation: { kind: 'shift-date', seconds: 3600 }, label: 'date shifted 3600 s' } : { label: '' };
  }
  if (!signed) return { label: '' };
  const swapped = bytes(rawObject([...members, ['Description', json('swapped body')]]));
  switch (m.kind) {
    case 'flip-byte':
      return { mutation: m, label: `body bit ${m.bit} of byte ${m.at} flipped` };
    case 'swap-body':
      return { mutation: { kind: 'swap-body', body: swapped }, label: 'body swapped after signing' };
    case 'sha-header-swap':
      return spec.protocol === 'huawei'
        ? { mutation: { kind: 'sha-header-swap', body: swapped }, label: 'X-Sdk-Content-Sha256 of the signed body added, body swapped' }
        : { mutation: { kind: 'swap-body', body: swapped }, label: 'body swapped after signing' };
    case 'drop-header': {
      const name = DROPPABLE[spec.protocol][m.which % 3]!;
      return { mutation: { kind: 'drop-header', name }, label: `${name} removed` };
    }
    case 'shift-date':
      return { mutation: m, label: `date shifted ${m.seconds} s` };
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

/** A ciphertext with one change: `flip` and `cut` change its bytes, `non-canonical` writes the same bytes differently. */
export function alterBlob(protocol: ProtocolName, blob: string, how: 'flip' | 'non-canonical' | 'cut' | 'rehash', at: number): { blob: string; expect: 'refuse' | 'same'; label: string } {
  const hex = /^[0-9a-fA-F]+$/.test(blob);
  if (how === 'cut') {
    const cut = hex ? 2 : 4;
    return { blob: blob.slice(0, Math.max(0, blob.length - cut * (1 + (at % 8)))), expect: 'refuse', label: 'ciphertext cut short' };
  }
  if (how === 'rehash' && protocol === 'huawei') {
    // A bit flipped anywhere before the frame's SHA-256 trailer, and the trailer recomputed (it needs no key).
    const bytes = Buffer.from(blob, hex ? 'hex' : 'base64');
    const i = at % Math.max(1, bytes.length - 32);
    bytes[i]! ^= 1 << (at % 8);
    bytes.set(createHash('sha256').update(bytes.subarray(0, bytes.length - 32)).digest(), bytes.length - 32);
    return { blob: bytes.toString(hex ? 'hex' : 'base64'), expect: 'refuse', label: `ciphertext byte ${i} of ${bytes.length} flipped, frame SHA-256 recomputed` };
  }
  if (hex) {
    if (how === 'non-canonical') return { blob: blob.toUpperCase(), expect: 'same', label: 'ciphertext hex in upper case' };
    const i = at % blob.length;
    const v = HEX.indexOf(blob[i]!.toLowerCase());
    return { blob: `${blob.slice(0, i)}${HEX[(v + 1 + (at % 15)) % 16]}${blob.slice(i + 1)}`, expect: 'refuse', label: `ciphertext hex digit ${i} changed` };
  }
  if (how === 'non-canonical') {
    const pad = blob.indexOf('=');
    if (pad > 0 && B64.includes(blob[pad - 1]!)) {
      // The last character before '=' has unused low bits: setting them gives the same bytes.
      const v = B64.indexOf(blob[pad - 1]!) ^ 1;
      return { blob: `${blob.slice(0, pad - 1)}${B64[v]}${blob.slice(pad)}`, expect: 'same', label: 'ciphertext base64 non-canonical (unused bits set)' };
    }
  }
  // A character followed by another base64 character carries only used bits: changing it changes the bytes.
  const candidates: number[] = [];
  for (let i = 0; i + 1 < blob.length; i++) if (B64.includes(blob[i]!) && B64.includes(blob[i + 1]!)) candidates.push(i);
  const i = candidates[at % Math.max(1, candidates.length)] ?? 0;
  const v = B64.indexOf(blob[i]!);
  return { blob: `${blob.slice(0, i)}${B64[(v + 1 + (at % 63)) % 64]}${blob.slice(i + 1)}`, expect: 'refuse', label: `ciphertext base64 character ${i} changed` };
}

export function member(members: Member[], value: HostileValue, target: 'known' | 'unknown' | 'proto', index: number, duplicate: boolean) {
  const raw = writeValue(value);
  const what = describeValue(value);
  if (target === 'known' && members.length > 0) {
    const [name] = members[index % members.length]!;
    if (duplicate) return { members: [...members, [name, raw] as Member], exact: false, label: `member ${name} again as ${what}` };
    return { members: members.map((m): Member => (m[0] === name ? [name, raw] : m)), exact: false, label: `member ${name} as ${what}` };
  }
  const name = target === 'proto' ? PROTO_NAMES[index % PROTO_NAMES.length]! : `Fuzz${index % 3}`;
  return { members: [...members, [name, raw] as Member], exact: true, label: `extra member ${name}: ${what}` };
}

/** The request of `spec`, or undefined if the model has no key of the kind it needs yet (then a create is sent). */
export function build(spec: Spec, model: Model, seq: number, signed: boolean): Built {
  const d =
    spec.any !== undefined
      ? anyOperation(model, spec.protocol, spec.any, seq)
      : (draft(model, spec.protocol, spec.op, spec.keyPick, seq) ?? draft(model, spec.protocol, CREATE[spec.protocol], spec.keyPick, seq)!);
  let map: Pairs = [['purpose', `p${seq % 7}`]];
  const v = spec.variant;
  if (v.kind === 'proto-map') map = v.pairs;
  if (d.mapMember?.style === 'huawei-tag') map = map.slice(0, 1);
  let members: Member[] = [...d.members];
  if (d.mapMember) members.push([d.mapMember.name, renderMap(d.mapMember.style, map, seq)]);
  let exact = true;
  const labels: string[] = [];
  if (v.kind === 'proto-map') labels.push(`${d.mapMember ? d.mapMember.name : 'no map'} keys ${map.map(([k]) => k).join(',')}`);
  let blob: Built['blob'];
  if (v.kind === 'blob' && d.ciphertext) {
    const altered = alterBlob(spec.protocol, d.ciphertext.blob, v.how, v.at);
    members = members.map((m, i): Member => (i === 0 ? [m[0], json(altered.blob)] : m));
    blob = altered.expect;
    exact = false;
    labels.push(altered.label);
  }
  if (v.kind === 'member') {
    const changed = member(members, v.value, v.target, v.index, v.duplicate);
    members = changed.members;
    exact = changed.exact;
    labels.push(changed.label);
  }
  const b = body(spec, members);
  if (b.label) labels.push(b.label);
  const m = mutation(spec, signed, members);
  if (m.label) labels.push(m.label);
  const wire: WireRequest = {
    protocol: spec.protocol,
    op: d.op,
    path: d.path,
    body: b.body,
    ...(d.method ? { method: d.method } : {}),
    ...(m.region !== undefined ? { region: m.region } : {}),
    ...(m.mutation ? { mutation: m.mutation } : {}),
    // One request in six is sent chunked, more of the large ones (the body limit is then enforced while reading).
    ...(spec.keyPick % 6 === 0 || (b.body.length > 60_000 && spec.keyPick % 2 === 0) ? { chunked: true } : {}),
  };
  const hostile = v.kind !== 'valid' || m.mutation !== undefined || m.region !== undefined;
  return { spec, draft: d, wire, map, ...(blob ? { blob } : {}), exact: exact && b.exact && m.region === undefined, hostile, label: `${spec.protocol} ${d.op}${labels.length ? `: ${labels.join('; ')}` : ''}` };
}
