/**
 * The init document: keys declared up front (`kms-emulator serve --init FILE`, `createKms({ init })`),
 * each in its provider's words. Checked in full before anything is made.
 *
 *   version: 1
 *   keys:
 *     - provider: aws                    # the default
 *       id: 1234abcd-12ab-34cd-56ef-1234567890ab
 *       spec: SYMMETRIC_DEFAULT
 *       material: <base64>                # so fixture ciphertexts decrypt in every run
 *       aliases: [alias/orders]
 *       tags: { team: payments }
 *       rotation: { enabled: true, periodDays: 365 }
 *       state: Enabled                    # Enabled | Disabled | PendingDeletion
 */
import * as z from 'zod/mini';
import { fromBase64 } from '../crypto/bytes.js';
import { KEY_SPEC_FROM_AWS } from '../dialects/aws/metadata.js';
import { KEY_SPEC_FROM_HUAWEI } from '../dialects/huawei/metadata.js';
import { KEY_USAGES } from '../dialects/tencent/metadata.js';
import { lazy } from '../engine/schema.js';

export const INIT_VERSION = 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGION = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;

const base64 = z.string().check(
  z.minLength(1),
  z.refine((s) => fromBase64(s) !== undefined, 'must be base64'),
);

const state = z.enum(['Enabled', 'Disabled', 'PendingDeletion']);

/** A whole number from `min` to `max`. */
const between = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

/** What every provider's key may carry. */
function common(limits: { rotationDays: readonly [number, number]; pendingDays: readonly [number, number]; tagKey: number; tagValue: number }) {
  return {
    description: z.optional(z.string().check(z.maxLength(8192))),
    /** Symmetric or HMAC key bytes, or an asymmetric key's PKCS#8 private key (DER), in base64. */
    material: z.optional(base64),
    tags: z.optional(z.record(z.string().check(z.minLength(1), z.maxLength(limits.tagKey)), z.string().check(z.maxLength(limits.tagValue)))),
    rotation: z.optional(
      z.union([
        z.boolean(),
        z.strictObject({
          enabled: z.optional(z.boolean()),
          periodDays: z.optional(between(limits.rotationDays[0], limits.rotationDays[1])),
        }),
      ]),
    ),
    state: z.optional(state),
    pendingWindowDays: z.optional(between(limits.pendingDays[0], limits.pendingDays[1])),
  };
}

/** An optional string that must match `pattern` (`message` when it does not). */
const matching = (pattern: RegExp, message: string) => z.optional(z.string().check(z.regex(pattern, message)));

const awsKey = () => z.strictObject({
  provider: z.literal('aws'),
  /** A key id (UUID) or a multi-Region key id (mrk- and 32 hex digits). */
  id: matching(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab) or mrk- and 32 hex digits'),
  account: matching(/^\d{12}$/, 'must be 12 digits'),
  region: matching(REGION, 'must be a region such as us-east-1'),
  spec: z.optional(z.enum(Object.keys(KEY_SPEC_FROM_AWS) as [string, ...string[]])),
  usage: z.optional(z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'])),
  origin: z.optional(z.enum(['AWS_KMS', 'EXTERNAL'])),
  aliases: z.optional(
    z.array(
      z.string().check(
        z.regex(/^alias\/[a-zA-Z0-9/_-]{1,250}$/, "must be 'alias/' and up to 250 of a-z, A-Z, 0-9, /, _ and -"),
        z.refine((name) => !name.startsWith('alias/aws/'), "'alias/aws/' is reserved for AWS managed keys"),
      ),
    ),
  ),
  /** The key policy: JSON text or the policy document itself. Default: the account's default key policy. */
  policy: z.optional(z.union([z.string().check(z.minLength(1), z.maxLength(32768)), z.record(z.string(), z.unknown())])),
  ...common({ rotationDays: [90, 2560], pendingDays: [7, 30], tagKey: 128, tagValue: 256 }),
});

const tencentKey = () => z.strictObject({
  provider: z.literal('tencent'),
  id: matching(UUID, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab)'),
  uin: matching(/^\d{1,20}$/, 'must be a uin (digits)'),
  region: matching(REGION, 'must be a region such as ap-guangzhou'),
  /** Tencent's KeyUsage (it names the algorithm too): ENCRYPT_DECRYPT, ASYMMETRIC_SIGN_VERIFY_SM2, … */
  usage: z.optional(z.enum(Object.keys(KEY_USAGES) as [string, ...string[]])),
  origin: z.optional(z.enum(['TENCENT_KMS', 'EXTERNAL'])),
  alias: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,60}$/, 'must be 1 to 60 of a-z, A-Z, 0-9, _ and -')),
  ...common({ rotationDays: [7, 365], pendingDays: [7, 30], tagKey: 255, tagValue: 127 }),
});

