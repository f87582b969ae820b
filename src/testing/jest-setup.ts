/** `kms-emulator/jest`: the jest helpers, with the matchers registered on the global `expect`. */
import { registerKmsMatchers } from './jest.js';

export * from './jest.js';

registerKmsMatchers();
