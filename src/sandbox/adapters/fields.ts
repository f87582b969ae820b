/**
 * Turning what a person types into request parameters. Nothing here judges the input: text the
 * provider would refuse is passed on as typed, so the page shows the provider's own error.
 */
import { bytes } from '../../index.js';

/** UTF-8 text as base64 (how binary parameters travel in AWS and Tencent JSON). */
export function textToBase64(text: string): string {
  return bytes.toBase64(bytes.utf8(text));
}

/** A whole number as a JSON number; anything else as the string typed (the dialect then refuses it). */
export function numberParam(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d{1,15}$/.test(trimmed) ? Number(trimmed) : text;
}

/** A JSON object typed in a text box: parsed when it parses, passed as typed when it does not. */
export function jsonParam(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Base64 that decodes to UTF-8 text, shown as text; anything else is left as base64. */
export function base64ToText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const decoded = bytes.fromBase64(value);
  if (!decoded) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(decoded);
  } catch {
    return undefined;
  }
}

/** Adds `name: value` when the typed value is not blank. */
export function optional(params: Record<string, unknown>, name: string, text: string | undefined, convert: (text: string) => unknown = (t) => t): Record<string, unknown> {
  if (text !== undefined && text.trim() !== '') params[name] = convert(text);
  return params;
}

/** Short for showing long base64 in a summary line. */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
