/**
 * Tencent's view of a key: region flavours, KeyUsage ↔ engine spec, KeyState names, and the
 * KeyMetadata structure (dates in unix seconds, ResourceId `creatorUin/<uin>/<KeyId>`).
 */
import type { AsymmetricEncryption, KeyInfo, KeySpec, KeyState, KeyUsage, SigningAlgorithm } from '../../engine/types.js';

// ------------------------------------------------------------------ region flavours

/**
 * A region's compliance flavour: national cryptography (`sm`: symmetric keys are SM4, imported
 * material is 128-bit, KeyMetadata.Type 4) or FIPS 140-2 (`fips`: AES-256, 256-bit material, Type 2).
 */
export type RegionFlavour = 'sm' | 'fips';

/**
 * The default table: the mainland China regions are national-crypto regions (Tencent's examples from
 * ap-guangzhou show Type 4 keys), the regions outside the mainland are FIPS regions. A region not
 * listed is `fips` unless its name starts with `ap-` and names a mainland city below.
 */
export const REGION_FLAVOURS: Readonly<Record<string, RegionFlavour>> = {
  'ap-guangzhou': 'sm',
  'ap-shanghai': 'sm',
  'ap-beijing': 'sm',
  'ap-chengdu': 'sm',
  'ap-chongqing': 'sm',
  'ap-nanjing': 'sm',
  'ap-shenzhen-fsi': 'sm',
  'ap-shanghai-fsi': 'sm',
  'ap-beijing-fsi': 'sm',
  'ap-hongkong': 'fips',
  'ap-taipei': 'fips',
  'ap-singapore': 'fips',
  'ap-jakarta': 'fips',
  'ap-bangkok': 'fips',
  'ap-seoul': 'fips',
  'ap-tokyo': 'fips',
  'ap-mumbai': 'fips',
  'na-siliconvalley': 'fips',
  'na-ashburn': 'fips',
  'na-toronto': 'fips',
  'sa-saopaulo': 'fips',
  'eu-frankfurt': 'fips',
};

export function flavourOf(region: string, overrides: Readonly<Record<string, RegionFlavour>> = {}): RegionFlavour {
  return overrides[region] ?? REGION_FLAVOURS[region] ?? 'fips';
}

/** KeyMetadata.Type: 2 = FIPS 140-2, 4 = national cryptography. */
export function metadataType(flavour: RegionFlavour): number {
  return flavour === 'sm' ? 4 : 2;
}

// ------------------------------------------------------------------ key usages

export interface UsageProfile {
  /** The engine spec; ENCRYPT_DECRYPT depends on the region's flavour. */
  readonly spec: KeySpec | 'SYMMETRIC';
  readonly usage: KeyUsage;
  /** ListAlgorithms' Algorithm for it (symmetric: by flavour). */
  readonly algorithm: string;
  readonly group: 'SymmetricAlgorithms' | 'AsymmetricAlgorithms' | 'AsymmetricSignVerifyAlgorithms';
  /** Served by the PostQuantumCrypto* actions only. */
  readonly postQuantum?: true;
  /** Offered only in national-crypto regions (SM2). */
  readonly smOnly?: true;
}

/**
 * Every KeyUsage the emulator serves. The post-quantum usages: Tencent names the schemes Kyber
 * (KEM-DEM with AES-256) and Dilithium ("NIST Level 3" in Tencent's PQC guide); the emulator serves
 * them with their FIPS successors at level 3, ML-KEM-768 and ML-DSA-65 (docs/tencent.md).
 */
