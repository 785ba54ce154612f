/**
 * `nfreplay calibrate`: measures this machine's kernel cost per rule and per packet
 * (src/analysis/calibrate.ts) and writes it as JSON for `nfreplay capacity --calibration`.
 */
import type { Command } from 'commander';
import { calibrate, CalibrationError, type Calibration, type CalibrationRun } from '../analysis/calibrate.js';
import { ExitCode, type Io } from './io.js';
import { AtomicFile } from './replay-outputs.js';

interface CalibrateCliOptions {
  output: string;
  rules?: string;
  repetitions?: string;
  seconds?: string;
  backend: string;
  quick?: boolean;
  quiet?: boolean;
}

/** The default run (about 25 s) and --quick's (a few seconds, for tests). */
const DEFAULTS = { rules: [0, 1000, 2000, 4000], repetitions: 3, seconds: 1.5 };
const QUICK = { rules: [0, 500, 1000], repetitions: 2, seconds: 0.3 };

export function registerCalibrateCommand(program: Command, io: Io): void {
  program
    .command('calibrate')
    .description("measure this machine's kernel time per iptables rule and per packet (root; network namespaces) for nfreplay capacity")
    .option('--output <file>', 'where the calibration JSON goes', 'nfreplay-calibration.json')
    .option('--rules <list>', `numbers of no-match rules to measure (default ${DEFAULTS.rules.join(',')})`)
    .option('--repetitions <n>', `runs per number of rules (default ${DEFAULTS.repetitions})`)
    .option('--seconds <s>', `seconds per run (default ${DEFAULTS.seconds})`)
    .option('--backend <name>', 'iptables backend: auto (the iptables command), nft or legacy', 'auto')
    .option('--quick', `a short run: rules ${QUICK.rules.join(',')}, ${QUICK.repetitions} repetitions of ${QUICK.seconds} s`)
    .option('-q, --quiet', 'no progress lines on stderr')
    .action((opts: CalibrateCliOptions) => runCalibrate(opts, io));
}

/** The options as numbers, or a usage error's message. */
function checkOptions(opts: CalibrateCliOptions): { rules: number[]; repetitions: number; seconds: number; backend: 'auto' | 'nft' | 'legacy' } | string {
  const base = opts.quick ? QUICK : DEFAULTS;
  const rules = opts.rules !== undefined ? opts.rules.split(',').map((s) => (/^\d{1,6}$/.test(s.trim()) ? Number(s) : NaN)) : base.rules;
  if (rules.some((n) => Number.isNaN(n)) || new Set(rules).size < 2) return '--rules must list at least two different numbers of rules, e.g. 0,1000,2000';
  const repetitions = opts.repetitions !== undefined ? Number(opts.repetitions) : base.repetitions;
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 100) return '--repetitions must be a whole number from 1 to 100';
  const seconds = opts.seconds !== undefined ? Number(opts.seconds) : base.seconds;
  if (!(seconds >= 0.05 && seconds <= 60)) return '--seconds must be from 0.05 to 60';
  if (opts.backend !== 'auto' && opts.backend !== 'nft' && opts.backend !== 'legacy') return '--backend must be auto, nft or legacy';
  return { rules: [...new Set(rules)].sort((a, b) => a - b), repetitions, seconds, backend: opts.backend };
}

function runLine(r: CalibrationRun): string {
  return `nfreplay: ${String(r.rules).padStart(5)} rules, run ${r.repetition}: ${r.sent} datagrams, ${r.packetsPerSecond} /s, ${r.kernelNsPerPacket} ns kernel time each\n`;
}

/** The result in a few lines: the fit, its quality, and what it was measured on. */
export function calibrationText(c: Calibration, file: string): string {
  const spread = c.fit.perRules.map((p) => `${p.rules}: ${p.mean} (${p.min}-${p.max})`).join(', ');
  return (
    `calibration written to ${file}\n` +
    `kernel ${c.kernel}, ${c.cpu.model} (${c.cpu.count} CPUs), iptables ${c.iptables.version} (${c.iptables.backend})\n` +
    `per rule evaluated: ${c.nsPerRule} ns; per packet besides the rules: ${c.nsPerPacket} ns (R² ${c.fit.r2})\n` +
    `slope per repetition: ${c.fit.slopePerRepetition.join(', ')} ns\n` +
    `kernel ns per datagram by rules (mean, range): ${spread}\n`
  );
}

export async function runCalibrate(opts: CalibrateCliOptions, io: Io): Promise<void> {
  const checked = checkOptions(opts);
  if (typeof checked === 'string') {
    io.err(`nfreplay: ${checked}\n`);
    return io.exit(ExitCode.Usage);
  }
  // Ctrl-C stops the run; the namespaces are deleted on the way out.
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const c = await calibrate({
      rules: checked.rules,
      repetitions: checked.repetitions,
      secondsPerRun: checked.seconds,
      backend: checked.backend,
      signal: controller.signal,
      onRun: opts.quiet ? undefined : (r) => io.err(runLine(r)),
    });
    const file = new AtomicFile(opts.output);
    file.write(JSON.stringify(c, null, 2) + '\n');
    file.commit();
    io.out(calibrationText(c, opts.output));
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    io.err(`nfreplay: calibrate: ${e.message} [${e.code}]\n`);
    io.exit(controller.signal.aborted ? ExitCode.Interrupted : ExitCode.Invalid);
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}
