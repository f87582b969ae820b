/**
 * The authorization mode of the AWS dialect (docs/authorization.md): each call's principal, its
 * identity policies and the key's policy judged by the engine's policy evaluator as AWS KMS judges
 * them, with the condition keys AWS documents for each operation, and AccessDeniedException worded
 * as AWS words it. 'enforce' refuses; 'audit' records the decisions in the CloudTrail record
 * (additionalEventData.authorization) and lets the call go on under today's rules.
 */
import {
  authorizeKmsRequest,
  parsePolicy,
  type AuthorizationRequest,
  type ConditionValue,
  type KmsDecision,
  type ParsedPolicy,
} from '../../engine/authorization/index.js';
import type { Action } from '../../engine/actions.js';
import type { JsonValue } from '../../engine/audit.js';
import type { AuthorizationRefusal, AuthorizationSubject, CallAuthorizer, CallContext, EncryptionContext, KeyInfo, Principal, Realm } from '../../engine/types.js';
import { aliasArn, keyArn, partitionOf, principalArn } from './arn.js';
import { AWS_KEY_SPEC, AWS_ORIGIN, defaultKeyPolicy } from './metadata.js';
import { AwsServiceError } from './service-error.js';

export type AuthorizationMode = 'off' | 'enforce' | 'audit';
export const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['off', 'enforce', 'audit'];

/** What an AWS caller carries beyond its principal: IAM identity policies (JSON documents) and principal tags. */
export interface AwsIdentity {
  /** Identity-based policies attached to the user or role (inline or managed, all the same here): JSON texts or objects. */
  readonly policies?: ReadonlyArray<string | object>;
  /** Principal tags (aws:PrincipalTag/<key>). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One decision, as additionalEventData.authorization.decisions shows it. */
export interface AuthorizationRecord {
  action: string;
  resource: string;
  allowed: boolean;
  /** What allowed the call: key-policy, identity-policy, grant or root. */
  by?: string;
  /** Why it was refused: explicit-deny-resource, explicit-deny-identity, no-resource-policy-allows, no-identity-policy-allows, or unparsable-policy. */
  reason?: string;
  /** The AccessDeniedException message a refusal carries (in audit mode: would carry). */
  message?: string;
}

/** Actions AWS authorizes by identity policy alone (no key policy is consulted; resource "*"). */
const IDENTITY_ONLY: ReadonlySet<Action> = new Set<Action>(['createKey', 'listKeys', 'listAliases', 'generateRandom', 'listRetirableGrants']);

/** Operations on an alias: also judged on the alias's ARN, by identity policies. */
const ALIAS_ACTIONS: ReadonlySet<Action> = new Set<Action>(['createAlias', 'updateAlias', 'deleteAlias']);

/** AWS action names that are not the call's own operation: a re-encryption authorizes its two keys apart. */
const ACTION_NAMES: Partial<Record<Action, string>> = { reEncryptFrom: 'kms:ReEncryptFrom', reEncryptTo: 'kms:ReEncryptTo', createKey: 'kms:CreateKey', tagKey: 'kms:TagResource' };

const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.';
const CACHE_LIMIT = 1024;

/** A policy text, read once: the parsed policy (or the parser's reason), and the condition keys it names (lower-case). */
interface KnownPolicy {
  readonly parsed: ParsedPolicy | string;
  readonly mentions: ReadonlySet<string>;
}

/**
 * The condition keys a policy names, lower-case: every "aws:…" or "kms:…" string of the text and every
 * ${aws:…} variable (action names come along; they do no harm). A call builds only these keys.
 */
function mentionsOf(text: string): Set<string> {
  const mentions = new Set<string>();
  const lower = text.toLowerCase();
  for (const m of lower.matchAll(/"((?:aws|kms):[^"\\]*)"/g)) mentions.add(m[1]!);
  for (const m of lower.matchAll(/\$\{((?:aws|kms):[^}]*)\}/g)) mentions.add(m[1]!);
  return mentions;
}

/** Policies by text: a key's policy changes rarely, and every call of the key reads it. */
class PolicyCache {
  readonly #known = new Map<string, KnownPolicy>();