export const KEY_USAGES: Readonly<Record<string, UsageProfile>> = {
  ENCRYPT_DECRYPT: { spec: 'SYMMETRIC', usage: 'ENCRYPT_DECRYPT', algorithm: 'SM4', group: 'SymmetricAlgorithms' },
  ASYMMETRIC_DECRYPT_RSA_2048: { spec: 'RSA_2048', usage: 'ENCRYPT_DECRYPT', algorithm: 'RSA_2048', group: 'AsymmetricAlgorithms' },
  ASYMMETRIC_DECRYPT_SM2: { spec: 'SM2', usage: 'ENCRYPT_DECRYPT', algorithm: 'SM2', group: 'AsymmetricAlgorithms', smOnly: true },
  ASYMMETRIC_SIGN_VERIFY_SM2: { spec: 'SM2', usage: 'SIGN_VERIFY', algorithm: 'SM2', group: 'AsymmetricSignVerifyAlgorithms', smOnly: true },
  ASYMMETRIC_SIGN_VERIFY_ECC: { spec: 'EC_P256', usage: 'SIGN_VERIFY', algorithm: 'ECC', group: 'AsymmetricSignVerifyAlgorithms' },
  ASYMMETRIC_SIGN_VERIFY_RSA_2048: { spec: 'RSA_2048', usage: 'SIGN_VERIFY', algorithm: 'RSA_2048', group: 'AsymmetricSignVerifyAlgorithms' },
  ASYMMETRIC_SIGN_VERIFY_ECDSA384: { spec: 'EC_P384', usage: 'SIGN_VERIFY', algorithm: 'ECDSA384_SHA384', group: 'AsymmetricSignVerifyAlgorithms' },
  ASYMMETRIC_SIGN_VERIFY_RSA_3072: { spec: 'RSA_3072', usage: 'SIGN_VERIFY', algorithm: 'RSA_3072', group: 'AsymmetricSignVerifyAlgorithms' },
  ASYMMETRIC_Encrypt_Decrypt_Kyber_AES: { spec: 'ML_KEM_768', usage: 'ENCAPSULATE_DECAPSULATE', algorithm: 'Kyber_AES', group: 'AsymmetricAlgorithms', postQuantum: true },
  ASYMMETRIC_SIGN_VERIFY_DILITHIUM: { spec: 'ML_DSA_65', usage: 'SIGN_VERIFY', algorithm: 'Dilithium', group: 'AsymmetricSignVerifyAlgorithms', postQuantum: true },
};

/** The usage a key of the given flavour is offered in. */
export function usageOffered(name: string, flavour: RegionFlavour): boolean {
  const profile = KEY_USAGES[name];
  return profile !== undefined && (!profile.smOnly || flavour === 'sm');
}

export function engineSpec(profile: UsageProfile, flavour: RegionFlavour): KeySpec {
  return profile.spec === 'SYMMETRIC' ? (flavour === 'sm' ? 'SM4' : 'AES_256') : profile.spec;
}

/** Tencent's KeyUsage of an engine key; undefined for a key no Tencent usage describes. */
export function tencentKeyUsage(key: Pick<KeyInfo, 'spec' | 'usage'>): string | undefined {
  if (key.usage === 'ENCRYPT_DECRYPT' && (key.spec === 'AES_256' || key.spec === 'SM4')) return 'ENCRYPT_DECRYPT';
  for (const [name, p] of Object.entries(KEY_USAGES)) if (p.spec === key.spec && p.usage === key.usage) return name;
  return undefined;
}

/** Signature algorithms: Tencent's names and the engine's. */
export const SIGNING_ALGORITHMS: Readonly<Record<string, { algorithm: SigningAlgorithm; spec: KeySpec }>> = {
  SM2DSA: { algorithm: 'SM2DSA_SM3', spec: 'SM2' },
  ECC_P256_R1: { algorithm: 'ECDSA_SHA_256', spec: 'EC_P256' },
  RSA_PSS_SHA_256: { algorithm: 'RSA_PSS_SHA_256', spec: 'RSA_2048' },
  RSA_PKCS1_SHA_256: { algorithm: 'RSA_PKCS1_SHA_256', spec: 'RSA_2048' },
  ECDSA384_SHA384: { algorithm: 'ECDSA_SHA_384', spec: 'EC_P384' },
};

/** RSA-3072 keys sign with the same RSA algorithm names. */
export function signingAlgorithmFits(name: string, spec: KeySpec): boolean {
  const a = SIGNING_ALGORITHMS[name];
  if (!a) return false;
  return a.spec === spec || (a.spec === 'RSA_2048' && spec === 'RSA_3072');
}

