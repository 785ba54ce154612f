/** IPv4 datagrams and raw-IP (linktype 101) captures built packet by packet, for the tests. */
import { PcapWriter } from '../../src/capture/index.js';
import { ip, sum16 } from '../support/checksum.js';

export interface Pkt {
  /** Seconds after T0. */
  t: number;
  src: string;
  dst: string;
  proto: 'udp' | 'tcp';
  sport?: number;
  dport?: number;
  /** IP total length (UDP: padded with a zero payload); 28 or 40 by default. */
  size?: number;
  flags?: number;
  seq?: number;
  ack?: number;
  /** IP identification (0), TTL (64); a deliberately wrong IP header checksum. */
  id?: number;
  ttl?: number;
  badIpChecksum?: boolean;
  /** Bytes after the UDP or TCP header (zeros up to `size` otherwise). */
  payload?: Uint8Array;
}

export const T0 = 1700000000;
export const SYN = 0x02;
export const ACK = 0x10;

/** An IPv4 datagram with correct IP, UDP and TCP checksums. */
export function datagram(p: Pkt): Uint8Array {
  const header = p.proto === 'tcp' ? 20 : 8;
  const size = Math.max(p.size ?? 0, 20 + header + (p.payload?.length ?? 0));
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, size);
  dv.setUint16(4, p.id ?? 0);
  b[8] = p.ttl ?? 64;
  b[9] = p.proto === 'tcp' ? 6 : 17;
  dv.setUint32(12, ip(p.src));
  dv.setUint32(16, ip(p.dst));
  dv.setUint16(10, (~sum16(b, 0, 20) & 0xffff) ^ (p.badIpChecksum ? 0x5555 : 0));
  if (p.payload !== undefined) b.set(p.payload, 20 + header);
  const l4 = size - 20;
  const pseudo = sum16(b, 12, 20, b[9]! + l4);
  dv.setUint16(20, p.sport ?? 40000);
  dv.setUint16(22, p.dport ?? 53);
  if (p.proto === 'udp') {
    dv.setUint16(24, l4);
    dv.setUint16(26, ~sum16(b, 20, size, pseudo) & 0xffff || 0xffff);
  } else {
    dv.setUint32(24, p.seq ?? 1000);
    dv.setUint32(28, p.ack ?? 0);
    b[32] = 0x50;
    b[33] = p.flags ?? SYN;
    dv.setUint16(34, 64240);
    dv.setUint16(36, ~sum16(b, 20, size, pseudo) & 0xffff);
  }
  return b;
}

/**
 * Writes the packets (in the order given) to `path`, nanosecond timestamps; with `ipv6At`,
 * first a record that is not IPv4 (an IPv6 header) at that time: read, never replayed.
 */
export function writeCapture(path: string, pkts: readonly Pkt[], ipv6At?: number): string {
  const w = PcapWriter.open(path, { linktype: 101, precision: 'nanosecond' });
  const record = (data: Uint8Array, t: number): void => {
    const ns = Math.round(t * 1e9);
    w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: T0 + Math.floor(ns / 1e9), tsNsec: ns % 1e9 });
  };
  if (ipv6At !== undefined) {
    const v6 = new Uint8Array(40);
    v6[0] = 0x60;
    record(v6, ipv6At);
  }
  for (const p of pkts) record(datagram(p), p.t);
  w.close();
  return path;
}

export const filterRules = (...rules: string[]): string => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');

/** A server, 192.0.2.1/24 on eth0 with a default route, with these sysctls. */
export const serverHost = (sysctls: Record<string, number> = {}): string =>
  JSON.stringify({ interfaces: [{ name: 'eth0', addr: '192.0.2.1/24' }], routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.254' }], sysctls });
