/** Huawei aliases: update-key-alias (a key has one alias). */
import { kmsError } from './errors.js';
import { aliasOf, checkAlias, type Handler, lookup } from './call.js';

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
