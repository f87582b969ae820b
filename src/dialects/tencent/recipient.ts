/**
 * Where a plaintext leaves to: the caller itself, or encrypted to its EncryptionPublicKey
 * (Decrypt, GenerateDataKey, GetDataKeyPlaintext, PostQuantumCryptoDecrypt).
 */
import { toBase64 } from '../../crypto/bytes.js';
import { encryptAsymmetric, parsePublicKey } from '../../crypto/asymmetric.js';
import { fromPem } from '../../crypto/keys.js';
import { fault } from './errors.js';
import { ENCRYPTION_ALGORITHMS } from './metadata.js';
import { type Call, randomOf } from './call.js';

/**
 * EncryptionPublicKey + EncryptionAlgorithm: the plaintext leaves encrypted to the caller's RSA-2048
 * or SM2 public key (SM2: raw C1‖C3‖C2 with C1 = x‖y, as Tencent's examples show it).
 */
interface Recipient {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
}

export async function recipientOf(call: Call, pem: string | undefined, algorithmName: string | undefined): Promise<Recipient | undefined> {
  if (pem === undefined || pem === '') {
    if (algorithmName !== undefined && algorithmName !== '' && !ENCRYPTION_ALGORITHMS[algorithmName]) {
      throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `EncryptionAlgorithm ${algorithmName} is invalid.`);
    }
    return undefined;
  }
  const name = algorithmName === undefined || algorithmName === '' ? 'SM2' : algorithmName;
  const algorithm = ENCRYPTION_ALGORITHMS[name];
  if (!algorithm) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `EncryptionAlgorithm ${name} is invalid.`);
  const spki = fromPem(pem, 'PUBLIC KEY');
  const parsed = spki ? await parsePublicKey(spki) : undefined;
  const fits = parsed !== undefined && (algorithm.startsWith('SM2') ? parsed.spec === 'SM2' : parsed.spec === 'RSA_2048');
  if (!spki || !fits) {
    throw fault(call.action, ['InvalidParameter', 'FailedOperation.EncryptionError'], 'InvalidParameterValue', `EncryptionPublicKey is not an ${name.startsWith('SM2') ? 'SM2' : 'RSA-2048'} public key in PEM.`);
  }
  const random = randomOf(call.engine);
  return {
    async encrypt(plaintext) {
      try {
        const out = await encryptAsymmetric(parsed!.spec, spki, algorithm, plaintext, random);
        return algorithm === 'SM2_C1C3C2' ? out.subarray(1) : out;
      } catch {
        throw fault(call.action, ['FailedOperation.EncryptionError'], 'FailedOperation', 'The plaintext could not be encrypted to EncryptionPublicKey.');
      }
    },
  };
}

export async function deliver(recipient: Recipient | undefined, plaintext: Uint8Array): Promise<string> {
  return toBase64(recipient ? await recipient.encrypt(plaintext) : plaintext);
}
