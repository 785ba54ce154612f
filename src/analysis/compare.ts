/**
 * Two rulesets compared on one capture: every packet replayed through each (same host,
 * same seed), its outcomes (outcomes.ts) compared, the packets whose outcome differs
 * gathered by connection and the connections by the rules responsible; the final conntrack
 * tables compared line by line; the rules the kernel's linear walk evaluates per packet
 * under each.
 *
 * Memory stays bounded by the capture's packet count, not its size or its outcomes:
 *
 * 1. A, compiled matcher: each packet's outcome hashed to 64 bits, kept in 8 bytes a
 *    packet (PacketPairs); A's final conntrack lines kept.
 * 2. B, compiled matcher: each packet's hash compared as it comes; the numbers of the
 *    packets that differ are kept; B's conntrack lines compared with A's.
 *
 * Nothing else runs when no packet differs: two replays at the compiled matcher's speed.
 * Otherwise two more replays record the differing packets only (their paths through the
 * traced runner, everything else compiled):
 *
 * 3. A again: for each differing packet its outcome words and its connection (A's conntrack
 *    tuple: connections are as the first ruleset, the one in use, tracks them), and the
 *    details of each connection's first differing packet.
 * 4. B again: which parts of each differing packet's outcome differ; the details of each
 *    connection's first differing packet, whose two paths say which rules are responsible.
 *
 * That is 40 bytes for each differing packet (its number, outcome words, connection) and
 * the details of one packet for each differing connection. Replays are deterministic (same
 * seed, same capture), so passes 3 and 4 see what 1 and 2 saw; an outcome hash that
 * collides would hide a difference with probability 2^-64 for that packet.
 */
import type { Counters, Ruleset } from '../rules/model.js';
import { Hash64, PacketPairs, WordList } from './fingerprint.js';
import {
  DIFFERENCE_KINDS,
  differingKinds,
  kindNames,
  observeOutcomes,
  OUTCOME_WORDS,
  replayOutcomes,
  OutcomeCodes,
  type DifferenceKind,
  type ObservedPacket,
  type PacketDetails,
  type ReplaySetup,
  type RuleRef,
  type RulesCost,
} from './outcomes.js';

export interface CompareOptions {
  /** Example connections kept per group (default 3). */
  examples?: number;
  /** Conntrack lines listed on each side of a difference (default 10; the counts are always whole). */
  conntrackExamples?: number;
}

/** A connection whose packets' outcomes differ, with the first such packet under both rulesets. */
export interface ConnectionExample {
  connection: string;
  /** Its packets whose outcome differs. */
  packets: number;
  firstPacket: number;
  /** How the first differing packet's outcome differs. */
  kinds: DifferenceKind[];
  a: PacketDetails;
  b: PacketDetails;
}

/**
 * Connections put together by the rules responsible: those the first differing packet of
 * each met under one ruleset and not under the other (responsibleRules). Both empty: the
 * same rules matched, and the difference came from state (conntrack, NAT bindings, or
 * matches with memory such as recent, limit, statistic).
 */
export interface DiffGroup {
  a: RuleRef[];
  b: RuleRef[];
  /** How its packets' outcomes differ, over all its connections' differing packets. */
  kinds: DifferenceKind[];
  connections: number;
  packets: number;
  /** The first connections (by their first differing packet). */
  examples: ConnectionExample[];
}

export interface ConntrackSide {
  /** The ruleset uses conntrack (without a rule needing it no table exists). */
  tracked: boolean;
  entries: number;
  /** Lines not in the other table: how many, and the first ones in sorted order. */
  only: { count: number; lines: string[] };
}

export interface RulesetComparison {
  /** No packet's outcome differs and the final conntrack tables are the same. */
  identical: boolean;
  /** The capture is damaged: the comparison covers the packets before the damage. */
  damage: { offset: number; message: string } | null;
  packetsRead: number;
  /** Packets replayed (each compared). */
  replayed: number;
  differing: {
    packets: number;
    connections: number;
    /** Packets whose outcome differs in each way (a packet can count in several). */
    byKind: Record<DifferenceKind, number>;
  };
  /** By connections, then packets (most first), then rules. */
  groups: DiffGroup[];
  conntrack: { identical: boolean; a: ConntrackSide; b: ConntrackSide };
  cost: { a: RulesCost; b: RulesCost };
  verdicts: { a: Record<string, number>; b: Record<string, number> };
  /** Effects nfreplay did not model, counted, per replay. */
  notes: { a: Record<string, number>; b: Record<string, number> };
  /** The path classifier's warnings about the capture (the same for both). */
  warnings: string[];
}