  get(text: string): KnownPolicy {
    let known = this.#known.get(text);
    if (known === undefined) {
      const result = parsePolicy(text);
      known = { parsed: result.ok ? result.policy : result.reason, mentions: mentionsOf(text) };
      if (this.#known.size >= CACHE_LIMIT) this.#known.clear();
      this.#known.set(text, known);
    }
    return known;
  }
}

/** A caller's identity policies, parsed, and the condition keys they name. */
interface KnownIdentity {
  readonly policies: readonly ParsedPolicy[];
  readonly mentions: ReadonlySet<string>;
}

const NO_IDENTITY: KnownIdentity = { policies: [], mentions: new Set() };

/** The emulator-wide part of the mode: the mode itself and the parsed policies. */
export class AwsAuthorization {
  readonly policies = new PolicyCache();
  readonly #identities = new WeakMap<AwsIdentity, KnownIdentity>();
  constructor(readonly mode: AuthorizationMode) {}

  /** The identity's policies, parsed once per identity object; a policy that does not parse counts for nothing. */
  identity(identity: AwsIdentity | undefined): KnownIdentity {
    if (identity?.policies === undefined || identity.policies.length === 0) return NO_IDENTITY;
    let known = this.#identities.get(identity);
    if (!known) {
      const policies: ParsedPolicy[] = [];
      const mentions = new Set<string>();
      for (const p of identity.policies) {
        const policy = this.policies.get(typeof p === 'string' ? p : JSON.stringify(p));
        if (typeof policy.parsed !== 'string') policies.push(policy.parsed);
        for (const m of policy.mentions) mentions.add(m);
      }
      known = { policies, mentions };
      this.#identities.set(identity, known);
    }
    return known;
  }
}

/** What the per-call check reads of its call (the dialect's request in flight). */
export interface AwsCallFacts {
  readonly operation: string;
  readonly realm: Realm;
  /** The caller, with its AWS names. */
  readonly principal: Principal;
  readonly identity: AwsIdentity | undefined;
  readonly sourceIp: string | undefined;
  readonly viaService: string | undefined;
  /** The request in flight: its decoded input is read when a key is reached, after decoding. */
  readonly call: { readonly input: Record<string, any> };
  /** The emulator's clock (aws:CurrentTime). */
  readonly clock: { now(): number };
}

interface PrincipalNames {
  readonly arn: string;
  readonly names: readonly string[];
  readonly principalArn: string;
}

/** Principals' names, made once per principal object (the dialect shares them between calls). */
const principalNamesMade = new WeakMap<Principal, PrincipalNames>();

function principalNamesOf(p: Principal, region: string): PrincipalNames {
  let names = principalNamesMade.get(p);
  if (names === undefined || !names.arn.startsWith(`arn:${partitionOf(region)}:`)) {
    names = principalNames(p, region);
    principalNamesMade.set(p, names);
  }
  return names;
}

/** The AWS names of a principal: its ARN in messages, the ARNs a policy's Principal matches, aws:PrincipalArn. */
function principalNames(p: Principal, region: string): PrincipalNames {
  const arn = principalArn(p, region);
  const partition = partitionOf(region);
  if (p.type === 'role') {
    const roleArn = `arn:${partition}:iam::${p.account}:role/${(p.name ?? p.id).split('/')[0]}`;
    return { arn, names: [arn, roleArn], principalArn: roleArn };
  }
  return { arn, names: [arn], principalArn: arn };
}

/** The per-call check the engine calls for every key the call reaches, and once for a call that reaches none. */
export class AwsCallAuthorizer implements CallAuthorizer {
  readonly enforcing: boolean;
  /** The decisions made, for the CloudTrail record (audit mode; enforcing, a refusal is the record's error). */
  readonly decisions: AuthorizationRecord[] = [];

  constructor(
    readonly shared: AwsAuthorization,
    readonly facts: AwsCallFacts,
  ) {
    this.enforcing = shared.mode === 'enforce';
  }

  #principal(): PrincipalNames {
    return principalNamesOf(this.facts.principal, this.facts.realm.region);
  }

