/**
 * What the REJECT target sends back, and what sending it does to the rejected packet's
 * connection (net/ipv4/netfilter/nf_reject_ipv4.c: nf_send_reset(), nf_send_unreach() and
 * through it __icmp_send() in net/ipv4/icmp.c); and the ICMP errors forwarding and
 * routing send (ip_forward(): time exceeded, fragmentation needed; ip_error(): net or host
 * unreachable, prohibited), built by the same __icmp_send().
 *
 * A RST the kernel sends moves the rejected packet's tracked TCP connection to CLOSE
 * (nf_ct_set_closing), whether or not the replay models the RST itself. With
 * `models.reject` (--reject-replies) or `models.forward` (--icmp-errors) the reply is
 * built as the kernel builds it and left in `bytes` for the replay to send through OUTPUT
 * and POSTROUTING once its packet is done, attached to that packet's connection
 * (nf_ct_attach: RELATED, the other way round). ICMP errors are
 * rate-limited as __icmp_send() limits them, by capture time: per destination host
 * (icmp_ratelimit, a token bucket of 6) and for the whole host (icmp_msgs_per_sec and
 * icmp_msgs_burst); the kernel takes 0, 1 or 2 global credits per error at random, drawn
 * here from the replay's seed.
 */
import { CtInfo, type ConnEntry } from '../conntrack/entry.js';
import type { Conntrack } from '../conntrack/tracker.js';
import { csumReplace16, get16, get32, put16, put32, rewriteTtl } from '../capture/rewrite.js';
import { dataViewOf } from '../decode/bytes.js';
import { fold16, pseudoHeaderSum, sum16 } from '../decode/checksum.js';
import { isLbcast, isMulticast, isZeronet } from '../netfilter/addr.js';
import { AddrType, type HostModel } from '../netfilter/host.js';
import { blankDecision } from '../netfilter/path-cache.js';
import { routeOwn, type PathDecision } from '../netfilter/path.js';
import type { RejectReply } from '../rules/ext/REJECT.js';
import type { PacketState } from './packet.js';
import { headerChecksum } from './reassembly.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_GRE = 47;
const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

const ICMP_DEST_UNREACH = 3;
const ICMP_FRAG_NEEDED = 4;
const NR_ICMP_TYPES = 18;
/** icmp_pointers[].error: the types __icmp_send() never answers with an error. */
const ICMP_ERROR_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]);
/** IPTOS_TOS_MASK and IPTOS_PREC_INTERNETCONTROL: an error's TOS (__icmp_send). */
const TOS_MASK = 0x1e;
const PREC_INTERNETCONTROL = 0xc0;
/** RFC 1812's 576 bytes, the most an ICMP error carries (__icmp_send's room). */
const ICMP_MAX = 576;
/** INADDR_DUMMY (192.0.0.8): the source of an error when the host has no address to give it. */
const INADDR_DUMMY = 0xc0000008;
/** XRLIM_BURST_FACTOR: a destination host's bucket holds six errors. */
const XRLIM_BURST_FACTOR = 6;
/**
 * ip_error()'s own charge on the same bucket, in ms (ip_rt_error_cost, ip_rt_error_burst:
 * HZ and 5 * HZ; a network namespace other than the first has no sysctl for them).
 */
const ROUTE_ERROR_COST_MS = 1000;
const ROUTE_ERROR_BURST_MS = 5000;
/** ip_error(): the ICMP code for why routing had no place for a packet (none for a blackhole). */
const ROUTE_ERROR_CODES: Readonly<Record<string, number>> = { 'no-route': 0, unreachable: 1, prohibit: 13 };

/** What the rejected packet's checksum check gave (nf_ip_checksum as the REJECT paths call it). */
const SUM_OK = 0;
const SUM_BAD = 1;
const SUM_UNKNOWN = 2;

export type ReplyKind = 'tcp-reset' | 'icmp-unreachable' | 'icmp-frag-needed' | 'icmp-time-exceeded';

const ICMP_TIME_EXCEEDED = 11;

/** Which of the host's replies the replay builds and sends. */
export interface ReplyModels {
  /** REJECT's (--reject-replies): without it only a RST's effect on conntrack is modelled. */
  reject: boolean;
  /** Forwarding's ICMP errors (--icmp-errors). */
  forward: boolean;
}

