/**
 * Every counter of a ruleset after a replay, table by table and chain by chain in the
 * order iptables-save lists them: the `tables` of `nfreplay replay --output json`, and,
 * with each rule's text, the rule listing of the HTML report.
 */
import { ruleSpec } from '../rules/save.js';
import type { Counters, Rule, Ruleset } from '../rules/model.js';
import type { CounterValues } from '../rules/values.js';

export interface RuleCounters {
  /** The rule's number in its chain (iptables -L --line-numbers). */
  rulenum: number;
  /** Its line in the ruleset file. */
  line: number;
  packets: number;
  bytes: number;
}

export interface ChainCounters<R = RuleCounters> {
  chain: string;
  /** Built-in chains' policy; null for user chains. */
  policy: string | null;
  policyPackets: number;
  policyBytes: number;
  rules: R[];
}

export interface TableCounters<R = RuleCounters> {
  table: string;
  chains: Array<ChainCounters<R>>;
}

/** A rule with its text as iptables-save writes it after "-A CHAIN". */
export interface RuleWithText extends RuleCounters {
  text: string;
}

/** `values`: counters to give instead of the model's (--statistic expected), rounded to 6 decimals. */
export function counterTables(ruleset: Ruleset, values: CounterValues | undefined): TableCounters[] {
  return mapCounters(ruleset, values, (counters) => counters);
}

/** counterTables() with each rule's text. */
export function counterTablesWithText(ruleset: Ruleset, values: CounterValues | undefined): Array<TableCounters<RuleWithText>> {
  return mapCounters(ruleset, values, (counters, rule) => ({ ...counters, text: ruleSpec(rule).trimStart() }));
}

function mapCounters<R>(ruleset: Ruleset, values: CounterValues | undefined, rule: (counters: RuleCounters, r: Rule) => R): Array<TableCounters<R>> {
  const of = (c: Counters): readonly [number, number] =>
    values === undefined ? [Number(c.packets), Number(c.bytes)] : (values(c).map((v) => Math.round(v * 1e6) / 1e6) as [number, number]);
  return ruleset.tables.map((t) => ({
    table: t.name,
    chains: [...t.chains.values()].map((c) => {
      const [policyPackets, policyBytes] = of(c.policyCounters);
      return {
        chain: c.name,
        policy: c.policy ?? null,
        policyPackets,
        policyBytes,
        rules: c.rules.map((r, i) => {
          const [packets, bytes] = of(r.counters);
          return rule({ rulenum: i + 1, line: r.origin.line, packets, bytes }, r);
        }),
      };
    }),
  }));
}
