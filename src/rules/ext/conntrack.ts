/**
 * conntrack match, revision 3 (libxt_conntrack / kernel xt_conntrack): connection state,
 * status, original/reply tuple addresses and ports, remaining lifetime and direction.
 * The `state` match is an alias of this one in iptables 1.8 and shares its state type.
 */
import { ParamError } from '../errors.js';
import { serviceByName } from '../sysdb.js';
import { ipToAnyName, ipToString, maskToNumeric, parseProtocol } from '../values.js';
import { parseXtHostMask, type HostMask } from './common/addresses.js';
import { cStrtoul, parseXtUintRange, rangeText } from './common/numbers.js';
import { parseXtPortRange } from './common/ports.js';
import { isCasePrefix } from './common/strings.js';
import { defineMatch } from './types.js';
import type { PacketState } from '../../engine/packet.js';
import { CtInfo, Status, type ConnEntry, type Tuple } from '../../conntrack/entry.js';

export interface NumRange {
  min: number;
  max: number;
}

/**
 * How the conntrack port options read one port: xtables_getportbyname, mirrored less
 * closely than portByName does it for the other XTTYPE_PORTRC options. Here any decimal
 * number is taken modulo 65536 (getaddrinfo() stores it in an int, so iptables 1.8.9
 * refuses numbers from 2^31 on), and only tcp and udp service names are looked up
 * (getaddrinfo() also asks dccp, udplite and sctp).
 */
function getPortByName(name: string): number | undefined {
  const trimmed = name.replace(/^[ \t\n\v\f\r]+/, '');
  if (/^\+?[0-9]+$/.test(trimmed)) {
    const value = cStrtoul(trimmed, 10).value;
    return value >= 0x80000000n ? undefined : Number(value & 0xffffn);
  }
  return serviceByName(name, 'tcp') ?? serviceByName(name, 'udp');
}

/** XTTYPE_PORTRC with conntrack's port reading: "p", "p:q", ":q", "p:", missing ends 0 and 65535. */
function parseCtPortRange(option: string, text: string): NumRange {
  const [min, max] = parseXtPortRange('conntrack', option, text, getPortByName);
  return { min, max };
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
      const hit = rest === '' ? undefined : names.find(([name]) => isCasePrefix(rest, name));
      if (!hit) throw new ParamError(bad(rest));
      return mask | hit[1];
    }
    const token = arg.slice(pos, comma);
    const hit = token === '' ? undefined : names.find(([name]) => isCasePrefix(token, name));
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
    out += `${inv(CT.EXPIRES)} ${prefix}ctexpire ${rangeText(s.expiresMin, s.expiresMax)}`;
  }
  if (s.matchFlags & CT.DIRECTION) {
    out += ` ${prefix}ctdir ${s.invertFlags & CT.DIRECTION ? 'REPLY' : 'ORIGINAL'}`;
  }
  return out;
}

/** What XT_CONNTRACK_STATE_BIT(ctinfo) gives, by ctinfo (either direction). */
const CTINFO_STATE = [CT_STATE.ESTABLISHED, CT_STATE.RELATED, CT_STATE.NEW, CT_STATE.ESTABLISHED, CT_STATE.RELATED];

const inRange = (v: number, r: NumRange, invert: boolean): boolean => (v >= r.min && v <= r.max) !== invert;
const inNet = (addr: number, h: HostMask): boolean => ((addr ^ h.addr) & h.mask) === 0;

/**
 * conntrack_mt() (net/netfilter/xt_conntrack.c) for revision 3, the one iptables 1.8 loads.
 * Runs for every packet a rule with it sees: the flag tests are written out (no closure
 * over `s`, no destructuring), so that it allocates nothing.
 */
