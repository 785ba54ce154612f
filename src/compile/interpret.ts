/**
 * The reference interpreter: ipt_do_table (net/ipv4/netfilter/ip_tables.c) walked over the
 * model one rule at a time, with an explicit jump stack. It is deliberately plain — no
 * index, no code generation — so the compiled matcher can be checked against it on random
 * rulesets and packets. Allocation-free per packet like the rest of the hot path: the jump
 * stack is sized once (a loop-free ruleset never nests deeper than its number of chains,
 * which is also the kernel's jumpstack size, xt_table_info.stacksize).
 */
import { Verdict, type PacketState } from '../engine/packet.js';
import type { ReplayRuntime } from '../engine/runtime.js';
import type { IpEntry, Ruleset, StandardVerdict, TableName } from '../rules/model.js';
import {
  hookChain,
  MatchMode,
  prepare,
  type CounterStore,
  type PreparedChain,
  type PreparedRule,
  type ObservableRunner,
  type PreparedTable,
  type RunnerOptions,
  type TraversalObserver,
} from './prepare.js';

/** IFNAMSIZ: the kernel compares interface names over this many bytes. */
const IFNAMSIZ = 16;

const STANDARD: Readonly<Record<Exclude<StandardVerdict, 'RETURN'>, Verdict>> = {
  ACCEPT: Verdict.ACCEPT,
  DROP: Verdict.DROP,
  QUEUE: Verdict.QUEUE,
};

/**
 * An interface name and its mask as iptables hands them to the kernel
 * (xtables_parse_interface): "eth+" compares the 3 bytes before the '+', "eth0" its 4 bytes
 * and the terminating NUL, "" (any) nothing. Kept as UTF-16 code units, the unit of the
 * device names the replay compares them with.
 */
interface IfaceMatch {
  name: Uint16Array;
  mask: Uint16Array;
}

function ifaceMatch(text: string): IfaceMatch {
  const size = Math.max(IFNAMSIZ, text.length + 1);
  const name = new Uint16Array(size);
  const mask = new Uint16Array(size);
  for (let i = 0; i < text.length; i++) name[i] = text.charCodeAt(i);
  if (text.length > 0) mask.fill(0xffff, 0, text.endsWith('+') ? text.length - 1 : text.length + 1);
  return { name, mask };
}

/** ifname_compare_aligned: true when `dev` differs from the name under the mask. */
function ifaceDiffers(dev: string, m: IfaceMatch): boolean {
  for (let i = 0; i < m.name.length; i++) {
    const d = i < dev.length ? dev.charCodeAt(i) : 0;
    if (((d ^ m.name[i]!) & m.mask[i]!) !== 0) return true;
  }
  return false;
}

class Interpreter implements ObservableRunner {
  lastEvaluated = 0;
  /** Tracing is this one field: null (the usual case) costs one comparison per rule tested. */
  private observer: TraversalObserver | null = null;
  private readonly tables: Map<TableName, PreparedTable>;
  private readonly counters: CounterStore;
  /** Prepared.chainEvaluated: rules tested per chain, when asked for. */
  private readonly chainEvaluated: Float64Array | undefined;
  private readonly rt: ReplayRuntime;
  /** Per rule number: the -i / -o names with their masks. */
  private readonly inIface: IfaceMatch[] = [];
  private readonly outIface: IfaceMatch[] = [];
  /** The jump stack: the chain and position of each -j rule being returned to. */
  private readonly stackChain: PreparedChain[];
  private readonly stackPos: Int32Array;

  constructor(ruleset: Ruleset, rt: ReplayRuntime, options: RunnerOptions) {
    const prepared = prepare(ruleset, rt, options.tables, options);
    this.tables = prepared.tables;
    this.counters = prepared.counters;
    this.chainEvaluated = prepared.chainEvaluated;
    this.rt = rt;
    let depth = 1;
    for (const t of this.tables.values()) {
      depth = Math.max(depth, t.chains.length);
      for (const c of t.chains) {
        for (const r of c.rules) {
          this.inIface[r.num] = ifaceMatch(r.rule.ip.iniface);
          this.outIface[r.num] = ifaceMatch(r.rule.ip.outiface);
        }
      }
    }
    const first = this.tables.values().next().value?.chains[0];
    this.stackChain = new Array<PreparedChain>(depth).fill(first as PreparedChain);
    this.stackPos = new Int32Array(depth);
  }

