import { keyAlgorithms, SPEC_PROFILES } from '../../engine/specs.js';
import type {
  AsymmetricEncryption,
  KeyInfo,
  KeyOrigin,
  KeySpec,
  KeyState,
  MacAlgorithm,
  SigningAlgorithm,
} from '../../engine/types.js';
import { keyArn } from './arn.js';
import type { KeyStoreInfo } from '../../engine/key-store-data.js';
import { keyStoreMetadata, storeType } from './custom-key-stores.js';

function inverse<K extends string>(map: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}

/**
 * Engine key specs as AWS names them. A 128-bit SM4 key is what SYMMETRIC_DEFAULT means in the China
 * Regions (partition aws-cn); AWS shows it as SYMMETRIC_DEFAULT there too.
 */
export const AWS_KEY_SPEC: Record<KeySpec, string> = {
  AES_256: 'SYMMETRIC_DEFAULT',
  SM4: 'SYMMETRIC_DEFAULT',
  RSA_2048: 'RSA_2048',
  RSA_3072: 'RSA_3072',
  RSA_4096: 'RSA_4096',
  EC_P256: 'ECC_NIST_P256',
  EC_P384: 'ECC_NIST_P384',
  EC_P521: 'ECC_NIST_P521',
  EC_SECP256K1: 'ECC_SECG_P256K1',
  ED25519: 'ECC_NIST_EDWARDS25519',
  SM2: 'SM2',
  ML_DSA_44: 'ML_DSA_44',
  ML_DSA_65: 'ML_DSA_65',
  ML_DSA_87: 'ML_DSA_87',
  ML_KEM_512: 'ML_KEM_512',
  ML_KEM_768: 'ML_KEM_768',
  ML_KEM_1024: 'ML_KEM_1024',
  HMAC_224: 'HMAC_224',
  HMAC_256: 'HMAC_256',
  HMAC_384: 'HMAC_384',
  HMAC_512: 'HMAC_512',
};
/** AWS key spec names → engine key specs; SYMMETRIC_DEFAULT is AES_256 here (see symmetricSpecFor for the China Regions). */
export const KEY_SPEC_FROM_AWS: Record<string, KeySpec> = { ...inverse(AWS_KEY_SPEC), SYMMETRIC_DEFAULT: 'AES_256' };

/** The key specs the deprecated CustomerMasterKeySpec enum has; newer specs leave it out. */
const CUSTOMER_MASTER_KEY_SPECS = new Set([
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
]);

/** Signing algorithms as AWS names them. */
export const AWS_SIGNING_ALGORITHM: Record<SigningAlgorithm, string> = {
  RSA_PSS_SHA_256: 'RSASSA_PSS_SHA_256',
  RSA_PSS_SHA_384: 'RSASSA_PSS_SHA_384',
  RSA_PSS_SHA_512: 'RSASSA_PSS_SHA_512',
  RSA_PKCS1_SHA_256: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_PKCS1_SHA_384: 'RSASSA_PKCS1_V1_5_SHA_384',
  RSA_PKCS1_SHA_512: 'RSASSA_PKCS1_V1_5_SHA_512',
  ECDSA_SHA_256: 'ECDSA_SHA_256',
  ECDSA_SHA_384: 'ECDSA_SHA_384',
  ECDSA_SHA_512: 'ECDSA_SHA_512',
  ED25519: 'ED25519_SHA_512',
  ED25519_PH_SHA_512: 'ED25519_PH_SHA_512',
  ML_DSA_SHAKE_256: 'ML_DSA_SHAKE_256',
  SM2DSA_SM3: 'SM2DSA',
};
export const SIGNING_ALGORITHM_FROM_AWS: Record<string, SigningAlgorithm> = inverse(AWS_SIGNING_ALGORITHM);

/**
 * Public-key encryption schemes as AWS names them. AWS's SM2PKE ciphertext is the GM/T 0009 DER
 * structure (what OpenSSL's SM2 encryption reads and writes); the raw C1C3C2 form has no AWS name.
 */