const huaweiKey = () => z.strictObject({
  provider: z.literal('huawei'),
  id: matching(UUID, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab)'),
  domain: matching(/^[0-9a-f]{32}$/, 'must be a domain id (32 hex digits)'),
  project: matching(/^[0-9a-zA-Z_-]{1,64}$/, 'must be a project id'),
  spec: z.optional(z.enum(Object.keys(KEY_SPEC_FROM_HUAWEI) as [string, ...string[]])),
  usage: z.optional(z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'])),
  origin: z.optional(z.enum(['kms', 'external'])),
  alias: z.string().check(z.regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'must be 1 to 255 of a-z, A-Z, 0-9, :, /, _ and -')),
  ...common({ rotationDays: [30, 365], pendingDays: [7, 1096], tagKey: 36, tagValue: 43 }),
});

// The schemas are built on first use (lazy and the functions above), by the first init document
// read: building them costs more than loading zod, and most programs never read one.
/** A key without `provider` is an AWS key (classic zod's z.preprocess: a transform piped into the union). */
const keySchema = lazy(() =>
  z.pipe(
    z.transform((value: unknown): unknown =>
      value !== null && typeof value === 'object' && !Array.isArray(value) && !('provider' in value) ? { provider: 'aws', ...value } : value,
    ),
    z.discriminatedUnion('provider', [awsKey(), tencentKey(), huaweiKey()]),
  ),
);

export const initSchema = lazy(() => z.strictObject({
  version: z.optional(z.literal(INIT_VERSION)),
  keys: z.optional(z.array(keySchema).check(z.maxLength(10_000))),
}));

/** A key as written in an init document (`provider` may be left out for AWS). */
export type InitKeyDeclaration =
  | (Omit<z.input<ReturnType<typeof awsKey>>, 'provider'> & { provider?: 'aws' })
  | z.input<ReturnType<typeof tencentKey>>
  | z.input<ReturnType<typeof huaweiKey>>;

/** An init document as written (parsed YAML or JSON): checked in full by parseInit. */
export interface InitDocument {
  version?: 1;
  keys?: InitKeyDeclaration[];
}
export type ParsedInit = z.output<typeof initSchema>;
export type InitKey = NonNullable<ParsedInit['keys']>[number];
export type AwsInitKey = z.output<ReturnType<typeof awsKey>>;
export type TencentInitKey = z.output<ReturnType<typeof tencentKey>>;
export type HuaweiInitKey = z.output<ReturnType<typeof huaweiKey>>;

/** A refused init document: where (a path into it, e.g. ['keys', 2, 'spec']) and why. */
export class InitError extends Error {
  constructor(
    readonly path: ReadonlyArray<string | number>,
    readonly reason: string,
  ) {
    super(`${path.length > 0 ? `${formatPath(path)}: ` : ''}${reason}`);
    this.name = 'InitError';
  }
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Checks an init document; throws InitError naming the first problem. */
export function parseInit(document: unknown): ParsedInit {
  const result = initSchema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  return reject(issue);
}

function reject(issue: z.core.$ZodIssue): never {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Named by its own path, so that a file's line points at the field.
    path.push(issue.keys[0]!);
    reason = 'unknown field';
  } else if (issue.code === 'invalid_union' && path.at(-1) === 'provider') reason = "provider must be 'aws', 'tencent' or 'huawei'";
  throw new InitError(path, reason);
}
