/**
 * NAT as the kernel applies it (net/netfilter/nf_nat_core.c, nf_nat_proto.c): a NAT target
 * run by a connection's first packet sets up a binding (nf_nat_setup_info: the reply tuple
 * becomes the inverse of the mapped original tuple), and from then on every packet of the
 * connection, in both directions, is rewritten at the NAT hooks from that binding
 * (nf_nat_packet): destination at PREROUTING and OUTPUT, source at INPUT and POSTROUTING;
 * replies get the inverse mapping. An ICMP error RELATED to a mapped connection has both
 * its outer header and the header it quotes translated (nf_nat_icmp_reply_translation).
 *
 * Rewrites change the packet's bytes (checksums updated incrementally, as the kernel's
 * csum_replace does) and the decoded view, so later rules see the new addresses.
 */
import {
  rewriteDstPort,
  rewriteIcmpId,
  rewriteIcmpInnerDst,
  rewriteIcmpInnerDstPort,
  rewriteIcmpInnerSrc,
  rewriteIcmpInnerSrcPort,
  rewriteIpv4Dst,
  rewriteIpv4Src,
  rewriteSrcPort,
} from '../capture/rewrite.js';
import type { PacketState } from '../engine/packet.js';
import { NAT_MAP_IPS, type NatRange } from '../rules/ext/natrange.js';
import { CtInfo, invertTuple, Status, Tuple, type ConnEntry } from './entry.js';
import { selectNatTuple, type SourceMappings, type TupleTaken } from './nat-select.js';
import type { ConnTable } from './table.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export const Manip = { SRC: 0, DST: 1 } as const;
export type Manip = (typeof Manip)[keyof typeof Manip];

export class Nat {
  /** Scratch tuples: a binding is set up once per connection, rewriting allocates nothing. */
  private readonly cur = new Tuple();
  private readonly next = new Tuple();
  private readonly probe = new Tuple();
  private readonly target = new Tuple();
  /**
   * Source-mapped connections by a hash of their original source address and port (ICMP:
   * id), as nf_nat_bysource: each key's entries through their srcNext/srcPrev links, newest
   * first; find_appropriate_src compares source, protocol and zone as it walks, as the
   * kernel walks a hash bucket. A small-integer key and links in the entries: no key number
   * or array allocated per connection.
   */
  private readonly bySource = new Map<number, ConnEntry>();
  /** The null binding's range (one address, ports untouched), reused. */
  private readonly null: NatRange = { flags: NAT_MAP_IPS, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0, basePort: 0 };
  /** Capture time of the packet being mapped: expired entries do not hold tuples. */
  private nowNs = 0;
  /** The entry being mapped, for the two callbacks below (made once, not per connection). */
  private mapping: ConnEntry | null = null;
  private readonly takenByOther: TupleTaken = (candidate) => this.taken(candidate, this.mapping!);
  private readonly sourcesInZone: SourceMappings = (orig, visit) => this.existingSources(orig, this.mapping!.zone, visit);

  constructor(
    private readonly table: ConnTable,
    private readonly random32: () => number,
  ) {
    const drop = table.onDestroy;
    table.onDestroy = (e, at) => {
      if (e.status & Status.SRC_NAT_DONE) this.forget(e);
      drop?.(e, at);
    };
    table.onDiscard = (e) => {
      if (e.status & Status.SRC_NAT_DONE) this.forget(e);
    };
  }

  /**
   * nf_nat_setup_info(): maps the connection of `pkt` within `range` (already resolved to
   * addresses by the target: MASQUERADE's source, REDIRECT's local address).
   */
  setup(pkt: PacketState, range: NatRange, manip: Manip): void {
    const e = pkt.ct;
    if (e === null) return;
    const done = manip === Manip.SRC ? Status.SRC_NAT_DONE : Status.DST_NAT_DONE;
    if (e.status & done) return;
    this.nowNs = pkt.nowNs;
    // The original tuple as earlier manips left it: the inverse of the current reply tuple.
    invertTuple(this.cur, e.tuple[1]);
    this.mapping = e;
    selectNatTuple(this.next, this.cur, range, manip, e.zone, this.takenByOther, this.sourcesInZone, this.random32);
    this.mapping = null;
    if (!this.next.equals(this.cur)) {
      invertTuple(e.tuple[1], this.next);
      e.status |= manip === Manip.SRC ? Status.SRC_NAT : Status.DST_NAT;
    }
    e.status |= done;
    if (manip === Manip.SRC) this.remember(e);
  }