  traverse(tableName: TableName, pkt: PacketState): Verdict {
    pkt.table = tableName;
    pkt.hotdrop = false;
    this.lastEvaluated = 0;
    const table = this.tables.get(tableName);
    const base = table && hookChain(table, pkt.hook);
    if (!table || !base) return Verdict.ACCEPT;
    const counts = this.counters.counts;
    const perChain = this.chainEvaluated;
    const obs = this.observer;
    let chain = base;
    let i = 0;
    let sp = 0;
    for (;;) {
      if (i < chain.rules.length) {
        const pr = chain.rules[i]!;
        this.lastEvaluated++;
        if (perChain !== undefined) perChain[chain.num]!++;
        if (obs === null ? !this.ruleMatches(pr, pkt) : !this.ruleMatchesObserved(pr, pkt, obs)) {
          // A match that set hotdrop ends the traversal: NF_DROP, the rule not counted.
          if (pkt.hotdrop) return Verdict.DROP;
          i++;
          continue;
        }
        // ADD_COUNTER before the target runs: a rule counts the packet as it is now.
        counts[2 * pr.num]! += 1;
        counts[2 * pr.num + 1]! += pkt.length;
        // ipt_do_table calls trace_packet here: after counting, before the target.
        if (obs !== null) obs.ruleHit(pr, pkt);
        const target = pr.rule.target;
        if (target.kind === 'none') {
          i++;
          continue;
        }
        if (target.kind === 'ext') {
          const v = this.applyTarget(pr, pkt);
          if (v === Verdict.CONTINUE) {
            i++;
            continue;
          }
          return v;
        }
        if (target.kind === 'jump') {
          // A goto (IPT_F_GOTO) leaves nothing to come back to.
          if (!pr.rule.ip.goto) {
            // The kernel drops when its jump stack is full; a loop-free ruleset never gets there.
            if (sp === this.stackPos.length) return Verdict.DROP;
            this.stackChain[sp] = chain;
            this.stackPos[sp] = i;
            sp++;
          }
          chain = table.byName.get(target.chain)!;
          i = 0;
          continue;
        }
        if (target.verdict !== 'RETURN') return STANDARD[target.verdict];
        // RETURN: handled below, as the end of a user chain is.
      } else if (chain.policyNum >= 0) {
        // The end of a built-in chain is its policy entry (the hook's underflow).
        return this.policy(chain, pkt);
      } else if (obs !== null) {
        // A user chain's end is an unconditional RETURN entry the kernel tests and traces.
        obs.chainEnd(chain, pkt);
      }
      // XT_RETURN: back after the last -j, or with an empty stack to the policy.
      if (sp === 0) return this.policy(base, pkt);
      sp--;
      chain = this.stackChain[sp]!;
      i = this.stackPos[sp]! + 1;
    }
  }

  writeCounters(): void {
    this.counters.write();
  }

  observe(observer: TraversalObserver | null): void {
    this.observer = observer;
  }

  private policy(base: PreparedChain, pkt: PacketState): Verdict {
    this.counters.counts[2 * base.policyNum]! += 1;
    this.counters.counts[2 * base.policyNum + 1]! += pkt.length;
    if (this.observer !== null) this.observer.policy(base, pkt);
    return base.chain.policy === 'DROP' ? Verdict.DROP : Verdict.ACCEPT;
  }

  private ruleMatches(pr: PreparedRule, pkt: PacketState): boolean {
    if (!this.ipMatches(pr.rule.ip, pr.num, pkt)) return false;
    for (const m of pr.matches) {
      if (m.mode === MatchMode.EVAL) {
        if (!m.ext.matchPacket!(m.state, pkt, this.rt, m.inst)) return false;
      } else {
        this.rt.note(m.note);
        if (m.mode === MatchMode.ASSUME_NOMATCH) return false;
      }
    }
    return true;
  }

