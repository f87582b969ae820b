/**
 * LocalStack's two special CreateKey tags, which its users rely on to get the same key in every
 * run: `_custom_id_` (the key id) and `_custom_key_material_` (base64 key material: the key bytes
 * of a symmetric or HMAC key, the PKCS#8 DER private key of an asymmetric one). As in LocalStack,
 * they choose the key and are not kept as tags.
 */
import { fromBase64 } from '../../crypto/bytes.js';
import { AwsServiceError } from './errors.js';

export const CUSTOM_ID_TAG = '_custom_id_';
export const CUSTOM_KEY_MATERIAL_TAG = '_custom_key_material_';

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export interface LocalStackChoice<T> {
  /** The other tags, to be kept. */
  tags: T[];
  id?: string;
  material?: Uint8Array;
}

/**
 * Splits the two tags off; `redact` is called first (with the other tags) when either is present,
 * so that a refused request is not audited with its key material either.
 */
export function takeLocalStackTags<T extends { TagKey: string; TagValue: string }>(tags: readonly T[], redact?: (kept: T[]) => void): LocalStackChoice<T> {
  const choice: LocalStackChoice<T> = { tags: [] };
  const kept = tags.filter((t) => t.TagKey !== CUSTOM_ID_TAG && t.TagKey !== CUSTOM_KEY_MATERIAL_TAG);
  if (kept.length !== tags.length) redact?.(kept);
  for (const tag of tags) {
    if (tag.TagKey === CUSTOM_ID_TAG) {
      if (!KEY_ID.test(tag.TagValue)) {
        throw new AwsServiceError('ValidationException', `The ${CUSTOM_ID_TAG} tag must be a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab (or mrk- and 32 hex digits).`);
      }
      choice.id = tag.TagValue;
    } else if (tag.TagKey === CUSTOM_KEY_MATERIAL_TAG) {
      const material = fromBase64(tag.TagValue);
      if (!material || material.length === 0) throw new AwsServiceError('ValidationException', `The ${CUSTOM_KEY_MATERIAL_TAG} tag must be base64 key material.`);
      choice.material = material;
    } else choice.tags.push(tag);
  }
  return choice;
}
