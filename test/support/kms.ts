import { KMSClient } from '@aws-sdk/client-kms';
import { createKms, ManualClock, type Kms } from '../../src/index.js';

export const START = '2026-01-01T00:00:00Z';

/** A fresh emulator on a manual clock, and a real AWS SDK client wired to it in process. */
export function setup(options: { seed?: string; region?: string } = {}): { kms: Kms<ManualClock>; client: KMSClient } {
  const kms = createKms({ clock: new ManualClock(START), ...(options.seed ? { seed: options.seed } : {}), ...(options.region ? { region: options.region } : {}) });
  const client = new KMSClient({ ...kms.aws.clientConfig() });
  return { kms, client };
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export async function rejection(fn: () => Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await fn();
  } catch (e) {
    return e as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