  #actionName(action: Action): string {
    return ACTION_NAMES[action] ?? `kms:${this.facts.operation}`;
  }

  check(subject: AuthorizationSubject): AuthorizationRefusal | undefined {
    const identityOnly = IDENTITY_ONLY.has(subject.action) || subject.key === undefined;
    const key = identityOnly ? undefined : subject.key;
    const refusal = this.#judge(subject, this.#actionName(subject.action), key, key ? keyArn(key.realm, key.id) : '*');
    if (refusal !== undefined) return this.enforcing ? refusal : undefined;
    const input = this.facts.call.input;
    // An alias operation needs the action on the alias too, from an identity policy (once: UpdateAlias reaches two keys).
    if (ALIAS_ACTIONS.has(subject.action) && typeof input.AliasName === 'string' && !this.#aliasJudged) {
      this.#aliasJudged = true;
      const onAlias = this.#judge(subject, this.#actionName(subject.action), undefined, aliasArn(this.facts.realm, input.AliasName));
      if (onAlias !== undefined) return this.enforcing ? onAlias : undefined;
    }
    const replicating = subject.action === 'replicateKey' && this.facts.operation === 'ReplicateKey';
    const creating = replicating || (subject.action === 'createKey' && this.facts.operation === 'CreateKey');
    // A replica is a new key: ReplicateKey also needs kms:CreateKey (an identity policy's, in the replica's Region).
    if (replicating) {
      const refusal = this.check({ key: undefined, aliases: subject.aliases, action: 'createKey', grantAllows: false });
      if (refusal) return refusal;
    }
    // A new key with Tags also needs kms:TagResource (an identity policy's, the key being new).
    if (creating && Array.isArray(input.Tags) && input.Tags.length > 0) {
      const refusal = this.check({ key: undefined, aliases: subject.aliases, action: 'tagKey', grantAllows: false });
      if (refusal) return refusal;
    }
    // The lockout check comes once the caller may set the policy, before anything changes.
    if (subject.action === 'putPolicy' || creating) {
      const policy = input.Policy;
      if (typeof policy === 'string') this.checkLockout(policy, subject.action === 'putPolicy' ? key?.id : undefined);
    }
    return undefined;
  }

  #aliasJudged = false;

  /**
   * One decision: `action` on `resource`, by the key's policy (with `key`) or by identity policies
   * alone (without). Recorded; a refusal is returned (worded), whatever the mode.
   */
  #judge(subject: AuthorizationSubject, action: string, key: KeyInfo | undefined, resource: string): AuthorizationRefusal | undefined {
    const principal = this.#principal();
    const identity = this.shared.identity(this.facts.identity);
    // A key made without the AWS dialect (another provider's, the engine's own) has AWS's default key policy.
    const keyPolicy = key === undefined ? undefined : this.shared.policies.get(key.policies.get('default') ?? defaultKeyPolicy(key.realm.account, partitionOf(key.realm.region)));
    const request: AuthorizationRequest = {
      action,
      resource,
      principal: { arn: principal.arn, account: this.facts.principal.account, names: principal.names },
      keys: conditionKeys(this.facts, subject, key === undefined ? undefined : subject, principal.principalArn, new KeySet(identity.mentions, keyPolicy?.mentions)),
    };
    let decision: KmsDecision;
    if (key === undefined || keyPolicy === undefined) {
      decision = authorizeKmsRequest({ request, keyAccount: this.facts.principal.account, identityPolicies: identity.policies, grantAllows: false });
    } else {
      // A stored policy the evaluator cannot read (put while the mode was off) allows nothing.
      decision =
        typeof keyPolicy.parsed === 'string'
          ? UNREADABLE
          : authorizeKmsRequest({ request, keyAccount: key.realm.account, keyPolicy: keyPolicy.parsed, identityPolicies: identity.policies, grantAllows: subject.grantAllows });
    }
    if (decision.allowed) {
      this.#record({ action, resource, allowed: true, by: decision.by });
      return undefined;
    }
    const message = deniedMessage(principal.arn, action, resource === '*' ? undefined : resource, decision.reason);
    this.#record({ action, resource, allowed: false, reason: decision.reason, message });
    return { message, reason: decision.reason };
  }

  #record(entry: AuthorizationRecord): void {
    if (this.enforcing) return;
    // An operation that reaches its key twice (Decrypt naming its key) records one decision.
    const last = this.decisions[this.decisions.length - 1];
    if (last && last.action === entry.action && last.resource === entry.resource && last.allowed === entry.allowed) return;
    if (this.decisions.length < 16) this.decisions.push(entry);
  }

  /** additionalEventData.authorization of the call's CloudTrail record. */
  trailEntry(): JsonValue {
    return { mode: this.shared.mode, decisions: this.decisions as unknown as JsonValue[] };
  }

  /**
   * The policy lockout safety check of CreateKey and PutKeyPolicy: the new policy must let the
   * caller put a key policy again, unless BypassPolicyLockoutSafetyCheck. Throws
   * MalformedPolicyDocumentException. Enforcing only (audit mode records nothing here).
   */
  checkLockout(policyText: string, keyId: string | undefined): void {
    if (!this.enforcing || this.facts.call.input.BypassPolicyLockoutSafetyCheck === true) return;
    const parsed = this.shared.policies.get(policyText).parsed;
    if (typeof parsed === 'string') throw new AwsServiceError('MalformedPolicyDocumentException', parsed);
    const principal = this.#principal();
    const realm = this.facts.realm;
    const resource = keyId === undefined ? `arn:${partitionOf(realm.region)}:kms:${realm.region}:${realm.account}:key/*` : keyArn(realm, keyId);
    const set = new KeySet(EVERY_KEY, undefined);
    principalKeys(set, this.facts, principal.principalArn);
    set.put('kms:BypassPolicyLockoutSafetyCheck', false);
    const keys = set.keys;
    const decision = authorizeKmsRequest({
      request: { action: 'kms:PutKeyPolicy', resource, principal: { arn: principal.arn, account: this.facts.principal.account, names: principal.names }, keys },
      keyAccount: realm.account,
      keyPolicy: parsed,
      identityPolicies: this.shared.identity(this.facts.identity).policies,
      grantAllows: false,
    });
    if (!decision.allowed) throw new AwsServiceError('MalformedPolicyDocumentException', LOCKOUT_MESSAGE);
  }

  /** A policy text the evaluator cannot read is refused as malformed while authorization is on. */
  checkParses(policyText: string): void {
    const parsed = this.shared.policies.get(policyText).parsed;
    if (typeof parsed === 'string') throw new AwsServiceError('MalformedPolicyDocumentException', parsed);
  }
}

