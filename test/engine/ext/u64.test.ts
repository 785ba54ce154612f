import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { U64, u64, u64Add, u64Cmp, u64CmpNumber, u64Mul, u64SetNumber, u64Sub, u64ToBig } from '../../../src/rules/ext/common/u64.js';

const M = (1n << 64n) - 1n;
const big = fc.bigInt({ min: 0n, max: M });
const safe = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.constantFrom(0, 1, 2 ** 53 - 1, 2 ** 32 - 1), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

describe('u64 arithmetic modulo 2^64 matches BigInt', () => {
  it('add, sub, compare', () => {
    fc.assert(
      fc.property(big, big, (a, b) => {
        const x = u64(a);
        const y = u64(b);
        const out = new U64();
        u64Add(out, x, y);
        expect(u64ToBig(out)).toBe((a + b) & M);
        u64Sub(out, x, y);
        expect(u64ToBig(out)).toBe((a - b) & M);
        expect(u64Cmp(x, y)).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('multiplies integers below 2^53 exactly', () => {
    fc.assert(
      fc.property(safe, safe, (a, b) => {
        const out = new U64();
        u64Mul(out, a, b);
        expect(u64ToBig(out)).toBe((BigInt(a) * BigInt(b)) & M);
      }),
      { numRuns: 3000 },
    );
  });

  it('compares with and loads from numbers', () => {
    fc.assert(
      fc.property(big, safe, (a, n) => {
        expect(u64CmpNumber(u64(a), n)).toBe(a < BigInt(n) ? -1 : a > BigInt(n) ? 1 : 0);
        const out = new U64();
        u64SetNumber(out, n);
        expect(u64ToBig(out)).toBe(BigInt(n));
      }),
      { numRuns: 2000 },
    );
  });
});
