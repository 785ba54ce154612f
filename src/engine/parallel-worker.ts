/**
 * A worker thread of the parallel replay (parallel.ts): replays one part of a capture (a
 * pcap file header and whole records, in a buffer transferred from the main thread) and
 * returns what the main thread sums: counters by counter number, the summary's tallies,
 * histograms and per-chain rules evaluated, and the part's per-packet outputs as bytes
 * (part-outputs.ts) that the main thread appends to the files in capture order. The
 * ruleset is loaded and compiled once per thread and kept for the thread's later parts;
 * everything a part adds is taken back out after it, so each result covers its own packets
 * only. The main thread replays parts with the same code (partReplayer).
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Prepared, UnmodelledPolicy } from '../compile/index.js';
import { createClassifier, Host, type HostSpec } from '../netfilter/index.js';
import { loadRulesetFile } from '../rules/index.js';
import { usesConntrack } from '../conntrack/usage.js';
import type { Ruleset } from '../rules/model.js';
import { ReplayContext, type LogLine } from './context.js';
import { ReplayHistograms } from './histograms.js';
import { PartOutputCollector, type PartOutputRequest, type PartOutputs } from './part-outputs.js';
import type { PacketState } from './packet.js';
import { rulesetRunners, type RulesetRunners } from './setup.js';
import { Traffic } from './traffic.js';
import { replayCapture, type ReplaySummary, type TableRunner } from './replay.js';

export interface PartTask {
  /** Identifies the ruleset and options: a thread rebuilds its runner when it changes. */
  key: string;
  rulesPath: string;
  hostSpec: HostSpec;
  unmodelled: UnmodelledPolicy;
  interpreter: boolean;
  histograms: boolean;
  /** The per-packet outputs to make, if any. */
  outputs?: PartOutputRequest;
  /** The number of the part's first record in the whole capture. */
  firstPacket: number;
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
  /** The part's per-packet outputs, when asked for. */
  outputs: PartOutputs | undefined;
  /** The part's buffer (PartTask.bytes), handed back for the next part to be read into. */
  bytes: ArrayBuffer;
}

interface ThreadState {
  key: string;
  ruleset: Ruleset;
  /** usesConntrack(ruleset), worked out once for all the thread's parts. */
  tracksConnections: boolean;
  host: Host;
  ctx: ReplayContext;
  runners: RulesetRunners;
  prepared: Prepared;
  runner: TableRunner;
  /** The traced runner, built when a part first traces (paths, --trace, TRACE lines). */
  traced: ReturnType<RulesetRunners['tracedRunner']> | undefined;
  classify: ReturnType<typeof createClassifier>;
  /** Where the runtime's LOG lines and NFLOG copies go: the current part's outputs. */
  outputs: PartOutputCollector | undefined;
}

/** The runners as the one-thread replay builds them (setup.ts), bound to a runtime kept for every part. */
function build(task: PartTask, loaded: Ruleset | undefined): ThreadState {
  const ruleset = loaded ?? loadRulesetFile(task.rulesPath).ruleset;
  const host = new Host(task.hostSpec);
  // The runtime lives as long as the runner bound to it: its LOG and NFLOG sinks follow the part.
  const ctx = new ReplayContext({
    host,
    seed: 1,
    onLog: (l: LogLine) => s.outputs?.onLog(l),
    onNflog: (group: number, prefix: string, pkt: PacketState, size?: number) => s.outputs?.onNflog(group, prefix, pkt, size),
  });
  const runners = rulesetRunners(ruleset, { unmodelled: task.unmodelled, interpreter: task.interpreter, chainCost: task.histograms });
  const runner = runners.runner(ctx);
  const s: ThreadState = { key: task.key, ruleset, tracksConnections: usesConntrack(ruleset), host, ctx, runners, prepared: runners.prepared()!, runner, traced: undefined, classify: createClassifier(host), outputs: undefined };
  return s;
}

