/**
 * Value parsers and printers shared by the generic options and the extensions. Each one
 * mirrors the libxtables helper named in its comment, because canonical output depends on
 * their quirks (base-0 numbers, "10.1" meaning 10.1.0.0, host bits cleared, ...).
 * Parsers throw ParamError; the loader adds the position.
 */
import { ErrorCodes, ParamError } from './errors.js';
import {
  hostByAddress,
  protocolByName,
  protocolByNumber,
  serviceByName,
  serviceByPort,
} from './sysdb.js';

// ---------------------------------------------------------------------------------------
// Numbers

/**
 * xtables_strtoul_base with end == NULL: strtoumax semantics (leading white space, optional
 * '+', base 0 accepts 0x.. hex and 0.. octal), no minus sign, the whole string consumed.
 * Returns undefined when the text is not a number or is out of [min, max] (max 0 = none).
 * Values are exact up to 2^53; larger ones are only used for range rejection.
 */
export function strtoul(text: string, min = 0, max = 0, base = 0): number | undefined {
  const r = strtoulPrefix(text, base);
  if (r === undefined || r.end !== text.length) return undefined;
  if (r.value < min || (max !== 0 && r.value > max)) return undefined;
  return r.value;
}

/** strtoumax that also reports where it stopped (xtables_strtoul_base with an end pointer). */
export function strtoulPrefix(text: string, base = 0): { value: number; end: number } | undefined {
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  if (text[i] === '-') return undefined;
  if (text[i] === '+') i++;
  const b = strtoulBase(text, i, base);
  if (b === 16 && hexPrefixAt(text, i)) i += 2;
  const start = i;
  let value = 0;
  for (; i < text.length; i++) {
    const d = digitValue(text.charCodeAt(i));
    if (d >= b) break;
    value = value * b + d;
  }
  if (i === start) return undefined;
  return { value, end: i };
}

/**
 * strtoul's "0x" (or "0X") at `i`: a prefix for base 0 or 16 only when a hex digit follows
 * it; otherwise the "0" alone is the number and the "x" stops it.
 */
export function hexPrefixAt(text: string, i: number): boolean {
  return text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && digitValue(text.charCodeAt(i + 2)) < 16;
}

/**
 * The base strtoul reads the digits at `i` in (after blanks and sign): 16 after a "0x"
 * prefix, which base 0 and 16 accept (the digits then start past it); otherwise base 0
 * is 8 after a leading "0" and 10 without, and any other base is itself.
 */
export function strtoulBase(text: string, i: number, base: number): number {
  if ((base === 0 || base === 16) && hexPrefixAt(text, i)) return 16;
  if (base === 0) return text[i] === '0' ? 8 : 10;
  return base;
}

/** isspace() in the C locale, on a character code (NaN, past the end of a string, is none). */
export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The digit's value in bases up to 36, or 99 for a character that is no digit (or NaN). */
export function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

/** printf "0x%x" of a 32-bit value. */
export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** printf "0x%02x": the form the TOS and DSCP extensions print their byte values in. */
export function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------
// Protocols

/** xtables_chain_protos: names iptables knows without /etc/protocols, in its order. */
export const CHAIN_PROTOS: ReadonlyArray<readonly [string, number]> = [
  ['tcp', 6],
  ['sctp', 132],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['esp', 50],
  ['ah', 51],
  ['mobility-header', 135],
  ['ipv6-mh', 135],
  ['mh', 135],
  ['dccp', 33],
  ['ipcomp', 108],
  ['all', 0],
];

/** xtables_parse_protocol */
export function parseProtocol(text: string): number {
  const n = strtoul(text, 0, 255);
  if (n !== undefined) return n;
  for (const [name, num] of CHAIN_PROTOS) if (name === text) return num;
  const p = protocolByName(text);
  if (p !== undefined) return p;
  throw new ParamError(`unknown protocol "${text}" specified`, ErrorCodes.VALUE);
}

