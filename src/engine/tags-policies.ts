/** Tags and key policies (stored documents; evaluating policies is the authorization module's work). */

import { use } from './access.js';
import { refuseDryRun } from './checks.js';
import { KmsError } from './errors.js';
import { pageArray } from './paging.js';
import { viewOf } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyRef, Page, PageRequest } from './types.js';

export function tagKey(s: EngineState, ctx: CallContext, ref: KeyRef, tags: ReadonlyArray<readonly [string, string]>): KeyInfo {
  const key = use(s, ctx, ref, 'tagKey');
  refuseDryRun(ctx);
  for (const [k, v] of tags) key.tags.set(k, v);
  return viewOf(key);
}

export function untagKey(s: EngineState, ctx: CallContext, ref: KeyRef, tagKeys: readonly string[]): KeyInfo {
  const key = use(s, ctx, ref, 'untagKey');
  refuseDryRun(ctx);
  for (const k of tagKeys) key.tags.delete(k);
  return viewOf(key);
}

export function listTags(s: EngineState, ctx: CallContext, ref: KeyRef, page: PageRequest): Page<readonly [string, string]> {
  const key = use(s, ctx, ref, 'listTags');
  return pageArray(s, `tags|${key.id}`, [...key.tags], page);
}

export function getPolicy(s: EngineState, ctx: CallContext, ref: KeyRef, name: string): { key: KeyInfo; policy: string } {
  const key = use(s, ctx, ref, 'getPolicy');
  const policy = key.policies.get(name);
  if (policy === undefined) throw new KmsError('NotFound', 'No such policy exists.', { resource: 'policy', keyId: key.id, policyName: name });
  return { key: viewOf(key), policy };
}

export function putPolicy(s: EngineState, ctx: CallContext, ref: KeyRef, name: string, policy: string): KeyInfo {
  const key = use(s, ctx, ref, 'putPolicy');
  if (!key.policies.has(name)) throw new KmsError('NotFound', 'No such policy exists.', { resource: 'policy', keyId: key.id, policyName: name });
  refuseDryRun(ctx);
  key.policies.set(name, policy);
  return viewOf(key);
}

export function listPolicies(s: EngineState, ctx: CallContext, ref: KeyRef, page: PageRequest): Page<string> {
  const key = use(s, ctx, ref, 'listPolicies');
  return pageArray(s, `policies|${key.id}`, [...key.policies.keys()], page);
}