/** The counters the part wrote into the thread's model, taken out again. */
function takeCounts(prepared: Prepared): Float64Array {
  const targets = prepared.counters.targets;
  const out = new Float64Array(2 * targets.length);
  // Most of a large ruleset's rules count nothing in a part: those are only looked at.
  for (let n = 0; n < targets.length; n++) {
    const c = targets[n]!.counters;
    if (c.packets === 0n && c.bytes === 0n) continue;
    out[2 * n] = Number(c.packets);
    out[2 * n + 1] = Number(c.bytes);
    c.packets = 0n;
    c.bytes = 0n;
  }
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

export default async function replayTask(task: PartTask | ReadyTask): Promise<PartResult | Transferred | undefined> {
  if (!('bytes' in task)) {
    arrive(task);
    return undefined;
  }
  return replayPart(task);
}

/** This pool thread's parts, with replayCapture()'s own pacing: Ctrl-C reaches one within about 20 ms (checkInterval()). */
const replayHere = partReplayer();

async function replayPart(task: PartTask): Promise<Transferred> {
  const { result, transfer } = await replayHere(task);
  const moved = new Transferred(result, [task.bytes, ...transfer]);
  // Marked in place: piscina then posts the value with its buffers in the transfer list.
  move(moved);
  return moved;
}

/** A part's result, and the buffers of its outputs, which a pool thread transfers rather than copies. */
export type PartReplay = (task: PartTask) => Promise<{ result: PartResult; transfer: ArrayBuffer[] }>;

/**
 * Replays parts in the calling thread, with a runner built on the first part and kept for
 * the later ones: a pool thread's, and the main thread's for the parts it replays itself
 * (a new one per replay there, so that no runner outlives the ruleset it was built on).
 * `ruleset`, when given, is task.rulesPath already loaded (the main thread's): the runner
 * counts into its rules' counters and each part takes its counts back out, as a pool
 * thread does with its own copy. `yieldMs` and `checkEvery` are replayCapture()'s.
 */
export function partReplayer(opts: { ruleset?: Ruleset; yieldMs?: number; checkEvery?: number } = {}): PartReplay {
  let state: ThreadState | undefined;
  // Async, so that a load that fails rejects like a replay that fails.
  return async (task) => {
    if (state === undefined || state.key !== task.key) state = build(task, opts.ruleset);
    return replayWith(state, task, opts);
  };
}

async function replayWith(s: ThreadState, task: PartTask, pace: { yieldMs?: number; checkEvery?: number }): Promise<{ result: PartResult; transfer: ArrayBuffer[] }> {
  s.ctx.notes.clear();
  const outputs = task.outputs && new PartOutputCollector(task.outputs, s.host);
  s.outputs = outputs;
  const hooks = outputs?.hooks();
  if (hooks !== undefined) s.traced ??= s.runners.tracedRunner(s.ctx);
  const histograms = task.histograms ? new ReplayHistograms() : undefined;
  const traffic = task.trafficOrigin !== undefined ? new Traffic() : undefined;
  const flag = new Int32Array(task.abort);
  const signal = {
    get aborted(): boolean {
      return Atomics.load(flag, 0) === 1;
    },
  };
  const summary = await replayCapture({
    ...hooks,
    capture: new Uint8Array(task.bytes, 0, task.length),
    captureInPlace: true,
    firstPacket: task.firstPacket,
    ruleset: s.ruleset,
    tracksConnections: s.tracksConnections,
    host: s.host,
    classify: s.classify,
    runner: () => s.runner,
    tracedRunner: s.traced && (() => s.traced!),
    context: s.ctx,
    histograms,
    traffic,
    trafficOrigin: task.trafficOrigin,
    signal,
    yieldMs: pace.yieldMs,
    checkEvery: pace.checkEvery,
  });
  const chainEvaluated = s.prepared.chainEvaluated?.slice();
  s.prepared.chainEvaluated?.fill(0);
  const warnings = s.classify.warnings.splice(0);
  const encoded = histograms?.encoded();
  s.outputs = undefined;
  const made = outputs?.finish();
  const result: PartResult = {
    summary,
    counts: takeCounts(s.prepared),
    chainEvaluated,
    engineNs: encoded?.engineNs,
    rulesEvaluated: encoded?.rulesEvaluated,
    traffic: traffic && { sizes: traffic.sizeMix() },
    warnings,
    outputs: made?.outputs,
    bytes: task.bytes,
  };
  return { result, transfer: made?.transfer ?? [] };
}

/** A result whose buffers (the part's, its outputs') move to the main thread instead of being copied (piscina's Transferable). */
class Transferred {
  constructor(
    private readonly value: PartResult,
    private readonly buffers: ArrayBuffer[],
  ) {}

  get [transferableSymbol](): ArrayBuffer[] {
    return this.buffers;
  }

  get [valueSymbol](): PartResult {
    return this.value;
  }
}