  /**
   * ruleMatches for an observed traversal: the same tests in the same order (each match
   * evaluated at most once, as stateful ones must be), reporting the first that failed.
   */
  private ruleMatchesObserved(pr: PreparedRule, pkt: PacketState, obs: TraversalObserver): boolean {
    const ip = pr.rule.ip;
    let why = this.ipMatches(ip, pr.num, pkt) ? '' : this.ipMismatch(ip, pr.num, pkt);
    if (why === '') {
      for (const m of pr.matches) {
        if (m.mode === MatchMode.EVAL) {
          if (!m.ext.matchPacket!(m.state, pkt, this.rt, m.inst)) {
            why = pkt.hotdrop ? `match ${m.ext.name} (hotdrop: packet dropped)` : `match ${m.ext.name}`;
            break;
          }
        } else {
          this.rt.note(m.note);
          if (m.mode === MatchMode.ASSUME_NOMATCH) {
            why = `match ${m.ext.name} (not modelled, assumed not to match)`;
            break;
          }
        }
      }
    }
    if (why === '') return true;
    obs.ruleMissed(pr, why, pkt);
    return false;
  }

  /** Which test of ip_packet_match failed (called only when one did). */
  private ipMismatch(ip: IpEntry, num: number, pkt: PacketState): string {
    const v = pkt.view;
    const not = (inv: boolean): string => (inv ? '! ' : '');
    if ((((v.srcAddr & ip.smsk) >>> 0 !== ip.src >>> 0) !== ip.invSrc)) return `source (${not(ip.invSrc)}-s ${cidr(ip.src, ip.smsk)}; packet ${dotted(v.srcAddr)})`;
    if ((((v.dstAddr & ip.dmsk) >>> 0 !== ip.dst >>> 0) !== ip.invDst)) return `destination (${not(ip.invDst)}-d ${cidr(ip.dst, ip.dmsk)}; packet ${dotted(v.dstAddr)})`;
    if (ifaceDiffers(pkt.inIface, this.inIface[num]!) !== ip.invIn) return `in-interface (${not(ip.invIn)}-i ${ip.iniface}; packet ${pkt.inIface || '(none)'})`;
    if (ifaceDiffers(pkt.outIface, this.outIface[num]!) !== ip.invOut) return `out-interface (${not(ip.invOut)}-o ${ip.outiface}; packet ${pkt.outIface || '(none)'})`;
    if (ip.proto !== 0 && (v.protocol !== ip.proto) !== ip.invProto) return `protocol (${not(ip.invProto)}-p ${protoName(ip.proto)}; packet ${protoName(v.protocol)})`;
    return `fragment (${not(ip.invFrag)}-f; packet offset ${v.fragOffset})`;
  }

  /** ip_packet_match: each test is "differs" XOR its inversion flag (NF_INVF). */
  private ipMatches(ip: IpEntry, num: number, pkt: PacketState): boolean {
    const v = pkt.view;
    if ((((v.srcAddr & ip.smsk) >>> 0 !== ip.src >>> 0) !== ip.invSrc)) return false;
    if ((((v.dstAddr & ip.dmsk) >>> 0 !== ip.dst >>> 0) !== ip.invDst)) return false;
    if (ifaceDiffers(pkt.inIface, this.inIface[num]!) !== ip.invIn) return false;
    if (ifaceDiffers(pkt.outIface, this.outIface[num]!) !== ip.invOut) return false;
    if (ip.proto !== 0 && (v.protocol !== ip.proto) !== ip.invProto) return false;
    // -f: only non-first fragments (fragment offset not zero) match.
    if ((ip.fragment && v.fragOffset === 0) !== ip.invFrag) return false;
    return true;
  }

  private applyTarget(pr: PreparedRule, pkt: PacketState): Verdict {
    const t = pr.target!;
    if (!t.evaluable) {
      this.rt.note(t.note);
      return Verdict.CONTINUE;
    }
    const v = t.ext.applyTarget!(t.state, pkt, this.rt, t.inst);
    if (v === Verdict.RETURN) throw new Error(`target ${t.ext.name} returned RETURN, which only chains return`);
    return v;
  }
}

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 132: 'sctp' };

function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

function dotted(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function cidr(addr: number, mask: number): string {
  let bits = 0;
  for (let m = mask >>> 0; m & 0x80000000; m = (m << 1) >>> 0) bits++;
  return `${dotted(addr)}/${bits}`;
}

/** The reference runner over every table of `ruleset`; it can also be observed (tracing). */
export function interpretRuleset(ruleset: Ruleset, rt: ReplayRuntime, options: RunnerOptions = {}): ObservableRunner {
  return new Interpreter(ruleset, rt, options);
}
