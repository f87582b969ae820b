/**
 * fast-check arbitraries of hostile requests: a Spec is pure data (which protocol, operation and
 * key, which hostile change, which mutation after signing); it is turned into bytes against the
 * model just before sending (ids exist only at run time).
 */
import fc from 'fast-check';
import { MAX_BODY, type ProtocolName } from './wire.js';
import { OPS, type Pairs } from './model.js';

export const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'] as const;

/** A hostile JSON value, as the recipe to write it (huge ones are written only when sent). */
export type HostileValue =
  | { kind: 'deep'; depth: number; shape: 'object' | 'array' | 'mixed' }
  | { kind: 'wide'; width: number; shape: 'object' | 'array' | 'proto-object' }
  | { kind: 'huge'; size: number; fill: 'ascii' | 'escapes' | 'astral' }
  | { kind: 'raw'; raw: string; why: string };

/** What is hostile about a request. */
export type Variant =
  | { kind: 'valid' }
  /** A string map (encryption context, tags, grant constraints) with prototype-named keys. */
  | { kind: 'proto-map'; pairs: Pairs }
  /** A member (known, unknown or prototype-named) set to a hostile value; `add` keeps the known member and adds a duplicate. */
  | { kind: 'member'; target: 'known' | 'unknown' | 'proto'; index: number; value: HostileValue; duplicate: boolean }
  /** Decrypt: the ciphertext altered (one character changed so the bytes change; non-canonical; cut). */
  | { kind: 'blob'; how: 'flip' | 'non-canonical' | 'cut' | 'rehash'; at: number }
  /** The whole body made wrong. */
  | { kind: 'body'; how: 'bom' | 'invalid-utf8' | 'overlong-utf8' | 'lone-surrogate' | 'duplicate-keys' | 'truncated' | 'non-object' | 'trailing' | 'empty' | 'nul'; at: number };

export type MutationSpec =
  | { kind: 'flip-byte'; at: number; bit: number }
  | { kind: 'swap-body' }
  | { kind: 'sha-header-swap' }
  | { kind: 'drop-header'; which: number }
  | { kind: 'odd-region'; region: string }
  | { kind: 'shift-date'; seconds: number };

export interface Spec {
  protocol: ProtocolName;
  op: string;
  /** Picks the key among the model's keys of the right role. */
  keyPick: number;
  variant: Variant;
  /** Applied only when the server checks signatures. */
  mutation?: MutationSpec;
  /** Probe the state before and after (exclusive) when the request is mutating. */
  probe: boolean;
  /** Any operation of the dialect (this one, modulo their number) instead of one the model follows. */
  any?: number;
  /** A control API request (`/_kms/…`, this route modulo their number) instead of a provider's. */
  control?: number;
}

const oddNumbers = ['-0', '0.0', '1e308', '-1e308', '1E400', '-1e-400', '5e-324', '123456789012345678901234567890', '1.5', '-1', '9007199254740993', '0.1e1', '2147483648'];
const oddRaw: fc.Arbitrary<HostileValue> = fc.oneof(
  fc.constantFrom(...oddNumbers).map((raw) => ({ kind: 'raw' as const, raw, why: `number ${raw}` })),
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[[[]]]', '[null]', '[1,"a",{}]', '{"":""}', '""', '{"KeyId":"alias/aws/ebs","Description":"polluted","key_id":"x","Policy":"{}"}',
      // Maps with values of the wrong type, and prototype-named keys holding objects or null.
      '{"a":1}', '{"a":null}', '{"a":{"b":"c"}}', '{"a":["b"]}', '{"__proto__":{"a":"b"}}', '{"__proto__":null}', '{"constructor":{"prototype":{"x":"y"}}}', '{"a":"b","a":"c"}').map((raw) => ({ kind: 'raw' as const, raw, why: `odd type ${raw}` })),
  // Wrongly encoded blobs: bad or non-canonical base64, bad hex.
  fc
    .constantFrom('@@@@', 'YQ', 'YQ=', 'YQ===', 'YR==', 'YWJjZA=', 'Y W J j', 'YWJj\nZA==', '=', '====', '-_-_', 'AAAA'.repeat(3) + '%', 'zz', 'abc', '0x00', 'ABCDEFG', 'ffff', 'fffg', '\u0000', '\ud800', '\ufeffYWJj')
    .map((s) => ({ kind: 'raw' as const, raw: JSON.stringify(s), why: `encoding ${JSON.stringify(s)}` })),
  fc.string({ maxLength: 40, unit: 'binary' }).map((s) => ({ kind: 'raw' as const, raw: JSON.stringify(s), why: 'random string' })),
);

export const hostileValue: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.oneof(fc.integer({ min: 20, max: 200 }), fc.integer({ min: 1000, max: 20_000 })), shape: fc.constantFrom('object' as const, 'array' as const, 'mixed' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wide' as const), width: fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 10_000, max: 60_000 })), shape: fc.constantFrom('object' as const, 'array' as const, 'proto-object' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      size: fc.oneof(fc.integer({ min: 64 * 1024, max: 300 * 1024 }), fc.integer({ min: MAX_BODY - 4096, max: MAX_BODY + 4096 })),
      fill: fc.constantFrom('ascii' as const, 'escapes' as const, 'astral' as const),
    }),
  },
  { weight: 4, arbitrary: oddRaw },
);

