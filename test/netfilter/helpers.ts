/** Shared by the host model tests: packets as records, decoded into a view. */
import type { CaptureInterface, PacketRecord } from '../../src/capture/record.js';
import { decode, DecodeEvents, DecodeResult, PacketView } from '../../src/decode/index.js';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function recordOf(bytes: Uint8Array, linktype: number, interfaceId = -1, direction: 0 | 1 | 2 = 0): PacketRecord {
  return { number: 1, data: bytes, offset: 0, caplen: bytes.length, origlen: bytes.length, tsSec: 0, tsNsec: 0, linktype, interfaceId, direction };
}

/** Decodes one packet into a fresh view (tests only; the replay reuses one view). */
export function viewOf(bytes: Uint8Array, linktype: number, direction: 0 | 1 | 2 = 0): PacketView {
  const view = new PacketView();
  const r = decode(recordOf(bytes, linktype, -1, direction), view, new DecodeEvents());
  if (r !== DecodeResult.IPV4) throw new Error(`test packet does not decode as IPv4 (result ${r})`);
  return view;
}

export function ipToInt(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export function captureIface(id: number, name: string | undefined, linktype = LINKTYPE_ETHERNET): CaptureInterface {
  return { id, name, linktype, snaplen: 262144, tsResolution: 1_000_000, tsOffsetSec: 0 };
}

function csum(b: Buffer): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface PacketSpec {
  src: string;
  dst: string;
  /** 'udp' (default), 'tcp-syn', 'icmp-echo', 'igmp'. */
  proto?: 'udp' | 'tcp-syn' | 'icmp-echo' | 'igmp';
  dport?: number;
  dstMac?: string;
  srcMac?: string;
}

/** A well-formed IPv4 packet (raw), 20 bytes of IP plus an 8- or 20-byte layer-4 header. */
export function ipPacket(p: PacketSpec): Buffer {
  const proto = p.proto ?? 'udp';
  const l4 = proto === 'tcp-syn' ? 20 : 8;
  const b = Buffer.alloc(20 + l4);
  b[0] = 0x45;
  b.writeUInt16BE(b.length, 2);
  b.writeUInt16BE(7, 4);
  b[8] = 64;
  b[9] = { udp: 17, 'tcp-syn': 6, 'icmp-echo': 1, igmp: 2 }[proto];
  b.writeUInt32BE(ipToInt(p.src), 12);
  b.writeUInt32BE(ipToInt(p.dst), 16);
  b.writeUInt16BE(csum(b.subarray(0, 20)), 10);
  if (proto === 'udp') {
    b.writeUInt16BE(40000, 20);
    b.writeUInt16BE(p.dport ?? 9, 22);
    b.writeUInt16BE(8, 24);
  } else if (proto === 'tcp-syn') {
    b.writeUInt16BE(40000, 20);
    b.writeUInt16BE(p.dport ?? 80, 22);
    b[32] = 0x50;
    b[33] = 0x02;
  } else if (proto === 'icmp-echo') {
    b[20] = 8;
  } else {
    b[20] = 0x16;
  }
  return b;
}

export function ethPacket(p: PacketSpec): Buffer {
  const eth = Buffer.alloc(14);
  Buffer.from((p.dstMac ?? '02:00:00:00:00:01').split(':').map((x) => parseInt(x, 16))).copy(eth, 0);
  Buffer.from((p.srcMac ?? '02:00:00:00:ff:01').split(':').map((x) => parseInt(x, 16))).copy(eth, 6);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ipPacket(p)]);
}

/** An SLL2 (link type 276) packet: ifindex and packet type as `tcpdump -i any` records them. */
export function sll2Packet(p: PacketSpec, ifindex: number, pktType: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(0x0800, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(1, 8);
  h[10] = pktType;
  h[11] = 6;
  Buffer.from([2, 0, 0, 0, 0xff, 1]).copy(h, 12);
  return Buffer.concat([h, ipPacket(p)]);
}
