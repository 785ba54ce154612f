/**
 * Parallel replay on worker threads (piscina), for rulesets whose packets are independent of
 * each other: no connection tracking, no rule that keeps state across packets (limit,
 * hashlimit, recent, quota, statistic). Then a packet's path, verdict and counts depend on
 * the packet and the host alone, so the capture is cut into parts of whole records, the
 * parts are replayed by N threads at once, and the sums are the same whatever N is.
 *
 * The main thread reads the file in large chunks straight into buffers (the packet bytes
 * are copied once, by the read), walking only record headers to cut at a record boundary,
 * and is one of the N threads: it transfers a part to one of the N - 1 pool threads while
 * they have fewer than two each, else replays the part itself. Each thread keeps its
 * compiled ruleset for all its parts. Per-packet outputs (verdicts, LOG and trace lines,
 * NFLOG, egress and drops pcaps) come back with each part as bytes, its packets numbered as
 * in the whole capture, and are handed on in capture order as soon as a part and those
 * before it are done; at most three parts per thread are read and not yet handed on, so
 * memory stays bounded.
 *
 * What this cannot do in parallel is left to the one-thread replay, with the reason: a
 * ruleset with state, a capture that is not a plain pcap file (gzip, pcapng, standard
 * input), a Linux cooked capture (its outgoing packets are compared with the replay's
 * across the whole capture), a damaged file, and fragments (a datagram's pieces may fall in
 * two parts; a part that held one for reassembly makes the whole replay run again on one
 * thread, and what was handed on is to be discarded).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { usesConntrack } from '../conntrack/usage.js';
import type { Ruleset } from '../rules/model.js';
import { partReplayer, type PartResult, type PartTask, type ReadyTask } from './parallel-worker.js';
import type { PartOutputs } from './part-outputs.js';
import { firstReplayedTime, type ReplaySummary } from './replay.js';
import type { Traffic } from './traffic.js';
import { createClassifier, Host } from '../netfilter/index.js';

/** Matches whose state one packet leaves for packets of other connections (rate, lists, quotas). */
export const SHARED_STATE_MATCHES: ReadonlySet<string> = new Set(['limit', 'hashlimit', 'recent', 'quota', 'connlimit']);
/** What threads cannot share: those, statistic's draws and nth counter, nfacct's counters. */
export const STATEFUL_MATCHES: ReadonlySet<string> = new Set([...SHARED_STATE_MATCHES, 'statistic', 'nfacct']);
const STATEFUL_TARGETS = new Set(['SET']);

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;
/** libpcap's MAXIMUM_SNAPLEN (as the reader): a larger record is damage. */
const MAX_CAPLEN = 262144;
/** Bytes per part: enough records that a part's fixed cost is small. */
const PART_BYTES = 8 << 20;
/** The smallest part the end of a capture is cut into (see replayParallel). */
const TAIL_PART_BYTES = 1 << 20;
/** Bytes per read of a part: a step's record headers are walked while the step is in the core's cache. */
const READ_STEP = 256 << 10;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/** Why `ruleset`'s packets are not independent, or undefined when they are. */
export function rulesetObstacle(ruleset: Ruleset): string | undefined {
  if (usesConntrack(ruleset)) return 'the ruleset tracks connections';
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        for (const m of r.matches) if (STATEFUL_MATCHES.has(m.ext.name)) return `the ruleset uses ${m.ext.name}, whose state every packet shares`;
        if (r.target.kind === 'ext' && STATEFUL_TARGETS.has(r.target.instance.ext.name)) return `the ruleset uses ${r.target.instance.ext.name}`;
      }
    }
  }
  return undefined;
}

export interface ParallelOptions {
  capture: string;
  /** What the threads load the ruleset from (the file the main thread loaded). */
  rulesPath: string;
  /**
   * That file as the main thread loaded it, for the parts the main thread replays itself
   * (else it loads the file too). The parts count into its rules' counters and take their
   * counts back out: the counters are left as the parts found them.
   */
  ruleset?: Ruleset;
  task: Omit<PartTask, 'bytes' | 'length' | 'key' | 'rulesPath' | 'abort' | 'firstPacket'>;
  workers: number;
  /** The pool threads' module (parallel-thread.js unless given; tests give one that cannot load). */
  threadEntry?: string;
  /** Bytes of records per part (PART_BYTES unless given; small values are for tests). */
  partBytes?: number;
  signal?: AbortSignal;
  onProgress?: (packets: number, readBytes: number, totalBytes: number | undefined) => void;
  /** Receives the parts' traffic series (summary.traffic then holds the whole capture's). */
  traffic?: Traffic;
  /**
   * Receives each part's per-packet outputs (task.outputs), in capture order; after an
   * interruption, up to the part it stopped. When the replay then resolves with a reason to
   * run on one thread, what it received is to be discarded.
   */
  onPart?: (outputs: PartOutputs) => void;
}