/** Where a reply goes and what it is: one object per replay, overwritten by every reply. */
export interface PendingReply {
  kind: ReplyKind;
  /** The reply's IPv4 datagram: bytes[0, length). */
  bytes: Uint8Array;
  length: number;
  /** The output route to the rejected packet's source (a local one loops back through lo). */
  route: PathDecision;
  /** nf_ct_attach(): the rejected packet's connection and what the reply is to it. */
  ct: ConnEntry | null;
  ctinfo: number;
  /** IP4_REPLY_MARK(): the rejected packet's mark with net.ipv4.fwmark_reflect, else 0. */
  mark: number;
}

interface Sink {
  note(event: string): void;
  random32(): number;
}

/** How long after its packet a reply may show in the capture (ns of capture time). */
const IN_CAPTURE_NS = 1e9;
/** Replies remembered for that at most. */
const IN_CAPTURE_MAX = 256;
/** The words a reply is known by in the capture (inCapture): 6 per reply, then its capture time. */
const KEY_WORDS = 6;

/** The destination's ICMP token bucket (struct inet_peer's rate_tokens and rate_last), in ms. */
interface PeerBucket {
  tokens: number;
  lastMs: number;
}

export class HostReplies {
  /** Set when the packet being replayed was answered; the replay sends it and clears this. */
  pending = false;
  readonly reply: PendingReply = {
    kind: 'tcp-reset',
    bytes: new Uint8Array(ICMP_MAX + 64),
    length: 0,
    route: blankDecision(),
    ct: null,
    ctinfo: CtInfo.NONE,
    mark: 0,
  };
  /** Replies built, by kind; replies the kernel would not send, by reason (the summary's). */
  readonly sent: Record<string, number> = {};
  readonly notSent: Record<string, number> = {};
  private readonly defaultTtl: number;
  private readonly peers = new Map<number, PeerBucket>();
  private readonly forwarding = new Map<string, boolean>();
  /** The peers' count at which idle ones are let go (peerAllow). */
  private peersSweepAt = 4096;
  /** Whether the request being worked out is one the replay sends (its skips are counted). */
  private recording = false;
  private globalCredit = 0;
  private globalStampMs = -Infinity;
  /**
   * The replies sent out of an interface lately, as a ring (keyOf): a capture taken on the
   * host holds them too, and they are not to be replayed a second time as its own packets.
   */
  private readonly sentKeys = new Float64Array(IN_CAPTURE_MAX * (KEY_WORDS + 1));
  private sentNext = 0;
  /** Replies in the ring not yet found in the capture (inCapture looks only when some are). */
  awaiting = 0;
  private readonly key = new Float64Array(KEY_WORDS);

  constructor(
    private readonly host: HostModel,
    private readonly models: ReplyModels,
    private readonly sink: Sink,
    private readonly conntrack: Conntrack | undefined,
  ) {
    this.defaultTtl = host.sysctl('net.ipv4.ip_default_ttl');
  }

  /**
   * reject_tg(): what the kernel sends for `pkt` at its current hook, and what that does.
   * Without models.reject only a RST's effect on conntrack is worked out (it depends on
   * the packet alone); the reply is noted as not modelled.
   */
  request(pkt: PacketState, reply: RejectReply): void {
    this.recording = this.models.reject;
    if (reply.kind === 'tcp-reset') this.reset(pkt);
    else if (this.models.reject) this.nfSendUnreach(pkt, reply.code);
    if (!this.models.reject) this.sink.note('reject.reply');
  }

  /** ip_forward(): a TTL of 1 or less; the packet goes no further. */
  timeExceeded(pkt: PacketState): void {
    this.recording = true;
    if (this.models.forward) this.icmpSend(pkt, ICMP_TIME_EXCEEDED, 0, 0);
    else this.sink.note('icmp.time_exceeded_sent');
  }

