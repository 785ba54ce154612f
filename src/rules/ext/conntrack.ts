/**
 * conntrack match, revision 3 (libxt_conntrack / kernel xt_conntrack): connection state,
 * status, original/reply tuple addresses and ports, remaining lifetime and direction.
 * The `state` match is an alias of this one in iptables 1.8 and shares its state type.
 *
 * Also home of the x6 option-type parsers several of the conntrack-family modules need,
 * with iptables 1.8.9's semantics and messages: XTTYPE_HOST / HOSTMASK / PLEN (glibc's
 * strict inet_aton, no name resolution), XTTYPE_PORTRC (getaddrinfo service lookup),
 * XTTYPE_UINT32RC and XTTYPE_UINT32, and the C library number parsers (strtoul, atoi,
 * strtod) whose quirks show through in canonical output.
 */
import { ErrorCodes, ParamError } from '../errors.js';
import { serviceByName } from '../sysdb.js';
import {
  ipToAnyName,
  ipToString,
  maskToNumeric,
  maskToCidr,
  parseProtocol,
  prefixMask,
  strtoul,
  strtoulPrefix,
} from '../values.js';
import { defineMatch } from './types.js';

// ---------------------------------------------------------------------------------------
// C library number parsing

const C_SPACE = ' \t\n\v\f\r';

export interface CNumber {
  /** The value as the C function returns it (already wrapped or clamped). */
  value: bigint;
  /** Index just past the last character consumed; 0 when nothing was converted. */
  end: number;
  /** The magnitude did not fit in 64 bits (errno ERANGE). */
  erange: boolean;
}

