/**
 * The decoded packet: one object, allocated once by the caller and overwritten for every
 * packet (gopacket's DecodingLayerParser style). Numbers and booleans only, so decoding
 * allocates nothing: addresses are uint32, MACs 48-bit integers, and the bytes themselves
 * stay in the capture buffer, located by absolute offsets into `PacketRecord.data`.
 * A field that the packet does not have (no VLAN tag, no layer-4 header) holds -1.
 */
import type { DecodeEvents } from './events.js';

/** What the engine can do with the packet. */
export const DecodeResult = {
  /** An IPv4 packet the kernel would accept into PREROUTING: replay it. */
  IPV4: 0,
  /** Not IPv4 (ARP, IPv6, another link type or ethertype): counted and skipped. */
  SKIPPED: 1,
  /** Broken on the wire: the kernel drops it before PREROUTING. */
  MALFORMED: 2,
  /** The snaplen cut the packet before the end of its IPv4 header: nothing to replay. */
  TRUNCATED: 3,
} as const;
export type DecodeResult = (typeof DecodeResult)[keyof typeof DecodeResult];

/** How much of the layer-4 header (TCP, UDP, ICMP) was decoded. */
export const L4State = {
  /** No layer-4 header: a later fragment, another protocol, or not an IPv4 packet. */
  NONE: 0,
  /** The whole header (TCP options included) is decoded. */
  OK: 1,
  /**
   * Only part of the header is in the capture (snaplen) or in this first fragment:
   * ports are valid when `l4Captured >= 4`, the other fixed fields when the fixed header
   * (TCP 20, UDP 8, ICMP 8 bytes) was captured.
   */
  PARTIAL: 2,
  /** Broken on the wire (too short for the header, bad TCP data offset, bad UDP length). */
  MALFORMED: 3,
} as const;
export type L4State = (typeof L4State)[keyof typeof L4State];

