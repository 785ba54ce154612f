/**
 * Connection tracking as the replay runs it: nf_conntrack_in() where the kernel hooks it
 * (PRE_ROUTING and LOCAL_OUT at priority -200, after the raw table) and
 * nf_conntrack_confirm() at the very end of LOCAL_IN and POST_ROUTING
 * (net/netfilter/nf_conntrack_core.c). A packet leaves `in()` with pkt.ct set to its
 * entry and pkt.ctinfo to what it is to it (NEW, ESTABLISHED, RELATED, either direction),
 * or without an entry: INVALID, or UNTRACKED when the raw table said NOTRACK. A new entry
 * is only put in the table by confirm(), so a packet dropped on its way leaves nothing.
 *
 * Protocols: TCP (tcp.ts, the kernel's state machine and window tracking), UDP, ICMP
 * (echo-style queries tracked by identifier, errors RELATED to the flow they quote),
 * anything else by addresses and protocol alone (nf_conntrack_proto_generic.c).
 */
import { L4State, TcpFlag, type PacketView } from '../decode/view.js';
import { L4Checksum, l4ChecksumStatus } from '../decode/checksum.js';
import type { PacketState } from '../engine/packet.js';
import type { HostModel } from '../netfilter/host.js';
import { ConnEntry, CtEvent, CtInfo, invertTuple, RECORD_TCP_WORD, Status, Tuple } from './entry.js';
import { ConnTable } from './table.js';
import { newTcpResult, TcpConn, tcpError, tcpNew, tcpPacket, TcpState, tcpSysctlsFrom, TcpVerdict, type TcpSegment, type TcpSysctls } from './tcp.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** ICMP types conntrack tracks as queries: what may start an entry (icmp.c valid_new). */
const ICMP_VALID_NEW = new Set([8, 13, 15, 17]);
/** Types icmp_error() treats as errors quoting another packet. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
/** NR_ICMP_TYPES: larger types are invalid. */
const NR_ICMP_TYPES = 18;

const NS = 1e9;

export interface ConntrackSysctls {
  max: number;
  checksum: boolean;
  udpTimeout: number;
  udpStreamTimeout: number;
  icmpTimeout: number;
  genericTimeout: number;
  tcp: TcpSysctls;
}


/** The net.netfilter.nf_conntrack_* values of the host (host file or kernel defaults). */
export function conntrackSysctls(host: HostModel): ConntrackSysctls {
  const v = (name: string): number => host.sysctl(`net.netfilter.nf_conntrack_${name}`);
  const tcp = tcpSysctlsFrom((name) => host.sysctl(name));
  return {
    max: v('max'),
    checksum: v('checksum') !== 0,
    udpTimeout: v('udp_timeout'),
    udpStreamTimeout: v('udp_timeout_stream'),
    icmpTimeout: v('icmp_timeout'),
    genericTimeout: v('generic_timeout'),
    tcp,
  };
}

export interface ConntrackEvents {
  /** An entry was confirmed ([NEW]). */
  onNew?(e: ConnEntry, pkt: PacketState): void;
  /** An entry's state or status changed ([UPDATE]). */
  onUpdate?(e: ConnEntry, pkt: PacketState): void;
  /** An entry expired or was killed ([DESTROY]) at capture time `atNs`. */
  onDestroy?(e: ConnEntry, atNs: number): void;
  /** Something counted in the summary (table full, a packet too short to track...). */
  note(event: string): void;
}

export class Conntrack {
  readonly table: ConnTable;
  readonly sys: ConntrackSysctls;
  private nextId = 1;
  /** Capture time of the last packet tracked (ns since the first packet). */
  nowNs = 0;
  private lastSweepNs = 0;
  /** Scratch tuple and TCP segment/result, reused for every packet. */
  private readonly t = new Tuple();
  /** A second scratch tuple: the inverse being built, or an ICMP error's quoted packet. */
  private readonly u = new Tuple();
  private readonly seg: TcpSegment = { seq: 0, ack: 0, flags: 0, window: 0, dataOffset: 0, payloadLength: 0, data: new Uint8Array(0), optionsOffset: 0, optionsLength: 0 };
  private readonly tcpOut = newTcpResult();
  /** Whether the last l4() counted the packet in its entry (an ignored TCP segment is not). */
  private account = true;

  constructor(
    host: HostModel,
    private readonly events: ConntrackEvents,
  ) {
    this.sys = conntrackSysctls(host);
    this.table = new ConnTable(host.sysctl('net.netfilter.nf_conntrack_buckets'));
    this.table.onDestroy = (e, at) => events.onDestroy?.(e, at);
  }

  /** nf_conntrack_in(): sets pkt.ct / pkt.ctinfo; false when the packet must be dropped (table full). */
  in(pkt: PacketState, preRouting: boolean): boolean {
    return this.track(pkt, preRouting);
  }

