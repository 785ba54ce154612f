/**
 * A worker thread of the parallel replay (parallel.ts): replays one part of a capture (a
 * pcap file header and whole records, in a buffer transferred from the main thread) and
 * returns what the main thread sums: counters by counter number, the summary's tallies,
 * histograms and per-chain rules evaluated. The ruleset is loaded and compiled once per
 * thread and kept for the thread's later parts; everything a part adds is taken back out
 * after it, so each result covers its own packets only.
 */
import { compileRuleset, interpretRuleset, prepare, type Prepared, type UnmodelledPolicy } from '../compile/index.js';
import { createClassifier, Host, type HostSpec } from '../netfilter/index.js';
import { loadRulesetFile } from '../rules/index.js';
import type { Ruleset } from '../rules/model.js';
import { ReplayContext } from './context.js';
import { ReplayHistograms } from './histograms.js';
import { Traffic } from './traffic.js';
import { replayCapture, replayedTables, type ReplaySummary, type TableRunner } from './replay.js';

export interface PartTask {
  /** Identifies the ruleset and options: a thread rebuilds its runner when it changes. */
  key: string;
  rulesPath: string;
  hostSpec: HostSpec;
  unmodelled: UnmodelledPolicy;
  interpreter: boolean;
  histograms: boolean;
  /** The traffic series, with its bins from this capture time (the whole capture's first replayed packet). */
  trafficOrigin?: { sec: number; nsec: number };
  /** Int32 [0]: set to 1 by the main thread to stop every part at its next check. */
  abort: SharedArrayBuffer;
  /** A pcap file header and whole records; `length` bytes of it. */
  bytes: ArrayBuffer;
  length: number;
}

export interface PartResult {
  summary: ReplaySummary;
  /** Packets at 2n, bytes at 2n + 1, by counter number (prepare()'s numbering). */
  counts: Float64Array;
  chainEvaluated: Float64Array | undefined;
  /** HdrHistogram encodings of the part's engine time and rules evaluated. */
  engineNs: string | undefined;
  rulesEvaluated: string | undefined;
  /** The part's traffic series (summary.traffic) and size mix, with trafficOrigin. */
  traffic: { sizes: number[] } | undefined;
  warnings: string[];
}

interface ThreadState {
  key: string;
  ruleset: Ruleset;
  host: Host;
  ctx: ReplayContext;
  prepared: Prepared;
  runner: TableRunner;
  classify: ReturnType<typeof createClassifier>;
}

let state: ThreadState | undefined;

function build(task: PartTask): ThreadState {
  const { ruleset } = loadRulesetFile(task.rulesPath);
  const host = new Host(task.hostSpec);
  const ctx = new ReplayContext({ host, seed: 1 });
  const tables = replayedTables(ruleset);
  const prepared = prepare(ruleset, ctx, tables, { unmodelled: task.unmodelled, tables, chainCost: task.histograms });
  const opts = { unmodelled: task.unmodelled, tables, prepared };
  const runner = task.interpreter ? interpretRuleset(ruleset, ctx, opts) : compileRuleset(ruleset, ctx, opts);
  return { key: task.key, ruleset, host, ctx, prepared, runner, classify: createClassifier(host) };
}

/** The counters the part wrote into the thread's model, taken out again. */
function takeCounts(prepared: Prepared): Float64Array {
  const targets = prepared.counters.targets;
  const out = new Float64Array(2 * targets.length);
  targets.forEach((t, n) => {
    out[2 * n] = Number(t.counters.packets);
    out[2 * n + 1] = Number(t.counters.bytes);
    t.counters.packets = 0n;
    t.counters.bytes = 0n;
  });
  return out;
}

/** Every thread's first task: a barrier all the pool's threads reach once loaded. */
export interface ReadyTask {
  /** Int32 [0]: threads arrived; [1]: how many must. */
  barrier: SharedArrayBuffer;
}

/** Milliseconds a thread waits at the barrier for the others before giving up. */
const BARRIER_MS = 60_000;

/**
 * Holds the thread until every thread of the pool has loaded this module: a thread
 * terminated while its modules are still evaluating can abort the whole process (V8's
 * module evaluation does not survive termination in Node 20), so the pool is only ever
 * destroyed once all have arrived here. Blocking also keeps each thread to one such task.
 */
function arrive(task: ReadyTask): void {
  const b = new Int32Array(task.barrier);
  const want = Atomics.load(b, 1);
  Atomics.add(b, 0, 1);
  Atomics.notify(b, 0);
  const until = Date.now() + BARRIER_MS;
  for (let now = Atomics.load(b, 0); now < want; now = Atomics.load(b, 0)) {
    if (Date.now() > until) throw new Error(`only ${now} of ${want} replay threads started`);
    Atomics.wait(b, 0, now, 100);
  }
}

export default async function replayTask(task: PartTask | ReadyTask): Promise<PartResult | undefined> {
  if (!('bytes' in task)) {
    arrive(task);
    return undefined;
  }
  return replayPart(task);
}

async function replayPart(task: PartTask): Promise<PartResult> {
  if (state === undefined || state.key !== task.key) state = build(task);
  const s = state;
  s.ctx.notes.clear();
  const histograms = task.histograms ? new ReplayHistograms() : undefined;
  const traffic = task.trafficOrigin !== undefined ? new Traffic() : undefined;
  const flag = new Int32Array(task.abort);
  const signal = {
    get aborted(): boolean {
      return Atomics.load(flag, 0) === 1;
    },
  };
  const summary = await replayCapture({
    capture: new Uint8Array(task.bytes, 0, task.length),
    ruleset: s.ruleset,
    host: s.host,
    classify: s.classify,
    runner: () => s.runner,
    context: s.ctx,
    histograms,
    traffic,
    trafficOrigin: task.trafficOrigin,
    signal,
  });
  const chainEvaluated = s.prepared.chainEvaluated?.slice();
  s.prepared.chainEvaluated?.fill(0);
  const warnings = s.classify.warnings.splice(0);
  const encoded = histograms?.encoded();
  return {
    summary,
    counts: takeCounts(s.prepared),
    chainEvaluated,
    engineNs: encoded?.engineNs,
    rulesEvaluated: encoded?.rulesEvaluated,
    traffic: traffic && { sizes: traffic.sizeMix() },
    warnings,
  };
}
