/** Running packets through a ruleset: the compiled matcher and the reference interpreter. */
export { compileRuleset, type CompileOptions, type CompiledRunner } from './compile.js';
export { interpretRuleset } from './interpret.js';
export { UnmodelledError, type TableRunner, type RunnerOptions, type UnmodelledPolicy } from './prepare.js';
