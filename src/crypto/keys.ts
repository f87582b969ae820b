/**
 * The two key containers every asymmetric spec uses: PKCS#8 (RFC 5208 / RFC 5958
 * OneAsymmetricKey) for private keys and SubjectPublicKeyInfo (RFC 5280) for public keys, plus
 * the object identifiers of the algorithms and curves involved. What goes inside the containers
 * is each family's business (rsa.ts, ecc.ts, eddsa.ts, pq.ts).
 */
import { fromBase64, toBase64 } from './bytes.js';
import { bitString, type DerElement, octetString, oid, readBitStringBytes, readChildren, readOctetString, readOid, readSequence, readSmallInteger, sequence, smallInteger, TAG } from './der.js';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  secp256k1: '1.3.132.0.10',
  sm2p256v1: '1.2.156.10197.1.301',
  ed25519: '1.3.101.112',
  mlDsa44: '2.16.840.1.101.3.4.3.17',
  mlDsa65: '2.16.840.1.101.3.4.3.18',
  mlDsa87: '2.16.840.1.101.3.4.3.19',
  mlKem512: '2.16.840.1.101.3.4.4.1',
  mlKem768: '2.16.840.1.101.3.4.4.2',
  mlKem1024: '2.16.840.1.101.3.4.4.3',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (already encoded). */
export function algorithmIdentifier(algorithm: string, parameters?: Uint8Array): Uint8Array {
  return parameters ? sequence(oid(algorithm), parameters) : sequence(oid(algorithm));
}

export interface ParsedAlgorithm {
  readonly algorithm: string;
  /** The parameters element, when present (a curve OID, NULL, …). */
  readonly parameters: DerElement | undefined;
}

function parseAlgorithm(e: DerElement | undefined): ParsedAlgorithm | undefined {
  if (!e || e.tag !== TAG.SEQUENCE) return undefined;
  const parts = readChildren(e.content);
  if (!parts || parts.length < 1 || parts.length > 2) return undefined;
  const algorithm = readOid(parts[0]);
  return algorithm === undefined ? undefined : { algorithm, parameters: parts[1] };
}

/** PrivateKeyInfo (version 0), the form OpenSSL and WebCrypto write. */
export function encodePkcs8(algorithm: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return sequence(smallInteger(0), algorithm, octetString(privateKey));
}

export interface ParsedPkcs8 extends ParsedAlgorithm {
  /** The content of the privateKey OCTET STRING (family-specific encoding). */
  readonly privateKey: Uint8Array;
}

/** Reads PKCS#8 v1 or OneAsymmetricKey v2; attributes and the optional public key are ignored. */
export function parsePkcs8(der: Uint8Array): ParsedPkcs8 | undefined {
  const parts = readSequence(der);
  if (!parts || parts.length < 3) return undefined;
  const version = readSmallInteger(parts[0]);
  if (version !== 0 && version !== 1) return undefined;
  const algorithm = parseAlgorithm(parts[1]);
  const privateKey = readOctetString(parts[2]);
  if (!algorithm || !privateKey) return undefined;
  for (const extra of parts.slice(3)) if (extra.tag !== 0xa0 && extra.tag !== 0x81 && extra.tag !== 0xa1) return undefined;
  return { ...algorithm, privateKey };
}

export function encodeSpki(algorithm: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return sequence(algorithm, bitString(publicKey));
}

export interface ParsedSpki extends ParsedAlgorithm {
  /** The content of the subjectPublicKey BIT STRING. */
  readonly publicKey: Uint8Array;
}

export function parseSpki(der: Uint8Array): ParsedSpki | undefined {
  const parts = readSequence(der);
  if (!parts || parts.length !== 2) return undefined;
  const algorithm = parseAlgorithm(parts[0]);
  const publicKey = readBitStringBytes(parts[1]);
  return algorithm && publicKey ? { ...algorithm, publicKey } : undefined;
}

/** PEM (RFC 7468): base64 in 64-character lines between BEGIN/END lines, e.g. label "PUBLIC KEY". */
export function toPem(der: Uint8Array, label: 'PUBLIC KEY' | 'PRIVATE KEY'): string {
  const body = toBase64(der).replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block with `label`; undefined when absent or not base64. */
export function fromPem(pem: string, label: 'PUBLIC KEY' | 'PRIVATE KEY'): Uint8Array | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*)-----END ${label}-----`).exec(pem);
  return match ? fromBase64(match[1]!.replace(/\s+/g, '')) : undefined;
}