/** Public-key encryption: Tencent's names (AsymmetricRsaDecrypt, EncryptionAlgorithm) and the engine's. */
export const ENCRYPTION_ALGORITHMS: Readonly<Record<string, AsymmetricEncryption>> = {
  RSAES_PKCS1_V1_5: 'RSA_PKCS1_V1_5',
  RSAES_OAEP_SHA_1: 'RSA_OAEP_SHA_1',
  RSAES_OAEP_SHA_256: 'RSA_OAEP_SHA_256',
  SM2: 'SM2_C1C3C2',
  SM2_C1C3C2_ASN1: 'SM2_C1C3C2_ASN1',
};

// ------------------------------------------------------------------ states and metadata

export const KEY_STATE: Record<KeyState, string> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDelete',
  PendingImport: 'PendingImport',
  Archived: 'Archived',
  Creating: 'Enabled',
  Updating: 'Enabled',
  Unavailable: 'Disabled',
  PendingReplicaDeletion: 'PendingDelete',
};

/** ListKeyDetail's KeyState filter: 0 all, 1 Enabled, 2 Disabled, 3 PendingDelete, 4 PendingImport, 5 Archived. */
export const KEY_STATE_FILTER: readonly (string | undefined)[] = [undefined, 'Enabled', 'Disabled', 'PendingDelete', 'PendingImport', 'Archived'];

export const secs = (ms: number): number => Math.floor(ms / 1000);

/** CreatorUin: the sub-account that created the key, or the owner UIN. */
export function creatorUin(key: KeyInfo): string {
  return key.creator ?? key.realm.account;
}

/** A UIN is a uint64 on the wire; a numeric one travels as a JSON number, as the service sends it. */
export function uinValue(uin: string): number | string {
  return /^\d{1,15}$/.test(uin) ? Number(uin) : uin;
}

export interface MetadataContext {
  readonly alias: string;
  readonly flavour: RegionFlavour;
  readonly now: number;
}

const DAY_MS = 86_400_000;

/** KeyMetadata as DescribeKey, DescribeKeys and ListKeyDetail return it. */

/**
 * Members of KeyMetadata and DataKeyMetadata for features the emulator does not model: cross-region
 * synchronization (no replicas) and multi-account access (MemberAccount is accepted and ignored).
 */
export const UNMODELLED_MEMBERS = {
  IsSyncReplica: 0,
  SourceRegion: '',
  SyncStatus: 0,
  SyncMessages: '',
  SyncStartTime: 0,
  SyncEndTime: 0,
  SourceHsmClusterId: '',
  AccountAppId: 0,
  AccountUin: 0,
  AccountName: '',
} as const;

export function keyMetadata(key: KeyInfo, c: MetadataContext): Record<string, unknown> {
  const uin = creatorUin(key);
  const rotation = key.rotation;
  const lastRotation = [...key.materials].reverse().find((m) => m.rotation)?.rotation?.at;
  // The service shows a next rotation a period after the last one (or creation) even while rotation is off.
  const next = rotation.enabled && rotation.nextRotation !== undefined ? rotation.nextRotation : (lastRotation ?? key.createdAt) + rotation.periodDays * DAY_MS;
  return {
    KeyId: key.id,
    Alias: c.alias,
    CreateTime: secs(key.createdAt),
    Description: key.description,
    KeyState: KEY_STATE[key.state],
    KeyUsage: tencentKeyUsage(key) ?? key.usage,
    Type: metadataType(c.flavour),
    CreatorUin: uinValue(uin),
    KeyRotationEnabled: rotation.enabled,
    Owner: 'user',
    NextRotateTime: secs(next),
    DeletionDate: key.state === 'PendingDeletion' && key.deletionDate !== undefined ? secs(key.deletionDate) : 0,
    Origin: key.origin === 'EXTERNAL' ? 'EXTERNAL' : 'TENCENT_KMS',
    ValidTo: key.origin === 'EXTERNAL' && key.materialValidTo !== undefined ? secs(key.materialValidTo) : 0,
    ResourceId: `creatorUin/${uin}/${key.id}`,
    // The public cluster (HSM clusters are not modelled), as the service shows keys outside one.
    HsmClusterId: '',
    RotateDays: rotation.periodDays,
    LastRotateTime: lastRotation !== undefined ? secs(lastRotation) : 0,
    ...UNMODELLED_MEMBERS,
    CreatorUinString: uin,
  };
}