export function conntrackMatch(s: ConntrackState, pkt: PacketState): boolean {
  const ct = pkt.ct;
  const on = s.matchFlags;
  const inv = s.invertFlags;
  if (on & CT.STATE) {
    let bit = ct !== null ? CTINFO_STATE[pkt.ctinfo]! : pkt.ctinfo === CtInfo.UNTRACKED ? CT_STATE.UNTRACKED : CT_STATE.INVALID;
    if (ct !== null) {
      if (ct.status & Status.SRC_NAT) bit |= CT_STATE.SNAT;
      if (ct.status & Status.DST_NAT) bit |= CT_STATE.DNAT;
    }
    if (((s.stateMask & bit) !== 0) === ((inv & CT.STATE) !== 0)) return false;
  }
  if (ct === null) return (on & CT.STATE) !== 0;
  if (on & CT.DIRECTION && (pkt.ctinfo < CtInfo.IS_REPLY) === ((inv & CT.DIRECTION) !== 0)) return false;
  return tuplesMatch(s, ct.tuple[0], ct.tuple[1]) && statusMatch(s, ct, pkt.nowNs);
}

/** The address, protocol and port tests on the original and reply tuples. */
function tuplesMatch(s: ConntrackState, orig: Tuple, repl: Tuple): boolean {
  const on = s.matchFlags;
  const inv = s.invertFlags;
  if (on & CT.ORIGSRC && inNet(orig.src, s.origSrc) === ((inv & CT.ORIGSRC) !== 0)) return false;
  if (on & CT.ORIGDST && inNet(orig.dst, s.origDst) === ((inv & CT.ORIGDST) !== 0)) return false;
  if (on & CT.REPLSRC && inNet(repl.src, s.replSrc) === ((inv & CT.REPLSRC) !== 0)) return false;
  if (on & CT.REPLDST && inNet(repl.dst, s.replDst) === ((inv & CT.REPLDST) !== 0)) return false;
  // ct_proto_port_check_v3(): ports as tuple src.u.all / dst.u.all (ICMP: id, type and code).
  if (on & CT.PROTO && (orig.proto === s.l4proto) === ((inv & CT.PROTO) !== 0)) return false;
  if (on & CT.ORIGSRC_PORT && !inRange(orig.sport, s.origSrcPort, (inv & CT.ORIGSRC_PORT) !== 0)) return false;
  if (on & CT.ORIGDST_PORT && !inRange(orig.dport, s.origDstPort, (inv & CT.ORIGDST_PORT) !== 0)) return false;
  if (on & CT.REPLSRC_PORT && !inRange(repl.sport, s.replSrcPort, (inv & CT.REPLSRC_PORT) !== 0)) return false;
  if (on & CT.REPLDST_PORT && !inRange(repl.dport, s.replDstPort, (inv & CT.REPLDST_PORT) !== 0)) return false;
  return true;
}

/** The --ctstatus and --ctexpire tests. */
function statusMatch(s: ConntrackState, ct: ConnEntry, nowNs: number): boolean {
  const on = s.matchFlags;
  const inv = s.invertFlags;
  if (on & CT.STATUS && ((s.statusMask & ct.status) !== 0) === ((inv & CT.STATUS) !== 0)) return false;
  if (on & CT.EXPIRES) {
    const left = Math.max(0, Math.floor((ct.expiresNs - nowNs) / 1e9));
    if ((left >= s.expiresMin && left <= s.expiresMax) === ((inv & CT.EXPIRES) !== 0)) return false;
  }
  return true;
}

export const conntrack = defineMatch<ConntrackState>({
  name: 'conntrack',
  modelled: true,
  matchPacket: conntrackMatch,
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
        // XTTYPE_UINT32RC; 1.8.9 keeps a reversed range (the kernel then never matches).
        const [min, max = min] = parseXtUintRange('conntrack', 'ctexpire', arg, 0xffffffff);
        s.expiresMin = min;
        s.expiresMax = max;
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
      s[addr[1]] = parseXtHostMask('conntrack', call.name, arg);
      setFlag(s, addr[2], call.invert);
      return;
    }
    const port = PORT_OPTIONS.find(([option]) => option === call.name)!;
    s[port[1]] = parseCtPortRange(call.name, arg);
    setFlag(s, port[2], call.invert);
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('conntrack: At least one option is required');
  },
  save: (s) => conntrackDump(s, '--', true),
  print: (s, _ip, numeric) => conntrackDump(s, '', numeric),
});