const UNREADABLE: KmsDecision = { allowed: false, reason: 'no-resource-policy-allows' };

/** AccessDeniedException's message, word for word as AWS KMS writes it. */
export function deniedMessage(principal: string, action: string, resource: string | undefined, reason: string): string {
  const head = `User: ${principal} is not authorized to perform: ${action}${resource === undefined ? '' : ` on resource: ${resource}`}`;
  switch (reason) {
    case 'explicit-deny-resource':
      return `${head} with an explicit deny in a resource-based policy`;
    case 'explicit-deny-identity':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'no-identity-policy-allows':
      return `${head} because no identity-based policy allows the ${action} action`;
    default:
      return `${head} because no resource-based policy allows the ${action} action`;
  }
}

/** Every key wanted (the lockout check builds them all). */
const EVERY_KEY: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/** A request's condition keys, built only where a policy of the call names them (`wants`, lower-case). */
class KeySet {
  readonly keys = new Map<string, ConditionValue>();
  constructor(
    readonly identityMentions: ReadonlySet<string>,
    readonly keyMentions: ReadonlySet<string> | undefined,
  ) {}

  wants(lower: string): boolean {
    return this.identityMentions.has(lower) || (this.keyMentions !== undefined && this.keyMentions.has(lower));
  }

  /** Sets `name` (AWS's spelling) when a policy names it in any case. */
  put(name: string, value: ConditionValue | undefined): void {
    if (value !== undefined && this.wants(name.toLowerCase())) this.keys.set(name, value);
  }
}

