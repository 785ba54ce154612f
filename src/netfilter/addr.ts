/**
 * IPv4 and MAC address values of the host model: strict text forms (the host file is
 * written by people, so `010.1.1.1`, `10.1` or a host name are refused rather than read
 * as iproute2's or inet_aton's shorthands would), and the address classes the kernel's
 * routing code tests (include/linux/in.h ipv4_is_*).
 */
import { ipToString, prefixMask } from '../rules/values.js';

export { ipToString, prefixMask };

const QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const MAC = /^([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})$/;

/** A dotted quad of four decimal bytes without leading zeros, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = QUAD.exec(text);
  if (!m) return undefined;
  const a = Number(m[1]), b = Number(m[2]), c = Number(m[3]), d = Number(m[4]);
  if (a > 255 || b > 255 || c > 255 || d > 255) return undefined;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export interface Cidr {
  addr: number;
  prefixLength: number;
}

/**
 * `a.b.c.d/len` (a bare address is /32), or an error message. Host bits are kept: an
 * interface address is an address; callers that need a network check them.
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIpv4(addrText);
  if (addr === undefined) {
    return /[a-z]/i.test(addrText) && !/^[0-9a-f:]+$/i.test(addrText)
      ? `"${addrText}" is not a numeric IPv4 address (host names are never resolved)`
      : `"${addrText}" is not an IPv4 address (four decimal bytes, a.b.c.d)`;
  }
  if (slash < 0) return { addr, prefixLength: 32 };
  const lenText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d?)$/.test(lenText) || Number(lenText) > 32) return `"/${lenText}" is not a prefix length (0-32)`;
  return { addr, prefixLength: Number(lenText) };
}

/** `xx:xx:xx:xx:xx:xx` as a 48-bit number, or undefined. */
export function parseMac(text: string): number | undefined {
  const m = MAC.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export function macToString(mac: number): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push((Math.floor(mac / 2 ** (8 * i)) % 256).toString(16).padStart(2, '0'));
  return out.join(':');
}

export function cidrToString(addr: number, prefixLength: number): string {
  return `${ipToString(addr)}/${prefixLength}`;
}

export const BROADCAST_MAC = 0xffffffffffff;

/** The I/G bit: the first byte's lowest bit marks a group (multicast or broadcast) address. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / 2 ** 40) % 2 === 1;
}

export const inPrefix = (addr: number, net: number, prefixLength: number): boolean => {
  const mask = prefixMask(prefixLength);
  return ((addr & mask) >>> 0) === ((net & mask) >>> 0);
};

// The predicates take an address as uint32 or as int32 (`addr | 0`): the per-packet code
// keeps addresses as int32, which V8 holds as small integers, so passing them around
// allocates nothing.

/** ipv4_is_zeronet: only 0.0.0.0 since Linux 5.3, which made the rest of 0/8 unicast. */
export const isZeronet = (a: number): boolean => (a | 0) === 0;
/** ipv4_is_lbcast: 255.255.255.255. */
export const isLbcast = (a: number): boolean => (a | 0) === -1;
/** ipv4_is_multicast: 224.0.0.0/4. */
export const isMulticast = (a: number): boolean => a >>> 28 === 0xe;
/** ipv4_is_local_multicast: 224.0.0.0/24. */
export const isLocalMulticast = (a: number): boolean => a >>> 8 === 0xe00000;
/** ipv4_is_loopback: 127.0.0.0/8. */
export const isLoopback = (a: number): boolean => a >>> 24 === 127;
