/**
 * `nfreplay diff CAPTURE --rules A --rules B`: the capture replayed through both rulesets,
 * the connections whose outcome differs grouped by the rules responsible, the final
 * conntrack tables and the rules evaluated per packet compared (analysis/compare.ts).
 *
 * Exit status as diff(1) and cmp(1) give theirs, so that CI can tell a change from a
 * failure: 0 the same, 1 different, 2 trouble (the command line, or a ruleset, host file or
 * capture that cannot be used); 3 a capture damaged part way, as `nfreplay replay`: the
 * comparison of the packets before the damage is printed but proves nothing about the rest.
 */
import type { Command } from 'commander';
import { compareRulesets } from '../analysis/compare.js';
import type { UnmodelledPolicy } from '../compile/index.js';
import { comparisonText } from '../report/diff.js';
import { ExitCode, type Io } from './io.js';
import { hostFor, loadRules, reportInvalidInput, withHostOptions, withReplayChoices } from './replay-setup.js';

export interface DiffCliOptions {
  rules: string[];
  host?: string;
  localIp?: string;
  iface?: string;
  output: string;
  seed: string;
  unmodelled: UnmodelledPolicy;
}

const DIFFERENT = 1;
/** diff(1)'s "trouble": also what a usage error exits with. */
const TROUBLE = ExitCode.Usage;
/** As `nfreplay replay` exits for a damaged capture. */
const DAMAGED = 3;

/** A usage error's message, or undefined. */
function checkOptions(capture: string, opts: DiffCliOptions): string | undefined {
  if (opts.rules.length !== 2) return `--rules must be given exactly twice (the ruleset in use, then the new one), not ${opts.rules.length === 1 ? 'once' : `${opts.rules.length} times`}`;
  if (opts.output !== 'text' && opts.output !== 'json') return '--output must be text or json';
  if (!['refuse', 'assume-match', 'assume-nomatch'].includes(opts.unmodelled)) return '--unmodelled must be refuse, assume-match or assume-nomatch';
  if (!/^\d{1,10}$/.test(opts.seed) || Number(opts.seed) > 0xffffffff) return '--seed must be a number from 0 to 4294967295';
  if (capture === '-') return 'the capture is replayed several times: give a file, not - (standard input)';
  return undefined;
}

export async function runDiff(capture: string, opts: DiffCliOptions, io: Io): Promise<void> {
  const usage = checkOptions(capture, opts);
  if (usage !== undefined) {
    io.err(`nfreplay: ${usage}\n`);
    return io.exit(ExitCode.Usage);
  }
  const [fileA, fileB] = opts.rules as [string, string];
  try {
    const a = loadRules(fileA, io);
    const b = loadRules(fileB, io);
    const host = await hostFor(capture, opts, io);
    const result = await compareRulesets(a, b, { capture, host, seed: Number(opts.seed), unmodelled: opts.unmodelled });
    for (const w of result.warnings) io.err(`nfreplay: warning: ${w}\n`);
    io.out(opts.output === 'json' ? JSON.stringify({ a: fileA, b: fileB, ...result }, null, 2) + '\n' : comparisonText(result, fileA, fileB));
    if (result.damage !== null) {
      io.err(`nfreplay: capture damaged at byte ${result.damage.offset}: ${result.damage.message}; the comparison covers the packets before it\n`);
      io.exit(DAMAGED);
    } else if (!result.identical) io.exit(DIFFERENT);
  } catch (e) {
    if (reportInvalidInput(e, io, TROUBLE)) return;
    throw e;
  }
}

export function registerDiffCommand(program: Command, io: Io): void {
  const command = program
    .command('diff')
    .description('replay a capture through two rulesets and list the connections whose verdict, NAT, mark or LOG lines differ (exit 1 when any does)')
    .argument('<capture>', 'pcap or pcapng file (gzip allowed)')
    .option('--rules <file>', 'a ruleset (iptables-save file or script of iptables commands); give it twice: A (in use), then B (new)', (f: string, all: string[]) => [...all, f], [] as string[]);
  withHostOptions(command);
  withReplayChoices(command, ' (the same for both)');
  command
    .option('--output <kind>', 'text or json', 'text')
    .action((capture: string, opts: DiffCliOptions) => runDiff(capture, opts, io));
}