function digitValue(ch: string | undefined): number {
  if (ch === undefined) return 99;
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

/**
 * strtoul(3) on an LP64 system: leading white space, optional sign (a minus negates the
 * result modulo 2^64), base 0 detects 0x/0 prefixes, overflow clamps to ULONG_MAX.
 */
export function cStrtoul(text: string, base: number): CNumber {
  let i = 0;
  while (i < text.length && C_SPACE.includes(text[i]!)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let b = base;
  if ((b === 0 || b === 16) && text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && digitValue(text[i + 2]) < 16) {
    i += 2;
    b = 16;
  } else if (b === 0) {
    b = text[i] === '0' ? 8 : 10;
  }
  const start = i;
  let value = 0n;
  let overflow = false;
  while (i < text.length && digitValue(text[i]) < b) {
    value = value * BigInt(b) + BigInt(digitValue(text[i]));
    if (value > 0xffffffffffffffffn) overflow = true;
    i++;
  }
  if (i === start) return { value: 0n, end: 0, erange: false };
  if (overflow) return { value: 0xffffffffffffffffn, end: i, erange: true };
  return { value: negative ? (-value) & 0xffffffffffffffffn : value, end: i, erange: false };
}

/** atoi(3) / atoll(3): strtol semantics in base 10, saturating, then (for atoi) an int cast. */
export function cAtoll(text: string): bigint {
  let i = 0;
  while (i < text.length && C_SPACE.includes(text[i]!)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let value = 0n;
  while (i < text.length && digitValue(text[i]) < 10) {
    value = value * 10n + BigInt(digitValue(text[i]));
    i++;
  }
  if (negative) value = -value;
  if (value > 0x7fffffffffffffffn) return 0x7fffffffffffffffn;
  if (value < -0x8000000000000000n) return -0x8000000000000000n;
  return value;
}

/** atoi(3): the long result truncated to a 32-bit int. */
export function cAtoi(text: string): number {
  return Number(BigInt.asIntN(32, cAtoll(text)));
}

/**
 * strtod(3): decimal and hexadecimal floating point, "inf"/"infinity"/"nan", leading
 * white space; returns the value and how much was consumed (0 when nothing).
 */
export function cStrtod(text: string): { value: number; end: number } {
  let i = 0;
  while (i < text.length && C_SPACE.includes(text[i]!)) i++;
  const rest = text.slice(i);
  const special = /^([+-]?)(infinity|inf|nan(\([0-9A-Za-z_]*\))?)/i.exec(rest);
  if (special) {
    const sign = special[1] === '-' ? -1 : 1;
    const word = special[2]!.toLowerCase();
    return { value: word.startsWith('nan') ? NaN : sign * Infinity, end: i + special[0].length };
  }
  const hexm = /^([+-]?)0[xX](([0-9a-fA-F]+)(\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))([pP]([+-]?\d+))?/.exec(rest);
  if (hexm) {
    const intPart = hexm[3] ?? '';
    const fracPart = hexm[5] ?? hexm[6] ?? '';
    let mant = 0;
    for (const ch of intPart + fracPart) mant = mant * 16 + digitValue(ch);
    let exp = -4 * fracPart.length;
    let len = hexm[0].length;
    if (hexm[8] !== undefined) exp += Number(hexm[8]);
    else if (hexm[7] !== undefined) len -= hexm[7].length;
    const value = mant * Math.pow(2, exp);
    return { value: hexm[1] === '-' ? -value : value, end: i + len };
  }
  const dec = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
  if (!dec) return { value: 0, end: 0 };
  // "1e" or "1e+" stop before the exponent letter, as strtod does.
  return { value: Number(dec[0]), end: i + dec[0].length };
}

// ---------------------------------------------------------------------------------------
// Addresses (XTTYPE_HOST, XTTYPE_HOSTMASK, XTTYPE_PLEN)

/**
 * glibc's __inet_aton_exact, which getaddrinfo() tries first for AF_INET: one to four
 * parts, each decimal, 0x-hex or 0-octal; the last part fills the remaining bytes
 * ("10.1" is 10.0.0.1, "167772161" is 10.0.0.1); nothing may follow.
 */
export function inetAtonExact(text: string): number | undefined {
  const parts: number[] = [];
  let i = 0;
  for (;;) {
    const ch = text[i];
    if (ch === undefined || ch < '0' || ch > '9') return undefined;
    let base = 10;
    let digits = 0;
    if (ch === '0') {
      i++;
      if (text[i] === 'x' || text[i] === 'X') {
        base = 16;
        i++;
      } else {
        base = 8;
        digits = 1;
      }
    }
    let value = 0;
    while (i < text.length && digitValue(text[i]) < base) {
      value = value * base + digitValue(text[i]);
      if (value > 0xffffffff) return undefined;
      digits++;
      i++;
    }
    if (digits === 0) return undefined;
    if (text[i] === '.') {
      if (parts.length >= 3 || value > 0xff) return undefined;
      parts.push(value);
      i++;
      continue;
    }
    if (i !== text.length) return undefined;
    const limits = [0xffffffff, 0xffffff, 0xffff, 0xff];
    if (value > limits[parts.length]!) return undefined;
    let addr = 0;
    parts.forEach((p, k) => {
      addr += p * 2 ** (24 - 8 * k);
    });
    return (addr + value) >>> 0;
  }
}

/**
 * XTTYPE_HOST (xtopt_parse_host): getaddrinfo() accepts the numeric forms above and
 * would otherwise resolve a name; nfreplay refuses names so a replay never depends on a
 * resolver.
 */
export function parseXtHost(text: string): number {
  const addr = inetAtonExact(text);
  if (addr !== undefined) return addr;
  throw new ParamError(
    `host \`${text}' is not a numeric address; nfreplay does not resolve names (use the address)`,
    ErrorCodes.HOSTNAME,
  );
}

/** The prefix length iptables keeps for a netmask that is not a CIDR prefix (uint8_t -1). */
export const NON_CIDR_PLEN = 255;

/**
 * XTTYPE_PLEN (xtopt_parse_plen): a base-0 prefix length 0-32, or else any numeric
 * address taken as a netmask; a non-contiguous mask yields NON_CIDR_PLEN.
 */
export function parsePlen(ext: string, option: string, text: string): number {
  const bits = strtoul(text, 0, 32);
  if (bits !== undefined) return bits;
  const mask = inetAtonExact(text);
  if (mask === undefined) {
    throw new ParamError(
      `${ext}: bad value for option "--${option}", neither a valid network mask nor valid CIDR (0-32).\n`,
    );
  }
  const cidr = maskToCidr(mask);
  return cidr < 0 ? NON_CIDR_PLEN : cidr;
}

export interface HostMask {
  addr: number;
  mask: number;
}

/**
 * XTTYPE_HOSTMASK (xtopt_parse_hostmask): "address[/plen-or-mask]". The address keeps its
 * host bits; iptables 1.8.9's xtopt_parse_plenmask turns a prefix length above 32 (a
 * non-CIDR netmask) into an all-ones mask.
 */
export function parseHostMask(ext: string, option: string, text: string): HostMask {
  const slash = text.indexOf('/');
  if (slash < 0) return { addr: parseXtHost(text), mask: 0xffffffff };
  const addr = parseXtHost(text.slice(0, slash));
  const plen = parsePlen(ext, option, text.slice(slash + 1));
  return { addr, mask: plen > 32 ? 0xffffffff : prefixMask(plen) };
}

// ---------------------------------------------------------------------------------------
// Integers and ports

/** XTTYPE_UINT8/16/32 (xtopt_parse_int): a whole base-0 number in [min, max]. */
export function parseXtUint(ext: string, option: string, text: string, min: number, max: number): number {
  const n = strtoul(text, min, max);
  if (n === undefined) {
    throw new ParamError(`${ext}: bad value for option "--${option}", or out of range (${min}-${max}).\n`);
  }
  return n;
}

export interface NumRange {
  min: number;
  max: number;
}

/**
 * XTTYPE_UINT32RC in iptables 1.8.9 (xtopt_parse_mint): "a", "a:b", ":b", "a:", ":";
 * a missing first value is 0 and a missing second one the type maximum. 1.8.9 does not
 * require a <= b (the kernel then never matches).
 */
export function parseUintRange(ext: string, option: string, text: string, typeMax: number): NumRange {
  const values: number[] = [];
  let pos = 0;
  for (;;) {
    if (values.length === 2) {
      throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)\n`);
    }
    const rest = text.slice(pos);
    let end: number;
    if (rest === '' || rest[0] === ':') {
      values.push(values.length === 1 ? typeMax : 0);
      end = pos;
    } else {
      const r = strtoulPrefix(rest);
      if (r === undefined || r.value > typeMax) {
        throw new ParamError(
          `${ext}: bad value for option "--${option}" near "${rest}", or out of range (0-${typeMax}).\n`,
        );
      }
      end = pos + r.end;
      if (end < text.length && text[end] !== ':') {
        throw new ParamError(`${ext}: Argument to "--${option}" has unexpected characters near "${text.slice(end)}".\n`);
      }
      values.push(r.value);
    }
    if (end >= text.length) break;
    pos = end + 1;
  }
  return { min: values[0]!, max: values.length > 1 ? values[1]! : values[0]! };
}

/**
 * xtables_getportbyname: getaddrinfo(NULL, name) with no socket type. A decimal number
 * (strtoul, so leading blanks and '+' pass) is taken modulo 65536 as getaddrinfo does;
 * otherwise /etc/services is searched, tcp first, then udp.
 */
export function getPortByName(name: string): number | undefined {
  const trimmed = name.replace(/^[ \t\n\v\f\r]+/, '');
  if (/^\+?[0-9]+$/.test(trimmed)) return Number(cStrtoul(trimmed, 10).value & 0xffffn);
  return serviceByName(name, 'tcp') ?? serviceByName(name, 'udp');
}

/**
 * XTTYPE_PORTRC in iptables 1.8.9 (xtopt_parse_mport): "p", "p:q", ":q", "p:", with
 * missing ends 0 and 65535. 1.8.9 does not require p <= q.
 */
export function parsePortRangeRC(ext: string, option: string, text: string): NumRange {
  const range = [0, 0xffff];
  const pieces = text.split(':');
  let n = 0;
  for (const piece of pieces) {
    if (n === 2) throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)\n`);
    if (piece !== '') {
      const port = getPortByName(piece);
      if (port === undefined) throw new ParamError(`Port "${piece}" does not resolve to anything.\n`);
      range[n] = port;
    }
    n++;
  }
  if (n === 1) range[1] = range[0]!;
  return { min: range[0]!, max: range[1]! };
}

// ---------------------------------------------------------------------------------------
// The conntrack match

/** xt_conntrack match_flags / invert_flags bits. */
export const CT = {
  STATE: 1 << 0,
  PROTO: 1 << 1,
  ORIGSRC: 1 << 2,
  ORIGDST: 1 << 3,
  REPLSRC: 1 << 4,
  REPLDST: 1 << 5,
  STATUS: 1 << 6,
  EXPIRES: 1 << 7,
  ORIGSRC_PORT: 1 << 8,
  ORIGDST_PORT: 1 << 9,
  REPLSRC_PORT: 1 << 10,
  REPLDST_PORT: 1 << 11,
  /** With the invert bit: REPLY, without: ORIGINAL. */
  DIRECTION: 1 << 12,
  /** Set by the state alias: printed as "state" / saved as "-m state --state". */
  STATE_ALIAS: 1 << 13,
} as const;

/**
 * Connection states as the kernel's state_mask bits (XT_CONNTRACK_STATE_BIT(ctinfo) is
 * 1 << (ctinfo + 1) with IP_CT_ESTABLISHED 0, IP_CT_RELATED 1, IP_CT_NEW 2).
 */
export const CT_STATE = {
  INVALID: 1 << 0,
  ESTABLISHED: 1 << 1,
  RELATED: 1 << 2,
  NEW: 1 << 3,
  /** 1 << (IP_CT_NUMBER + 1) */
  UNTRACKED: 1 << 6,
  SNAT: 1 << 8,
  DNAT: 1 << 9,
} as const;

/** Connection status bits (enum ip_conntrack_status). */
export const CT_STATUS = {
  EXPECTED: 1 << 0,
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  CONFIRMED: 1 << 3,
} as const;

/** Parse order: a token matches the first name it is a case-insensitive prefix of. */
const STATE_PARSE_ORDER: ReadonlyArray<readonly [string, number]> = [
  ['INVALID', CT_STATE.INVALID],
  ['NEW', CT_STATE.NEW],
  ['ESTABLISHED', CT_STATE.ESTABLISHED],
  ['RELATED', CT_STATE.RELATED],
  ['UNTRACKED', CT_STATE.UNTRACKED],
  ['SNAT', CT_STATE.SNAT],
  ['DNAT', CT_STATE.DNAT],
];

/** print_state order. */
const STATE_PRINT_ORDER: ReadonlyArray<readonly [string, number]> = [
  ['INVALID', CT_STATE.INVALID],
  ['NEW', CT_STATE.NEW],
  ['RELATED', CT_STATE.RELATED],
  ['ESTABLISHED', CT_STATE.ESTABLISHED],
  ['UNTRACKED', CT_STATE.UNTRACKED],
  ['SNAT', CT_STATE.SNAT],
  ['DNAT', CT_STATE.DNAT],
];

const STATUS_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['NONE', 0],
  ['EXPECTED', CT_STATUS.EXPECTED],
  ['SEEN_REPLY', CT_STATUS.SEEN_REPLY],
  ['ASSURED', CT_STATUS.ASSURED],
  ['CONFIRMED', CT_STATUS.CONFIRMED],
];

/** strncasecmp(token, name, strlen(token)) == 0: the token is a prefix of the name. */
function prefixOf(token: string, name: string): boolean {
  return token.length <= name.length && name.slice(0, token.length).toLowerCase() === token.toLowerCase();
}

/**
 * The comma-list walk of conntrack_ps_states / state_parse_states: each token is looked
 * up by prefix; on failure the message quotes the rest of the list from that token on.
 */
export function parseNameList(
  arg: string,
  names: ReadonlyArray<readonly [string, number]>,
  bad: (rest: string) => string,
  emptyTail: string | undefined,
): number {
  let mask = 0;
  let pos = 0;
  for (;;) {
    const comma = arg.indexOf(',', pos);
    const rest = arg.slice(pos);
    if (comma < 0) {
      if (rest === '' && emptyTail !== undefined) throw new ParamError(emptyTail);
      const hit = rest === '' ? undefined : names.find(([name]) => prefixOf(rest, name));
      if (!hit) throw new ParamError(bad(rest));
      return mask | hit[1];
    }
    const token = arg.slice(pos, comma);
    const hit = token === '' ? undefined : names.find(([name]) => prefixOf(token, name));
    if (!hit) throw new ParamError(bad(rest));
    mask |= hit[1];
    pos = comma + 1;
  }
}

/** state_parse_states: the state alias knows neither SNAT nor DNAT. */
export function parseStateAliasList(arg: string): number {
  return parseNameList(
    arg,
    STATE_PARSE_ORDER.slice(0, 5),
    (rest) => `Bad state "${rest}"`,
    '"--state" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED',
  );
}

export interface ConntrackState {
  /** CT bits of the options given. */
  matchFlags: number;
  /** CT bits of the negated options (DIRECTION: REPLY). */
  invertFlags: number;
  /** CT_STATE bits. */
  stateMask: number;
  /** CT_STATUS bits (0 is NONE). */
  statusMask: number;
  /** Layer-4 protocol number of the original direction. */
  l4proto: number;
  origSrc: HostMask;
  origDst: HostMask;
  replSrc: HostMask;
  replDst: HostMask;
  origSrcPort: NumRange;
  origDstPort: NumRange;
  replSrcPort: NumRange;
  replDstPort: NumRange;
  /** Remaining lifetime bounds in seconds. */
  expiresMin: number;
  expiresMax: number;
}

export function newConntrackState(): ConntrackState {
  const host = (): HostMask => ({ addr: 0, mask: 0 });
  const ports = (): NumRange => ({ min: 0, max: 0 });
  return {
    matchFlags: 0,
    invertFlags: 0,
    stateMask: 0,
    statusMask: 0,
    l4proto: 0,
    origSrc: host(),
    origDst: host(),
    replSrc: host(),
    replDst: host(),
    origSrcPort: ports(),
    origDstPort: ports(),
    replSrcPort: ports(),
    replDstPort: ports(),
    expiresMin: 0,
    expiresMax: 0,
  };
}

type AddrKey = 'origSrc' | 'origDst' | 'replSrc' | 'replDst';
type PortKey = 'origSrcPort' | 'origDstPort' | 'replSrcPort' | 'replDstPort';

const ADDR_OPTIONS: ReadonlyArray<readonly [string, AddrKey, number]> = [
  ['ctorigsrc', 'origSrc', CT.ORIGSRC],
  ['ctorigdst', 'origDst', CT.ORIGDST],
  ['ctreplsrc', 'replSrc', CT.REPLSRC],
  ['ctrepldst', 'replDst', CT.REPLDST],
];

const PORT_OPTIONS: ReadonlyArray<readonly [string, PortKey, number]> = [
  ['ctorigsrcport', 'origSrcPort', CT.ORIGSRC_PORT],
  ['ctorigdstport', 'origDstPort', CT.ORIGDST_PORT],
  ['ctreplsrcport', 'replSrcPort', CT.REPLSRC_PORT],
  ['ctrepldstport', 'replDstPort', CT.REPLDST_PORT],
];

function setFlag(s: ConntrackState, flag: number, invert: boolean): void {
  s.matchFlags |= flag;
  if (invert) s.invertFlags |= flag;
}

/** conntrack_dump_addr: "anywhere" for a zero address unless numeric, whatever the mask. */
function dumpAddr(h: HostMask, numeric: boolean): string {
  if (!numeric && h.addr === 0) return ' anywhere';
  return ' ' + (numeric ? ipToString(h.addr) : ipToAnyName(h.addr)) + maskToNumeric(h.mask);
}

/** conntrack_dump_ports: a zero upper bound (only reachable as "p:0") prints as one port. */
function dumpPorts(r: NumRange): string {
  return r.max === 0 || r.min === r.max ? ` ${r.min}` : ` ${r.min}:${r.max}`;
}

function namesText(mask: number, names: ReadonlyArray<readonly [string, number]>): string {
  return names
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => name)
    .join(',');
}

