/**
 * What both table runners (the compiled matcher and the reference interpreter) need before
 * the first packet: a number for every rule and built-in policy (the index of its counters),
 * the per-rule replay state of every extension instance (instantiate(), once per rule), and
 * the decision for extensions the replay cannot evaluate. Traversal itself is not here: the
 * two runners implement ipt_do_table independently, so that each checks the other.
 */
import type { PacketState, Verdict } from '../engine/packet.js';
import type { ReplayRuntime } from '../engine/runtime.js';
import { BUILTIN_CHAINS, sortedChains, type Chain, type Hook, type Rule, type Ruleset, type Table, type TableName } from '../rules/model.js';
import type { MatchExtension, TargetExtension } from '../rules/ext/types.js';

/** The interface the replay engine drives; both runners implement it. */
export interface TableRunner {
  /**
   * Traverses `table`'s built-in chain for `pkt.hook` (and sets pkt.table); returns ACCEPT,
   * DROP or QUEUE after applying the policy; counts rule and policy hits with pkt.length
   * bytes. A table the ruleset does not have, or a hook it does not attach to, accepts
   * without counting: the kernel has no such hook function registered.
   */
  traverse(table: TableName, pkt: PacketState): Verdict;
  /**
   * Optional: a function equal to `traverse(table, pkt)` for packets at `hook`, with the
   * table lookup done once (the replay calls it when nothing is traced); undefined when
   * the runner has no cheaper way than traverse.
   */
  stepFor?(table: TableName, hook: Hook): ((pkt: PacketState) => Verdict) | undefined;
  /** Adds the counts accumulated since the last call to the model's Rule.counters and Chain.policyCounters. */
  writeCounters(): void;
  /**
   * Rules whose generic part the kernel tested during the last traverse (ipt_do_table's
   * linear walk, whatever an index let the compiled matcher skip). Policies are not rules.
   */
  readonly lastEvaluated: number;
}

/**
 * What to do with an extension the replay cannot evaluate (modelled: false, or without a
 * matchPacket / applyTarget): refuse the ruleset, or assume every such match matches / does
 * not match. An unevaluable target under either assumption counts and continues, as a
 * non-terminating target would. Every assumption made is reported through rt.note().
 */
export type UnmodelledPolicy = 'refuse' | 'assume-match' | 'assume-nomatch';

export interface RunnerOptions {
  unmodelled?: UnmodelledPolicy;
  /**
   * Prepare only these tables; traversing another one is an error. Default: all. The
   * replay leaves out nat until conntrack exists, so its rules are not refused.
   */
  tables?: TableName[];
  /**
   * Instances and counters already prepared for another runner of the same ruleset and
   * runtime: two runners sharing them advance one set of per-rule state (limit credits,
   * nth counters, recent entries) and one set of counters, so a packet may go through
   * either without being evaluated twice.
   */
  prepared?: Prepared;
  /**
   * Count, per chain, the rules the kernel's linear walk tests (Prepared.chainEvaluated);
   * only when this runner prepares (a shared Prepared keeps its own choice).
   */
  chainCost?: boolean;
}

/**
 * Sees one traversal rule by rule (the traced runner calls it; the untraced runners have no
 * such calls). Every call happens where ipt_do_table would call trace_packet or skip a rule.
 */
export interface TraversalObserver {
  /** The rule matched and was counted; its target has not run yet. */
  ruleHit(pr: PreparedRule, pkt: PacketState): void;
  /** The rule was tested and did not match: `why` names the first condition that failed. */
  ruleMissed(pr: PreparedRule, why: string, pkt: PacketState): void;
  /** A user chain was left by falling off its end (the kernel's tail RETURN entry). */
  chainEnd(chain: PreparedChain, pkt: PacketState): void;
  /** The policy of a built-in chain applied and was counted. */
  policy(chain: PreparedChain, pkt: PacketState): void;
}

/** A runner that can report each traversal to an observer. */
export interface ObservableRunner extends TableRunner {
  /** null: no observer, nothing reported. */
  observe(observer: TraversalObserver | null): void;
}

