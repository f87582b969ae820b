// Policy variables (`${aws:username}`, `${kms:CallerAccount, 'default'}`, `${*}`): compiled once,
// substituted per request only where a policy uses them (Version 2012-10-17 only, as AWS does).
import { keyText, type AuthorizationRequest } from './request.js';
import { LITERAL_QUESTION, LITERAL_STAR } from './wildcard.js';

/** A literal run of text, or a variable (its key name lower-case, with an optional default). */
type Part = string | { readonly key: string; readonly lower: string; readonly fallback: string | undefined };

export interface Template {
  /** The text when it has no variable (escapes already replaced); undefined otherwise. */
  readonly text: string | undefined;
  readonly parts: readonly Part[];
}

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES: Readonly<Record<string, string>> = { '*': LITERAL_STAR, '?': LITERAL_QUESTION, $: '$' };

export function compileTemplate(value: string, variables: boolean): Template {
  if (!variables || !value.includes('${')) return { text: value, parts: [value] };
  const parts: Part[] = [];
  let last = 0;
  let hasVariable = false;
  for (const m of value.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(value.slice(last, m.index));
    last = m.index + m[0].length;
    const inner = m[1]!.trim();
    const escaped = Object.prototype.hasOwnProperty.call(ESCAPES, inner) ? ESCAPES[inner] : undefined;
    if (escaped !== undefined) {
      parts.push(escaped);
      continue;
    }
    const comma = inner.indexOf(',');
    let key = inner;
    let fallback: string | undefined;
    if (comma >= 0) {
      key = inner.slice(0, comma).trim();
      const rest = inner.slice(comma + 1).trim();
      const quoted = /^'(.*)'$/.exec(rest);
      fallback = quoted ? quoted[1]! : rest;
    }
    parts.push({ key, lower: key.toLowerCase(), fallback });
    hasVariable = true;
  }
  if (last < value.length) parts.push(value.slice(last));
  if (!hasVariable) {
    const text = parts.join('');
    return { text, parts: [text] };
  }
  return { text: undefined, parts };
}

/**
 * The template's text for this request; undefined when a variable has no value and no default
 * (AWS then treats the value as matching nothing). A substituted `*` or `?` is literal.
 */
export function resolveTemplate(template: Template, request: AuthorizationRequest): string | undefined {
  if (template.text !== undefined) return template.text;
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = keyText(request, part.key, part.lower) ?? part.fallback;
    if (value === undefined) return undefined;
    out += value.replace(/\*/g, LITERAL_STAR).replace(/\?/g, LITERAL_QUESTION);
  }
  return out;
}
