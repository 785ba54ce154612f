/**
 * Applying parsed commands to a table with libiptc's semantics: rule positions, chain
 * existence, references, built-in chain rules. Messages are libiptc's (TC_STRERROR) with a
 * little more context.
 */
import type { ParsedCommand } from './argparse.js';
import { isStandardVerdict } from './argparse.js';
import { ErrorCodes, ParamError } from './errors.js';
import type { Chain, Rule, RuleTarget, Table } from './model.js';
import { isBuiltinChain, newChain, zeroCounters } from './model.js';
import type { SourcePosition } from './errors.js';
import { ruleSpec } from './save.js';

function chainError(message: string): never {
  throw new ParamError(message, ErrorCodes.CHAIN);
}

function requireChain(table: Table, name: string | undefined): Chain {
  const chain = name === undefined ? undefined : table.chains.get(name);
  if (!chain) chainError(`No chain/target/match by that name: chain \`${name}' does not exist in table ${table.name}`);
  return chain;
}

/** do_command4's target resolution: chains win over extensions of the same name. */
function resolveTarget(cmd: ParsedCommand, table: Table, warnings: string[]): RuleTarget {
  const name = cmd.target.name;
  const isChain = name !== '' && table.chains.has(name);
  if (cmd.target.ext && isChain) warnings.push(`Warning: using chain ${name}, not extension`);
  if (cmd.target.ext && !isChain) return { kind: 'ext', instance: cmd.target.ext };
  if (name === '') return { kind: 'none' };
  if (isChain) {
    if (table.chains.get(name)!.builtin) chainError(`Can't jump to built-in chain \`${name}'`);
    return { kind: 'jump', chain: name };
  }
  if (cmd.target.goto) chainError(`goto '${name}' is not a chain`);
  if (isStandardVerdict(name)) return { kind: 'verdict', verdict: name };
  chainError(`Couldn't load target \`${name}':No such file or directory`);
}

function buildRules(cmd: ParsedCommand, table: Table, origin: SourcePosition, warnings: string[]): Rule[] {
  const target = resolveTarget(cmd, table, warnings);
  return cmd.ips.map((ip) => ({
    ip,
    matches: cmd.matches,
    target,
    counters: cmd.counters ? { ...cmd.counters } : zeroCounters(),
    origin,
  }));
}

export interface ApplyResult {
  warnings: string[];
}

