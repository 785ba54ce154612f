/**
 * `nfreplay rules save|list|check`: the ruleset loader and printers on the command line,
 * each taking a restore file, a script of iptables commands, or "-" for standard input.
 */
import type { Command } from 'commander';
import {
  listRules,
  listTable,
  loadRulesetFile,
  newTable,
  RulesetError,
  saveRuleset,
  TABLE_NAMES,
  unmodelledRules,
  type Ruleset,
  type Table,
  type TableName,
} from '../rules/index.js';
import { ExitCode, type Io } from './io.js';

function tableOf(ruleset: Ruleset, name: string): Table {
  // iptables -t T -L on a table the file never mentioned shows it empty, as the kernel
  // instantiates it on first use.
  return ruleset.tables.find((t) => t.name === name) ?? newTable(name as TableName);
}

function checkTableName(name: string, io: Io): boolean {
  if ((TABLE_NAMES as readonly string[]).includes(name)) return true;
  io.err(`nfreplay: unknown table \`${name}' (known: ${TABLE_NAMES.join(', ')})\n`);
  return false;
}

/** Loads or reports the error; returns undefined after printing it. */
function load(file: string, counters: boolean, io: Io): Ruleset | undefined {
  try {
    const result = loadRulesetFile(file, { counters });
    for (const w of result.warnings) io.err(`nfreplay: warning: ${w}\n`);
    return result.ruleset;
  } catch (e) {
    if (e instanceof RulesetError) {
      io.err(`nfreplay: ${e.message} [${e.code}]\n`);
      return undefined;
    }
    throw e;
  }
}

export function registerRulesCommands(program: Command, io: Io): void {
  const rules = program.command('rules').description('load, validate and print iptables rulesets exactly as iptables does');

  rules
    .command('save')
    .description('print what iptables-save prints after iptables-restore FILE')
    .argument('<file>', 'iptables-save/restore file, script of iptables commands, or - for stdin')
    .option('-c, --counters', 'include packet and byte counters (iptables-save -c after iptables-restore -c)')
    .option('-t, --table <table>', 'only this table')
    .action((file: string, opts: { counters?: boolean; table?: string }) => {
      if (opts.table !== undefined && !checkTableName(opts.table, io)) return io.exit(ExitCode.Usage);
      const ruleset = load(file, opts.counters ?? false, io);
      if (!ruleset) return io.exit(ExitCode.Invalid);
      io.out(saveRuleset(ruleset, { counters: opts.counters ?? false, table: opts.table }));
    });

  rules
    .command('list')
    .description('print what iptables -L (or -S) prints after iptables-restore -c FILE')
    .argument('<file>', 'iptables-save/restore file, script of iptables commands, or - for stdin')
    .argument('[chain]', 'only this chain')
    .argument('[rulenum]', 'only this rule of the chain')
    .option('-t, --table <table>', 'table to list', 'filter')
    .option('-n, --numeric', 'numeric addresses, ports and protocols')
    .option('-v, --verbose', 'counters and interfaces')
    .option('-x, --exact', 'exact counter values (no K/M/G)')
    .option('--line-numbers', 'rule numbers')
    .option('-S, --list-rules', 'print rules as iptables -S does')
    .action(
      (
        file: string,
        chain: string | undefined,
        rulenum: string | undefined,
        opts: { table: string; numeric?: boolean; verbose?: boolean; exact?: boolean; lineNumbers?: boolean; listRules?: boolean },
      ) => {
        if (!checkTableName(opts.table, io)) return io.exit(ExitCode.Usage);
        const num = rulenum === undefined ? undefined : Number(rulenum);
        if (num !== undefined && !(Number.isInteger(num) && num >= 1)) {
          io.err(`nfreplay: Invalid rule number \`${rulenum}'\n`);
          return io.exit(ExitCode.Usage);
        }
        const ruleset = load(file, true, io);
        if (!ruleset) return io.exit(ExitCode.Invalid);
        const table = tableOf(ruleset, opts.table);
        if (chain !== undefined && !table.chains.has(chain)) {
          io.err(`nfreplay: No chain/target/match by that name: \`${chain}' in table ${table.name}\n`);
          return io.exit(ExitCode.Invalid);
        }
        if (opts.listRules) {
          io.out(listRules(table, { chain, rulenum: num, verbose: opts.verbose ?? false }));
          return;
        }
        io.out(
          listTable(table, {
            chain,
            rulenum: num,
            numeric: opts.numeric ?? false,
            verbose: opts.verbose ?? false,
            exact: opts.exact ?? false,
            lineNumbers: opts.lineNumbers ?? false,
          }) ?? '',
        );
      },
    );

  rules
    .command('check')
    .description('exit 0 if iptables-restore would accept FILE, else print the error and exit 1')
    .argument('<file>', 'iptables-save/restore file, script of iptables commands, or - for stdin')
    .action((file: string) => {
      const ruleset = load(file, true, io);
      if (!ruleset) return io.exit(ExitCode.Invalid);
      // Valid for iptables, but the replay will have to refuse or account for these.
      for (const u of unmodelledRules(ruleset)) {
        const o = u.rule.origin;
        io.err(`nfreplay: note: ${o.source}:${o.line}:${o.column}: ${u.table} ${u.chain} rule ${u.rulenum} uses ${u.extensions.join(', ')}, which the replay does not model\n`);
      }
    });
}
