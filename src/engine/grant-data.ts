/**
 * Grants: permissions a key's owner hands to another principal for named operations of one key.
 * A grant lives with its key (it is serialized in the key's snapshot entry and goes when the key
 * goes). Operations are neutral actions (actions.ts); each dialect maps its own operation names
 * to them, so a grant made through one dialect is honoured through another.
 */

import * as z from 'zod/mini';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/bytes.js';
import { storedGrantAction } from './actions.js';
import { lazy } from './schema.js';
import type { CallContext, EncryptionContext, GrantConstraints, GrantInfo, Principal, Realm } from './types.js';

export type { GrantConstraints, GrantInfo } from './types.js';

export interface CreateGrantInput {
  readonly granteePrincipal: string;
  readonly granteeType?: string;
  readonly retiringPrincipal?: string;
  readonly operations: readonly string[];
  readonly name?: string;
  readonly constraints?: GrantConstraints;
  /** The most grants one key may hold; default 50,000. */
  readonly limit?: number;
}

export const DEFAULT_GRANTS_PER_KEY = 50_000;

/**
 * An encryption context: a map of strings. Not z.record, which rebuilds the object by assignment and
 * so drops a '__proto__' key; this copies every own key into a null-prototype object.
 */
const stringMap = z.pipe(
  z.custom<Record<string, string>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string'),
    'not a map of strings',
  ),
  z.transform((v: Record<string, string>) => Object.assign(Object.create(null) as Record<string, string>, v)),
);

/** Built on first use, as the snapshot's schemas are (./snapshot.ts). */
export const grantSchema = lazy(() => z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  name: z.optional(z.string()),
  granteePrincipal: z.string().check(z.minLength(1)),
  granteeType: z.optional(z.string()),
  retiringPrincipal: z.optional(z.string()),
  issuingPrincipal: z.string(),
  operations: z.array(z.string()),
  constraints: z.optional(z.object({ encryptionContextSubset: z.optional(stringMap), encryptionContextEquals: z.optional(stringMap) })),
  createdAt: z.number(),
}));
export type GrantSnapshot = z.infer<typeof grantSchema>;

/**
 * A grant token names the key and the grant: `base64("kms-grant:1:<keyId>:<grantId>")`. It is not a
 * secret (the grant's existence is what counts), only a handle that works without the key id.
 */
export function grantToken(keyId: string, grantId: string): string {
  return toBase64(utf8(`kms-grant:1:${keyId}:${grantId}`));
}

export function parseGrantToken(token: string): { keyId: string; grantId: string } | undefined {
  const bytes = token.length <= 2048 ? fromBase64(token) : undefined;
  if (!bytes) return undefined;
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return undefined; // not UTF-8: not a token of ours
  }
  const m = /^kms-grant:1:([^:]{1,255}):([0-9a-f]{64})$/.exec(text);
  return m ? { keyId: m[1]!, grantId: m[2]! } : undefined;
}

/** The grant as a snapshot entry (realm and token are derived, not stored). */
export function grantSnapshot(g: GrantInfo): GrantSnapshot {
  return {
    id: g.id,
    ...(g.name !== undefined ? { name: g.name } : {}),
    granteePrincipal: g.granteePrincipal,
    ...(g.granteeType !== undefined ? { granteeType: g.granteeType } : {}),
    ...(g.retiringPrincipal !== undefined ? { retiringPrincipal: g.retiringPrincipal } : {}),
    issuingPrincipal: g.issuingPrincipal,
    operations: [...g.operations],
    ...(g.constraints ? { constraints: cloneConstraints(g.constraints) } : {}),
    createdAt: g.createdAt,
  };
}

export function grantFromSnapshot(s: GrantSnapshot, keyId: string, realm: Realm): GrantInfo {
  return {
    id: s.id,
    token: grantToken(keyId, s.id),
    keyId,
    realm,
    ...(s.name !== undefined ? { name: s.name } : {}),
    granteePrincipal: s.granteePrincipal,
    ...(s.granteeType !== undefined ? { granteeType: s.granteeType } : {}),
    ...(s.retiringPrincipal !== undefined ? { retiringPrincipal: s.retiringPrincipal } : {}),
    issuingPrincipal: s.issuingPrincipal,
    // Grants stored before actions were neutral name dialect operations.
    operations: s.operations.map(storedGrantAction),
    ...(s.constraints ? { constraints: cloneConstraints(s.constraints) } : {}),
    createdAt: s.createdAt,
  };
}

function cloneConstraints(c: GrantConstraints): GrantConstraints {
  return {
    ...(c.encryptionContextSubset ? { encryptionContextSubset: { ...c.encryptionContextSubset } } : {}),
    ...(c.encryptionContextEquals ? { encryptionContextEquals: { ...c.encryptionContextEquals } } : {}),
  };
}

/**
 * Whether `name` (a grant's grantee or retiring principal) names this principal: its id, its name,
 * its account, or any of the names its dialect gave it (ARNs: the principal's own, its role's, its
 * account's root). A name of the account serves every principal of the account.
 */
export function principalNamed(p: Principal, name: string | undefined): boolean {
  if (name === undefined) return false;
  return name === p.id || name === p.account || (p.name !== undefined && name === p.name) || (p.names !== undefined && p.names.includes(name));
}

/** Whether the grant names this caller as its grantee. */
export function grantNames(grant: GrantInfo, ctx: CallContext): boolean {
  return principalNamed(ctx.principal, grant.granteePrincipal);
}

/** Whether the grant allows `operation` with this encryption context (constraints checked when given). */
export function grantAllows(grant: GrantInfo, operation: string, context?: EncryptionContext): boolean {
  if (!grant.operations.includes(operation)) return false;
  const c = grant.constraints;
  if (!c) return true;
  const ctx = context ?? {};
  const has = ([k, v]: [string, string]) => Object.hasOwn(ctx, k) && ctx[k] === v;
  if (c.encryptionContextEquals) {
    const want = Object.entries(c.encryptionContextEquals);
    if (Object.keys(ctx).length !== want.length || !want.every(has)) return false;
  }
  if (c.encryptionContextSubset && !Object.entries(c.encryptionContextSubset).every(has)) return false;
  return true;
}
