/**
 * Key import as a client does it, in the tab: the wrapping public key from GetParametersForImport
 * (DER SubjectPublicKeyInfo, base64) imported into WebCrypto, the key material encrypted with
 * RSAES-OAEP SHA-256 under it, and the result sent with the import token. The engine never sees
 * the material in the clear; it unwraps what arrives, as the provider does.
 */
import { bytes, SPEC_PROFILES, type KeyInfo } from '../../index.js';
import { clip } from './fields.js';
import { PrepareError, type ActionForm, type Field } from './types.js';

/** Bytes of symmetric or HMAC key material the key's spec takes (random material is drawn at this length). */
export function materialLength(key: KeyInfo): number {
  if (key.spec === 'SM4') return 16;
  const hmacBits = /^HMAC_(\d+)$/.exec(key.spec)?.[1];
  return hmacBits ? Number(hmacBits) / 8 : 32;
}

/** Whether the page offers import for the key: an EXTERNAL symmetric or HMAC key (RSA-OAEP cannot wrap a private key). */
export function importable(key: KeyInfo): boolean {
  return key.origin === 'EXTERNAL' && SPEC_PROFILES[key.spec].family !== 'asymmetric';
}

export function materialField(key: KeyInfo): Field {
  return { name: 'material', label: 'Key material (hex)', kind: 'text', placeholder: `blank: ${materialLength(key)} random bytes`, hint: 'Re-importing needs the same material.' };
}

export const tokenField: Field = { name: 'token', label: 'Import token (base64)', kind: 'textarea', placeholder: 'Get the import parameters first' };
export const wrappingKeyField: Field = { name: 'wrappingKey', label: 'Wrapping public key (base64 DER)', kind: 'textarea', placeholder: 'Get the import parameters first' };

/** The material as typed (hex), or fresh random bytes; refuses text that is not hex. */
function material(key: KeyInfo, hex: string | undefined): Uint8Array<ArrayBuffer> {
  const text = (hex ?? '').replace(/\s+/g, '');
  if (text === '') return crypto.getRandomValues(new Uint8Array(materialLength(key)));
  const decoded = bytes.fromHex(text);
  if (!decoded) throw new PrepareError('the key material must be hex (two digits per byte)');
  return new Uint8Array(decoded);
}

/**
 * RSAES-OAEP SHA-256 under the wrapping key, base64; a PrepareError when the key or material cannot
 * be used. Random material is written back into `values.material` (hex), so the page can show it:
 * re-importing after DeleteImportedKeyMaterial needs the same bytes.
 */
export async function wrapMaterial(key: KeyInfo, values: Record<string, string>): Promise<string> {
  const plain = material(key, values.material);
  values.material = bytes.toHex(plain);
  const decoded = bytes.fromBase64((values.wrappingKey ?? '').trim());
  if (!decoded || decoded.length === 0) throw new PrepareError('no wrapping public key: get the import parameters first');
  const spki = new Uint8Array(decoded);
  let wrappingKey: CryptoKey;
  try {
    wrappingKey = await crypto.subtle.importKey('spki', spki, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  } catch {
    throw new PrepareError('the wrapping public key is not an RSA SubjectPublicKeyInfo');
  }
  try {
    return bytes.toBase64(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, plain)));
  } catch {
    throw new PrepareError(`${plain.length} bytes of key material are too many for RSA-OAEP under this key`);
  }
}

/** How one provider names the three import calls and their fields. */
export interface ImportNames {
  getParameters: string;
  /** GetParametersForImport's request (key id, RSA-OAEP SHA-256 wrapping, RSA 2048). */
  parametersRequest: Record<string, unknown>;
  /** The response members holding the token and the wrapping key (base64). */
  tokenMember: string;
  publicKeyMember: string;
  importMaterial: string;
  importRequest(wrapped: string, token: string): Record<string, unknown>;
  deleteMaterial: string;
  deleteRequest: Record<string, unknown>;
}

/** Get the wrapping key, import (wrapped in the tab), delete the imported material. */
export function importForms(key: KeyInfo, names: ImportNames): ActionForm[] {
  return [
    {
      id: 'import-parameters',
      action: names.getParameters,
      blurb: 'A 2048-bit RSA wrapping key and an import token, valid 24 hours.',
      group: 'lifecycle',
      fields: [],
      params: () => names.parametersRequest,
      outcome: (out) => {
        const token = String(out[names.tokenMember] ?? '');
        const wrappingKey = String(out[names.publicKeyMember] ?? '');
        return { summary: [[names.tokenMember, clip(token)], [names.publicKeyMember, clip(wrappingKey)]], carry: { import: { token, wrappingKey } } };
      },
    },
    {
      id: 'import',
      action: names.importMaterial,
      blurb: 'The material is wrapped here (RSA-OAEP SHA-256, WebCrypto); only the wrapped bytes are sent.',
      group: 'lifecycle',
      fields: [materialField(key), tokenField, wrappingKeyField],
      params: async (v) => names.importRequest(await wrapMaterial(key, v), (v.token ?? '').trim()),
      outcome: (_out, v) => ({ summary: [['Key material imported (hex)', v.material ?? '']], carry: { import: { material: v.material ?? '' } } }),
    },
    { id: 'delete-material', action: names.deleteMaterial, blurb: 'Remove the imported material: the key waits for an import again.', group: 'lifecycle', fields: [], params: () => names.deleteRequest },
  ];
}