/** Writes a hostile value as JSON text (bounded near the body limit). */
export function writeValue(v: HostileValue): string {
  switch (v.kind) {
    case 'deep':
      if (v.shape === 'array') return `${'['.repeat(v.depth)}1${']'.repeat(v.depth)}`;
      if (v.shape === 'object') return `${'{"a":'.repeat(v.depth)}1${'}'.repeat(v.depth)}`;
      return `${'{"a":['.repeat(v.depth >> 1)}1${']}'.repeat(v.depth >> 1)}`;
    case 'wide':
      if (v.shape === 'array') return `[${Array.from({ length: v.width }, (_, i) => i).join(',')}]`;
      if (v.shape === 'proto-object') return `{${Array.from({ length: v.width }, (_, i) => `"${PROTO_NAMES[i % PROTO_NAMES.length]}":${i}`).join(',')}}`;
      return `{${Array.from({ length: v.width }, (_, i) => `"k${i}":"v"`).join(',')}}`;
    case 'huge':
      // Sizes are of the JSON text, so that bodies fall either side of the 1 MiB limit.
      if (v.fill === 'escapes') return `"${'\\u0041'.repeat(Math.floor(v.size / 6))}"`;
      if (v.fill === 'astral') return JSON.stringify('\u{1F600}'.repeat(Math.floor(v.size / 4)));
      return `"${'x'.repeat(v.size)}"`;
    case 'raw':
      return v.raw;
  }
}

export function describeValue(v: HostileValue): string {
  switch (v.kind) {
    case 'deep':
      return `${v.shape} nested ${v.depth} deep`;
    case 'wide':
      return `${v.shape} of ${v.width} members`;
    case 'huge':
      return `${v.fill} string of ~${v.size} bytes`;
    case 'raw':
      return v.why;
  }
}

const protoPairs: fc.Arbitrary<Pairs> = fc
  .tuple(fc.subarray([...PROTO_NAMES], { minLength: 1, maxLength: 3 }), fc.constantFrom('v1', 'tenant-a', ''), fc.boolean())
  .map(([names, value, extra]) => [...names.map((n, i): [string, string] => [n, i === 0 ? value || 'v1' : `${value}${i}`]), ...(extra ? [['plain', 'x'] as [string, string]] : [])]);

const variant: fc.Arbitrary<Variant> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 3, arbitrary: protoPairs.map((pairs) => ({ kind: 'proto-map' as const, pairs })) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('member' as const),
      target: fc.constantFrom('known' as const, 'unknown' as const, 'proto' as const),
      index: fc.nat(),
      value: hostileValue,
      duplicate: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('blob' as const), how: fc.constantFrom('flip' as const, 'non-canonical' as const, 'cut' as const, 'rehash' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('body' as const),
      how: fc.constantFrom('bom' as const, 'invalid-utf8' as const, 'overlong-utf8' as const, 'lone-surrogate' as const, 'duplicate-keys' as const, 'truncated' as const, 'non-object' as const, 'trailing' as const, 'empty' as const, 'nul' as const),
      at: fc.nat(),
    }),
  },
);

const mutation: fc.Arbitrary<MutationSpec | undefined> = fc.oneof(
  { weight: 21, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip-byte' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'swap-body' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'sha-header-swap' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop-header' as const), which: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('odd-region' as const), region: fc.constantFrom('__proto__', 'constructor', '', ' ', 'ap-guangzhou ', 'AP-GUANGZHOU', 'x'.repeat(8000), 'ap-shanghai', 'na-ashburn', '../../etc', '\u00e9', 'toString') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shift-date' as const), seconds: fc.constantFrom(-3600, -1, 1, 600, 3600, 86400 * 400) }) },
);

function opArbitrary(protocol: ProtocolName): fc.Arbitrary<string> {
  return fc.oneof(...OPS[protocol].map(([op, weight]) => ({ weight, arbitrary: fc.constant(op) })));
}

/** One request; `burst` makes hostile members of the deep/wide/huge kinds much more likely. */
export function specArbitrary(burst: boolean): fc.Arbitrary<Spec> {
  const v = burst ? fc.oneof({ weight: 1, arbitrary: variant }, { weight: 3, arbitrary: hostileValue.map((value): Variant => ({ kind: 'member', target: 'unknown', index: 0, value, duplicate: false })) }) : variant;
  return fc.constantFrom<ProtocolName>('aws', 'tencent', 'huawei').chain((protocol) =>
    fc
      .record({
        protocol: fc.constant(protocol),
        op: opArbitrary(protocol),
        keyPick: fc.nat(),
        variant: v,
        mutation,
        probe: fc.boolean(),
        any: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat() }),
        control: fc.oneof({ weight: 24, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat() }),
      })
      .map((s): Spec => {
        const { mutation: m, any, control, ...rest } = s;
        return { ...rest, ...(m ? { mutation: m } : {}), ...(any !== undefined ? { any } : {}), ...(control !== undefined ? { control } : {}) };
      }),
  );
}
