import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeySpec as AwsKeySpec, KeyUsageType, SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import type { Kms } from '../../src/index.js';

/** Every asymmetric AWS key spec with the usages AWS allows it and its signing algorithms. */
export const ASYMMETRIC: ReadonlyArray<{ spec: AwsKeySpec; usages: KeyUsageType[]; signing: SigningAlgorithmSpec[] }> = [
  { spec: 'RSA_2048', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: rsaSigning() },
  { spec: 'RSA_3072', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: rsaSigning() },
  { spec: 'RSA_4096', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: rsaSigning() },
  { spec: 'ECC_NIST_P256', usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_P384', usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_384'] },
  { spec: 'ECC_NIST_P521', usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_512'] },
  { spec: 'ECC_SECG_P256K1', usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_EDWARDS25519', usages: ['SIGN_VERIFY'], signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  { spec: 'SM2', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['SM2DSA'] },
  { spec: 'ML_DSA_44', usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_65', usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_87', usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_KEM_512' as AwsKeySpec, usages: ['ENCAPSULATE_DECAPSULATE' as KeyUsageType], signing: [] },
  { spec: 'ML_KEM_768' as AwsKeySpec, usages: ['ENCAPSULATE_DECAPSULATE' as KeyUsageType], signing: [] },
  { spec: 'ML_KEM_1024' as AwsKeySpec, usages: ['ENCAPSULATE_DECAPSULATE' as KeyUsageType], signing: [] },
];

function rsaSigning(): SigningAlgorithmSpec[] {
  return ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];
}

export const ALL_USAGES: KeyUsageType[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE' as KeyUsageType];

/** The hash an algorithm name ends with (node:crypto / OpenSSL names). */
export function hashOf(algorithm: string): 'sha256' | 'sha384' | 'sha512' {
  if (algorithm.endsWith('256')) return 'sha256';
  if (algorithm.endsWith('384')) return 'sha384';
  return 'sha512';
}

export function digest(algorithm: string, message: Uint8Array): Buffer {
  return createHash(hashOf(algorithm)).update(message).digest();
}

/** A key's private key (PKCS#8 DER), read from a snapshot: it never leaves the emulator otherwise. */
export function privateKeyOf(kms: Kms, keyId: string): Buffer {
  for (const realm of kms.snapshot().realms) {
    const key = realm.keys.find((k) => k.id === keyId);
    if (key) return Buffer.from(key.materials.find((m) => m.id === key.currentMaterialId)!.secret!, 'base64');
  }
  throw new Error(`no key ${keyId}`);
}

export function spki(der: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

/** The uncompressed EC point (04‖X‖Y) at the end of an EC SubjectPublicKeyInfo. */
export function ecPoint(der: Uint8Array, coordinateBytes = 32): Uint8Array {
  return der.subarray(der.length - (1 + 2 * coordinateBytes));
}

/** The raw key bytes of an ML-DSA or ML-KEM SubjectPublicKeyInfo (the BIT STRING content). */
export function rawPublicKey(der: Uint8Array, length: number): Uint8Array {
  return der.subarray(der.length - length);
}

export const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

/** Runs `openssl` with files written to a temporary directory; returns its exit status and output. */
export function openssl(args: (dir: string) => string[], files: Record<string, string | Uint8Array>): { status: number | null; stdout: Buffer; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kms-openssl-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const r = spawnSync('openssl', args(dir), { cwd: dir });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** DER length + content helpers for the GM/T 0009 SM2 ciphertext structure. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
function tlv(tag: number, content: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...derLength(content.length), ...content]);
}
function derInteger(magnitude: Uint8Array): Uint8Array {
  let m = magnitude;
  while (m.length > 1 && m[0] === 0) m = m.subarray(1);
  return tlv(0x02, m[0]! & 0x80 ? Uint8Array.from([0, ...m]) : m);
}

/** SM2 raw C1(04‖X‖Y or X‖Y)‖C3‖C2 → SEQUENCE { X INTEGER, Y INTEGER, C3 OCTET STRING, C2 OCTET STRING }. */
export function sm2RawToDer(raw: Uint8Array): Uint8Array {
  const body = raw[0] === 0x04 && raw.length > 97 ? raw.subarray(1) : raw;
  const x = body.subarray(0, 32);
  const y = body.subarray(32, 64);
  const c3 = body.subarray(64, 96);
  const c2 = body.subarray(96);
  const content = Uint8Array.from([...derInteger(x), ...derInteger(y), ...tlv(0x04, c3), ...tlv(0x04, c2)]);
  return tlv(0x30, content);
}

/** The GM/T 0009 DER SM2 ciphertext → raw X‖Y‖C3‖C2 (no 04 prefix, as sm-crypto writes it). */
export function sm2DerToRaw(der: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let o = 0;
  const read = (): { tag: number; content: Uint8Array } => {
    const tag = der[o++]!;
    let len = der[o++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | der[o++]!;
    }
    const content = der.subarray(o, o + len);
    o += len;
    return { tag, content };
  };
  const seq = read();
  if (seq.tag !== 0x30) throw new Error('not a SEQUENCE');
  o = der.length - seq.content.length;
  for (let i = 0; i < 4; i++) {
    const { content } = read();
    let c = content;
    if (i < 2) {
      while (c.length > 32 && c[0] === 0) c = c.subarray(1);
      const padded = new Uint8Array(32);
      padded.set(c, 32 - c.length);
      c = padded;
    }
    parts.push(c);
  }
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
