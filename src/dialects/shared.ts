/** Helpers the dialects share: key listings, a key's alias, tag checks. Provider rules come in as parameters. */
import type { Engine } from '../engine/engine.js';
import type { CallContext, KeyInfo } from '../engine/types.js';

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
export function aliasOf(engine: Engine, ctx: CallContext, key: KeyInfo): string {
  try {
    return engine.listAliases(ctx, { limit: 1 }, { keyId: key.id }).items[0]?.name ?? '';
  } catch {
    return '';
  }
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
