/**
 * The dependency graph of each chain: rule i (earlier) must stay above rule j when some
 * packet may be in a region of both and the two would do different things to it.
 *
 * A rule acts on two regions: the packets it matches (with its effect) and the packets it
 * hotdrops (dropped at once, as DROP would). Two actions commute only when both end the walk
 * with the same key; an observer commutes with nothing it may meet; barriers split the chain
 * into segments that are ordered independently (nothing crosses a barrier).
 *
 * Why that keeps every packet's outcome (a topological order of these edges): take a packet
 * and the rules whose regions hold it. Any two of them that do not commute keep their order.
 * The first one that ends the walk in the new order is either the old one or commutes with
 * it (same key), so the packet ends the same way; an observer before (after) the old first
 * one stays before (after) it and before (after) the new one, so the packet is seen by the
 * same observers in the same order. A segment never contains a rule that changes the packet,
 * so every rule of a segment sees it as it was when it entered.
 *
 * Pairs are found through a sweep over the one attribute (destination, source, destination
 * or source port) that separates the rules best, so a chain of rules on distinct addresses
 * or ports costs about its number of overlapping pairs rather than n².
 */
import type { Chain, Table, TableName } from '../rules/model.js';
import { describeTable, type RuleInfo } from './effects.js';
import { boxesIntersect, Dim, hull, type Box } from './matchspace.js';

/** The hotdrop region's key: NF_DROP, as DROP gives. */
export const HOTDROP_KEY = 'DROP';

export interface ChainAnalysis {
  table: TableName;
  chain: Chain;
  rules: RuleInfo[];
  /** Per rule: its segment (maximal run between barriers), -1 for a barrier. */
  segment: Int32Array;
  /** Edges i → j (i < j, same segment): successors of i at succ[succStart[i] .. succStart[i+1]), ascending. */
  succStart: Int32Array;
  succ: Int32Array;
  /**
   * Earlier rules whose regions may meet rule j's (a match region on either side): the
   * candidates for covering it, at earlier[earlierStart[j] .. earlierStart[j+1]), ascending.
   */
  earlierStart: Int32Array;
  earlier: Int32Array;
  /** Per rule: rules before it that may change the packet (prefix count, length n + 1). */
  modifiersBefore: Int32Array;
}

export interface RulesetAnalysis {
  chains: ChainAnalysis[];
  /** Pairs of boxes whose regions were compared. */
  pairsCompared: number;
}

/** Growable Int32 list. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

const SWEEP_DIMS = [Dim.DST, Dim.SRC, Dim.DPORT, Dim.SPORT];
/** Dimensions whose hulls are compared before the boxes themselves. */
const HULL_DIMS = [Dim.DST, Dim.SRC, Dim.PROTO, Dim.DPORT, Dim.SPORT, Dim.FRAG, Dim.L4LEN];
const K = HULL_DIMS.length;

/**
 * One box of a rule's match region or of its hotdrop region, with what the rule does there
 * (a key number: equal numbers commute; -1 commutes with nothing). Pairs are formed between
 * items; two hotdrop boxes are never compared (both drop: they commute, and the covering
 * analysis takes hotdrops only from rules whose match regions met).
 */
interface Item {
  rule: number;
  hotdrop: boolean;
  box: Box;
  key: number;
}

function itemsOf(rules: readonly RuleInfo[]): Item[] {
  const keyIds = new Map<string, number>([[HOTDROP_KEY, 0]]);
  const keyOf = (key: string): number => {
    let id = keyIds.get(key);
    if (id === undefined) keyIds.set(key, (id = keyIds.size));
    return id;
  };
  const items: Item[] = [];
  rules.forEach((r, rule) => {
    const key = r.effect.kind === 'terminal' ? keyOf(r.effect.key) : -1;
    for (const box of r.space.match.boxes) items.push({ rule, hotdrop: false, box, key });
    for (const box of r.space.hotdrop.boxes) items.push({ rule, hotdrop: true, box, key: 0 });
  });
  return items;
}

/**
 * Items with their hulls on every HULL_DIMS dimension (lo at [2(tK + k)], hi after it), in
 * the order given, so that a sweep reads memory in sequence.
 */