/** What the parts add up to, in the main thread's counter numbering. */
export interface ParallelResult {
  summary: ReplaySummary;
  counts: Float64Array;
  chainEvaluated: Float64Array | undefined;
  /** Per part, in capture order: the threads' encoded histograms. */
  histograms: Array<{ engineNs: string; rulesEvaluated: string }>;
  warnings: string[];
}

/** Resolves once each of the pool's `threads` threads has loaded the replay (the barrier in parallel-worker.ts). */
async function everyThreadReady(run: (task: ReadyTask) => Promise<unknown>, threads: number): Promise<void> {
  const barrier = new SharedArrayBuffer(8);
  Atomics.store(new Int32Array(barrier), 1, threads);
  const task: ReadyTask = { barrier };
  await Promise.all(Array.from({ length: threads }, () => run(task)));
}

/** The pcap file's byte order (true: little-endian), or the capture's reason not to be cut into parts. */
function pcapByteOrder(header: Uint8Array, got: number): boolean | string {
  if (got < PCAP_HEADER) return 'the capture is not a plain pcap file';
  const dv = new DataView(header.buffer, header.byteOffset, PCAP_HEADER);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) return 'the capture is not a plain pcap file (pcapng or gzip)';
  const linktype = dv.getUint32(20, le) & 0x03ffffff;
  if (linktype === LINKTYPE_LINUX_SLL || linktype === LINKTYPE_LINUX_SLL2) return 'a Linux cooked capture is compared with the replay as a whole';
  return le;
}

/** The end of the records of part.subarray(0, end) from `p` on (whole ones only) and how many, or the damage found. */
function walkRecords(part: Uint8Array, dv: DataView, p: number, end: number, le: boolean): { p: number; records: number } | string {
  let records = 0;
  while (end - p >= RECORD_HEADER) {
    const caplen = dv.getUint32(p + 8, le);
    if (caplen > MAX_CAPLEN) return 'the capture is damaged';
    if (end - p - RECORD_HEADER < caplen) break;
    p += RECORD_HEADER + caplen;
    records++;
  }
  return { p, records };
}

/**
 * Reads up to `length` bytes of the file at `position` into `part` from `from` on, and
 * finds where its whole records end. It reads READ_STEP bytes at a time and walks each
 * step's record headers at once, while they are in the core's cache: `node
 * bench/parallel-read.mjs`, 6 ns a record against 22 for a walk after one read of the part.
 */
function readPart(fd: number, part: Uint8Array, from: number, length: number, position: number, le: boolean): { n: number; p: number; records: number } | string {
  const dv = new DataView(part.buffer, part.byteOffset, part.byteLength);
  let n = 0;
  let p = PCAP_HEADER;
  let records = 0;
  while (n < length) {
    const want = Math.min(READ_STEP, length - n);
    const got = readSync(fd, part, from + n, want, position + n);
    n += got;
    const walked = walkRecords(part, dv, p, from + n, le);
    if (typeof walked === 'string') return walked;
    p = walked.p;
    records += walked.records;
    if (got < want) break;
  }
  return { n, p, records };
}

function addInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Replays the capture on `workers` threads; resolves with the sums, or with the reason it
 * could not (then nothing was counted and the one-thread replay is to run instead).
 */
