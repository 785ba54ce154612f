/**
 * The replay loop: every packet of a capture, decoded, placed on its path through the
 * host (received → PREROUTING → routing → INPUT or FORWARD → POSTROUTING; locally
 * generated → OUTPUT → POSTROUTING), and run through each table of each hook in the
 * kernel's order, stopping at the first DROP. Counters accumulate in the table runner and
 * are written into the ruleset model at the end, so the printers show them as
 * `iptables -nvL` would.
 */
import { openCapture } from '../capture/reader.js';
import type { CaptureInterface, PacketRecord } from '../capture/record.js';
import { decode, DecodeEvents, DecodeResult, Linktype, PacketView } from '../decode/index.js';
import type { HostModel } from '../netfilter/host.js';
import type { PathDecision } from '../netfilter/path.js';
import type { Hook, Ruleset, TableName } from '../rules/model.js';
import { ReplayContext, type LogLine } from './context.js';
import { FORWARD, HOOKS, LOCAL_IN, LOCAL_OUT, POST_ROUTING, PRE_ROUTING } from './hooks.js';
import { checkReceivedOptions } from './ipopts.js';
import { PacketState, PktType, Verdict } from './packet.js';
import { PacketTracer, usesTraceTarget, type PathStep } from './trace.js';
import type { ObservableRunner } from '../compile/prepare.js';
import { DefragUser, Reassembly } from './reassembly.js';
import { Conntrack, type ConntrackEvents } from '../conntrack/tracker.js';
import { Nat } from '../conntrack/nat.js';
import { usesConntrack } from '../conntrack/usage.js';
import { natStage, RUN_CONFIRM, RUN_CONNTRACK, RUN_TABLE, stageKind, stagesOf, type Step } from './stages.js';
import { EgressComparer, type EgressComparison } from './egress-compare.js';
import { Occupancy, type ConntrackOccupancy } from './occupancy.js';
import type { Traffic, TrafficSeries } from './traffic.js';
import { SAMPLE_EVERY, type ChainCost, type ReplayHistograms } from './histograms.js';
import { performance } from 'node:perf_hooks';
import { HostReplies, type ReplyKind } from './host-replies.js';

const isMulticastAddr = (a: number): boolean => a >>> 28 === 0xe;

/** Link types whose records say which way a packet went (Linux cooked captures). */
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

export type PathClassifier = (view: PacketView, rec: PacketRecord, interfaces: readonly CaptureInterface[]) => PathDecision;

/** What traverses tables: the compiled matcher or the reference interpreter. */
export interface TableRunner {
  traverse(table: TableName, pkt: PacketState): Verdict;
  /** Optional: traverse() for one table at one hook with the lookups done once. */
  stepFor?(table: TableName, hook: Hook): ((pkt: PacketState) => Verdict) | undefined;
  writeCounters(): void;
  /** Rules the kernel's linear walk tested in the last traversal. */
  readonly lastEvaluated: number;
}

