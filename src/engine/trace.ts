/**
 * Seeing what the rules did to individual packets: the path of every packet (each rule
 * that matched, in order, and the policies that applied) for --verdicts; trace lines for
 * packets the user selects (--trace), with the rules that were tested and why they did not
 * match; and the kernel's own TRACE lines for packets a TRACE rule marked.
 *
 * Everything here observes the traversal done by the traced runner (the interpreter with
 * an observer). That traversal is the packet's real one — the engine hands such packets to
 * it instead of the compiled runner, and both share their per-rule state and counters — so
 * stateful matches are never advanced twice for a traced packet.
 */
import type { PacketView } from '../decode/view.js';
import type { PreparedChain, PreparedRule, TraversalObserver } from '../compile/prepare.js';
import type { Hook, Rule, Ruleset, TableName } from '../rules/model.js';
import { ipv4LogLine } from '../rules/ext/common/syslog.js';
import type { PacketState } from './packet.js';
import { Verdict } from './packet.js';
import type { ReplayRuntime } from './runtime.js';

/** One step of a packet's path through the rules (a line of --verdicts' "path"). */
export interface PathStep {
  hook: Hook;
  table: TableName;
  chain: string;
  /** 1-based rule number in the chain; absent for a policy or a user chain's end. */
  rule?: number;
  /** The rule's target: a verdict, a chain name or an extension; '' when it has none. */
  target?: string;
  /** -g: the jump does not come back. */
  goto?: true;
  /** The built-in chain's policy applied. */
  policy?: 'ACCEPT' | 'DROP';
  /** Fell off the end of a user chain (back to the caller). */
  return?: true;
}

/** Thrown for a bad --trace-packets or --trace-filter. */
export class TraceSelectionError extends Error {
  readonly code = 'NFR_ERR_TRACE_SELECTION';
  constructor(message: string) {
    super(message);
    this.name = 'TraceSelectionError';
  }
}

/** "1,5-9" → a test of packet numbers (1-based, as the capture numbers them). */
export function parsePacketRanges(text: string): (packet: number) => boolean {
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new TraceSelectionError(`--trace-packets: "${part}" is not a packet number or a range N-M`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < lo || !Number.isSafeInteger(hi)) {
      throw new TraceSelectionError(`--trace-packets: "${part.trim()}" is not a range of packet numbers from 1`);
    }
    ranges.push([lo, hi]);
  }
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

const PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132 };

function parseAddress(text: string, what: string): { addr: number; mask: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  const octets = m ? [m[1], m[2], m[3], m[4]].map(Number) : [];
  const bits = m?.[5] === undefined ? 32 : Number(m[5]);
  if (!m || octets.some((o) => o > 255) || bits > 32) {
    throw new TraceSelectionError(`--trace-filter: ${what} needs an IPv4 address or A.B.C.D/N, not "${text}"`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { addr: (addr & mask) >>> 0, mask };
}

function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new TraceSelectionError(`--trace-filter: ${what} needs a port 0-65535, not "${text}"`);
  return Number(text);
}

/**
 * A small packet filter: terms `src ADDR[/N]`, `dst ADDR[/N]`, `host ADDR[/N]` (either
 * address), `proto tcp|udp|icmp|…|N`, `port N` (either port), `sport N`, `dport N` (ports
 * of TCP and UDP as decoded, first fragments only),
 * joined by `and`. Tested on the packet as captured. Parsed here, never by a shell.
 */
export function parseTraceFilter(expr: string): (view: PacketView) => boolean {
  const words = expr.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) throw new TraceSelectionError('--trace-filter: empty filter');
  const tests: Array<(v: PacketView) => boolean> = [];
  let i = 0;
  for (;;) {
    const key = words[i];
    const arg = words[i + 1];
    if (key === undefined) throw new TraceSelectionError(`--trace-filter: a term is missing after "and"`);
    if (arg === undefined) throw new TraceSelectionError(`--trace-filter: "${key}" needs a value`);
    switch (key) {
      case 'src':
      case 'dst':
      case 'host': {
        const { addr, mask } = parseAddress(arg, key);
        const inNet = (a: number): boolean => (a & mask) >>> 0 === addr;
        tests.push(key === 'src' ? (v) => inNet(v.srcAddr) : key === 'dst' ? (v) => inNet(v.dstAddr) : (v) => inNet(v.srcAddr) || inNet(v.dstAddr));
        break;
      }
      case 'proto': {
        const p = PROTOCOLS[arg.toLowerCase()] ?? (/^\d{1,3}$/.test(arg) && Number(arg) <= 255 ? Number(arg) : undefined);
        if (p === undefined) throw new TraceSelectionError(`--trace-filter: unknown protocol "${arg}" (use ${Object.keys(PROTOCOLS).join(', ')} or a number)`);
        tests.push((v) => v.protocol === p);
        break;
      }
      case 'port':
      case 'sport':
      case 'dport': {
        const port = parsePort(arg, key);
        tests.push(
          key === 'sport'
            ? (v) => v.srcPort === port
            : key === 'dport'
              ? (v) => v.dstPort === port
              : (v) => v.srcPort === port || v.dstPort === port,
        );
        break;
      }
      default:
        throw new TraceSelectionError(`--trace-filter: unknown term "${key}" (expected src, dst, host, proto, port, sport or dport)`);
    }
    i += 2;
    if (i === words.length) break;
    if (words[i] !== 'and') throw new TraceSelectionError(`--trace-filter: expected "and" before "${words[i]}" (terms are joined by "and")`);
    i++;
  }
  return (v) => tests.every((t) => t(v));
}

