/**
 * Shared pieces of the analysis tests: random rules written as iptables text (loaded by the
 * real parser, so every extension state is the real one), random packets built the way the
 * decoder fills a view (ports only with 4 captured bytes, TCP flags with 20, fragments
 * without a layer-4 header), connection states, marks, and a runtime whose host gives
 * every address a route type. Rules are evaluated by the reference interpreter.
 */
import fc from 'fast-check';
import { interpretRuleset } from '../../src/compile/index.js';
import { CtInfo, Status, type ConnEntry } from '../../src/conntrack/entry.js';
import { L4State, PacketView } from '../../src/decode/view.js';
import { PacketState, Verdict } from '../../src/engine/packet.js';
import { TestRuntime } from '../compile/helpers.js';
import type { HostModel } from '../../src/netfilter/host.js';
import { loadRulesetText, type Ruleset } from '../../src/rules/index.js';

export function ip(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

/** The route type a host would give an address (looked up on `dev` or on any device). */
export function addressType(addr: number, dev?: string): number {
  return ((addr & 3) + (dev === undefined ? 0 : dev.length)) % 5 + 1;
}

/** The runner tests' runtime, on a host that gives every address a route type, with seeded statistic draws and NFLOG lines that show the mark. */
export class AnalysisRuntime extends TestRuntime {
  override readonly host = { addressType } as unknown as HostModel;

  statisticRandom(_pkt: PacketState, probability: number, invert: boolean): boolean {
    return ((this.random32() & 0x7fffffff) < probability) !== invert;
  }

  override nflog(group: number, prefix: string, pkt?: PacketState): void {
    this.logs.push(`nflog ${group} ${prefix} packet ${pkt!.number} mark ${pkt!.mark}`);
  }
}

// ---- rules -------------------------------------------------------------------------------------

const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const maybe = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: arb });
const not = (): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('! ') });

const NETS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '192.0.2.0/24', '192.0.2.128/25', '198.51.100.7/32', '10.0.0.1/255.0.0.255'];
const PORTS = ['22', '53', '80', '1024:65535', '0:1023', '50:90', '443'];

const address = fc.tuple(not(), pick('-s', '-d'), pick(...NETS)).map(([n, o, a]) => `${n}${o} ${a}`);
const iface = fc.tuple(not(), pick('-i', '-o'), pick('eth0', 'eth+', 'e+', 'wlan0', 'eth1')).map(([n, o, a]) => `${n}${o} ${a}`);

const tcpOpts = fc
  .tuple(maybe(fc.tuple(not(), pick(...PORTS)).map(([n, p]) => `${n}--sport ${p}`)), maybe(fc.tuple(not(), pick(...PORTS)).map(([n, p]) => `${n}--dport ${p}`)), maybe(pick('--syn', '! --syn', '--tcp-flags SYN,ACK SYN', '--tcp-flags ALL NONE', '! --tcp-flags FIN,RST RST')))
  .map((parts) => parts.filter((p) => p !== '').join(' '));
const udpOpts = fc
  .tuple(maybe(fc.tuple(not(), pick(...PORTS)).map(([n, p]) => `${n}--sport ${p}`)), maybe(fc.tuple(not(), pick(...PORTS)).map(([n, p]) => `${n}--dport ${p}`)))
  .map((parts) => parts.filter((p) => p !== '').join(' '));
const multiport = fc.tuple(not(), pick('--dports', '--sports', '--ports'), pick('22,80', '53', '1000:2000,443', '80:90,22')).map(([n, o, l]) => `-m multiport ${n}${o} ${l}`);

/** The protocol and its layer-4 matches, as iptables accepts them together. */
const l4 = fc.oneof(
  fc.constant(''),
  fc.tuple(pick('tcp', 'udp'), maybe(fc.constant('x'))).chain(([p, m]) =>
    fc.tuple(p === 'tcp' ? tcpOpts : udpOpts, maybe(multiport)).map(([opts, mp]) => `-p ${p}${opts !== '' || m !== '' ? ` -m ${p} ${opts}` : ''}${mp !== '' ? ` ${mp}` : ''}`),
  ),
  fc.tuple(not(), pick('echo-request', '3/1', 'any', 'destination-unreachable', '0')).map(([n, t]) => `-p icmp -m icmp ${n}--icmp-type ${t}`),
  pick('-p icmp', '! -p tcp', '-p 47', '! -p udp'),
);