class Group {
  readonly h: Float64Array;
  /** Each item's rule. */
  readonly rule: Int32Array;
  constructor(readonly items: readonly Item[]) {
    this.rule = Int32Array.from(items, (it) => it.rule);
    this.h = new Float64Array(2 * K * items.length);
    items.forEach((it, t) => {
      HULL_DIMS.forEach((d, k) => {
        const [lo, hi] = hull([it.box], d);
        this.h[2 * (t * K + k)] = lo;
        this.h[2 * (t * K + k) + 1] = hi;
      });
    });
  }

  lo(t: number, k: number): number {
    return this.h[2 * (t * K + k)]!;
  }

  hi(t: number, k: number): number {
    return this.h[2 * (t * K + k) + 1]!;
  }

  /** The same items sorted by hull start on hull dimension k. */
  sortedBy(k: number): Group {
    const order = Array.from(this.items, (_, t) => t).sort((a, b) => this.lo(a, k) - this.lo(b, k) || a - b);
    return new Group(order.map((t) => this.items[t]!));
  }

  /** The first position from `from` whose start on k is above `v` (or at least `v` when `atLeast`). */
  firstAbove(k: number, v: number, from: number, atLeast: boolean): number {
    let a = from;
    let b = this.items.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      const lo = this.lo(mid, k);
      if (atLeast ? lo < v : lo <= v) a = mid + 1;
      else b = mid;
    }
    return a;
  }
}

/** Two items of different rules whose hulls meet on every HULL_DIMS dimension. */
function hullsMeet(a: Group, x: number, b: Group, y: number): boolean {
  if (a.rule[x] === b.rule[y]) return false;
  const ha = a.h;
  const hb = b.h;
  for (let k = 0; k < 2 * K; k += 2) {
    if (ha[2 * x * K + k + 1]! < hb[2 * y * K + k]! || hb[2 * y * K + k + 1]! < ha[2 * x * K + k]!) return false;
  }
  return true;
}

/** Pairs a self sweep of `g` (sorted on k) visits. */
function selfPairs(g: Group, k: number): number {
  let pairs = 0;
  for (let p = 0; p < g.items.length; p++) pairs += g.firstAbove(k, g.hi(p, k), p + 1, false) - p - 1;
  return pairs;
}

/** Pairs a cross sweep of `a` and `b` (both sorted on k) visits. */
function crossPairs(a: Group, b: Group, k: number): number {
  let pairs = 0;
  for (let p = 0; p < a.items.length; p++) pairs += b.firstAbove(k, a.hi(p, k), 0, false) - b.firstAbove(k, a.lo(p, k), 0, true);
  for (let q = 0; q < b.items.length; q++) pairs += a.firstAbove(k, b.hi(q, k), 0, false) - a.firstAbove(k, b.lo(q, k), 0, false);
  return pairs;
}

/** `g` sorted on the sweep dimension that visits the fewest pairs (as `count` counts them). */
function bestSort<T extends Group[]>(groups: T, count: (sorted: T, k: number) => number): { sorted: T; k: number } {
  let best: { sorted: T; k: number; pairs: number } | undefined;
  for (const d of SWEEP_DIMS) {
    const k = HULL_DIMS.indexOf(d);
    const sorted = groups.map((g) => g.sortedBy(k)) as T;
    const pairs = count(sorted, k);
    if (best === undefined || pairs < best.pairs) best = { sorted, k, pairs };
  }
  return best!;
}

/**
 * Every pair of items of different rules whose hulls meet, once: match boxes among
 * themselves, and hotdrop boxes against the match boxes that may hold short packets or
 * later fragments (two hotdrop boxes are never paired).
 */
