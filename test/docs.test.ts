import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS } from '../scripts/docs.js';

describe('generated documentation', () => {
  for (const [path, render] of Object.entries(GENERATED_DOCS)) {
    it(`${path} matches the code (run npm run gen:docs)`, () => {
      expect(readFileSync(path, 'utf8')).toBe(render());
    });
  }
});
