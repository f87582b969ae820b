/**
 * AWS KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant. Grants are
 * enforced: a principal of another account reaches a key (by its ARN) only for the operations its
 * grants list, within their encryption-context constraints (see src/engine/grants.ts).
 */

import type { GrantConstraints, GrantInfo } from '../../engine/grants.js';
import { SPEC_PROFILES } from '../../engine/specs.js';
import type { KeyInfo, KeyRef, KeyUsage, PageRequest } from '../../engine/types.js';
import { keyArn, parseKeyId, partitionOf } from './arn.js';
import { AwsServiceError } from './errors.js';
import { AWS_KEY_SPEC, secs } from './metadata.js';
import { dryRun, type Call, type Handler } from './call.js';

/** ListGrants and ListRetirableGrants: Limit 1–100, default 50. */
const GRANTS_PAGE = { fallback: 50, max: 100 };
/** Grants per key (AWS's quota). */
const GRANTS_PER_KEY = 50_000;

function page(input: Record<string, any>): PageRequest {
  return { limit: Math.min(input.Limit ?? GRANTS_PAGE.fallback, GRANTS_PAGE.max), ...(input.Marker !== undefined ? { marker: input.Marker } : {}) };
}

function keyRef(call: Call): KeyRef {
  return parseKeyId(call.input.KeyId, call.realm, false);
}

function constraintsFrom(value: Record<string, any> | undefined): GrantConstraints | undefined {
  if (!value) return undefined;
  const out: { encryptionContextSubset?: Record<string, string>; encryptionContextEquals?: Record<string, string> } = {};
  if (value.EncryptionContextSubset) out.encryptionContextSubset = { ...value.EncryptionContextSubset };
  if (value.EncryptionContextEquals) out.encryptionContextEquals = { ...value.EncryptionContextEquals };
  return out;
}

/** The neutral action of a grant operation: AWS names are the actions with a capital first letter. */
export function grantAction(operation: string): string {
  return operation.charAt(0).toLowerCase() + operation.slice(1);
}

/** The AWS name of a grant's action. */
function awsOperation(action: string): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

/** Operations any grant may allow, whatever the key. */
const COMMON_OPERATIONS = ['CreateGrant', 'RetireGrant', 'DescribeKey'];
/** The operations a grant may allow on a key of each usage (AWS: a grant for an operation the key does not support fails). */
const OPERATIONS_BY_USAGE: Record<KeyUsage, readonly string[]> = {
  ENCRYPT_DECRYPT: ['Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'],
  SIGN_VERIFY: ['Sign', 'Verify', 'GetPublicKey'],
  KEY_AGREEMENT: ['DeriveSharedSecret', 'GetPublicKey'],
  GENERATE_VERIFY_MAC: ['GenerateMac', 'VerifyMac'],
  ENCAPSULATE_DECAPSULATE: ['Encapsulate', 'Decapsulate', 'GetPublicKey'],
};
/** Symmetric encryption keys: data keys and data key pairs, and no public key. */
const SYMMETRIC_OPERATIONS = ['Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'];

/** A grant must allow only operations the key supports; encryption-context constraints only on symmetric encryption keys. */
function checkGrantFits(key: KeyInfo, operations: readonly string[], constraints: GrantConstraints | undefined): void {
  const family = SPEC_PROFILES[key.spec].family;
  const allowed = family === 'symmetric' ? SYMMETRIC_OPERATIONS : OPERATIONS_BY_USAGE[key.usage];
  const unfit = operations.filter((op) => !COMMON_OPERATIONS.includes(op) && !allowed.includes(op));
  if (unfit.length > 0) {
    throw new AwsServiceError('ValidationException', `Grant operations ${unfit.join(', ')} are not valid for a KMS key with KeySpec ${AWS_KEY_SPEC[key.spec]} and KeyUsage ${key.usage}.`);
  }
  if (constraints && family !== 'symmetric') {
    throw new AwsServiceError('ValidationException', 'Encryption context grant constraints are not supported for asymmetric or HMAC KMS keys.');
  }
}

function sameConstraints(a: GrantConstraints | undefined, b: GrantConstraints | undefined): boolean {
  const norm = (c: GrantConstraints | undefined) =>
    JSON.stringify([Object.entries(c?.encryptionContextSubset ?? {}).sort(), Object.entries(c?.encryptionContextEquals ?? {}).sort()]);
  return norm(a) === norm(b);
}