/** `tcpFlags` bits, as in byte 13 of the TCP header. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export class PacketView {
  result: DecodeResult = DecodeResult.IPV4;
  /** The first event counted for this packet (the one that decided a non-IPV4 result), or -1. */
  event = -1;
  /** Bytes the packet counts for: the IPv4 total length, or the length on the wire when not IPv4. */
  length = 0;
  /** The snaplen cut the packet: fewer bytes captured than its IPv4 total length (or length on the wire). */
  truncated = false;

  // Link layer.
  /** 0 unknown, 1 inbound, 2 outbound: the record's (pcapng epb_flags) or else from the SLL packet type. */
  direction: 0 | 1 | 2 = 0;
  /** SLL2 interface index. */
  ifindex = -1;
  /** SLL/SLL2 packet type (PACKET_HOST 0 … PACKET_OUTGOING 4). */
  pktType = -1;
  /** SLL/SLL2 ARPHRD_* device type. */
  arphrd = -1;
  dstMac = -1;
  /** Ethernet source, or the SLL/SLL2 link-layer address when it is 6 bytes long. */
  srcMac = -1;
  /** Number of VLAN tags (any depth); the outer two are decoded below. */
  vlanCount = 0;
  vlanOuterTpid = -1;
  vlanOuterId = -1;
  vlanOuterPcp = -1;
  vlanOuterDei = -1;
  vlanInnerTpid = -1;
  vlanInnerId = -1;
  vlanInnerPcp = -1;
  vlanInnerDei = -1;
  /** Ethertype of the network layer (after VLAN tags; 0x0800/0x86dd for raw and NULL captures). */
  ethertype = -1;
  l3Offset = -1;

  // IPv4.
  ipVersion = -1;
  /** Header length in 32-bit words, as on the wire. */
  ihl = -1;
  tos = -1;
  dscp = -1;
  ecn = -1;
  totalLength = -1;
  ipId = -1;
  /** The reserved ("evil") flag bit. */
  rf = false;
  df = false;
  mf = false;
  /** Fragment offset in bytes: the 13-bit field times 8 (xt_action_param.fragoff keeps 8-byte units). */
  fragOffset = -1;
  ttl = -1;
  protocol = -1;
  /** The header checksum field as on the wire. */
  ipChecksum = -1;
  ipChecksumOk = false;
  srcAddr = -1;
  dstAddr = -1;
  /** Bytes of IPv4 options (IHL * 4 - 20); options are present when > 0. */
  ipOptionsLength = -1;

  // Layer 4 (TCP, UDP, ICMP).
  l4State: L4State = L4State.NONE;
  l4Offset = -1;
  /** Layer-4 length on the wire: IPv4 total length minus the IPv4 header. */
  l4Length = -1;
  /** Layer-4 bytes present in the capture (at most `l4Length`). */
  l4Captured = -1;
  /** The TCP, UDP or ICMP checksum field as on the wire. */
  l4Checksum = -1;
  /** Result of `l4ChecksumStatus()`, cached (-1 until computed). */
  l4ChecksumStatus = -1;
  srcPort = -1;
  dstPort = -1;
  payloadOffset = -1;
  /** Payload bytes on the wire after the layer-4 header. */
  payloadLength = -1;
  tcpSeq = -1;
  tcpAck = -1;
  /** Header length in 32-bit words, as on the wire. */
  tcpDataOffset = -1;
  /** CWR ECE URG ACK PSH RST SYN FIN (byte 13); see `TcpFlag`. */
  tcpFlags = -1;
  tcpWindow = -1;
  tcpUrgent = -1;
  /** MSS option value, or -1 when the (captured) options carry none. */
  tcpMss = -1;
  /** Offset of the MSS option's kind byte in the capture buffer (the value is at +2). */
  tcpMssOffset = -1;
  udpLength = -1;
  icmpType = -1;
  icmpCode = -1;
  /** Bytes 4-7 of the ICMP header (gateway, next-hop MTU, pointer, or id and sequence). */
  icmpRest = -1;
  /** Echo, timestamp, information and address-mask messages: identifier and sequence. */
  icmpId = -1;
  icmpSeq = -1;

  // The packet quoted by an ICMP error (types 3, 4, 5, 11, 12).
  innerState: L4State = L4State.NONE;
  innerOffset = -1;
  innerVersion = -1;
  innerIhl = -1;
  innerTotalLength = -1;
  innerId = -1;
  innerMf = false;
  innerFragOffset = -1;
  innerTtl = -1;
  innerProtocol = -1;
  innerSrcAddr = -1;
  innerDstAddr = -1;
  innerL4Offset = -1;
  /** Bytes of the quoted layer-4 header present in the capture. */
  innerL4Captured = -1;
  innerSrcPort = -1;
  innerDstPort = -1;
  innerTcpSeq = -1;
  innerIcmpType = -1;
  innerIcmpCode = -1;
  innerIcmpId = -1;
  innerIcmpSeq = -1;

  /** Back to "nothing decoded"; `decode()` calls it first. */
  reset(): void {
    this.result = DecodeResult.IPV4;
    this.event = -1;
    this.length = 0;
    this.truncated = false;
    this.direction = 0;
    this.ifindex = -1;
    this.pktType = -1;
    this.arphrd = -1;
    this.dstMac = -1;
    this.srcMac = -1;
    this.vlanCount = 0;
    this.vlanOuterTpid = -1;
    this.vlanOuterId = -1;
    this.vlanOuterPcp = -1;
    this.vlanOuterDei = -1;
    this.vlanInnerTpid = -1;
    this.vlanInnerId = -1;
    this.vlanInnerPcp = -1;
    this.vlanInnerDei = -1;
    this.ethertype = -1;
    this.l3Offset = -1;
    this.ipVersion = -1;
    this.ihl = -1;
    this.tos = -1;
    this.dscp = -1;
    this.ecn = -1;
    this.totalLength = -1;
    this.ipId = -1;
    this.rf = false;
    this.df = false;
    this.mf = false;
    this.fragOffset = -1;
    this.ttl = -1;
    this.protocol = -1;
    this.ipChecksum = -1;
    this.ipChecksumOk = false;
    this.srcAddr = -1;
    this.dstAddr = -1;
    this.ipOptionsLength = -1;
    this.l4State = L4State.NONE;
    this.l4Offset = -1;
    this.l4Length = -1;
    this.l4Captured = -1;
    this.l4Checksum = -1;
    this.l4ChecksumStatus = -1;
    this.srcPort = -1;
    this.dstPort = -1;
    this.payloadOffset = -1;
    this.payloadLength = -1;
    this.tcpSeq = -1;
    this.tcpAck = -1;
    this.tcpDataOffset = -1;
    this.tcpFlags = -1;
    this.tcpWindow = -1;
    this.tcpUrgent = -1;
    this.tcpMss = -1;
    this.tcpMssOffset = -1;
    this.udpLength = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpRest = -1;
    this.icmpId = -1;
    this.icmpSeq = -1;
    this.innerState = L4State.NONE;
    this.innerOffset = -1;
    this.innerVersion = -1;
    this.innerIhl = -1;
    this.innerTotalLength = -1;
    this.innerId = -1;
    this.innerMf = false;
    this.innerFragOffset = -1;
    this.innerTtl = -1;
    this.innerProtocol = -1;
    this.innerSrcAddr = -1;
    this.innerDstAddr = -1;
    this.innerL4Offset = -1;
    this.innerL4Captured = -1;
    this.innerSrcPort = -1;
    this.innerDstPort = -1;
    this.innerTcpSeq = -1;
    this.innerIcmpType = -1;
    this.innerIcmpCode = -1;
    this.innerIcmpId = -1;
    this.innerIcmpSeq = -1;
  }
}

/** Counts `id` for this packet and remembers it as the packet's first event. */
export function note(view: PacketView, events: DecodeEvents, id: number): void {
  events.count(id);
  if (view.event < 0) view.event = id;
}

/**
 * The fixed part of a layer-4 header (TCP 20, UDP 8, ICMP 8 bytes): shorter on the wire
 * is malformed (except in a first fragment, which may end early), shorter in the capture
 * is partial. Returns true when the whole fixed header is there to decode.
 */
export function fixedHeaderPresent(
  view: PacketView,
  events: DecodeEvents,
  captured: number,
  length: number,
  fragment: boolean,
  size: number,
  tooShort: number,
  truncated: number,
): boolean {
  if (length < size && !fragment) {
    view.l4State = L4State.MALFORMED;
    note(view, events, tooShort);
    return false;
  }
  if (captured < size) {
    view.l4State = L4State.PARTIAL;
    if (captured < length) note(view, events, truncated);
    return false;
  }
  return true;
}

/** Counts the event that ends decoding and returns the packet's result. */
export function stop(view: PacketView, events: DecodeEvents, id: number, result: DecodeResult): DecodeResult {
  note(view, events, id);
  return result;
}
