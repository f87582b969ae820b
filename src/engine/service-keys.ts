/**
 * Service-managed keys: a provider predefines alias names for keys that a cloud service makes and
 * manages for the customer. The first call that uses such a name (describing a key, encrypting,
 * making a data key) makes the key and points the alias at it. The dialect says which names are
 * predefined and what the key says (description, policy); the key's owner may use and read it
 * but not manage it (access.ts, SERVICE_MANAGED_REFUSED), and it rotates on its own.
 */

import { refuseDryRun } from './checks.js';
import { DAY_MS } from './clock.js';
import { createKey } from './keys.js';
import { scheduleRotation } from './rotation.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyRef } from './types.js';

/**
 * Makes the key of a predefined alias on first use; nothing when `ref` is not such an alias or
 * its key exists. A dry run makes nothing: it is refused here, as the call on a new key would be.
 */
export function provideServiceKey(s: EngineState, ctx: CallContext, ref: KeyRef): void {
  if (!('alias' in ref) || ctx.serviceKeys === undefined) return;
  if (s.realm(ctx.realm.account, ctx.realm.region)?.aliases.has(ref.alias)) return;
  const template = ctx.serviceKeys.template(ref.alias, ctx.realm);
  if (template === undefined) return;
  refuseDryRun(ctx);
  const view = createKey(s, ctx, {
    spec: template.spec,
    usage: 'ENCRYPT_DECRYPT',
    origin: 'GENERATED',
    manager: 'SERVICE',
    description: template.description,
    policies: template.policies,
    alias: ref.alias,
  });
  const key = s.realm(ctx.realm.account, ctx.realm.region)!.keys.get(view.id)!;
  // The service made the key, not the caller.
  delete key.creator;
  const now = s.now();
  key.rotation.enabled = true;
  key.rotation.periodDays = template.rotationPeriodDays;
  key.rotation.enabledAt = now;
  scheduleRotation(s, key, now + template.rotationPeriodDays * DAY_MS);
}
