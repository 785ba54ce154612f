/**
 * What every command that replays a capture sets up the same way: the ruleset (its loader
 * warnings on stderr), the host (a host file, or inferred from the capture) and the mapping
 * of invalid input to exit code 1. The runners are engine/setup.ts's.
 */
import { CaptureError } from '../capture/errors.js';
import { UnmodelledError, type UnmodelledPolicy } from '../compile/index.js';
import { HostError, inferHostFromCapture, loadHostFile, type Host } from '../netfilter/index.js';
import { loadRulesetFile, RulesetError, type Ruleset } from '../rules/index.js';
import type { Command } from 'commander';
import { ExitCode, type Io } from './io.js';

/** The options of a replaying command that decide its inputs and runners. */
export interface ReplayInputOptions {
  rules: string;
  host?: string;
  localIp?: string;
  iface?: string;
  interpreter?: boolean;
  unmodelled: UnmodelledPolicy;
}

export const UNMODELLED_POLICIES: readonly UnmodelledPolicy[] = ['refuse', 'assume-match', 'assume-nomatch'];

/** The ruleset in `file`, its loader's warnings written to stderr. */
export function loadRules(file: string, io: Io): Ruleset {
  const { ruleset, warnings } = loadRulesetFile(file);
  for (const w of warnings) io.err(`nfreplay: warning: ${w}\n`);
  return ruleset;
}

/** --host FILE, or the host inferred from the capture (what was inferred said on stderr). */
export async function hostFor(capture: string | Uint8Array, opts: Pick<ReplayInputOptions, 'host' | 'localIp' | 'iface'>, io: Io): Promise<Host> {
  if (opts.host !== undefined) return loadHostFile(opts.host);
  const inference = await inferHostFromCapture(capture, { localIps: opts.localIp, iface: opts.iface });
  io.err(`nfreplay: ${inference.message}\n`);
  return inference.host;
}

/**
 * An error of the inputs (ruleset, host file, capture, a rule the replay cannot evaluate,
 * and the command's own `inputErrors`): its message and code on stderr and `exitCode`.
 * False for any other error.
 */
export function reportInvalidInput(e: unknown, io: Io, exitCode: number = ExitCode.Invalid, inputErrors: ReadonlyArray<abstract new (...args: never[]) => Error> = []): boolean {
  const isInput = e instanceof RulesetError || e instanceof HostError || e instanceof CaptureError || e instanceof UnmodelledError || inputErrors.some((k) => e instanceof k);
  if (!isInput || !(e instanceof Error)) return false;
  const code = 'code' in e ? ` [${String((e as { code: unknown }).code)}]` : '';
  io.err(`nfreplay: ${e.message}${code}\n`);
  io.exit(exitCode);
  return true;
}

/** --host, --local-ip and --iface: the host a replaying command runs the capture on. */
export function withHostOptions(command: Command, hostFile = 'host model (interfaces, addresses, routes, forwarding) as JSON'): Command {
  return command
    .option('--host <file>', hostFile)
    .option('--local-ip <addrs>', "the host's address(es), A[,B] (instead of inferring them)")
    .option('--iface <name>', 'interface name of the inferred single-interface host');
}

/** --seed and --unmodelled, as every replaying command takes them. */
export function withReplayChoices(command: Command, seedNote = ''): Command {
  return command
    .option('--seed <n>', `seed for statistic --mode random and other random choices${seedNote}`, '1')
    .option('--unmodelled <policy>', 'rules using extensions nfreplay cannot evaluate: refuse, assume-match or assume-nomatch', 'refuse');
}

/** A command that replays CAPTURE through --rules on a host, with the choices every replay takes. */
export function replayingCommand(program: Command, name: string, description: string, hostFile?: string): Command {
  const command = program
    .command(name)
    .description(description)
    .argument('<capture>', 'pcap or pcapng file (gzip allowed), or - for standard input')
    .requiredOption('--rules <file>', 'ruleset: iptables-save file or script of iptables commands');
  withHostOptions(command, hostFile);
  return withReplayChoices(command);
}
