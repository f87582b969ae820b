/**
 * White-box keys: symmetric keys handed to client applications (which decrypt locally with a
 * "white-box" form of the key) while the service keeps encrypting with them. They are a resource of
 * their own, apart from the key-lifecycle table: enabled or disabled, deleted only when disabled,
 * optionally bound to a list of device fingerprints.
 */

import * as z from 'zod/mini';
import { cbc } from '@noble/ciphers/aes.js';
import { fromBase64, toBase64 } from '../crypto/bytes.js';
import { sm4CbcEncrypt } from '../crypto/sm4.js';
import { lazy } from './schema.js';
import type { Realm } from './types.js';

export const WHITE_BOX_ALGORITHMS = ['AES_256', 'SM4'] as const;
export type WhiteBoxAlgorithm = (typeof WHITE_BOX_ALGORITHMS)[number];

export interface DeviceFingerprint {
  readonly identity: string;
  readonly description?: string;
}

export interface WhiteBoxKeyInfo {
  readonly id: string;
  readonly realm: Realm;
  readonly alias: string;
  readonly description: string;
  readonly algorithm: WhiteBoxAlgorithm;
  readonly state: 'Enabled' | 'Disabled';
  readonly createdAt: number;
  /** The principal id of the creator. */
  readonly creator: string;
  readonly deviceFingerprints: readonly DeviceFingerprint[];
  readonly tags: ReadonlyMap<string, string>;
}

export interface CreateWhiteBoxKeyInput {
  readonly alias: string;
  readonly algorithm: WhiteBoxAlgorithm;
  readonly description?: string;
  readonly tags?: ReadonlyArray<readonly [string, string]>;
  /** The most white-box keys a realm may hold; default 50. */
  readonly limit?: number;
}

export const DEFAULT_WHITE_BOX_KEY_LIMIT = 50;

/** The engine's record: the view plus the secret, which leaves only through whiteBoxSecret and snapshots. */
export interface WhiteBoxRecord extends WhiteBoxKeyInfo {
  description: string;
  state: 'Enabled' | 'Disabled';
  deviceFingerprints: DeviceFingerprint[];
  tags: Map<string, string>;
  secret: Uint8Array;
  /** The record's read-only view, made on first use. */
  view?: WhiteBoxKeyInfo;
}

export function whiteBoxKeyLength(algorithm: WhiteBoxAlgorithm): number {
  return algorithm === 'AES_256' ? 32 : 16;
}

/** CBC with PKCS#7 padding under the key's algorithm. */
export function whiteBoxCbcEncrypt(algorithm: WhiteBoxAlgorithm, secret: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return algorithm === 'AES_256' ? cbc(secret, iv).encrypt(plaintext) : sm4CbcEncrypt(secret, iv, plaintext);
}

/** Built on first use, as the snapshot's schemas are (./snapshot.ts). */
export const whiteBoxSchema = lazy(() => z.object({
  account: z.string().check(z.minLength(1), z.maxLength(255)),
  region: z.string().check(z.minLength(1), z.maxLength(255)),
  id: z.string().check(z.minLength(1), z.maxLength(255)),
  alias: z.string().check(z.minLength(1)),
  description: z.string(),
  algorithm: z.enum(WHITE_BOX_ALGORITHMS),
  state: z.enum(['Enabled', 'Disabled']),
  createdAt: z.number(),
  creator: z.string(),
  deviceFingerprints: z.array(z.object({ identity: z.string(), description: z.optional(z.string()) })),
  tags: z.array(z.tuple([z.string(), z.string()])),
  secret: z.string().check(z.refine((s) => fromBase64(s) !== undefined, 'not base64')),
}));
export type WhiteBoxSnapshot = z.infer<typeof whiteBoxSchema>;

export const removedWhiteBoxSchema = lazy(() => z.object({ account: z.string(), region: z.string(), id: z.string() }));

export function whiteBoxSnapshot(k: WhiteBoxRecord): WhiteBoxSnapshot {
  return {
    account: k.realm.account,
    region: k.realm.region,
    id: k.id,
    alias: k.alias,
    description: k.description,
    algorithm: k.algorithm,
    state: k.state,
    createdAt: k.createdAt,
    creator: k.creator,
    deviceFingerprints: k.deviceFingerprints.map((f) => ({ ...f })),
    tags: [...k.tags],
    secret: toBase64(k.secret),
  };
}

export function whiteBoxFromSnapshot(s: WhiteBoxSnapshot, realm: Realm): WhiteBoxRecord {
  return {
    id: s.id,
    realm,
    alias: s.alias,
    description: s.description,
    algorithm: s.algorithm,
    state: s.state,
    createdAt: s.createdAt,
    creator: s.creator,
    deviceFingerprints: s.deviceFingerprints.map((f) => (f.description !== undefined ? { identity: f.identity, description: f.description } : { identity: f.identity })),
    tags: new Map(s.tags),
    secret: fromBase64(s.secret)!,
  };
}

/** Checks a snapshot entry beyond its schema. */
export function checkWhiteBoxSnapshot(s: WhiteBoxSnapshot, invalid: (why: string) => Error): void {
  if (fromBase64(s.secret)!.length !== whiteBoxKeyLength(s.algorithm)) throw invalid(`white-box key ${s.id} holds a key of the wrong size.`);
}
