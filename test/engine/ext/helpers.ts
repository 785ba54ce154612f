/**
 * Packets and a runtime for the extension replay tests: IPv4 datagrams built field by
 * field (header checksum computed, so the decoder accepts them), decoded into a real
 * PacketView, and a ReplayRuntime that records what the extensions emit.
 */
import type { PacketRecord } from '../../../src/capture/record.js';
import { Scope, code, type Code } from '../../../src/compile/builder.js';
import { decode, DecodeEvents, DecodeResult, PacketView } from '../../../src/decode/index.js';
import { PacketState } from '../../../src/engine/packet.js';
import type { ReplayRuntime } from '../../../src/engine/runtime.js';
import { AddrType, type HostInterface, type HostModel, type HostRoute } from '../../../src/netfilter/host.js';
import { loadRulesetText } from '../../../src/rules/index.js';
import type { Hook } from '../../../src/rules/model.js';
import type { MatchExtension, TargetExtension } from '../../../src/rules/ext/types.js';

export function ip(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function ipChecksum(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface TcpSpec {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  /** Byte 13: CWR ECE URG ACK PSH RST SYN FIN. */
  flags?: number;
  /** The low nibble of byte 12 (reserved bits and AE). */
  res?: number;
  window?: number;
  urg?: number;
  options?: number[];
  /** Data offset in words; default from the options. */
  doff?: number;
  payload?: number;
}

export function tcpHeader(t: TcpSpec = {}): Uint8Array {
  const opts = t.options ?? [];
  const hlen = 20 + opts.length;
  const b = new Uint8Array(hlen + (t.payload ?? 0));
  put16(b, 0, t.sport ?? 40000);
  put16(b, 2, t.dport ?? 80);
  put32(b, 4, t.seq ?? 1000);
  put32(b, 8, t.ack ?? 0);
  b[12] = ((t.doff ?? hlen / 4) << 4) | (t.res ?? 0);
  b[13] = t.flags ?? 0x02;
  put16(b, 14, t.window ?? 64240);
  put16(b, 18, t.urg ?? 0);
  b.set(opts, 20);
  return b;
}

export function udpHeader(u: { sport?: number; dport?: number; payload?: number; len?: number } = {}): Uint8Array {
  const b = new Uint8Array(8 + (u.payload ?? 0));
  put16(b, 0, u.sport ?? 40000);
  put16(b, 2, u.dport ?? 53);
  put16(b, 4, u.len ?? b.length);
  return b;
}

export function icmpHeader(i: { type?: number; code?: number; rest?: number; body?: Uint8Array } = {}): Uint8Array {
  const body = i.body ?? new Uint8Array(0);
  const b = new Uint8Array(8 + body.length);
  b[0] = i.type ?? 8;
  b[1] = i.code ?? 0;
  put32(b, 4, i.rest ?? 0x12340001);
  b.set(body, 8);
  return b;
}

export interface IpSpec {
  src?: string;
  dst?: string;
  ttl?: number;
  tos?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  rf?: boolean;
  /** In 8-byte units, as on the wire. */
  frag?: number;
  proto?: number;
  options?: number[];
  l4?: Uint8Array;
}

export function ipv4(s: IpSpec): Uint8Array {
  const l4 = s.l4 ?? new Uint8Array(0);
  const hlen = 20 + (s.options?.length ?? 0);
  const b = new Uint8Array(hlen + l4.length);
  b[0] = 0x40 | (hlen / 4);
  b[1] = s.tos ?? 0;
  put16(b, 2, b.length);
  put16(b, 4, s.id ?? 1);
  put16(b, 6, (s.rf ? 0x8000 : 0) | (s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) | (s.frag ?? 0));
  b[8] = s.ttl ?? 64;
  b[9] = s.proto ?? 6;
  put32(b, 12, ip(s.src ?? '192.0.2.1'));
  put32(b, 16, ip(s.dst ?? '198.51.100.1'));
  b.set(s.options ?? [], 20);
  put16(b, 10, ipChecksum(b, 0, hlen));
  b.set(l4, hlen);
  return b;
}

export function ether(datagram: Uint8Array, dst = '02:00:00:00:00:01', src = '02:00:00:00:ff:01'): Uint8Array {
  const f = new Uint8Array(14 + datagram.length);
  const mac = (t: string): number[] => t.split(':').map((x) => parseInt(x, 16));
  f.set([...mac(dst), ...mac(src), 0x08, 0x00]);
  f.set(datagram, 14);
  return f;
}

export interface StateOptions {
  /** Link type of `frame` (default Ethernet). */
  linktype?: number;
  /** Captured bytes (default all). */
  caplen?: number;
  hook?: Hook;
  inIface?: string;
  outIface?: string;
  mark?: number;
  local?: boolean;
  pktType?: number;
  tsSec?: number;
  nowNs?: number;
}

/** Decodes `frame` into a fresh view and packet state, placed at an offset in a larger buffer. */
export function packetOf(frame: Uint8Array, o: StateOptions = {}): PacketState {
  const caplen = o.caplen ?? frame.length;
  const pad = 7;
  const data = new Uint8Array(pad + caplen + 5).fill(0xee);
  data.set(frame.subarray(0, caplen), pad);
  const rec: PacketRecord = {
    number: 1,
    data,
    offset: pad,
    caplen,
    origlen: frame.length,
    tsSec: o.tsSec ?? 0,
    tsNsec: 0,
    linktype: o.linktype ?? 1,
    interfaceId: -1,
    direction: 0,
  };
  const view = new PacketView();
  const r = decode(rec, view, new DecodeEvents());
  if (r !== DecodeResult.IPV4) throw new Error(`test packet did not decode as IPv4 (${r})`);
  const pkt = new PacketState();
  pkt.resetFor(view, data);
  pkt.hook = o.hook ?? 'INPUT';
  pkt.inIface = o.inIface ?? (pkt.hook === 'OUTPUT' || pkt.hook === 'POSTROUTING' ? '' : 'eth0');
  pkt.outIface = o.outIface ?? (pkt.hook === 'PREROUTING' || pkt.hook === 'INPUT' ? '' : 'eth1');
  pkt.mark = o.mark ?? 0;
  pkt.local = o.local ?? pkt.hook === 'OUTPUT';
  pkt.pktType = o.pktType ?? 0;
  pkt.tsSec = o.tsSec ?? 0;
  pkt.nowNs = o.nowNs ?? 0;
  return pkt;
}

/** A TCP packet in one call. */
export function tcpPacket(t: TcpSpec = {}, i: IpSpec = {}, o: StateOptions = {}): PacketState {
  return packetOf(ether(ipv4({ proto: 6, ...i, l4: tcpHeader(t) })), o);
}

export function udpPacket(u: Parameters<typeof udpHeader>[0] = {}, i: IpSpec = {}, o: StateOptions = {}): PacketState {
  return packetOf(ether(ipv4({ proto: 17, ...i, l4: udpHeader(u) })), o);
}

export function hotdropped(pkt: PacketState): boolean {
  return (pkt as PacketState & { hotdrop?: boolean }).hotdrop === true;
}

/**
 * A host model as inet_dev_addr_type answers for it: each interface's addresses are LOCAL
 * and its subnet broadcast BROADCAST (on that device), 0.0.0.0/8 and 255.255.255.255
 * BROADCAST, 224/4 MULTICAST, loopback's 127/8 LOCAL; anything else UNICAST.
 */
export function hostOf(spec: Array<{ name: string; addr: string; len: number; mac?: number; mtu?: number }>, routes: HostRoute[] = []): HostModel {
  const interfaces: HostInterface[] = spec.map((x, i) => ({
    name: x.name,
    addrs: [{ addr: ip(x.addr), prefixLength: x.len }],
    mac: x.mac ?? (x.name === 'lo' ? 0 : 0x020000000000 + i),
    mtu: x.mtu ?? (x.name === 'lo' ? 65536 : 1500),
    index: i + 1,
  }));
  const inNet = (a: number, net: number, len: number): boolean => len === 0 || a >>> (32 - len) === net >>> (32 - len);
  const connected: HostRoute[] = interfaces
    .filter((i) => i.name !== 'lo')
    .map((i) => ({ dst: i.addrs[0]!.addr, prefixLength: i.addrs[0]!.prefixLength, dev: i.name, via: 0 }));
  const all = [...connected, ...routes];
  const localType = (a: number): { type: number; dev: string } | undefined => {
    for (const i of interfaces) {
      const { addr, prefixLength } = i.addrs[0]!;
      if (i.name === 'lo' ? a >>> 24 === 127 && a !== 0x7fffffff : a === addr) return { type: AddrType.LOCAL, dev: i.name };
      if (prefixLength < 31 && inNet(a, addr, prefixLength) && (a | (0xffffffff >>> prefixLength)) >>> 0 === a) {
        return { type: AddrType.BROADCAST, dev: i.name };
      }
    }
    return undefined;
  };
  return {
    interfaces,
    routes: all,
    forward: true,
    isLocalAddress: (a) => localType(a)?.type === AddrType.LOCAL,
    route: (dst) => all.filter((r) => inNet(dst, r.dst, r.prefixLength)).sort((x, y) => y.prefixLength - x.prefixLength)[0],
    addressType(a, dev) {
      if (a >>> 24 === 0 || a === 0xffffffff) return AddrType.BROADCAST;
      if (a >>> 28 === 14) return AddrType.MULTICAST;
      const local = localType(a);
      if (local !== undefined) return dev === undefined || dev === local.dev ? local.type : AddrType.UNICAST;
      return AddrType.UNICAST;
    },
    sysctl: () => 0,
    interfaceByName: (n) => interfaces.find((i) => i.name === n),
    interfaceByIndex: (x) => interfaces.find((i) => i.index === x),
  };
}

/** lo, eth0 198.51.100.1/24 (mtu 1500), eth1 203.0.113.1/24 (mtu 1400), default route via eth1. */
export function testHost(): HostModel {
  return hostOf(
    [
      { name: 'lo', addr: '127.0.0.1', len: 8 },
      { name: 'eth0', addr: '198.51.100.1', len: 24, mac: 0x020000000001 },
      { name: 'eth1', addr: '203.0.113.1', len: 24, mac: 0x020000000002, mtu: 1400 },
    ],
    [{ dst: 0, prefixLength: 0, dev: 'eth1', via: ip('203.0.113.254') }],
  );
}

export class TestRuntime implements ReplayRuntime {
  readonly logs: Array<{ level: number; line: string }> = [];
  readonly nflogs: Array<{ group: number; prefix: string }> = [];
  readonly notes: string[] = [];
  private readonly tables = new Map<string, unknown>();
  private seed: number;

  constructor(
    readonly host: HostModel = testHost(),
    seed = 1,
  ) {
    this.seed = seed >>> 0;
  }

  /** xorshift32: deterministic for the tests. */
  /** REJECT's reply is only noted here: the replay decides it (engine/host-replies.ts). */
  reject(): void {
    this.note('reject.reply');
  }

  random32(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }

  statisticRandom(_pkt: PacketState, probability: number, invert: boolean): boolean {
    return ((this.random32() & 0x7fffffff) < probability) !== invert;
  }

  shared<T>(kind: string, name: string, create: () => T): T {
    const key = `${kind}\0${name}`;
    if (!this.tables.has(key)) this.tables.set(key, create());
    return this.tables.get(key) as T;
  }

  log(level: number, line: string): void {
    this.logs.push({ level, line });
  }

  nflog(group: number, prefix: string): void {
    this.nflogs.push({ group, prefix });
  }

  note(event: string): void {
    this.notes.push(event);
  }
}

/** The extension instances of one rule, parsed as iptables would (`-A INPUT ` + text). */
export function ruleOf(text: string, table = 'filter', chain = 'INPUT') {
  const { ruleset } = loadRulesetText(`*${table}\n-A ${chain} ${text}\nCOMMIT\n`, { source: 'test' });
  const t = ruleset.tables.find((x) => x.name === table)!;
  return t.chains.get(chain)!.rules[0]!;
}

/** The rule's only (or first named) match: its extension and state. */
export function matchOf<S = any>(text: string, name?: string, table = 'filter', chain = 'INPUT') {
  const rule = ruleOf(text, table, chain);
  const m = name === undefined ? rule.matches[rule.matches.length - 1]! : rule.matches.find((x) => x.ext.name === name)!;
  return { ext: m.ext as MatchExtension<S>, state: m.state as S, rule };
}

export function targetOf<S = any>(text: string, table = 'filter', chain = 'INPUT') {
  const rule = ruleOf(text, table, chain);
  if (rule.target.kind !== 'ext') throw new Error('not an extension target');
  return { ext: rule.target.instance.ext as TargetExtension<S>, state: rule.target.instance.state as S, rule };
}

/** A matcher for `text` that runs matchPacket with a fresh instance. */
export function matcher(text: string, rt: ReplayRuntime = new TestRuntime(), name?: string, table = 'filter', chain = 'INPUT') {
  const { ext, state } = matchOf(text, name, table, chain);
  const inst = ext.instantiate?.(state, rt);
  return (pkt: PacketState): boolean => ext.matchPacket!(state, pkt, rt, inst);
}

/** The compiled form of a match, built the way the engine builds it. */
export function compiled<S>(ext: MatchExtension<S>, state: S): { fn: (pkt: PacketState) => boolean; source: string } {
  const scope = new Scope();
  const pkt: Code = scope.name('v');
  const view: Code = scope.name('v');
  const expr = ext.compileMatch!(state, { pkt, view, scope });
  const body = code`return function (${pkt}) { const ${view} = ${pkt}.view; return ${expr}; };`;
  return { fn: scope.build(body), source: scope.source(body) };
}
