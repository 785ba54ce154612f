/**
 * The address/port range shared by the NAT targets DNAT, SNAT, MASQUERADE, REDIRECT and
 * NETMAP (libxt_NAT, libipt_NETMAP; kernel struct nf_nat_range2). The state keeps the
 * kernel's own representation, host byte order: what the NAT core evaluates when a
 * connection's first packet picks its mapping.
 */
import { ParamError } from '../errors.js';
import type { IpEntry } from '../model.js';
import { systemDatabases } from '../sysdb.js';
import { ipToString, strtoulPrefix } from '../values.js';
import { inetPton4 } from './common/addresses.js';

/** NF_NAT_RANGE_* flag bits (include/uapi/linux/netfilter/nf_nat.h). */
export const NAT_MAP_IPS = 0x01;
export const NAT_PROTO_SPECIFIED = 0x02;
export const NAT_PROTO_RANDOM = 0x04;
export const NAT_PERSISTENT = 0x08;
export const NAT_PROTO_RANDOM_FULLY = 0x10;
export const NAT_PROTO_OFFSET = 0x20;

export interface NatRange {
  /** NAT_* bits above. */
  flags: number;
  /** Address range (uint32), meaningful with NAT_MAP_IPS; min may exceed max, unchecked. */
  minAddr: number;
  maxAddr: number;
  /** Port (or ICMP id) range, meaningful with NAT_PROTO_SPECIFIED. */
  minPort: number;
  maxPort: number;
  /** Start of the shifted port map (NAT_PROTO_OFFSET); only DNAT revision 2 keeps it. */
  basePort: number;
}

export function emptyNatRange(): NatRange {
  return { flags: 0, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0, basePort: 0 };
}

/**
 * __NAT_parse's portok: ports need a protocol with them. ICMP counts (its id is
 * mapped like a port) although the message does not say so. Inversion is not looked at.
 */
function portsAllowed(ip: IpEntry): boolean {
  return [6, 17, 132, 33, 1].includes(ip.proto);
}

/** xtables_service_to_port(name, NULL): getservbyname with any protocol, file order. */
function serviceToPort(name: string): number | undefined {
  return systemDatabases().services.find((s) => s.name === name || s.aliases.includes(name))?.port;
}

/** xtables_strtoui with an end pointer: a base-0 number in [min, 65535] and where it stopped. */
function portPrefix(text: string, min: number): { value: number; end: number } | undefined {
  const r = strtoulPrefix(text);
  return r !== undefined && r.value >= min && r.value <= 0xffff ? r : undefined;
}

/**
 * libxt_NAT parse_ports: "p", "p-q" or "p-q/base". Only the first port and the base
 * may be service names. Anything after the base number is ignored, as iptables does.
 */
export function parseNatPorts(text: string, ip: IpEntry, range: NatRange): void {
  if (!portsAllowed(ip)) throw new ParamError('Need TCP, UDP, SCTP or DCCP with port specification');
  range.flags |= NAT_PROTO_SPECIFIED;

  let port: number;
  let rest: string;
  const first = portPrefix(text, 0);
  if (first !== undefined) {
    port = first.value;
    rest = text.slice(first.end);
  } else {
    const byName = serviceToPort(text);
    if (byName === undefined) throw new ParamError(`Port \`${text}' not valid`);
    port = byName;
    rest = '';
  }
  if (rest === '') {
    range.minPort = range.maxPort = port;
    return;
  }
  if (rest[0] === ':') throw new ParamError('Invalid port:port syntax - use dash');
  if (rest[0] !== '-') throw new ParamError(`Garbage after port value: \`${rest}'`);

  const maxText = rest.slice(1);
  const max = portPrefix(maxText, 0);
  if (max === undefined) throw new ParamError(`Port \`${maxText}' not valid`);
  if (max.value < port) throw new ParamError(`Port range \`${maxText}' funky`);
  range.minPort = port;
  range.maxPort = max.value;
  const after = maxText.slice(max.end);
  if (after === '') return;
  if (after[0] !== '/') throw new ParamError(`Garbage after port range: \`${after}'`);

  const baseText = after.slice(1);
  const base = portPrefix(baseText, 1)?.value ?? serviceToPort(baseText);
  if (base === undefined) throw new ParamError(`Port \`${baseText}' not valid`);
  range.flags |= NAT_PROTO_OFFSET;
  range.basePort = base;
}

