import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 takes for its `sha256` option. */
export class Sha256 {
  readonly #h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.#h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}
