/**
 * `nfreplay replay CAPTURE --rules RULES`: the capture through the ruleset as the kernel
 * would run it, then the counters as `iptables -nvL` (or `iptables-save -c`, or JSON).
 */
import { enumerateText, kubeBalance, kubeBalanceText, serviceConnections, type ServiceConnection } from '../report/kube.js';
import { EgressPcaps } from '../engine/egress-pcaps.js';
import { conntrackEventLine, conntrackLine, type ConntrackEventKind, type ConntrackFormat } from '../conntrack/listing.js';
import type { ConnEntry } from '../conntrack/entry.js';
import type { Conntrack } from '../conntrack/tracker.js';
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { compileRuleset, prepare, type Prepared } from '../compile/index.js';
import { rulesetRunners } from '../engine/setup.js';
import { ReplayContext, type LogLine } from '../engine/context.js';
import { replayCapture, replayedTables, type PacketOutcome, type ReplayOptions, type ReplaySummary } from '../engine/replay.js';
import type { PacketState } from '../engine/packet.js';
import { expectedValues, replayExpected } from '../engine/expected.js';
import { Traffic } from '../engine/traffic.js';
import { chainCosts, ReplayHistograms, type ChainCost, type HistogramJson } from '../engine/histograms.js';
import { STATISTIC_MODE, type StatisticState } from '../rules/ext/statistic.js';
import { fractionText, type CounterValues } from '../rules/values.js';
import { counterTables, counterTablesWithText } from '../report/counters.js';
import { renderHtmlReport } from '../report/html.js';
import { traceSelection, TraceSelectionError } from '../engine/trace.js';
import { NflogPcaps } from '../engine/trace-nflog.js';
import { createClassifier, type Host } from '../netfilter/index.js';
import { listTable, saveRuleset, type Ruleset } from '../rules/index.js';
import { ExitCode, type Io } from './io.js';
import { ProgressLine } from './progress.js';
import { replayParallel, rulesetObstacle, SHARED_STATE_MATCHES } from '../engine/parallel.js';
import { appendPart, AtomicFile, DropsOutput, parseAtTime, restartFiles, type CaptureTime, type PerPacketFiles } from './replay-outputs.js';
import { logLine, traceLine, verdictLine } from '../engine/output-lines.js';
import type { PartOutputRequest } from '../engine/part-outputs.js';
import { PcapWriter } from '../capture/writer.js';
import { hostFor, loadRules, replayingCommand, reportInvalidInput, UNMODELLED_POLICIES, type ReplayInputOptions } from './replay-setup.js';

export interface ReplayCliOptions extends ReplayInputOptions {
  output: 'list' | 'save' | 'json';
  numeric?: boolean;
  verbose?: boolean;
  exact?: boolean;
  lineNumbers?: boolean;
  verdicts?: string;
  trace?: string;
  tracePackets?: string;
  traceFilter?: string;
  nflogDir?: string;
  egressDir?: string;
  conntrack?: string;
  conntrackEvents?: string;
  conntrackFormat?: string;
  at?: string;
  drops?: string;
  histograms?: string;
  report?: string;
  workers?: string;
  rejectReplies?: boolean;
  icmpErrors?: boolean;
  services?: string;
  statistic?: string;
  log?: string;
  seed: string;
  dumpCompiled?: boolean;
  quiet?: boolean;
  /** Bytes of records per part of a replay on threads (8 MB unless given; not an option: small values cut small captures into many parts for tests). */
  partBytes?: number;
}

/** Outputs of one sampled path, which --statistic expected (every branch at once) cannot give. */
const SAMPLED_OUTPUTS: ReadonlyArray<[keyof ReplayCliOptions, string]> = [
  ['verdicts', '--verdicts'],
  ['log', '--log'],
  ['trace', '--trace'],
  ['nflogDir', '--nflog-dir'],
  ['egressDir', '--egress-dir'],
  ['conntrack', '--conntrack'],
  ['conntrackEvents', '--conntrack-events'],
  ['drops', '--drops'],
  ['histograms', '--histograms'],
];

