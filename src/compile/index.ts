/** Running packets through a ruleset: the compiled matcher and the reference interpreter. */
export { compileRuleset, type CompileOptions, type CompiledRunner } from './compile.js';
export { interpretRuleset } from './interpret.js';
export {
  prepare,
  UnmodelledError,
  type ObservableRunner,
  type Prepared,
  type PreparedChain,
  type PreparedRule,
  type RunnerOptions,
  type TableRunner,
  type TraversalObserver,
  type UnmodelledPolicy,
} from './prepare.js';