/** Thrown when the ruleset uses extensions the replay cannot evaluate and the policy is 'refuse'. */
export class UnmodelledError extends Error {
  readonly code = 'NFR_ERR_UNMODELLED';
  constructor(
    message: string,
    readonly uses: readonly string[],
  ) {
    super(message);
    this.name = 'UnmodelledError';
  }
}

/** How one match of a rule is evaluated. */
export const MatchMode = {
  /** The extension's matchPacket (or its compileMatch, the same test inlined). */
  EVAL: 0,
  ASSUME_MATCH: 1,
  ASSUME_NOMATCH: 2,
} as const;
export type MatchMode = (typeof MatchMode)[keyof typeof MatchMode];

export interface PreparedMatch {
  ext: MatchExtension<unknown>;
  state: unknown;
  /** What instantiate() returned for this rule (undefined without instantiate). */
  inst: unknown;
  mode: MatchMode;
  /** The rt.note() event reported when an assumption is made (modes other than EVAL). */
  note: string;
}

export interface PreparedTarget {
  ext: TargetExtension<unknown>;
  state: unknown;
  inst: unknown;
  /** false: the target cannot be applied; it counts, is noted and traversal continues. */
  evaluable: boolean;
  note: string;
}

export interface PreparedRule {
  rule: Rule;
  /** Index of the rule's counters (packets and bytes) in the runner's arrays. */
  num: number;
  chain: Chain;
  /** Its chain's PreparedChain.num. */
  chainNum: number;
  /** 0-based position in its chain. */
  position: number;
  matches: PreparedMatch[];
  /** For ext targets only. */
  target: PreparedTarget | undefined;
}

export interface PreparedChain {
  chain: Chain;
  /** The chain's index in Prepared.chains (and chainEvaluated), across all tables. */
  num: number;
  rules: PreparedRule[];
  /** Built-in chains: index of the policy counters; -1 for user chains. */
  policyNum: number;
}

export interface PreparedTable {
  table: Table;
  /** In sortedChains() order: built-ins in hook order, then user chains by name. */
  chains: PreparedChain[];
  byName: Map<string, PreparedChain>;
}

/**
 * Counters as doubles (exact up to 2^53 packets or bytes), indexed by rule or policy
 * number n: packets at `counts[2n]`, bytes at `counts[2n + 1]`, on one cache line. Written
 * into the model's bigints on demand, so the hot path never touches a bigint.
 */
export class CounterStore {
  readonly counts: Float64Array;
  /** The model's counters of each number: a rule, or { counters: a chain's policyCounters }. */
  readonly targets: ReadonlyArray<{ counters: { packets: bigint; bytes: bigint } }>;

  constructor(targets: Array<{ counters: { packets: bigint; bytes: bigint } }>) {
    this.targets = targets;
    this.counts = new Float64Array(2 * targets.length);
  }

  /** Adds what was counted since the last call to the model, then starts again from zero. */
  write(): void {
    for (let n = 0; n < this.targets.length; n++) {
      const c = this.targets[n]!.counters;
      const packets = this.counts[2 * n]!;
      const bytes = this.counts[2 * n + 1]!;
      if (packets !== 0) c.packets += BigInt(packets);
      if (bytes !== 0) c.bytes += BigInt(bytes);
    }
    this.counts.fill(0);
  }
}

export interface Prepared {
  tables: Map<TableName, PreparedTable>;
  counters: CounterStore;
  /** Every chain of every table, by PreparedChain.num. */
  chains: PreparedChain[];
  /**
   * With RunnerOptions.chainCost: per chain (by num), the rules the kernel's walk has tested
   * in it over all traversals so far, as lastEvaluated counts them. Undefined otherwise.
   */
  chainEvaluated: Float64Array | undefined;
}

function matchEvaluable(ext: MatchExtension<unknown>): boolean {
  return ext.modelled && typeof ext.matchPacket === 'function';
}

function targetEvaluable(ext: TargetExtension<unknown>): boolean {
  return ext.modelled && typeof ext.applyTarget === 'function';
}

function why(ext: { modelled: boolean }): string {
  return ext.modelled ? 'no replay implementation' : 'not modelled';
}