  /**
   * ip_error(): routing had no place for a received packet (`reason`, the path's: no
   * route, an unreachable or a prohibit route). Only an interface that forwards answers,
   * and only while the source's bucket holds a second (ip_rt_error_cost), which icmp_send
   * then charges again.
   */
  routeError(pkt: PacketState, reason: string): void {
    const code = ROUTE_ERROR_CODES[reason];
    if (code === undefined || !this.forwards(pkt.inIface)) return;
    this.recording = true;
    if (!this.models.forward) return this.sink.note('icmp.unreachable_sent');
    const nowMs = Math.floor(pkt.nowNs / 1e6);
    const p = this.peer(get32(pkt.data, pkt.view.l3Offset + 12), nowMs, this.host.sysctl('net.ipv4.icmp_ratelimit'));
    p.tokens = Math.min(p.tokens + nowMs - p.lastMs, ROUTE_ERROR_BURST_MS);
    p.lastMs = nowMs;
    if (p.tokens < ROUTE_ERROR_COST_MS) return this.skip('route-error-ratelimit');
    p.tokens -= ROUTE_ERROR_COST_MS;
    this.icmpSend(pkt, ICMP_DEST_UNREACH, code, 0);
  }

  /** net.ipv4.conf.DEV.forwarding, looked up once per interface. */
  private forwards(dev: string): boolean {
    let f = this.forwarding.get(dev);
    if (f === undefined) {
      f = dev !== '' && this.host.sysctl(`net.ipv4.conf.${dev}.forwarding`) !== 0;
      this.forwarding.set(dev, f);
    }
    return f;
  }

