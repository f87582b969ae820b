/** The XKS Proxy API v1: the client KMS uses, the built-in proxy, and their SigV4 (docs/key-stores.md). */
export * from './client.js';
export * from './proxy.js';
export { amzDateOf, signSigV4, signingKey, verifySigV4, XKS_MAX_CLOCK_SKEW_MS, XKS_SIGNING_SERVICE, type SigV4Credential, type SigV4Request, type SignOptions, type VerifyOptions, type VerifyOutcome } from './sigv4.js';