export const AWS_ENCRYPTION_ALGORITHM: Partial<Record<AsymmetricEncryption, string>> = {
  RSA_OAEP_SHA_1: 'RSAES_OAEP_SHA_1',
  RSA_OAEP_SHA_256: 'RSAES_OAEP_SHA_256',
  SM2_C1C3C2_ASN1: 'SM2PKE',
};
export const ENCRYPTION_ALGORITHM_FROM_AWS: Record<string, AsymmetricEncryption> = inverse(AWS_ENCRYPTION_ALGORITHM as Record<AsymmetricEncryption, string>);

/** The engine's name for the symmetric envelope algorithm in its errors. */
export const SYMMETRIC_ALGORITHM = 'SYMMETRIC';

/** Any engine algorithm name (signing, encryption, MAC, key agreement, encapsulation) in AWS's words. */
export function awsAlgorithm(name: string): string {
  if (name === SYMMETRIC_ALGORITHM) return 'SYMMETRIC_DEFAULT';
  return AWS_SIGNING_ALGORITHM[name as SigningAlgorithm] ?? AWS_ENCRYPTION_ALGORITHM[name as AsymmetricEncryption] ?? name;
}

/** MAC algorithms keep their names (HMAC_SHA_256 …); so do ECDH and ML_KEM. */
const macAlgorithms = (list: readonly MacAlgorithm[]): string[] => [...list];

/** The algorithm lists of a key as AWS reports them (DescribeKey, CreateKey, GetPublicKey). */
export function awsAlgorithmLists(key: Pick<KeyInfo, 'spec' | 'usage'>): Record<string, string[]> {
  if (SPEC_PROFILES[key.spec].family === 'symmetric') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  const a = keyAlgorithms(key);
  const encryption = [...new Set(a.encryption.map((e) => AWS_ENCRYPTION_ALGORITHM[e]).filter((e): e is string => e !== undefined))];
  return {
    ...(encryption.length > 0 ? { EncryptionAlgorithms: encryption } : {}),
    ...(a.signing.length > 0 ? { SigningAlgorithms: a.signing.map((s) => AWS_SIGNING_ALGORITHM[s]) } : {}),
    ...(a.keyAgreement.length > 0 ? { KeyAgreementAlgorithms: [...a.keyAgreement] } : {}),
    ...(a.mac.length > 0 ? { MacAlgorithms: macAlgorithms(a.mac) } : {}),
    ...(a.encapsulation.length > 0 ? { EncapsulationAlgorithms: [...a.encapsulation] } : {}),
  };
}

/** CustomerMasterKeySpec (deprecated): the key spec, where the old enum has it. */
export function customerMasterKeySpec(spec: KeySpec): Record<string, string> {
  const name = AWS_KEY_SPEC[spec];
  return CUSTOMER_MASTER_KEY_SPECS.has(name) ? { CustomerMasterKeySpec: name } : {};
}

export const AWS_ORIGIN: Record<KeyOrigin, string> = { GENERATED: 'AWS_KMS', EXTERNAL: 'EXTERNAL' };

/** AWS has no archived state; the others keep their names. */
export function awsKeyState(state: KeyState): string {
  return state === 'Archived' ? 'Disabled' : state;
}

export const secs = (ms: number): number => ms / 1000;

/** AWS shows key material ids (CurrentKeyMaterialId, KeyMaterialId) for symmetric encryption keys only, generated or imported. */
export function showsMaterialIds(key: Pick<KeyInfo, 'spec'>): boolean {
  return SPEC_PROFILES[key.spec].family === 'symmetric';
}