  /** ip_forward(): DF and longer than `mtu`, the route's; the error says that MTU. */
  fragNeeded(pkt: PacketState, mtu: number): void {
    this.recording = true;
    if (this.models.forward) this.icmpSend(pkt, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    else this.sink.note('icmp.frag_needed_sent');
  }

  private skip(reason: string): void {
    if (this.recording) this.notSent[reason] = (this.notSent[reason] ?? 0) + 1;
  }

  /**
   * The reply just sent left the host (out of an interface, not lo): remember it for
   * inCapture, as it was sent (`data` from `l3`, NAT applied).
   */
  sentOut(data: Uint8Array, l3: number, nowNs: number): void {
    if (!keyOf(data, l3, data.length, this.key)) return;
    const at = this.sentNext * (KEY_WORDS + 1);
    if (this.sentKeys[at + KEY_WORDS] === 0) this.awaiting++;
    this.sentKeys.set(this.key, at);
    this.sentKeys[at + KEY_WORDS] = nowNs + 1;
    this.sentNext = (this.sentNext + 1) % IN_CAPTURE_MAX;
  }

  /**
   * Whether a packet of the host's own in the capture is a reply the replay sent within the
   * last second (same addresses, protocol, ports, sequence and acknowledgement numbers, or
   * ICMP type, code and quoted header; not the TTL or an ICMP error's IP id): a capture
   * taken on the host shows the host's replies leaving.
   */
  inCapture(data: Uint8Array, l3: number, end: number, nowNs: number): boolean {
    if (!keyOf(data, l3, end, this.key)) return false;
    const k = this.key;
    for (let i = 0; i < IN_CAPTURE_MAX; i++) {
      const at = i * (KEY_WORDS + 1);
      const sent = this.sentKeys[at + KEY_WORDS]!;
      if (sent === 0) continue;
      if (nowNs - (sent - 1) > IN_CAPTURE_NS) {
        this.sentKeys[at + KEY_WORDS] = 0;
        this.awaiting--;
        continue;
      }
      let same = true;
      for (let w = 0; w < KEY_WORDS && same; w++) same = this.sentKeys[at + w] === k[w];
      if (!same) continue;
      this.sentKeys[at + KEY_WORDS] = 0;
      this.awaiting--;
      return true;
    }
    return false;
  }

  /** nf_send_reset(). */
  private reset(pkt: PacketState): void {
    const v = pkt.view;
    const d = pkt.data;
    const l3 = v.l3Offset;
    const l4 = l3 + v.ihl * 4;
    // nf_reject_ip_tcphdr_get(): the first fragment only, a whole TCP header, never a RST.
    if (v.fragOffset > 0) return this.skip('not-first-fragment');
    if (v.protocol !== IPPROTO_TCP || v.totalLength - v.ihl * 4 < 20) return this.skip('no-tcp-header');
    if (v.l4Captured < 20) {
      // What the kernel would do depends on bytes the capture does not have.
      this.sink.note('reject.reply_not_captured');
      return this.skip('not-captured');
    }
    const flags = d[l4 + 13]!;
    if (flags & TCP_RST) return this.skip('answers-a-rst');
    const sum = this.checksum(pkt);
    if (sum === SUM_BAD) return this.skip('bad-checksum');
    if (sum === SUM_UNKNOWN) this.sink.note('reject.checksum_not_captured');
    if (this.broadcastRoute(get32(d, l3 + 16))) return this.skip('broadcast-or-multicast');
    const src = get32(d, l3 + 12);
    // ip_route_me_harder(): the RST needs a route back to the packet's source.
    if (!routesOut(routeOwn(this.host, src, this.reply.route))) return this.skip('no-route-back');
    // nf_ct_set_closing() comes after the RST is built and routed, before it is sent.
    if (pkt.ct !== null) this.conntrack?.setClosing(pkt.ct, pkt.nowNs);
    if (!this.models.reject) return;
    this.count('tcp-reset');
    const b = this.reply.bytes;
    b.fill(0, 0, 40);
    b[0] = 0x45;
    put16(b, 2, 40);
    put16(b, 6, 0x4000); // DF, id 0 (nf_reject_iphdr_put)
    b[8] = this.defaultTtl;
    b[9] = IPPROTO_TCP;
    put32(b, 12, get32(d, l3 + 16));
    put32(b, 16, src);
    put16(b, 20, get16(d, l4 + 2));
    put16(b, 22, get16(d, l4));
    // nf_reject_ip_tcphdr_put(): acknowledge what an ACK-less segment occupied, else take its ack.
    if (flags & TCP_ACK) {
      put32(b, 24, get32(d, l4 + 8));
      b[33] = TCP_RST;
    } else {
      const payload = v.totalLength - v.ihl * 4 - (d[l4 + 12]! >>> 4) * 4;
      const used = (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0);
      put32(b, 28, (get32(d, l4 + 4) + used + payload) >>> 0);
      b[33] = TCP_RST | TCP_ACK;
    }
    b[32] = 5 << 4;
    put16(b, 10, headerChecksum(b, 0, 20));
    put16(b, 36, l4Checksum(b, 20, 20, IPPROTO_TCP));
    this.attach(pkt, 'tcp-reset', 40);
  }

  /** nf_send_unreach(): the first fragment only, with a good checksum, then __icmp_send(). */
  private nfSendUnreach(pkt: PacketState, code: number): void {
    if (pkt.view.fragOffset > 0) return this.skip('not-first-fragment');
    const sum = this.checksum(pkt);
    if (sum === SUM_BAD) return this.skip('bad-checksum');
    if (sum === SUM_UNKNOWN) this.sink.note('reject.checksum_not_captured');
    this.icmpSend(pkt, ICMP_DEST_UNREACH, code, 0);
  }

  /** __icmp_send(skb, type, code, info): an ICMP error about `pkt` to its source. */
  private icmpSend(pkt: PacketState, type: number, code: number, info: number): void {
    const v = pkt.view;
    const d = pkt.data;
    const l3 = v.l3Offset;
    if (v.fragOffset > 0) return this.skip('not-first-fragment');
    // No answer to a link-layer broadcast or multicast, to an IP broadcast
    // or multicast, or to an ICMP error (an unknown ICMP type counts as one).
    if (pkt.pktType !== 0) return this.skip('broadcast-or-multicast');
    const dst = get32(d, l3 + 16);
    if (this.broadcastRoute(dst)) return this.skip('broadcast-or-multicast');
    if (v.protocol === IPPROTO_ICMP) {
      if (v.l4Captured < 1) {
        this.sink.note('reject.reply_not_captured');
        return this.skip('not-captured');
      }
      const type = d[l3 + v.ihl * 4]!;
      if (type > NR_ICMP_TYPES || ICMP_ERROR_TYPES.has(type)) return this.skip('answers-an-icmp-error');
    }
    const nowMs = Math.floor(pkt.nowNs / 1e6);
    const limited = this.rateLimited(type, code);
    // The host-wide limit is not applied to a packet that came in on lo.
    if (limited && pkt.inIface !== 'lo' && !this.globalAllow(nowMs)) return this.skip('icmp-ratelimit-global');
    const applyPeerLimit = limited && pkt.inIface !== 'lo';
    const src = get32(d, l3 + 12);
    const route = this.reply.route;
    if (!routesOut(routeOwn(this.host, src, route))) return this.skip('no-route-back');
    if (applyPeerLimit) {
      if (route.outIface !== 'lo' && !this.peerAllow(src, nowMs)) return this.skip('icmp-ratelimit-host');
      this.globalConsume();
    }
    const mtu = route.outIface === 'lo' ? 65536 : (this.host.interfaceByName(route.outIface)?.mtu ?? 1500);
    const room = Math.min(mtu, ICMP_MAX) - 20 - 8;
    if (room <= 20) return this.skip('mtu-too-small');
    if (v.ipOptionsLength > 0) this.sink.note('reject.icmp_options_not_echoed');
    const kind: ReplyKind = type === ICMP_TIME_EXCEEDED ? 'icmp-time-exceeded' : code === ICMP_FRAG_NEEDED ? 'icmp-frag-needed' : 'icmp-unreachable';
    this.count(kind);
    this.buildIcmp(pkt, kind, type, code, info, room, this.sourceFor(pkt, dst, src, route));
  }

  private buildIcmp(pkt: PacketState, kind: ReplyKind, type: number, code: number, info: number, room: number, saddr: number): void {
    const v = pkt.view;
    const d = pkt.data;
    const l3 = v.l3Offset;
    const b = this.reply.bytes;
    const quote = Math.min(pkt.length, room);
    // The packet as it is now (NAT rewrote its bytes; TTL and TOS changes are kept aside),
    // as far as the capture has it.
    const captured = !v.truncated ? v.totalLength : v.l4Captured >= 0 ? v.ihl * 4 + v.l4Captured : d.length - l3;
    const have = Math.max(0, Math.min(quote, captured, d.length - l3));
    b.set(d.subarray(l3, l3 + have), 28);
    if (have < quote) {
      b.fill(0, 28 + have, 28 + quote);
      this.sink.note('reject.icmp_quote_not_captured');
    }
    if (pkt.ttl !== b[28 + 8]) rewriteTtl(b, 28, 28 + quote, pkt.ttl);
    if (pkt.tos !== b[28 + 1]) {
      put16(b, 28 + 10, csumReplace16(get16(b, 28 + 10), get16(b, 28), (b[28]! << 8) | pkt.tos));
      b[28 + 1] = pkt.tos;
    }
    if (pkt.tcpMss >= 0 && pkt.tcpMss !== v.tcpMss) this.sink.note('reject.icmp_quote_mss_not_rewritten');
    b.fill(0, 0, 28);
    b[0] = 0x45;
    b[1] = (pkt.tos & TOS_MASK) | PREC_INTERNETCONTROL;
    put16(b, 2, 28 + quote);
    // The ICMP socket does not set DF, so the kernel picks an id (ip_select_ident); one from the seed here.
    put16(b, 4, this.sink.random32() & 0xffff);
    b[8] = this.defaultTtl;
    b[9] = IPPROTO_ICMP;
    put32(b, 12, saddr);
    put32(b, 16, get32(d, l3 + 12));
    b[20] = type;
    b[21] = code;
    put32(b, 24, info);
    put16(b, 22, l4Checksum(b, 20, 8 + quote, IPPROTO_ICMP));
    put16(b, 10, headerChecksum(b, 0, 20));
    this.attach(pkt, kind, 28 + quote);
  }

  /**
   * The error's source: the address the packet was sent to when it was for this host,
   * else the one routing picks towards its source (icmp_errors_use_inbound_ifaddr: the
   * arrival interface's), else INADDR_DUMMY.
   */
  private sourceFor(pkt: PacketState, dst: number, src: number, route: PathDecision): number {
    if (this.host.addressType(dst) === AddrType.LOCAL) return dst;
    const select = this.host.selectSourceAddress?.bind(this.host);
    let saddr = 0;
    if (pkt.hook !== 'OUTPUT' && pkt.inIface !== '' && this.host.sysctl('net.ipv4.icmp_errors_use_inbound_ifaddr') !== 0) {
      saddr = select?.(pkt.inIface, src) ?? 0;
    }
    if (saddr === 0) saddr = route.deliver === 'input' ? src : (select?.(route.outIface, src) ?? 0);
    return saddr === 0 ? INADDR_DUMMY : saddr;
  }

  private count(kind: ReplyKind): void {
    this.sent[kind] = (this.sent[kind] ?? 0) + 1;
  }

  /** nf_ct_attach(): the reply belongs to the rejected packet's connection, the other way. */
  private attach(pkt: PacketState, kind: ReplyKind, length: number): void {
    const r = this.reply;
    r.kind = kind;
    r.length = length;
    r.ct = pkt.ct;
    r.mark = this.host.sysctl('net.ipv4.fwmark_reflect') !== 0 ? pkt.mark : 0;
    r.ctinfo = pkt.ct === null ? CtInfo.NONE : pkt.ctinfo >= CtInfo.IS_REPLY ? CtInfo.RELATED : CtInfo.RELATED_REPLY;
    this.pending = true;
  }

  /** The packet's route was a broadcast or multicast one (RTCF_BROADCAST, RTCF_MULTICAST). */
  private broadcastRoute(dst: number): boolean {
    return isMulticast(dst) || isLbcast(dst) || isZeronet(dst) || this.host.addressType(dst) === AddrType.BROADCAST;
  }

  /**
   * nf_ip_checksum() as nf_reject_ip_tcphdr_get() and nf_send_unreach() call it, in
   * software, as for a NIC that does not verify checksums: over the datagram's layer-4
   * bytes as this packet has them (a fragment alone checks against its own length). The
   * host's own packets are taken as good: their checksum is left to the NIC
   * (CHECKSUM_PARTIAL), which nf_ip_checksum does not check.
   */
  private checksum(pkt: PacketState): number {
    if (pkt.hook === 'OUTPUT') return SUM_OK;
    const v = pkt.view;
    const d = pkt.data;
    const l4 = v.l3Offset + v.ihl * 4;
    const length = v.totalLength - v.ihl * 4;
    switch (v.protocol) {
      // nf_reject_verify_csum(): protocols without a one's complement sum over the whole payload.
      case IPPROTO_AH:
      case IPPROTO_ESP:
      case IPPROTO_SCTP:
      case IPPROTO_UDPLITE:
      case IPPROTO_DCCP:
        return SUM_OK;
      case IPPROTO_UDP:
        if (v.l4Captured < 8) return SUM_UNKNOWN;
        if (get16(d, l4 + 6) === 0) return SUM_OK;
        break;
      case IPPROTO_GRE:
        if (v.l4Captured < 1) return SUM_UNKNOWN;
        if (!(d[l4]! & 0x80)) return SUM_OK;
        break;
    }
    if (v.l4Captured < length || l4 + length > d.length) return SUM_UNKNOWN;
    const tcpOrUdp = v.protocol === IPPROTO_TCP || v.protocol === IPPROTO_UDP;
    const s = get32(d, v.l3Offset + 12);
    const t = get32(d, v.l3Offset + 16);
    const pseudo = tcpOrUdp ? pseudoHeaderSum(s, t, v.protocol, length) : 0;
    return fold16(sum16(dataViewOf(d), l4, length, pseudo)) === 0xffff ? SUM_OK : SUM_BAD;
  }

  /** icmpv4_mask_allow() false: the type is in icmp_ratemask (PMTU discovery never is). */
  private rateLimited(type: number, code: number): boolean {
    if (type > NR_ICMP_TYPES) return false;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) return false;
    return ((1 << type) & this.host.sysctl('net.ipv4.icmp_ratemask')) !== 0;
  }

