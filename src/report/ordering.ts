/**
 * The rule-ordering report (`nfreplay order`) as data: what the replay measured (the
 * observation window, rules evaluated per packet, hot rules, rules never hit), what the
 * static analysis proved (shadowed and redundant rules) and what the proposal would change
 * (per chain, estimated from the counters). The JSON output and the HTML report read this.
 */
import type { Anomaly } from '../analysis/anomalies.js';
import type { ChainProposal } from '../analysis/ordering.js';
import type { ChainCost, HistogramJson } from '../engine/histograms.js';
import type { ReplaySummary } from '../engine/replay.js';
import { sortedChains, type Ruleset, type TableName } from '../rules/model.js';
import { saveRuleLine } from '../rules/save.js';

export interface RuleRef {
  table: TableName;
  chain: string;
  /** 1-based rule number. */
  rule: number;
  /** The rule as iptables-save prints it ("-A CHAIN ..."). */
  text: string;
}

export interface OrderingReport {
  /** What the counters cover: a rule never hit was not hit in this window, nothing more. */
  window: { packets: number; read: number; firstSec: number; lastSec: number; spanSec: number };
  /** Mean rules evaluated per replayed packet (the kernel's linear walk, every table and hook). */
  costBefore: number;
  /** The same after the proposal: measured by the proof's replay (estimated from the counters until then). */
  costAfter: number;
  /** The proposal's cost estimated from the counters (an upper bound). */
  costAfterEstimate: number;
  /** The capture replayed through the ruleset and through the proposal, every packet's outcome compared (set by the command once done). */
  proof?: OrderingProof;
  /** Percentiles of rules evaluated per packet today. */
  costPercentiles: { p50: number; p90: number; p99: number; max: number };
  chains: Array<{ table: TableName; chain: string; rules: number; before: number; after: number; moves: number; pinned: number; order?: number[] }>;
  anomalies: Array<{ kind: 'shadowed' | 'redundant'; table: TableName; chain: string; rule: number; text: string; by: Array<{ rule: number; text: string }>; unreachable: boolean }>;
  hot: Array<RuleRef & { packets: number; bytes: number }>;
  neverHit: RuleRef[];
  /** Tables the replay did not evaluate (nat without connection tracking): no counts for them. */
  notReplayed: TableName[];
}

export interface OrderingProof {
  /** No packet's verdict, NAT, mark, LOG lines or header rewrites differ, and the final conntrack tables are the same. */
  identical: boolean;
  /** Packets replayed through both and compared. */
  replayed: number;
  /** Packets whose outcome differs (0 when identical). */
  differingPackets: number;
}

export interface OrderingInputs {
  /** The ruleset with the replay's counters. */
  ruleset: Ruleset;
  replayedTables: readonly TableName[];
  packetsRead: number;
  replayed: number;
  window: ReplaySummary['window'];
  rulesEvaluated: HistogramJson;
  chainCosts: readonly ChainCost[];
  proposals: readonly ChainProposal[];
  anomalies: readonly Anomaly[];
  /** Hot rules listed. */
  top: number;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function ruleText(ruleset: Ruleset, table: TableName, chain: string, rule: number): string {
  const c = ruleset.tables.find((t) => t.name === table)!.chains.get(chain)!;
  return saveRuleLine(c.rules[rule - 1]!, chain, false).trimEnd();
}

export function orderingReport(x: OrderingInputs): OrderingReport {
  const per = (evaluated: number): number => (x.replayed > 0 ? round4(evaluated / x.replayed) : 0);
  const proposals = new Map(x.proposals.map((p) => [`${p.table}\0${p.chain}`, p]));
  let before = 0;
  let after = 0;
  const chains = x.chainCosts.map((cost) => {
    const p = proposals.get(`${cost.table}\0${cost.chain}`)!;
    before += cost.evaluated;
    after += cost.evaluated + p.delta;
    const moved = p.moves > 0 ? { order: Array.from(p.order, (k) => k + 1) } : {};
    return { table: cost.table as TableName, chain: cost.chain, rules: p.order.length, before: per(cost.evaluated), after: per(cost.evaluated + p.delta), moves: p.moves, pinned: p.pinned, ...moved };
  });
  const rules: Array<RuleRef & { packets: number; bytes: number }> = [];
  for (const t of x.ruleset.tables) {
    if (!x.replayedTables.includes(t.name)) continue;
    for (const c of sortedChains(t)) {
      c.rules.forEach((r, i) => {
        rules.push({ table: t.name, chain: c.name, rule: i + 1, text: saveRuleLine(r, c.name, false).trimEnd(), packets: Number(r.counters.packets), bytes: Number(r.counters.bytes) });
      });
    }
  }
  const hot = rules
    .filter((r) => r.packets > 0)
    .map((r, k) => ({ r, k }))
    .sort((a, b) => b.r.packets - a.r.packets || a.k - b.k)
    .slice(0, x.top)
    .map(({ r }) => r);
  const w = x.window;
  const firstSec = w?.firstSec ?? 0;
  const lastSec = w?.lastSec ?? 0;
  return {
    window: { packets: x.replayed, read: x.packetsRead, firstSec, lastSec, spanSec: round4(lastSec - firstSec) },
    costBefore: per(before),
    costAfter: per(after),
    costAfterEstimate: per(after),
    costPercentiles: { p50: x.rulesEvaluated.p50, p90: x.rulesEvaluated.p90, p99: x.rulesEvaluated.p99, max: x.rulesEvaluated.max },
    chains,
    anomalies: x.anomalies.map((a) => ({
      kind: a.kind,
      table: a.table,
      chain: a.chain,
      rule: a.rule,
      text: ruleText(x.ruleset, a.table, a.chain, a.rule),
      by: a.by.map((rule) => ({ rule, text: ruleText(x.ruleset, a.table, a.chain, rule) })),
      unreachable: a.unreachable,
    })),
    hot,
    neverHit: rules.filter((r) => r.packets === 0).map(({ table, chain, rule, text }) => ({ table, chain, rule, text })),
    notReplayed: x.ruleset.tables.map((t) => t.name).filter((n) => !x.replayedTables.includes(n)),
  };
}
