/**
 * The browser-safe SigV4 signer of the XKS client agrees with AWS's own signer (@smithy/signature-v4)
 * and with the KMS endpoint's Node verifier (src/server/sigv4.ts); the proxy-side verifier accepts what
 * both sign and refuses tampering, a wrong secret, another service or region, and a stale clock.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { signSigV4, verifySigV4 } from '../../src/dialects/aws/xks/sigv4.js';
import { SigV4Verifier } from '../../src/server/sigv4.js';
import type { CredentialStore } from '../../src/server/credentials.js';
import { Sha256 } from '../support/sha256.js';

const CRED = { accessKeyId: 'BCDEFGHIJKLMNOPQRSTUV', secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const NOW = Date.UTC(2026, 0, 15, 10, 20, 30);
const BODY = new TextEncoder().encode('{"requestMetadata":{"kmsRequestId":"r-1","kmsOperation":"KmsHealthCheck"}}');
const PATH = '/xks/kms/xks/v1/keys/key-1.a_b/encrypt';

function request(headers: Record<string, string> = {}) {
  return { method: 'POST', path: PATH, headers: { host: 'xks.example.com:8443', 'content-type': 'application/json', ...headers }, body: BODY };
}

describe('XKS SigV4 signer', () => {
  it('gives the signature @smithy/signature-v4 gives for the same request', async () => {
    const mine = signSigV4(request(), { credential: CRED, region: 'eu-west-1', service: 'kms-xks-proxy', now: NOW });
    const smithy = new SignatureV4({ credentials: CRED, region: 'eu-west-1', service: 'kms-xks-proxy', sha256: Sha256 as never, uriEscapePath: true });
    const theirs = await smithy.sign(
      { method: 'POST', protocol: 'https:', hostname: 'xks.example.com', port: 8443, path: PATH, query: {}, headers: { host: 'xks.example.com:8443', 'x-amz-date': mine['x-amz-date'] }, body: BODY },
      { signingDate: new Date(NOW), unsignableHeaders: new Set(['content-type', 'x-amz-content-sha256']) },
    );
    expect(mine['x-amz-date']).toBe('20260115T102030Z');
    const signature = (h: string) => /Signature=([0-9a-f]{64})/.exec(h)![1];
    expect(String(theirs.headers['authorization'])).toContain('SignedHeaders=host;x-amz-date,');
    expect(signature(mine.authorization)).toBe(signature(String(theirs.headers['authorization'])));
    expect(mine.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${CRED.accessKeyId}/20260115/eu-west-1/kms-xks-proxy/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature(mine.authorization)}`,
    );
  });

  it('signs what the KMS endpoint verifier (node:crypto) accepts, and a changed body it refuses', () => {
    const store = { find: (_p: string, id: string) => (id === CRED.accessKeyId ? { provider: 'aws', id, secret: CRED.secretAccessKey } : undefined) } as unknown as CredentialStore;
    const verifier = new SigV4Verifier({ credentials: store, clock: new ManualClock(NOW), service: 'kms-xks-proxy' });
    const signed = signSigV4(request(), { credential: CRED, region: 'us-east-1', service: 'kms-xks-proxy', now: NOW });
    const req = request(signed);
    expect(verifier.verify({ ...req, query: '' }).ok).toBe(true);
    const other = verifier.verify({ ...req, query: '', body: new TextEncoder().encode('{}') });
    expect(other.ok ? '' : other.error.code).toBe('InvalidSignatureException');
  });
});

describe('XKS SigV4 verifier', () => {
  const options = { secretFor: (id: string) => (id === CRED.accessKeyId ? CRED.secretAccessKey : undefined), service: 'kms-xks-proxy', region: 'us-east-1', now: NOW };

  it('accepts a request signed by @smithy/signature-v4', async () => {
    const smithy = new SignatureV4({ credentials: CRED, region: 'us-east-1', service: 'kms-xks-proxy', sha256: Sha256 as never });
    const signed = await smithy.sign({ method: 'POST', protocol: 'https:', hostname: 'xks.example.com', port: 8443, path: PATH, query: {}, headers: request().headers, body: BODY }, { signingDate: new Date(NOW) });
    expect(verifySigV4({ ...request(), headers: signed.headers as Record<string, string> }, options)).toEqual({ ok: true, accessKeyId: CRED.accessKeyId, region: 'us-east-1' });
  });

  it('refuses a changed body, path or host, a wrong secret, another service or region, and a stale clock', () => {
    const signed = request(signSigV4(request(), { credential: CRED, region: 'us-east-1', service: 'kms-xks-proxy', now: NOW }));
    expect(verifySigV4(signed, options).ok).toBe(true);
    const refused = (r: Parameters<typeof verifySigV4>[0], o = options) => verifySigV4(r, o).ok;
    expect(refused({ ...signed, body: new Uint8Array([1]) })).toBe(false);
    expect(refused({ ...signed, path: PATH.replace('encrypt', 'decrypt') })).toBe(false);
    expect(refused({ ...signed, headers: { ...signed.headers, host: 'evil.example.com' } })).toBe(false);
    expect(refused(signed, { ...options, secretFor: () => 'another secret' })).toBe(false);
    expect(refused(signed, { ...options, secretFor: () => undefined })).toBe(false);
    expect(refused(signed, { ...options, service: 'kms' })).toBe(false);
    expect(refused(signed, { ...options, region: 'eu-west-1' })).toBe(false);
    expect(refused(signed, { ...options, now: NOW + 5 * 60_000 + 1000 })).toBe(false);
    expect(refused(signed, { ...options, now: NOW - 5 * 60_000 - 1000 })).toBe(false);
    expect(refused(signed, { ...options, now: NOW + 4 * 60_000 })).toBe(true);
    expect(refused({ ...signed, headers: { host: 'xks.example.com:8443' } })).toBe(false);
    expect(refused({ ...signed, headers: { ...signed.headers, authorization: 'AWS4-HMAC-SHA256 garbage' } })).toBe(false);
    expect(refused({ ...signed, headers: { ...signed.headers, authorization: (signed.headers as Record<string, string>)['authorization']!.replace(/Signature=\w+/, 'Signature=zz') } })).toBe(false);
  });
});
