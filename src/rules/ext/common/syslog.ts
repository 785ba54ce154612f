/**
 * The kernel log line of the LOG target for an IPv4 packet, as nf_log_ip_packet
 * (net/netfilter/nf_log_syslog.c) writes it: "PREFIX" "IN=… OUT=… ", the link header
 * (dump_mac_header) when the packet came in on a device, then dump_ipv4_packet — every
 * field followed by a space, so the line ends in one, as printk gets it. The level goes
 * with the line separately (the kernel's KERN_SOH prefix).
 *
 * What a capture cannot tell is reported through the runtime's notes rather than guessed
 * silently: the UID of a local socket (--log-uid), header bytes the snaplen cut (the line
 * is then written as if the packet ended there), a destination MAC a cooked capture
 * does not carry.
 */
import type { PacketState } from '../../../engine/packet.js';
import type { ReplayRuntime } from '../../../engine/runtime.js';
import { Header, header, u16At, u32At, u8At } from './header.js';

/** NF_LOG_* bits of the LOG target's flags. */
export const NF_LOG = {
  TCPSEQ: 0x01,
  TCPOPT: 0x02,
  IPOPT: 0x04,
  UID: 0x08,
  MACDECODE: 0x20,
} as const;

const ARPHRD_ETHER = 1;
const PACKET_BROADCAST = 1;
const PACKET_MULTICAST = 2;

/** nf_log_dump_packet's ICMP required_len: bytes a message of the type needs after its IP header. */
const ICMP_REQUIRED: Readonly<Record<number, number>> = {
  0: 4,
  3: 28,
  4: 28,
  5: 28,
  8: 4,
  11: 28,
  12: 28,
  13: 20,
  14: 20,
  17: 12,
  18: 12,
};
const NR_ICMP_TYPES = 18;

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

function HEX2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

function ipText(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** %pM: six lower-case hex pairs joined by ':'. */
export function macText(mac: number): string {
  let out = '';
  for (let i = 5; i >= 0; i--) out += (i < 5 ? ':' : '') + hex2(Math.floor(mac / 2 ** (8 * i)) & 0xff);
  return out;
}

/**
 * skb_header_pointer for the log: the bytes a line needs. Bytes the snaplen cut are
 * treated as missing (the kernel had them), with a note.
 */
function have(pkt: PacketState, rt: ReplayRuntime, offset: number, len: number): boolean {
  const h = header(pkt.view, offset, len);
  if (h === Header.CUT) rt.note('log.capture_cut');
  return h === Header.OK;
}

/**
 * The destination of the frame as it arrived. A cooked (SLL) capture has only the
 * source; for the destination, what the kernel's packet type implies: the device's own
 * address, the broadcast address, or the IPv4 multicast group's MAC.
 */
function frameDestination(pkt: PacketState, rt: ReplayRuntime): number {
  const v = pkt.view;
  if (v.dstMac >= 0) return v.dstMac;
  if (pkt.pktType === PACKET_BROADCAST) return 0xffffffffffff;
  if (pkt.pktType === PACKET_MULTICAST) return 0x01005e000000 + (v.dstAddr & 0x7fffff);
  const dev = rt.host.interfaceByName(pkt.inIface);
  if (dev !== undefined && dev.mac >= 0) return dev.mac;
  rt.note('log.mac_unknown');
  return 0;
}

/**
 * dump_mac_header. "MAC=" and the 14 bytes of the Ethernet header (destination, source,
 * the IPv4 ethertype: a VLAN tag is gone once a VLAN device took the frame); with
 * --log-macdecode on an Ethernet device the fields by name instead. A capture without a
 * link header is taken as a device without one (tun, WireGuard): "MAC= ".
 */
function macHeader(pkt: PacketState, flags: number, rt: ReplayRuntime): string {
  const v = pkt.view;
  const ether = v.srcMac >= 0 && (v.arphrd < 0 || v.arphrd === ARPHRD_ETHER) && pkt.inIface !== 'lo';
  if (v.srcMac < 0) {
    const dev = rt.host.interfaceByName(pkt.inIface);
    if (dev !== undefined && dev.mac >= 0) rt.note('log.mac_unknown');
    return 'MAC= ';
  }
  const dst = frameDestination(pkt, rt);
  if (flags & NF_LOG.MACDECODE && ether) {
    return `MACSRC=${macText(v.srcMac)} MACDST=${macText(dst)} MACPROTO=${hex2(v.ethertype >> 8)}${hex2(v.ethertype & 0xff)} `;
  }
  return `MAC=${macText(dst)}:${macText(v.srcMac)}:${hex2(v.ethertype >> 8)}:${hex2(v.ethertype & 0xff)} `;
}

/** `len` bytes from `offset` as upper-case hex pairs (the OPT (...) dumps). */
function hexDump(pkt: PacketState, offset: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) out += HEX2(u8At(pkt, offset + i));
  return out;
}

