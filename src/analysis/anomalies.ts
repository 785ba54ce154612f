/**
 * Shadowed and redundant rules, found statically (the firewall-anomaly definitions of
 * Al-Shaer and Hamed, over the match space):
 *
 * - shadowed: every packet the rule matches is first decided by earlier rules (verdicts,
 *   REJECT, NAT, -g, or their hotdrops), no rule between changes the packet, and at least one
 *   of those decides differently from the rule (or the rule only logs, counts or changes
 *   the packet): its target never runs, and what it was written to do never happens;
 * - redundant: the same, every deciding rule doing what the rule would do and the packets the
 *   rule would hotdrop also decided before it — removing it changes nothing;
 *   or (downwards) a later rule with the same end covers it, and no rule between may act
 *   differently on its packets — removing it changes nothing either.
 *
 * Covering by several earlier rules is found by subtracting their boxes from the rule's in
 * rule order; the subtraction gives up (the rule is not reported) past a bounded number of
 * pieces, and only exact regions subtract, so every report is a proof.
 */
import type { TableName } from '../rules/model.js';
import { HOTDROP_KEY, type ChainAnalysis } from './dependencies.js';
import { boxesIntersect, boxInside, boxMinus, covers, type Box, type Region } from './matchspace.js';

export interface Anomaly {
  kind: 'shadowed' | 'redundant';
  table: TableName;
  chain: string;
  /** 1-based rule number. */
  rule: number;
  /** The rules responsible (1-based), earliest first. */
  by: number[];
  /** No packet reaches the rule's target (earlier rules decide them all), rather than a later rule doing the same. */
  unreachable: boolean;
}

/** Past this many pieces the subtraction stops and the rule is not reported. */
const MAX_PIECES = 64;

/** What ends the walk at rule i, and where: its match region when it decides, its hotdrops. */
function deciders(c: ChainAnalysis, i: number): Array<{ region: Region; key: string }> {
  const r = c.rules[i]!;
  const out: Array<{ region: Region; key: string }> = [];
  if (r.decides !== undefined && r.space.match.exact) out.push({ region: r.space.match, key: r.decides });
  if (r.space.hotdrop.boxes.length > 0 && r.space.hotdrop.exact) out.push({ region: r.space.hotdrop, key: HOTDROP_KEY });
  return out;
}

/**
 * `boxes` less what the candidates decide, in their order: the rules that took something and
 * the keys they gave it, or undefined when something is left (or too many pieces).
 */
function decidedBefore(c: ChainAnalysis, boxes: readonly Box[], candidates: readonly number[]): { by: Set<number>; keys: Set<string> } | undefined {
  let rest: Box[] = [...boxes];
  const by = new Set<number>();
  const keys = new Set<string>();
  for (const i of candidates) {
    for (const d of deciders(c, i)) {
      const next: Box[] = [];
      for (const piece of rest) {
        if (!d.region.boxes.some((b) => boxesIntersect(piece, b))) {
          next.push(piece);
          continue;
        }
        let left: Box[] = [piece];
        for (const b of d.region.boxes) {
          const split: Box[] = [];
          for (const l of left) {
            const m = boxMinus(l, b);
            if (m === undefined) split.push(l);
            else split.push(...m);
          }
          left = split;
        }
        if (left.length !== 1 || left[0] !== piece) {
          by.add(i);
          keys.add(d.key);
        }
        next.push(...left);
      }
      rest = next;
      if (rest.length === 0) return { by, keys };
      if (rest.length > MAX_PIECES) return undefined;
    }
  }
  return rest.length === 0 ? { by, keys } : undefined;
}

/** Earlier rules that may decide some of rule j's packets, with no packet change between. */
function earlierCandidates(c: ChainAnalysis, j: number, pairsOfJ: Int32Array): number[] {
  return Array.from(pairsOfJ).filter((i) => c.modifiersBefore[j]! - c.modifiersBefore[i + 1]! === 0 && deciders(c, i).length > 0);
}

function upward(c: ChainAnalysis, j: number, pairsOfJ: Int32Array): Anomaly | undefined {
  const r = c.rules[j]!;
  if (r.space.match.boxes.length === 0) return undefined;
  const candidates = earlierCandidates(c, j, pairsOfJ);
  if (candidates.length === 0) return undefined;
  const matched = decidedBefore(c, r.space.match.boxes, candidates);
  if (matched === undefined) return undefined;
  const same = r.decides !== undefined && matched.keys.size === 1 && matched.keys.has(r.decides);
  const base = { table: c.table, chain: c.chain.name, rule: j + 1, unreachable: true };
  if (!same) return { ...base, kind: 'shadowed', by: [...matched.by].sort((a, b) => a - b).map((i) => i + 1) };
  // Removable only if what the rule would hotdrop never reaches it either.
  if (r.space.hotdrop.boxes.length > 0 && decidedBefore(c, r.space.hotdrop.boxes, candidates) === undefined) return undefined;
  return { ...base, kind: 'redundant', by: [...matched.by].sort((a, b) => a - b).map((i) => i + 1) };
}

/** Rule i's packets all reach the later rule j unchanged and are treated there as at i. */
function downward(c: ChainAnalysis, i: number, j: number): boolean {
  const a = c.rules[i]!;
  const b = c.rules[j]!;
  if (c.segment[i]! < 0 || c.segment[i] !== c.segment[j]) return false;
  if (a.effect.kind !== 'terminal' || b.effect.kind !== 'terminal' || a.effect.key !== b.effect.key) return false;
  // No rule between may act differently on i's packets (the first successor of i is after j).
  const firstSucc = c.succStart[i + 1]! > c.succStart[i]! ? c.succ[c.succStart[i]!]! : Infinity;
  if (firstSucc <= j) return false;
  if (!covers(b.space.match, a.space.match)) return false;
  if (a.space.hotdrop.boxes.length === 0) return true;
  const catchers: Region[] = [b.space.hotdrop];
  if (b.effect.key === HOTDROP_KEY) catchers.push(b.space.match);
  return a.space.hotdrop.boxes.every((x) => catchers.some((reg) => reg.exact && reg.boxes.some((y) => boxInside(x, y))));
}

/**
 * The anomalies of one chain, in rule order. A rule no packet reaches is not counted on as
 * the later rule that makes an earlier one redundant: of two rules covering each other, one
 * is reported, and every rule reported redundant can be removed together.
 */
export function chainAnomalies(c: ChainAnalysis): Anomaly[] {
  const n = c.rules.length;
  const byRule = new Map<number, Anomaly>();
  const later: number[][] = Array.from({ length: n }, () => []);
  for (let j = 0; j < n; j++) {
    for (let e = c.earlierStart[j]!; e < c.earlierStart[j + 1]!; e++) later[c.earlier[e]!]!.push(j);
    const up = upward(c, j, c.earlier.subarray(c.earlierStart[j]!, c.earlierStart[j + 1]!));
    if (up !== undefined) byRule.set(j, up);
  }
  for (let i = 0; i < n; i++) {
    if (byRule.has(i)) continue;
    const down = later[i]!.find((k) => !byRule.has(k) && downward(c, i, k));
    if (down !== undefined) byRule.set(i, { kind: 'redundant', table: c.table, chain: c.chain.name, rule: i + 1, by: [down + 1], unreachable: false });
  }
  return [...byRule.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a);
}
