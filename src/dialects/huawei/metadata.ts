/**
 * Huawei KMS's names and shapes for the engine's neutral ones: key specs, states ("1"–"5"),
 * algorithms, and the KeyDetails record (numbers and dates as strings, dates in milliseconds).
 */
import type { AsymmetricEncryption, AsymmetricKeySpec, KeyInfo, KeySpec, KeyState, MacAlgorithm, SigningAlgorithm } from '../../engine/types.js';
import { isAsymmetricSpec, isHmacSpec } from '../../engine/specs.js';

/** create-key's key_spec → the engine's spec. HMAC_SM3 has no engine counterpart and is refused. */
export const KEY_SPEC_FROM_HUAWEI: Readonly<Record<string, KeySpec>> = {
  AES_256: 'AES_256',
  SM4: 'SM4',
  RSA_2048: 'RSA_2048',
  RSA_3072: 'RSA_3072',
  RSA_4096: 'RSA_4096',
  EC_P256: 'EC_P256',
  EC_P384: 'EC_P384',
  SECP256K1: 'EC_SECP256K1',
  SM2: 'SM2',
  ED25519: 'ED25519',
  HMAC_256: 'HMAC_256',
  HMAC_384: 'HMAC_384',
  HMAC_512: 'HMAC_512',
};

export const HUAWEI_KEY_SPEC: Readonly<Partial<Record<KeySpec, string>>> = Object.fromEntries(
  Object.entries(KEY_SPEC_FROM_HUAWEI).map(([huawei, spec]) => [spec, huawei]),
);

/** key_state: "1" pending activation, "2" enabled, "3" disabled, "4" pending deletion, "5" pending import, "7" frozen. */
export const KEY_STATE: Readonly<Record<KeyState, string>> = {
  Creating: '1',
  Enabled: '2',
  Disabled: '3',
  PendingDeletion: '4',
  PendingImport: '5',
  PendingReplicaDeletion: '4',
  Unavailable: '7',
  Updating: '2',
  Archived: '3',
};

export const SIGNING_ALGORITHM_FROM_HUAWEI: Readonly<Record<string, SigningAlgorithm>> = {
  RSASSA_PSS_SHA_256: 'RSA_PSS_SHA_256',
  RSASSA_PSS_SHA_384: 'RSA_PSS_SHA_384',
  RSASSA_PSS_SHA_512: 'RSA_PSS_SHA_512',
  RSASSA_PKCS1_V1_5_SHA_256: 'RSA_PKCS1_SHA_256',
  RSASSA_PKCS1_V1_5_SHA_384: 'RSA_PKCS1_SHA_384',
  RSASSA_PKCS1_V1_5_SHA_512: 'RSA_PKCS1_SHA_512',
  ECDSA_SHA_256: 'ECDSA_SHA_256',
  ECDSA_SHA_384: 'ECDSA_SHA_384',
  ECDSA_SHA_512: 'ECDSA_SHA_512',
  SM2DSA_SM3: 'SM2DSA_SM3',
  ED25519_SHA_512: 'ED25519',
  ED25519_PH_SHA_512: 'ED25519_PH_SHA_512',
};

/** encryption_algorithm → the engine's public-key scheme (SM2 ciphertexts in the GM/T 0009 DER form). */
export const ENCRYPTION_ALGORITHM_FROM_HUAWEI: Readonly<Record<string, AsymmetricEncryption>> = {
  RSAES_OAEP_SHA_1: 'RSA_OAEP_SHA_1',
  RSAES_OAEP_SHA_256: 'RSA_OAEP_SHA_256',
  SM2_ENCRYPT: 'SM2_C1C3C2_ASN1',
};

export const MAC_ALGORITHM_FROM_HUAWEI: Readonly<Record<string, MacAlgorithm>> = {
  HMAC_SHA_256: 'HMAC_SHA_256',
  HMAC_SHA_384: 'HMAC_SHA_384',
  HMAC_SHA_512: 'HMAC_SHA_512',
};

/** create-rsa-datakey-pair / create-ec-datakey-pair key_spec → the engine's spec. */
export const PAIR_SPEC_FROM_HUAWEI: Readonly<Record<string, AsymmetricKeySpec>> = {
  RSA_2048: 'RSA_2048',
  RSA_3072: 'RSA_3072',
  RSA_4096: 'RSA_4096',
  ECC_NIST_P256: 'EC_P256',
  ECC_NIST_P384: 'EC_P384',
  ECC_NIST_P521: 'EC_P521',
  ECC_SECG_P256K1: 'EC_SECP256K1',
  SM2: 'SM2',
};

export type KeyFamily = 'symmetric' | 'rsa' | 'ec' | 'sm2' | 'hmac';

export function familyOf(spec: KeySpec): KeyFamily {
  if (spec === 'AES_256' || spec === 'SM4') return 'symmetric';
  if (isHmacSpec(spec)) return 'hmac';
  if (spec === 'SM2') return 'sm2';
  if (isAsymmetricSpec(spec) && spec.startsWith('RSA')) return 'rsa';
  return 'ec';
}

/** Epoch ms as Huawei writes dates: a 13-digit string. */
export function ms(value: number | undefined): string {
  return value === undefined ? '' : String(Math.floor(value));
}

/** KeyDetails (describe-key, list-keys), every value a string. */
export function keyDetails(key: KeyInfo, alias: string): Record<string, string> {
  return {
    key_id: key.id,
    domain_id: key.realm.account,
    key_alias: alias,
    realm: key.realm.region,
    key_spec: HUAWEI_KEY_SPEC[key.spec] ?? key.spec,
    key_usage: key.usage,
    key_description: key.description,
    creation_date: ms(key.createdAt),
    scheduled_deletion_date: key.state === 'PendingDeletion' ? ms(key.deletionDate) : '',
    key_state: KEY_STATE[key.state],
    default_key_flag: key.manager === 'SERVICE' ? '1' : '0',
    key_type: '1',
    expiration_time: ms(key.materialValidTo),
    origin: key.origin === 'EXTERNAL' ? 'external' : 'kms',
    key_rotation_enabled: key.rotation.enabled ? 'true' : 'false',
    sys_enterprise_project_id: '0',
    // "0": the service's own keystore.
    keystore_id: key.keyStoreId ?? '0',
  };
}
