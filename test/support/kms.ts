import { KMSClient } from '@aws-sdk/client-kms';
import { createKms, ManualClock, type AwsKeyStoreOptions, type Kms } from '../../src/index.js';

export const START = '2026-01-01T00:00:00Z';

/** Every emulator `setup()` made since the last `takeEmulators()`: test/support/setup.ts checks them after each test. */
const emulators: Kms<ManualClock>[] = [];

/** Returns the emulators made since the last call, and forgets them. */
export function takeEmulators(): Kms<ManualClock>[] {
  return emulators.splice(0);
}

/**
 * A fresh emulator on a manual clock (at `start`, by default START), and a real AWS SDK client wired
 * to it in process. The emulator is registered: after the test, it must have no internal errors.
 */
export function setup(options: { seed?: string; region?: string; start?: string | number; aws?: AwsKeyStoreOptions } = {}): { kms: Kms<ManualClock>; client: KMSClient } {
  const kms = createKms({
    clock: new ManualClock(options.start ?? START),
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.aws ? { aws: options.aws } : {}),
  });
  emulators.push(kms);
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
export const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('base64');
