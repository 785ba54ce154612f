/**
 * pcapng timestamps: a 64-bit count of ticks (two 32-bit halves) at a per-interface
 * resolution (if_tsresol: 10^-n or 2^-n seconds) plus a per-interface offset in seconds
 * (if_tsoffset). Converted to seconds and nanoseconds without BigInt for every resolution
 * real writers use, so the per-packet path allocates nothing.
 */

/** How one interface's ticks become seconds and nanoseconds. */
export interface Timescale {
  /** Ticks per second as a number (exact when `fast`). */
  readonly ticks: number;
  /** Ticks per second, exact. */
  readonly ticksBig: bigint;
  /** 0: BigInt arithmetic; 1: nsec = rem * k; 2: nsec = floor(rem / k); 3: nsec = floor(rem * 5^9 / k). */
  readonly mode: 0 | 1 | 2 | 3;
  readonly k: number;
  /** if_tsoffset, seconds added to every timestamp. */
  readonly offsetSec: number;
}

/** 2^37: the long division below keeps every intermediate below 2^53 for ticks under this. */
const FAST_TICKS_LIMIT = 2 ** 37;
const NS_PER_SEC = 1_000_000_000;

/**
 * The timescale for an if_tsresol byte (pcapng spec section 4.2: most significant bit clear
 * means a negative power of 10, set means a negative power of 2) and an if_tsoffset.
 * Resolutions finer than 10^-19 or 2^-63 do not fit the 64-bit tick count; the caller
 * rejects them first.
 */
export function timescale(tsresol: number, offsetSec: number): Timescale {
  const pow2 = (tsresol & 0x80) !== 0;
  const exp = tsresol & 0x7f;
  const ticksBig = pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
  const ticks = Number(ticksBig);
  let mode: Timescale['mode'] = 0;
  let k = 0;
  if (ticks < FAST_TICKS_LIMIT) {
    if (NS_PER_SEC % ticks === 0) {
      mode = 1;
      k = NS_PER_SEC / ticks;
    } else if (!pow2) {
      mode = 2;
      k = ticks / NS_PER_SEC;
    } else if (exp <= 32) {
      // rem * 1e9 / 2^e = rem * 5^9 / 2^(e-9): rem < 2^32 keeps the product below 2^53, and
      // dividing by a power of two is exact.
      mode = 3;
      k = 2 ** (exp - 9);
    }
  }
  return { ticks, ticksBig, mode, k, offsetSec };
}

/** Microseconds, the pcapng default when an interface has no if_tsresol. */
export const DEFAULT_TSRESOL = 6;

/** The result of tsToSecNsec, reused: the caller copies the two numbers out. */
export const converted = { sec: 0, nsec: 0 };

/** Converts ticks = hi * 2^32 + lo into `converted`. */
export function tsToSecNsec(hi: number, lo: number, ts: Timescale): void {
  if (ts.mode === 0) {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const sec = t / ts.ticksBig;
    converted.sec = Number(sec) + ts.offsetSec;
    converted.nsec = Number(((t - sec * ts.ticksBig) * 1_000_000_000n) / ts.ticksBig);
    return;
  }
  // Long division of the 64-bit tick count by `ticks`, in digits of 2^32, 2^16 and 2^16.
  // Each partial dividend stays below ticks * 2^16 < 2^53, so every product is exact; a
  // quotient rounded up to the next integer by the floating-point division is corrected by
  // the sign of the remainder.
  const r = ts.ticks;
  let q0 = Math.floor(hi / r);
  let r0 = hi - q0 * r;
  if (r0 < 0) {
    q0--;
    r0 += r;
  }
  const x1 = r0 * 65536 + (lo >>> 16);
  let q1 = Math.floor(x1 / r);
  let r1 = x1 - q1 * r;
  if (r1 < 0) {
    q1--;
    r1 += r;
  }
  const x2 = r1 * 65536 + (lo & 0xffff);
  let q2 = Math.floor(x2 / r);
  let rem = x2 - q2 * r;
  if (rem < 0) {
    q2--;
    rem += r;
  }
  converted.sec = q0 * 4294967296 + q1 * 65536 + q2 + ts.offsetSec;
  if (ts.mode === 1) {
    converted.nsec = rem * ts.k;
  } else if (ts.mode === 2) {
    let n = Math.floor(rem / ts.k);
    if (n * ts.k > rem) n--;
    converted.nsec = n;
  } else {
    converted.nsec = Math.floor((rem * 1953125) / ts.k);
  }
}
