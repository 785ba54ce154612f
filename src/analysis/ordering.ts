/**
 * The ordering proposal: within each segment of each chain (the rules between two
 * barriers), a topological order of the dependency graph that puts the rules where many
 * packets end their walk early.
 *
 * Cost model (the kernel's linear walk, ipt_do_table): a walk of a chain that ends at rule k
 * tests k rules of it; one that passes through a segment tests all of its rules whatever
 * their order. So reordering a segment changes the chain's rules tested by
 * Σ exits(k) · (new position − old position), where exits(k) is the walks that ended at k.
 * The counters give exits: a rule's packets for verdicts, REJECT, NAT and -g; for -j X the
 * packets times the share of X's walks that X itself decided (estimated from X's counters,
 * recursively). Hotdropped packets are not counted by the kernel and not here. A packet can
 * only end earlier in the new order (its old rule still matches it), so the estimate is an
 * upper bound when the exits are exact; the proof replay measures the real figure.
 *
 * Minimising Σ w·position under precedence constraints is NP-hard in general (1|prec|ΣwC);
 * two greedy list schedules are tried — by a rule's own weight, and by the largest weight
 * among it and the rules that must follow it (so a light rule blocking a heavy one goes up
 * with it) — and the better one kept, or the original order when neither gains.
 */
import type { Chain, Rule, Ruleset, Table, TableName } from '../rules/model.js';
import { newChain } from '../rules/model.js';
import type { ChainAnalysis, RulesetAnalysis } from './dependencies.js';

export interface ChainProposal {
  table: TableName;
  chain: string;
  /** The proposed order: old 0-based positions, in new order. */
  order: Int32Array;
  /** Rules to move to get there: the rule count less the longest run kept in order. */
  moves: number;
  /** Estimated change of the rules this chain tests over the capture (negative: fewer). */
  delta: number;
  /** Rules that keep their place (barriers). */
  pinned: number;
}

