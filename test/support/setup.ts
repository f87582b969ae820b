import { afterEach, expect } from 'vitest';
import { takeEmulators } from './kms.js';

// No call in any test may have hit an unexpected exception inside an emulator it made with setup().
afterEach(() => {
  for (const kms of takeEmulators()) expect(kms.aws.internalErrors.recent()).toEqual([]);
});