function principalKeys(set: KeySet, facts: AwsCallFacts, principalArnValue: string): void {
  const account = facts.principal.account;
  const keys = set.keys;
  keys.set('aws:PrincipalArn', principalArnValue);
  keys.set('aws:PrincipalAccount', account);
  keys.set('kms:CallerAccount', account);
  if (set.wants('aws:principaltype')) keys.set('aws:PrincipalType', PRINCIPAL_TYPE[facts.principal.type]);
  if (facts.sourceIp !== undefined && set.wants('aws:sourceip')) keys.set('aws:SourceIp', facts.sourceIp);
  if (set.wants('aws:currenttime')) keys.set('aws:CurrentTime', new Date(facts.clock.now()).toISOString());
  if (set.wants('aws:epochtime')) keys.set('aws:EpochTime', Math.floor(facts.clock.now() / 1000));
  if (facts.viaService !== undefined) keys.set('kms:ViaService', facts.viaService);
  const tags = facts.identity?.tags;
  if (tags) for (const k of Object.keys(tags)) set.put(`aws:PrincipalTag/${k}`, tags[k]!);
}

const PRINCIPAL_TYPE: Record<Principal['type'], string> = { root: 'Account', user: 'User', role: 'AssumedRole', service: 'Service' };

/** An alias name in a KeyId (`alias/…`, or an alias ARN), or undefined. */
function requestAlias(keyId: unknown): string | undefined {
  if (typeof keyId !== 'string') return undefined;
  if (keyId.startsWith('alias/')) return keyId;
  const at = keyId.startsWith('arn:') ? keyId.indexOf(':alias/') : -1;
  return at > 0 ? keyId.slice(at + 1) : undefined;
}

/**
 * The condition keys AWS documents for the call — the principal's, the request's and (with `keyed`)
 * the key's — under AWS's spelling (the evaluator finds a key written so at once, any other case by
 * comparison); only those a policy of the call names are built (the principal's and kms:ViaService always).
 */