export async function replayParallel(opts: ParallelOptions): Promise<ParallelResult | { sequential: string }> {
  let fd: number;
  try {
    fd = openSync(opts.capture, 'r');
  } catch {
    return { sequential: 'the capture is not a file' };
  }
  const started = process.hrtime.bigint();
  const header = new Uint8Array(PCAP_HEADER);
  const le = pcapByteOrder(header, readSync(fd, header, 0, PCAP_HEADER, 0));
  const partBytes = opts.partBytes ?? PART_BYTES;
  // No more threads than parts: a thread started for nothing costs its start-up.
  const threads = Math.min(opts.workers, Math.ceil((fstatSync(fd).size - PCAP_HEADER) / partBytes));
  if (typeof le === 'string' || threads <= 1) {
    closeSync(fd);
    return { sequential: typeof le === 'string' ? le : `the capture is one part (${partBytes >> 20} MB) or less` };
  }
  // Parts read and not yet handed on, in capture order.
  const pending: Array<Promise<PartResult>> = [];
  // This thread is one of the `threads`: it replays a part itself whenever the pool's have
  // two each to do (one isolate less to load, compile and warm up; no third busy thread on
  // two cores).
  const poolThreads = threads - 1;
  // Its parts let the event loop run every 5 ms or so, however long a packet takes (the
  // clock looked at about as often, and at most 256 packets apart): piscina hands a pool
  // thread its next task only when this thread takes the answer to the last one, and the
  // pool's two parts last longer.
  const replayHere = partReplayer({ ruleset: opts.ruleset, yieldMs: 5, checkEvery: 256 });
  let inPool = 0;
  // Loaded here, not when the command starts (about 20 ms of its start): only threads use it.
  // The threads' entry from ../engine: this module is also bundled into dist/cli/main.js.
  const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
  const filename = opts.threadEntry ?? fileURLToPath(new URL('../engine/parallel-thread.js', import.meta.url));
  const pool = new Pool({ filename, minThreads: poolThreads, maxThreads: poolThreads });
  // A thread that cannot start (its module missing: a broken install) fails no task:
  // piscina emits an 'error' on the pool (uncaught if nothing listens) and the thread's
  // tasks never settle. Every task races this, so the run fails with the cause.
  let startFailed!: (e: unknown) => void;
  const threadStart = new Promise<never>((_, reject) => (startFailed = reject));
  threadStart.catch(() => undefined);
  pool.on('error', (e: unknown) => startFailed(new Error(`a replay thread did not start: ${e instanceof Error ? e.message : String(e)}`)));
  const run = <T>(task: PartTask | ReadyTask, transferList?: ArrayBuffer[]): Promise<T> => Promise.race([pool.run(task, { transferList }) as Promise<T>, threadStart]);
  // The pool's threads load while this thread reads and replays: it used to wait for them
  // first (92 ms of a 0.98 s two-thread replay, in the thread that reads every part). A pool
  // is destroyed only once its threads have all loaded (parallel-worker.ts, arrive()).
  const ready = everyThreadReady(run, poolThreads);
  // Its failure is thrown after the parts (which then fail too, with their packets); until
  // then it must not count as an unhandled rejection.
  ready.catch(() => undefined);
  try {
    const key = `${opts.rulesPath}\u0000${JSON.stringify(opts.task)}`;
    // Ctrl-C reaches the threads through shared memory: they look at it about every 20 ms.
    const abort = new SharedArrayBuffer(4);
    opts.signal?.addEventListener('abort', () => Atomics.store(new Int32Array(abort), 0, 1), { once: true });
    let position = PCAP_HEADER;
    let carry = new Uint8Array(0);
    let packets = 0;
    let failed = false;
    const total = fstatSync(fd).size;
    // The whole capture's first replayed packet, where every part's traffic bins start: found
    // in the first part that has one (the parts before it have no traffic to bin).
    let trafficOrigin: { sec: number; nsec: number } | undefined;
    const classify = opts.traffic !== undefined ? createClassifier(new Host(opts.task.hostSpec)) : undefined;
    // Reading stopped before the end of the capture by Ctrl-C: the sums cover a prefix only.
    let stoppedEarly = false;
    const results: PartResult[] = [];
    // Part buffers the threads handed back, read into again: a new 8 MB buffer per part is
    // external memory V8 answers with collections of the whole heap, in every thread.
    const free: ArrayBuffer[] = [];
    let sequential: string | undefined;
    // Up to the first interrupted part: what the sums (merge) and the outputs cover.
    let inPrefix = true;
    /** The first part not yet handed on, once done; a thread's failure is thrown here, in capture order. */
    const takeNext = async (): Promise<void> => {
      const r = await pending.shift()!;
      if (inPrefix) {
        if ((r.summary.verdicts['HELD-FOR-REASSEMBLY'] ?? 0) > 0) sequential ??= 'the capture has fragments, whose datagrams parts may split';
        if (r.outputs !== undefined && sequential === undefined) opts.onPart?.(r.outputs);
        if (r.summary.interrupted) inPrefix = false;
      }
      free.push(r.bytes);
      results.push({ ...r, outputs: undefined });
    };
    for (;;) {
      if (failed || sequential !== undefined) break;
      if (opts.signal?.aborted) {
        stoppedEarly = true;
        break;
      }
      const buf = new Uint8Array(free.pop() ?? new ArrayBuffer(PCAP_HEADER + RECORD_HEADER + MAX_CAPLEN + partBytes));
      buf.set(header, 0);
      buf.set(carry, PCAP_HEADER);
      // Towards the end, smaller parts: the thread that finishes first then waits for less
      // than a whole part of the other's.
      const size = Math.max(Math.min(partBytes, TAIL_PART_BYTES), Math.min(partBytes, Math.ceil((total - position) / (4 * threads))));
      const cut = readPart(fd, buf, PCAP_HEADER + carry.length, size, position, le);
      if (typeof cut === 'string') return { sequential: cut };
      const { n, p, records } = cut;
      position += n;
      const end = PCAP_HEADER + carry.length + n;
      if (n === 0) {
        if (p !== end) return { sequential: 'the capture ends in a truncated record' };
        break;
      }
      carry = buf.slice(p, end);
      if (records === 0) continue;
      const first = packets + 1;
      packets += records;
      const last = packets;
      if (classify !== undefined && trafficOrigin === undefined) trafficOrigin = await firstReplayedTime(buf.subarray(0, p), classify);
      const task: PartTask = { ...opts.task, key, rulesPath: opts.rulesPath, abort, bytes: buf.buffer, length: p, firstPacket: first, trafficOrigin };
      const failure = (e: unknown): never => {
        throw new Error(`a replay thread failed on packets ${first} to ${last}: ${e instanceof Error ? e.message : String(e)}`);
      };
      let part: Promise<PartResult>;
      // The pool's answers that came while this thread replayed are taken first (a turn of
      // the event loop), so that a pool thread done with its parts gets the next at once.
      await new Promise((resolve) => setImmediate(resolve));
      if (inPool < 2 * poolThreads) {
        inPool++;
        part = run<PartResult>(task, [buf.buffer]).finally(() => inPool--).catch(failure);
      } else {
        part = replayHere(task).then((r) => r.result, failure);
        // This thread's turn: the part is replayed before the next is read.
        await part.catch(() => undefined);
      }
      pending.push(part);
      // A failure stops the reading; it is thrown by takeNext, in capture order.
      part.catch(() => {
        failed = true;
      });
      // Up to three parts per thread read and not handed on: the pool's threads never wait,
      // this one seldom waits for the part before its own, the memory stays bounded.
      while (pending.length >= 3 * threads && !failed) await takeNext();
      opts.onProgress?.(packets, position, total);
    }
    while (pending.length > 0) await takeNext();
    await ready;
    if (sequential !== undefined) return { sequential };
    return merge(results, stoppedEarly, started, opts.traffic);
  } finally {
    closeSync(fd);
    // Every part settled first: a thread answering a task of a destroyed pool is an uncaught error.
    await Promise.allSettled([...pending, ready]);
    await pool.destroy();
  }
}

