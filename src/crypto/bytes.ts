/** Byte helpers over Uint8Array: no Buffer, so they run unchanged in a browser. */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; throws on invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const table = new Int16Array(256).fill(-1);
  for (let i = 0; i < B64.length; i++) table[B64.charCodeAt(i)] = i;
  return table;
})();

const B64_CODES = encoder.encode(B64);

/**
 * Base64 (standard alphabet, padded). Built as ASCII bytes and decoded once, so the result is one
 * flat string: appending four characters at a time leaves a tree of string pieces that JSON.stringify
 * and every later read must flatten first.
 */
export function toBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length === 0) return '';
  const out = new Uint8Array(Math.ceil(length / 3) * 4);
  let i = 0;
  let o = 0;
  for (; i + 2 < length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = B64_CODES[n >> 18]!;
    out[o + 1] = B64_CODES[(n >> 12) & 63]!;
    out[o + 2] = B64_CODES[(n >> 6) & 63]!;
    out[o + 3] = B64_CODES[n & 63]!;
    o += 4;
  }
  const rest = length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out[o] = B64_CODES[n >> 18]!;
    out[o + 1] = B64_CODES[(n >> 12) & 63]!;
    out[o + 2] = 61; // =
    out[o + 3] = 61;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o] = B64_CODES[n >> 18]!;
    out[o + 1] = B64_CODES[(n >> 12) & 63]!;
    out[o + 2] = B64_CODES[(n >> 6) & 63]!;
    out[o + 3] = 61;
  }
  return decoder.decode(out);
}

/**
 * Canonical base64 only (RFC 4648 §4): the standard alphabet, padded to a multiple of four characters,
 * and the unused bits of the last character zero (§3.5) — exactly the text `toBase64` gives for the
 * bytes, so one byte string has one accepted text. Returns undefined for anything else, including the
 * URL alphabet, missing padding and non-canonical final characters that would decode to the same
 * bytes. Why strict for every provider: docs/ciphertext-format.md ("Base64 on the wire").
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let end = text.length;
  while (end > 0 && end > text.length - 2 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const padding = text.length - end;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const v = code < 256 ? B64_LOOKUP[code]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // What is left after the last whole byte are the pad bits: 4 after "xx==", 2 after "xxx=".
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

const HEX_DIGITS = encoder.encode('0123456789abcdef');

/**
 * Lower-case hex. Built as bytes and decoded once, so the result is one flat string: appending
 * two characters at a time leaves a tree of string pieces several times the size, and ids and
 * material ids are kept for the life of a key or an audit event.
 */
export function toHex(bytes: Uint8Array): string {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = HEX_DIGITS[bytes[i]! >> 4]!;
    out[2 * i + 1] = HEX_DIGITS[bytes[i]! & 15]!;
  }
  return decoder.decode(out);
}

export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time comparison of two byte strings. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
