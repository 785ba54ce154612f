/**
 * NFLOG copies as capture files: one pcap per group (`nflog-<group>.pcap`) of raw IPv4
 * datagrams (LINKTYPE_IPV4, 228) with the capture's timestamps — what a listener on the
 * group (`tcpdump -i nflog:<group>`) would have received, without the nflog headers.
 */
import { join } from 'node:path';
import { PcapWriter } from '../capture/writer.js';
import type { PacketState } from './packet.js';

const LINKTYPE_IPV4 = 228;
const IP_MAXPACKET = 65535;

export class NflogPcaps {
  private readonly writers = new Map<number, PcapWriter>();
  /** The copy being written, reused for every packet. */
  private readonly scratch = new Uint8Array(IP_MAXPACKET);
  private readonly record = { data: this.scratch, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0 };

  constructor(private readonly dir: string) {}

  /**
   * The datagram as it is at the rule (nfulnl_log_packet copies the skb): TTL and TOS as
   * the path and targets left them, with the header checksum the kernel would have fixed;
   * `size` (--nflog-size) cuts the copy, the original length is kept.
   */
  write(group: number, pkt: PacketState, size: number | undefined): void {
    let w = this.writers.get(group);
    if (w === undefined) {
      w = PcapWriter.open(join(this.dir, `nflog-${group}.pcap`), { linktype: LINKTYPE_IPV4, precision: 'nanosecond' });
      this.writers.set(group, w);
    }
    const v = pkt.view;
    const l3 = v.l3Offset;
    const have = Math.min(v.totalLength, pkt.data.length - l3);
    const n = Math.max(0, Math.min(have, size ?? have, IP_MAXPACKET));
    const buf = this.scratch;
    buf.set(pkt.data.subarray(l3, l3 + n));
    const header = v.ihl * 4;
    if (n >= header && header >= 20 && (buf[8] !== pkt.ttl || buf[1] !== pkt.tos)) {
      buf[8] = pkt.ttl;
      buf[1] = pkt.tos;
      buf[10] = 0;
      buf[11] = 0;
      const sum = headerChecksum(buf, header);
      buf[10] = sum >>> 8;
      buf[11] = sum & 0xff;
    }
    const r = this.record;
    r.caplen = n;
    r.origlen = pkt.length;
    r.tsSec = pkt.tsSec;
    r.tsNsec = pkt.tsNsec;
    w.write(r);
  }

  /** Renames every group's file into place. */
  close(): void {
    for (const w of this.writers.values()) w.close();
  }

  abort(): void {
    for (const w of this.writers.values()) w.abort();
  }
}

/** ip_fast_csum: the ones' complement of the ones' complement sum of the header's words. */
function headerChecksum(b: Uint8Array, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
