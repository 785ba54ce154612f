/**
 * What leaves the host, as capture files: one pcap per egress interface
 * (`egress-<iface>.pcap`), each packet as it is after POSTROUTING — NAT rewrites, the TTL
 * decrement of forwarding, TTL/TOS/DSCP targets, an MSS option TCPMSS changed or added —
 * with every checksum updated the way the kernel updates it (incrementally, so a wrong
 * checksum in the capture stays as wrong). Frames get an Ethernet header from the
 * interface's MAC to the peer's (`peer_mac`) when the host file gives both, else the files
 * hold raw IPv4 (LINKTYPE_IPV4). A datagram larger than the interface's MTU, and every
 * datagram conntrack reassembled, leaves as the fragments ip_fragment makes of it
 * (refragment.ts): the fragments it arrived in when they fit, else pieces cut to the MTU
 * (or to the largest fragment received). The host's own DF packets larger than the MTU
 * (TCP segments the NIC is to split, as a capture on the sending host shows them) are
 * written as they are.
 */
import { join } from 'node:path';
import { csumReplace16, csumReplace32, rewriteTcpMss, rewriteTtl } from '../capture/rewrite.js';
import type { PcapSink, PcapWriter, PcapWriterOptions } from '../capture/writer.js';
import type { HostModel } from '../netfilter/host.js';
import type { PacketState } from './packet.js';
import { FRAG_NEEDED, refragment, type RefragmentOptions } from './refragment.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_IPV4 = 228;
const ETH = 14;
const MAX = 65535 + ETH + 4;

interface Output<W> {
  w: W;
  /** Bytes of link header before the IPv4 header: 14 (Ethernet) or 0. */
  eth: number;
  /** The Ethernet header of this interface's frames. */
  header: Uint8Array;
}

/**
 * The files are PcapWriters (`open` is PcapWriter.open), or PcapRecords for a part of the
 * capture replayed on a thread, whose records the main thread appends (append()).
 */
export class EgressPcaps<W extends PcapSink> {
  private readonly writers = new Map<string, Output<W>>();
  /** The datagram as it leaves (rewrites applied), after the link header. */
  private readonly buf = new Uint8Array(MAX);
  /** One fragment of it at a time. */
  private readonly frame = new Uint8Array(MAX);
  private readonly record = { data: this.buf, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0 };
  private readonly fragOpts: RefragmentOptions = { mtu: 0, geometry: null, fragList: true, optionsCompiled: false };
  private current: Output<W> | undefined;
  private readonly emitFragment = (caplen: number, origlen: number): void => {
    const out = this.current!;
    const r = this.record;
    r.data = this.frame;
    r.caplen = out.eth + caplen;
    r.origlen = out.eth + origlen;
    out.w.write(r);
  };

  constructor(
    private readonly dir: string,
    private readonly host: HostModel,
    private readonly open: (path: string, opts: PcapWriterOptions) => W,
  ) {}

  /** Writes `pkt` as it leaves by `iface`: whole, or as the fragments the kernel sends. */
  write(pkt: PacketState, iface: string): void {
    const out = this.writerFor(iface);
    const eth = out.eth;
    const b = this.buf;
    const v = pkt.view;
    const l3 = v.l3Offset;
    // What the capture holds of the datagram (a snaplen may have cut it).
    const have = !v.truncated ? v.totalLength : v.l4Captured >= 0 ? v.ihl * 4 + v.l4Captured : Math.min(v.totalLength, pkt.data.length - l3);
    b.set(out.header, 0);
    b.set(pkt.data.subarray(l3, l3 + have), eth);
    let len = have;
    if (pkt.ttl !== b[eth + 8]) rewriteTtl(b, eth, eth + len, pkt.ttl);
    if (pkt.tos !== b[eth + 1]) setTos(b, eth, pkt.tos);
    if (pkt.tcpMss >= 0 && pkt.tcpMss !== v.tcpMss) {
      if (v.tcpMss >= 0) rewriteTcpMss(b, eth, eth + len, pkt.tcpMss);
      else len += addMss(b, eth, len, v.ihl * 4, pkt.tcpMss);
    }
    const r = this.record;
    r.tsSec = pkt.tsSec;
    r.tsNsec = pkt.tsNsec;
    const o = this.fragOpts;
    o.mtu = this.host.interfaceByName(iface)?.mtu ?? 65535;
    o.geometry = pkt.defrag;
    // TCPMSS pulled the whole datagram into one buffer (skb_ensure_writable(skb, skb->len)): no frag_list left.
    o.fragList = pkt.tcpMss === v.tcpMss;
    o.optionsCompiled = !pkt.local;
    this.current = out;
    this.frame.set(out.header, 0);
    const n = refragment(b, eth, pkt.length, len, o, this.frame, eth, this.emitFragment);
    // FRAG_NEEDED: the replay has stopped those it can; the host's own oversized DF packets are GSO's to split.
    if (n > 0 || (n === FRAG_NEEDED && pkt.defrag !== null)) return;
    r.data = b;
    r.caplen = eth + len;
    r.origlen = eth + pkt.length;
    out.w.write(r);
  }