const other = fc.oneof(
  fc.tuple(not(), pick('NEW', 'ESTABLISHED,RELATED', 'INVALID', 'UNTRACKED', 'NEW,ESTABLISHED', 'SNAT', 'DNAT,RELATED')).map(([n, s]) => `-m conntrack ${n}--ctstate ${s}`),
  fc.tuple(not(), pick('NEW', 'ESTABLISHED,RELATED', 'INVALID')).map(([n, s]) => `-m state ${n}--state ${s}`),
  pick('-m conntrack --ctstatus ASSURED', '-m conntrack --ctstate NEW --ctdir ORIGINAL', '-m conntrack ! --ctstatus SEEN_REPLY'),
  fc.tuple(not(), pick('0x1', '0x1/0x1', '0x10/0xf0', '0x0/0xff', '0x2/0x3', '0x3/0x1')).map(([n, m]) => `-m mark ${n}--mark ${m}`),
  fc.tuple(not(), pick('0x1', '0x0/0x1', '0x4/0x4')).map(([n, m]) => `-m connmark ${n}--mark ${m}`),
  fc.tuple(not(), pick('10.1.2.0-10.1.2.127', '192.0.2.1-192.0.2.200')).map(([n, r]) => `-m iprange ${n}--src-range ${r}`),
  fc.tuple(not(), pick('10.0.0.0-10.1.255.255', '198.51.100.0-198.51.100.10')).map(([n, r]) => `-m iprange ${n}--dst-range ${r}`),
  fc.tuple(not(), pick('0:60', '40:100', '61:65535')).map(([n, r]) => `-m length ${n}--length ${r}`),
  pick('-m ttl --ttl-gt 10', '-m ttl --ttl-lt 64', '-m ttl --ttl-eq 64', '-m ttl ! --ttl-eq 1'),
  fc.tuple(not(), pick('0x0a', '0x00', '0x2e')).map(([n, d]) => `-m dscp ${n}--dscp ${d}`),
  fc.tuple(not(), pick('0x10/0x3f', '0x00/0xff', '0x08/0x08')).map(([n, t]) => `-m tos ${n}--tos ${t}`),
  fc.tuple(not(), pick('LOCAL', 'UNICAST,BROADCAST', 'ANYCAST'), pick('', ' --limit-iface-in', ' --limit-iface-out')).map(([n, t, l]) => `-m addrtype ${n}--src-type ${t}${l}`),
  fc.tuple(not(), pick('LOCAL', 'MULTICAST,UNICAST')).map(([n, t]) => `-m addrtype ${n}--dst-type ${t}`),
  fc.constant('-m comment --comment "a comment"'),
  fc.constant('-m pkttype --pkt-type host'),
);

/** The match part of a rule (no -A, no target): a generic part, a protocol, other matches. */
export const ruleMatch: fc.Arbitrary<string> = fc
  .tuple(fc.array(address, { maxLength: 2 }), maybe(iface), fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pick('-f', '! -f') }), l4, fc.array(other, { maxLength: 2 }))
  .map(([addrs, i, frag, proto, others]) => {
    // One -s and one -d at most (iptables refuses a second).
    const seen = new Set<string>();
    const a = addrs.filter((x) => {
      const o = x.includes('-s') ? 's' : 'd';
      if (seen.has(o)) return false;
      seen.add(o);
      return true;
    });
    return [...a, i, frag, proto, ...others].filter((p) => p !== '').join(' ');
  });

/** A rule's match part, or another one narrowed by more matches (so one may contain the other). */
export function ruleMatches(count: number): fc.Arbitrary<string[]> {
  return fc.array(fc.tuple(ruleMatch, fc.array(other, { maxLength: 2 }), fc.boolean()), { minLength: count, maxLength: count }).map((xs) =>
    xs.map(([m, extra, narrow], k) => (narrow && k > 0 ? [xs[k - 1]![0], ...extra].join(' ') : m)),
  );
}

