/**
 * The XKS client against the built-in XKS proxy through its in-page fetch (no network): every
 * operation, and every failure a proxy or the network can cause, each an XksProxyError with its
 * failure and nothing else thrown.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ciphertextDataIntegrityValue,
  type XksFailure,
  xksDecrypt,
  xksEncrypt,
  xksHealth,
  xksKeyMetadata,
  XksProxyError,
  type XksProxyTarget,
} from '../../src/dialects/aws/xks/client.js';
import { XksProxy } from '../../src/dialects/aws/xks/proxy.js';

const CRED = { accessKeyId: 'BCDEFGHIJKLMNOPQRSTUV', secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const URI_PATH = '/tenant-1/kms/xks/v1';
const MD = { awsPrincipalArn: 'arn:aws:iam::111122223333:user/alice', kmsOperation: 'Encrypt', kmsRequestId: 'b3a1c2d4-0000-4000-8000-000000000001', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' };
const bytes = (text: string) => new TextEncoder().encode(text);

function setup(options: { metadata?: Uint8Array } = {}) {
  const proxy = new XksProxy({ uriPath: URI_PATH, region: 'us-east-1', credentials: [CRED], ...(options.metadata ? { ciphertextMetadata: options.metadata } : {}) });
  proxy.createKey('key-1');
  const target: XksProxyTarget = { uriEndpoint: 'https://xks.example.com', uriPath: URI_PATH, credential: CRED, region: 'us-east-1', fetch: proxy.asFetch(), timeoutMs: 2000 };
  return { proxy, target };
}

async function failure(call: () => Promise<unknown>): Promise<XksProxyError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(XksProxyError);
    return e as XksProxyError;
  }
  throw new Error('the call did not fail');
}

/** A transport that answers as the given status and body, whatever was asked. */
function answering(status: number, body: string | object, headers: Record<string, string> = { 'content-type': 'application/json' }): typeof fetch {
  return (async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers })) as typeof fetch;
}