  /**
   * The kernel caches a connection's events (state, ASSURED, SEEN_REPLY, a new mark) and
   * delivers them once, at the confirmation hook (nf_confirm → nf_ct_deliver_cached_events):
   * one [UPDATE] per packet that got that far, however many things changed; a packet dropped
   * on its way leaves them for the connection's next one.
   */
  private changed(e: ConnEntry, event: number): void {
    e.events |= event;
  }

  private track(pkt: PacketState, preRouting: boolean): boolean {
    // A packet coming back through lo keeps what it got on the way out; so does one the
    // raw table exempted (NOTRACK, CT --notrack).
    if (pkt.ct !== null || pkt.ctinfo === CtInfo.UNTRACKED) return true;
    const v = pkt.view;
    const now = pkt.nowNs;
    this.nowNs = now;
    if (now - this.lastSweepNs >= NS) {
      this.lastSweepNs = now;
      this.table.expire(now);
    }
    if (v.protocol === IPPROTO_ICMP && v.l4State !== L4State.NONE && ICMP_ERRORS.has(v.icmpType)) {
      this.related(pkt, preRouting);
      return true;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.tupleOf(v, this.t)) return true;
      if (v.protocol === IPPROTO_ICMP && (v.icmpType > NR_ICMP_TYPES || v.l4Captured < 8)) return true;
      let e = this.table.findTuple(this.t, pkt.ctZone, now);
      let ctinfo: number;
      if (e !== undefined) {
        const dir = this.table.foundDir;
        ctinfo = dir === 1 ? CtInfo.ESTABLISHED_REPLY : e.status & Status.SEEN_REPLY ? CtInfo.ESTABLISHED : e.status & Status.EXPECTED ? CtInfo.RELATED : CtInfo.NEW;
      } else {
        const made = this.create(pkt);
        if (made === null) return true;
        if (made === 'full') return false;
        e = made;
        ctinfo = CtInfo.NEW;
      }
      const r = this.l4(e, ctinfo, pkt, preRouting);
      if (r === TcpVerdict.REPEAT) {
        // tcp_packet: a SYN reopening a closed connection: the old entry goes, the packet is looked up again.
        this.table.remove(e, now);
        continue;
      }
      if (r !== TcpVerdict.ACCEPT) return true;
      pkt.ct = e;
      pkt.ctinfo = ctinfo;
      const dir = ctinfo >= CtInfo.IS_REPLY ? 1 : 0;
      if (this.account) e.count(dir, pkt.length);
      if (ctinfo === CtInfo.ESTABLISHED_REPLY && !(e.status & Status.SEEN_REPLY)) {
        e.status |= Status.SEEN_REPLY;
        if (e.status & Status.CONFIRMED) this.changed(e, CtEvent.STATUS);
      }
      return true;
    }
    return true;
  }

  /**
   * nf_ct_set_closing() (nf_conntrack_tcp_set_closing): REJECT sent a RST for a packet of
   * `e`. A confirmed TCP connection goes to CLOSE; its timer becomes CLOSE's, and the
   * change is an event, unless it was in CLOSE already or has a fixed timeout (which still
   * leaves it in CLOSE, silently).
   */
  setClosing(e: ConnEntry, nowNs: number): void {
    if (!(e.status & Status.CONFIRMED) || e.tcp === null || e.tuple[0].proto !== IPPROTO_TCP) return;
    const old = e.tcp.state;
    e.tcp.state = TcpState.CLOSE;
    if (old === TcpState.CLOSE || e.status & Status.FIXED_TIMEOUT) return;
    this.table.setExpiry(e, nowNs + this.sys.tcp.timeouts[TcpState.CLOSE]! * NS);
    this.changed(e, CtEvent.PROTOINFO);
  }

  /** After the packet: a new entry it made but that was not confirmed (dropped on its way) is freed. */
  release(pkt: PacketState): void {
    const e = pkt.ct;
    if (e !== null && !(e.status & Status.CONFIRMED)) this.table.discard(e);
  }

  /** nf_conntrack_confirm(): a new entry whose packet got through becomes part of the table. */
  confirm(pkt: PacketState): void {
    const e = pkt.ct;
    if (e === null || e.status & Status.DYING) return;
    // The hooks read the cached events (what the line shows) before they are cleared.
    if (e.status & Status.CONFIRMED) {
      if (e.events !== 0) {
        this.events.onUpdate?.(e, pkt);
        e.events = 0;
      }
      return;
    }
    if (pkt.ctinfo === CtInfo.RELATED_REPLY) return;
    this.table.insert(e);
    this.events.onNew?.(e, pkt);
    e.events = 0;
  }

  /** The tuple of a packet (nf_ct_get_tuple); false when its layer-4 header is too short to give one. */
  private tupleOf(v: PacketView, t: Tuple): boolean {
    const p = v.protocol;
    if (p === IPPROTO_TCP || p === IPPROTO_UDP) {
      if (v.l4Captured < 4 || v.srcPort < 0) return false;
      t.set(v.srcAddr, v.dstAddr, v.srcPort, v.dstPort, p);
      return true;
    }
    if (p === IPPROTO_ICMP) {
      if (v.l4Captured < 8) return false;
      t.set(v.srcAddr, v.dstAddr, (v.icmpRest >>> 16) & 0xffff, (v.icmpType << 8) | v.icmpCode, p);
      return true;
    }
    t.set(v.srcAddr, v.dstAddr, 0, 0, p);
    return true;
  }

  /** init_conntrack(): an unconfirmed entry, or null (no reply tuple: INVALID), or 'full'. */
  private create(pkt: PacketState): ConnEntry | null | 'full' {
    const t = this.t;
    // No reply tuple (an ICMP type without an answer): init_conntrack gives up.
    if (!invertTuple(this.u, t)) return null;
    if (this.sys.max > 0 && this.table.size >= this.sys.max && !this.earlyDrop(pkt.nowNs)) {
      this.events.note('conntrack.table_full_dropped');
      return 'full';
    }
    const e = this.table.alloc();
    e.id = this.nextId++;
    e.zone = pkt.ctZone;
    e.tuple[0].copy(t);
    e.tuple[1].copy(this.u);
    return e;
  }

  /**
   * early_drop(): the table is full; a connection that never became ASSURED makes room
   * (the kernel looks in a few buckets near the new one's hash; the oldest one here, so
   * the choice does not depend on a hash function). The table keeps those entries in a
   * list of their own: a full table of ASSURED connections is not walked for each new one.
   */
  private earlyDrop(now: number): boolean {
    const e = this.table.oldestUnassured;
    if (e === null) return false;
    this.table.remove(e, now);
    this.events.note('conntrack.early_drop');
    return true;
  }

  /**
   * The protocol's packet handler: TcpVerdict.ACCEPT, INVALID or REPEAT. Each protocol has
   * its own method, so this dispatch stays small enough for V8 to inline into track().
   */
  private l4(e: ConnEntry, ctinfo: number, pkt: PacketState, preRouting: boolean): number {
    const confirmed = (e.status & Status.CONFIRMED) !== 0;
    this.account = true;
    switch (pkt.view.protocol) {
      case IPPROTO_TCP:
        return this.tcp(e, ctinfo >= CtInfo.IS_REPLY ? 1 : 0, confirmed, pkt, preRouting);
      case IPPROTO_UDP:
        return this.udp(e, confirmed, pkt, preRouting);
      case IPPROTO_ICMP:
        return this.icmp(e, confirmed, pkt);
      default:
        this.table.setExpiry(e, pkt.nowNs + this.sys.genericTimeout * NS);
        return TcpVerdict.ACCEPT;
    }
  }

  /** nf_conntrack_icmp_packet(): only a query may start an entry. */
  private icmp(e: ConnEntry, confirmed: boolean, pkt: PacketState): number {
    if (!confirmed && !ICMP_VALID_NEW.has(pkt.view.icmpType)) return TcpVerdict.INVALID;
    this.table.setExpiry(e, pkt.nowNs + this.sys.icmpTimeout * NS);
    return TcpVerdict.ACCEPT;
  }

  /** nf_conntrack_udp_packet(), after udp_error(). */
  private udp(e: ConnEntry, confirmed: boolean, pkt: PacketState, preRouting: boolean): number {
    const v = pkt.view;
    const now = pkt.nowNs;
    // udp_error(): a length that does not fit, or (at PRE_ROUTING, with checksums on) a bad checksum.
    if (v.udpLength < 8 || v.udpLength > v.l4Length) return TcpVerdict.INVALID;
    if (this.badChecksum(pkt, preRouting)) return TcpVerdict.INVALID;
    if (!confirmed) e.udpStreamNs = now + 2 * NS;
    if (e.status & Status.SEEN_REPLY) {
      // Two-way traffic still going two seconds after the first packet is a stream: the
      // longer timeout, and ASSURED.
      let extra = this.sys.udpTimeout;
      let stream = false;
      if (now > e.udpStreamNs) {
        extra = this.sys.udpStreamTimeout;
        stream = (e.status & Status.ASSURED) === 0;
      }
      this.table.setExpiry(e, now + extra * NS);
      if (stream) this.assure(e, pkt);
    } else {
      this.table.setExpiry(e, now + this.sys.udpTimeout * NS);
    }
    return TcpVerdict.ACCEPT;
  }

  private tcp(e: ConnEntry, dir: 0 | 1, confirmed: boolean, pkt: PacketState, preRouting: boolean): number {
    const v = pkt.view;
    const seg = this.seg;
    seg.seq = v.tcpSeq;
    seg.ack = v.tcpAck;
    seg.flags = v.tcpFlags;
    seg.window = v.tcpWindow;
    seg.dataOffset = v.tcpDataOffset;
    seg.payloadLength = v.payloadLength;
    seg.data = pkt.data;
    seg.optionsOffset = v.l4Offset + 20;
    seg.optionsLength = Math.max(0, Math.min(v.tcpDataOffset * 4, v.l4Captured) - 20);
    if (v.l4State !== L4State.OK && v.l4State !== L4State.PARTIAL) return TcpVerdict.INVALID;
    if (tcpError(seg, v.l4Length, this.badChecksum(pkt, preRouting))) return TcpVerdict.INVALID;
    if (!confirmed) {
      // Made once per entry object (entries are recycled), its numbers in the entry's record.
      e.tcp ??= new TcpConn(e.words, 2 * e.at + RECORD_TCP_WORD);
      if (!tcpNew(e.tcp, seg, this.sys.tcp)) return TcpVerdict.INVALID;
    }
    const now = pkt.nowNs;
    // nf_ct_expires(), which only nf_tcp_handle_invalid reads, and only for a RST or FIN:
    // other segments are spared the division.
    const remaining = seg.flags & (TcpFlag.RST | TcpFlag.FIN) ? Math.max(0, Math.floor((e.expiresNs - now) / NS)) : 0;
    const out = tcpPacket(e.tcp!, dir, seg, this.sys.tcp, (e.status & Status.SEEN_REPLY) !== 0, (e.status & Status.ASSURED) !== 0, this.tcpOut, remaining);
    if (out.refresh && !(e.status & Status.FIXED_TIMEOUT)) this.table.setExpiry(e, now + out.timeoutSeconds * NS);
    this.account = out.account;
    if (out.verdict !== TcpVerdict.ACCEPT) return out.verdict;
    // nf_conntrack_tcp_packet caches IPCT_PROTOINFO whenever the state changed.
    if (out.stateChanged && confirmed) this.changed(e, CtEvent.PROTOINFO);
    if (out.setAssured) this.assure(e, pkt);
    if (out.kill && confirmed) this.table.remove(e, now);
    return TcpVerdict.ACCEPT;
  }

  private assure(e: ConnEntry, pkt: PacketState): void {
    if (e.status & Status.ASSURED) return;
    e.status |= Status.ASSURED;
    this.table.leaveUnassured(e);
    if (e.status & Status.CONFIRMED) this.changed(e, CtEvent.STATUS);
  }

  /** nf_checksum() as tcp_error/udp_error call it: only at PRE_ROUTING, only with nf_conntrack_checksum. */
  private badChecksum(pkt: PacketState, preRouting: boolean): boolean {
    if (!this.sys.checksum || !preRouting) return false;
    return l4ChecksumStatus(pkt.data, pkt.view) === L4Checksum.INVALID;
  }

  /**
   * nf_conntrack_icmpv4_error() and nf_conntrack_inet_error(): an ICMP error is RELATED to
   * the connection of the packet it quotes (looked up by that packet's tuple inverted,
   * since the quote is the packet as its sender sent it), provided the error goes to that
   * connection's end; otherwise, or if anything is malformed, it has no entry (INVALID).
   */
  private related(pkt: PacketState, preRouting: boolean): void {
    const v = pkt.view;
    if (v.l4Captured < 8) return;
    if (this.sys.checksum && preRouting && l4ChecksumStatus(pkt.data, v) === L4Checksum.INVALID) return;
    if (v.innerState === L4State.NONE || v.innerSrcAddr < 0 || v.innerFragOffset > 0) return;
    const p = v.innerProtocol;
    const inner = this.u;
    if (p === IPPROTO_TCP || p === IPPROTO_UDP) {
      if (v.innerL4Captured < 4 || v.innerSrcPort < 0) return;
      inner.set(v.innerSrcAddr, v.innerDstAddr, v.innerSrcPort, v.innerDstPort, p);
    } else if (p === IPPROTO_ICMP) {
      if (v.innerL4Captured < 8) return;
      inner.set(v.innerSrcAddr, v.innerDstAddr, v.innerIcmpId, (v.innerIcmpType << 8) | v.innerIcmpCode, p);
    } else {
      inner.set(v.innerSrcAddr, v.innerDstAddr, 0, 0, p);
    }
    if (!invertTuple(this.t, inner)) return;
    const e = this.table.findTuple(this.t, pkt.ctZone, pkt.nowNs);
    if (e === undefined) return;
    const dir = this.table.foundDir;
    if ((e.tuple[dir].dst | 0) !== (v.dstAddr | 0)) return;
    pkt.ct = e;
    pkt.ctinfo = dir === 1 ? CtInfo.RELATED_REPLY : CtInfo.RELATED;
  }
}
