/**
 * Huawei aliases. A key carries one `key_alias` (create-key, update-key-alias) and any number of
 * aliases of the newer alias API (create-alias, associate-alias, delete-alias, list-aliases), named
 * `alias/…` with a URN `kms:{region}:{domain_id}:alias:{name without alias/}`. The two live apart: the
 * engine's alias room holds both, the newer ones under MULTI_PREFIX (a character no key_alias has), so
 * a key_alias `alias/x` and an alias `alias/x` do not collide and a key's key_alias stays its first
 * unprefixed alias. The data-key and small-data verbs take an alias or its URN in place of key_id.
 */
import type { Engine } from '../../engine/engine.js';
import type { AliasInfo, CallContext } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { aliasOf, checkAlias, type Handler, lookup, pageOf } from './call.js';
import type { Body } from './validate.js';

/** The engine name of an alias of the alias API ('|' is outside the key_alias pattern). */
export const MULTI_PREFIX = 'alias|';
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9:/_-]{1,249}$/;
const KEY_ID_PATTERN = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
const URN_PATTERN = /^kms:([a-z0-9-]{1,64}):([0-9a-f]{32}):alias:([a-zA-Z0-9:/_-]{1,249})$/;

/** Whether an engine alias name is one of the alias API's (not a key_alias). */
export const isMultiAlias = (name: string): boolean => name.startsWith(MULTI_PREFIX);

/** Verbs whose key_id may be an alias (`alias/…`) or an alias URN, as their pages document. */
export const ALIAS_KEY_ID_VERBS: ReadonlySet<string> = new Set([
  'create-datakey',
  'create-datakey-without-plaintext',
  'encrypt-datakey',
  'decrypt-datakey',
  'encrypt-data',
  'decrypt-data',
]);

function checkName(alias: unknown): string {
  if (typeof alias !== 'string' || !ALIAS_PATTERN.test(alias)) throw kmsError('KMS.1101');
  checkAlias(alias);
  return alias;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function entity(a: AliasInfo): Record<string, string> {
  const alias = a.name.slice(MULTI_PREFIX.length);
  return {
    domain_id: a.realm.account,
    key_id: a.keyId,
    alias,
    alias_urn: `kms:${a.realm.region}:${a.realm.account}:alias:${alias.slice('alias/'.length)}`,
    create_time: iso(a.createdAt),
    update_time: iso(a.updatedAt),
  };
}

/**
 * The key id a key_id field names: an alias (`alias/…`) or its URN (the caller's region and domain)
 * becomes its key's id; anything else is left for the field's own checks. An alias the realm does not
 * have is an unknown key (KMS.0207).
 */
export function resolveAliasKeyId(engine: Engine, ctx: CallContext, verb: string, body: Body): Body {
  const value = body.key_id;
  if (!ALIAS_KEY_ID_VERBS.has(verb) || typeof value !== 'string') return body;
  let alias: string | undefined;
  if (ALIAS_PATTERN.test(value)) alias = value;
  else {
    const urn = URN_PATTERN.exec(value);
    if (!urn) return body;
    if (urn[1] !== ctx.realm.region || urn[2] !== ctx.realm.account) throw kmsError('KMS.0207');
    alias = `alias/${urn[3]}`;
  }
  const found = engine.getAlias(ctx, MULTI_PREFIX + alias);
  if (!found) throw kmsError('KMS.0207');
  return { ...body, key_id: found.keyId };
}

/** The alias API's aliases of the caller's realm, oldest first. */
function realmAliases(engine: Engine, ctx: CallContext): AliasInfo[] {
  const out: AliasInfo[] = [];
  let marker: string | undefined;
  do {
    const page = engine.listAliases(ctx, { limit: 1000, ...(marker ? { marker } : {}) });
    for (const a of page.items) if (!('reserved' in a) && isMultiAlias(a.name)) out.push(a);
    marker = page.nextMarker;
  } while (marker);
  return out;
}

export const updateKeyAlias: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  const alias = body.key_alias as string;
  checkAlias(alias);
  const current = aliasOf(engine, key);
  if (alias !== current) {
    if (engine.getAlias(ctx, alias)) throw kmsError('KMS.1104');
    engine.createAlias(ctx, alias, { keyId: key.id });
    if (current) engine.deleteAlias(ctx, current);
  }
  call.trail.resourceName = alias;
  return { key_info: { key_id: key.id, key_alias: alias } };
};

export const createAlias: Handler = (call) => {
  const { engine, ctx, body } = call;
  const alias = checkName(body.alias);
  const key = lookup(call);
  if (engine.getAlias(ctx, MULTI_PREFIX + alias)) throw kmsError('KMS.1104');
  call.trail.resourceName = alias;
  return entity(engine.createAlias(ctx, MULTI_PREFIX + alias, { keyId: key.id }));
};

export const associateAlias: Handler = (call) => {
  const { engine, ctx, body } = call;
  const alias = checkName(body.alias);
  const key = lookup(call, 'target_key_id');
  if (!engine.getAlias(ctx, MULTI_PREFIX + alias)) throw kmsError('KMS.0207');
  call.trail.resourceName = alias;
  return entity(engine.updateAlias(ctx, MULTI_PREFIX + alias, { keyId: key.id }, { anyKeyType: true }));
};

export const deleteAlias: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  const names = body.aliases as string[];
  if (names.length === 0 || names.length > 100) throw kmsError('KMS.0308');
  const unique = [...new Set(names.map(checkName))];
  // Every alias must exist and name this key before any goes.
  for (const alias of unique) {
    const found = engine.getAlias(ctx, MULTI_PREFIX + alias);
    if (!found || found.keyId !== key.id) throw kmsError('KMS.0207');
  }
  for (const alias of unique) engine.deleteAlias(ctx, MULTI_PREFIX + alias);
  call.trail.resourceName = unique.join(',');
  return {};
};

/** A query parameter that is a whole number (a string of digits, or a number in process), or absent. */
function checkCount(value: unknown, code: string): void {
  if (value === undefined) return;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text)) throw kmsError(code);
}

export const listAliases: Handler = (call) => {
  const { engine, ctx, body } = call;
  // A GET: its query has no body model, so its fields are checked here.
  if (body.key_id !== undefined && (typeof body.key_id !== 'string' || !KEY_ID_PATTERN.test(body.key_id))) throw kmsError('KMS.0205');
  checkCount(body.limit, 'KMS.1601');
  checkCount(body.marker, 'KMS.1602');
  let aliases: AliasInfo[];
  if (body.key_id !== undefined) {
    const key = lookup(call);
    aliases = engine.aliasesOf(key).filter((a) => isMultiAlias(a.name));
  } else aliases = realmAliases(engine, ctx);
  const page = pageOf(aliases, body);
  return { aliases: page.items.map(entity), page_info: { next_marker: page.next_marker, current_count: page.items.length } };
};
