/**
 * --statistic expected: counters as expectations over `statistic --mode random` instead
 * of one seeded sample. Each packet's probability mass is split across the branches its
 * draws can take, and every count it makes is added with the weight of its branch.
 *
 * The branches are enumerated by replaying the capture once per "world": in world j every
 * connection (every packet, for packets without a conntrack entry) answers its draws
 * "no" up to its j-th draw and "yes" at the j-th, so the connection's path is F^j T with
 * weight (1-q0)...(1-q[j-1])·q[j], or F^j without a j-th draw. The worlds run until no
 * connection reaches draw number j. This is exact when no draw follows a "yes" within a
 * connection: kube-proxy's ladders (the KUBE-SVC chain tries each endpoint with
 * probability 1/n, 1/(n-1), ... and jumps away on the first hit, on a connection's first
 * packet only). A draw after a "yes" is sampled from the seed instead, its packet counted
 * as inexact; so is every draw past the world limit. A connection's later packets carry
 * the weight of its first packet's branch (its NAT binding came from there).
 *
 * State shared across connections (limit, hashlimit, recent, quota, statistic nth,
 * connlimit, a full conntrack table, NAT port clashes) evolves in each world along that
 * world's paths, not as an expectation; the CLI says so when a ruleset has both.
 */
import type { ConnEntry } from '../conntrack/entry.js';
import type { PacketState } from './packet.js';
import { mulberry32 } from './random.js';
import type { Counters, Ruleset } from '../rules/model.js';
import type { CounterValues } from '../rules/values.js';
import { replayCapture, type PacketOutcome, type ReplayOptions, type ReplaySummary } from './replay.js';

/** Worlds beyond this many: the last one samples the rest of every path (inexact). */
export const MAX_WORLDS = 256;

const TWO_31 = 0x80000000;

export interface ExpectedCounts {
  /** By counter number (Prepared's numbering): expected packets at 2n, bytes at 2n + 1. */
  counts: Float64Array;
  /**
   * The first world's summary with the expected verdicts, the time of all worlds, and
   * `expected` (the number of worlds, packets with draws sampled instead of split).
   */
  summary: ReplaySummary;
}

/** Sums by counter number, growing as numbers appear. */
class Sums {
  values = new Float64Array(256);