  /** icmp_global_allow(): the host-wide bucket, refilled at most every 20 ms. */
  private globalAllow(nowMs: number): boolean {
    if (this.globalCredit > 0) return true;
    const delta = Math.min(nowMs - this.globalStampMs, 1000);
    if (delta < 20) return false;
    const incr = Math.floor((this.host.sysctl('net.ipv4.icmp_msgs_per_sec') * delta) / 1000);
    if (incr === 0) return false;
    this.globalStampMs = nowMs;
    this.globalCredit = Math.min(this.globalCredit + incr, this.host.sysctl('net.ipv4.icmp_msgs_burst'));
    return true;
  }

  /** icmp_global_consume(): 0, 1 or 2 credits at random (the credit may go below 0). */
  private globalConsume(): void {
    this.globalCredit -= (this.sink.random32() >>> 0) % 3;
  }

  /** inet_getpeer_v4(): the host's bucket for `addr`, a new one as if idle for a minute. */
  private peer(addr: number, nowMs: number, timeout: number): PeerBucket {
    let p = this.peers.get(addr);
    if (p === undefined) {
      if (this.peers.size >= this.peersSweepAt) this.sweepPeers(nowMs, timeout);
      p = { tokens: 0, lastMs: nowMs - 60_000 };
      this.peers.set(addr, p);
    }
    return p;
  }