/** A filter table with FORWARD (policy DROP) holding `lines` ("-A FORWARD ..." and others). */
export function filterRuleset(lines: readonly string[], chains: readonly string[] = []): Ruleset {
  const text = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`), ...lines, 'COMMIT', ''].join('\n');
  return loadRulesetText(text, { source: 'test' }).ruleset;
}

// ---- packets -----------------------------------------------------------------------------------

export interface PacketSpec {
  src: number;
  dst: number;
  inIface: string;
  outIface: string;
  proto: number;
  /** Fragment offset in bytes. */
  frag: number;
  l4len: number;
  /** Bytes of the layer 4 not captured (snaplen). */
  cut: number;
  sport: number;
  dport: number;
  flags: number;
  icmpType: number;
  icmpCode: number;
  /** Index into CT_ATOMS-like states: 0 invalid, 1 untracked, then ctinfo 0-4 with NAT bits. */
  ct: { kind: 'invalid' | 'untracked' | 'tracked'; ctinfo: number; status: number; mark: number };
  mark: number;
  ttl: number;
  tos: number;
}

const ADDRS = ['10.0.0.1', '10.1.2.3', '10.1.2.200', '10.1.3.1', '10.2.0.1', '192.0.2.1', '192.0.2.130', '198.51.100.7', '198.51.100.8', '203.0.113.9'].map(ip);

export const packetSpec: fc.Arbitrary<PacketSpec> = fc.record({
  src: pick(...ADDRS),
  dst: pick(...ADDRS),
  inIface: pick('eth0', 'eth1', 'wlan0', 'e', 'eth10'),
  outIface: pick('eth0', 'eth1', 'wlan0', '', 'e'),
  proto: pick(6, 6, 17, 17, 1, 47),
  frag: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: pick(8, 16) }),
  l4len: fc.oneof({ weight: 5, arbitrary: pick(20, 40, 100) }, { weight: 2, arbitrary: pick(0, 2, 3, 4, 7, 8, 12, 19) }),
  cut: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: pick(1, 10, 30) }),
  sport: pick(22, 53, 80, 443, 1000, 1500, 40000, 0),
  dport: pick(22, 53, 80, 85, 443, 1000, 1023, 1024, 40000),
  flags: fc.integer({ min: 0, max: 255 }),
  icmpType: pick(0, 3, 8, 11),
  icmpCode: pick(0, 1, 3),
  ct: fc.oneof(
    fc.constant({ kind: 'invalid' as const, ctinfo: CtInfo.NONE, status: 0, mark: 0 }),
    fc.constant({ kind: 'untracked' as const, ctinfo: CtInfo.UNTRACKED, status: 0, mark: 0 }),
    fc.record({
      kind: fc.constant('tracked' as const),
      ctinfo: fc.integer({ min: 0, max: 4 }),
      status: fc.subarray([Status.SRC_NAT, Status.DST_NAT, Status.ASSURED, Status.SEEN_REPLY]).map((bits) => bits.reduce((a, b) => a | b, 0)),
      mark: pick(0, 1, 4, 5),
    }),
  ),
  mark: pick(0, 1, 2, 3, 0x10, 0x11, 0x1f),
  ttl: pick(1, 10, 11, 63, 64, 200),
  tos: pick(0, 0x08, 0x10, 0x28, 0xb8),
});

/** A packet at FORWARD as the decoder and the engine would present it. */
export function buildPacket(s: PacketSpec, number = 1): PacketState {
  const v = new PacketView();
  v.reset();
  v.ipVersion = 4;
  v.ihl = 5;
  v.srcAddr = s.src;
  v.dstAddr = s.dst;
  v.protocol = s.proto;
  v.fragOffset = s.frag;
  v.ttl = s.ttl;
  v.tos = s.tos;
  const l4len = s.frag === 0 ? s.l4len : 40;
  v.totalLength = 20 + l4len;
  if (s.frag === 0) {
    v.l4Length = l4len;
    v.l4Captured = Math.max(0, l4len - s.cut);
    v.truncated = v.l4Captured < l4len;
    v.l4Offset = 20;
    const cap = v.l4Captured;
    if ((s.proto === 6 || s.proto === 17) && cap >= 4) {
      v.srcPort = s.sport;
      v.dstPort = s.dport;
    }
    if (s.proto === 6 && cap >= 20) {
      v.tcpFlags = s.flags;
      v.tcpDataOffset = 5;
    }
    if (s.proto === 1 && cap >= 8) {
      v.icmpType = s.icmpType;
      v.icmpCode = s.icmpCode;
    }
    v.l4State = cap >= 20 || (s.proto !== 6 && cap >= 8) ? L4State.OK : L4State.PARTIAL;
  }
  const data = new Uint8Array(v.totalLength);
  const p = new PacketState();
  p.resetFor(v, data);
  p.number = number;
  p.hook = 'FORWARD';
  p.inIface = s.inIface;
  p.outIface = s.outIface;
  p.mark = s.mark;
  p.nowNs = number * 1e8;
  if (s.ct.kind === 'tracked') {
    p.ct = { status: s.ct.status, mark: s.ct.mark, tuple: [{}, {}], expiresNs: 1e12 } as unknown as ConnEntry;
    p.ctinfo = s.ct.ctinfo;
  } else p.ctinfo = s.ct.ctinfo;
  return p;
}

/** What rule `rule` of FORWARD does with a packet alone: matches it, hotdrops it, or neither. */
export type RuleOutcome = 'match' | 'hotdrop' | 'none';

/** Evaluates each rule text (a match part) on packets, one interpreter per rule. */
export function ruleEvaluator(matchText: string): (s: PacketSpec) => RuleOutcome {
  const rs = filterRuleset([`-A FORWARD ${matchText} -j ACCEPT`]);
  const runner = interpretRuleset(rs, new AnalysisRuntime(), { unmodelled: 'assume-match' });
  return (s) => {
    const p = buildPacket(s);
    const v = runner.traverse('filter', p);
    if (v === Verdict.ACCEPT) return 'match';
    return p.hotdrop ? 'hotdrop' : 'none';
  };
}