/** One GrantListEntry as ListGrants and ListRetirableGrants show it. */
function grantEntry(g: GrantInfo): Record<string, unknown> {
  const c = g.constraints;
  return {
    KeyId: keyArn(g.realm, g.keyId),
    GrantId: g.id,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: secs(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: `arn:${partitionOf(g.realm.region)}:iam::${g.realm.account}:root`,
    Operations: g.operations.map(awsOperation),
    ...(c && (c.encryptionContextSubset || c.encryptionContextEquals)
      ? {
          Constraints: {
            ...(c.encryptionContextSubset ? { EncryptionContextSubset: c.encryptionContextSubset } : {}),
            ...(c.encryptionContextEquals ? { EncryptionContextEquals: c.encryptionContextEquals } : {}),
          },
        }
      : {}),
  };
}

export const createGrant: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call);
  const constraints = constraintsFrom(input.Constraints);
  if ((input.Operations as string[]).every((op) => op === 'CreateGrant')) {
    throw new AwsServiceError('ValidationException', 'Grants must not contain only the CreateGrant operation.');
  }
  const target = engine.assertUsable(ctx, ref, 'createGrant');
  trail.resources.push(target);
  checkGrantFits(target, input.Operations, constraints);
  if (input.DryRun === true) throw dryRun();
  // A retry with the same name and parameters returns the existing grant (name idempotency).
  if (input.Name !== undefined) {
    const existing = engine
      .listGrants(ctx, ref, { limit: GRANTS_PER_KEY })
      .page.items.find(
        (g) =>
          g.name === input.Name &&
          g.granteePrincipal === input.GranteePrincipal &&
          g.retiringPrincipal === input.RetiringPrincipal &&
          g.operations.length === input.Operations.length &&
          g.operations.every((op) => input.Operations.includes(awsOperation(op))) &&
          sameConstraints(g.constraints, constraints),
      );
    if (existing) {
      trail.response = { grantId: existing.id, keyId: keyArn(target.realm, target.id) };
      return { GrantToken: existing.token, GrantId: existing.id };
    }
  }
  const { key, grant } = engine.createGrant(ctx, ref, {
    granteePrincipal: input.GranteePrincipal,
    operations: (input.Operations as string[]).map(grantAction),
    ...(input.RetiringPrincipal !== undefined ? { retiringPrincipal: input.RetiringPrincipal } : {}),
    ...(input.Name !== undefined ? { name: input.Name } : {}),
    ...(constraints ? { constraints } : {}),
    limit: GRANTS_PER_KEY,
  });
  trail.response = { grantId: grant.id, keyId: keyArn(key.realm, key.id) };
  return { GrantToken: grant.token, GrantId: grant.id };
};

export const listGrants: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const filter = {
    ...(input.GrantId !== undefined ? { grantId: input.GrantId as string } : {}),
    ...(input.GranteePrincipal !== undefined ? { granteePrincipal: input.GranteePrincipal as string } : {}),
  };
  const { key, page: result } = engine.listGrants(ctx, keyRef(call), page(input), filter);
  trail.resources.push(key);
  if (input.GrantId !== undefined && result.items.length === 0 && input.Marker === undefined) {
    throw new AwsServiceError('InvalidGrantIdException', `Grant ID ${input.GrantId} is not valid.`);
  }
  return { Grants: result.items.map(grantEntry), ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}), Truncated: result.nextMarker !== undefined };
};

export const listRetirableGrants: Handler = ({ engine, ctx, input }) => {
  const result = engine.listRetirableGrants(ctx, input.RetiringPrincipal, page(input));
  return { Grants: result.items.map(grantEntry), ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}), Truncated: result.nextMarker !== undefined };
};

export const retireGrant: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  let by: { token: string } | { keyRef: KeyRef; grantId: string };
  if (input.GrantToken !== undefined) by = { token: input.GrantToken };
  else if (input.KeyId !== undefined && input.GrantId !== undefined) by = { keyRef: keyRef(call), grantId: input.GrantId };
  else throw new AwsServiceError('ValidationException', 'Either GrantToken or both KeyId and GrantId must be specified.');
  // A dry run (ctx.dryRun) is judged in full by the engine, which refuses it before the grant goes.
  if (input.DryRun === true && 'token' in by && !engine.grantByToken(ctx, by.token)) {
    throw new AwsServiceError('InvalidGrantTokenException', 'The grant token is not valid.');
  }
  const grant = engine.retireGrant(ctx, by);
  const key = engine.findKey({ ...ctx, realm: grant.realm }, { keyId: grant.keyId });
  if (key) trail.resources.push(key);
  trail.response = { grantId: grant.id, keyId: keyArn(grant.realm, grant.keyId) };
  return {};
};

export const revokeGrant: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call);
  if (input.DryRun === true) {
    findGrant(call, { keyRef: ref, grantId: input.GrantId });
    throw dryRun();
  }
  const grant = engine.revokeGrant(ctx, ref, input.GrantId);
  trail.resources.push(engine.describeKey(ctx, ref));
  trail.response = { grantId: grant.id };
  return {};
};

/** For dry runs: the grant a retire or revoke would remove, or the error it would get. */
function findGrant(call: Call, by: { token: string } | { keyRef: KeyRef; grantId: string }): void {
  const { engine, ctx } = call;
  if ('token' in by) {
    if (!engine.grantByToken(ctx, by.token)) throw new AwsServiceError('InvalidGrantTokenException', 'The grant token is not valid.');
    return;
  }
  const found = engine.listGrants(ctx, by.keyRef, { limit: 1 }, { grantId: by.grantId }).page.items.length > 0;
  if (!found) throw new AwsServiceError('InvalidGrantIdException', `Grant ID ${by.grantId} is not valid.`);
}

