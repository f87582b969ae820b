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
import * as z from 'zod';
import { fromBase64 } from '../crypto/bytes.js';
import { KEY_SPEC_FROM_AWS } from '../dialects/aws/metadata.js';
import { KEY_SPEC_FROM_HUAWEI } from '../dialects/huawei/metadata.js';
import { KEY_USAGES } from '../dialects/tencent/metadata.js';

export const INIT_VERSION = 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGION = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;

const base64 = z
  .string()
  .min(1)
  .refine((s) => fromBase64(s) !== undefined, 'must be base64');

const state = z.enum(['Enabled', 'Disabled', 'PendingDeletion']);

/** What every provider's key may carry. */
function common(limits: { rotationDays: readonly [number, number]; pendingDays: readonly [number, number]; tagKey: number; tagValue: number }) {
  return {
    description: z.string().max(8192).optional(),
    /** Symmetric or HMAC key bytes, or an asymmetric key's PKCS#8 private key (DER), in base64. */
    material: base64.optional(),
    tags: z.record(z.string().min(1).max(limits.tagKey), z.string().max(limits.tagValue)).optional(),
    rotation: z
      .union([
        z.boolean(),
        z.strictObject({
          enabled: z.boolean().optional(),
          periodDays: z.number().int().min(limits.rotationDays[0]).max(limits.rotationDays[1]).optional(),
        }),
      ])
      .optional(),
    state: state.optional(),
    pendingWindowDays: z.number().int().min(limits.pendingDays[0]).max(limits.pendingDays[1]).optional(),
  };
}

const awsKey = () => z.strictObject({
  provider: z.literal('aws'),
  /** A key id (UUID) or a multi-Region key id (mrk- and 32 hex digits). */
  id: z
    .string()
    .regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab) or mrk- and 32 hex digits')
    .optional(),
  account: z.string().regex(/^\d{12}$/, 'must be 12 digits').optional(),
  region: z.string().regex(REGION, 'must be a region such as us-east-1').optional(),
  spec: z.enum(Object.keys(KEY_SPEC_FROM_AWS) as [string, ...string[]]).optional(),
  usage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE']).optional(),
  origin: z.enum(['AWS_KMS', 'EXTERNAL']).optional(),
  aliases: z
    .array(
      z
        .string()
        .regex(/^alias\/[a-zA-Z0-9/_-]{1,250}$/, "must be 'alias/' and up to 250 of a-z, A-Z, 0-9, /, _ and -")
        .refine((name) => !name.startsWith('alias/aws/'), "'alias/aws/' is reserved for AWS managed keys"),
    )
    .optional(),
  /** The key policy: JSON text or the policy document itself. Default: the account's default key policy. */
  policy: z.union([z.string().min(1).max(32768), z.record(z.string(), z.unknown())]).optional(),
  ...common({ rotationDays: [90, 2560], pendingDays: [7, 30], tagKey: 128, tagValue: 256 }),
});

const tencentKey = () => z.strictObject({
  provider: z.literal('tencent'),
  id: z.string().regex(UUID, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab)').optional(),
  uin: z.string().regex(/^\d{1,20}$/, 'must be a uin (digits)').optional(),
  region: z.string().regex(REGION, 'must be a region such as ap-guangzhou').optional(),
  /** Tencent's KeyUsage (it names the algorithm too): ENCRYPT_DECRYPT, ASYMMETRIC_SIGN_VERIFY_SM2, … */
  usage: z.enum(Object.keys(KEY_USAGES) as [string, ...string[]]).optional(),
  origin: z.enum(['TENCENT_KMS', 'EXTERNAL']).optional(),
  alias: z.string().regex(/^[a-zA-Z0-9_-]{1,60}$/, 'must be 1 to 60 of a-z, A-Z, 0-9, _ and -'),
  ...common({ rotationDays: [7, 365], pendingDays: [7, 30], tagKey: 255, tagValue: 127 }),
});

const huaweiKey = () => z.strictObject({
  provider: z.literal('huawei'),
  id: z.string().regex(UUID, 'must be a key id (1234abcd-12ab-34cd-56ef-1234567890ab)').optional(),
  domain: z.string().regex(/^[0-9a-f]{32}$/, 'must be a domain id (32 hex digits)').optional(),
  project: z.string().regex(/^[0-9a-zA-Z_-]{1,64}$/, 'must be a project id').optional(),
  spec: z.enum(Object.keys(KEY_SPEC_FROM_HUAWEI) as [string, ...string[]]).optional(),
  usage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC']).optional(),
  origin: z.enum(['kms', 'external']).optional(),
  alias: z.string().regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'must be 1 to 255 of a-z, A-Z, 0-9, :, /, _ and -'),
  ...common({ rotationDays: [30, 365], pendingDays: [7, 1096], tagKey: 36, tagValue: 43 }),
});

// The schemas are built on first use (z.lazy and the functions above), by the first init document
// read: building them costs more than loading zod, and most programs never read one.
/** A key without `provider` is an AWS key. */
const keySchema = z.lazy(() =>
  z.preprocess(
    (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) && !('provider' in value) ? { provider: 'aws', ...value } : value),
    z.discriminatedUnion('provider', [awsKey(), tencentKey(), huaweiKey()]),
  ),
);

export const initSchema = z.lazy(() => z.strictObject({
  version: z.literal(INIT_VERSION).optional(),
  keys: z.array(keySchema).max(10_000).optional(),
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