/** Targets that end the walk after their work (NF_ACCEPT or NF_DROP). */
const ENDING_TARGETS = new Set(['REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

/**
 * Per user chain, the share of the walks into it that ended in it (a verdict, or a chain
 * it called that decided), from the counters.
 */
function decidedShares(table: Table): Map<string, number> {
  const entered = new Map<string, number>();
  for (const c of table.chains.values()) {
    for (const r of c.rules) {
      if (r.target.kind === 'jump') entered.set(r.target.chain, (entered.get(r.target.chain) ?? 0) + Number(r.counters.packets));
    }
  }
  const shares = new Map<string, number>();
  const share = (name: string): number => {
    const known = shares.get(name);
    if (known !== undefined) return known;
    let decided = 0;
    for (const r of table.chains.get(name)?.rules ?? []) decided += exitsAt(r, share, false);
    const total = entered.get(name) ?? 0;
    const s = total > 0 ? Math.min(1, decided / total) : 0;
    shares.set(name, s);
    return s;
  };
  for (const c of table.chains.values()) share(c.name);
  return shares;
}

/**
 * Walks of the rule's chain that ended at the rule. `returns`: a RETURN ends this chain's
 * walk (true), or hands the packet back without deciding it (false, for a called chain).
 */
function exitsAt(rule: Rule, share: (chain: string) => number, returns: boolean): number {
  const hits = Number(rule.counters.packets);
  const t = rule.target;
  switch (t.kind) {
    case 'verdict':
      return t.verdict === 'RETURN' && !returns ? 0 : hits;
    case 'jump':
      return rule.ip.goto && returns ? hits : hits * share(t.chain);
    case 'ext':
      return ENDING_TARGETS.has(t.instance.ext.name) ? hits : 0;
    case 'none':
      return 0;
  }
}

/** A binary max-heap of node numbers under a comparison. */
class Heap {
  private readonly items: number[] = [];
  constructor(private readonly before: (a: number, b: number) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** A list schedule of rules [start, end) by `key` (then weight, then old position). */
function schedule(c: ChainAnalysis, start: number, end: number, weight: Float64Array, key: Float64Array): number[] {
  const indeg = new Int32Array(end - start);
  for (let i = start; i < end; i++) for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) indeg[c.succ[e]! - start]!++;
  const heap = new Heap((a, b) => key[a]! > key[b]! || (key[a] === key[b] && (weight[a]! > weight[b]! || (weight[a] === weight[b] && a < b))));
  for (let i = start; i < end; i++) if (indeg[i - start] === 0) heap.push(i);
  const out: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    out.push(v);
    for (let e = c.succStart[v]!; e < c.succStart[v + 1]!; e++) {
      const s = c.succ[e]!;
      if (--indeg[s - start]! === 0) heap.push(s);
    }
  }
  return out;
}

/** Σ weight · (new position − old position) of a segment's schedule. */
function shift(order: readonly number[], start: number, weight: Float64Array): number {
  let d = 0;
  order.forEach((v, p) => (d += weight[v]! * (start + p - v)));
  return d;
}

/** The longest increasing subsequence's length (patience sorting). */
function longestKept(order: Int32Array): number {
  const tails: number[] = [];
  for (const v of order) {
    let a = 0;
    let b = tails.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (tails[m]! < v) a = m + 1;
      else b = m;
    }
    tails[a] = v;
  }
  return tails.length;
}

function proposeChain(c: ChainAnalysis, weight: Float64Array): ChainProposal {
  const n = c.rules.length;
  const order = new Int32Array(n);
  let delta = 0;
  let pinned = 0;
  // The key of a rule: the largest weight of it and of the rules that must follow it.
  const key = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let k = weight[i]!;
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) k = Math.max(k, key[c.succ[e]!]!);
    key[i] = k;
  }
  let i = 0;
  while (i < n) {
    if (c.segment[i]! < 0) {
      order[i] = i;
      pinned++;
      i++;
      continue;
    }
    let end = i;
    while (end < n && c.segment[end] === c.segment[i]) end++;
    let best: number[] | undefined;
    let bestShift = 0;
    for (const k of [key, weight]) {
      const s = schedule(c, i, end, weight, k);
      const d = shift(s, i, weight);
      if (d < bestShift) {
        best = s;
        bestShift = d;
      }
    }
    for (let p = i; p < end; p++) order[p] = best ? best[p - i]! : p;
    delta += bestShift;
    i = end;
  }
  return { table: c.table, chain: c.chain.name, order, moves: n - longestKept(order), delta, pinned };
}

/** The proposal for every chain, weighted by the exits the ruleset's counters give. */
export function proposeOrdering(ruleset: Ruleset, analysis: RulesetAnalysis): ChainProposal[] {
  const shares = new Map<TableName, Map<string, number>>();
  for (const t of ruleset.tables) shares.set(t.name, decidedShares(t));
  return analysis.chains.map((c) => {
    const s = shares.get(c.table)!;
    const weight = Float64Array.from(c.rules, (r) => exitsAt(r.rule, (x) => s.get(x) ?? 0, true));
    return proposeChain(c, weight);
  });
}

/**
 * The ruleset with each chain's rules in the proposed order (the same rule objects), policy
 * counters at zero: what `iptables-restore` of the proposal would load.
 */
export function reorderedRuleset(ruleset: Ruleset, proposals: readonly ChainProposal[]): Ruleset {
  const byChain = new Map(proposals.map((p) => [`${p.table}\0${p.chain}`, p.order]));
  return {
    tables: ruleset.tables.map((t) => {
      const chains = new Map<string, Chain>();
      for (const [name, c] of t.chains) {
        const order = byChain.get(`${t.name}\0${name}`);
        const copy = newChain(name, c.builtin, c.origin);
        copy.policy = c.policy;
        copy.rules = order === undefined ? [...c.rules] : Array.from(order, (k) => c.rules[k]!);
        chains.set(name, copy);
      }
      return { name: t.name, chains };
    }),
  };
}
