/**
 * Capacity planning from a capture (`nfreplay capacity`): the traffic it holds (packets and
 * new connections per second, sizes, the conntrack table over time), what the ruleset costs
 * per packet (rules evaluated, from the replay's histogram), and projections at N times the
 * traffic: when the conntrack table would be full and what the kernel would then drop, and
 * the kernel CPU the rule walk would take, from a calibration measured on a real kernel
 * (calibrate.ts), never from a guessed cost. For kube-proxy rulesets, the same capture is
 * replayed through the ruleset grown to larger service counts (kube-services.ts).
 *
 * The model of "N times the traffic": N copies of every connection, with the same timing,
 * from other addresses. Every copy goes through the same rules and the same conntrack
 * states as its original, so
 * - packets, new connections and rules evaluated per second are N times the capture's;
 * - the table holds N times the entries at every moment (entries expire by the same
 *   timeouts, counted in the replay as the kernel counts them), and a table of
 *   nf_conntrack_max entries under N copies fills and overflows exactly when a table of
 *   ⌊max / N⌋ entries does under the capture itself: that replay tells what the kernel then
 *   does (early_drop of an entry that is not ASSURED, or the new connection's packet
 *   dropped), and its counts times N are the projection's.
 */
import type { Calibration } from './calibrate.js';
import { addServices, endpointsPerService, kubeServiceCount, ruleCount } from './kube-services.js';
import type { UnmodelledPolicy } from '../compile/index.js';
import { ReplayHistograms } from '../engine/histograms.js';
import { replayCapture, type ReplaySummary } from '../engine/replay.js';
import { rulesetRunners } from '../engine/setup.js';
import { SIZE_BOUNDS, Traffic, type TrafficSeries } from '../engine/traffic.js';
import { createClassifier, Host } from '../netfilter/index.js';
import type { Ruleset } from '../rules/model.js';

const MAX_SYSCTL = 'net.netfilter.nf_conntrack_max';

export interface CapacityInput {
  capture: string | Uint8Array;
  /** A fresh ruleset for each replay (a replay writes its counters into the one it gets). */
  loadRuleset: () => Ruleset;
  host: Host;
  seed: number;
  unmodelled: UnmodelledPolicy;
  /** The N of the projections. */
  scales: number[];
  calibration?: { file: string; data: Calibration };
  /** Service counts to project a kube-proxy ruleset to. */
  kubeServices: number[];
  /** Given the replay of the capture as it is (×1): its ruleset, with that replay's counters, and its summary. */
  onBaseReplay?: (ruleset: Ruleset, summary: ReplaySummary, histograms: ReplayHistograms) => void;
}

/** A per-second series' figures (per bin of binSeconds, as a rate per second). */
export interface Rate {
  peak: number;
  /** Seconds since the first packet at the start of the peak's bin. */
  peakAt: number;
  /** 99th percentile of the bins' rates (nearest rank, idle bins included). */
  p99: number;
  mean: number;
}

export interface CapacityReport {
  capture: { packetsRead: number; replayed: number; binSeconds: number; bins: number; damage?: string };
  traffic: {
    /** summary.traffic of the replay: [seconds since the first packet, packets, bytes, new connections] per bin. */
    series: TrafficSeries;
    packetsPerSecond: Rate;
    bytesPerSecond: Rate;
    newConnectionsPerSecond: Rate;
    /** Packets by IP total length: `upTo` the bucket's upper bound (null: larger than the last). */
    sizes: Array<{ upTo: number | null; packets: number; share: number }>;
  };
  /** Null when the ruleset does not use conntrack (the kernel then keeps no table for it). */
  conntrack: {
    peak: number;
    final: number;
    /** Seconds since the first packet when the sampled live entries were highest, and how many. */
    sampledPeak: [number, number];
    max: number;
    maxFrom: 'host file' | 'kernel default';
    /** [seconds since the first packet, live entries] (summary.conntrack.occupancy). */
    occupancy: Array<[number, number]>;
  } | null;
  rulesEvaluated: { mean: number; p50: number; p99: number; max: number; perSecond: { peak: number; p99: number } };
  calibration: {
    file: string;
    date: string;
    kernel: string;
    cpu: string;
    iptables: string;
    nsPerRule: number;
    nsPerPacket: number;
    r2: number;
  } | null;
  projections: Projection[];
  kube: KubeProjection | null;
  /** What the replay did not model, with counts (summary.notes of the replay at ×1). */
  notes: Record<string, number>;
}

