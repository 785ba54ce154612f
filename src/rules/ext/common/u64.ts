/**
 * Unsigned 64-bit arithmetic modulo 2^64 on two 32-bit halves, for the kernel state that
 * is u64 and exceeds 2^53 (hashlimit's credits: a cost of one packet a day is 1.2e19
 * credits). BigInt would do it but allocates on every operation; these mutate
 * preallocated holders, so a packet allocates nothing.
 */

const TWO32 = 4294967296;
const TWO16 = 65536;

export class U64 {
  hi = 0;
  lo = 0;
}

export function u64(value: bigint): U64 {
  const out = new U64();
  u64SetBig(out, value);
  return out;
}

export function u64SetBig(out: U64, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  out.hi = Number(v >> 32n);
  out.lo = Number(v & 0xffffffffn);
}

export function u64ToBig(a: U64): bigint {
  return (BigInt(a.hi) << 32n) | BigInt(a.lo);
}

/** out = n, for an integer 0 <= n < 2^53. */
export function u64SetNumber(out: U64, n: number): void {
  out.hi = Math.floor(n / TWO32);
  out.lo = n % TWO32;
}

export function u64Copy(out: U64, a: U64): void {
  out.hi = a.hi;
  out.lo = a.lo;
}

/** -1, 0 or 1 as a <, =, > b. */
export function u64Cmp(a: U64, b: U64): number {
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  if (a.lo !== b.lo) return a.lo < b.lo ? -1 : 1;
  return 0;
}

/** a compared with an integer 0 <= n < 2^53. */
export function u64CmpNumber(a: U64, n: number): number {
  const hi = Math.floor(n / TWO32);
  const lo = n % TWO32;
  if (a.hi !== hi) return a.hi < hi ? -1 : 1;
  if (a.lo !== lo) return a.lo < lo ? -1 : 1;
  return 0;
}

/** out = a + b mod 2^64 (out may be a or b). */
export function u64Add(out: U64, a: U64, b: U64): void {
  const lo = a.lo + b.lo;
  const carry = lo >= TWO32 ? 1 : 0;
  out.lo = lo - carry * TWO32;
  out.hi = (a.hi + b.hi + carry) % TWO32;
}

/** out = a - b mod 2^64 (out may be a or b). */
export function u64Sub(out: U64, a: U64, b: U64): void {
  const lo = a.lo - b.lo;
  const borrow = lo < 0 ? 1 : 0;
  out.lo = lo + borrow * TWO32;
  out.hi = (a.hi - b.hi - borrow + TWO32) % TWO32;
}

/** out = a * b mod 2^64 for integers 0 <= a, b < 2^53, exactly (16-bit limbs). */
export function u64Mul(out: U64, a: number, b: number): void {
  const a0 = a % TWO16;
  const a1 = Math.floor(a / TWO16) % TWO16;
  const a2 = Math.floor(a / TWO32) % TWO16;
  const a3 = Math.floor(a / 281474976710656);
  const b0 = b % TWO16;
  const b1 = Math.floor(b / TWO16) % TWO16;
  const b2 = Math.floor(b / TWO32) % TWO16;
  const b3 = Math.floor(b / 281474976710656);
  // Every partial product is below 2^32 and every column below 2^35: exact in a double.
  let c = a0 * b0;
  const l0 = c % TWO16;
  c = Math.floor(c / TWO16) + a0 * b1 + a1 * b0;
  const l1 = c % TWO16;
  c = Math.floor(c / TWO16) + a0 * b2 + a1 * b1 + a2 * b0;
  const l2 = c % TWO16;
  c = Math.floor(c / TWO16) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const l3 = c % TWO16;
  out.lo = l1 * TWO16 + l0;
  out.hi = l3 * TWO16 + l2;
}
