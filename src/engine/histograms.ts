/**
 * The replay's latency and cost distributions as HdrHistograms (hdr-histogram-js):
 *
 * - engine time per packet, in ns: one packet in SAMPLE_EVERY is timed on its own
 *   (performance.now() before its record is decoded and after its last hook), less the
 *   timer's own cost measured when the histograms are created. Timing every packet would
 *   add that cost (tens of ns) to packets that take a few hundred; timing batches would
 *   hide the slow packets (a connection's first, a long chain) in their batch's mean.
 * - rules evaluated per packet under the kernel's linear traversal (ipt_do_table tests
 *   every rule of a chain up to the one that decides, whatever nfreplay's index skipped),
 *   over every table of every hook the packet went through.
 *
 * Both merge with another replay's (worker threads) through add().
 */
import type * as Hdr from 'hdr-histogram-js';
import { hdr } from './hdr.js';
import type { Prepared } from '../compile/prepare.js';
import { performance } from 'node:perf_hooks';

/** Every how many packets one is timed. */
export const SAMPLE_EVERY = 16;

/** What the JSON gives of a histogram. */
export interface HistogramJson {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  max: number;
  /** HdrHistogram's compressed base64 encoding ("HISTFAAA..."), for its tools. */
  encoded: string;
}

function histogram(highest: number): Hdr.Histogram {
  return hdr().build({ lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** The cheapest of many back-to-back performance.now() pairs, in ns. */
function timerCostNs(): number {
  let best = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = performance.now();
    const b = performance.now();
    if (b - a < best) best = b - a;
  }
  return best * 1e6;
}

export class ReplayHistograms {
  /** Engine time per timed packet (ns), the timer's cost taken off. */
  readonly engineNs = histogram(3_600_000_000_000);
  /** Rules evaluated per replayed packet. */
  readonly rulesEvaluated = histogram(1 << 30);
  /** What one performance.now() pair costs here, in ns (taken off every timed packet). */
  readonly timerNs = timerCostNs();

  /** A timed packet took `ms` (performance.now() difference). */
  recordEngine(ms: number): void {
    const ns = Math.round(ms * 1e6 - this.timerNs);
    this.engineNs.recordValue(ns < 1 ? 1 : ns);
  }

  recordRules(n: number): void {
    this.rulesEvaluated.recordValue(n);
  }

  /** Adds another replay's distributions (a worker's). */
  add(other: ReplayHistograms): void {
    this.engineNs.add(other.engineNs);
    this.rulesEvaluated.add(other.rulesEvaluated);
  }

  /** Both distributions in HdrHistogram's compressed encoding (to send across threads). */
  encoded(): { engineNs: string; rulesEvaluated: string } {
    return { engineNs: hdr().encodeIntoCompressedBase64(this.engineNs), rulesEvaluated: hdr().encodeIntoCompressedBase64(this.rulesEvaluated) };
  }

  /** Adds distributions given as encoded() gives them (a worker thread's). */
  addEncoded(engineNs: string, rulesEvaluated: string): void {
    this.engineNs.add(hdr().decodeFromCompressedBase64(engineNs, 32, false));
    this.rulesEvaluated.add(hdr().decodeFromCompressedBase64(rulesEvaluated, 32, false));
  }

  json(): { engineNs: HistogramJson & { sampleEvery: number; timerNs: number }; rulesEvaluated: HistogramJson } {
    return {
      engineNs: { ...summary(this.engineNs), sampleEvery: SAMPLE_EVERY, timerNs: Math.round(this.timerNs) },
      rulesEvaluated: summary(this.rulesEvaluated),
    };
  }

  /** The percentile distribution text HdrHistogram's plotters read. */
  static text(h: Hdr.Histogram): string {
    return h.outputPercentileDistribution(5, 1);
  }
}

/** One chain's share of the rules evaluated (Prepared.chainEvaluated). */
export interface ChainCost {
  table: string;
  chain: string;
  /** Rules of this chain the kernel's walk tested, over the whole replay. */
  evaluated: number;
  /** That per replayed packet. */
  perPacket: number;
}

/** Every chain of `prepared` with its rules tested (chainCost runners), in table and chain order. */
export function chainCosts(prepared: Prepared, replayed: number): ChainCost[] {
  const per = prepared.chainEvaluated;
  if (per === undefined) return [];
  const out: ChainCost[] = [];
  for (const [table, t] of prepared.tables) {
    for (const pc of t.chains) {
      const evaluated = per[pc.num]!;
      out.push({ table, chain: pc.chain.name, evaluated, perPacket: replayed > 0 ? Math.round((evaluated / replayed) * 1e4) / 1e4 : 0 });
    }
  }
  return out;
}

function summary(h: Hdr.Histogram): HistogramJson {
  const at = (p: number): number => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p));
  return {
    count: h.totalCount,
    mean: h.totalCount === 0 ? 0 : Math.round(h.mean * 1000) / 1000,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    'p99.9': at(99.9),
    max: h.totalCount === 0 ? 0 : h.maxValue,
    encoded: hdr().encodeIntoCompressedBase64(h),
  };
}