  /**
   * nf_nat_alloc_null_binding(): no rule mapped the connection at this hook; it is mapped
   * to its own addresses, which keeps them — unless the resulting reply tuple is taken, when
   * a source port moves as any SNAT's would.
   */
  nullBinding(pkt: PacketState, manip: Manip): void {
    const e = pkt.ct;
    if (e === null) return;
    const reply = e.tuple[1];
    const addr = (manip === Manip.SRC ? reply.dst : reply.src) >>> 0;
    this.null.minAddr = this.null.maxAddr = addr;
    this.setup(pkt, this.null, manip);
  }

  /**
   * nf_nat_packet(): rewrites `pkt` as its connection's binding says for this hook's kind of
   * manip (SRC at INPUT/POSTROUTING, DST at PREROUTING/OUTPUT) and the packet's direction.
   */
  packet(pkt: PacketState, manip: Manip): void {
    const e = pkt.ct;
    if (e === null) return;
    const dir = pkt.ctinfo >= CtInfo.IS_REPLY ? 1 : 0;
    let bit: number = manip === Manip.SRC ? Status.SRC_NAT : Status.DST_NAT;
    if (dir === 1) bit = bit === Status.SRC_NAT ? Status.DST_NAT : Status.SRC_NAT;
    if (!(e.status & bit)) return;
    // The packet must look like the inverse of the other direction's tuple.
    invertTuple(this.target, e.tuple[1 - dir]!);
    if ((pkt.ctinfo === CtInfo.RELATED || pkt.ctinfo === CtInfo.RELATED_REPLY) && pkt.view.protocol === IPPROTO_ICMP) {
      this.icmpError(pkt, e, dir, manip);
      return;
    }
    manipulate(pkt, this.target, manip);
  }

  /**
   * nf_nat_icmp_reply_translation(): the quoted packet is put back as its sender sent it
   * (the opposite manip, from the other direction's tuple), then the outer header is made
   * the reply to it (addresses only: an ICMP error has no ports).
   */
  private icmpError(pkt: PacketState, e: ConnEntry, dir: number, manip: Manip): void {
    const other = e.tuple[1 - dir]!;
    manipulateInner(pkt, other, manip === Manip.SRC ? Manip.DST : Manip.SRC);
    const t = this.target;
    if (manip === Manip.SRC) setSrc(pkt, t.src);
    else setDst(pkt, t.dst);
  }

  /** nf_nat_used_tuple(): would `candidate` give a reply tuple another connection already has? */
  private taken(candidate: Tuple, self: ConnEntry): boolean {
    invertTuple(this.probe, candidate);
    const found = this.table.findTuple(this.probe, self.zone, this.nowNs);
    return found !== undefined && found !== self;
  }

  /** The bySource key of a tuple's source: address and port (ICMP: id) mixed into 30 bits (a small integer). */
  private key(t: Tuple): number {
    return (Math.imul(t.src ^ (t.sport << 16), 0x9e3779b1) >>> 2) ^ t.sport;
  }

  /**
   * find_appropriate_src()'s walk: connections from the same source whose source mapping is
   * set up, newest first, each as the mapped source (the reply tuple's destination; for
   * ICMP the identifier) until `visit` takes one.
   */
  private existingSources(orig: Tuple, zone: number, visit: (addr: number, port: number) => boolean): void {
    for (let e = this.bySource.get(this.key(orig)) ?? null; e !== null; e = e.srcNext) {
      const t = e.tuple[0];
      // same_src(), nf_ct_zone_equal()
      if (t.src !== orig.src || t.sport !== orig.sport || t.proto !== orig.proto || e.zone !== zone) continue;
      const mapped = e.tuple[1];
      if (visit(mapped.dst >>> 0, orig.proto === IPPROTO_ICMP ? mapped.sport : mapped.dport)) return;
    }
  }

  private remember(e: ConnEntry): void {
    const k = this.key(e.tuple[0]);
    const head = this.bySource.get(k);
    e.srcPrev = null;
    e.srcNext = head ?? null;
    if (head !== undefined) head.srcPrev = e;
    this.bySource.set(k, e);
  }