/** nf_log_dump_tcp_header; false when the line ends here ("INCOMPLETE", "OPT (TRUNCATED)"). */
function tcpHeader(pkt: PacketState, rt: ReplayRuntime, off: number, fragment: boolean, flags: number, out: string[]): boolean {
  out.push('PROTO=TCP ');
  if (fragment) return true;
  if (!have(pkt, rt, off, 20)) {
    out.push(`INCOMPLETE [${pkt.view.totalLength - off} bytes] `);
    return false;
  }
  out.push(`SPT=${u16At(pkt, off)} DPT=${u16At(pkt, off + 2)} `);
  if (flags & NF_LOG.TCPSEQ) out.push(`SEQ=${u32At(pkt, off + 4)} ACK=${u32At(pkt, off + 8)} `);
  out.push(`WINDOW=${u16At(pkt, off + 14)} `);
  const b12 = u8At(pkt, off + 12);
  const b13 = u8At(pkt, off + 13);
  // TCP_RESERVED_BITS are the three bits between the data offset and AE, shifted as
  // the kernel shifts the flag word (>> 22).
  out.push(`RES=0x${hex2((b12 & 0x0e) << 2)} `);
  if (b12 & 0x01) out.push('AE ');
  if (b13 & 0x80) out.push('CWR ');
  if (b13 & 0x40) out.push('ECE ');
  if (b13 & 0x20) out.push('URG ');
  if (b13 & 0x10) out.push('ACK ');
  if (b13 & 0x08) out.push('PSH ');
  if (b13 & 0x04) out.push('RST ');
  if (b13 & 0x02) out.push('SYN ');
  if (b13 & 0x01) out.push('FIN ');
  out.push(`URGP=${u16At(pkt, off + 18)} `);
  const hlen = (b12 >> 4) * 4;
  if (flags & NF_LOG.TCPOPT && hlen > 20) {
    if (!have(pkt, rt, off + 20, hlen - 20)) {
      out.push('OPT (TRUNCATED)');
      return false;
    }
    out.push(`OPT (${hexDump(pkt, off + 20, hlen - 20)}) `);
  }
  return true;
}

/** nf_log_dump_udp_header */
function udpHeader(pkt: PacketState, rt: ReplayRuntime, proto: number, off: number, fragment: boolean, out: string[]): boolean {
  out.push(proto === 17 ? 'PROTO=UDP ' : 'PROTO=UDPLITE ');
  if (fragment) return true;
  if (!have(pkt, rt, off, 8)) {
    out.push(`INCOMPLETE [${pkt.view.totalLength - off} bytes] `);
    return false;
  }
  out.push(`SPT=${u16At(pkt, off)} DPT=${u16At(pkt, off + 2)} LEN=${u16At(pkt, off + 4)} `);
  return true;
}

