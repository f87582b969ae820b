/**
 * Test helpers for jest (and any framework with jest's globals): the audit-trail matchers and
 * `useKms()`. `kms-emulator/jest` registers the matchers when loaded; put it in `setupFilesAfterEnv`.
 * This module itself only defines them (the CommonJS build bundles it with everything else).
 *
 *   // jest.config.js: setupFilesAfterEnv: ['kms-emulator/jest']
 *   const { useKms } = require('kms-emulator/jest');
 *   const kms = useKms();
 *   test('…', async () => { …; expect(kms).toHaveCloudTrailEvent({ eventName: 'Encrypt' }); });
 */
import type { ManualClock } from '../engine/clock.js';
import type { Kms } from '../index.js';
import { type TestHooks, type UseKmsOptions, useKmsWith } from './fixture.js';
import { type KmsMatchers, kmsMatchers } from './matchers.js';

export { kmsMatchers, type KmsMatchers, type RecordPattern } from './matchers.js';
export { newTestKms, TEST_START, type KmsTestOptions, type UseKmsOptions } from './fixture.js';

declare global {
  // The shape @types/jest declares (type parameters included), extended with the matchers.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends KmsMatchers<R> {}
  }
}

interface ExpectLike {
  extend(matchers: Record<string, unknown>): void;
}

/** Registers the matchers with `expect` (default: the global one). True when there was one to register with. */
export function registerKmsMatchers(expect: ExpectLike | undefined = (globalThis as { expect?: ExpectLike }).expect): boolean {
  if (typeof expect?.extend !== 'function') return false;
  expect.extend(kmsMatchers);
  return true;
}

/** The emulator of the running test, with the global beforeAll/beforeEach/afterEach hooks. */
export function useKms(options: UseKmsOptions = {}, hooks: TestHooks = globalHooks()): Kms<ManualClock> {
  return useKmsWith(hooks, options);
}

function globalHooks(): TestHooks {
  const g = globalThis as Partial<Record<keyof TestHooks, TestHooks[keyof TestHooks]>>;
  if (typeof g.beforeAll !== 'function' || typeof g.beforeEach !== 'function' || typeof g.afterEach !== 'function') {
    throw new Error('useKms(): no global beforeAll/beforeEach/afterEach (run it inside jest, or pass the hooks as the second argument)');
  }
  return { beforeAll: g.beforeAll, beforeEach: g.beforeEach, afterEach: g.afterEach };
}