/** "filter INPUT #3 (rules.v4:12): u32 (not modelled)" for each rule that cannot be evaluated. */
function unevaluableUses(tables: readonly Table[]): string[] {
  const uses: string[] = [];
  for (const table of tables) {
    for (const chain of sortedChains(table)) {
      chain.rules.forEach((rule, i) => {
        const names: string[] = [];
        for (const m of rule.matches) if (!matchEvaluable(m.ext)) names.push(`${m.ext.name} (${why(m.ext)})`);
        if (rule.target.kind === 'ext' && !targetEvaluable(rule.target.instance.ext)) {
          names.push(`${rule.target.instance.ext.name} (${why(rule.target.instance.ext)})`);
        }
        if (names.length === 0) return;
        const at = `${rule.origin.source}:${rule.origin.line}`;
        uses.push(`${table.name} ${chain.name} #${i + 1} (${at}): ${names.join(', ')}`);
      });
    }
  }
  return uses;
}

/**
 * Numbers rules and policies, instantiates every extension once per rule and applies the
 * unmodelled policy. Throws UnmodelledError under 'refuse' when any rule of `tables` uses
 * an extension that cannot be evaluated.
 */
export function prepare(ruleset: Ruleset, rt: ReplayRuntime, tableNames: readonly TableName[] | undefined, options: RunnerOptions): Prepared {
  if (options.prepared !== undefined) return options.prepared;
  const policy = options.unmodelled ?? 'refuse';
  const tables = ruleset.tables.filter((t) => tableNames === undefined || tableNames.includes(t.name));
  if (policy === 'refuse') {
    const uses = unevaluableUses(tables);
    if (uses.length > 0) {
      throw new UnmodelledError(
        `the replay cannot evaluate ${uses.length} rule${uses.length === 1 ? '' : 's'} ` +
          `(use --unmodelled assume-match or assume-nomatch to replay anyway):\n  ${uses.join('\n  ')}`,
        uses,
      );
    }
  }
  const assumed: MatchMode = policy === 'assume-nomatch' ? MatchMode.ASSUME_NOMATCH : MatchMode.ASSUME_MATCH;
  const counted: Array<{ counters: { packets: bigint; bytes: bigint } }> = [];
  const all: PreparedChain[] = [];
  const out = new Map<TableName, PreparedTable>();
  for (const table of tables) {
    const chains: PreparedChain[] = [];
    const byName = new Map<string, PreparedChain>();
    for (const chain of sortedChains(table)) {
      const rules = chain.rules.map((rule, position): PreparedRule => {
        const num = counted.length;
        counted.push(rule);
        const matches = rule.matches.map((m): PreparedMatch => {
          const ok = matchEvaluable(m.ext);
          return {
            ext: m.ext,
            state: m.state,
            inst: ok && m.ext.instantiate ? m.ext.instantiate(m.state, rt) : undefined,
            mode: ok ? MatchMode.EVAL : assumed,
            note: ok ? '' : `unmodelled match ${m.ext.name} assumed to ${assumed === MatchMode.ASSUME_MATCH ? 'match' : 'not match'}`,
          };
        });
        let target: PreparedTarget | undefined;
        if (rule.target.kind === 'ext') {
          const { ext, state } = rule.target.instance;
          const ok = targetEvaluable(ext);
          target = {
            ext,
            state,
            inst: ok && ext.instantiate ? ext.instantiate(state, rt) : undefined,
            evaluable: ok,
            note: ok ? '' : `unmodelled target ${ext.name} skipped`,
          };
        }
        return { rule, num, chain, chainNum: all.length, position, matches, target };
      });
      let policyNum = -1;
      if (chain.builtin) {
        policyNum = counted.length;
        counted.push({ counters: chain.policyCounters });
      }
      const pc = { chain, num: all.length, rules, policyNum };
      all.push(pc);
      chains.push(pc);
      byName.set(chain.name, pc);
    }
    out.set(table.name, { table, chains, byName });
  }
  return { tables: out, counters: new CounterStore(counted), chains: all, chainEvaluated: options.chainCost ? new Float64Array(all.length) : undefined };
}

/** The built-in chain of `table` for `hook`, if the table attaches to that hook. */
export function hookChain(table: PreparedTable, hook: Hook): PreparedChain | undefined {
  return (BUILTIN_CHAINS[table.table.name] as readonly Hook[]).includes(hook) ? table.byName.get(hook) : undefined;
}