export interface ReplayOptions {
  /** A file path, "-" for standard input, or the capture's bytes. */
  capture: string | Uint8Array;
  /** The number of the capture's first record (1 unless given): a part of a capture replayed on a thread numbers its packets as the whole. */
  firstPacket?: number;
  /** `capture`'s bytes are the caller's to give: read in place and rewritten there (openCapture's inPlace). */
  captureInPlace?: boolean;
  ruleset: Ruleset;
  /**
   * usesConntrack(ruleset), when the caller already knows it: a thread replaying part after
   * part of a capture saves walking every rule of a large ruleset per part.
   */
  tracksConnections?: boolean;
  host: HostModel;
  classify: PathClassifier;
  /** Builds the runner once the runtime exists (the runner binds extension state to it). */
  runner: (rt: ReplayContext) => TableRunner;
  /**
   * A runtime to use instead of a new one (a runner kept across replays of consecutive
   * parts of one capture is bound to it); its notes are the summary's, so empty them first.
   */
  context?: ReplayContext;
  seed?: number;
  onLog?: (line: LogLine) => void;
  /** Receives NFLOG copies (group, prefix, the packet as it is, --nflog-size if given). */
  onNflog?: (group: number, prefix: string, pkt: PacketState, size?: number) => void;
  /** Called after each replayed packet with its outcome (and the packet, valid during the call). */
  onVerdict?: (outcome: PacketOutcome, pkt: PacketState) => void;
  /** Decides statistic --mode random instead of the seeded draw (ReplayRuntime.statisticRandom). */
  statistic?: (pkt: PacketState, probability: number, invert: boolean) => boolean;
  /**
   * Every rule and policy count (counter number, bytes) as it happens; every packet is then
   * traversed by the traced runner, which `tracedRunner` must give.
   */
  onCount?: (num: number, bytes: number) => void;
  /**
   * The traced runner, built after `runner` and sharing its per-rule state and counters
   * (RunnerOptions.prepared). Without it nothing is traced: no paths, --trace or TRACE lines.
   */
  tracedRunner?: (rt: ReplayContext) => ObservableRunner;
  /**
   * Record every packet's path into PacketOutcome.path (for --verdicts), or only the paths
   * of the packets this selects (called once per replayed packet, before its first hook):
   * the others run on the untraced runner.
   */
  paths?: boolean | ((pkt: PacketState) => boolean);
  /** A packet leaving the host by `iface` after POSTROUTING (forwarded, or the host's own). */
  onEgress?: (pkt: PacketState, iface: string) => void;
  /** Conntrack events as they happen ([NEW], [UPDATE], [DESTROY]), when the ruleset tracks. */
  conntrackEvents?: Omit<ConntrackEvents, 'note'>;
  /** Receives the connection tracker at the end (its table as the capture left it), when the ruleset tracks. */
  onConntrack?: (ct: Conntrack) => void;
  /**
   * A capture time at which `onSnapshot` sees the tracker: when the first replayed packet at
   * or after it arrives, before that packet is processed; at the end when no packet is that
   * late. `sinceFirst`: the time counts from the first replayed packet, else from the epoch.
   */
  snapshotAt?: { sec: number; nsec: number; sinceFirst: boolean };
  /**
   * The tracker at `snapshotAt`, and that time in ns since the first packet (the clock to
   * list it with: entries with expiresNs ≤ atNs had expired). The table is live: read it
   * during the call. Only when the ruleset tracks.
   */
  onSnapshot?: (ct: Conntrack, atNs: number) => void;
  /** Sample the table's live entries over capture time into summary.conntrack.occupancy. */
  occupancy?: boolean;
  /** Packets, bytes and new connections over capture time (summary.traffic), and the size mix. */
  traffic?: Traffic;
  /**
   * The capture time `traffic`'s bins start at, when not this replay's first packet's: the
   * whole capture's first replayed packet, for a part of it replayed on a thread.
   */
  trafficOrigin?: { sec: number; nsec: number };
  /**
   * A packet the replay dropped: a DROP verdict (a rule, a policy, a full conntrack table),
   * routing, TTL or MTU, or the IPv4 checks before PREROUTING (malformed). Not QUEUE.
   */
  onDrop?: (drop: DroppedPacket) => void;
  /**
   * Records engine time per packet (one in SAMPLE_EVERY timed) and rules evaluated per
   * packet into these histograms (histograms.ts).
   */
  histograms?: ReplayHistograms;
  /**
   * Called at each check (see checkEvery): packets read so far, bytes taken from the file or
   * stream (compressed bytes for gzip) and the file's size when known.
   */
  onProgress?: (packets: number, readBytes: number, totalBytes: number | undefined) => void;
  /**
   * Stops the replay (looked at in each check, see checkEvery): the summary is then that of
   * the packets before, with `interrupted` set, and every output is as valid as for them.
   */
  signal?: { readonly aborted: boolean };
  /**
   * With onProgress or signal: how often (ms) the replay lets the event loop run, YIELD_MS
   * unless given, and at most how many packets apart it looks at the clock, the signal and
   * progress, PROGRESS_EVERY unless given. Checks are spaced to come about every
   * min(CHECK_MS, yieldMs) whatever a packet costs (checkInterval()). A thread that hands
   * work to others while it replays looks often, so that their answers are taken in time.
   */
  yieldMs?: number;
  checkEvery?: number;
  /**
   * Send what REJECT answers (its RST or ICMP error, built as the kernel builds it) through
   * OUTPUT and POSTROUTING, counted in the counters and written to egress, and summed in
   * summary.replies (host-replies.ts). Off: each REJECT is noted as not modelled (reject.reply);
   * a RST's effect on its connection is replayed either way.
   */
  rejectReplies?: boolean;
  /**
   * Send the ICMP errors forwarding and routing send (time exceeded for a TTL of 1 or
   * less, fragmentation needed for DF and too long, ip_error's unreachables for no route
   * or a reject route) through OUTPUT and POSTROUTING as the host's own packets, as
   * rejectReplies does REJECT's. Off: each is noted as not modelled.
   */
  icmpErrors?: boolean;
  /** With rejectReplies or icmpErrors: each reply's outcome (its `reply` set, `packet` the rejected packet's), after that packet's. */
  onReply?: (outcome: PacketOutcome, pkt: PacketState) => void;
  /** Packets to trace, and where their trace lines go. */
  trace?: { select: (pkt: PacketState) => boolean; onLine: (pkt: PacketState, text: string) => void };
}

export interface PacketOutcome {
  packet: number;
  /** Hooks entered, in order. */
  hooks: Hook[];
  verdict: 'ACCEPT' | 'DROP' | 'QUEUE' | 'ROUTING-DROP' | 'TTL-EXCEEDED' | 'FRAG-NEEDED' | 'HELD-FOR-REASSEMBLY';
  /** Why routing dropped it (the host model's reason), for ROUTING-DROP. */
  reason?: string;
  /** The hook and table that dropped it. */
  droppedAt?: { hook: Hook; table: TableName };
  /** Every rule that matched, in order, and the policies that applied (with `paths`). */
  path?: PathStep[];
  /** Set on the outcome of a reply the host sent (REJECT's, forwarding's ICMP errors): what it was. */
  reply?: ReplyKind;
}

/** What onDrop receives: one object per replay, overwritten for every drop. */
export interface DroppedPacket {
  /** The capture record (valid during the call); the packet's frame is in its bytes. */
  rec: PacketRecord;
  /** Where the record's IPv4 header starts in rec.data (after the link-layer header). */
  l3Offset: number;
  /** The packet as it was when dropped (NAT rewrites are in its bytes); null when malformed. */
  pkt: PacketState | null;
  /** Its outcome (verdict, where, why, path with `paths`); null when malformed. */
  outcome: PacketOutcome | null;
  /** The kernel check a malformed packet failed ('' otherwise). */
  malformed: string;
}

