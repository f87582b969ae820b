/**
 * Test helpers for vitest: importing this module registers the audit-trail matchers.
 *
 *   import { kmsTest, useKms } from 'kms-emulator/vitest';
 *
 *   kmsTest('a disabled key refuses Decrypt', async ({ kms }) => {      // a fresh emulator per test
 *     …
 *     kms.clock.advance('8d');
 *     expect(kms).toHaveCloudTrailEvent({ eventName: 'Decrypt', errorCode: 'DisabledException' });
 *   });
 *
 *   const kms = useKms();                   // or beforeEach/afterEach style, { mode: 'shared' } to reuse one
 */
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import type { ManualClock } from '../engine/clock.js';
import type { Kms } from '../index.js';
import { type KmsTestOptions, newTestKms, type UseKmsOptions, useKmsWith } from './fixture.js';
import { type KmsMatchers, kmsMatchers } from './matchers.js';

export { kmsMatchers, type KmsMatchers, type RecordPattern } from './matchers.js';
export { newTestKms, TEST_START, type KmsTestOptions, type UseKmsOptions } from './fixture.js';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends KmsMatchers<T> {}
}

expect.extend(kmsMatchers);

/** vitest's `test` with a `kms` fixture: a new emulator on a manual clock for each test that asks for it. */
export function createKmsTest(options: KmsTestOptions = {}) {
  return test.extend<{ kms: Kms<ManualClock> }>({
    // vitest reads the fixture's dependencies from its first parameter, which must be a destructuring pattern.
    // eslint-disable-next-line no-empty-pattern
    kms: async ({}, use) => {
      await use(await newTestKms(options));
    },
  });
}

/** `test` with a fresh emulator (2026-01-01T00:00:00Z on a manual clock) as the `kms` fixture. */
export const kmsTest = createKmsTest();

/** The emulator of the running test, with vitest's hooks registered where this is called. */
export function useKms(options: UseKmsOptions = {}): Kms<ManualClock> {
  return useKmsWith({ beforeAll, beforeEach, afterEach }, options);
}
