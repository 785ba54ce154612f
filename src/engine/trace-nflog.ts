/**
 * NFLOG copies as capture files: one pcap per group (`nflog-<group>.pcap`) of raw IPv4
 * datagrams (LINKTYPE_IPV4, 228) with the capture's timestamps — what a listener on the
 * group (`tcpdump -i nflog:<group>`) would have received, without the nflog headers.
 */
import { join } from 'node:path';
import type { PcapSink, PcapWriter, PcapWriterOptions } from '../capture/writer.js';
import type { PacketState } from './packet.js';

const LINKTYPE_IPV4 = 228;
const IP_MAXPACKET = 65535;

/**
 * The files are PcapWriters (`open` is PcapWriter.open), or PcapRecords for a part of the
 * capture replayed on a thread, whose records the main thread appends (append()).
 */
export class NflogPcaps<W extends PcapSink> {
  private readonly writers = new Map<number, W>();
  /** The copy being written, reused for every packet. */
  private readonly scratch = new Uint8Array(IP_MAXPACKET);
  private readonly record = { data: this.scratch, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0 };

  constructor(
    private readonly dir: string,
    private readonly open: (path: string, opts: PcapWriterOptions) => W,
  ) {}

  /**
   * The datagram as it is at the rule (nfulnl_log_packet copies the skb): TTL and TOS as
   * the path and targets left them, with the header checksum the kernel would have fixed;
   * `size` (--nflog-size) cuts the copy, the original length is kept.
   */
  write(group: number, pkt: PacketState, size: number | undefined): void {
    const w = this.file(group);
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

  /** Each group's file, by group. */
  files(): ReadonlyMap<number, W> {
    return this.writers;
  }

  /** Appends records a thread wrote for `group` (a part of the capture, in capture order). */
  append(this: NflogPcaps<PcapWriter>, group: number, records: Uint8Array, packets: number): void {
    this.file(group).appendRecords(records, packets);
  }

  /** Renames every group's file into place. */
  close(this: NflogPcaps<PcapWriter>): void {
    for (const w of this.writers.values()) w.close();
  }

  abort(this: NflogPcaps<PcapWriter>): void {
    for (const w of this.writers.values()) w.abort();
  }

  /** Drops every file: the replay writes them again from the first packet. */
  restart(this: NflogPcaps<PcapWriter>): void {
    this.abort();
    this.writers.clear();
  }

  private file(group: number): W {
    let w = this.writers.get(group);
    if (w === undefined) {
      w = this.open(join(this.dir, `nflog-${group}.pcap`), { linktype: LINKTYPE_IPV4, precision: 'nanosecond' });
      this.writers.set(group, w);
    }
    return w;
  }
}

/** ip_fast_csum: the ones' complement of the ones' complement sum of the header's words. */
function headerChecksum(b: Uint8Array, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