export interface ReplaySummary {
  packetsRead: number;
  replayed: number;
  /** Not replayed, by reason (decode events and path decisions). */
  skipped: Record<string, number>;
  /** Dropped by the kernel's IPv4 checks before PREROUTING (no chain counts them). */
  malformed: Record<string, number>;
  verdicts: Record<string, number>;
  /** Effects nfreplay did not model, with the number of times each happened. */
  notes: Record<string, number>;
  /**
   * With rejectReplies or icmpErrors: the host's replies sent, by kind, and their verdicts;
   * the ones the kernel would not send, by reason. Absent when there was none to send.
   */
  replies?: { sent: Record<string, number>; notSent: Record<string, number>; verdicts: Record<string, number> };
  damage?: { offset: number; message: string };
  /** `signal` stopped the replay: everything covers the first packetsRead packets only. */
  interrupted?: true;
  /** Set by the CLI: the threads the replay ran on, and why one when more were asked for. */
  threads?: { workers: number; oneThreadBecause?: string };
  /**
   * The packets the capture shows leaving the host compared with the replay's decisions
   * (egress-compare.ts); only for captures that can say which way a packet went.
   */
  egress?: EgressComparison;
  /** The conntrack table's peak, live entries at the end and (with `occupancy`) over time; when the ruleset tracks. */
  conntrack?: ConntrackOccupancy;
  /** With the `traffic` option: packets, bytes and new connections per bin of capture time (traffic.ts). */
  traffic?: TrafficSeries;
  /**
   * --statistic expected (expected.ts): replays run, one per branch index, and packets
   * whose draws were sampled instead of split. The verdicts are then expectations.
   */
  expected?: { worlds: number; inexactPackets: number };
  /** Percentiles and encodings of the `histograms` option's distributions (set by the caller). */
  histograms?: ReturnType<ReplayHistograms['json']> & { chains: ChainCost[] };
  /** Capture times (seconds since the epoch, to the µs) of the first and last replayed packets, in capture order. */
  window?: { firstSec: number; lastSec: number };
  seconds: number;
}

/** At most every how many packets read onProgress is called and the signal looked at. */
export const PROGRESS_EVERY = 4096;

/**
 * How far apart (ms) the checks of the signal and progress aim to be. Counted in packets,
 * a fixed spacing is either a clock read per packet (a tenth of a light packet's cost) or,
 * for packets of milliseconds (the interpreter through 10,000 rules: about 3 ms), seconds
 * between progress lines and after Ctrl-C.
 */
const CHECK_MS = 20;

/**
 * The packets until the next check: the last interval scaled so that it would have taken
 * `targetMs`, at most doubled (the first checks come after 1, 2, 4... packets, so a replay
 * of slow packets is seen early) and within 1..max.
 */
export function checkInterval(last: number, tookMs: number, targetMs: number, max: number): number {
  const scaled = tookMs > 0 ? Math.floor((last * targetMs) / tookMs) : max;
  return Math.max(1, Math.min(max, 2 * last, scaled));
}

/** How often (ms) a replay with a signal or progress lets the event loop run. */
const YIELD_MS = 50;

/** Thrown out of the reader's loop when the signal stops the replay. */
const STOPPED = new Error('replay stopped');

/** Every verdict, in the order the summary lists them; the tally is an array in this order. */
const VERDICT_LIST: readonly PacketOutcome['verdict'][] = ['ACCEPT', 'DROP', 'QUEUE', 'ROUTING-DROP', 'TTL-EXCEEDED', 'FRAG-NEEDED', 'HELD-FOR-REASSEMBLY'];

const VERDICT_NAMES: Record<number, PacketOutcome['verdict']> = {
  [Verdict.ACCEPT]: 'ACCEPT',
  [Verdict.DROP]: 'DROP',
  [Verdict.QUEUE]: 'QUEUE',
};

/**
 * The tables the runner must evaluate. Without conntrack (no rule asks for it) the nat
 * table could not be consulted; it only exists with conntrack in the kernel, so that
 * case means a nat table the replay skips and reports.
 */
export function replayedTables(ruleset: Ruleset): TableName[] {
  const all = ruleset.tables.map((t) => t.name);
  return usesConntrack(ruleset) ? all : all.filter((n) => n !== 'nat');
}

/** A capture time as seconds since the epoch, to the µs (a double near 1.7e9 resolves 0.24 µs, not ns). */
function epochSeconds(sec: number, nsec: number): number {
  return sec + Math.round(nsec / 1e3) / 1e6;
}

/** Thrown out of the reader's loop once the first replayed packet is found. */
const FOUND = new Error('first replayed packet found');

/**
 * The capture time of the first packet replayCapture would replay (decoded as IPv4 and
 * placed on a path), or undefined when none would be.
 */
export async function firstReplayedTime(capture: string | Uint8Array, classify: PathClassifier): Promise<{ sec: number; nsec: number } | undefined> {
  const reader = await openCapture(capture);
  const view = new PacketView();
  const events = new DecodeEvents();
  let first: { sec: number; nsec: number } | undefined;
  try {
    await reader.forEach((rec) => {
      if (decode(rec, view, events) !== DecodeResult.IPV4) return;
      const kind = classify(view, rec, reader.interfaces).kind;
      if (kind !== 'received' && kind !== 'local') return;
      first = { sec: rec.tsSec, nsec: rec.tsNsec };
      throw FOUND;
    });
  } catch (e) {
    // forEach closed the source on the way out.
    if (e !== FOUND) throw e;
  }
  return first;
}