/**
 * libxt_NAT parse_to: "[a[-b]][:p[-q[/base]]]". One colon means ports (two would be an
 * IPv6 address, which then fails as an IPv4 one); ports are parsed before addresses, so
 * their errors come first. A colon at index 0 or 2 means "no address" (the check meant
 * for "[]:"), so "ab:80" maps ports only.
 */
export function parseNatTo(text: string, ip: IpEntry, range: NatRange): void {
  if (text.includes('[')) throw new ParamError('Invalid address format');
  let colon = text.indexOf(':');
  if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) colon = -1;
  let addrs = text;
  if (colon >= 0) {
    parseNatPorts(text.slice(colon + 1), ip, range);
    if (colon === 0 || colon === 2) return;
    addrs = text.slice(0, colon);
  }
  range.flags |= NAT_MAP_IPS;
  const dash = addrs.indexOf('-');
  const minText = dash >= 0 ? addrs.slice(0, dash) : addrs;
  const min = inetPton4(minText);
  if (min === undefined) throw new ParamError(`Bad IP address "${minText}"`);
  let max = min;
  if (dash >= 0) {
    const maxText = addrs.slice(dash + 1);
    const parsed = inetPton4(maxText);
    if (parsed === undefined) throw new ParamError(`Bad IP address "${maxText}"`);
    max = parsed;
  }
  range.minAddr = min;
  range.maxAddr = max;
}

/** The targets whose kernel struct (nf_nat_ipv4_multi_range_compat) has no base port. */
export function dropBasePort(range: NatRange): void {
  range.basePort = 0;
}

/** libxt_NAT sprint_range: "a[-b]" then ":p[-q][/base]"; "" when neither is set. */
export function natRangeText(r: NatRange): string {
  let out = '';
  if (r.flags & NAT_MAP_IPS) {
    out += ipToString(r.minAddr);
    if (r.maxAddr !== r.minAddr) out += '-' + ipToString(r.maxAddr);
  }
  if (r.flags & NAT_PROTO_SPECIFIED) {
    out += ':' + r.minPort;
    if (r.maxPort !== r.minPort) out += '-' + r.maxPort;
    if (r.flags & NAT_PROTO_OFFSET) out += '/' + r.basePort;
  }
  return out;
}

/**
 * __NAT_print: the range after `label` (skipColon drops the ':' of a ports-only range,
 * for MASQUERADE and REDIRECT), then the flag words, each prefixed by `flagPrefix`.
 */
export function natText(r: NatRange, label: string, flagPrefix: string, skipColon: boolean): string {
  let range = natRangeText(r);
  let out = '';
  if (range !== '') {
    if (skipColon && range.startsWith(':')) range = range.slice(1);
    out += ` ${label}${range}`;
  }
  if (r.flags & NAT_PROTO_RANDOM) out += ` ${flagPrefix}random`;
  if (r.flags & NAT_PROTO_RANDOM_FULLY) out += ` ${flagPrefix}random-fully`;
  if (r.flags & NAT_PERSISTENT) out += ` ${flagPrefix}persistent`;
  return out;
}

/** The flag options every NAT target shares (--random, --random-fully, --persistent). */
export const NAT_FLAG_OPTIONS: Readonly<Record<string, number>> = {
  random: NAT_PROTO_RANDOM,
  'random-fully': NAT_PROTO_RANDOM_FULLY,
  persistent: NAT_PERSISTENT,
};