/** KeyMetadata as DescribeKey and CreateKey return it; `store`, the custom key store that holds the key. */
export function keyMetadata(key: KeyInfo, store?: KeyStoreInfo): Record<string, unknown> {
  // A key of a custom key store that is not connected is Unavailable (a key pending deletion stays so).
  const storeDown = store !== undefined && (store.state !== 'Enabled' || (store.connection !== undefined && store.connection.state !== 'Connected'));
  const unavailable = storeDown && key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion';
  const state = unavailable ? 'Unavailable' : key.state;
  const spec = AWS_KEY_SPEC[key.spec];
  const { EncryptionAlgorithms, SigningAlgorithms, KeyAgreementAlgorithms, MacAlgorithms, EncapsulationAlgorithms } = awsAlgorithmLists(key);
  return {
    AWSAccountId: key.realm.account,
    KeyId: key.id,
    Arn: keyArn(key.realm, key.id),
    CreationDate: secs(key.createdAt),
    Enabled: state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: awsKeyState(state),
    ...(key.deletionDate !== undefined ? { DeletionDate: secs(key.deletionDate) } : {}),
    // Imported material: whether (and when) it expires; absent until material was first imported.
    ...(key.materialValidTo !== undefined ? { ValidTo: secs(key.materialValidTo) } : {}),
    Origin: store ? (storeType(store) ?? AWS_ORIGIN[key.origin]) : AWS_ORIGIN[key.origin],
    ...keyStoreMetadata(store, key.externalKeyId),
    KeyManager: key.manager === 'SERVICE' ? 'AWS' : 'CUSTOMER',
    ...customerMasterKeySpec(key.spec),
    KeySpec: spec,
    ...(EncryptionAlgorithms ? { EncryptionAlgorithms } : {}),
    ...(SigningAlgorithms ? { SigningAlgorithms } : {}),
    ...(KeyAgreementAlgorithms ? { KeyAgreementAlgorithms } : {}),
    // Only while the key holds its imported material: after deletion or expiry AWS shows no ExpirationModel.
    ...(key.origin === 'EXTERNAL' && key.lastImportedAt !== undefined && key.hasCurrentMaterial
      ? { ExpirationModel: key.materialValidTo !== undefined ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE' }
      : {}),
    MultiRegion: key.multiRegion,
    ...(key.replication !== undefined ? { MultiRegionConfiguration: multiRegionConfiguration(key, key.replication) } : {}),
    // AWS shows the waiting period only while a multi-Region primary waits for its replicas.
    ...(key.state === 'PendingReplicaDeletion' && key.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: key.pendingWindowDays } : {}),
    ...(MacAlgorithms ? { MacAlgorithms } : {}),
    ...(key.currentMaterialId !== undefined && showsMaterialIds(key) ? { CurrentKeyMaterialId: key.currentMaterialId } : {}),
    ...(EncapsulationAlgorithms ? { EncapsulationAlgorithms } : {}),
  };
}

/** A multi-Region key's family as DescribeKey shows it: its type, its primary, and every replica. */
function multiRegionConfiguration(key: KeyInfo, r: NonNullable<KeyInfo['replication']>): Record<string, unknown> {
  const member = (region: string) => ({ Arn: keyArn({ account: key.realm.account, region }, key.id), Region: region });
  return {
    MultiRegionKeyType: r.primaryRegion === key.realm.region ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: member(r.primaryRegion),
    ReplicaKeys: r.replicaRegions.map(member),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's human date in responseElements: "Aug 10, 2022, 10:38:27 PM". */
export function trailDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hour12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

/** KeyMetadata as CloudTrail's responseElements shows it: lowerCamelCase, human dates. */
export function trailKeyMetadata(key: KeyInfo, store?: KeyStoreInfo): Record<string, unknown> {
  const m = keyMetadata(key, store);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === 'CurrentKeyMaterialId') continue;
    const name = k === 'AWSAccountId' ? 'AWSAccountId' : k.charAt(0).toLowerCase() + k.slice(1);
    out[name] = k === 'CreationDate' || k === 'DeletionDate' || k === 'ValidTo' ? trailDate((v as number) * 1000) : k === 'MultiRegionConfiguration' || k === 'XksKeyConfiguration' ? lowerCamel(v) : v;
  }
  return out;
}

/** A nested structure with lowerCamelCase member names, as CloudTrail writes multiRegionConfiguration. */
function lowerCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCamel);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), lowerCamel(v)]));
}

/** Default policies by partition and account: every key of an account shares one (immutable) string. */
const defaultPolicies = new Map<string, string>();

export function defaultKeyPolicy(account: string, partition: string): string {
  const cacheKey = `${partition}:${account}`;
  let policy = defaultPolicies.get(cacheKey);
  if (policy === undefined) {
    if (defaultPolicies.size >= 256) defaultPolicies.clear();
    policy = renderDefaultKeyPolicy(account, partition);
    defaultPolicies.set(cacheKey, policy);
  }
  return policy;
}

function renderDefaultKeyPolicy(account: string, partition: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  ).replace(/": /g, '" : ');
}