export async function replayCapture(opts: ReplayOptions): Promise<ReplaySummary> {
  const started = process.hrtime.bigint();
  const ctx = opts.context ?? new ReplayContext({ host: opts.host, seed: opts.seed ?? 1, onLog: opts.onLog, onNflog: opts.onNflog, statistic: opts.statistic });
  const runner = opts.runner(ctx);
  const traced = opts.tracedRunner?.(ctx);
  const kernelTrace = opts.onLog !== undefined && usesTraceTarget(opts.ruleset);
  const tracer =
    traced !== undefined && (opts.paths || opts.trace !== undefined || kernelTrace || opts.onCount !== undefined)
      ? new PacketTracer({ rt: ctx, paths: opts.paths ?? false, select: opts.trace?.select, onTrace: opts.trace?.onLine, kernelTrace, onCount: opts.onCount })
      : undefined;
  traced?.observe(tracer ?? null);
  const tables = new Set(opts.ruleset.tables.map((t) => t.name));
  const natRules = opts.ruleset.tables.find((t) => t.name === 'nat')?.chains;
  const natInUse = natRules !== undefined && [...natRules.values()].some((c) => c.rules.length > 0);
  const conntrack = (opts.tracksConnections ?? usesConntrack(opts.ruleset))
    ? new Conntrack(opts.host, { ...opts.conntrackEvents, note: (event) => ctx.note(event) })
    : undefined;
  // NAT hooks exist with the nat table (which always brings conntrack).
  const nat = conntrack !== undefined && tables.has('nat') ? new Nat(conntrack.table, () => ctx.random32()) : undefined;
  ctx.nat = nat;
  const replying = opts.rejectReplies === true || opts.icmpErrors === true;
  const replies = new HostReplies(opts.host, { reject: opts.rejectReplies === true, forward: opts.icmpErrors === true }, ctx, conntrack);
  ctx.replies = replies;
  const reader = await openCapture(opts.capture, { firstNumber: opts.firstPacket, inPlace: opts.captureInPlace });
  const directional = reader.format === 'pcapng' || reader.interfaces.some((i) => i.linktype === LINKTYPE_LINUX_SLL || i.linktype === LINKTYPE_LINUX_SLL2);
  const egress = directional ? new EgressComparer() : undefined;
  const view = new PacketView();
  const events = new DecodeEvents();
  const pkt = new PacketState();
  const reassembly = new Reassembly({ timeSeconds: opts.host.sysctl('net.ipv4.ipfrag_time'), maxDist: opts.host.sysctl('net.ipv4.ipfrag_max_dist') });
  const verdictCounts = new Float64Array(VERDICT_LIST.length);
  /** Verdict strings are constants: compared by identity, mostly at index 0 (Array.indexOf measured slower). */
  const tally = (v: PacketOutcome['verdict']): void => {
    let i = 0;
    while (VERDICT_LIST[i] !== v) i++;
    verdictCounts[i]++;
  };
  const skipped: Record<string, number> = {};
  let replayed = 0;
  let firstNs = -1;
  /** The record being replayed (for a second path decision after NAT). */
  let current: PacketRecord | undefined;
  let natNoted = false;
  /** The conntrack stage dropped the packet (table full): no table decided it. */
  let ctFull = false;

  // --at: the snapshot's time as a capture timestamp (relative times once the first packet is known).
  const snap = opts.snapshotAt;
  let snapPending = snap !== undefined && opts.onSnapshot !== undefined;
  let snapSec = snap?.sec ?? 0;
  let snapNsec = snap?.nsec ?? 0;
  let firstSec = 0;
  let firstNsec = 0;
  const takeSnapshot = (atNs: number): void => {
    snapPending = false;
    if (conntrack !== undefined) opts.onSnapshot!(conntrack, atNs);
  };
  // Occupancy over time; without it the per-packet test compares with Infinity.
  const occupancy = conntrack !== undefined ? new Occupancy(conntrack.table) : undefined;
  const sampling = occupancy !== undefined && opts.occupancy === true;
  let nextSampleNs = sampling ? occupancy.nextNs : Infinity;
  const traffic = opts.traffic;
  // onDrop's argument, reused.
  const drop: DroppedPacket = { rec: undefined as unknown as PacketRecord, l3Offset: 0, pkt: null, outcome: null, malformed: '' };

  const bump = (m: Record<string, number>, k: string): void => {
    m[k] = (m[k] ?? 0) + 1;
  };

  // Per hook (by number), its stages in the kernel's priority order: the tables this
  // ruleset has, and with conntrack in use nf_conntrack_in after raw and the confirmation
  // last. Worked out once, so a packet does not look every table of every hook up.
  const hookStages = HOOKS.map((hook) => stagesOf(hook, tables, conntrack !== undefined));

  // Rules the kernel's walk tested for the current packet, over all its tables (histograms).
  const hist = opts.histograms;
  let evaluated = 0;
  /** One table at one hook, untraced: the runner's own step when it has one. */
  const plainTable = (table: TableName, hook: Hook): Step => {
    const step = runner.stepFor?.(table, hook) ?? ((p: PacketState) => runner.traverse(table, p));
    if (hist === undefined) return step;
    return (p) => {
      const v = step(p);
      evaluated += runner.lastEvaluated;
      return v;
    };
  };
  /** One table at one hook for a traced packet: the observing runner where the tracer wants it. */
  const tracedTable =
    (table: TableName): Step =>
    (p) => {
      p.table = table;
      if (!tracer!.wants(table)) {
        const plain = runner.traverse(table, p);
        evaluated += runner.lastEvaluated;
        return plain;
      }
      const v = traced!.traverse(table, p);
      evaluated += traced!.lastEvaluated;
      tracer!.endTraversal(v, p);
      return v;
    };

  // Without conntrack the nat table is never consulted; say for how many packets it would be.
  const natSkipped: Step = () => {
    if (natInUse && !natNoted) {
      ctx.note('nat.not_modelled');
      natNoted = true;
    }
    return Verdict.ACCEPT;
  };

  /** A table's step, or the NAT hook's (the tracker's stages are run by pass() itself). */
  const tableStep = (stage: TableName, hook: Hook, table: (t: TableName) => Step): Step => {
    if (stage !== 'nat') return table(stage);
    return nat === undefined ? natSkipped : natStage(hook, table('nat'), nat);
  };
  // Per hook, what pass() does at each stage; the tables' steps in their order, untraced
  // packets running these, traced ones the second set.
  const hookKinds = hookStages.map((stages) => Uint8Array.from(stages, stageKind));
  const tableStages = hookStages.map((stages) => stages.filter((s): s is TableName => stageKind(s) === RUN_TABLE));
  const hookSteps = HOOKS.map((hook, h) => tableStages[h]!.map((stage) => tableStep(stage, hook, (t) => plainTable(t, hook))));
  const tracedSteps = tracer === undefined ? hookSteps : HOOKS.map((hook, h) => tableStages[h]!.map((stage) => tableStep(stage, hook, tracedTable)));

  /**
   * Runs hook `h`'s stages; true when the packet goes on. A verdict other than ACCEPT from
   * one of them ends it there, which `outcome` records. The tracker is called here rather
   * than through a step function: one call site for every stage of every hook sees too many
   * functions for V8 to inline any (megamorphic); these two calls each see one.
   */
  const pass = (h: number, outcome: PacketOutcome): boolean => {
    const hook = HOOKS[h]!;
    pkt.hook = hook;
    if (recordHooks) outcome.hooks.push(hook);
    let v: Verdict = Verdict.ACCEPT;
    const kinds = hookKinds[h]!;
    const steps = tracer === undefined ? hookSteps[h]! : tracedSteps[h]!;
    for (let i = 0, t = 0; i < kinds.length && v === Verdict.ACCEPT; i++) {
      switch (kinds[i]) {
        case RUN_CONNTRACK:
          // nf_conntrack_in refused the packet (NF_DROP): the table is full.
          if (!conntrack!.in(pkt, h === PRE_ROUTING)) {
            ctFull = true;
            v = Verdict.DROP;
          }
          break;
        case RUN_CONFIRM:
          conntrack!.confirm(pkt);
          break;
        default:
          v = steps[t++]!(pkt);
      }
    }
    if (v === Verdict.ACCEPT) return true;
    outcome.verdict = VERDICT_NAMES[v] ?? 'DROP';
    if (ctFull) {
      // nf_conntrack_in refused it (NF_DROP): the table is full; no table's rule decided.
      ctFull = false;
      outcome.reason = 'conntrack-table-full';
      outcome.droppedAt = undefined;
      return false;
    }
    // One object per replay: consumers of onVerdict copy what they keep.
    dropSite.hook = hook;
    dropSite.table = pkt.table;
    outcome.droppedAt = dropSite;
    return false;
  };

  // One outcome object, reset per packet: consumers of onVerdict copy what they keep.
  const dropSite: { hook: Hook; table: TableName } = { hook: 'PREROUTING', table: 'filter' };
  const outcome: PacketOutcome = { packet: 0, hooks: [], verdict: 'ACCEPT' };
  // Only onVerdict sees the outcome's hooks: without it the list is not kept. Emptying
  // (`length = 0` is a runtime call) and refilling it per packet measured 15-30% of the
  // whole replay's time (bench/replay.mjs).
  const recordHooks = opts.onVerdict !== undefined;
  // A reply's record, view and outcome (host-replies.ts), reused for every reply.
  const replyRecord: PacketRecord = { number: 0, data: replies.reply.bytes, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0, linktype: Linktype.IPV4, interfaceId: -1, direction: 0 };
  const replyView = new PacketView();
  const replyOutcome: PacketOutcome = { packet: 0, hooks: [], verdict: 'ACCEPT' };
  const replyVerdicts: Record<string, number> = {};
  /** `o` set out for `pkt`, now packet `packet` of the capture (or its reply), before its first hook. */
  const begin = (o: PacketOutcome, packet: number): void => {
    o.packet = packet;
    if (recordHooks) o.hooks.length = 0;
    o.verdict = 'ACCEPT';
    o.droppedAt = undefined;
    o.reason = undefined;
    if (tracer !== undefined) {
      tracer.beginPacket(pkt);
      if (opts.paths) o.path = tracer.recording ? tracer.path : undefined;
    }
  };
  const malformed: Record<string, number> = {};

  // One packet in SAMPLE_EVERY is timed (histograms.ts says why not all).
  let untilTimed = 0;
  let packetsRead = 0;
  // Checked before a record; the first check after one record replayed (checkInterval()).
  const checkEvery = opts.checkEvery ?? PROGRESS_EVERY;
  let interval = 1;
  let untilProgress = interval + 1;
  const { onProgress, signal } = opts;
  const yieldMs = opts.yieldMs ?? YIELD_MS;
  const checkMs = Math.min(CHECK_MS, yieldMs);
  const watched = onProgress !== undefined || signal !== undefined;
  let lastYield = performance.now();
  let lastCheck = lastYield;
  const replayPacket = (rec: PacketRecord): void => {
    if (--untilProgress === 0) {
      if (signal?.aborted) throw STOPPED;
      onProgress?.(packetsRead, reader.readBytes, reader.totalBytes);
      if (watched) {
        const now = performance.now();
        interval = checkInterval(interval, now - lastCheck, checkMs, checkEvery);
        lastCheck = now;
        // A chunk's records come in one synchronous run: let a signal handler or a timer in.
        if (now - lastYield >= yieldMs) {
          lastYield = now;
          reader.requestYield();
        }
      } else {
        interval = checkEvery;
      }
      untilProgress = interval;
    }
    packetsRead++;
    let t0 = -1;
    if (hist !== undefined && untilTimed-- === 0) {
      untilTimed = SAMPLE_EVERY - 1;
      t0 = performance.now();
    }
    current = rec;
    const result = decode(rec, view, events);
    if (result !== DecodeResult.IPV4) {
      const reason = view.event >= 0 ? events.name(view.event) : 'not-ipv4';
      bump(result === DecodeResult.MALFORMED ? malformed : skipped, reason);
      if (result === DecodeResult.MALFORMED && opts.onDrop !== undefined) {
        drop.rec = rec;
        drop.l3Offset = view.l3Offset;
        drop.pkt = null;
        drop.outcome = null;
        drop.malformed = reason;
        opts.onDrop(drop);
      }
      return;
    }
    const decision = opts.classify(view, rec, reader.interfaces);
    if (decision.kind !== 'received' && decision.kind !== 'local') {
      // Seen leaving, addressed to another machine's MAC (ip_rcv_core drops PACKET_OTHERHOST
      // before PREROUTING), or placed nowhere: not replayed.
      if (decision.kind === 'outgoing-observed') egress?.observed(view, rec.number, decision.outIface);
      bump(skipped, decision.kind);
      return;
    }
    const ns = rec.tsSec * 1e9 + rec.tsNsec;
    // A capture taken on the host shows the replies the replay has just sent itself.
    if (replies.awaiting > 0 && decision.kind === 'local' && replies.inCapture(rec.data, view.l3Offset, rec.offset + rec.caplen, ns - firstNs)) {
      bump(skipped, 'reply-in-capture');
      return;
    }
    if (firstNs < 0) {
      firstNs = ns;
      firstSec = rec.tsSec;
      firstNsec = rec.tsNsec;
      const origin = opts.trafficOrigin;
      if (origin !== undefined && traffic !== undefined) traffic.shiftNs = (firstSec - origin.sec) * 1e9 + (firstNsec - origin.nsec);
      if (snap?.sinceFirst) {
        snapNsec = firstNsec + snap.nsec;
        snapSec = firstSec + snap.sec + Math.floor(snapNsec / 1e9);
        snapNsec %= 1e9;
      }
    }
    // Before NAT, TCPMSS or reassembly change it: the packet as it arrived.
    const arrivedLength = view.totalLength;
    pkt.resetFor(view, rec.data);
    pkt.number = rec.number;
    pkt.tsSec = rec.tsSec;
    pkt.tsNsec = rec.tsNsec;
    pkt.nowNs = ns - firstNs;
    // Before the packet is processed: the --at snapshot, occupancy boundaries it passes.
    if (snapPending && (rec.tsSec > snapSec || (rec.tsSec === snapSec && rec.tsNsec >= snapNsec))) {
      takeSnapshot((snapSec - firstSec) * 1e9 + (snapNsec - firstNsec));
    }
    if (pkt.nowNs >= nextSampleNs) {
      occupancy!.sample(pkt.nowNs);
      nextSampleNs = occupancy!.nextNs;
    }
    pkt.pktType = decision.pktType;
    replayed++;
    natNoted = false;
    begin(outcome, rec.number);

    if (decision.kind === 'local') sendOwn(decision, outcome);
    else {
      const routed = receive(decision, outcome);
      // A fragment held for reassembly has not been decided yet: the whole datagram will be.
      if (egress !== undefined && routed.deliver !== 'input' && (outcome.verdict as string) !== 'HELD-FOR-REASSEMBLY') noteEgress(routed, outcome);
    }
    tally(outcome.verdict);
    opts.onVerdict?.(outcome, pkt);
    if (sampling && replayed === 1) occupancy.first();
    if (opts.onDrop !== undefined && outcome.verdict !== 'ACCEPT' && outcome.verdict !== 'QUEUE' && outcome.verdict !== 'HELD-FOR-REASSEMBLY') {
      drop.rec = rec;
      drop.l3Offset = view.l3Offset;
      drop.pkt = pkt;
      drop.outcome = outcome;
      drop.malformed = '';
      opts.onDrop(drop);
    }
    if (traffic !== undefined) traffic.add(pkt, arrivedLength, conntrack !== undefined ? conntrack.table.confirmed : 0);
    if (hist !== undefined && (outcome.verdict as string) !== 'HELD-FOR-REASSEMBLY') {
      if (t0 >= 0) hist.recordEngine(performance.now() - t0);
      hist.recordRules(evaluated);
    }
    evaluated = 0;
    // The kernel sends its reply (REJECT's, an ICMP error) before it drops the packet;
    // nothing of the packet follows the reply but the release of a connection it made,
    // which the reply holds.
    // A reply REJECT drops in turn may be answered too (an ICMP error to a RST; never a
    // RST to a RST or an error to an error, so this ends).
    const made = pkt.ct;
    while (replies.pending) sendReply(rec);
    pkt.ct = made;
    conntrack?.release(pkt);
  };
  let summary: { packets: number; damage?: { offset: number; message: string } };
  let interrupted = false;
  try {
    summary = await reader.forEach(replayPacket);
  } catch (e) {
    if (e !== STOPPED) throw e;
    summary = { packets: packetsRead };
    interrupted = true;
  }

  /**
   * The host's reply to the packet just replayed (REJECT's, an ICMP error), as its own
   * packet: OUTPUT and POSTROUTING towards the packet's source (or back in through lo),
   * attached to the packet's connection. Counted in the rules it passes, not in the
   * summary's packets.
   */
  function sendReply(rec: PacketRecord): void {
    const r = replies.reply;
    replies.pending = false;
    replyRecord.number = rec.number;
    replyRecord.tsSec = rec.tsSec;
    replyRecord.tsNsec = rec.tsNsec;
    replyRecord.caplen = replyRecord.origlen = r.length;
    if (decode(replyRecord, replyView, events) !== DecodeResult.IPV4) throw new Error(`the reply to packet ${rec.number} does not decode`);
    pkt.resetFor(replyView, r.bytes);
    pkt.ct = r.ct;
    pkt.ctinfo = r.ctinfo;
    pkt.mark = r.mark;
    replyOutcome.reply = r.kind;
    begin(replyOutcome, rec.number);
    sendOwn(r.route, replyOutcome);
    if (replyOutcome.verdict === 'ACCEPT' && pkt.outIface !== 'lo' && pkt.outIface !== '') replies.sentOut(pkt.data, pkt.view.l3Offset, pkt.nowNs);
    replyVerdicts[replyOutcome.verdict] = (replyVerdicts[replyOutcome.verdict] ?? 0) + 1;
    opts.onReply?.(replyOutcome, pkt);
    evaluated = 0;
  }

  /**
   * A fragment joins its datagram; false while the datagram is incomplete (the packet is
   * held, no chain sees it) or was dropped with its queue. A whole datagram replaces the
   * packet's view and data. Conntrack's defragmentation (before any table) also gives it
   * the first fragment's TTL, TOS and MSS, and the fragments it is to leave as again.
   */
  function defragment(outcome: PacketOutcome, user: DefragUser): boolean {
    if (!pkt.view.mf && pkt.view.fragOffset === 0) return true;
    const whole = reassembly.add(pkt.view, pkt, user, current!.offset + current!.caplen);
    if (whole === undefined) {
      outcome.verdict = 'HELD-FOR-REASSEMBLY';
      return false;
    }
    pkt.view = whole;
    pkt.data = reassembly.data;
    pkt.length = whole.totalLength;
    pkt.reassembled = true;
    if (user !== DefragUser.LOCAL_DELIVER) {
      pkt.ttl = whole.ttl;
      pkt.tos = whole.tos;
      pkt.tcpMss = whole.tcpMss;
      pkt.defrag = reassembly.geometry;
    }
    return true;
  }

  /** A received packet not for the host: whether it left, for the egress comparison. */
  function noteEgress(decision: PathDecision, outcome: PacketOutcome): void {
    const left = outcome.verdict === 'ACCEPT' && decision.deliver === 'forward';
    // pkt.view: the datagram as NAT left it (the whole one when conntrack reassembled it).
    egress!.decided(pkt.view, pkt.number, left, decision.outIface, pkt.ttl, pkt.length, outcome, pkt.reassembled);
  }

  /** A received packet: PREROUTING, then where routing sends it (ip_rcv_finish). */
  function receive(arrival: PathDecision, outcome: PacketOutcome): PathDecision {
    let decision = arrival;
    pkt.inIface = decision.inIface;
    // With conntrack, nf_defrag_ipv4 reassembles at priority -400: no table sees a fragment.
    if (conntrack !== undefined && !defragment(outcome, DefragUser.CONNTRACK_IN)) return decision;
    const dst = pkt.view.dstAddr;
    if (!pass(PRE_ROUTING, outcome)) return decision;
    // Routing happens after PREROUTING: a DNAT there sends the packet where its new destination goes.
    if (pkt.view.dstAddr !== dst) decision = reroute(decision);
    if (pkt.view.ipOptionsLength > 0) {
      const acceptSourceRoute = opts.host.sysctl('net.ipv4.conf.all.accept_source_route') !== 0;
      const bad = checkReceivedOptions(pkt.data, pkt.view.l3Offset + 20, pkt.view.ipOptionsLength, acceptSourceRoute);
      if (bad !== '') {
        outcome.verdict = 'ROUTING-DROP';
        outcome.reason = bad;
        if (bad === 'ip-options') ctx.note('icmp.parameter_problem_sent');
        return decision;
      }
    }
    deliver(decision, outcome);
    return decision;
  }

  /**
   * ip_exceeds_mtu: DF and longer than the route's MTU, and not a datagram conntrack
   * reassembled (skb->ignore_df) unless one of its fragments (frag_max_size) was longer.
   */
  function exceedsMtu(outIface: string): boolean {
    const mtu = opts.host.interfaceByName(outIface)?.mtu ?? Infinity;
    return pkt.view.df && pkt.length > mtu && (pkt.defrag === null || pkt.defrag.maxSize > mtu);
  }

  /** The path decision again for the packet as NAT left it (same arrival, new destination). */
  function reroute(before: PathDecision): PathDecision {
    const d = opts.classify(pkt.view, current!, reader.interfaces);
    // A DNAT does not change where or how the packet arrived.
    if (d.kind === 'received' && before.kind === 'received' && d.inIface !== before.inIface) ctx.note('nat.reroute_changed_arrival');
    return d;
  }

  function deliver(decision: PathDecision, outcome: PacketOutcome): void {
    switch (decision.deliver) {
      case 'input':
        // ip_local_deliver reassembles fragments before LOCAL_IN (no conntrack in use).
        if (defragment(outcome, DefragUser.LOCAL_DELIVER)) pass(LOCAL_IN, outcome);
        return;
      case 'forward':
        // ip_forward: TTL ≤ 1 is dropped before FORWARD (time-exceeded is sent); a DF
        // packet larger than the route's MTU too (ip_exceeds_mtu, fragmentation-needed),
        // unless conntrack reassembled it from fragments that each fit (skb->ignore_df);
        // then the TTL is decremented, so FORWARD and POSTROUTING see the new value.
        if (pkt.ttl <= 1) {
          outcome.verdict = 'TTL-EXCEEDED';
          replies.timeExceeded(pkt);
          return;
        }
        if (exceedsMtu(decision.outIface)) {
          outcome.verdict = 'FRAG-NEEDED';
          replies.fragNeeded(pkt, opts.host.interfaceByName(decision.outIface)!.mtu);
          return;
        }
        pkt.ttl -= 1;
        pkt.outIface = decision.outIface;
        if (pass(FORWARD, outcome) && pass(POST_ROUTING, outcome)) opts.onEgress?.(pkt, pkt.outIface);
        return;
      default:
        outcome.verdict = 'ROUTING-DROP';
        outcome.reason = decision.reason;
        replies.routeError(pkt, decision.reason);
    }
  }

  /**
   * The host's own packet: OUTPUT and POSTROUTING towards the route's interface. A packet
   * to one of its own addresses then comes back through lo (PREROUTING and INPUT with
   * -i lo); a broadcast also loops a copy back (ip_mc_output) through POSTROUTING,
   * PREROUTING and INPUT before the original leaves.
   */
  function sendOwn(sent: PathDecision, outcome: PacketOutcome): void {
    let decision = sent;
    pkt.local = true;
    pkt.inIface = '';
    if (decision.deliver !== 'output' && decision.deliver !== 'input') {
      // ip_route_output_key failed: the socket gets an error, no hook runs.
      outcome.verdict = 'ROUTING-DROP';
      outcome.reason = decision.reason;
      return;
    }
    pkt.outIface = decision.outIface;
    if (conntrack !== undefined && !defragment(outcome, DefragUser.CONNTRACK_OUT)) return;
    const dst = pkt.view.dstAddr;
    if (!pass(LOCAL_OUT, outcome)) return;
    if (pkt.view.dstAddr !== dst) {
      // ip_route_me_harder(): a DNAT in OUTPUT routes the packet again.
      decision = reroute(decision);
      if (decision.deliver !== 'output' && decision.deliver !== 'input') {
        outcome.verdict = 'ROUTING-DROP';
        outcome.reason = decision.reason;
        return;
      }
      pkt.outIface = decision.outIface;
    }
    if (decision.loopback) {
      const mark = pkt.mark;
      if (pass(POST_ROUTING, outcome)) {
        pkt.local = false;
        pkt.inIface = decision.outIface;
        pkt.outIface = '';
        pkt.pktType = pkt.view.dstAddr === 0xffffffff || !isMulticastAddr(pkt.view.dstAddr) ? PktType.BROADCAST : PktType.MULTICAST;
        if (pass(PRE_ROUTING, outcome)) pass(LOCAL_IN, outcome);
      }
      // The original goes on with the state it had when it left OUTPUT.
      pkt.local = true;
      pkt.inIface = '';
      pkt.outIface = decision.outIface;
      pkt.mark = mark;
      pkt.pktType = PktType.HOST;
      outcome.verdict = 'ACCEPT';
    }
    if (!pass(POST_ROUTING, outcome)) return;
    if (decision.deliver === 'output') {
      // ip_fragment: a reassembled DF datagram made of a fragment larger than the MTU is not sent.
      if (pkt.defrag !== null && exceedsMtu(pkt.outIface)) {
        outcome.verdict = 'FRAG-NEEDED';
        ctx.note('icmp.frag_needed_sent');
        return;
      }
      opts.onEgress?.(pkt, pkt.outIface);
    }
    if (decision.deliver === 'input') {
      // Addressed to the host itself: it comes back in through lo.
      pkt.local = false;
      pkt.inIface = 'lo';
      pkt.outIface = '';
      if (pass(PRE_ROUTING, outcome)) pass(LOCAL_IN, outcome);
    }
  }

  if (snapPending) takeSnapshot(conntrack?.nowNs ?? 0);
  if (conntrack !== undefined) opts.onConntrack?.(conntrack);
  runner.writeCounters();
  // Nothing left when both share one counter store (as they should); counted otherwise.
  traced?.writeCounters();
  return {
    packetsRead: summary.packets,
    replayed,
    skipped,
    malformed,
    verdicts: Object.fromEntries(VERDICT_LIST.flatMap((v, i) => (verdictCounts[i]! > 0 ? [[v, verdictCounts[i]!]] : []))),
    notes: Object.fromEntries(ctx.notes),
    ...(replying && Object.keys(replies.sent).length + Object.keys(replies.notSent).length > 0 ? { replies: { sent: { ...replies.sent }, notSent: { ...replies.notSent }, verdicts: { ...replyVerdicts } } } : {}),
    damage: summary.damage,
    ...(interrupted ? { interrupted: true as const } : {}),
    ...(egress !== undefined ? { egress: egress.finish() } : {}),
    // pkt.nowNs: the last replayed packet's time (0 without one). Not copied into a variable
    // of this scope per packet: a number stored there is a new heap number each time.
    ...(occupancy !== undefined ? { conntrack: occupancy.finish(pkt.nowNs, sampling) } : {}),
    ...(firstNs >= 0 ? { window: { firstSec: epochSeconds(firstSec, firstNsec), lastSec: epochSeconds(pkt.tsSec, pkt.tsNsec) } } : {}),
    ...(traffic !== undefined ? { traffic: traffic.series() } : {}),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