/** conntrack_dump: the listing (prefix "") and the save text (prefix "--", numeric). */
export function conntrackDump(s: ConntrackState, prefix: string, numeric: boolean): string {
  const inv = (flag: number): string => ((s.invertFlags & flag) !== 0 ? ' !' : '');
  let out = '';
  if (s.matchFlags & CT.STATE) {
    const word = s.matchFlags & CT.STATE_ALIAS ? 'state' : 'ctstate';
    const states = namesText(s.stateMask, STATE_PRINT_ORDER);
    out += `${inv(CT.STATE)} ${prefix}${word}${states ? ' ' + states : ''}`;
  }
  if (s.matchFlags & CT.PROTO) out += `${inv(CT.PROTO)} ${prefix}ctproto ${s.l4proto}`;
  for (const [option, key, flag] of ADDR_OPTIONS) {
    if (s.matchFlags & flag) out += `${inv(flag)} ${prefix}${option}${dumpAddr(s[key], numeric)}`;
  }
  for (const [option, key, flag] of PORT_OPTIONS) {
    if (s.matchFlags & flag) out += `${inv(flag)} ${prefix}${option}${dumpPorts(s[key])}`;
  }
  if (s.matchFlags & CT.STATUS) {
    const status = s.statusMask === 0 ? 'NONE' : namesText(s.statusMask, STATUS_NAMES.slice(1));
    out += `${inv(CT.STATUS)} ${prefix}ctstatus ${status}`;
  }
  if (s.matchFlags & CT.EXPIRES) {
    const range = s.expiresMin === s.expiresMax ? `${s.expiresMin}` : `${s.expiresMin}:${s.expiresMax}`;
    out += `${inv(CT.EXPIRES)} ${prefix}ctexpire ${range}`;
  }
  if (s.matchFlags & CT.DIRECTION) {
    out += ` ${prefix}ctdir ${s.invertFlags & CT.DIRECTION ? 'REPLY' : 'ORIGINAL'}`;
  }
  return out;
}