/**
 * The parts' results summed in capture order. After an interruption, up to the first part
 * it stopped: what that part did is the end of the prefix of the capture the sums cover.
 */
function merge(results: PartResult[], stoppedEarly: boolean, started: bigint, traffic: Traffic | undefined): ParallelResult {
  const summary: ReplaySummary = { packetsRead: 0, replayed: 0, skipped: {}, malformed: {}, verdicts: {}, notes: {}, seconds: 0 };
  let counts = new Float64Array(0);
  let chainEvaluated: Float64Array | undefined;
  const warnings: string[] = [];
  for (const r of results) {
    summary.packetsRead += r.summary.packetsRead;
    summary.replayed += r.summary.replayed;
    addInto(summary.skipped, r.summary.skipped);
    addInto(summary.malformed, r.summary.malformed);
    addInto(summary.verdicts, r.summary.verdicts);
    addInto(summary.notes, r.summary.notes);
    if (r.summary.window !== undefined) summary.window = { firstSec: summary.window?.firstSec ?? r.summary.window.firstSec, lastSec: r.summary.window.lastSec };
    if (counts.length === 0) counts = new Float64Array(r.counts.length);
    for (let i = 0; i < counts.length; i++) counts[i]! += r.counts[i]!;
    if (r.chainEvaluated !== undefined) {
      chainEvaluated ??= new Float64Array(r.chainEvaluated.length);
      for (let i = 0; i < chainEvaluated.length; i++) chainEvaluated[i]! += r.chainEvaluated[i]!;
    }
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
    if (r.summary.interrupted) {
      summary.interrupted = true;
      break;
    }
  }
  if (stoppedEarly) summary.interrupted = true;
  if (traffic !== undefined) {
    // Only now that no part sends the replay back to one thread (which fills `traffic` itself).
    for (const r of results) {
      if (r.summary.traffic !== undefined && r.traffic !== undefined) traffic.addSeries(r.summary.traffic, r.traffic.sizes);
      if (r.summary.interrupted) break;
    }
    summary.traffic = traffic.series();
  }
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const histograms = results.flatMap((r) => (r.engineNs !== undefined && r.rulesEvaluated !== undefined ? [{ engineNs: r.engineNs, rulesEvaluated: r.rulesEvaluated }] : []));
  return { summary, counts, chainEvaluated, histograms, warnings };
}