/** The proxy's real answer to an encrypt, with one field changed. */
function tampered(proxy: XksProxy, change: (answer: Record<string, unknown>) => void): typeof fetch {
  const real = proxy.asFetch();
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await real(input, init);
    const answer = (await response.json()) as Record<string, unknown>;
    change(answer);
    return new Response(JSON.stringify(answer), { status: response.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('XKS client against the built-in proxy', () => {
  it('GetHealthStatus answers the spec fields', async () => {
    const { target } = setup();
    const health = await xksHealth(target, { ...MD, kmsOperation: 'CreateCustomKeyStore' });
    expect(health).toMatchObject({ xksProxyFleetSize: 1, xksProxyVendor: 'kms-emulator', ekmVendor: 'kms-emulator' });
    expect(health.ekmFleetDetails).toEqual([expect.objectContaining({ healthStatus: 'ACTIVE' })]);
  });

  it('GetKeyMetadata answers AES_256, ENCRYPT/DECRYPT and the key status', async () => {
    const { proxy, target } = setup();
    expect(await xksKeyMetadata(target, 'key-1', { ...MD, kmsOperation: 'CreateKey' })).toEqual({ keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
    proxy.setKeyEnabled('key-1', false);
    expect((await xksKeyMetadata(target, 'key-1', MD)).keyStatus).toBe('DISABLED');
  });

  it('Encrypt and Decrypt round-trip with AAD, ciphertext metadata and a checked integrity value', async () => {
    const metadata = bytes('key_version=1');
    const { target } = setup({ metadata });
    const aad = bytes('project=nile,department=marketing');
    const plaintext = bytes('Hello World!');
    const sealed = await xksEncrypt(target, 'key-1', { requestMetadata: MD, plaintext, additionalAuthenticatedData: aad, ciphertextDataIntegrityValueAlgorithm: 'SHA_256' });
    expect(sealed.ciphertext.length).toBe(plaintext.length);
    expect(sealed.initializationVector.length).toBe(12);
    expect(sealed.authenticationTag.length).toBe(16);
    expect(sealed.ciphertextMetadata).toEqual(metadata);
    expect(sealed.ciphertextDataIntegrityValue).toEqual(ciphertextDataIntegrityValue(aad, metadata, sealed.initializationVector, sealed.ciphertext, sealed.authenticationTag));
    const { ciphertextDataIntegrityValue: _cdiv, ...parts } = sealed;
    expect(await xksDecrypt(target, 'key-1', { requestMetadata: { ...MD, kmsOperation: 'Decrypt' }, ...parts, additionalAuthenticatedData: aad })).toEqual(plaintext);
    // The AAD and the ciphertext metadata are both bound: moving one into the other fails.
    const moved = await failure(() => xksDecrypt(target, 'key-1', { requestMetadata: MD, ciphertext: sealed.ciphertext, initializationVector: sealed.initializationVector, authenticationTag: sealed.authenticationTag, additionalAuthenticatedData: metadata }));
    expect([moved.failure, moved.errorName, moved.httpStatus]).toEqual(['invalid-ciphertext', 'InvalidCiphertextException', 400]);
    const wrongAad = await failure(() => xksDecrypt(target, 'key-1', { requestMetadata: MD, ...parts, additionalAuthenticatedData: bytes('other') }));
    expect(wrongAad.failure).toBe('invalid-ciphertext');
  });

  it('the spec example CDIV (Appendix C) is what ciphertextDataIntegrityValue computes', () => {
    const b64 = (t: string) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
    const cdiv = ciphertextDataIntegrityValue(b64('cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n'), b64('a2V5X3ZlcnNpb249MQ=='), b64('HMrlRw85cAJUd5Ax'), b64('ghxkK1txeDNn3q8Y'), b64('vBxN2ncH1oEkR8WVXpmyYQ=='));
    expect(btoa(String.fromCharCode(...cdiv))).toBe('qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=');
  });

  it('a wrong credential, another region or a wrong URI path is refused by the proxy', async () => {
    const { target } = setup();
    const wrong = await failure(() => xksHealth({ ...target, credential: { ...CRED, secretAccessKey: 'x'.repeat(43) } }, MD));
    expect([wrong.failure, wrong.errorName, wrong.httpStatus]).toEqual(['authentication', 'AuthenticationFailedException', 401]);
    expect(wrong.message).toContain('could not authenticate AWS KMS');
    expect((await failure(() => xksHealth({ ...target, region: 'eu-west-1' }, MD))).failure).toBe('authentication');
    const path = await failure(() => xksHealth({ ...target, uriPath: '/other/kms/xks/v1' }, MD));
    expect([path.failure, path.errorName, path.httpStatus]).toEqual(['invalid-uri-path', 'InvalidUriPathException', 404]);
    expect(path.proxyRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unknown key is key-not-found; a disabled key is invalid-state for Encrypt and Decrypt', async () => {
    const { proxy, target } = setup();
    const unknown = await failure(() => xksKeyMetadata(target, 'nope', MD));
    expect([unknown.failure, unknown.errorName, unknown.httpStatus]).toEqual(['key-not-found', 'KeyNotFoundException', 404]);
    expect((await failure(() => xksEncrypt(target, 'nope', { requestMetadata: MD, plaintext: bytes('x') }))).failure).toBe('key-not-found');
    const sealed = await xksEncrypt(target, 'key-1', { requestMetadata: MD, plaintext: bytes('x') });
    proxy.setKeyEnabled('key-1', false);
    const disabled = await failure(() => xksEncrypt(target, 'key-1', { requestMetadata: MD, plaintext: bytes('x') }));
    expect([disabled.failure, disabled.errorName, disabled.httpStatus]).toEqual(['invalid-state', 'InvalidStateException', 400]);
    expect((await failure(() => xksDecrypt(target, 'key-1', { requestMetadata: MD, ...sealed }))).failure).toBe('invalid-state');
    proxy.setKeyEnabled('key-1', true);
    expect(await xksDecrypt(target, 'key-1', { requestMetadata: MD, ...sealed })).toEqual(bytes('x'));
  });

  it('a proxy slower than the timeout is timeout, even one that ignores the abort signal', async () => {
    const { proxy, target } = setup();
    const slow = (async (input: RequestInfo | URL, init?: RequestInit) => {
      await new Promise((r) => setTimeout(r, 300));
      return proxy.asFetch()(input, init);
    }) as typeof fetch;
    const started = Date.now();
    const e = await failure(() => xksHealth({ ...target, fetch: slow, timeoutMs: 50 }, MD));
    expect(e.failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(280);
    const hanging = (() => new Promise<Response>(() => {})) as typeof fetch;
    expect((await failure(() => xksEncrypt({ ...target, fetch: hanging, timeoutMs: 30 }, 'key-1', { requestMetadata: MD, plaintext: bytes('x') }))).failure).toBe('timeout');
  });

  it('the default timeout is the spec 250 ms', async () => {
    const { target } = setup();
    const { timeoutMs: _t, ...noTimeout } = target;
    const hanging = (() => new Promise<Response>(() => {})) as typeof fetch;
    const started = Date.now();
    expect((await failure(() => xksHealth({ ...noTimeout, fetch: hanging }, MD))).failure).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('answers KMS cannot interpret are invalid-response', async () => {
    const { proxy, target } = setup();
    const cases: Array<[typeof fetch, string]> = [
      [answering(200, 'not json'), 'non-JSON 200'],
      [answering(200, '[1,2]'), 'array'],
      [answering(200, { ciphertext: 'AAAA' }), 'missing fields'],
      [answering(500, '<html>oops</html>', { 'content-type': 'text/html' }), 'HTML 500'],
      [answering(400, { errorName: 'NoSuchError' }), 'unknown errorName'],
      [answering(400, { message: 'x' }), 'no errorName'],
      [tampered(proxy, (a) => (a['initializationVector'] = btoa('12345678')) ), 'IV of 8 bytes'],
      [tampered(proxy, (a) => (a['authenticationTag'] = btoa('123456789012')) ), 'tag of 12 bytes'],
      [tampered(proxy, (a) => (a['ciphertext'] = btoa('toolongciphertext'))), 'ciphertext longer than plaintext'],
      [tampered(proxy, (a) => (a['ciphertext'] = 'not base64!')), 'bad base64'],
      [tampered(proxy, (a) => (a['ciphertext'] = 42)), 'wrong type'],
      [tampered(proxy, (a) => (a['ciphertextMetadata'] = btoa('x'.repeat(21)))), 'metadata over 20 bytes'],
      [tampered(proxy, (a) => delete a['ciphertextDataIntegrityValue']), 'CDIV missing'],
      [tampered(proxy, (a) => (a['ciphertextDataIntegrityValue'] = btoa('y'.repeat(32)))), 'CDIV wrong'],
    ];
    for (const [transport, label] of cases) {
      const e = await failure(() => xksEncrypt({ ...target, fetch: transport }, 'key-1', { requestMetadata: MD, plaintext: bytes('plaintext'), ciphertextDataIntegrityValueAlgorithm: 'SHA_256' }));
      expect([label, e.failure]).toEqual([label, 'invalid-response']);
    }
    const shortPlain = await failure(() => xksDecrypt({ ...target, fetch: answering(200, { plaintext: btoa('ab') }) }, 'key-1', { requestMetadata: MD, ciphertext: bytes('abc'), initializationVector: new Uint8Array(12), authenticationTag: new Uint8Array(16) }));
    expect(shortPlain.failure).toBe('invalid-response');
    const badHealth = await failure(() => xksHealth({ ...target, fetch: answering(200, { xksProxyFleetSize: 0, xksProxyVendor: 'a', xksProxyModel: 'b', ekmVendor: 'c', ekmFleetDetails: [{ id: 'i', model: 'm', healthStatus: 'ACTIVE' }] }) }, MD));
    expect(badHealth.failure).toBe('invalid-response');
    const badUsage = await failure(() => xksKeyMetadata({ ...target, fetch: answering(200, { keySpec: 'AES_256', keyUsage: 'ENCRYPT', keyStatus: 'ENABLED' }) }, 'key-1', MD));
    expect(badUsage.failure).toBe('invalid-response');
  });

  it('a health answer whose every key manager is UNAVAILABLE is unreachable', async () => {
    const { target } = setup();
    const body = { xksProxyFleetSize: 1, xksProxyVendor: 'a', xksProxyModel: 'b', ekmVendor: 'c', ekmFleetDetails: [{ id: 'i', model: 'm', healthStatus: 'UNAVAILABLE' }] };
    expect((await failure(() => xksHealth({ ...target, fetch: answering(200, body) }, MD))).failure).toBe('unreachable');
    const degraded = { ...body, ekmFleetDetails: [...body.ekmFleetDetails, { id: 'j', model: 'm', healthStatus: 'DEGRADED' }] };
    expect((await xksHealth({ ...target, fetch: answering(200, degraded) }, MD)).ekmFleetDetails).toHaveLength(2);
  });

  it('each spec errorName becomes its failure, whatever the status', async () => {
    const { target } = setup();
    const table: Array<[string, number, XksFailure]> = [
      ['ValidationException', 400, 'validation'],
      ['InvalidStateException', 400, 'invalid-state'],
      ['InvalidCiphertextException', 400, 'invalid-ciphertext'],
      ['InvalidKeyUsageException', 400, 'invalid-key-usage'],
      ['AuthenticationFailedException', 401, 'authentication'],
      ['AccessDeniedException', 403, 'access-denied'],
      ['KeyNotFoundException', 404, 'key-not-found'],
      ['InvalidUriPathException', 404, 'invalid-uri-path'],
      ['ThrottlingException', 429, 'throttled'],
      ['InternalException', 500, 'internal'],
      ['UnsupportedOperationException', 501, 'unsupported'],
      ['DependencyTimeoutException', 503, 'timeout'],
    ];
    for (const [errorName, status, expected] of table) {
      const e = await failure(() => xksKeyMetadata({ ...target, fetch: answering(status, { errorName, errorMessage: 'detail' }, { 'content-type': 'application/json', 'x-request-id': 'proxy-req-1' }) }, 'key-1', MD));
      expect([errorName, e.failure, e.httpStatus, e.errorName, e.proxyRequestId]).toEqual([errorName, expected, status, errorName, 'proxy-req-1']);
      expect(e.detail).toContain('detail');
      expect(e.message).toMatch(errorName === 'DependencyTimeoutException' ? /^The external key store proxy did not respond/ : /./);
    }
  });

  it('an external key id that a URL parser would resolve away is invalid-uri-path, not sent elsewhere', async () => {
    const { target } = setup();
    for (const id of ['.', '..']) expect((await failure(() => xksKeyMetadata(target, id, MD))).failure).toBe('invalid-uri-path');
  });

  it('onAnswer hears of every answer with its status and the proxy request id', async () => {
    const { target } = setup();
    const heard: unknown[] = [];
    await xksKeyMetadata({ ...target, onAnswer: (a) => heard.push(a) }, 'key-1', MD);
    await failure(() => xksKeyMetadata({ ...target, onAnswer: (a) => heard.push(a) }, 'none', MD));
    expect(heard).toEqual([
      { operation: 'GetKeyMetadata', httpStatus: 200, proxyRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { operation: 'GetKeyMetadata', httpStatus: 404, proxyRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
  });

  it('a refused connection, a throwing transport and a bad endpoint are unreachable', async () => {
    const { target } = setup();
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { fetch: _f, ...real } = target;
    const refused = await failure(() => xksHealth({ ...real, uriEndpoint: `http://127.0.0.1:${port}` }, MD));
    expect(refused.failure).toBe('unreachable');
    const throwing = (() => {
      throw new TypeError('boom');
    }) as unknown as typeof fetch;
    expect((await failure(() => xksHealth({ ...target, fetch: throwing }, MD))).failure).toBe('unreachable');
    expect((await failure(() => xksHealth({ ...target, uriEndpoint: 'not a url' }, MD))).failure).toBe('unreachable');
    expect((await failure(() => xksHealth({ ...target, uriEndpoint: 'ftp://x' }, MD))).failure).toBe('unreachable');
    expect((await failure(() => xksEncrypt(target, 'key-1', { requestMetadata: MD, plaintext: null as unknown as Uint8Array }))).failure).toBe('unreachable');
    expect((await failure(() => xksHealth({ ...target, clock: () => Number.NaN }, MD))).failure).toBe('unreachable');
  });

  it('sends the spec request: POST, JSON, signed host;x-amz-date for kms-xks-proxy, requestMetadata as given', async () => {
    const { proxy, target } = setup();
    const seen: Array<{ url: string; headers: Headers; body: unknown }> = [];
    const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      seen.push({ url: req.url, headers: req.headers, body: await req.clone().json() });
      return proxy.asFetch()(req);
    }) as typeof fetch;
    const md = { ...MD, awsSourceVpc: 'vpc-1', awsSourceVpce: 'vpce-1', kmsViaService: 'ebs' };
    await xksEncrypt({ ...target, fetch: spy, clock: () => Date.UTC(2026, 1, 2, 3, 4, 5) }, 'key-1', { requestMetadata: md, plaintext: bytes('p'), additionalAuthenticatedData: bytes('a') }).catch(() => {});
    expect(seen[0]!.url).toBe('https://xks.example.com/tenant-1/kms/xks/v1/keys/key-1/encrypt');
    expect(seen[0]!.headers.get('x-amz-date')).toBe('20260202T030405Z');
    expect(seen[0]!.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=BCDEFGHIJKLMNOPQRSTUV\/20260202\/us-east-1\/kms-xks-proxy\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(seen[0]!.body).toEqual({ requestMetadata: md, additionalAuthenticatedData: btoa('a'), plaintext: btoa('p'), encryptionAlgorithm: 'AES_GCM' });
  });
});
