/** Helpers the tests use to build packets by hand. */

/** A dotted quad as a uint32. */
export const ip = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

/** Ones' complement sum of the 16-bit words of b[from, to) (an odd last byte padded), folded, plus `acc`. */
export function sum16(b: Uint8Array, from: number, to: number, acc = 0): number {
  let s = acc;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * A raw-IP (linktype 101) UDP datagram with no payload and a correct IPv4 header checksum
 * (UDP checksum 0: none), `id` in the IP identification field.
 */
export function udpDatagram(src: string, dst: string, sport: number, dport: number, id = 0, payload = 0): Uint8Array {
  const b = new Uint8Array(28 + payload);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, 28 + payload);
  dv.setUint16(4, id);
  b[8] = 64;
  b[9] = 17;
  dv.setUint32(12, ip(src));
  dv.setUint32(16, ip(dst));
  dv.setUint16(10, ~sum16(b, 0, 20) & 0xffff);
  dv.setUint16(20, sport);
  dv.setUint16(22, dport);
  dv.setUint16(24, 8 + payload);
  return b;
}
