/**
 * `nfreplay capacity CAPTURE --rules RULES`: the capture's traffic profile and projections at
 * N times its traffic (src/analysis/capacity.ts), as text or JSON.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { capacityReport, type CapacityReport, type Projection, type Rate } from '../analysis/capacity.js';
import { CalibrationError, readCalibration } from '../analysis/calibrate.js';
import type { UnmodelledPolicy } from '../compile/index.js';
import { loadRulesetText, readRulesetSource } from '../rules/index.js';
import { ExitCode, type Io } from './io.js';
import { hostFor, replayingCommand, reportInvalidInput } from './replay-setup.js';
import { AtomicFile } from './replay-outputs.js';
import { counterTablesWithText } from '../report/counters.js';
import { renderHtmlReport } from '../report/html.js';
import { kubeBalance } from '../report/kube.js';
import type { CapacityReport as CapacitySection, ReportData } from '../report/report-data.js';

interface CapacityCliOptions {
  rules: string;
  host?: string;
  localIp?: string;
  iface?: string;
  seed: string;
  unmodelled: UnmodelledPolicy;
  scale: string;
  calibration?: string;
  kubeServices: string;
  output: string;
  report?: string;
}

export function registerCapacityCommand(program: Command, io: Io): void {
  replayingCommand(program, 'capacity', "a capture's traffic profile, and the conntrack table and kernel CPU at N times its traffic", 'host model (interfaces, addresses, routes, forwarding, sysctls such as nf_conntrack_max) as JSON')
    .option('--scale <list>', 'traffic multiples to project, e.g. 2,5,10', '2,5,10')
    .option('--calibration <file>', 'kernel cost per rule and per packet measured by nfreplay calibrate (without it: no CPU estimate)')
    .option('--kube-services <list>', 'kube-proxy rulesets: service counts to replay the capture at, e.g. 1000,10000', '1000,10000')
    .option('--output <kind>', 'text or json', 'text')
    .option('--report <file>', 'the results as one self-contained HTML page: rule hits, cost histogram, conntrack occupancy, traffic over time, the projections')
    .action((capture: string, opts: CapacityCliOptions) => runCapacity(capture, opts, io));
}

/** A comma-separated list of numbers each accepted by `ok`, or undefined. */
function numberList(text: string, ok: (n: number) => boolean): number[] | undefined {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((s) => !/^\d+(\.\d+)?$/.test(s))) return undefined;
  const values = parts.map(Number);
  return values.every(ok) ? [...new Set(values)].sort((a, b) => a - b) : undefined;
}

function checkOptions(opts: CapacityCliOptions): { scales: number[]; kubeServices: number[] } | string {
  if (opts.output !== 'text' && opts.output !== 'json') return '--output must be text or json';
  if (!['refuse', 'assume-match', 'assume-nomatch'].includes(opts.unmodelled)) return '--unmodelled must be refuse, assume-match or assume-nomatch';
  const scales = numberList(opts.scale, (n) => n >= 1 && n <= 1e6);
  if (scales === undefined) return '--scale must list traffic multiples from 1 to 1000000, e.g. 2,5,10';
  const kubeServices = numberList(opts.kubeServices, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000);
  if (kubeServices === undefined) return '--kube-services must list whole numbers of services from 1 to 100000, e.g. 1000,10000';
  return { scales, kubeServices };
}

export async function runCapacity(capture: string, opts: CapacityCliOptions, io: Io): Promise<void> {
  const checked = checkOptions(opts);
  if (typeof checked === 'string') {
    io.err(`nfreplay: ${checked}\n`);
    return io.exit(ExitCode.Usage);
  }
  try {
    const calibration = opts.calibration !== undefined ? { file: opts.calibration, data: readCalibration(opts.calibration) } : undefined;
    // Read once: every replay of the report goes through the same bytes and text.
    const bytes = capture === '-' ? new Uint8Array(readFileSync(0)) : undefined;
    const { text, source } = readRulesetSource(opts.rules);
    const { warnings } = loadRulesetText(text, { source });
    for (const w of warnings) io.err(`nfreplay: warning: ${w}\n`);
    const host = await hostFor(bytes ?? capture, opts, io);
    let base: Omit<ReportData, 'capacity'> | undefined;
    const report = await capacityReport({
      capture: bytes ?? capture,
      loadRuleset: () => loadRulesetText(text, { source }).ruleset,
      host,
      seed: Number(opts.seed),
      unmodelled: opts.unmodelled,
      scales: checked.scales,
      calibration,
      kubeServices: checked.kubeServices,
      onBaseReplay: (ruleset, summary, histograms) => {
        if (opts.report === undefined) return;
        base = {
          capture: capture === '-' ? 'standard input' : capture,
          rules: opts.rules,
          statistic: 'sample',
          // The per-chain cost is the replay command's (--report there).
          summary: { ...summary, histograms: { ...histograms.json(), chains: [] } },
          tables: counterTablesWithText(ruleset, undefined),
          services: kubeBalance(ruleset, undefined),
        };
      },
    });
    if (opts.report !== undefined) {
      const file = new AtomicFile(opts.report);
      file.write(renderHtmlReport({ ...base!, capacity: capacityForReport(report) }));
      file.commit();
    }
    io.out(opts.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : capacityText(report));
    if (report.capture.damage !== undefined) io.exit(3);
  } catch (e) {
    if (reportInvalidInput(e, io, ExitCode.Invalid, [CalibrationError])) return;
    throw e;
  }
}

