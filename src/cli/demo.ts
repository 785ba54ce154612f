/**
 * `nfreplay demo` (what `npm start` runs): the bundled seed ruleset, listed as
 * `iptables -nvL` would show it for every table it uses.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { listTable, loadRulesetFile, RulesetError } from '../rules/index.js';
import { ExitCode, type Io } from './io.js';

export function registerDemoCommand(program: Command, io: Io, packageRoot: string): void {
  program
    .command('demo')
    .description('list the bundled seed ruleset (captures/demo.rules) as iptables -nvL does')
    .action(() => {
      const file = join(packageRoot, 'captures', 'demo.rules');
      try {
        const { ruleset } = loadRulesetFile(file, { counters: true, source: 'captures/demo.rules' });
        for (const table of ruleset.tables) {
          io.out(`# iptables -t ${table.name} -nvL   (captures/demo.rules)\n`);
          io.out(listTable(table, { numeric: true, verbose: true }) ?? '');
          io.out('\n');
        }
      } catch (e) {
        if (!(e instanceof RulesetError)) throw e;
        io.err(`nfreplay: ${e.message} [${e.code}]\n`);
        io.exit(ExitCode.Invalid);
      }
    });
}