  /** inet_peer_xrlim_allow() for the error's destination; a new peer starts with a full bucket. */
  private peerAllow(dst: number, nowMs: number): boolean {
    const timeout = this.host.sysctl('net.ipv4.icmp_ratelimit');
    const p = this.peer(dst, nowMs, timeout);
    let token = p.tokens;
    const delta = nowMs - p.lastMs;
    if (delta > 0) {
      p.lastMs = nowMs;
      token = Math.min(token + delta, XRLIM_BURST_FACTOR * timeout);
    }
    let allow = false;
    if (token >= timeout) {
      token -= timeout;
      allow = true;
    }
    p.tokens = token;
    return allow;
  }

  /**
   * Forgets the addresses idle long enough to have a full bucket again (for icmp_send's
   * limit and ip_error's), which a new one starts with (the kernel's inet_peer garbage
   * collection does it by age too): the map stays as large as the addresses of the last
   * few seconds, not of the capture.
   */
  private sweepPeers(nowMs: number, timeout: number): void {
    const idle = Math.max(XRLIM_BURST_FACTOR * timeout, ROUTE_ERROR_BURST_MS);
    for (const [dst, p] of this.peers) if (nowMs - p.lastMs >= idle) this.peers.delete(dst);
    this.peersSweepAt = Math.max(4096, 2 * this.peers.size);
  }
}