/** The projections as the HTML report shows them. */
function capacityForReport(r: CapacityReport): CapacitySection {
  return {
    // No table (a ruleset without conntrack): the peaks are 0 against the host's limit.
    conntrackMax: r.conntrack?.max ?? 0,
    calibration: r.calibration !== null ? { name: r.calibration.file, nsPerRule: r.calibration.nsPerRule } : null,
    projections: r.projections.map((p) => ({
      scale: p.scale,
      ppsPeak: p.packetsPerSecond.peak,
      newConnsPeak: p.newConnectionsPerSecond.peak,
      conntrackPeak: p.conntrack?.peak ?? 0,
      fullAtSec: p.conntrack?.overflow != null ? p.conntrack.fullAt : null,
      cpuFraction: p.cpu?.peakCores ?? null,
    })),
  };
}

/** A figure for reading: whole numbers as they are, others to 3 significant digits (at least units). */
function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  return String(Number(x.toPrecision(3)));
}

function rateText(r: Rate): string {
  return `peak ${num(r.peak)} (at ${num(r.peakAt)} s), p99 ${num(r.p99)}, mean ${num(r.mean)}`;
}

function percent(x: number): string {
  return `${num(100 * x)}%`;
}

/** The report as text: profile, calibration, projections, kube-proxy scaling, the model. */
export function capacityText(r: CapacityReport): string {
  const out: string[] = [];
  const c = r.capture;
  const per = c.binSeconds === 1 ? 'per second' : `per second, over ${c.binSeconds}-second bins`;
  out.push(`capture: ${c.replayed} packets replayed of ${c.packetsRead} read, over ${c.bins * c.binSeconds} s (rates ${per}; p99 of the bins, idle ones included)`);
  if (c.damage !== undefined) out.push(`capture damaged at ${c.damage}: the report covers the packets before it`);
  const t = r.traffic;
  out.push(`packets/s: ${rateText(t.packetsPerSecond)}`);
  out.push(`bytes/s: ${rateText(t.bytesPerSecond)}`);
  out.push(`new connections/s (conntrack entries confirmed): ${rateText(t.newConnectionsPerSecond)}`);
  let from = 0;
  const sizes = t.sizes.map((s) => {
    const label = s.upTo === null ? `>${from}` : `${from + 1}-${s.upTo}`;
    from = s.upTo ?? from;
    return `${label} ${percent(s.share)}`;
  });
  out.push(`sizes (IP total length, bytes): ${sizes.join(', ')}`);
  const ct = r.conntrack;
  if (ct === null) out.push('conntrack: the ruleset does not use it (no table)');
  else {
    out.push(
      `conntrack: peak ${ct.peak} entries (sampled each second: ${ct.sampledPeak[1]} at ${num(ct.sampledPeak[0])} s), ${ct.final} at the end; nf_conntrack_max ${ct.max} (${ct.maxFrom})`,
    );
  }
  const re = r.rulesEvaluated;
  out.push(`rules evaluated per packet: mean ${num(re.mean)}, p50 ${re.p50}, p99 ${re.p99}, max ${re.max}; per second: peak ${num(re.perSecond.peak)}, p99 ${num(re.perSecond.p99)}`);
  const cal = r.calibration;
  if (cal === null) {
    out.push('calibration: none given: no CPU estimate (run `nfreplay calibrate` as root on the machine to plan for, then --calibration FILE)');
  } else {
    out.push(
      `calibration: ${cal.file}, measured ${cal.date} on kernel ${cal.kernel}, ${cal.cpu}, iptables ${cal.iptables}: ${num(cal.nsPerRule)} ns per rule evaluated, ${num(cal.nsPerPacket)} ns per packet besides the rules (R² ${cal.r2})`,
    );
  }
  out.push('');
  out.push('projections: N copies of every connection with the same timing (N × packets, new connections, rules evaluated and conntrack entries at every moment)');
  for (const p of r.projections) out.push(...projectionText(p));
  if (r.kube !== null) out.push('', ...kubeText(r));
  out.push('', ...modelText(r));
  if (Object.keys(r.notes).length > 0) {
    out.push(`counted by the replay of the capture as it is (×1): ${Object.entries(r.notes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return out.join('\n') + '\n';
}

function projectionText(p: Projection): string[] {
  const lines = [
    `×${num(p.scale)}: packets/s peak ${num(p.packetsPerSecond.peak)}, p99 ${num(p.packetsPerSecond.p99)}; new connections/s peak ${num(p.newConnectionsPerSecond.peak)}, p99 ${num(p.newConnectionsPerSecond.p99)}; rules evaluated/s peak ${num(p.rulesPerSecond.peak)}, p99 ${num(p.rulesPerSecond.p99)}`,
  ];
  if (p.cpu !== null) {
    lines.push(
      `    kernel CPU: ${num(p.cpu.peakCores)} of one core at the peak second, ${num(p.cpu.p99Cores)} at p99 (${num(p.cpu.nsPerPacket)} ns per packet; the rule walk alone ${num(p.cpu.ruleWalkPeakCores)} at the peak)`,
    );
  } else lines.push('    kernel CPU: needs a calibration (nfreplay calibrate)');
  const ct = p.conntrack;
  if (ct !== null) {
    const share = ct.max > 0 ? ` (${percent(ct.peak / ct.max)} of nf_conntrack_max ${ct.max})` : ' (nf_conntrack_max 0: no limit)';
    if (ct.overflow === null) lines.push(`    conntrack: peak ${num(ct.peak)} entries${share}: never full`);
    else {
      const o = ct.overflow;
      const when = ct.fullAt !== null ? `full from ${num(ct.fullAt)} s` : 'full between the per-second samples';
      lines.push(`    conntrack: peak ${num(ct.peak)} entries${share}: ${when}`);
      const refused =
        o.refusedPackets === 0
          ? 'no packet dropped for want of an entry'
          : `${num(o.refusedConnections)} connections had packets dropped for want of an entry (${num(o.refusedPackets)} packets, peak ${num(o.refusedPerSecond.peak)}/s at ${o.refusedPerSecond.peakAt} s, first at ${num(o.firstRefusedAt!)} s)`;
      lines.push(`    then (the capture through a table of ${o.tableSize}, × ${num(p.scale)}): early_drop evicted ${num(o.earlyDrops)} entries not ASSURED; ${refused}`);
    }
  }
  return lines;
}

function kubeText(r: CapacityReport): string[] {
  const k = r.kube!;
  const lines = [
    `kube-proxy: ${k.services} service${k.services === 1 ? '' : 's'}, endpoints per service ${k.endpointsPerService}; the capture replayed with services added in kube-proxy's rule shapes, at addresses and ports it does not use`,
  ];
  const rows = [['services', 'rules', 'rules/packet mean', 'p99', 'rules/s at peak', 'CPU peak', 'CPU p99']];
  for (const row of k.rows) {
    rows.push([String(row.services), String(row.rules), num(row.rulesEvaluated.mean), String(row.rulesEvaluated.p99), num(row.rulesPerSecondPeak), row.cpu ? num(row.cpu.peakCores) : '-', row.cpu ? num(row.cpu.p99Cores) : '-']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) lines.push('  ' + row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  const hits = k.rows.filter((row) => row.addedRuleHits > 0);
  for (const row of hits) lines.push(`  warning: at ${row.services} services the capture hit added rules ${row.addedRuleHits} times (it uses their addresses or ports): that row counts them`);
  if (k.skipped.length > 0) lines.push(`  not replayed (not above the ruleset's ${k.services} services): ${k.skipped.join(', ')}`);
  if (r.calibration === null) lines.push('  CPU: needs a calibration (nfreplay calibrate)');
  return lines;
}

/** The model's assumptions, so the figures are read for what they are. */
function modelText(r: CapacityReport): string[] {
  const lines = [
    'model: rules evaluated per packet as the kernel\'s linear walk (ipt_do_table) tests them, mean over the capture; CPU = packets/s × (calibrated ns per packet + mean rules × calibrated ns per rule), one core = 1.',
    'not in the CPU estimate: conntrack lookups and NAT, the NIC and driver, and rules slower than the calibration\'s (which fail on their destination address); the per-packet base is the calibration path\'s (UDP over veth), not this host\'s.',
  ];
  if (r.conntrack !== null) {
    lines.push(
      'conntrack at ×N: the table holds N × the entries at each moment (same timeouts); past nf_conntrack_max the kernel first evicts an entry that is not ASSURED (early_drop in __nf_conntrack_alloc), else drops the packet that needed a new entry ("nf_conntrack: table full, dropping packet"); replayed as the capture through a table of max ÷ N, counts × N.',
    );
  }
  return lines;
}