export interface Projection {
  scale: number;
  packetsPerSecond: { peak: number; p99: number };
  newConnectionsPerSecond: { peak: number; p99: number };
  rulesPerSecond: { peak: number; p99: number };
  /** Null without a calibration. */
  cpu: CpuEstimate | null;
  conntrack: ConntrackProjection | null;
}

/** Kernel CPU as a fraction of one core (1 = one core busy): packets/s × (base + rules × ns per rule). */
export interface CpuEstimate {
  /** ns per packet: the calibration's base plus the mean rules evaluated × its ns per rule. */
  nsPerPacket: number;
  peakCores: number;
  p99Cores: number;
  /** The rule walk alone (without the calibration's base), at the peak second. */
  ruleWalkPeakCores: number;
}

export interface ConntrackProjection {
  /** N × the table's peak. */
  peak: number;
  max: number;
  /** First sampled second when N × the live entries exceed max (null: never at a sample). */
  fullAt: number | null;
  /** The replay with a table of ⌊max / N⌋ (only when N × peak > max). */
  overflow: Overflow | null;
}

export interface Overflow {
  tableSize: number;
  /** Entries early_drop evicted to make room, × N. */
  earlyDrops: number;
  /** Packets dropped for want of an entry (nf_conntrack_in: NF_DROP), × N. */
  refusedPackets: number;
  /** Connections (5-tuples) with at least one packet refused, × N. */
  refusedConnections: number;
  /** Refused packets per second (N ×): the highest second, and when. */
  refusedPerSecond: { peak: number; peakAt: number };
  /** Seconds since the first packet of the first refused one (null: none refused). */
  firstRefusedAt: number | null;
}

export interface KubeProjection {
  /** Services (KUBE-SVC-* chains) of the ruleset as given. */
  services: number;
  endpointsPerService: number;
  rows: KubeRow[];
  /** Service counts asked for that are not above the ruleset's own (not replayed). */
  skipped: number[];
}

export interface KubeRow {
  services: number;
  rules: number;
  rulesEvaluated: { mean: number; p99: number };
  /** Rules evaluated per second at the capture's peak second (×1). */
  rulesPerSecondPeak: number;
  cpu: { peakCores: number; p99Cores: number } | null;
  /** Packets that hit a rule of an added service (0 unless the capture uses their addresses or ports). */
  addedRuleHits: number;
}

/** What one replay gives the report. */
interface ReplayResult {
  summary: ReplaySummary;
  histograms: ReplayHistograms;
  traffic: Traffic;
}

/** Nearest-rank percentile of `values` (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Peak, p99 and mean of column `k` of the series, as rates per second. */
export function rateOf(series: TrafficSeries, k: 1 | 2 | 3): Rate {
  const w = series.binSeconds;
  const values = series.points.map((p) => p[k] / w);
  let peak = 0;
  let peakAt = 0;
  for (const [i, v] of values.entries()) {
    if (v > peak) {
      peak = v;
      peakAt = series.points[i]![0];
    }
  }
  const total = series.points.reduce((s, p) => s + p[k], 0);
  const span = series.points.length * w;
  return { peak: round(peak, 3), peakAt, p99: round(percentile(values, 99), 3), mean: span > 0 ? round(total / span, 3) : 0 };
}

