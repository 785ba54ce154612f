/**
 * The ruleset model: what the kernel holds after iptables-restore (tables of chains of
 * rules), plus where each rule came from. It is the single source for the printers, the
 * compiler and the replay, so it keeps iptables' own representation: the generic "ip" part
 * of an ipt_entry, an ordered list of match instances and one target.
 */
import type { SourcePosition } from './errors.js';
import type { MatchExtension, TargetExtension } from './ext/types.js';

export const TABLE_NAMES = ['filter', 'nat', 'mangle', 'raw', 'security'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
export type Hook = (typeof HOOKS)[number];

/** Built-in chains per table, in the order iptables-save prints them (hook order). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly Hook[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}

export function isBuiltinChain(table: TableName, chain: string): chain is Hook {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

/** The generic part of a rule (struct ipt_ip): addresses, interfaces, protocol, flags. */
export interface IpEntry {
  src: number;
  smsk: number;
  dst: number;
  dmsk: number;
  /** '' means any; a trailing '+' is a prefix wildcard, as in the kernel. */
  iniface: string;
  outiface: string;
  /** 0 means any protocol. */
  proto: number;
  fragment: boolean;
  /** -g rather than -j: a RETURN from the target chain does not come back here. */
  goto: boolean;
  invSrc: boolean;
  invDst: boolean;
  invIn: boolean;
  invOut: boolean;
  invProto: boolean;
  invFrag: boolean;
}

export function emptyIpEntry(): IpEntry {
  return {
    src: 0,
    smsk: 0,
    dst: 0,
    dmsk: 0,
    iniface: '',
    outiface: '',
    proto: 0,
    fragment: false,
    goto: false,
    invSrc: false,
    invDst: false,
    invIn: false,
    invOut: false,
    invProto: false,
    invFrag: false,
  };
}

export interface Counters {
  packets: bigint;
  bytes: bigint;
}

export function zeroCounters(): Counters {
  return { packets: 0n, bytes: 0n };
}

/** A loaded match extension with its parsed options. */
export interface MatchInstance {
  ext: MatchExtension<unknown>;
  state: unknown;
}

export interface ExtTargetInstance {
  ext: TargetExtension<unknown>;
  state: unknown;
}

export type StandardVerdict = 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE';

/** What a rule does when it matches. */
export type RuleTarget =
  /** No -j: the rule only counts. */
  | { kind: 'none' }
  | { kind: 'verdict'; verdict: StandardVerdict }
  /** -j CHAIN or -g CHAIN (ip.goto tells which). */
  | { kind: 'jump'; chain: string }
  | { kind: 'ext'; instance: ExtTargetInstance };

export interface Rule {
  ip: IpEntry;
  matches: MatchInstance[];
  target: RuleTarget;
  counters: Counters;
  /** Where the rule was written (the -A/-I/-R line), for errors and traces. */
  origin: SourcePosition;
}

export type Policy = 'ACCEPT' | 'DROP';

export interface Chain {
  name: string;
  builtin: boolean;
  /** Built-in chains only. */
  policy: Policy | undefined;
  policyCounters: Counters;
  rules: Rule[];
  origin: SourcePosition | undefined;
}

export interface Table {
  name: TableName;
  /** Built-ins in hook order first, then user chains; see sortedChains(). */
  chains: Map<string, Chain>;
}

export interface Ruleset {
  /**
   * Tables in the order iptables-save lists them after the load: the kernel puts the most
   * recently instantiated table first (/proc/net/ip_tables_names), and iptables-restore
   * instantiates them in the order they first appear.
   */
  tables: Table[];
}

export function newChain(name: string, builtin: boolean, origin?: SourcePosition): Chain {
  return {
    name,
    builtin,
    policy: builtin ? 'ACCEPT' : undefined,
    policyCounters: zeroCounters(),
    rules: [],
    origin,
  };
}

export function newTable(name: TableName): Table {
  const chains = new Map<string, Chain>();
  for (const hook of BUILTIN_CHAINS[name]) chains.set(hook, newChain(hook, true));
  return { name, chains };
}

/** libiptc keeps user chains sorted by strcmp after the built-ins. */
export function sortedChains(table: Table): Chain[] {
  const builtins = BUILTIN_CHAINS[table.name].map((h) => table.chains.get(h)!);
  const user = [...table.chains.values()].filter((c) => !c.builtin);
  user.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...user];
}

export function findTable(ruleset: Ruleset, name: string): Table | undefined {
  return ruleset.tables.find((t) => t.name === name);
}

/** Per chain, the rules in this table that jump or go to it (libiptc's reference count). */
export function chainReferences(table: Table): Map<string, number> {
  const refs = new Map<string, number>();
  for (const c of table.chains.values()) {
    for (const r of c.rules) if (r.target.kind === 'jump') refs.set(r.target.chain, (refs.get(r.target.chain) ?? 0) + 1);
  }
  return refs;
}

/** Name shown in the target column (and after -j / -g for chains and verdicts). */
export function targetName(target: RuleTarget): string {
  switch (target.kind) {
    case 'none':
      return '';
    case 'verdict':
      return target.verdict;
    case 'jump':
      return target.chain;
    case 'ext':
      return target.instance.ext.realName ?? target.instance.ext.name;
  }
}

/** A rule that uses an extension the replay cannot evaluate (u32, bpf, string...). */
export interface UnmodelledUse {
  table: TableName;
  chain: string;
  /** 1-based position in the chain, as `iptables -L --line-numbers` shows it. */
  rulenum: number;
  rule: Rule;
  extensions: string[];
}

export function unmodelledRules(ruleset: Ruleset): UnmodelledUse[] {
  const out: UnmodelledUse[] = [];
  for (const table of ruleset.tables) {
    for (const chain of sortedChains(table)) {
      chain.rules.forEach((rule, i) => {
        const names = rule.matches.filter((m) => !m.ext.modelled).map((m) => m.ext.name);
        if (rule.target.kind === 'ext' && !rule.target.instance.ext.modelled) names.push(rule.target.instance.ext.name);
        if (names.length > 0) out.push({ table: table.name, chain: chain.name, rulenum: i + 1, rule, extensions: names });
      });
    }
  }
  return out;
}