/** Puts back the counters of every rule and policy of `ruleset` as they are now. */
function counterSnapshot(ruleset: Ruleset): () => void {
  const saved: Array<[Counters, bigint, bigint]> = [];
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      saved.push([c.policyCounters, c.policyCounters.packets, c.policyCounters.bytes]);
      for (const r of c.rules) saved.push([r.counters, r.counters.packets, r.counters.bytes]);
    }
  }
  return () => {
    for (const [c, packets, bytes] of saved) {
      c.packets = packets;
      c.bytes = bytes;
    }
  };
}

/**
 * The rules and policies one path met and the other did not: each path less a longest
 * common subsequence of the two (rules compared by hook, table and text, not number:
 * deleting a rule renumbers the ones after it without changing them).
 */
export function responsibleRules(a: readonly RuleRef[], b: readonly RuleRef[]): { a: RuleRef[]; b: RuleRef[] } {
  const same = (x: RuleRef, y: RuleRef): boolean => x.hook === y.hook && x.table === y.table && x.text === y.text;
  // common[i][j]: the longest common subsequence of a[i..] and b[j..] (paths are short: tens of steps).
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = same(a[i]!, b[j]!) ? common[(i + 1) * width + j + 1]! + 1 : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  const onlyA: RuleRef[] = [];
  const onlyB: RuleRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (same(a[i]!, b[j]!)) {
      i++;
      j++;
    } else if (common[(i + 1) * width + j]! >= common[i * width + j + 1]!) onlyA.push(a[i++]!);
    else onlyB.push(b[j++]!);
  }
  return { a: [...onlyA, ...a.slice(i)], b: [...onlyB, ...b.slice(j)] };
}

/** One differing connection while the passes run. */
interface ConnDiff {
  connection: string;
  firstPacket: number;
  packets: number;
  /** Kinds over all its differing packets, and of its first one. */
  kinds: number;
  firstKinds: number;
  a: PacketDetails;
  b: PacketDetails | undefined;
}

/** Thrown when a ruleset's second replay did not see what its first saw (a bug: replays are deterministic). */
function notReproduced(what: string): Error {
  return new Error(`the replays of the comparison were not reproducible: ${what}`);
}

/** Passes 3 and 4: the differing packets' connections, kinds and details. */
async function differingConnections(
  a: Ruleset,
  b: Ruleset,
  setup: ReplaySetup,
  codes: OutcomeCodes,
  differing: WordList,
): Promise<{ conns: ConnDiff[]; byKind: Float64Array }> {
  const n = differing.length;
  let cursor = 0;
  const isNext = (packet: number): boolean => cursor < n && differing.at(cursor) === packet;
  const aWords = new WordList();
  const connOf = new WordList();
  const conns: ConnDiff[] = [];
  const byKey = new Map<string, number>();
  const onA = (p: ObservedPacket): void => {
    cursor++;
    for (let i = 0; i < OUTCOME_WORDS; i++) aWords.push(p.words[i]!);
    const key = p.connection();
    let c = byKey.get(key);
    if (c === undefined) {
      c = conns.length;
      byKey.set(key, c);
      conns.push({ connection: key, firstPacket: p.number, packets: 0, kinds: 0, firstKinds: 0, a: p.details(), b: undefined });
    }
    conns[c]!.packets++;
    connOf.push(c);
  };
  await replayOutcomes(a, setup, observeOutcomes(a, codes, onA, isNext));
  if (cursor !== n) throw notReproduced(`${n - cursor} differing packets not replayed again`);
  byKey.clear();
  const byKind = new Float64Array(DIFFERENCE_KINDS.length);
  const aView = aWords.view();
  cursor = 0;
  const onB = (p: ObservedPacket): void => {
    const i = cursor++;
    const mask = differingKinds(aView, i * OUTCOME_WORDS, p.words, 0);
    if (mask === 0) throw notReproduced(`packet ${p.number} no longer differs`);
    for (let k = 0; k < DIFFERENCE_KINDS.length; k++) if (mask & (1 << k)) byKind[k]!++;
    const c = conns[connOf.at(i)]!;
    c.kinds |= mask;
    if (p.number === c.firstPacket) {
      c.firstKinds = mask;
      c.b = p.details();
    }
  };
  await replayOutcomes(b, setup, observeOutcomes(b, codes, onB, isNext));
  if (cursor !== n) throw notReproduced(`${n - cursor} differing packets not replayed again`);
  return { conns, byKind };
}

