/** Helpers for tests that drive the engine directly. */
import type { KmsError } from '../../src/index.js';

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** The KmsError `fn` throws; fails the test if it returns. */
export function thrown(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (e) {
    return e as KmsError;
  }
  throw new Error('expected a KmsError');
}
