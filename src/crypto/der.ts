/**
 * A small DER (X.690 Distinguished Encoding Rules) reader and writer: just what key encodings
 * (PKCS#8, SubjectPublicKeyInfo, PKCS#1), ECDSA/SM2 signatures and SM2 ciphertexts need.
 *
 * The reader is strict: definite, minimal lengths only, and INTEGERs must be minimally encoded,
 * so that a malformed or non-canonical encoding is refused instead of being read two ways.
 * Readers return `undefined` on any malformation; they never throw.
 */

import { concatBytes } from './bytes.js';

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Tag of `[n]` context-specific: constructed (EXPLICIT, or IMPLICIT of a constructed type) or primitive. */
export const contextTag = (n: number, constructed: boolean): number => (constructed ? 0xa0 : 0x80) | n;

export interface DerElement {
  readonly tag: number;
  /** The content octets (a view into the input, not a copy). */
  readonly content: Uint8Array;
  /** The whole element, header included. */
  readonly raw: Uint8Array;
}

/** Reads one element at `offset`; returns it and the offset just after it. Single-byte tags only. */
export function readElement(data: Uint8Array, offset = 0): { element: DerElement; next: number } | undefined {
  if (offset + 2 > data.length) return undefined;
  const tag = data[offset]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags: never needed here
  let length = data[offset + 1]!;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || pos + count > data.length) return undefined; // indefinite or absurd
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[pos + i]!;
    pos += count;
    // DER: the shortest form. Long form only from 128 on, without leading zero bytes.
    if (length < 0x80 || data[pos - count] === 0) return undefined;
  }
  if (pos + length > data.length) return undefined;
  return { element: { tag, content: data.subarray(pos, pos + length), raw: data.subarray(offset, pos + length) }, next: pos + length };
}

/** Reads exactly one element filling `data`. */
export function readWhole(data: Uint8Array): DerElement | undefined {
  const r = readElement(data, 0);
  return r && r.next === data.length ? r.element : undefined;
}

/** The children of a constructed element's content (all of it must parse). */
export function readChildren(content: Uint8Array): DerElement[] | undefined {
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < content.length) {
    const r = readElement(content, pos);
    if (!r) return undefined;
    out.push(r.element);
    pos = r.next;
  }
  return out;
}

/** The children of `data` if it is exactly one SEQUENCE. */
export function readSequence(data: Uint8Array): DerElement[] | undefined {
  const e = readWhole(data);
  return e && e.tag === TAG.SEQUENCE ? readChildren(e.content) : undefined;
}

/** A non-negative INTEGER as its magnitude bytes (no sign byte); undefined if negative or not minimal. */
export function readUnsignedInteger(e: DerElement | undefined): Uint8Array | undefined {
  if (!e || e.tag !== TAG.INTEGER || e.content.length === 0) return undefined;
  const c = e.content;
  if (c[0]! & 0x80) return undefined; // negative
  if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80)) return undefined; // non-minimal
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

export function readBigInt(e: DerElement | undefined): bigint | undefined {
  const bytes = readUnsignedInteger(e);
  return bytes && bytesToBigInt(bytes);
}

/** A small non-negative INTEGER (version fields). */
export function readSmallInteger(e: DerElement | undefined): number | undefined {
  const bytes = readUnsignedInteger(e);
  if (!bytes || bytes.length > 4) return undefined;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** A BIT STRING with no unused bits, as its bytes. */
export function readBitStringBytes(e: DerElement | undefined): Uint8Array | undefined {
  if (!e || e.tag !== TAG.BIT_STRING || e.content.length === 0 || e.content[0] !== 0) return undefined;
  return e.content.subarray(1);
}

export function readOctetString(e: DerElement | undefined): Uint8Array | undefined {
  return e && e.tag === TAG.OCTET_STRING ? e.content : undefined;
}

/** An OBJECT IDENTIFIER in dotted form; undefined if malformed. */
export function readOid(e: DerElement | undefined): string | undefined {
  if (!e || e.tag !== TAG.OID || e.content.length === 0) return undefined;
  const c = e.content;
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (!started && b === 0x80) return undefined; // non-minimal arc
    started = true;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
      started = false;
    }
  }
  if (started) return undefined; // truncated arc
  return arcs.join('.');
}

// ------------------------------------------------------------------ writer

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One element: tag, length, content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const header = [tag, ...encodeLength(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header);
  out.set(content, header.length);
  return out;
}


export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concatBytes(...items));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, bytes);
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(TAG.BIT_STRING, concatBytes(Uint8Array.of(0), bytes));
export const derNull = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);
/** `[n]` EXPLICIT (wraps a whole element) or IMPLICIT primitive (replaces the tag of raw content). */
export const explicit = (n: number, element: Uint8Array): Uint8Array => tlv(contextTag(n, true), element);
export const implicitPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(contextTag(n, false), content);

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros dropped, sign byte added). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length === 0) return tlv(TAG.INTEGER, Uint8Array.of(0));
  return tlv(TAG.INTEGER, body[0]! & 0x80 ? concatBytes(Uint8Array.of(0), body) : body);
}

export const bigInteger = (n: bigint): Uint8Array => unsignedInteger(bigIntToBytes(n));
export const smallInteger = (n: number): Uint8Array => bigInteger(BigInt(n));

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const body: number[] = [];
  const push = (v: number): void => {
    const groups: number[] = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    body.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(TAG.OID, Uint8Array.from(body));
}

// ------------------------------------------------------------------ big-endian integers

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  // Eight bytes at a time: far fewer BigInt operations than byte by byte for RSA-sized numbers.
  let i = 0;
  const head = bytes.length % 8;
  for (; i < head; i++) n = (n << 8n) | BigInt(bytes[i]!);
  for (; i < bytes.length; i += 8) {
    const hi = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    const lo = ((bytes[i + 4]! << 24) | (bytes[i + 5]! << 16) | (bytes[i + 6]! << 8) | bytes[i + 7]!) >>> 0;
    n = (n << 64n) | (BigInt(hi) << 32n) | BigInt(lo);
  }
  return n;
}

/** Big-endian bytes of `n` ≥ 0: minimal length, or exactly `length` bytes (throws if it does not fit). */
export function bigIntToBytes(n: bigint, length?: number): Uint8Array {
  if (n < 0n) throw new RangeError('negative integer');
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const size = length ?? Math.max(1, hex.length / 2);
  if (hex.length / 2 > size) {
    if (n === 0n && size === 0) return new Uint8Array(0);
    throw new RangeError('integer too large');
  }
  const out = new Uint8Array(size);
  const offset = size - hex.length / 2;
  for (let i = 0; i < hex.length / 2; i++) out[offset + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