/** Applies one rule or chain command to `table`. Listing commands are not handled here. */
export function applyCommand(table: Table, cmd: ParsedCommand, origin: SourcePosition): ApplyResult {
  const warnings = cmd.warnings;
  switch (cmd.command) {
    case 'A': {
      const chain = requireChain(table, cmd.chain);
      chain.rules.push(...buildRules(cmd, table, origin, warnings));
      break;
    }
    case 'I': {
      const chain = requireChain(table, cmd.chain);
      const rules = buildRules(cmd, table, origin, warnings);
      const at = (cmd.rulenum ?? 1) - 1;
      if (at > chain.rules.length) chainError(`Index of insertion too big (chain ${chain.name} has ${chain.rules.length} rules)`);
      // insert_entry inserts each address combination at the same index, so they end up reversed
      for (const r of rules) chain.rules.splice(at, 0, r);
      break;
    }
    case 'R': {
      const chain = requireChain(table, cmd.chain);
      if (cmd.ips.length !== 1) chainError('-R needs exactly one source and one destination address');
      const [rule] = buildRules(cmd, table, origin, warnings);
      const at = cmd.rulenum! - 1;
      if (at >= chain.rules.length) chainError(`Index of replacement too big (chain ${chain.name} has ${chain.rules.length} rules)`);
      chain.rules[at] = rule!;
      break;
    }
    case 'D': {
      const chain = requireChain(table, cmd.chain);
      if (cmd.rulenum !== undefined) {
        const at = cmd.rulenum - 1;
        if (at < 0 || at >= chain.rules.length) chainError(`Index of deletion too big (chain ${chain.name} has ${chain.rules.length} rules)`);
        chain.rules.splice(at, 1);
        break;
      }
      // Find every rule first so a failing address combination deletes nothing.
      const remaining = chain.rules.slice();
      for (const rule of buildRules(cmd, table, origin, warnings)) {
        const spec = ruleSpec(rule);
        const at = remaining.findIndex((r) => ruleSpec(r) === spec);
        if (at < 0) chainError('Bad rule (does a matching rule exist in that chain?)');
        remaining.splice(at, 1);
      }
      chain.rules = remaining;
      break;
    }
    case 'C': {
      const chain = requireChain(table, cmd.chain);
      for (const rule of buildRules(cmd, table, origin, warnings)) {
        const spec = ruleSpec(rule);
        if (!chain.rules.some((r) => ruleSpec(r) === spec)) chainError('Bad rule (does a matching rule exist in that chain?)');
      }
      break;
    }
    case 'N': {
      if (table.chains.has(cmd.chain!)) chainError(`Chain already exists: ${cmd.chain}`);
      table.chains.set(cmd.chain!, newChain(cmd.chain!, false, origin));
      break;
    }
    case 'X': {
      const names = cmd.chain !== undefined ? [cmd.chain] : [...table.chains.values()].filter((c) => !c.builtin).map((c) => c.name);
      for (const name of names) checkDeletable(table, name, names);
      for (const name of names) table.chains.delete(name);
      break;
    }
    case 'F': {
      const chains = cmd.chain !== undefined ? [requireChain(table, cmd.chain)] : [...table.chains.values()];
      for (const c of chains) c.rules = [];
      break;
    }
    case 'Z': {
      const chains = cmd.chain !== undefined ? [requireChain(table, cmd.chain)] : [...table.chains.values()];
      for (const c of chains) {
        if (cmd.rulenum !== undefined) {
          const rule = c.rules[cmd.rulenum - 1];
          if (!rule) chainError('Index of counter too big');
          rule.counters = zeroCounters();
          continue;
        }
        c.policyCounters = zeroCounters();
        for (const r of c.rules) r.counters = zeroCounters();
      }
      break;
    }
    case 'E': {
      const chain = requireChain(table, cmd.chain);
      if (chain.builtin) chainError(`Can't rename built-in chain \`${chain.name}'`);
      if (table.chains.has(cmd.newName!)) chainError(`Chain already exists: ${cmd.newName}`);
      renameChain(table, chain, cmd.newName!);
      break;
    }
    case 'P': {
      const chain = table.chains.get(cmd.chain!);
      if (!chain || !isBuiltinChain(table.name, chain.name)) chainError(`Bad built-in chain name \`${cmd.chain}'`);
      if (cmd.policy !== 'ACCEPT' && cmd.policy !== 'DROP') chainError(`Bad policy name \`${cmd.policy}'`);
      chain.policy = cmd.policy;
      if (cmd.counters) chain.policyCounters = { ...cmd.counters };
      break;
    }
    case 'L':
    case 'S':
      break;
  }
  return { warnings };
}

/** -X: built-in chains, referenced chains (outside the deleted set) and non-empty chains stay. */
function checkDeletable(table: Table, name: string, deleting: readonly string[]): void {
  const chain = requireChain(table, name);
  if (chain.builtin) chainError(`Can't delete built-in chain \`${name}'`);
  let refs = 0;
  for (const c of table.chains.values()) {
    if (deleting.includes(c.name)) continue;
    for (const r of c.rules) if (r.target.kind === 'jump' && r.target.chain === name) refs++;
  }
  if (refs > 0) chainError(`Can't delete chain with references left: ${name} is referenced by ${refs} rule(s)`);
  if (chain.rules.length > 0) chainError(`Chain is not empty: ${name} has ${chain.rules.length} rule(s)`);
}

function renameChain(table: Table, chain: Chain, newName: string): void {
  const old = chain.name;
  table.chains.delete(old);
  chain.name = newName;
  table.chains.set(newName, chain);
  for (const c of table.chains.values()) {
    for (const r of c.rules) if (r.target.kind === 'jump' && r.target.chain === old) r.target = { kind: 'jump', chain: newName };
  }
}
