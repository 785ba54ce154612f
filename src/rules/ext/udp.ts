/**
 * udp match (libxt_udp / kernel xt_tcpudp udp_mt): source and destination port ranges,
 * each optionally negated. Loaded implicitly by `-p udp`; the kernel accepts it only for
 * -p udp.
 *
 * iptables 1.8.9 reads udp ports as XTTYPE_PORTRC, through getaddrinfo() rather than the
 * strtoul()/getservbyname() pair tcp uses, so the same text can mean different ports in
 * the two matches (see portByName).
 */
import { ParamError } from '../errors.js';
import { serviceByName } from '../sysdb.js';
import { fullPortRange, printPortRange, type PortRange } from './tcp.js';
import { defineMatch } from './types.js';

export interface UdpState {
  sport: PortRange;
  dport: PortRange;
}

/**
 * Protocols glibc's getaddrinfo() asks getservbyname() about when no socket type is
 * hinted (gaih_inet_typeproto order); the first that knows the name gives the port.
 */
const SERVICE_PROTOS = ['tcp', 'udp', 'dccp', 'udplite', 'sctp'];

const ULONG_MAX = (1n << 64n) - 1n;

/**
 * C strtoul(text, &end, 10) over the whole text: returns the unsigned long value when
 * every character was consumed (the empty text converts to 0), undefined otherwise.
 * Overflow saturates to ULONG_MAX and a minus sign negates modulo 2^64, as in C.
 */
function strtoulWhole10(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return text === '' ? 0n : undefined;
  const digits = BigInt(m[2]!);
  if (digits > ULONG_MAX) return ULONG_MAX;
  return m[1] === '-' ? (-digits) & ULONG_MAX : digits;
}

/**
 * xtables_getportbyname, i.e. getaddrinfo(NULL, text, NULL): a decimal number stored in
 * an int and then truncated to 16 bits (so "65536" is port 0 and "70000" is 4464), a
 * negative int falling back to a name lookup; no hex or octal; otherwise a service name of
 * any protocol (a tcp-only name like "http" is fine for udp).
 */
export function portByName(text: string): number | undefined {
  const n = strtoulWhole10(text);
  if (n !== undefined) {
    const asInt = BigInt.asIntN(32, n);
    if (asInt >= 0n) return Number(asInt & 0xffffn);
  }
  for (const proto of SERVICE_PROTOS) {
    const port = serviceByName(text, proto);
    if (port !== undefined) return port;
  }
  return undefined;
}

/**
 * xtopt_parse_mport as in 1.8.9: up to two ':'-separated parts, an empty part keeping
 * the default bound (0 or 65535), a single port meaning [p, p]. 1.8.9 does not check the
 * order, so "10:5" is kept (and never matches).
 */
function parsePortRangeOption(option: string, text: string): { min: number; max: number } {
  const bounds = [0, 0xffff];
  const parts = text.split(':');
  parts.forEach((part, i) => {
    if (i === 2) throw new ParamError(`udp: Too many components for option "--${option}" (max: 2)`);
    if (part === '') return;
    const port = portByName(part);
    if (port === undefined) throw new ParamError(`Port "${part}" does not resolve to anything.`);
    bounds[i] = port;
  });
  return parts.length === 1 ? { min: bounds[0]!, max: bounds[0]! } : { min: bounds[0]!, max: bounds[1]! };
}

/**
 * udp_save in 1.8.9 skips a side whose range is 0:65535 even when negated (the listing
 * still shows "spts:!0:65535"); that differs from tcp's savePortRange.
 */
function savePorts(option: string, r: PortRange): string {
  if (r.min === 0 && r.max === 0xffff) return '';
  const ports = r.min === r.max ? `${r.min}` : `${r.min}:${r.max}`;
  return `${r.invert ? ' !' : ''} --${option} ${ports}`;
}

/** Option ids: "sport"/"dport" share the id, and so the messages, of the long forms. */
const ID_NAMES = ['source-port', 'destination-port'] as const;
const ID_OF: Readonly<Record<string, number>> = { 'source-port': 0, sport: 0, 'destination-port': 1, dport: 1 };

export const udp = defineMatch<UdpState>({
  name: 'udp',
  modelled: true,
  // xt_tcpudp udp_mt_reg: .proto = IPPROTO_UDP.
  proto: 17,
  options: [
    { name: 'source-port', arg: 'required', invert: true, custom: true },
    { name: 'sport', arg: 'required', invert: true, custom: true },
    { name: 'destination-port', arg: 'required', invert: true, custom: true },
    { name: 'dport', arg: 'required', invert: true, custom: true },
  ],
  create: () => ({ sport: fullPortRange(), dport: fullPortRange() }),
  parse(s, call, ctx) {
    const id = ID_OF[call.name]!;
    const option = ID_NAMES[id];
    if ([...ctx.seen].some((name) => ID_OF[name] === id)) {
      throw new ParamError(`udp: option "--${option}" can only be used once.`);
    }
    const range = { ...parsePortRangeOption(option, call.arg ?? ''), invert: call.invert };
    if (id === 0) s.sport = range;
    else s.dport = range;
  },
  save: (s) => savePorts('sport', s.sport) + savePorts('dport', s.dport),
  print: (s, _ip, numeric) =>
    ' udp' + printPortRange('spt', s.sport, 'udp', numeric) + printPortRange('dpt', s.dport, 'udp', numeric),
});