/**
 * get_chainname_rulenum's test for a chain's tail entry: a rule with no matches, an all-zero
 * ipt_ip and a standard verdict is traced as "policy" (built-in chain) or "return" (user
 * chain) even when the user wrote it, e.g. a final `-A INPUT -j ACCEPT`.
 */
function unconditionalVerdict(rule: Rule): boolean {
  const ip = rule.ip;
  return (
    rule.target.kind === 'verdict' &&
    rule.matches.length === 0 &&
    ip.src === 0 &&
    ip.smsk === 0 &&
    ip.dst === 0 &&
    ip.dmsk === 0 &&
    ip.iniface === '' &&
    ip.outiface === '' &&
    ip.proto === 0 &&
    !ip.fragment &&
    !ip.invSrc &&
    !ip.invDst &&
    !ip.invIn &&
    !ip.invOut &&
    !ip.invProto &&
    !ip.invFrag
  );
}

/** nf_log_trace's loginfo: level 4 (warning), NF_LOG_DEFAULT_MASK (TCP sequence and options, IP options, UID). */
const TRACE_LOG_LEVEL = 4;
const TRACE_LOG_FLAGS = 0x0f;

function targetName(rule: Rule): string {
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      return '';
    case 'verdict':
      return t.verdict;
    case 'jump':
      return t.chain;
    case 'ext':
      return t.instance.ext.name;
  }
}

export interface TracerOptions {
  rt: ReplayRuntime;
  /** Record each packet's path (for --verdicts), or the paths of the packets this selects. */
  paths: boolean | ((pkt: PacketState) => boolean);
  /** Which packets --trace follows (tested once per packet, before its first hook). */
  select?: (pkt: PacketState) => boolean;
  /** Receives --trace lines for selected packets. */
  onTrace?: (pkt: PacketState, text: string) => void;
  /** The ruleset has TRACE rules whose lines are wanted (they go to rt.log, as the kernel's). */
  kernelTrace: boolean;
  /**
   * Every count a traversal makes: the rule's or policy's counter number (Prepared's
   * numbering) and the bytes added. Observes every packet's every table.
   */
  onCount?: (num: number, bytes: number) => void;
}

/** Whether `ruleset` has a TRACE rule (only allowed in raw, where tracing must start). */
export function usesTraceTarget(ruleset: Ruleset): boolean {
  const raw = ruleset.tables.find((t) => t.name === 'raw');
  if (!raw) return false;
  for (const c of raw.chains.values()) for (const r of c.rules) if (r.target.kind === 'ext' && r.target.instance.ext.name === 'TRACE') return true;
  return false;
}

/** Observes traced traversals; one per replay, reset for every packet. */
export class PacketTracer implements TraversalObserver {
  /** This packet's path when paths are recorded (a new array per packet: consumers keep it). */
  path: PathStep[] = [];
  /** This packet's path is being recorded. */
  recording = false;
  /** Selected with --trace. */
  private selected = false;
  /** skb->nf_trace: a TRACE rule marked the packet. */
  private nfTrace = false;
  /** Rules tested and not matched since the last trace line of a selected packet. */
  private readonly missed: string[] = [];

  constructor(private readonly opts: TracerOptions) {}

