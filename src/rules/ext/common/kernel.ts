/**
 * The kernel clock as the rate-based matches see it (limit, hashlimit, recent): jiffies
 * at HZ ticks per second, derived from the capture's own time, never from the wall clock.
 *
 * HZ is the reference kernel's CONFIG_HZ (250, read from /proc/config.gz of the machines
 * the replay is checked against). The replay puts jiffy 0 at the first packet of the
 * capture and every rule's state (limit's `prev`, hashlimit's tables) is created then:
 * the kernel creates it when the ruleset is loaded, some unknown time before the capture,
 * and a bucket left alone that long is full either way.
 */

export const HZ = 250;

const NS_PER_JIFFY = 1e9 / HZ;

/** jiffies at `nowNs` nanoseconds after the first packet (exact for 104 days of capture). */
export function jiffiesAt(nowNs: number): number {
  return Math.floor(nowNs / NS_PER_JIFFY);
}

/**
 * msecs_to_jiffies for HZ dividing 1000: rounded up (a timeout never fires early). The
 * kernel clamps at MAX_JIFFY_OFFSET, far beyond any 32-bit millisecond value at HZ 250.
 */
export function msecsToJiffies(ms: number): number {
  const perJiffy = 1000 / HZ;
  return Math.floor((ms + perJiffy - 1) / perJiffy);
}

/**
 * time_after(a, b): a is later than b. The kernel compares (long)(b - a) < 0 so that it
 * survives the wrap of `unsigned long jiffies`; replay jiffies are exact non-wrapping
 * numbers, on which that is a plain comparison.
 */
export function timeAfter(a: number, b: number): boolean {
  return a > b;
}

/** time_after_eq(a, b). */
export function timeAfterEq(a: number, b: number): boolean {
  return a >= b;
}

/**
 * POW2_BELOW32 / POW2_BELOW64 of the rate matches: the largest power of two at or below
 * x (x >= 1), which they use as credits per jiffy. Exact, for the 64-bit variant.
 */
export function pow2Below(x: bigint): bigint {
  let p = 1n;
  while (p * 2n <= x) p *= 2n;
  return p;
}
