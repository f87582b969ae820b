import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '../../src/server/json-bytes.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every piece size from one byte to past the whole document: parsed whole, split at the top, split deeper. */
function pieceSizes(text: string): number[] {
  const n = bytes(text).length;
  return [1, 2, 3, 5, 8, 13, 21, 34, Math.floor(n / 2), n - 1, n, n + 1, 1 << 28];
}

describe('JSON from bytes, in pieces', () => {
  const documents = [
    '{"format":"kms-emulator/data-dir","version":1,"lsn":3,"engine":{"realms":[{"keys":[{"id":"a","tags":[["k","v"]]},{"id":"b"}],"aliases":[]}],"audit":[]},"engineCrc32":42}\n',
    ' [ 1 , "two" , {"three": [3, 3.5, -3e2]} , [] , {} , null , true , false ] ',
    '{"__proto__":{"polluted":true},"nested":{"__proto__":[1,2]},"text":"quote \\" brace } bracket ] comma , colon :","unicode":"密钥 ✓ 🔑"}',
    '"a lone string"',
    '12345',
    '[]',
    '{}',
  ];
  it('gives what JSON.parse gives, at every piece size ("__proto__" members included, as own properties)', () => {
    for (const doc of documents) {
      for (const piece of pieceSizes(doc)) {
        const parsed = parseJsonBytes(bytes(doc), piece);
        expect(parsed, `${doc} at ${piece}`).toEqual(JSON.parse(doc));
        expect(JSON.stringify(parsed), `${doc} at ${piece}`).toBe(JSON.stringify(JSON.parse(doc)));
      }
    }
    const proto = parseJsonBytes(bytes(documents[2]!), 8) as Record<string, unknown>;
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what is not one JSON value, at every piece size', () => {
    const bad = ['', '   ', '{"a":1', '{"a":1}}', '{"a":1} x', '[1,2', '[1,2]]', '{"a" 1}', '{"a":1,,"b":2}', '[1 2]', '{"a":"unterminated}', '{"a":[1,2}', 'nul', '{"a":1}\n{"b":2}'];
    for (const doc of bad) {
      for (const piece of pieceSizes(doc || ' ')) expect(() => parseJsonBytes(bytes(doc), piece), `${JSON.stringify(doc)} at ${piece}`).toThrow(SyntaxError);
    }
  });
});
