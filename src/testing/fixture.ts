/**
 * An emulator per test, or one shared and reset between tests, on a manual clock: the part of the
 * test helpers that does not depend on the framework (vitest.ts and jest.ts give it the hooks).
 */
import { createKms, type CreateKmsOptions, type Kms } from '../index.js';
import { ManualClock } from '../engine/clock.js';

/** The instant a test's manual clock starts at, unless `start` says otherwise. */
export const TEST_START = '2026-01-01T00:00:00Z';

export interface KmsTestOptions extends Omit<CreateKmsOptions<ManualClock>, 'clock'> {
  /** Where the manual clock starts. Default 2026-01-01T00:00:00Z. */
  start?: string | number | Date;
  /** Runs on every new emulator before the test sees it (create the keys a test expects). */
  setup?: (kms: Kms<ManualClock>) => unknown;
}

/** A new emulator on a manual clock, set up as the options say. */
export async function newTestKms(options: KmsTestOptions = {}): Promise<Kms<ManualClock>> {
  const { start, setup, ...createOptions } = options;
  const kms = createKms({ ...createOptions, clock: new ManualClock(start ?? TEST_START) });
  await setup?.(kms);
  return kms;
}

export interface UseKmsOptions extends KmsTestOptions {
  /**
   * 'fresh' (default): a new emulator for each test. 'shared': one emulator for the file, put back
   * after each test to its state when the first test began (keys made in beforeAll included). Its
   * clock is not put back: a manual clock never goes backwards.
   */
  mode?: 'fresh' | 'shared';
}

/** The hooks of a test framework: vitest's imports or jest's globals. */
export interface TestHooks {
  beforeAll(fn: () => unknown): void;
  beforeEach(fn: () => unknown): void;
  afterEach(fn: () => unknown): void;
}

/**
 * Registers the hooks and returns the emulator of the running test: a stand-in object whose
 * properties are those of the current emulator (`kms.aws`, `kms.clock`, `kms.snapshot()`…), so it can
 * be declared once at the top of a file and given to `expect(kms)`.
 */
export function useKmsWith(hooks: TestHooks, options: UseKmsOptions = {}): Kms<ManualClock> {
  const { mode = 'fresh', ...testOptions } = options;
  let current: Kms<ManualClock> | undefined;
  if (mode === 'shared') {
    let baseline: ReturnType<Kms['snapshot']> | undefined;
    hooks.beforeAll(async () => {
      current = await newTestKms(testOptions);
    });
    hooks.beforeEach(() => {
      baseline ??= current!.snapshot();
    });
    hooks.afterEach(() => {
      if (baseline) current!.restore(baseline);
    });
  } else if (mode === 'fresh') {
    hooks.beforeEach(async () => {
      current = await newTestKms(testOptions);
    });
    hooks.afterEach(() => {
      current = undefined;
    });
  } else {
    throw new TypeError(`useKms: mode must be 'fresh' or 'shared', got ${JSON.stringify(mode)}`);
  }
  const emulator = (): Kms<ManualClock> => {
    if (!current) throw new Error('useKms(): the emulator exists only while a test (or a hook after useKms) runs');
    return current;
  };
  return new Proxy({} as Kms<ManualClock>, {
    get: (_target, property) => Reflect.get(emulator(), property),
    has: (_target, property) => Reflect.has(emulator(), property),
    ownKeys: () => Reflect.ownKeys(emulator()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(emulator(), property);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