export const conntrack = defineMatch<ConntrackState>({
  name: 'conntrack',
  modelled: true,
  options: [
    { name: 'ctstate', arg: 'required', invert: true },
    { name: 'ctproto', arg: 'required', invert: true },
    { name: 'ctorigsrc', arg: 'required', invert: true },
    { name: 'ctorigdst', arg: 'required', invert: true },
    { name: 'ctreplsrc', arg: 'required', invert: true },
    { name: 'ctrepldst', arg: 'required', invert: true },
    { name: 'ctstatus', arg: 'required', invert: true },
    { name: 'ctexpire', arg: 'required', invert: true },
    { name: 'ctorigsrcport', arg: 'required', invert: true },
    { name: 'ctorigdstport', arg: 'required', invert: true },
    { name: 'ctreplsrcport', arg: 'required', invert: true },
    { name: 'ctrepldstport', arg: 'required', invert: true },
    { name: 'ctdir', arg: 'required' },
  ],
  create: newConntrackState,
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'ctstate':
        s.stateMask |= parseNameList(arg, STATE_PARSE_ORDER, (rest) => `Bad ctstate "${rest}"`, undefined);
        setFlag(s, CT.STATE, call.invert);
        return;
      case 'ctproto':
        s.l4proto = parseProtocol(arg);
        // 1.8.9 tests the STATUS invert bit here (XT_INV_PROTO happens to equal it), before
        // this option's own invert bit is recorded.
        if (s.l4proto === 0 && s.invertFlags & CT.STATUS) {
          throw new ParamError('conntrack: rule would never match protocol');
        }
        setFlag(s, CT.PROTO, call.invert);
        return;
      case 'ctstatus':
        s.statusMask |= parseNameList(arg, STATUS_NAMES, (rest) => `Bad ctstatus "${rest}"`, undefined);
        setFlag(s, CT.STATUS, call.invert);
        return;
      case 'ctexpire': {
        const r = parseUintRange('conntrack', 'ctexpire', arg, 0xffffffff);
        s.expiresMin = r.min;
        s.expiresMax = r.max;
        setFlag(s, CT.EXPIRES, call.invert);
        return;
      }
      case 'ctdir':
        if (arg.toUpperCase() === 'ORIGINAL') {
          s.matchFlags |= CT.DIRECTION;
          s.invertFlags &= ~CT.DIRECTION;
        } else if (arg.toUpperCase() === 'REPLY') {
          s.matchFlags |= CT.DIRECTION;
          s.invertFlags |= CT.DIRECTION;
        } else {
          throw new ParamError(`conntrack: Bad value for "--ctdir" option: "${arg}"`);
        }
        return;
    }
    const addr = ADDR_OPTIONS.find(([option]) => option === call.name);
    if (addr) {
      s[addr[1]] = parseHostMask('conntrack', call.name, arg);
      setFlag(s, addr[2], call.invert);
      return;
    }
    const port = PORT_OPTIONS.find(([option]) => option === call.name)!;
    s[port[1]] = parsePortRangeRC('conntrack', call.name, arg);
    setFlag(s, port[2], call.invert);
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('conntrack: At least one option is required');
  },
  save: (s) => conntrackDump(s, '--', true),
  print: (s, _ip, numeric) => conntrackDump(s, '', numeric),
});
