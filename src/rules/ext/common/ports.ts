/**
 * Port options. iptables 1.8.9 reads them two ways, and the same text can mean different
 * ports in each:
 *  - xtables_parse_port (parsePort): a base-0 number 0-65535, else a service name of the
 *    rule's protocol — tcp, sctp, multiport;
 *  - xtables_getportbyname (portByName): getaddrinfo(), decimal only, taken modulo 65536
 *    when it fits an int, service names of any protocol — the x6 types XTTYPE_PORT and
 *    XTTYPE_PORTRC (udp, dccp, TPROXY, conntrack).
 * Also the port-range printing the tcp, udp, sctp and dccp matches share.
 */
import { ParamError } from '../../errors.js';
import { serviceByName } from '../../sysdb.js';
import { parsePort, portName } from '../../values.js';
import { cStrtoul, rangeOptionText } from './numbers.js';

export interface PortRange {
  min: number;
  max: number;
  invert: boolean;
}

export function fullPortRange(): PortRange {
  return { min: 0, max: 0xffff, invert: false };
}

/**
 * parse_tcp_ports / parse_udp_ports / parse_sctp_ports: "p", "a:b", ":b", "a:", each
 * port read by xtables_parse_port; a reversed range is refused.
 */
export function parsePortRange(text: string, proto: string): { min: number; max: number } {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto);
    return { min: p, max: p };
  }
  const lo = text.slice(0, colon);
  const hi = text.slice(colon + 1);
  const min = lo.length > 0 ? parsePort(lo, proto) : 0;
  const max = hi.length > 0 ? parsePort(hi, proto) : 0xffff;
  if (min > max) throw new ParamError('invalid portrange (min > max)');
  return { min, max };
}

/**
 * Protocols glibc's getaddrinfo() asks getservbyname() about when no socket type is
 * hinted (gaih_inet_typeproto order); the first that knows the name gives the port.
 */
const SERVICE_PROTOS = ['tcp', 'udp', 'dccp', 'udplite', 'sctp'];

/**
 * xtables_getportbyname, i.e. getaddrinfo(NULL, text, NULL): a decimal number (C
 * strtoul in base 10 over the whole text, so blanks and a sign may lead and "" is 0)
 * stored in an int and then truncated to 16 bits (so "65536" is port 0 and "70000" is
 * 4464), a negative int falling back to a name lookup; no hex or octal; otherwise a
 * service name of any protocol (a tcp-only name like "http" is fine for udp).
 */
export function portByName(text: string): number | undefined {
  const n = cStrtoul(text, 10);
  if (n.end === text.length) {
    const asInt = BigInt.asIntN(32, n.value);
    if (asInt >= 0n) return Number(asInt & 0xffffn);
  }
  for (const proto of SERVICE_PROTOS) {
    const port = serviceByName(text, proto);
    if (port !== undefined) return port;
  }
  return undefined;
}

/** XTTYPE_PORT (xtopt_parse_port): a getaddrinfo() port or service name. */
export function parseXtPort(text: string): number {
  const port = portByName(text);
  if (port === undefined) throw new ParamError(`Port "${text}" does not resolve to anything.\n`);
  return port;
}

/**
 * XTTYPE_PORTRC in iptables 1.8.9 (xtopt_parse_mport): up to two ':'-separated ports or
 * service names; an empty part keeps its default bound (0, 65535) and a single port p
 * means p:p. 1.8.9 does not check the order, so "10:5" is kept (and never matches).
 * `resolve` reads one port (portByName unless the caller has its own reading).
 */
export function parseXtPortRange(
  ext: string,
  option: string,
  text: string,
  resolve: (text: string) => number | undefined = portByName,
): [number, number] {
  const bounds: [number, number] = [0, 0xffff];
  const parts = text.split(':');
  parts.forEach((part, i) => {
    if (i === 2) throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)\n`);
    if (part === '') return;
    const port = resolve(part);
    if (port === undefined) throw new ParamError(`Port "${part}" does not resolve to anything.\n`);
    bounds[i] = port;
  });
  return parts.length === 1 ? [bounds[0], bounds[0]] : bounds;
}

/**
 * tcp_save / udp_save in 1.8.9 skip a side whose range is 0:65535 even when negated (the
 * listing still shows "spts:!0:65535").
 */
export function savePortRange(option: string, r: PortRange): string {
  if (r.min === 0 && r.max === 0xffff) return '';
  return rangeOptionText(option, r.min, r.max, r.invert);
}

/**
 * print_port / print_ports of the tcp, udp, sctp and dccp matches: " dpt:ssh",
 * " dpts:!1:1023"; nothing for the full range, not inverted (skip_ports_match).
 */
export function printPortRange(label: string, r: PortRange, proto: string, numeric: boolean): string {
  if (r.min === 0 && r.max === 0xffff && !r.invert) return '';
  const inv = r.invert ? '!' : '';
  if (r.min === r.max) return ` ${label}:${inv}${portName(r.min, proto, numeric)}`;
  return ` ${label}s:${inv}${portName(r.min, proto, numeric)}:${portName(r.max, proto, numeric)}`;
}