  private forget(e: ConnEntry): void {
    const { srcPrev: prev, srcNext: next } = e;
    if (prev !== null) prev.srcNext = next;
    else {
      const k = this.key(e.tuple[0]);
      if (this.bySource.get(k) !== e) return;
      if (next !== null) this.bySource.set(k, next);
      else this.bySource.delete(k);
    }
    if (next !== null) next.srcPrev = prev;
    e.srcNext = e.srcPrev = null;
  }
}

/** nf_nat_ipv4_manip_pkt(): the packet's source (SRC) or destination (DST) becomes `t`'s. */
function manipulate(pkt: PacketState, t: Tuple, manip: Manip): void {
  const v = pkt.view;
  if (manip === Manip.SRC) {
    if (v.srcAddr >>> 0 !== t.src >>> 0) setSrc(pkt, t.src);
    if (v.protocol === IPPROTO_TCP || v.protocol === IPPROTO_UDP) {
      if (v.srcPort >= 0 && v.srcPort !== t.sport && rewriteSrcPort(pkt.data, v.l3Offset, pkt.data.length, t.sport)) v.srcPort = t.sport;
    } else if (v.protocol === IPPROTO_ICMP) setIcmpId(pkt, t.sport);
  } else {
    if (v.dstAddr >>> 0 !== t.dst >>> 0) setDst(pkt, t.dst);
    if (v.protocol === IPPROTO_TCP || v.protocol === IPPROTO_UDP) {
      if (v.dstPort >= 0 && v.dstPort !== t.dport && rewriteDstPort(pkt.data, v.l3Offset, pkt.data.length, t.dport)) v.dstPort = t.dport;
    } else if (v.protocol === IPPROTO_ICMP) setIcmpId(pkt, t.sport);
  }
  v.l4ChecksumStatus = -1;
}

/** The same on the header an ICMP error quotes. */
function manipulateInner(pkt: PacketState, t: Tuple, manip: Manip): void {
  const v = pkt.view;
  const b = pkt.data;
  const ip = v.l3Offset;
  if (manip === Manip.SRC) {
    if (v.innerSrcAddr >>> 0 !== t.src >>> 0 && rewriteIcmpInnerSrc(b, ip, b.length, t.src >>> 0)) v.innerSrcAddr = t.src >>> 0;
    if ((v.innerProtocol === IPPROTO_TCP || v.innerProtocol === IPPROTO_UDP) && v.innerSrcPort >= 0 && v.innerSrcPort !== t.sport) {
      if (rewriteIcmpInnerSrcPort(b, ip, b.length, t.sport)) v.innerSrcPort = t.sport;
    }
  } else {
    if (v.innerDstAddr >>> 0 !== t.dst >>> 0 && rewriteIcmpInnerDst(b, ip, b.length, t.dst >>> 0)) v.innerDstAddr = t.dst >>> 0;
    if ((v.innerProtocol === IPPROTO_TCP || v.innerProtocol === IPPROTO_UDP) && v.innerDstPort >= 0 && v.innerDstPort !== t.dport) {
      if (rewriteIcmpInnerDstPort(b, ip, b.length, t.dport)) v.innerDstPort = t.dport;
    }
  }
}

function setSrc(pkt: PacketState, addr: number): void {
  if (rewriteIpv4Src(pkt.data, pkt.view.l3Offset, pkt.data.length, addr >>> 0)) pkt.view.srcAddr = addr >>> 0;
}

function setDst(pkt: PacketState, addr: number): void {
  if (rewriteIpv4Dst(pkt.data, pkt.view.l3Offset, pkt.data.length, addr >>> 0)) pkt.view.dstAddr = addr >>> 0;
}

/** An ICMP query's identifier (what NAT maps in place of a port, the same both ways). */
function setIcmpId(pkt: PacketState, id: number): void {
  const v = pkt.view;
  const current = (v.icmpRest >>> 16) & 0xffff;
  if (current === id) return;
  if (rewriteIcmpId(pkt.data, v.l3Offset, pkt.data.length, id)) {
    v.icmpRest = ((id << 16) | (v.icmpRest & 0xffff)) >>> 0;
    if (v.icmpId >= 0) v.icmpId = id;
  }
}
