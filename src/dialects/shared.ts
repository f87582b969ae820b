/** Helpers the dialects share: key listings, a key's alias, tag checks, injected faults. Provider rules come in as parameters. */
import type { Engine } from '../engine/engine.js';
import type { CallContext, KeyInfo } from '../engine/types.js';
import { type FaultKind, type FaultProvider, faultsOf, sufferFault } from '../faults.js';

export { isPlainObject } from './input.js';

/** Every key of the caller's realm, in creation order. */
export function allKeys(engine: Engine, ctx: CallContext): KeyInfo[] {
  const out: KeyInfo[] = [];
  let marker: string | undefined;
  do {
    const page = engine.listKeys(ctx, { limit: 1000, ...(marker ? { marker } : {}) });
    out.push(...page.items);
    marker = page.nextMarker;
  } while (marker);
  return out;
}

/** The key's alias (its one engine alias, as Tencent and Huawei have one), or '' for a key without one. */
export function aliasOf(engine: Engine, key: KeyInfo): string {
  return engine.aliasesOf(key)[0]?.name ?? '';
}

/** A provider's refusals of a request's tags. */
export interface TagRules {
  /** The error for a key the provider reserves, if it reserves any; checked before repeats. */
  readonly reserved?: (key: string) => Error | undefined;
  /** The error for a key named twice. */
  readonly repeated: (key: string) => Error;
}

/** Tags (`TagKey`, `TagValue`) as pairs, each key once and none reserved. */
export function checkTags(tags: ReadonlyArray<{ TagKey: string; TagValue: string }>, rules: TagRules): Array<[string, string]> {
  const seen = new Set<string>();
  for (const t of tags) {
    const reserved = rules.reserved?.(t.TagKey);
    if (reserved) throw reserved;
    if (seen.has(t.TagKey)) throw rules.repeated(t.TagKey);
    seen.add(t.TagKey);
  }
  return tags.map((t) => [t.TagKey, t.TagValue]);
}

/** How many tags a key holds once `added` keys join its `existing` ones. */
export function tagCountAfter(existing: Iterable<string> | undefined, added: Iterable<string>): number {
  return new Set([...(existing ?? []), ...added]).size;
}

/** `value[name]` when `value` is an object whose `name` member is a string. */
export function stringMember(value: unknown, name: string): string | undefined {
  const member = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof member === 'string' ? member : undefined;
}

/** Takes the fault set for this call, if any: waits out its delay, then throws its error in the provider's words. */
export async function injectProviderFault(
  engine: Engine,
  provider: FaultProvider,
  operation: string,
  keyId: string | undefined,
  errorOf: (kind: FaultKind) => Error,
): Promise<void> {
  const fault = faultsOf(engine).take({ provider, operation, keyId });
  if (!fault) return;
  const kind = await sufferFault(fault);
  if (kind) throw errorOf(kind);
}
