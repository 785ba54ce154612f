/**
 * What a rule does to a packet it matches, for deciding which rules may trade places:
 *
 * - terminal: the chain's walk ends for the packet, the same way for every rule with the
 *   same key (a verdict, REJECT with its options, a jump or goto into a chain that only
 *   decides or returns: that chain's answer is a function of the packet alone);
 * - observer: the packet goes on unchanged, but the rule is seen (LOG, NFLOG, AUDIT, a rule
 *   without target that only counts, a jump into a chain that only does those things);
 * - barrier: the rule changes the packet or some state (MARK, CONNMARK, TOS, TTL, CT, TRACE,
 *   NAT, any target the replay cannot apply, a jump into a chain that does), or its matches
 *   have state of their own (limit, statistic, recent, quota, connlimit, hashlimit...): the
 *   packets reaching it, and their order, must stay what they were, so no rule crosses it.
 */
import { sortedChains, type Rule, type Table } from '../rules/model.js';
import { saveTarget } from '../rules/save.js';
import { ruleSpace, type RuleSpace } from './matchspace.js';

export type Effect = { kind: 'terminal'; key: string } | { kind: 'observer' } | { kind: 'barrier'; why: string };

/** Targets that log a copy of the packet and let it go on unchanged. */
const OBSERVER_TARGETS = new Set(['LOG', 'NFLOG', 'AUDIT']);
/** NAT targets: they end the walk (NF_ACCEPT) after binding the connection's mapping. */
const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

export interface RuleInfo {
  rule: Rule;
  /** 0-based position in its chain. */
  index: number;
  space: RuleSpace;
  effect: Effect;
  /**
   * The rule's match region ends the chain's walk with this outcome (verdicts, REJECT,
   * NAT, -g): what the shadowing analysis compares. Undefined for rules the packet passes.
   */
  decides: string | undefined;
  /** Packets reaching later rules may have been changed by this one. */
  modifies: boolean;
}

type ChainClass = 'pure' | 'observing' | 'impure';

const RANK: Readonly<Record<ChainClass, number>> = { pure: 0, observing: 1, impure: 2 };

/**
 * Each user chain's class, from what its rules (and the chains they jump to) may do. The
 * loader refuses loops (the kernel's mark_source_chains), so the recursion ends.
 */
function chainClasses(table: Table, spaces: Map<Rule, RuleSpace>): Map<string, ChainClass> {
  const classes = new Map<string, ChainClass>();
  const classOf = (name: string): ChainClass => {
    const known = classes.get(name);
    if (known !== undefined) return known;
    let worst: ChainClass = 'pure';
    for (const rule of table.chains.get(name)?.rules ?? []) {
      const c = ruleClass(rule, spaces.get(rule)!, classOf);
      if (RANK[c] > RANK[worst]) worst = c;
    }
    classes.set(name, worst);
    return worst;
  };
  for (const c of table.chains.values()) classOf(c.name);
  return classes;
}

function ruleClass(rule: Rule, space: RuleSpace, classOf: (chain: string) => ChainClass): ChainClass {
  if (space.pins.length > 0) return 'impure';
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      return 'observing';
    case 'verdict':
      return 'pure';
    case 'jump':
      return classOf(t.chain);
    case 'ext': {
      const name = t.instance.ext.name;
      if (name === 'REJECT') return 'pure';
      return OBSERVER_TARGETS.has(name) ? 'observing' : 'impure';
    }
  }
}

function effectOf(rule: Rule, space: RuleSpace, classes: Map<string, ChainClass>): Effect {
  if (space.pins.length > 0) return { kind: 'barrier', why: space.pins.join(', ') };
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      return { kind: 'observer' };
    case 'verdict':
      return { kind: 'terminal', key: t.verdict };
    case 'jump': {
      const how = rule.ip.goto ? '-g' : '-j';
      const c = classes.get(t.chain)!;
      if (c === 'pure') return { kind: 'terminal', key: `${how} ${t.chain}` };
      if (c === 'observing') return { kind: 'observer' };
      return { kind: 'barrier', why: `${how} ${t.chain}, which changes packets or has matches with state` };
    }
    case 'ext': {
      const ext = t.instance.ext;
      if (ext.name === 'REJECT') return { kind: 'terminal', key: saveTarget(rule).trim() };
      if (OBSERVER_TARGETS.has(ext.name)) return { kind: 'observer' };
      if (NAT_TARGETS.has(ext.name)) return { kind: 'barrier', why: `${ext.name} (NAT binds the connection's mapping)` };
      if (!ext.modelled || ext.applyTarget === undefined) return { kind: 'barrier', why: `${ext.name} (not modelled)` };
      return { kind: 'barrier', why: `${ext.name} (changes the packet or its connection)` };
    }
  }
}

/** What ends the walk in this chain for a packet the rule matches, if anything does. */
function decidesOf(rule: Rule): string | undefined {
  const t = rule.target;
  if (t.kind === 'verdict') return t.verdict;
  if (t.kind === 'jump') return rule.ip.goto ? `-g ${t.chain}` : undefined;
  if (t.kind === 'ext' && (t.instance.ext.name === 'REJECT' || NAT_TARGETS.has(t.instance.ext.name))) return saveTarget(rule).trim();
  return undefined;
}

function modifiesOf(rule: Rule, effect: Effect, classes: Map<string, ChainClass>): boolean {
  const t = rule.target;
  if (t.kind === 'jump') return classes.get(t.chain) === 'impure';
  if (t.kind !== 'ext') return false;
  const name = t.instance.ext.name;
  return effect.kind === 'barrier' && !NAT_TARGETS.has(name) && !OBSERVER_TARGETS.has(name) && name !== 'REJECT';
}

/** Every rule of every chain of `table`, described, in sortedChains() order. */
export function describeTable(table: Table): Array<{ chain: string; rules: RuleInfo[] }> {
  const spaces = new Map<Rule, RuleSpace>();
  for (const c of table.chains.values()) for (const r of c.rules) spaces.set(r, ruleSpace(r));
  const classes = chainClasses(table, spaces);
  return sortedChains(table).map((c) => ({
    chain: c.name,
    rules: c.rules.map((rule, index) => {
      const space = spaces.get(rule)!;
      const effect = effectOf(rule, space, classes);
      return { rule, index, space, effect, decides: decidesOf(rule), modifies: modifiesOf(rule, effect, classes) };
    }),
  }));
}