/** proto_to_name(proto, nolookup): built-in names first, then getprotobynumber unless -n. */
export function protoToName(proto: number, nolookup: boolean): string | undefined {
  for (const [name, num] of CHAIN_PROTOS) if (num === proto) return name;
  if (proto !== 0 && !nolookup) return protocolByNumber(proto);
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Ports and services

/** xtables_parse_port / xtables_service_to_port: a number 0-65535 or a service name. */
export function parsePort(text: string, proto: string | undefined): number {
  const n = strtoul(text, 0, 65535);
  if (n !== undefined) return n;
  if (proto !== undefined) {
    const p = serviceByName(text, proto);
    if (p !== undefined) return p;
  }
  throw new ParamError(`invalid port/service \`${text}' specified`, ErrorCodes.VALUE);
}

/** Port to listing text: the service name unless numeric (port_to_service / getservbyport). */
export function portName(port: number, proto: string, numeric: boolean): string {
  if (!numeric) {
    const name = serviceByPort(port, proto);
    if (name !== undefined) return name;
  }
  return String(port);
}

// ---------------------------------------------------------------------------------------
// IPv4 addresses

export function ipToString(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** __numeric_to_ipaddr: dotted quad with base-0 bytes; fewer than 4 parts autocomplete with 0 unless a mask. */
export function numericToIp(text: string, isMask = false): number | undefined {
  if (text.length > 19) text = text.slice(0, 19);
  const parts = text.split('.');
  if (parts.length > 4) {
    // strncpy into a 20-byte buffer then only 4 parts are read; the rest makes the 4th invalid
    return undefined;
  }
  if (parts.length < 4 && isMask) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    const v = strtoul(p, 0, 255);
    if (v === undefined) return undefined;
    bytes.push(v);
  }
  while (bytes.length < 4) bytes.push(0);
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** parse_ipmask: dotted mask or prefix length 0-32. */
export function parseMask(text: string | undefined): number {
  if (text === undefined) return 0xffffffff;
  const dotted = numericToIp(text, true);
  if (dotted !== undefined) return dotted;
  const bits = strtoul(text, 0, 32);
  if (bits === undefined) throw new ParamError(`invalid mask \`${text}' specified`, ErrorCodes.VALUE);
  return prefixMask(bits);
}

export interface AddressMask {
  addr: number;
  mask: number;
}

/**
 * xtables_ipparse_multiple for -s/-d: comma-separated address[/mask] items, host bits
 * cleared. Names are refused: iptables would resolve them through DNS at load time, which
 * makes a replay depend on the resolver of the moment.
 */
/** A plain dotted quad with an optional prefix length, decimal without leading zeros. */
const SIMPLE_CIDR = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(0|[1-9]\d?))?$/;

export function parseAddressList(text: string): AddressMask[] {
  if (text === '0.0.0.0/0') return [{ addr: 0, mask: 0 }];
  // The common form, without the general path's splitting (same result).
  const m = SIMPLE_CIDR.exec(text);
  if (m) {
    const a = Number(m[1]), b = Number(m[2]), c = Number(m[3]), d = Number(m[4]);
    const bits = m[5] === undefined ? 32 : Number(m[5]);
    if (a <= 255 && b <= 255 && c <= 255 && d <= 255 && bits <= 32) {
      const mask = prefixMask(bits);
      return [{ addr: (((a << 24) | (b << 16) | (c << 8) | d) & mask) >>> 0, mask }];
    }
  }
  const out: AddressMask[] = [];
  for (let item of text.split(',')) {
    item = item.replace(/^\s+/, '');
    if (item.length > 255) throw new ParamError('Hostname too long');
    const slash = item.lastIndexOf('/');
    const host = slash >= 0 ? item.slice(0, slash) : item;
    const mask = parseMask(slash >= 0 ? item.slice(slash + 1) : undefined);
    const addr = mask === 0 ? 0 : parseHostOrNetwork(host);
    out.push({ addr: (addr & mask) >>> 0, mask });
  }
  return out;
}

/** ipparse_hostnetwork without the DNS part. */
export function parseHostOrNetwork(host: string): number {
  const addr = numericToIp(host);
  if (addr !== undefined) return addr;
  throw new ParamError(
    `host/network \`${host}' is not a numeric address; nfreplay does not resolve names (use the address)`,
    ErrorCodes.HOSTNAME,
  );
}

/** xtables_ipmask_to_cidr: -1 for a non-contiguous mask. */
export function maskToCidr(mask: number): number {
  for (let i = 32; i >= 0; i--) {
    if (prefixMask(i) === mask >>> 0) return i;
  }
  return -1;
}

export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** xtables_ipmask_to_numeric: "" for /32, "/N", or "/a.b.c.d" for odd masks. */
export function maskToNumeric(mask: number): string {
  const cidr = maskToCidr(mask);
  if (cidr === -1) return '/' + ipToString(mask);
  if (cidr === 32) return '';
  return '/' + cidr;
}

/** mask_to_str used by iptables-save: always a suffix, "32" included. */
export function maskToSaveText(mask: number): string {
  const cidr = maskToCidr(mask);
  return cidr === -1 ? ipToString(mask) : String(cidr);
}

/**
 * xtables_ipaddr_to_anyname: getnameinfo() without NI_NAMEREQD falls back to the numeric
 * form itself, so /etc/networks is never reached; hosts come from /etc/hosts only (never
 * DNS).
 */
export function ipToAnyName(addr: number): string {
  return hostByAddress(addr) ?? ipToString(addr);
}

/** xtables_ipaddr_to_numeric + mask, or anyname unless numeric (ipv4_addr_to_string). */
export function addrMaskToListing(addr: number, mask: number, numeric: boolean): string {
  if (mask === 0 && !numeric) return 'anywhere';
  return (numeric ? ipToString(addr) : ipToAnyName(addr)) + maskToNumeric(mask);
}

// ---------------------------------------------------------------------------------------
// Strings

/** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with \" \\ \' escaped. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return ' ' + value;
  return ' "' + value.replace(/["\\']/g, (c) => '\\' + c) + '"';
}

// ---------------------------------------------------------------------------------------
// Counters in listings

/**
 * Counters printed instead of the model's integers: packets and bytes as numbers, e.g.
 * the fractional expectations of --statistic expected.
 */
export type CounterValues = (c: { packets: bigint; bytes: bigint }) => readonly [number, number];

/** A fractional counter: whole numbers as integers, others with two decimals. */
export function fractionText(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Number.isInteger(r) ? String(r) : r.toFixed(2);
}

/**
 * A fractional counter in the listing: with two decimals (wider than the column when it has
 * to be, as iptables' own large numbers are); without -x, K/M/G of it rounded past 99999.
 */
export function formatFraction(v: number, exact: boolean): string {
  if (exact) return fractionText(v).padStart(8) + ' ';
  return v < 99999.995 ? fractionText(v).padStart(5) + ' ' : formatCounter(BigInt(Math.round(v)), false);
}

/** xtables_print_num, table layout. */
export function formatCounter(n: bigint, exact: boolean): string {
  if (exact) return n.toString().padStart(8) + ' ';
  if (n <= 99999n) return n.toString().padStart(5) + ' ';
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  for (let i = 0; i < units.length; i++) {
    // uint64_t arithmetic: the rounding addition wraps near 2^64, as in C.
    v = ((v + 500n) % (1n << 64n)) / 1000n;
    if (v <= 9999n || i === units.length - 1) return v.toString().padStart(4) + units[i] + ' ';
  }
  /* c8 ignore next */
  return '';
}