function conditionKeys(facts: AwsCallFacts, subject: AuthorizationSubject, keyed: AuthorizationSubject | undefined, principalArnValue: string, set: KeySet): Map<string, ConditionValue> {
  principalKeys(set, facts, principalArnValue);
  const input = facts.call.input;
  const op = facts.operation;
  // The encryption context of the side being authorized (a re-encryption has two).
  const context: EncryptionContext | undefined = subject.context;
  if (context !== undefined) {
    const names = Object.keys(context);
    for (const k of names) set.put(`kms:EncryptionContext:${k}`, context[k]!);
    if (names.length > 0) set.put('kms:EncryptionContextKeys', names);
  }
  // Algorithms, message types and MAC algorithms.
  if (op === 'Encrypt' || op === 'Decrypt') set.put('kms:EncryptionAlgorithm', input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT');
  else if (op === 'ReEncrypt') {
    set.put('kms:EncryptionAlgorithm', (subject.action === 'reEncryptFrom' ? input.SourceEncryptionAlgorithm : input.DestinationEncryptionAlgorithm) ?? 'SYMMETRIC_DEFAULT');
  } else if (op.startsWith('GenerateDataKey')) set.put('kms:EncryptionAlgorithm', 'SYMMETRIC_DEFAULT');
  if (op === 'Sign' || op === 'Verify') {
    set.put('kms:SigningAlgorithm', input.SigningAlgorithm);
    set.put('kms:MessageType', input.MessageType ?? 'RAW');
  }
  if (op === 'GenerateMac' || op === 'VerifyMac') set.put('kms:MacAlgorithm', input.MacAlgorithm);
  // Grants.
  if (op === 'CreateGrant') {
    set.put('kms:GrantOperations', input.Operations);
    set.put('kms:GranteePrincipal', input.GranteePrincipal);
    set.put('kms:RetiringPrincipal', input.RetiringPrincipal);
    set.put('kms:GrantIsForAWSResource', facts.viaService !== undefined);
    const c = input.Constraints;
    set.put('kms:GrantConstraintType', c?.EncryptionContextEquals ? 'EncryptionContextEquals' : c?.EncryptionContextSubset ? 'EncryptionContextSubset' : undefined);
  }
  // Key management.
  if (op === 'ReplicateKey') set.put('kms:ReplicaRegion', input.ReplicaRegion);
  if (op === 'UpdatePrimaryRegion') set.put('kms:ReplicaRegion', input.PrimaryRegion);
  if (op === 'EnableKeyRotation') set.put('kms:RotationPeriodInDays', input.RotationPeriodInDays ?? 365);
  if (op === 'ScheduleKeyDeletion') set.put('kms:ScheduleKeyDeletionPendingWindowInDays', input.PendingWindowInDays ?? 30);
  if (op === 'CreateKey' || op === 'PutKeyPolicy') set.put('kms:BypassPolicyLockoutSafetyCheck', input.BypassPolicyLockoutSafetyCheck === true);
  // Tags in the request.
  if (Array.isArray(input.Tags) && (op === 'CreateKey' || op === 'TagResource' || op === 'ReplicateKey')) {
    const tagKeys: string[] = [];
    for (const t of input.Tags as Array<{ TagKey: string; TagValue: string }>) {
      set.put(`aws:RequestTag/${t.TagKey}`, t.TagValue);
      tagKeys.push(t.TagKey);
    }
    set.put('aws:TagKeys', tagKeys);
  }
  if (op === 'UntagResource' && Array.isArray(input.TagKeys)) set.put('aws:TagKeys', input.TagKeys);
  // The key: named through an alias, its aliases, its spec, usage, origin and tags.
  set.put('kms:RequestAlias', requestAlias(input.KeyId));
  if (op === 'CreateKey') {
    set.put('kms:KeySpec', input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT');
    set.put('kms:KeyUsage', input.KeyUsage ?? 'ENCRYPT_DECRYPT');
    set.put('kms:KeyOrigin', input.Origin ?? 'AWS_KMS');
    set.put('kms:MultiRegion', input.MultiRegion === true);
  }
  const key = keyed?.key;
  if (key !== undefined) {
    set.put('kms:KeySpec', AWS_KEY_SPEC[key.spec]);
    set.put('kms:KeyUsage', key.usage);
    set.put('kms:KeyOrigin', AWS_ORIGIN[key.origin]);
    set.put('kms:MultiRegion', key.multiRegion);
    if (keyed!.aliases.size > 0) set.put('kms:ResourceAliases', [...keyed!.aliases]);
    for (const [k, v] of key.tags) set.put(`aws:ResourceTag/${k}`, v);
  }
  return set.keys;
}

/**
 * A key policy about to be set (CreateKey, PutKeyPolicy), while authorization is on: the evaluator
 * must read it. Nothing while it is off. (The lockout check comes with the call's authorization.)
 */
export function checkNewKeyPolicy(ctx: CallContext): void {
  const authorizer = ctx.authorizer;
  const policy: unknown = authorizer instanceof AwsCallAuthorizer ? authorizer.facts.call.input.Policy : undefined;
  if (typeof policy === 'string') (authorizer as AwsCallAuthorizer).checkParses(policy);
}

/** The identity a caller gave (a programming mistake is a TypeError, before anything runs). */
export function checkIdentity(identity: unknown): AwsIdentity | undefined {
  if (identity === undefined || identity === null) return undefined;
  if (typeof identity !== 'object' || Array.isArray(identity)) throw new TypeError('meta.identity must be an object');
  const { policies, tags } = identity as { policies?: unknown; tags?: unknown };
  if (policies !== undefined && (!Array.isArray(policies) || !policies.every((p) => typeof p === 'string' || (typeof p === 'object' && p !== null)))) {
    throw new TypeError('meta.identity.policies must be an array of policy documents (JSON texts or objects)');
  }
  if (tags !== undefined && (typeof tags !== 'object' || tags === null || !Object.values(tags).every((v) => typeof v === 'string'))) {
    throw new TypeError('meta.identity.tags must be an object of strings');
  }
  return identity as AwsIdentity;
}