/**
 * --statistic expected enumerates each connection's branches in lockstep with every other
 * connection's: state shared between connections follows those worlds, not an expectation.
 */
function warnSharedState(ruleset: Ruleset, io: Io): void {
  const shared = new Set<string>();
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        for (const m of r.matches) {
          const nth = m.ext.name === 'statistic' && (m.state as StatisticState).mode === STATISTIC_MODE.NTH;
          if (SHARED_STATE_MATCHES.has(m.ext.name) || nth) shared.add(nth ? 'statistic --mode nth' : m.ext.name);
        }
      }
    }
  }
  if (shared.size === 0) return;
  io.err(`nfreplay: warning: --statistic expected: ${[...shared].sort().join(', ')} keep state across connections; their counts follow each enumerated branch, not an expectation\n`);
}

/** Capture time of `ns` after the first packet (events of expiry happen between packets). */
function captureTime(first: { sec: number; nsec: number } | undefined, ns: number): { sec: number; nsec: number } {
  const base = first ?? { sec: 0, nsec: 0 };
  const total = base.nsec + (ns % 1e9);
  return { sec: base.sec + Math.floor(ns / 1e9) + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/** The replay's summary lines for stderr. */
export function summaryText(s: ReplaySummary): string {
  const pps = s.seconds > 0 ? Math.round(s.replayed / s.seconds) : 0;
  return (
    `nfreplay: ${s.packetsRead} packets read, ${s.replayed} replayed in ${s.seconds.toFixed(3)} s (${pps} packets/s)\n` +
    `nfreplay: verdicts: ${countsText(s.verdicts)}\n` +
    `nfreplay: not replayed: ${countsText(s.skipped)}\n` +
    `nfreplay: dropped before PREROUTING (malformed): ${countsText(s.malformed)}\n` +
    (Object.keys(s.notes).length > 0 ? `nfreplay: not modelled, counted: ${countsText(s.notes)}\n` : '') +
    expectedText(s) +
    threadsText(s) +
    repliesText(s) +
    egressText(s) +
    (s.interrupted ? `nfreplay: interrupted: the results cover the first ${s.packetsRead} packets read only\n` : '') +
    (s.damage ? `nfreplay: capture damaged at byte ${s.damage.offset}: ${s.damage.message}; results cover the packets before it\n` : '')
  );
}

/** The histograms' percentiles, one line each. */
function histogramsText(s: ReplaySummary): string {
  const h = s.histograms;
  if (h === undefined) return '';
  const line = (j: HistogramJson): string => `p50 ${j.p50}, p90 ${j.p90}, p99 ${j.p99}, p99.9 ${j['p99.9']}, max ${j.max}`;
  return (
    `nfreplay: engine time per packet (ns, 1 in ${h.engineNs.sampleEvery} timed): ${line(h.engineNs)}\n` +
    `nfreplay: rules evaluated per packet (mean ${h.rulesEvaluated.mean}): ${line(h.rulesEvaluated)}\n` +
    chainCostText(h.chains)
  );
}

/** The chains that cost most: rules tested in them per replayed packet. */
function chainCostText(chains: readonly ChainCost[]): string {
  const top = chains.filter((c) => c.evaluated > 0).sort((a, b) => b.evaluated - a.evaluated).slice(0, 5);
  if (top.length === 0) return '';
  return `nfreplay: rules evaluated per packet by chain: ${top.map((c) => `${c.table} ${c.chain} ${c.perPacket}`).join(', ')}${chains.length > top.length ? ' (all in --output json)' : ''}\n`;
}

/** --reject-replies, --icmp-errors: what the host sent, what became of it, and what the kernel would not have sent. */
function repliesText(s: ReplaySummary): string {
  const r = s.replies;
  if (r === undefined) return '';
  return `nfreplay: replies sent: ${countsText(r.sent)}; their verdicts: ${countsText(r.verdicts)}; not sent: ${countsText(r.notSent)}\n`;
}

/** `name count, ...` by name, or "none". */
function countsText(m: Record<string, number>): string {
  return (
    Object.entries(m)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k} ${fractionText(v)}`)
      .join(', ') || 'none'
  );
}

/** Whether any rule of `ruleset` jumps to the target extension `name`. */
function usesTarget(ruleset: Ruleset, name: string): boolean {
  return ruleset.tables.some((t) => [...t.chains.values()].some((c) => c.rules.some((r) => r.target.kind === 'ext' && r.target.instance.ext.name === name)));
}

/** The threads the replay ran on, when more than one or when more were asked for. */
function threadsText(s: ReplaySummary): string {
  const t = s.threads;
  if (t === undefined) return '';
  if (t.workers > 1) return `nfreplay: replayed on ${t.workers} threads\n`;
  return t.oneThreadBecause !== undefined ? `nfreplay: replayed on one thread: ${t.oneThreadBecause}\n` : '';
}

/** How --statistic expected split the draws. */
function expectedText(s: ReplaySummary): string {
  const e = s.expected;
  if (e === undefined) return '';
  const inexact = e.inexactPackets > 0 ? `; ${e.inexactPackets} packets drew after a branch was taken and were sampled instead (counters approximate for them)` : '';
  return `nfreplay: statistic expected: ${e.worlds} replay${e.worlds === 1 ? '' : 's'}, one per branch of the random draws${inexact}\n`;
}

/** The capture's outgoing packets against the replay, with the first mismatches. */
function egressText(s: ReplaySummary): string {
  const e = s.egress;
  if (e === undefined || (e.observed === 0 && e.notObserved === 0)) return '';
  const mismatches = e.differs + e.predictedDropped + e.unexplained + e.notObserved;
  const parts = [`${e.observed} forwarded packets seen leaving (${e.interfaces.join(', ')})`, `${e.matched} as the replay forwarded them`];
  if (e.predictedDropped > 0) parts.push(`${e.predictedDropped} the replay did not forward`);
  if (e.differs > 0) parts.push(`${e.differs} forwarded differently`);
  if (e.unexplained > 0) parts.push(`${e.unexplained} with no arrival in the capture`);
  if (e.notObserved > 0) parts.push(`${e.notObserved} forwarded by the replay but never seen leaving`);
  const shown = e.examples.slice(0, 5).map((x) => `nfreplay:   ${x.packet > 0 ? `#${x.packet}` : `#${x.arrival}`} ${x.kind}: ${x.detail}\n`);
  const more = mismatches > shown.length ? `nfreplay:   (${mismatches - shown.length} more; --output json lists ${e.examples.length})\n` : '';
  return `nfreplay: egress: ${parts.join(', ')}\n` + shown.join('') + (mismatches > 0 ? more : '');
}

export function registerReplayCommand(program: Command, io: Io): void {
  replayingCommand(program, 'replay', 'replay a capture through an iptables ruleset and print the counters iptables would show')
    .option('--output <kind>', 'list (iptables -nvL), save (iptables-save -c) or json', 'list')
    .option('-n, --numeric', 'listing: numeric (default with -v when neither is given)')
    .option('-v, --verbose', 'listing: counters and interfaces')
    .option('-x, --exact', 'listing: exact counters')
    .option('--line-numbers', 'listing: rule numbers')
    .option('--verdicts <file>', 'per-packet verdicts as JSON lines')
    .option('--log <file>', 'LOG and TRACE target lines, with the capture time')
    .option('--trace <file>', 'trace lines (rules hit, and why the rules before did not match) for selected packets')
    .option('--trace-packets <list>', 'packets to trace: numbers and ranges, e.g. 1,5-9')
    .option('--trace-filter <expr>', "packets to trace: e.g. 'src 192.0.2.1 and proto tcp and port 22'")
    .option('--nflog-dir <dir>', 'NFLOG copies, one pcap per group (nflog-<group>.pcap)')
    .option('--egress-dir <dir>', 'what leaves the host, one pcap per interface (egress-<iface>.pcap)')
    .option('--conntrack <file>', 'the conntrack table at the end of the capture, as conntrack -L prints it')
    .option('--services <file>', 'kube-proxy rulesets: connections per service endpoint against the statistic ladder\'s expected shares')
    .option('--statistic <mode>', "statistic --mode random: sample (a seeded draw per packet), expected (each packet's probability split across the branches: fractional expected counters) or enumerate (sample, and list in --services' file every endpoint each connection could reach)", 'sample')
    .option('--conntrack-events <file>', 'conntrack -E style [NEW] [UPDATE] [DESTROY] lines with the capture time')
    .option('--conntrack-format <format>', 'plain (conntrack -L, -E) or extended (-o extended: ipv4     2 first)', 'plain')
    .option('--at <time>', '--conntrack as the table was at TIME: +SECONDS since the first packet, SECONDS since the epoch, or RFC 3339')
    .option('--drops <file>', 'every dropped packet as a pcap, and FILE.json with a line per drop (verdict, hook, table, chain, rule, reason)')
    .option('--histograms <prefix>', 'engine time per packet (ns, one in 16 timed) and rules evaluated per packet as HdrHistogram percentile text: PREFIX.engine-ns.hgrm, PREFIX.rules-evaluated.hgrm')
    .option('--report <file>', 'the results as one self-contained HTML page: rule hits in chain order, cost histograms, conntrack occupancy, kube-proxy endpoint balance')
    .option('--workers <n>', 'replay threads (default 1: more do not pay off yet, see the README); rulesets with state, --statistic enumerate, and captures other than plain pcap files replay on one')
    .option('--reject-replies', "send REJECT's RST or ICMP error through OUTPUT and POSTROUTING, as the kernel does: counted by the rules, in --egress-dir, --verdicts and --trace (off: only noted)")
    .option('--icmp-errors', "send the ICMP errors forwarding and routing send (time exceeded, fragmentation needed, net/host unreachable, prohibited) through OUTPUT and POSTROUTING, as --reject-replies does REJECT's (off: only noted)")
    .option('--interpreter', 'use the reference interpreter instead of the compiled matcher')
    .option('--dump-compiled', 'print the generated matcher code and exit')
    .option('-q, --quiet', 'no summary on stderr')
    .action((capture: string, opts: ReplayCliOptions) => runReplay(capture, opts, io));
}

/** What replayOnThreads needs of the replay command. */
interface ThreadsRequest {
  capture: string;
  opts: ReplayCliOptions;
  ruleset: Ruleset;
  host: Host;
  histograms: ReplayHistograms | undefined;
  traffic: Traffic | undefined;
  /** The per-packet outputs asked for: the threads make them, the parts are appended here. */
  files: PerPacketFiles;
  /** --statistic enumerate, whose connections are gathered from every packet's path on one thread. */
  enumerate: boolean;
  signal: AbortSignal;
  onProgress: ((packets: number, readBytes: number, totalBytes: number | undefined) => void) | undefined;
  /** The path warnings of the replay (the classifier's list): the threads' are added. */
  warnings: string[];
}

/**
 * The replay on --workers threads (parallel.ts) when the ruleset, the outputs and the
 * capture allow it: the sums go into the ruleset's counters and `histograms`. Otherwise
 * the one-thread replay is to run: the threads and why (when more than one was asked for).
 */
async function replayOnThreads(r: ThreadsRequest): Promise<{ summary: ReplaySummary; prepared: Prepared } | { workers: number; oneThreadBecause?: string }> {
  // One unless asked: on the machines measured, threads do not yet beat one (README, Parallel replay).
  const workers = r.opts.workers !== undefined ? Number(r.opts.workers) : 1;
  if (workers <= 1) return { workers: 1 };
  const why = r.enumerate
    ? '--statistic enumerate gathers connections from every packet'
    : r.capture === '-'
      ? 'the capture is standard input'
      : r.opts.icmpErrors === true || (r.opts.rejectReplies === true && usesTarget(r.ruleset, 'REJECT'))
        ? `${r.opts.icmpErrors === true ? '--icmp-errors' : '--reject-replies'}: ICMP errors' rate limits count every packet's`
        : rulesetObstacle(r.ruleset);
  // Why one thread is said only to who asked for more.
  const oneThread = (because: string): { workers: number; oneThreadBecause?: string } => (r.opts.workers !== undefined ? { workers: 1, oneThreadBecause: because } : { workers: 1 });
  if (why !== undefined) return oneThread(why);
  // The main thread's numbering of rules and chains, which the threads' results follow.
  const tables = replayedTables(r.ruleset);
  const prepared = prepare(r.ruleset, new ReplayContext({ host: r.host, seed: Number(r.opts.seed) }), tables, { unmodelled: r.opts.unmodelled, tables, chainCost: r.histograms !== undefined });
  const f = r.files;
  const outputs: PartOutputRequest = {
    verdicts: f.verdicts !== undefined,
    log: f.log !== undefined,
    trace: f.trace && { packets: r.opts.tracePackets, filter: r.opts.traceFilter },
    nflog: f.nflog !== undefined,
    egress: f.egress !== undefined,
    drops: f.drops !== undefined,
  };
  const anyOutput = Object.values(f).some((file) => file !== undefined);
  const result = await replayParallel({
    capture: r.capture,
    rulesPath: r.opts.rules,
    ruleset: r.ruleset,
    task: { hostSpec: r.host.spec, unmodelled: r.opts.unmodelled, interpreter: r.opts.interpreter === true, histograms: r.histograms !== undefined, outputs: anyOutput ? outputs : undefined },
    workers,
    partBytes: r.opts.partBytes,
    signal: r.signal,
    onProgress: r.onProgress,
    traffic: r.traffic,
    onPart: (part) => appendPart(f, part),
  });
  if ('sequential' in result) {
    // The one-thread replay writes every file from its first packet.
    restartFiles(f);
    return oneThread(result.sequential);
  }
  r.warnings.push(...result.warnings);
  prepared.counters.targets.forEach((t, n) => {
    t.counters.packets += BigInt(result.counts[2 * n] ?? 0);
    t.counters.bytes += BigInt(result.counts[2 * n + 1] ?? 0);
  });
  if (result.chainEvaluated !== undefined) prepared.chainEvaluated?.set(result.chainEvaluated);
  for (const h of result.histograms) r.histograms?.addEncoded(h.engineNs, h.rulesEvaluated);
  return { summary: { ...result.summary, threads: { workers } }, prepared };
}

/** conntrack -E -o timestamp lines into `file`: "[sec.usec]", a tab, the event. */
function conntrackEventWriter(file: AtomicFile, format: ConntrackFormat): NonNullable<ReplayOptions['conntrackEvents']> {
  const event = (kind: ConntrackEventKind, e: ConnEntry, sec: number, nsec: number, nowNs: number): void =>
    file.write(`[${sec}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}]\t${conntrackEventLine(kind, e, nowNs, format)}\n`);
  // DESTROY happens between packets, at a time given since the first packet: its time is needed.
  let firstTs: { sec: number; nsec: number } | undefined;
  return {
    onNew: (e, p) => {
      if (firstTs === undefined) {
        // The first packet's time: this one's less the time since it.
        let sec = p.tsSec - Math.floor(p.nowNs / 1e9);
        let nsec = p.tsNsec - (p.nowNs % 1e9);
        if (nsec < 0) {
          nsec += 1e9;
          sec -= 1;
        }
        firstTs = { sec, nsec };
      }
      event('NEW', e, p.tsSec, p.tsNsec, p.nowNs);
    },
    onUpdate: (e, p) => event('UPDATE', e, p.tsSec, p.tsNsec, p.nowNs),
    onDestroy: (e, atNs) => {
      const t = captureTime(firstTs, atNs);
      event('DESTROY', e, t.sec, t.nsec, atNs);
    },
  };
}

/** The replay command's work, also used by `nfreplay demo`. */
/** What the options ask for once checked. */
interface Checked {
  statistic: 'sample' | 'expected' | 'enumerate';
  ctFormat: ConntrackFormat;
  at: CaptureTime | undefined;
  selectTrace: ((pkt: PacketState) => boolean) | undefined;
}

/** The options checked against each other; a usage error's message otherwise. */
function checkOptions(opts: ReplayCliOptions): Checked | string {
  if (!['list', 'save', 'json'].includes(opts.output)) return '--output must be list, save or json';
  if (!UNMODELLED_POLICIES.includes(opts.unmodelled)) return '--unmodelled must be refuse, assume-match or assume-nomatch';
  const statistic = opts.statistic ?? 'sample';
  if (statistic !== 'sample' && statistic !== 'expected' && statistic !== 'enumerate') return '--statistic must be sample, expected or enumerate';
  const sampledOnly = statistic === 'expected' ? SAMPLED_OUTPUTS.filter(([key]) => opts[key] !== undefined).map(([, flag]) => flag) : [];
  if (sampledOnly.length > 0) {
    return `--statistic expected gives expected counters over every branch; ${sampledOnly.join(', ')} follow${sampledOnly.length === 1 ? 's' : ''} one sampled path: use --statistic sample`;
  }
  // The worlds weigh each packet's counts once it is done; a reply comes after.
  if (statistic === 'expected' && (opts.rejectReplies === true || opts.icmpErrors === true)) {
    return `--statistic expected does not replay the host's replies: use --statistic sample with ${opts.rejectReplies === true ? '--reject-replies' : '--icmp-errors'}`;
  }
  if (statistic === 'enumerate' && opts.services === undefined) return '--statistic enumerate lists the endpoints in the --services file: give --services FILE';
  if ((opts.tracePackets !== undefined || opts.traceFilter !== undefined) && opts.trace === undefined) return '--trace-packets and --trace-filter need --trace FILE';
  if (opts.workers !== undefined && !/^[1-9]\d{0,3}$/.test(opts.workers)) return '--workers must be a number of threads from 1';
  const ctFormat = opts.conntrackFormat ?? 'plain';
  if (ctFormat !== 'plain' && ctFormat !== 'extended') return '--conntrack-format must be plain or extended';
  if (ctFormat !== 'plain' && opts.conntrack === undefined && opts.conntrackEvents === undefined) return '--conntrack-format needs --conntrack FILE or --conntrack-events FILE';
  let at: CaptureTime | undefined;
  if (opts.at !== undefined) {
    if (opts.conntrack === undefined) return '--at needs --conntrack FILE';
    try {
      at = parseAtTime(opts.at);
    } catch (e) {
      return (e as Error).message;
    }
  }
  let selectTrace: Checked['selectTrace'];
  try {
    if (opts.trace !== undefined) selectTrace = traceSelection(opts.tracePackets, opts.traceFilter);
  } catch (e) {
    if (!(e instanceof TraceSelectionError)) throw e;
    return `${e.message} [${e.code}]`;
  }
  return { statistic, ctFormat, at, selectTrace };
}