function forEachPair(items: readonly Item[], visit: (a: Group, x: number, b: Group, y: number) => void): void {
  const match = new Group(items.filter((it) => !it.hotdrop));
  const hot = new Group(items.filter((it) => it.hotdrop));
  const self = bestSort([match], ([g], k) => selfPairs(g, k));
  const [m] = self.sorted;
  for (let p = 0; p < m.items.length; p++) {
    const end = m.hi(p, self.k);
    for (let q = p + 1; q < m.items.length && m.lo(q, self.k) <= end; q++) if (hullsMeet(m, p, m, q)) visit(m, p, m, q);
  }
  if (hot.items.length === 0) return;
  // Only match boxes meeting some hotdrop box's fragment and length classes can meet it.
  const frag = HULL_DIMS.indexOf(Dim.FRAG);
  const len = HULL_DIMS.indexOf(Dim.L4LEN);
  const classes = new Map<string, [number, number, number, number]>();
  for (let t = 0; t < hot.items.length; t++) {
    const c: [number, number, number, number] = [hot.lo(t, frag), hot.hi(t, frag), hot.lo(t, len), hot.hi(t, len)];
    classes.set(c.join(), c);
  }
  const reach = match.items.filter((_, t) =>
    [...classes.values()].some(([fl, fh, ll, lh]) => match.lo(t, frag) <= fh && fl <= match.hi(t, frag) && match.lo(t, len) <= lh && ll <= match.hi(t, len)),
  );
  const cross = bestSort([hot, new Group(reach)], ([a, b], k) => crossPairs(a, b, k));
  const [a, b] = cross.sorted;
  const k = cross.k;
  for (let p = 0; p < a.items.length; p++) {
    for (let q = b.firstAbove(k, a.lo(p, k), 0, true); q < b.items.length && b.lo(q, k) <= a.hi(p, k); q++) if (hullsMeet(a, p, b, q)) visit(a, p, b, q);
  }
  for (let q = 0; q < b.items.length; q++) {
    for (let p = a.firstAbove(k, b.lo(q, k), 0, false); p < a.items.length && a.lo(p, k) <= b.hi(q, k); p++) if (hullsMeet(a, p, b, q)) visit(a, p, b, q);
  }
}

function analyseChain(table: TableName, chain: Chain, rules: RuleInfo[]): ChainAnalysis & { compared: number } {
  const n = rules.length;
  const segment = new Int32Array(n);
  const modifiersBefore = new Int32Array(n + 1);
  let seg = 0;
  rules.forEach((r, i) => {
    modifiersBefore[i + 1] = modifiersBefore[i]! + (r.modifies ? 1 : 0);
    if (r.effect.kind === 'barrier') {
      segment[i] = -1;
      seg++;
    } else segment[i] = seg;
  });
  const edges = new IntList();
  const overlaps = new IntList();
  let compared = 0;
  forEachPair(itemsOf(rules), (a, x, b, y) => {
    const u = a.items[x]!;
    const v = b.items[y]!;
    compared++;
    if (!boxesIntersect(u.box, v.box)) return;
    const i = Math.min(u.rule, v.rule);
    const j = Math.max(u.rule, v.rule);
    overlaps.push2(i, j);
    if (segment[i] === segment[j] && segment[i]! >= 0 && (u.key < 0 || u.key !== v.key)) edges.push2(i, j);
  });
  const forward = csr(n, edges.toArray(), false);
  const back = csr(n, overlaps.toArray(), true);
  return { table, chain, rules, segment, succStart: forward.start, succ: forward.list, earlierStart: back.start, earlier: back.list, modifiersBefore, compared };
}

/**
 * Adjacency lists from flattened (i, j) pairs, each list ascending and without repeats:
 * successors of i, or (reversed) predecessors of j.
 */
function csr(n: number, pairs: Int32Array, reversed: boolean): { start: Int32Array; list: Int32Array } {
  const from = reversed ? 1 : 0;
  const to = 1 - from;
  const count = new Int32Array(n + 1);
  for (let e = 0; e < pairs.length; e += 2) count[pairs[e + from]! + 1]!++;
  for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
  const fill = count.slice(0, n);
  const raw = new Int32Array(pairs.length / 2);
  for (let e = 0; e < pairs.length; e += 2) raw[fill[pairs[e + from]!]!++] = pairs[e + to]!;
  const start = new Int32Array(n + 1);
  const list = new Int32Array(raw.length);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = raw.subarray(count[i]!, count[i + 1]!).sort();
    for (let e = 0; e < row.length; e++) if (e === 0 || row[e] !== row[e - 1]) list[k++] = row[e]!;
    start[i + 1] = k;
  }
  return { start, list: list.slice(0, k) };
}

/** Every chain of every table: the rules described and the dependency graph. */
export function analyseRuleset(tables: readonly Table[]): RulesetAnalysis {
  const chains: ChainAnalysis[] = [];
  let pairsCompared = 0;
  for (const table of tables) {
    for (const { chain, rules } of describeTable(table)) {
      const { compared, ...a } = analyseChain(table.name, table.chains.get(chain)!, rules);
      pairsCompared += compared;
      chains.push(a);
    }
  }
  return { chains, pairsCompared };
}
