/**
 * What one replay did to each packet, as far as anything outside the rules can tell: its
 * verdict (and the hook and table that dropped it, or why routing did), the packet after
 * NAT (the interface it left by and its addresses and ports, or as it was delivered to the
 * host or queued), its mark, its TTL, TOS and MSS as it went on, and the LOG, NFLOG and
 * TRACE lines it produced. The rules it matched on the way are not part of it: two rulesets
 * whose paths differ but whose outcomes do not are equivalent on that packet.
 *
 * Each packet's outcome is reduced to OUTCOME_WORDS words (the verdict, the mark, TTL, TOS
 * and MSS exactly; the NAT result and the log lines as 64-bit hashes), so a replay of
 * millions of packets can be compared with another in a few bytes a packet. For packets
 * the caller selects, the replay also records the path (`paths` with a selector: the
 * others keep the compiled matcher) and the observer gives the details: the rules matched
 * as iptables-save prints them, the log lines, the connection.
 */
import { conntrackLine } from '../conntrack/listing.js';
import type { Conntrack } from '../conntrack/tracker.js';
import type { UnmodelledPolicy } from '../compile/index.js';
import type { LogLine } from '../engine/context.js';
import { chainCosts, ReplayHistograms, type ChainCost } from '../engine/histograms.js';
import type { PacketState } from '../engine/packet.js';
import { replayCapture, type PacketOutcome, type ReplayOptions, type ReplaySummary } from '../engine/replay.js';
import { rulesetRunners } from '../engine/setup.js';
import type { PathStep } from '../engine/trace.js';
import { createClassifier, type Host } from '../netfilter/index.js';
import { HOOKS, TABLE_NAMES, type Hook, type Ruleset, type TableName } from '../rules/model.js';
import { ruleSpec } from '../rules/save.js';
import { ipToString, protoToName } from '../rules/values.js';
import { Hash64 } from './fingerprint.js';

/** Words of a packet's outcome; the ranges below say which word is what. */
export const OUTCOME_WORDS = 8;
const W_VERDICT = 0;
const W_MARK = 1;
/** The packet after NAT: a 64-bit hash of its interface, protocol, addresses, ports, ICMP id and quoted header. */
const W_NAT = 2;
/** The log lines: a 64-bit hash of each line's level and text, NFLOG's group, prefix and size. */
const W_LOG = 4;
/** TTL | TOS << 8, and MSS + 1 (0: none), as the packet went on. */
const W_MANGLE = 6;

