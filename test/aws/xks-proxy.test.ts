/**
 * The built-in XKS proxy answers hostile or malformed requests with the spec's errors
 * (`{"errorName", "errorMessage"}` and its HTTP status) and never throws; it keeps its keys apart.
 */
import { describe, expect, it } from 'vitest';
import { signSigV4 } from '../../src/dialects/aws/xks/sigv4.js';
import { XksProxy, XksProxyConfigError } from '../../src/dialects/aws/xks/proxy.js';

const CRED = { accessKeyId: 'BCDEFGHIJKLMNOPQRSTUV', secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const URI_PATH = '/xks/kms/xks/v1';
const MD = { awsPrincipalArn: 'arn:aws:iam::111122223333:user/alice', kmsOperation: 'Encrypt', kmsRequestId: 'r-1', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' };

function proxy() {
  const p = new XksProxy({ uriPath: URI_PATH, region: 'us-east-1', credentials: [CRED] });
  p.createKey('key-1', new Uint8Array(32).fill(7));
  return p;
}

/** A signed request with a raw body. */
function signed(path: string, body: string | Uint8Array, method = 'POST') {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const headers: Record<string, string> = { host: 'localhost:4599', 'content-type': 'application/json' };
  Object.assign(headers, signSigV4({ method, path, headers, body: bytes }, { credential: CRED, region: 'us-east-1', service: 'kms-xks-proxy', now: Date.now() }));
  return { method, path, headers, body: bytes };
}

async function answer(p: XksProxy, request: ReturnType<typeof signed>) {
  const r = await p.handle(request);
  return { status: r.status, json: JSON.parse(new TextDecoder().decode(r.body)) as Record<string, unknown> };
}

describe('the built-in XKS proxy', () => {
  it('refuses hostile JSON with ValidationException and never throws', async () => {
    const p = proxy();
    const encrypt = `${URI_PATH}/keys/key-1/encrypt`;
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const bodies: Array<string | Uint8Array> = [
      '',
      'not json',
      'null',
      '[]',
      '"text"',
      deep.slice(0, 60_000),
      `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
      JSON.stringify({ requestMetadata: MD, plaintext: 'x'.repeat(70_000), encryptionAlgorithm: 'AES_GCM' }),
      '{"__proto__":{"requestMetadata":{}},"plaintext":"AA==","encryptionAlgorithm":"AES_GCM"}',
      JSON.stringify({ requestMetadata: { ...MD, ['__proto__']: {} }, plaintext: 'not base64!', encryptionAlgorithm: 'AES_GCM' }),
      JSON.stringify({ requestMetadata: MD, plaintext: 'QUJD', encryptionAlgorithm: 'AES_CBC' }),
      JSON.stringify({ requestMetadata: MD, plaintext: 'QUJD' }),
      JSON.stringify({ requestMetadata: MD, plaintext: 42, encryptionAlgorithm: 'AES_GCM' }),
      JSON.stringify({ requestMetadata: MD, plaintext: 'QUJ', encryptionAlgorithm: 'AES_GCM' }),
      JSON.stringify({ requestMetadata: MD, plaintext: 'QUJD', encryptionAlgorithm: 'AES_GCM', ciphertextDataIntegrityValueAlgorithm: 'MD5' }),
      JSON.stringify({ requestMetadata: { ...MD, kmsKeyArn: undefined }, plaintext: 'QUJD', encryptionAlgorithm: 'AES_GCM' }),
      JSON.stringify({ requestMetadata: { ...MD, kmsRequestId: 7 }, plaintext: 'QUJD', encryptionAlgorithm: 'AES_GCM' }),
      JSON.stringify({ requestMetadata: 'md', plaintext: 'QUJD', encryptionAlgorithm: 'AES_GCM' }),
    ];
    for (const body of bodies) {
      const r = await answer(p, signed(encrypt, body));
      expect([String(body).slice(0, 40), r.status, r.json['errorName']]).toEqual([String(body).slice(0, 40), 400, 'ValidationException']);
      expect(typeof r.json['errorMessage']).toBe('string');
      expect(r.json['errorMessage']).toMatch(/^[\x20-\x7e]{1,511}$/);
    }
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['requestMetadata']).toBeUndefined();
  });

  it('answers the spec errors for paths, methods, signatures, keys and ciphertexts', async () => {
    const p = proxy();
    const ok = JSON.stringify({ requestMetadata: MD, plaintext: 'QUJD', encryptionAlgorithm: 'AES_GCM' });
    expect(await answer(p, signed('/elsewhere/kms/xks/v1/health', '{}'))).toMatchObject({ status: 404, json: { errorName: 'InvalidUriPathException' } });
    expect(await answer(p, signed(`${URI_PATH}/keys/key-1/sign`, ok))).toMatchObject({ status: 404, json: { errorName: 'InvalidUriPathException' } });
    expect((await answer(p, signed(`${URI_PATH}/health`, '', 'GET'))).status).toBe(405);
    const unsigned = await p.handle({ method: 'POST', path: `${URI_PATH}/health`, headers: { host: 'x' }, body: new Uint8Array() });
    expect(unsigned.status).toBe(401);
    expect(await answer(p, signed(`${URI_PATH}/keys/nope/encrypt`, ok))).toMatchObject({ status: 404, json: { errorName: 'KeyNotFoundException' } });
    expect(await answer(p, signed(`${URI_PATH}/keys/${encodeURIComponent('bad id!')}/encrypt`, ok))).toMatchObject({ status: 400, json: { errorName: 'ValidationException' } });
    const sealed = (await answer(p, signed(`${URI_PATH}/keys/key-1/encrypt`, ok))).json;
    const decrypt = (extra: Record<string, unknown>) => JSON.stringify({ requestMetadata: MD, encryptionAlgorithm: 'AES_GCM', ciphertext: sealed['ciphertext'], initializationVector: sealed['initializationVector'], authenticationTag: sealed['authenticationTag'], ...extra });
    expect(await answer(p, signed(`${URI_PATH}/keys/key-1/decrypt`, decrypt({})))).toEqual({ status: 200, json: { plaintext: 'QUJD' } });
    expect(await answer(p, signed(`${URI_PATH}/keys/key-1/decrypt`, decrypt({ initializationVector: 'AAAAAAAA' })))).toMatchObject({ status: 400, json: { errorName: 'InvalidCiphertextException' } });
    expect(await answer(p, signed(`${URI_PATH}/keys/key-1/decrypt`, decrypt({ authenticationTag: btoa('x'.repeat(16)) })))).toMatchObject({ status: 400, json: { errorName: 'InvalidCiphertextException' } });
    expect(await answer(p, signed(`${URI_PATH}/keys/key-1/decrypt`, decrypt({ ciphertextMetadata: btoa('x'.repeat(21)) })))).toMatchObject({ status: 400, json: { errorName: 'ValidationException' } });
    // Another key with other material cannot open it.
    p.createKey('key-2');
    expect(await answer(p, signed(`${URI_PATH}/keys/key-2/decrypt`, decrypt({})))).toMatchObject({ status: 400, json: { errorName: 'InvalidCiphertextException' } });
    // Health ignores the body (ValidationException is not among its errors).
    expect((await answer(p, signed(`${URI_PATH}/health`, 'garbage'))).status).toBe(200);
  });

  it('administration refuses bad ids, duplicates and material of the wrong length', () => {
    const p = proxy();
    expect(() => p.createKey('key-1')).toThrow(XksProxyConfigError);
    expect(() => p.createKey('bad id')).toThrow(XksProxyConfigError);
    expect(() => p.createKey('x'.repeat(129))).toThrow(XksProxyConfigError);
    expect(() => p.createKey('short', new Uint8Array(16))).toThrow(XksProxyConfigError);
    expect(() => p.setKeyEnabled('none', false)).toThrow(XksProxyConfigError);
    expect(() => new XksProxy({ uriPath: '/xks', region: 'us-east-1' })).toThrow(XksProxyConfigError);
    expect(p.listKeys()).toEqual([{ id: 'key-1', keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' }]);
  });
});
