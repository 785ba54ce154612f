/**
 * The set algebras the match space is built from. Each answers two questions soundly: do two
 * sets share a value (false only when they provably do not), and is one inside the other
 * (true only when it provably is). Where an exact answer would cost more than it is worth
 * (a cube minus a union of cubes), the answer leans to "may share" and "not inside".
 */

/**
 * A set of integers as sorted, disjoint, non-adjacent closed intervals, flattened:
 * [lo0, hi0, lo1, hi1, ...]. Values up to 2^32 are exact as doubles.
 */
export type Intervals = readonly number[];

export const EMPTY: Intervals = [];

export function interval(lo: number, hi: number): Intervals {
  return lo > hi ? EMPTY : [lo, hi];
}

/** Everything in [lo, hi] that is not in `a` (a must lie within [lo, hi]). */
export function complement(a: Intervals, lo: number, hi: number): Intervals {
  const out: number[] = [];
  let next = lo;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i]! > next) out.push(next, a[i]! - 1);
    next = a[i + 1]! + 1;
  }
  if (next <= hi) out.push(next, hi);
  return out;
}

export function intersect(a: Intervals, b: Intervals): Intervals {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

export function intersects(a: Intervals, b: Intervals): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

/** a ⊆ b. */
export function subset(a: Intervals, b: Intervals): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    while (j < b.length && b[j + 1]! < a[i]!) j += 2;
    if (j >= b.length || b[j]! > a[i]! || b[j + 1]! < a[i + 1]!) return false;
  }
  return true;
}

/** a \ b. */
export function minus(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return EMPTY;
  return intersect(a, complement(b, a[0]!, a[a.length - 1]!));
}

/** The values of [lo, hi] (a small domain: a byte, a type) for which `pred` holds. */
export function where(lo: number, hi: number, pred: (v: number) => boolean): Intervals {
  const out: number[] = [];
  for (let v = lo; v <= hi; v++) {
    if (!pred(v)) continue;
    if (out.length > 0 && out[out.length - 1] === v - 1) out[out.length - 1] = v;
    else out.push(v, v);
  }
  return out;
}

/** Union of intervals given in any order, possibly overlapping. */
export function unionOf(ranges: ReadonlyArray<readonly [number, number]>): Intervals {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    if (out.length > 0 && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

// ---- interface names ----------------------------------------------------------------------

/**
 * An -i/-o test: a name, or a prefix ("eth+"), possibly negated. The names a packet can
 * carry are unbounded in number, so a negated name always leaves some in.
 */
export interface IfaceSet {
  name: string;
  prefix: boolean;
  invert: boolean;
}

/** Every name the pattern (not negated) admits is one the other admits. */
function patternInside(a: IfaceSet, b: IfaceSet): boolean {
  if (b.prefix) return a.name.startsWith(b.name);
  return !a.prefix && a.name === b.name;
}

function patternsMeet(a: IfaceSet, b: IfaceSet): boolean {
  if (a.prefix && b.prefix) return a.name.startsWith(b.name) || b.name.startsWith(a.name);
  if (a.prefix) return b.name.startsWith(a.name);
  if (b.prefix) return a.name.startsWith(b.name);
  return a.name === b.name;
}

export function ifaceIntersects(a: IfaceSet, b: IfaceSet): boolean {
  if (!a.invert && !b.invert) return patternsMeet(a, b);
  if (a.invert && b.invert) return true;
  return a.invert ? !patternInside(b, a) : !patternInside(a, b);
}

/** a ⊆ b. */
export function ifaceSubset(a: IfaceSet, b: IfaceSet): boolean {
  if (!a.invert && !b.invert) return patternInside(a, b);
  if (!a.invert && b.invert) return !patternsMeet(a, b);
  if (a.invert && b.invert) return patternInside(b, a);
  return false;
}

// ---- value/mask (marks) -------------------------------------------------------------------

/** {x : (x & mask) == value}, with value inside mask (uint32). */
export interface Cube {
  value: number;
  mask: number;
}

function cubeMeet(a: Cube, b: Cube): Cube | undefined {
  if (((a.value ^ b.value) & a.mask & b.mask) >>> 0 !== 0) return undefined;
  return { value: (a.value | b.value) >>> 0, mask: (a.mask | b.mask) >>> 0 };
}

/** a ⊆ b: b tests no bit a leaves free, and a's fixed bits agree with b's. */
function cubeInside(a: Cube, b: Cube): boolean {
  return (b.mask & ~a.mask) >>> 0 === 0 && (a.value & b.mask) >>> 0 === b.value;
}

/**
 * `pos` less the union of `negs`: the conjunction of mark tests, some negated. Emptiness of
 * a cube less several cubes is not decided exactly (only a single covering neg is seen), so
 * the operations below may say "intersects" of an empty set, never the reverse.
 */
export interface CubeSet {
  pos: Cube;
  negs: readonly Cube[];
}

export const ANY_CUBE: Cube = { value: 0, mask: 0 };

/** The conjunction; undefined when provably empty. */
export function cubeSetMeet(a: CubeSet, b: CubeSet): CubeSet | undefined {
  const pos = cubeMeet(a.pos, b.pos);
  return pos === undefined ? undefined : cubeSetOf(pos, [...a.negs, ...b.negs]);
}

/** Normalised: negs that miss `pos` dropped; undefined when one neg swallows `pos`. */
export function cubeSetOf(pos: Cube, negs: readonly Cube[]): CubeSet | undefined {
  const kept: Cube[] = [];
  for (const n of negs) {
    if (cubeInside(pos, n)) return undefined;
    if (cubeMeet(pos, n) !== undefined) kept.push(n);
  }
  return { pos, negs: kept };
}

export function cubeSetIntersects(a: CubeSet, b: CubeSet): boolean {
  const p = cubeMeet(a.pos, b.pos);
  if (p === undefined) return false;
  for (const n of a.negs) if (cubeInside(p, n)) return false;
  for (const n of b.negs) if (cubeInside(p, n)) return false;
  return true;
}

/** a ⊆ b: a's cube inside b's, and whatever b removes from it a removes too. */
export function cubeSetSubset(a: CubeSet, b: CubeSet): boolean {
  if (!cubeInside(a.pos, b.pos)) return false;
  for (const n of b.negs) {
    const hit = cubeMeet(a.pos, n);
    if (hit !== undefined && !a.negs.some((m) => cubeInside(hit, m))) return false;
  }
  return true;
}