  /** Each interface's file, by interface name. */
  *files(): IterableIterator<[string, W]> {
    for (const [iface, o] of this.writers) yield [iface, o.w];
  }

  /** Appends records a thread wrote for `iface` (a part of the capture, in capture order). */
  append(this: EgressPcaps<PcapWriter>, iface: string, records: Uint8Array, packets: number): void {
    this.writerFor(iface).w.appendRecords(records, packets);
  }

  close(this: EgressPcaps<PcapWriter>): void {
    for (const o of this.writers.values()) o.w.close();
  }

  abort(this: EgressPcaps<PcapWriter>): void {
    for (const o of this.writers.values()) o.w.abort();
  }

  /** Drops every file: the replay writes them again from the first packet. */
  restart(this: EgressPcaps<PcapWriter>): void {
    this.abort();
    this.writers.clear();
  }

  private writerFor(iface: string): Output<W> {
    let o = this.writers.get(iface);
    if (o !== undefined) return o;
    const itf = this.host.interfaceByName(iface);
    const mac = itf?.mac ?? -1;
    const peer = itf?.peerMac ?? -1;
    const eth = mac >= 0 && peer !== undefined && peer >= 0 ? ETH : 0;
    const header = new Uint8Array(eth);
    if (eth) {
      putMac(header, 0, peer);
      putMac(header, 6, mac);
      header[12] = 0x08;
      header[13] = 0x00;
    }
    o = { w: this.open(join(this.dir, `egress-${iface}.pcap`), { linktype: eth ? LINKTYPE_ETHERNET : LINKTYPE_IPV4, precision: 'nanosecond' }), eth, header };
    this.writers.set(iface, o);
    return o;
  }
}

function putMac(b: Uint8Array, at: number, mac: number): void {
  for (let i = 5; i >= 0; i--) b[at + i] = Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff;
}

/** ipv4_change_dsfield(): the TOS byte, with the header checksum updated. */
function setTos(b: Uint8Array, ip: number, tos: number): void {
  const old = (b[ip]! << 8) | b[ip + 1]!;
  b[ip + 1] = tos;
  const check = csumReplace16((b[ip + 10]! << 8) | b[ip + 11]!, old, (b[ip]! << 8) | tos);
  b[ip + 10] = check >>> 8;
  b[ip + 11] = check & 0xff;
}

/**
 * tcpmss_mangle_packet() adding an option: MSS goes right after the fixed TCP header (the
 * options and data move up 4 bytes), the data offset and total length grow, and the TCP
 * and IPv4 checksums are updated for each change. Returns the bytes added.
 */
function addMss(b: Uint8Array, ip: number, len: number, ihl: number, mss: number): number {
  const tcp = ip + ihl;
  const opt = tcp + 20;
  b.copyWithin(opt + 4, opt, ip + len);
  const tcplen = len - ihl;
  let check = (b[tcp + 16]! << 8) | b[tcp + 17]!;
  check = csumReplace16(check, tcplen, tcplen + 4);
  b[opt] = 2;
  b[opt + 1] = 4;
  b[opt + 2] = mss >>> 8;
  b[opt + 3] = mss & 0xff;
  check = csumReplace32(check, 0, ((2 << 24) | (4 << 16) | mss) >>> 0);
  const oldWord = (b[tcp + 12]! << 8) | b[tcp + 13]!;
  b[tcp + 12] = b[tcp + 12]! + (1 << 4);
  check = csumReplace16(check, oldWord, (b[tcp + 12]! << 8) | b[tcp + 13]!);
  b[tcp + 16] = check >>> 8;
  b[tcp + 17] = check & 0xff;
  const total = (b[ip + 2]! << 8) | b[ip + 3]!;
  b[ip + 2] = (total + 4) >>> 8;
  b[ip + 3] = (total + 4) & 0xff;
  const ipCheck = csumReplace16((b[ip + 10]! << 8) | b[ip + 11]!, total, total + 4);
  b[ip + 10] = ipCheck >>> 8;
  b[ip + 11] = ipCheck & 0xff;
  return 4;
}
