/** AWS aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
import { aliasArn } from './arn.js';
import { secs } from './metadata.js';
import { checkAliasName, type Handler, keyRef, LIMITS, listed, page } from './call.js';

export const createAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const target = keyRef(call, input.TargetKeyId, 'TargetKeyId');
  engine.createAlias(ctx, input.AliasName, target);
  const key = engine.findKey(ctx, target);
  if (key) trail.resources.push(key);
  return {};
};

export const updateAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const target = keyRef(call, input.TargetKeyId, 'TargetKeyId');
  const previous = engine.getAlias(ctx, input.AliasName);
  engine.updateAlias(ctx, input.AliasName, target);
  const old = previous ? engine.findKey(ctx, { keyId: previous.keyId }) : undefined;
  const key = engine.findKey(ctx, target);
  for (const k of [old, key]) if (k && !trail.resources.includes(k)) trail.resources.push(k);
  return {};
};

export const deleteAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const alias = engine.deleteAlias(ctx, input.AliasName);
  const key = engine.findKey(ctx, { keyId: alias.keyId });
  if (key) trail.resources.push(key);
  return {};
};

export const listAliases: Handler = (call) => {
  const { engine, ctx, realm, input } = call;
  const key = input.KeyId !== undefined ? keyRef(call, input.KeyId) : undefined;
  const result = engine.listAliases(ctx, page(input.Limit, input.Marker, LIMITS.listAliasesDefault, LIMITS.listAliasesMax), key);
  return listed(
    result.items.map((a) =>
      // A predefined alias whose AWS managed key does not exist yet has a name and nothing else.
      'reserved' in a
        ? { AliasName: a.name, AliasArn: aliasArn(realm, a.name) }
        : {
            AliasName: a.name,
            AliasArn: aliasArn(realm, a.name),
            TargetKeyId: a.keyId,
            CreationDate: secs(a.createdAt),
            LastUpdatedDate: secs(a.updatedAt),
          },
    ),
    result.nextMarker,
    'Aliases',
  );
};
