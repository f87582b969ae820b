/** Aliases: names in a realm that point at one of its keys. */

import { aliasByName, authorizeWithoutKey, use } from './access.js';
import { refuseDryRun } from './checks.js';
import { KmsError } from './errors.js';
import { markerSeq, pageOf } from './paging.js';
import { aliasView, type AliasRecord } from './records.js';
import type { EngineState } from './state.js';
import type { AliasInfo, CallContext, KeyRef, Page, PageRequest, ReservedAliasInfo } from './types.js';

/** The alias, if the caller's realm has it (a read: nothing runs, nothing changes). */
export function getAlias(s: EngineState, ctx: CallContext, name: string): AliasInfo | undefined {
  const alias = s.realm(ctx.realm.account, ctx.realm.region)?.aliases.get(name);
  return alias ? aliasView(alias) : undefined;
}

export function createAlias(s: EngineState, ctx: CallContext, name: string, target: KeyRef): AliasInfo {
  // Resolve the key first: a refused call must not leave an empty realm behind.
  const key = use(s, ctx, target, 'createAlias');
  if (s.realm(ctx.realm.account, ctx.realm.region)?.aliases.has(name)) {
    throw new KmsError('AlreadyExists', `An alias with the name ${name} already exists.`, { resource: 'alias', alias: name });
  }
  refuseDryRun(ctx);
  const realm = s.realmFor(ctx.realm);
  const now = s.now();
  const alias: AliasRecord = { name, realm: realm.realm, keyId: key.id, createdAt: now, updatedAt: now };
  realm.aliases.add(name, ++s.seq, alias);
  key.aliases.add(name);
  s.changes.aliases.add(alias);
  return aliasView(alias);
}

/** Options of updateAlias: `anyKeyType` lets the alias move to a key of another spec or usage. */
export interface UpdateAliasOptions {
  readonly anyKeyType?: boolean;
}

export function updateAlias(s: EngineState, ctx: CallContext, name: string, target: KeyRef, options: UpdateAliasOptions = {}): AliasInfo {
  const { realm, alias } = aliasByName(s, ctx, name);
  const key = use(s, ctx, target, 'updateAlias');
  const current = realm.keys.get(alias.keyId);
  if (!options.anyKeyType && current && (current.spec !== key.spec || current.usage !== key.usage)) {
    throw new KmsError('Validation', `Alias ${name} cannot be changed from a key of type ${current.spec}/${current.usage} to ${key.spec}/${key.usage}.`, {
      reason: 'alias-key-type',
      alias: name,
    });
  }
  refuseDryRun(ctx);
  current?.aliases.delete(name);
  alias.keyId = key.id;
  alias.updatedAt = s.now();
  key.aliases.add(name);
  s.changes.aliases.add(alias);
  return aliasView(alias);
}

export function deleteAlias(s: EngineState, ctx: CallContext, name: string): AliasInfo {
  const { realm, alias } = aliasByName(s, ctx, name);
  const key = realm.keys.get(alias.keyId);
  if (key) use(s, ctx, { keyId: key.id }, 'deleteAlias');
  refuseDryRun(ctx);
  key?.aliases.delete(name);
  realm.aliases.remove(name);
  s.changes.aliases.add(alias);
  return aliasView(alias);
}

/** Aliases of the realm (with the predefined names whose key does not exist yet), or of one key when `key` is given. */
export function listAliases(s: EngineState, ctx: CallContext, page: PageRequest, key?: KeyRef): Page<AliasInfo | ReservedAliasInfo> {
  const realm = s.realm(ctx.realm.account, ctx.realm.region);
  if (!key) authorizeWithoutKey(ctx, 'listAliases');
  else {
    const record = use(s, ctx, key, 'describeKey', { action: 'listAliases' });
    // A key of another account (reached through a grant) lists its own realm's aliases.
    const home = s.realm(record.realm.account, record.realm.region)!;
    const scope = `aliases|${record.realm.account}|${record.realm.region}|${record.id}`;
    const from = markerSeq(s, scope, page.marker);
    const names = [...record.aliases]
      .map((n) => ({ n, seq: home.aliases.seqOf(n)! }))
      .sort((a, b) => a.seq - b.seq)
      .filter((a) => a.seq >= from);
    const items = names.slice(0, page.limit).map((a) => aliasView(home.aliases.get(a.n)!));
    return pageOf(s, scope, items, names[page.limit]?.seq);
  }
  // Positions: the dialect's predefined names first (0 … n-1; listed while their key does not exist),
  // then the realm's aliases (n + sequence).
  const reserved = ctx.serviceKeys?.names ?? [];
  const n = reserved.length;
  const scope = `aliases|${ctx.realm.account}|${ctx.realm.region}${n > 0 ? `|${n}` : ''}`;
  let pos = markerSeq(s, scope, page.marker);
  const items: Array<AliasInfo | ReservedAliasInfo> = [];
  while (pos < n && items.length < page.limit) {
    const name = reserved[pos++]!;
    if (!realm?.aliases.has(name)) items.push({ name, realm: ctx.realm, reserved: true });
  }
  while (pos < n && realm?.aliases.has(reserved[pos]!)) pos++;
  if (pos < n) return pageOf(s, scope, items, pos);
  if (!realm) return { items };
  // A page of 0 still finds where the next page starts.
  const result = realm.aliases.page(pos - n, page.limit - items.length);
  for (const alias of result.items) items.push(aliasView(alias));
  return pageOf(s, scope, items, result.nextSeq === undefined ? undefined : n + result.nextSeq);
}