/** The ways two outcomes of a packet can differ, in the order reports list them. */
export const DIFFERENCE_KINDS = ['verdict', 'nat', 'mark', 'log', 'mangle'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** Each kind's words: [first, count], in DIFFERENCE_KINDS order. */
const KIND_WORDS: ReadonlyArray<readonly [number, number]> = [
  [W_VERDICT, 1],
  [W_NAT, 2],
  [W_MARK, 1],
  [W_LOG, 2],
  [W_MANGLE, 2],
];

const NAT_KIND = 1 << DIFFERENCE_KINDS.indexOf('nat');
const MANGLE_KIND = 1 << DIFFERENCE_KINDS.indexOf('mangle');

/**
 * Bit i set when DIFFERENCE_KINDS[i] differs between outcome `a` (from word aAt) and `b`
 * (from bAt). NAT only when both packets went on: a packet accepted by one ruleset and
 * dropped by the other differs in its verdict, not in how it would have left. TTL, TOS and
 * MSS only when both went on the same way (forwarding decrements the TTL, delivery not).
 */
export function differingKinds(a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number): number {
  let mask = 0;
  KIND_WORDS.forEach(([first, count], kind) => {
    for (let w = first; w < first + count; w++) if (a[aAt + w] !== b[bAt + w]) mask |= 1 << kind;
  });
  if (!verdictWentOn(a[aAt + W_VERDICT]!) || !verdictWentOn(b[bAt + W_VERDICT]!)) return mask & ~(NAT_KIND | MANGLE_KIND);
  return mask & NAT_KIND ? mask & ~MANGLE_KIND : mask;
}

export function kindNames(mask: number): DifferenceKind[] {
  return DIFFERENCE_KINDS.filter((_, i) => (mask & (1 << i)) !== 0);
}

const VERDICTS: readonly PacketOutcome['verdict'][] = ['ACCEPT', 'DROP', 'QUEUE', 'ROUTING-DROP', 'TTL-EXCEEDED', 'FRAG-NEEDED', 'HELD-FOR-REASSEMBLY'];

/** Whether a verdict word (OutcomeCodes.verdict) is one after which the packet went on. */
function verdictWentOn(code: number): boolean {
  return wentOn(VERDICTS[code & 0xf]!);
}

/**
 * Numbers for a packet's verdict (with where it was dropped and why) and for the interface
 * it left by, the same in every replay that shares this object: reasons and interfaces are
 * numbered as they are first seen in any of them.
 */
export class OutcomeCodes {
  private readonly reasons = new Map<string, number>();
  private readonly ifaces = new Map<string, number>([['', 0]]);

  verdict(o: PacketOutcome): number {
    const at = o.droppedAt;
    const hook = at === undefined ? 0 : HOOKS.indexOf(at.hook) + 1;
    const table = at === undefined ? 0 : TABLE_NAMES.indexOf(at.table) + 1;
    const reason = o.reason === undefined ? 0 : this.number(this.reasons, o.reason);
    return VERDICTS.indexOf(o.verdict) | (hook << 4) | (table << 8) | (reason << 12);
  }

  /** '' (delivered to the host, or queued) is 0. */
  iface(name: string): number {
    return this.number(this.ifaces, name);
  }

  private number(m: Map<string, number>, key: string): number {
    let n = m.get(key);
    if (n === undefined) m.set(key, (n = m.size + 1));
    return n;
  }
}

/** A rule or policy a packet met, with its text as `iptables -S` prints it. */
export interface RuleRef {
  /** The hook the packet was at (a user chain can be reached from several). */
  hook: Hook;
  table: TableName;
  chain: string;
  /** 1-based; null for a policy. */
  rule: number | null;
  policy: 'ACCEPT' | 'DROP' | null;
  /** `-A CHAIN …` as iptables-save prints the rule, or `-P CHAIN POLICY`. */
  text: string;
}

/** One packet's outcome in full. */
export interface PacketDetails {
  packet: number;
  verdict: PacketOutcome['verdict'];
  /** The hook and table that dropped it (a rule, a policy or a match). */
  droppedAt: { hook: Hook; table: TableName } | null;
  /** Why it was dropped when not by a table (routing, conntrack table full). */
  reason: string | null;
  /** The packet as it went on (accepted or queued): null when dropped or held. */
  after: {
    /** The interface it left the host by; null when delivered to the host or queued. */
    iface: string | null;
    /** Protocol, addresses and ports after NAT, as connectionText writes them. */
    flow: string;
    ttl: number;
    tos: number;
    /** The TCP MSS option's value; null without one. */
    mss: number | null;
  } | null;
  mark: number;
  /** LOG and TRACE lines as the kernel's ring buffer gives them (`<level>text`), NFLOG copies described. */
  log: string[];
  /** The rules it matched and the policies that applied, in order (the ends of user chains left out). */
  rules: RuleRef[];
}

/** A packet as observeOutcomes' callback sees it, valid during the call. */
export interface ObservedPacket {
  readonly number: number;
  /** Its OUTCOME_WORDS words. */
  readonly words: Uint32Array;
  /** Its connection: conntrack's original tuple when it has an entry, its own header otherwise. */
  connection(): string;
  /** Its outcome in full; `rules` and `log` are complete only for the packets selected for details. */
  details(): PacketDetails;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP = 1;

function protoText(proto: number): string {
  return protoToName(proto, false) ?? String(proto);
}

/**
 * `tcp 192.0.2.1:40000 -> 198.51.100.2:22`; ICMP with type, code and the echo id as
 * conntrack lists them; other protocols by name and addresses.
 */
export function connectionText(proto: number, src: number, dst: number, sport: number, dport: number, icmpType = -1, icmpCode = -1, icmpId = -1): string {
  const s = ipToString(src >>> 0);
  const d = ipToString(dst >>> 0);
  if ((proto === PROTO_TCP || proto === PROTO_UDP) && sport >= 0) return `${protoText(proto)} ${s}:${sport} -> ${d}:${dport}`;
  if (proto === PROTO_ICMP && icmpType >= 0) return `icmp ${s} -> ${d} type=${icmpType} code=${icmpCode}${icmpId >= 0 ? ` id=${icmpId}` : ''}`;
  return `${protoText(proto)} ${s} -> ${d}`;
}

function packetFlow(pkt: PacketState): string {
  const v = pkt.view;
  return connectionText(v.protocol, v.srcAddr, v.dstAddr, v.srcPort, v.dstPort, v.icmpType, v.icmpCode, v.icmpId);
}

function connectionOf(pkt: PacketState): string {
  const ct = pkt.ct;
  if (ct === null) return packetFlow(pkt);
  const t = ct.tuple[0];
  const text = t.proto === PROTO_ICMP ? connectionText(t.proto, t.src, t.dst, -1, -1, t.dport >>> 8, t.dport & 0xff, t.sport) : connectionText(t.proto, t.src, t.dst, t.sport, t.dport);
  return ct.zone !== 0 ? `${text} zone=${ct.zone}` : text;
}

/** The rules of one ruleset as path steps name them. */
class RuleTexts {
  constructor(private readonly ruleset: Ruleset) {}

  ref(step: PathStep): RuleRef | undefined {
    if (step.policy !== undefined) return { hook: step.hook, table: step.table, chain: step.chain, rule: null, policy: step.policy, text: `-P ${step.chain} ${step.policy}` };
    if (step.rule === undefined) return undefined;
    const rule = this.ruleset.tables.find((t) => t.name === step.table)?.chains.get(step.chain)?.rules[step.rule - 1];
    if (rule === undefined) throw new Error(`path step ${step.table} ${step.chain} #${step.rule} names no rule of the ruleset`);
    return { hook: step.hook, table: step.table, chain: step.chain, rule: step.rule, policy: null, text: `-A ${step.chain}${ruleSpec(rule)}` };
  }
}

/** Verdicts after which the packet goes on (to an interface, the host, or user space). */
function wentOn(v: PacketOutcome['verdict']): boolean {
  return v === 'ACCEPT' || v === 'QUEUE';
}

/**
 * The replay hooks that observe every packet's outcome and hand it to `onPacket` after its
 * last hook. With `detailed` (called once per packet, in capture order), only the packets
 * it selects are handed over, their paths and log lines kept for details().
 */
export function observeOutcomes(
  ruleset: Ruleset,
  codes: OutcomeCodes,
  onPacket: (p: ObservedPacket) => void,
  detailed?: (packet: number) => boolean,
): Pick<ReplayOptions, 'onLog' | 'onNflog' | 'onEgress' | 'onVerdict' | 'paths'> {
  const texts = new RuleTexts(ruleset);
  const words = new Uint32Array(OUTCOME_WORDS);
  const hash = new Hash64();
  const logHash = new Hash64();
  let logLines: string[] = [];
  let selectedNow = false;
  let egress = '';
  let outcome: PacketOutcome | undefined;
  let current: PacketState | undefined;
  /** The packet `selectedNow` is about (decided at its path's start, a log line or its verdict). */
  let selectedFor = -1;
  const selected = (n: number): boolean => {
    if (selectedFor !== n) {
      selectedFor = n;
      selectedNow = detailed?.(n) ?? false;
    }
    return selectedNow;
  };
  const observed: ObservedPacket = {
    number: 0,
    words,
    connection: () => connectionOf(current!),
    details: () => {
      const o = outcome!;
      const pkt = current!;
      const on = wentOn(o.verdict);
      return {
        packet: o.packet,
        verdict: o.verdict,
        droppedAt: o.droppedAt === undefined ? null : { hook: o.droppedAt.hook, table: o.droppedAt.table },
        reason: o.reason ?? null,
        after: on ? { iface: egress === '' ? null : egress, flow: packetFlow(pkt), ttl: pkt.ttl, tos: pkt.tos, mss: pkt.tcpMss < 0 ? null : pkt.tcpMss } : null,
        mark: pkt.mark >>> 0,
        log: [...logLines],
        rules: (o.path ?? []).flatMap((s) => texts.ref(s) ?? []),
      };
    },
  };
  /** The current packet's words, from its outcome, its state and what the hooks saw. */
  const outcomeWords = (o: PacketOutcome, pkt: PacketState): void => {
    words[W_VERDICT] = codes.verdict(o);
    words[W_MARK] = pkt.mark >>> 0;
    if (wentOn(o.verdict)) {
      const v = pkt.view;
      hash.reset();
      hash.word(codes.iface(egress));
      hash.word(v.protocol);
      hash.word(v.srcAddr);
      hash.word(v.dstAddr);
      hash.word(v.srcPort);
      hash.word(v.dstPort);
      hash.word(v.icmpId);
      // An ICMP error's quoted header, which NAT rewrites too.
      hash.word(v.innerSrcAddr);
      hash.word(v.innerDstAddr);
      hash.word(v.innerSrcPort);
      hash.word(v.innerDstPort);
      hash.word(v.innerIcmpId);
      words[W_NAT] = hash.hi;
      words[W_NAT + 1] = hash.lo;
      words[W_MANGLE] = pkt.ttl | (pkt.tos << 8);
      words[W_MANGLE + 1] = pkt.tcpMss + 1;
    } else {
      words.fill(0, W_NAT, W_NAT + 2);
      words.fill(0, W_MANGLE, W_MANGLE + 2);
    }
    words[W_LOG] = logHash.empty ? 0 : logHash.hi;
    words[W_LOG + 1] = logHash.empty ? 0 : logHash.lo;
  };
  const line = (n: number, text: () => string): void => {
    if (selected(n)) logLines.push(text());
  };
  return {
    paths: detailed === undefined ? undefined : (pkt) => selected(pkt.number),
    onLog: (l: LogLine) => {
      logHash.word(l.level);
      logHash.string(l.text);
      line(l.packet, () => `<${l.level}>${l.text}`);
    },
    onNflog: (group, prefix, pkt, size) => {
      logHash.word(0x4e464c47);
      logHash.word(group);
      logHash.string(prefix);
      logHash.word(size ?? -1);
      line(pkt.number, () => `NFLOG group ${group}${prefix !== '' ? ` prefix ${JSON.stringify(prefix)}` : ''}${size !== undefined ? ` size ${size}` : ''}`);
    },
    onEgress: (_pkt, iface) => {
      egress = iface;
    },
    onVerdict: (o, pkt) => {
      if (detailed === undefined || selected(o.packet)) {
        outcomeWords(o, pkt);
        outcome = o;
        current = pkt;
        (observed as { number: number }).number = o.packet;
        onPacket(observed);
        outcome = current = undefined;
      }
      logHash.reset();
      if (logLines.length > 0) logLines = [];
      egress = '';
    },
  };
}

/** Rules the kernel's linear walk tested per replayed packet (histograms.ts). */
export interface RulesCost {
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** Per chain, in table and chain order. */
  chains: ChainCost[];
}

/** How each replay of a comparison is set up, as `nfreplay replay` sets it up. */
export interface ReplaySetup {
  /** A file path, "-" for standard input, or the capture's bytes. */
  capture: string | Uint8Array;
  host: Host;
  seed: number;
  unmodelled: UnmodelledPolicy;
}

export interface OutcomeReplay {
  summary: ReplaySummary;
  /** With `cost`. */
  cost: RulesCost | undefined;
  /** The path classifier's warnings (capture interfaces the host does not have). */
  warnings: string[];
}

/** The table's live entries at the end, as `conntrack -L` lists them. */
export function conntrackListing(ct: Conntrack): string[] {
  const lines: string[] = [];
  for (const e of ct.table.entries) if (e.expiresNs > ct.nowNs) lines.push(conntrackLine(e, ct.nowNs));
  return lines;
}

/**
 * One replay of the capture through `ruleset` with `hooks` (observeOutcomes'); `cost`
 * measures the rules evaluated; `onConntrack` receives the final conntrack table's lines
 * (not called when the ruleset does not use conntrack).
 */
export async function replayOutcomes(
  ruleset: Ruleset,
  setup: ReplaySetup,
  hooks: ReturnType<typeof observeOutcomes>,
  opts: { cost?: boolean; onConntrack?: (lines: string[]) => void } = {},
): Promise<OutcomeReplay> {
  const histograms = opts.cost === true ? new ReplayHistograms() : undefined;
  const runners = rulesetRunners(ruleset, { unmodelled: setup.unmodelled, chainCost: histograms !== undefined });
  const classify = createClassifier(setup.host);
  const summary = await replayCapture({
    capture: setup.capture,
    ruleset,
    host: setup.host,
    classify,
    seed: setup.seed,
    runner: runners.runner,
    tracedRunner: runners.tracedRunner,
    histograms,
    ...hooks,
    onConntrack: opts.onConntrack && ((ct) => opts.onConntrack!(conntrackListing(ct))),
  });
  let cost: RulesCost | undefined;
  if (histograms !== undefined) {
    const h = histograms.rulesEvaluated;
    const at = (p: number): number => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p));
    cost = {
      mean: h.totalCount === 0 ? 0 : Math.round(h.mean * 1000) / 1000,
      p50: at(50),
      p99: at(99),
      max: h.totalCount === 0 ? 0 : h.maxValue,
      chains: chainCosts(runners.prepared()!, summary.replayed),
    };
  }
  return { summary, cost, warnings: classify.warnings };
}