  add(n: number, packets: number, bytes: number): void {
    if (2 * n + 1 >= this.values.length) {
      const grown = new Float64Array(Math.max(2 * this.values.length, 2 * n + 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[2 * n] += packets;
    this.values[2 * n + 1] += bytes;
  }
}

/** What a connection's earlier packets decided in this world. */
interface ConnBranch {
  /** ConnEntry.gen when recorded: entries are recycled. */
  gen: number;
  weight: number;
  /** Draws made so far (the index of the next one). */
  draws: number;
  /** A draw answered "yes": later draws are off the enumerated paths. */
  forced: boolean;
}

/** One world's decisions for the packet being replayed, and its counts until it ends. */
class World {
  /** Counts of the current packet: counter number, bytes, in pairs. */
  private pending = new Float64Array(64);
  private pendingLength = 0;
  /** The packet's connection branch has been taken over (at its first draw or its end). */
  private loaded = false;
  private draws = 0;
  private weight = 1;
  private forced = false;
  private inexact = false;
  /** Some connection drew at index `j` (its "no" branch may draw again: another world). */
  reachedJ = false;
  private readonly branches = new Map<ConnEntry, ConnBranch>();
  private readonly sample: () => number;

  constructor(
    private readonly j: number,
    private readonly last: boolean,
    seed: number,
    private readonly out: Sums,
    private readonly verdicts: Record<string, number>,
    private readonly inexactPackets: Set<number>,
  ) {
    this.sample = mulberry32(seed ^ 0x5bd1e995);
  }

  /** statistic --mode random for `pkt`: probability of 2^31, "!" inverting. */
  decide = (pkt: PacketState, probability: number, invert: boolean): boolean => {
    if (!this.loaded) this.load(pkt);
    const p = probability / TWO_31;
    const q = invert ? 1 - p : p;
    const k = this.draws++;
    if (k === this.j) this.reachedJ = true;
    if (this.forced || (this.last && k >= this.j)) {
      this.inexact = true;
      return ((this.sample() & 0x7fffffff) < probability) !== invert;
    }
    if (k < this.j) {
      this.weight *= 1 - q;
      return false;
    }
    this.weight *= q;
    this.forced = true;
    return true;
  };

  count = (num: number, bytes: number): void => {
    if (this.pendingLength + 2 > this.pending.length) {
      const grown = new Float64Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[this.pendingLength++] = num;
    this.pending[this.pendingLength++] = bytes;
  };

  /** The packet's draws continue its connection's: same world, same branch. */
  private load(pkt: PacketState): void {
    this.loaded = true;
    const e = pkt.ct;
    const b = e !== null ? this.branches.get(e) : undefined;
    if (b === undefined || b.gen !== e!.gen) return;
    this.weight = b.weight;
    this.draws = b.draws;
    this.forced = b.forced;
  }

  end = (outcome: PacketOutcome, pkt: PacketState): void => {
    if (!this.loaded) this.load(pkt);
    // A path that ended after fewer than j draws (all "no") is counted in world `draws`.
    const w = !this.forced && this.draws < this.j ? 0 : this.weight;
    if (w !== 0) for (let i = 0; i < this.pendingLength; i += 2) this.out.add(this.pending[i]!, w, w * this.pending[i + 1]!);
    if (w !== 0) this.verdicts[outcome.verdict] = (this.verdicts[outcome.verdict] ?? 0) + w;
    if (this.inexact && w !== 0) this.inexactPackets.add(outcome.packet);
    const e = pkt.ct;
    if (e !== null && this.draws > 0) this.branches.set(e, { gen: e.gen, weight: this.weight, draws: this.draws, forced: this.forced });
    this.pendingLength = 0;
    this.loaded = false;
    this.draws = 0;
    this.weight = 1;
    this.forced = false;
    this.inexact = false;
  };
}

/**
 * Replays the capture once per world and sums the weighted counts. `opts` is a replay
 * whose tracedRunner exists (every count is observed through it), numbering `counters`
 * rules and policies; its statistic, onCount and onVerdict are this function's. The
 * model's counters are left as they were.
 */
export async function replayExpected(opts: ReplayOptions, seed: number): Promise<ExpectedCounts> {
  const out = new Sums();
  const verdicts: Record<string, number> = {};
  const inexact = new Set<number>();
  const saved = saveCounters(opts.ruleset);
  let first: ReplaySummary | undefined;
  let seconds = 0;
  let worlds = 0;
  while (worlds < MAX_WORLDS) {
    const world = new World(worlds, worlds === MAX_WORLDS - 1, seed + worlds, out, verdicts, inexact);
    const summary = await replayCapture({ ...opts, statistic: world.decide, onCount: world.count, onVerdict: world.end });
    restoreCounters(saved);
    first ??= summary;
    seconds += summary.seconds;
    worlds++;
    if (!world.reachedJ) break;
  }
  return { counts: out.values, summary: { ...first!, verdicts, seconds, expected: { worlds, inexactPackets: inexact.size } } };
}

/**
 * The counters to print: each model counter (a rule's, a policy's) plus its expectation,
 * by the runner's numbering (`targets`, CounterStore.targets); the model's own for
 * counters no world numbered (tables not replayed).
 */
export function expectedValues(targets: ReadonlyArray<{ counters: Counters }>, counts: Float64Array): CounterValues {
  const byCounters = new Map<Counters, readonly [number, number]>();
  targets.forEach((t, n) => {
    byCounters.set(t.counters, [Number(t.counters.packets) + (counts[2 * n] ?? 0), Number(t.counters.bytes) + (counts[2 * n + 1] ?? 0)]);
  });
  return (c) => byCounters.get(c) ?? [Number(c.packets), Number(c.bytes)];
}

type SavedCounters = Array<[{ packets: bigint; bytes: bigint }, bigint, bigint]>;

/** The model's counters before the worlds run (each world's runner adds its own to them). */
function saveCounters(ruleset: Ruleset): SavedCounters {
  const saved: SavedCounters = [];
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      saved.push([c.policyCounters, c.policyCounters.packets, c.policyCounters.bytes]);
      for (const r of c.rules) saved.push([r.counters, r.counters.packets, r.counters.bytes]);
    }
  }
  return saved;
}

function restoreCounters(saved: SavedCounters): void {
  for (const [c, packets, bytes] of saved) {
    c.packets = packets;
    c.bytes = bytes;
  }
}