/** The differing connections by the rules responsible, in the report's order. */
function groupConnections(conns: readonly ConnDiff[], examples: number): DiffGroup[] {
  const groups = new Map<string, DiffGroup & { mask: number }>();
  const refKey = (r: RuleRef): string => `${r.hook} ${r.table} ${r.rule ?? 'policy'} ${r.text}`;
  // Connections are in the order of their first differing packet: the examples are the first ones.
  for (const c of conns) {
    const b = c.b!;
    const rules = responsibleRules(c.a.rules, b.rules);
    const key = JSON.stringify([rules.a.map(refKey), rules.b.map(refKey)]);
    let g = groups.get(key);
    if (g === undefined) {
      g = { ...rules, kinds: [], connections: 0, packets: 0, examples: [], mask: 0 };
      groups.set(key, g);
    }
    g.connections++;
    g.packets += c.packets;
    g.mask |= c.kinds;
    if (g.examples.length < examples) {
      g.examples.push({ connection: c.connection, packets: c.packets, firstPacket: c.firstPacket, kinds: kindNames(c.firstKinds), a: c.a, b });
    }
  }
  return [...groups.entries()]
    .sort(([ka, x], [kb, y]) => y.connections - x.connections || y.packets - x.packets || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, g]) => ({ a: g.a, b: g.b, kinds: kindNames(g.mask), connections: g.connections, packets: g.packets, examples: g.examples }));
}

/** A's and B's final tables, line by line. */
function conntrackSides(aLines: Set<string> | undefined, bLines: string[] | undefined, examples: number): RulesetComparison['conntrack'] {
  const onlyB = (bLines ?? []).filter((l) => aLines?.has(l) !== true);
  const inB = new Set(bLines);
  const onlyA = [...(aLines ?? [])].filter((l) => !inB.has(l));
  const side = (lines: Set<string> | string[] | undefined, only: string[]): ConntrackSide => ({
    tracked: lines !== undefined,
    entries: lines === undefined ? 0 : lines instanceof Set ? lines.size : lines.length,
    only: { count: only.length, lines: only.sort().slice(0, examples) },
  });
  return { identical: onlyA.length === 0 && onlyB.length === 0, a: side(aLines, onlyA), b: side(bLines, onlyB) };
}

/**
 * Replays `setup.capture` through rulesets `a` and `b` and compares every packet's
 * outcome (verdict and where it was dropped, NAT, mark, LOG/NFLOG/TRACE lines, TTL/TOS/MSS)
 * and the final conntrack tables. Throws what a replay throws (UnmodelledError,
 * CaptureError for a capture that cannot be read at all); a capture damaged part way is
 * compared up to the damage (`damage`). Afterwards each ruleset's counters hold one replay
 * of the capture, as after `nfreplay replay`.
 */
export async function compareRulesets(a: Ruleset, b: Ruleset, setup: ReplaySetup, opts: CompareOptions = {}): Promise<RulesetComparison> {
  const codes = new OutcomeCodes();
  const hash = new Hash64();
  const fingerprint = (p: ObservedPacket): void => {
    hash.reset();
    for (let i = 0; i < OUTCOME_WORDS; i++) hash.word(p.words[i]!);
  };
  const outcomesA = new PacketPairs();
  let aLines: Set<string> | undefined;
  const first = await replayOutcomes(
    a,
    setup,
    observeOutcomes(a, codes, (p) => {
      fingerprint(p);
      outcomesA.set(p.number, hash.hi, hash.lo);
    }),
    { cost: true, onConntrack: (lines) => (aLines = new Set(lines)) },
  );
  const restoreA = counterSnapshot(a);
  const differing = new WordList();
  let bLines: string[] | undefined;
  const second = await replayOutcomes(
    b,
    setup,
    observeOutcomes(b, codes, (p) => {
      fingerprint(p);
      if (!outcomesA.equals(p.number, hash.hi, hash.lo)) differing.push(p.number);
    }),
    { cost: true, onConntrack: (lines) => (bLines = lines) },
  );
  const restoreB = counterSnapshot(b);
  const conntrack = conntrackSides(aLines, bLines, opts.conntrackExamples ?? 10);
  aLines = bLines = undefined;
  if (first.summary.replayed !== second.summary.replayed) throw notReproduced(`${first.summary.replayed} packets replayed through A, ${second.summary.replayed} through B`);

  let groups: DiffGroup[] = [];
  let connections = 0;
  let byKind: Float64Array = new Float64Array(DIFFERENCE_KINDS.length);
  if (differing.length > 0) {
    const found = await differingConnections(a, b, setup, codes, differing);
    restoreA();
    restoreB();
    groups = groupConnections(found.conns, opts.examples ?? 3);
    connections = found.conns.length;
    byKind = found.byKind;
  }
  const s = first.summary;
  return {
    identical: differing.length === 0 && conntrack.identical,
    damage: s.damage ?? null,
    packetsRead: s.packetsRead,
    replayed: s.replayed,
    differing: {
      packets: differing.length,
      connections,
      byKind: Object.fromEntries(DIFFERENCE_KINDS.map((k, i) => [k, byKind[i]!])) as Record<DifferenceKind, number>,
    },
    groups,
    conntrack,
    cost: { a: first.cost!, b: second.cost! },
    verdicts: { a: s.verdicts, b: second.summary.verdicts },
    notes: { a: s.notes, b: second.summary.notes },
    warnings: first.warnings,
  };
}
