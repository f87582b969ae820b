/** Tencent aliases: UpdateAlias (a key has one alias, given at CreateKey). */
import { fault } from './errors.js';
import { aliasOf, checkAlias, existing, type Handler, keyRef, touch } from './call.js';

export const updateAlias: Handler = (call) => {
  const { engine, ctx, input } = call;
  checkAlias(call, input.Alias);
  const ref = keyRef(call, input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  const taken = engine.getAlias(ctx, input.Alias);
  if (taken && taken.keyId === key.id) return {};
  if (taken) throw fault(call.action, ['InvalidParameterValue.AliasAlreadyExists'], 'InvalidParameterValue', `The alias ${input.Alias} already exists.`);
  // Refused states are refused before the old alias goes.
  engine.assertUsable(ctx, ref, 'createAlias');
  const old = aliasOf(call, key);
  if (old) engine.deleteAlias(ctx, old);
  engine.createAlias(ctx, input.Alias, ref);
  return {};
};