/** `x` to 4 significant digits (a share of a core can be far below 0.001). */
function significant(x: number): number {
  return Number(x.toPrecision(4));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One replay of the capture through `ruleset` on `host`, with the series the report reads. */
async function replay(input: CapacityInput, ruleset: Ruleset, host: Host, onRefused?: (atNs: number, flow: string) => void): Promise<ReplayResult> {
  const histograms = new ReplayHistograms();
  // Enough bins for a day of capture at one second each.
  const traffic = new Traffic(86_400);
  const summary = await replayCapture({
    capture: input.capture,
    ruleset,
    host,
    classify: createClassifier(host),
    seed: input.seed,
    runner: rulesetRunners(ruleset, { unmodelled: input.unmodelled }).runner,
    histograms,
    traffic,
    occupancy: true,
    onDrop:
      onRefused &&
      ((d) => {
        if (d.outcome?.reason !== 'conntrack-table-full' || d.pkt === null) return;
        // Either direction of a connection names it the same way.
        const v = d.pkt.view;
        const a = `${v.srcAddr >>> 0} ${v.srcPort}`;
        const b = `${v.dstAddr >>> 0} ${v.dstPort}`;
        onRefused(d.pkt.nowNs, `${v.protocol} ${a < b ? `${a} ${b}` : `${b} ${a}`}`);
      }),
  });
  return { summary, histograms, traffic };
}

/** The capacity report (runs one replay, plus one per overflowing scale and per service count). */
export async function capacityReport(input: CapacityInput): Promise<CapacityReport> {
  const ruleset = input.loadRuleset();
  const base = await replay(input, ruleset, input.host);
  input.onBaseReplay?.(ruleset, base.summary, base.histograms);
  const series = base.summary.traffic!;
  const pps = rateOf(series, 1);
  const cps = rateOf(series, 3);
  const rules = base.histograms.json().rulesEvaluated;
  const rulesPerSecond = { peak: round(pps.peak * rules.mean, 3), p99: round(pps.p99 * rules.mean, 3) };
  const conntrack = conntrackProfile(base.summary, input.host);
  const projections: Projection[] = [];
  for (const scale of input.scales) {
    projections.push({
      scale,
      packetsPerSecond: { peak: round(pps.peak * scale, 3), p99: round(pps.p99 * scale, 3) },
      newConnectionsPerSecond: { peak: round(cps.peak * scale, 3), p99: round(cps.p99 * scale, 3) },
      rulesPerSecond: { peak: round(rulesPerSecond.peak * scale, 3), p99: round(rulesPerSecond.p99 * scale, 3) },
      cpu: input.calibration !== undefined ? cpuEstimate(input.calibration.data, rules.mean, pps.peak * scale, pps.p99 * scale) : null,
      conntrack: conntrack !== null ? await conntrackProjection(input, base.summary, conntrack.max, scale) : null,
    });
  }
  const sizes = base.traffic.sizeMix();
  const packets = sizes.reduce((s, n) => s + n, 0);
  const cal = input.calibration;
  return {
    capture: {
      packetsRead: base.summary.packetsRead,
      replayed: base.summary.replayed,
      binSeconds: series.binSeconds,
      bins: series.points.length,
      ...(base.summary.damage !== undefined ? { damage: `byte ${base.summary.damage.offset}: ${base.summary.damage.message}` } : {}),
    },
    traffic: {
      series,
      packetsPerSecond: pps,
      bytesPerSecond: rateOf(series, 2),
      newConnectionsPerSecond: cps,
      sizes: sizes.map((n, i) => ({ upTo: SIZE_BOUNDS[i] ?? null, packets: n, share: packets > 0 ? round(n / packets, 4) : 0 })),
    },
    conntrack,
    rulesEvaluated: { mean: rules.mean, p50: rules.p50, p99: rules.p99, max: rules.max, perSecond: rulesPerSecond },
    calibration:
      cal === undefined
        ? null
        : {
            file: cal.file,
            date: cal.data.date,
            kernel: cal.data.kernel,
            cpu: cal.data.cpu.model,
            iptables: `${cal.data.iptables.version} (${cal.data.iptables.backend})`,
            nsPerRule: cal.data.nsPerRule,
            nsPerPacket: cal.data.nsPerPacket,
            r2: cal.data.fit.r2,
          },
    projections,
    kube: await kubeProjection(input, pps),
    notes: base.summary.notes,
  };
}

/** The table's peak and its limit; null when the ruleset keeps no table. */
function conntrackProfile(summary: ReplaySummary, host: Host): CapacityReport['conntrack'] {
  const ct = summary.conntrack;
  if (ct === undefined) return null;
  let sampledPeak: [number, number] = [0, 0];
  for (const [t, n] of ct.occupancy ?? []) if (n > sampledPeak[1]) sampledPeak = [t, n];
  return {
    peak: ct.peak,
    final: ct.final,
    sampledPeak,
    max: host.sysctl(MAX_SYSCTL),
    maxFrom: host.spec.sysctls[MAX_SYSCTL] !== undefined ? 'host file' : 'kernel default',
    occupancy: ct.occupancy ?? [],
  };
}

/** Cores the kernel would spend: packets/s × (base + mean rules × ns per rule). */
export function cpuEstimate(cal: Calibration, meanRules: number, peakPps: number, p99Pps: number): CpuEstimate {
  const ns = cal.nsPerPacket + meanRules * cal.nsPerRule;
  return {
    nsPerPacket: round(ns, 1),
    peakCores: significant((peakPps * ns) / 1e9),
    p99Cores: significant((p99Pps * ns) / 1e9),
    ruleWalkPeakCores: significant((peakPps * meanRules * cal.nsPerRule) / 1e9),
  };
}

/** N × the table; when it would not fit, the replay with a table N times smaller. */
async function conntrackProjection(input: CapacityInput, summary: ReplaySummary, max: number, scale: number): Promise<ConntrackProjection> {
  const ct = summary.conntrack!;
  const peak = round(ct.peak * scale, 3);
  let fullAt: number | null = null;
  for (const [t, n] of ct.occupancy ?? []) {
    if (n * scale > max) {
      fullAt = t;
      break;
    }
  }
  // nf_conntrack_max 0 means no limit (__nf_conntrack_alloc tests it first).
  if (max === 0 || peak <= max) return { peak, max, fullAt, overflow: null };
  return { peak, max, fullAt, overflow: await overflow(input, max, scale) };
}

/** The capture through a table of ⌊max / N⌋ entries: what N copies would meet in a table of max. */
async function overflow(input: CapacityInput, max: number, scale: number): Promise<Overflow> {
  const tableSize = Math.max(1, Math.floor(max / scale));
  const spec = input.host.spec;
  const host = new Host({ ...spec, sysctls: { ...spec.sysctls, [MAX_SYSCTL]: tableSize } });
  const perSecond = new Map<number, number>();
  const flows = new Set<string>();
  let first: number | null = null;
  const result = await replay(input, input.loadRuleset(), host, (atNs, flow) => {
    const sec = Math.max(0, Math.floor(atNs / 1e9));
    perSecond.set(sec, (perSecond.get(sec) ?? 0) + 1);
    flows.add(flow);
    first ??= atNs / 1e9;
  });
  let peak = 0;
  let peakAt = 0;
  for (const [sec, n] of perSecond) {
    if (n > peak || (n === peak && sec < peakAt)) {
      peak = n;
      peakAt = sec;
    }
  }
  const notes = result.summary.notes;
  return {
    tableSize,
    earlyDrops: (notes['conntrack.early_drop'] ?? 0) * scale,
    refusedPackets: (notes['conntrack.table_full_dropped'] ?? 0) * scale,
    refusedConnections: flows.size * scale,
    refusedPerSecond: { peak: peak * scale, peakAt },
    firstRefusedAt: first,
  };
}

/** For a kube-proxy ruleset: the capture replayed at each service count above the ruleset's own. */
async function kubeProjection(input: CapacityInput, pps: Rate): Promise<KubeProjection | null> {
  const given = input.loadRuleset();
  const services = kubeServiceCount(given);
  if (services === undefined) return null;
  const endpoints = endpointsPerService(given);
  const rows: KubeRow[] = [];
  for (const target of [services, ...input.kubeServices.filter((n) => n > services)]) {
    const ruleset = target === services ? given : input.loadRuleset();
    const added = addServices(ruleset, target - services, endpoints);
    const r = await replay(input, ruleset, input.host);
    const h = r.histograms.json().rulesEvaluated;
    const cpu = input.calibration !== undefined ? cpuEstimate(input.calibration.data, h.mean, pps.peak, pps.p99) : null;
    rows.push({
      services: target,
      rules: ruleCount(ruleset),
      rulesEvaluated: { mean: h.mean, p99: h.p99 },
      rulesPerSecondPeak: round(pps.peak * h.mean, 3),
      cpu: cpu && { peakCores: cpu.peakCores, p99Cores: cpu.p99Cores },
      addedRuleHits: added.rules.reduce((n, rule) => n + Number(rule.counters.packets), 0),
    });
  }
  return { services, endpointsPerService: endpoints, rows, skipped: input.kubeServices.filter((n) => n <= services) };
}