/** The replay command's work, also used by `nfreplay demo`. */
export async function runReplay(capture: string, opts: ReplayCliOptions, io: Io): Promise<void> {
  const checked = checkOptions(opts);
  if (typeof checked === 'string') {
    io.err(`nfreplay: ${checked}\n`);
    return io.exit(ExitCode.Usage);
  }
  const { statistic, ctFormat, at, selectTrace } = checked;
  const enumerate = statistic === 'enumerate';
  const connections: ServiceConnection[] = [];
  const files: Array<{ commit(): void; abort(): void }> = [];
  try {
    const ruleset = loadRules(opts.rules, io);
    const host = await hostFor(capture, opts, io);
    if (opts.dumpCompiled) {
      const runner = compileRuleset(ruleset, new ReplayContext({ host, seed: Number(opts.seed) }), {
        unmodelled: opts.unmodelled,
        tables: replayedTables(ruleset),
      });
      io.out(runner.source());
      return;
    }
    const verdictFile = opts.verdicts !== undefined ? new AtomicFile(opts.verdicts) : undefined;
    const logFile = opts.log !== undefined ? new AtomicFile(opts.log) : undefined;
    if (verdictFile) files.push(verdictFile);
    if (logFile) files.push(logFile);
    const traceFile = opts.trace !== undefined ? new AtomicFile(opts.trace) : undefined;
    if (traceFile) files.push(traceFile);
    if (opts.nflogDir !== undefined) mkdirSync(opts.nflogDir, { recursive: true });
    const nflog = opts.nflogDir !== undefined ? new NflogPcaps(opts.nflogDir, PcapWriter.open) : undefined;
    if (nflog) files.push({ commit: () => nflog.close(), abort: () => nflog.abort() });
    if (opts.egressDir !== undefined) mkdirSync(opts.egressDir, { recursive: true });
    const egress = opts.egressDir !== undefined ? new EgressPcaps(opts.egressDir, host, PcapWriter.open) : undefined;
    if (egress) files.push({ commit: () => egress.close(), abort: () => egress.abort() });
    const ctFile = opts.conntrack !== undefined ? new AtomicFile(opts.conntrack) : undefined;
    if (ctFile) files.push(ctFile);
    const eventFile = opts.conntrackEvents !== undefined ? new AtomicFile(opts.conntrackEvents) : undefined;
    if (eventFile) files.push(eventFile);
    const drops = opts.drops !== undefined ? new DropsOutput(opts.drops) : undefined;
    if (drops) files.push(drops);
    /** The table's live entries at `nowNs`, as conntrack -L lists them. */
    const listTable = (ct: Conntrack, nowNs: number): void => {
      for (const e of ct.table.entries) if (e.expiresNs > nowNs) ctFile!.write(conntrackLine(e, nowNs, true, ctFormat) + '\n');
    };
    const reportFile = opts.report !== undefined ? new AtomicFile(opts.report) : undefined;
    if (reportFile) files.push(reportFile);
    // Engine time and rules evaluated per packet (and per chain), for --histograms, the JSON and the report.
    const histograms = statistic !== 'expected' && (opts.histograms !== undefined || opts.output === 'json' || reportFile !== undefined) ? new ReplayHistograms() : undefined;
    const runners = rulesetRunners(ruleset, { unmodelled: opts.unmodelled, interpreter: opts.interpreter, chainCost: histograms !== undefined });
    // Packets, bytes and new connections over capture time, for the JSON and the report.
    const traffic = statistic !== 'expected' && (opts.output === 'json' || reportFile !== undefined) ? new Traffic() : undefined;
    const classify = createClassifier(host);
    const replay: ReplayOptions = {
      capture,
      ruleset,
      host,
      classify,
      seed: Number(opts.seed),
      runner: runners.runner,
      tracedRunner: runners.tracedRunner,
      rejectReplies: opts.rejectReplies === true,
      icmpErrors: opts.icmpErrors === true,
    };
    // The threads' numbering of counters when the replay ran on threads, else the runner's.
    let prepared: Prepared | undefined;
    let values: CounterValues | undefined;
    let summary: ReplaySummary;
    if (statistic === 'expected') {
      warnSharedState(ruleset, io);
      const expected = await replayExpected(replay, Number(opts.seed));
      summary = expected.summary;
      values = expectedValues(runners.prepared()!.counters.targets, expected.counts);
    } else {
      // Ctrl-C stops the replay between packets; what was done is printed, marked partial.
      const controller = new AbortController();
      const interrupt = (): void => controller.abort();
      process.once('SIGINT', interrupt);
      const progress = io.errIsTty === true && !opts.quiet ? new ProgressLine((t) => io.err(t)) : undefined;
      try {
        const perPacket: PerPacketFiles = { verdicts: verdictFile, log: logFile, trace: traceFile, nflog, egress, drops };
        const threads = await replayOnThreads({ capture, opts, ruleset, host, histograms, traffic, files: perPacket, enumerate, signal: controller.signal, onProgress: progress?.update, warnings: classify.warnings });
        if ('summary' in threads) ({ summary, prepared } = threads);
        else summary = await replayCapture({
          ...replay,
          histograms,
          traffic,
          signal: controller.signal,
          onProgress: progress?.update,
          // --drops names the rule that dropped each packet: every packet's path is recorded.
          paths: verdictFile !== undefined || drops !== undefined || enumerate,
          trace: traceFile && selectTrace ? { select: selectTrace, onLine: (p, text) => traceFile.write(traceLine(p, text)) } : undefined,
          onNflog: nflog ? (group, _prefix, p, size) => nflog.write(group, p, size) : undefined,
          onEgress: egress ? (p, iface) => egress.write(p, iface) : undefined,
          conntrackEvents: eventFile && conntrackEventWriter(eventFile, ctFormat),
          onConntrack: ctFile && at === undefined ? (ct) => listTable(ct, ct.nowNs) : undefined,
          snapshotAt: at,
          onSnapshot: ctFile && at !== undefined ? listTable : undefined,
          occupancy: opts.output === 'json' || reportFile !== undefined,
          onDrop: drops ? (d) => drops.write(d) : undefined,
          onLog: logFile ? (l: LogLine) => logFile.write(logLine(l)) : undefined,
          onVerdict:
            verdictFile || enumerate
              ? (o: PacketOutcome) => {
                  verdictFile?.write(verdictLine(o));
                  if (enumerate && o.path !== undefined) serviceConnections(o.packet, o.path, connections);
                }
              : undefined,
          onReply: verdictFile ? (o: PacketOutcome) => verdictFile.write(verdictLine(o)) : undefined,
        });
        if (!('summary' in threads)) summary.threads = threads;
      } finally {
        process.removeListener('SIGINT', interrupt);
        progress?.clear();
      }
    }
    for (const w of classify.warnings) io.err(`nfreplay: warning: ${w}\n`);
    if (drops && drops.unwritten > 0) io.err(`nfreplay: warning: --drops: ${drops.unwritten} dropped packets of another link type than the first one's are only in ${opts.drops}.json\n`);
    if (opts.services !== undefined) {
      const f = new AtomicFile(opts.services);
      files.push(f);
      const services = kubeBalance(ruleset, values);
      f.write(kubeBalanceText(services));
      if (enumerate) f.write(`\n${enumerateText(services, connections)}`);
    }
    if (histograms !== undefined && opts.histograms !== undefined) {
      for (const [name, h] of [['engine-ns', histograms.engineNs], ['rules-evaluated', histograms.rulesEvaluated]] as const) {
        const f = new AtomicFile(`${opts.histograms}.${name}.hgrm`);
        files.push(f);
        f.write(ReplayHistograms.text(h));
      }
    }
    if (histograms !== undefined) summary.histograms = { ...histograms.json(), chains: chainCosts((prepared ?? runners.prepared())!, summary.replayed) };
    reportFile?.write(
      renderHtmlReport({
        capture: capture === '-' ? 'standard input' : capture,
        rules: opts.rules,
        statistic,
        summary,
        tables: counterTablesWithText(ruleset, values),
        services: kubeBalance(ruleset, values),
      }),
    );
    for (const f of files) f.commit();
    files.length = 0;
    printCounters(ruleset, summary, opts, io, values);
    if (!opts.quiet) io.err(summaryText(summary) + (opts.histograms !== undefined ? histogramsText(summary) : ''));
    if (summary.interrupted) io.exit(ExitCode.Interrupted);
    else if (summary.damage) io.exit(3);
  } catch (e) {
    for (const f of files) f.abort();
    if (reportInvalidInput(e, io)) return;
    throw e;
  }
}

/** `values`: counters to print instead of the model's (--statistic expected). */
function printCounters(ruleset: Ruleset, summary: ReplaySummary, opts: ReplayCliOptions, io: Io, values: CounterValues | undefined): void {
  if (opts.output === 'save') {
    io.out(saveRuleset(ruleset, { counters: true, values }));
    return;
  }
  if (opts.output === 'json') {
    const services = kubeBalance(ruleset, values);
    io.out(JSON.stringify({ summary, tables: counterTables(ruleset, values), ...(services.length > 0 ? { services } : {}) }, null, 2) + '\n');
    return;
  }
  const neither = !opts.numeric && !opts.verbose;
  for (const table of ruleset.tables) {
    io.out(`# iptables -t ${table.name}\n`);
    io.out(
      listTable(table, {
        numeric: neither || (opts.numeric ?? false),
        verbose: neither || (opts.verbose ?? false),
        exact: opts.exact ?? false,
        lineNumbers: opts.lineNumbers ?? false,
        values,
      }) ?? '',
    );
    io.out('\n');
  }
}