/** dump_ipv4_packet for the header at `iphoff` (0, or inside an ICMP error: one level deep). */
function ipv4Packet(pkt: PacketState, rt: ReplayRuntime, flags: number, iphoff: number, out: string[]): void {
  const total = pkt.view.totalLength;
  if (!have(pkt, rt, iphoff, 20)) {
    out.push('TRUNCATED');
    return;
  }
  const outer = iphoff === 0;
  const ihl = (u8At(pkt, iphoff) & 0x0f) * 4;
  // The packet's own TTL and TOS as they are now, which routing (ip_forward's decrement)
  // may have changed since the capture; the quoted packet's from its bytes.
  const tos = outer ? pkt.tos : u8At(pkt, iphoff + 1);
  const ttl = outer ? pkt.ttl : u8At(pkt, iphoff + 8);
  const frag = u16At(pkt, iphoff + 6);
  const proto = u8At(pkt, iphoff + 9);
  // Its length too (TCPMSS may have grown it).
  const len = outer ? pkt.length : u16At(pkt, iphoff + 2);
  out.push(`SRC=${ipText(u32At(pkt, iphoff + 12))} DST=${ipText(u32At(pkt, iphoff + 16))} `);
  out.push(`LEN=${len} TOS=0x${HEX2(tos & 0x1e)} PREC=0x${HEX2(tos & 0xe0)} TTL=${ttl} ID=${u16At(pkt, iphoff + 4)} `);
  if (frag & 0x8000) out.push('CE ');
  if (frag & 0x4000) out.push('DF ');
  if (frag & 0x2000) out.push('MF ');
  const offset = frag & 0x1fff;
  if (offset) out.push(`FRAG:${offset} `);
  if (flags & NF_LOG.IPOPT && ihl > 20) {
    if (!have(pkt, rt, iphoff + 20, ihl - 20)) {
      out.push('TRUNCATED');
      return;
    }
    out.push(`OPT (${hexDump(pkt, iphoff + 20, ihl - 20)}) `);
  }
  const l4 = iphoff + ihl;
  switch (proto) {
    case 6:
      if (!tcpHeader(pkt, rt, l4, offset !== 0, flags, out)) return;
      break;
    case 17:
    case 136:
      if (!udpHeader(pkt, rt, proto, l4, offset !== 0, out)) return;
      break;
    case 1: {
      out.push('PROTO=ICMP ');
      if (offset) break;
      if (!have(pkt, rt, l4, 8)) {
        out.push(`INCOMPLETE [${total - l4} bytes] `);
        break;
      }
      const type = u8At(pkt, l4);
      const code = u8At(pkt, l4 + 1);
      out.push(`TYPE=${type} CODE=${code} `);
      const required = type <= NR_ICMP_TYPES ? ICMP_REQUIRED[type] : undefined;
      if (required !== undefined && total - l4 < required) {
        out.push(`INCOMPLETE [${total - l4} bytes] `);
        break;
      }
      if (type === 0 || type === 8) {
        out.push(`ID=${u16At(pkt, l4 + 4)} SEQ=${u16At(pkt, l4 + 6)} `);
      } else if (type === 12) {
        out.push(`PARAMETER=${u8At(pkt, l4 + 4)} `);
      } else if (type === 3 || type === 4 || type === 5 || type === 11) {
        // A redirect names its gateway, then quotes the packet like the other errors.
        if (type === 5) out.push(`GATEWAY=${ipText(u32At(pkt, l4 + 4))} `);
        if (outer) {
          out.push('[');
          ipv4Packet(pkt, rt, flags, l4 + 8, out);
          out.push('] ');
        }
        if (type === 3 && code === 4) out.push(`MTU=${u16At(pkt, l4 + 6)} `);
      }
      break;
    }
    case 51:
      // AH: nothing at all for a later fragment, not even the protocol.
      if (offset) break;
      out.push('PROTO=AH ');
      if (!have(pkt, rt, l4, 12)) {
        out.push(`INCOMPLETE [${total - l4} bytes] `);
        break;
      }
      out.push(`SPI=0x${u32At(pkt, l4 + 4).toString(16)} `);
      break;
    case 50:
      out.push('PROTO=ESP ');
      if (offset) break;
      if (!have(pkt, rt, l4, 8)) {
        out.push(`INCOMPLETE [${total - l4} bytes] `);
        break;
      }
      out.push(`SPI=0x${u32At(pkt, l4).toString(16)} `);
      break;
    default:
      out.push(`PROTO=${proto} `);
  }
  if (!outer) return;
  // nf_log_dump_sk_uid_gid: only with a local socket, which a capture does not show.
  if (flags & NF_LOG.UID && (pkt.local || pkt.hook === 'INPUT')) rt.note('log.uid_unknown');
  if (pkt.mark !== 0) out.push(`MARK=0x${(pkt.mark >>> 0).toString(16)} `);
}

/** The whole line for `prefix` and the LOG target's flags. */
export function ipv4LogLine(pkt: PacketState, prefix: string, flags: number, rt: ReplayRuntime): string {
  const out: string[] = [`${prefix}IN=${pkt.inIface} OUT=${pkt.outIface} `];
  if (pkt.inIface !== '') out.push(macHeader(pkt, flags, rt));
  ipv4Packet(pkt, rt, flags, 0, out);
  return out.join('');
}
