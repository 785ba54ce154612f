/** The ruleset stage: loading, validating and printing iptables rulesets. */
export { loadRulesetFile, loadRulesetText, detectFormat, readRulesetSource, type RulesetFormat, type LoadTextOptions } from './load.js';
export type { LoadOptions, LoadResult } from './restore.js';
export { saveRuleset, listRules, ruleSpec, type SaveOptions } from './save.js';
export { listTable, type ListOptions } from './list.js';
export { RulesetError, ErrorCodes, type ErrorCode } from './errors.js';
export * from './model.js';
export { EXTENSIONS, findMatch, findTarget } from './ext/index.js';