/**
 * What a reply is known by in a capture, into `k`: addresses and protocol, then for TCP the
 * ports, sequence and acknowledgement numbers and flags, for ICMP the type and code and the
 * quoted header's addresses, protocol and id. False for anything else or too short.
 */
function keyOf(d: Uint8Array, l3: number, end: number, k: Float64Array): boolean {
  if (end - l3 < 20) return false;
  const protocol = d[l3 + 9]!;
  const l4 = l3 + (d[l3]! & 0x0f) * 4;
  k[0] = get32(d, l3 + 12);
  k[1] = get32(d, l3 + 16);
  if (protocol === IPPROTO_TCP) {
    if (end - l4 < 14) return false;
    k[2] = get32(d, l4) + 0x100000000 * IPPROTO_TCP;
    k[3] = get32(d, l4 + 4);
    k[4] = get32(d, l4 + 8);
    k[5] = d[l4 + 13]!;
    return true;
  }
  if (protocol === IPPROTO_ICMP) {
    if (end - l4 < 28) return false;
    k[2] = get16(d, l4) + 0x100000000 * IPPROTO_ICMP;
    k[3] = get32(d, l4 + 8 + 12);
    k[4] = get32(d, l4 + 8 + 16);
    k[5] = get16(d, l4 + 8 + 4) * 256 + d[l4 + 8 + 9]!;
    return true;
  }
  return false;
}

/** The checksum of `length` layer-4 bytes at `at` (their checksum field zero); TCP adds the pseudo-header of the header before them. */
function l4Checksum(b: Uint8Array, at: number, length: number, protocol: number): number {
  let pseudo = 0;
  if (protocol === IPPROTO_TCP) {
    pseudo = pseudoHeaderSum(get32(b, 12), get32(b, 16), protocol, length);
  }
  return ~fold16(sum16(dataViewOf(b), at, length, pseudo)) & 0xffff;
}

/** Whether the route found for a reply takes it anywhere (out of an interface, or back in through lo). */
function routesOut(d: PathDecision): boolean {
  return d.deliver === 'output' || d.deliver === 'input';
}