  beginPacket(pkt: PacketState): void {
    const paths = this.opts.paths;
    this.recording = paths === true || (paths !== false && paths(pkt));
    if (this.recording) this.path = [];
    this.selected = this.opts.select !== undefined && this.opts.onTrace !== undefined && this.opts.select(pkt);
    this.nfTrace = false;
    this.missed.length = 0;
  }

  /** Whether this packet's traversal of `table` must be observed (else the fast runner does it). */
  wants(table: TableName): boolean {
    return this.recording || this.selected || this.nfTrace || (this.opts.kernelTrace && table === 'raw') || this.opts.onCount !== undefined;
  }

  /** After an observed traversal: a match's hotdrop ends it without a rule or policy line. */
  endTraversal(verdict: Verdict, pkt: PacketState): void {
    if (this.selected && this.missed.length > 0) {
      this.emit(pkt, `${pkt.table}:${pkt.hook}: ${verdict === Verdict.DROP ? 'dropped by a match (hotdrop)' : 'traversal ended'}`);
    }
  }

  ruleHit(pr: PreparedRule, pkt: PacketState): void {
    const rule = pr.rule;
    this.opts.onCount?.(pr.num, pkt.length);
    if (this.recording) {
      const step: PathStep = { hook: pkt.hook, table: pkt.table, chain: pr.chain.name, rule: pr.position + 1, target: targetName(rule) };
      if (rule.ip.goto) step.goto = true;
      this.path.push(step);
    }
    if (this.nfTrace || this.selected) {
      const kind = unconditionalVerdict(rule) ? (pr.chain.builtin ? 'policy' : 'return') : 'rule';
      this.traceLine(pkt, pr.chain.name, kind, pr.position + 1);
    }
    // trace_tg sets skb->nf_trace when the TRACE rule's target runs, after its own trace_packet.
    if (rule.target.kind === 'ext' && rule.target.instance.ext.name === 'TRACE' && this.opts.kernelTrace) this.nfTrace = true;
  }

  ruleMissed(pr: PreparedRule, why: string, pkt: PacketState): void {
    if (this.selected) this.missed.push(`  not matched: ${pkt.table}:${pr.chain.name}:rule:${pr.position + 1}: ${why}`);
  }

  chainEnd(chain: PreparedChain, pkt: PacketState): void {
    if (this.recording) this.path.push({ hook: pkt.hook, table: pkt.table, chain: chain.chain.name, return: true });
    if (this.nfTrace || this.selected) this.traceLine(pkt, chain.chain.name, 'return', chain.rules.length + 1);
  }

  policy(chain: PreparedChain, pkt: PacketState): void {
    const policy = chain.chain.policy === 'DROP' ? 'DROP' : 'ACCEPT';
    this.opts.onCount?.(chain.policyNum, pkt.length);
    if (this.recording) this.path.push({ hook: pkt.hook, table: pkt.table, chain: chain.chain.name, policy });
    if (this.nfTrace || this.selected) this.traceLine(pkt, chain.chain.name, 'policy', chain.rules.length + 1);
  }

  /**
   * trace_packet (ip_tables.c): "TRACE: table:chain:rule|return|policy:N " and the packet as
   * LOG describes it; N counts the chain's entries from 1, the tail entry being N+1.
   */
  private traceLine(pkt: PacketState, chain: string, kind: string, num: number): void {
    const text = ipv4LogLine(pkt, `TRACE: ${pkt.table}:${chain}:${kind}:${num} `, TRACE_LOG_FLAGS, this.opts.rt);
    if (this.nfTrace) this.opts.rt.log(TRACE_LOG_LEVEL, text, pkt);
    if (this.selected) {
      this.emit(pkt, text);
      for (const m of this.missed) this.emit(pkt, m);
      this.missed.length = 0;
    }
  }

  private emit(pkt: PacketState, text: string): void {
    this.opts.onTrace!(pkt, text);
  }
}

/**
 * The packets --trace follows: those numbered in `packets` ("1,5-9") and matching
 * `filter`; every packet when neither is given. Throws TraceSelectionError.
 */
export function traceSelection(packets: string | undefined, filter: string | undefined): (pkt: PacketState) => boolean {
  const byNumber = packets !== undefined ? parsePacketRanges(packets) : undefined;
  const byHeaders = filter !== undefined ? parseTraceFilter(filter) : undefined;
  return (pkt) => (byNumber === undefined || byNumber(pkt.number)) && (byHeaders === undefined || byHeaders(pkt.view));
}
