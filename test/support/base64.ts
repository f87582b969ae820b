/**
 * Non-canonical base64: the same bytes, written with non-zero unused bits in the last character
 * before the padding (RFC 4648 §3.5). Lenient decoders (Node's Buffer, Java's Base64, Go's
 * StdEncoding) read it as the canonical text; the emulator refuses it.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function nonCanonical(text: string): string {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding === 0) throw new Error(`no unused bits in ${text}: pick a length that is not a multiple of 3`);
  const at = text.length - padding - 1;
  const changed = ALPHABET[ALPHABET.indexOf(text[at]!) + 1]!;
  const out = text.slice(0, at) + changed + text.slice(at + 1);
  // Still the same bytes to a lenient decoder.
  if (Buffer.compare(Buffer.from(out, 'base64'), Buffer.from(text, 'base64')) !== 0) throw new Error('not the same bytes');
  return out;
}
