/**
 * The runners a replay of one ruleset uses, as `nfreplay replay` sets them up and every
 * analysis that replays a ruleset must too: the compiled matcher (or the reference
 * interpreter) over the tables the replay evaluates, and the traced runner sharing its
 * per-rule state and counters (RunnerOptions.prepared), so that a packet whose path is
 * recorded is still evaluated once.
 */
import { compileRuleset, interpretRuleset, prepare, type Prepared, type RunnerOptions, type UnmodelledPolicy } from '../compile/index.js';
import type { Ruleset } from '../rules/model.js';
import { replayedTables, type ReplayOptions } from './replay.js';

export interface RunnerChoice {
  unmodelled: UnmodelledPolicy;
  /** The reference interpreter instead of the compiled matcher. */
  interpreter?: boolean;
  /** Count the rules the kernel's walk tests per chain (Prepared.chainEvaluated, histograms.ts chainCosts). */
  chainCost?: boolean;
}

export interface RulesetRunners {
  runner: ReplayOptions['runner'];
  tracedRunner: NonNullable<ReplayOptions['tracedRunner']>;
  /** The instances and counters of the last runner built (undefined before the replay starts). */
  prepared(): Prepared | undefined;
}

export function rulesetRunners(ruleset: Ruleset, choice: RunnerChoice): RulesetRunners {
  let prepared: Prepared | undefined;
  const tables = replayedTables(ruleset);
  return {
    runner: (rt) => {
      const opts: RunnerOptions = { unmodelled: choice.unmodelled, tables, chainCost: choice.chainCost === true };
      opts.prepared = prepared = prepare(ruleset, rt, tables, opts);
      return choice.interpreter === true ? interpretRuleset(ruleset, rt, opts) : compileRuleset(ruleset, rt, opts);
    },
    tracedRunner: (rt) => interpretRuleset(ruleset, rt, { unmodelled: choice.unmodelled, tables, prepared }),
    prepared: () => prepared,
  };
}
