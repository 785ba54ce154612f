/**
 * dccp match (libxt_dccp / kernel xt_dccp): source and destination port ranges, the DCCP
 * packet type and the presence of a DCCP option. Loaded implicitly by `-p dccp`; the
 * kernel accepts it only for -p dccp. Its ports are XTTYPE_PORTRC (getaddrinfo() service
 * lookup, no order check in 1.8.9).
 */
import { ParamError } from '../errors.js';
import { parseXtUint, rangeOptionText } from './common/numbers.js';
import { parseXtPortRange, printPortRange } from './common/ports.js';
import { defineMatch } from './types.js';

/** XT_DCCP_* bits of flags/invflags. */
export const DCCP = { SRC_PORTS: 0x01, DEST_PORTS: 0x02, TYPE: 0x04, OPTION: 0x08 } as const;

/** dccp_pkt_types, indexed by DCCP_PKT_* (INVALID = 10 stands for types 10-15). */
const PKT_TYPES = [
  'REQUEST',
  'RESPONSE',
  'DATA',
  'ACK',
  'DATAACK',
  'CLOSEREQ',
  'CLOSE',
  'RESET',
  'SYNC',
  'SYNCACK',
  'INVALID',
] as const;
const PKT_INVALID = 10;
/** INVALID_OTHER_TYPE_MASK: types 11-15 go with INVALID. */
const INVALID_OTHER = 0xf800;

export interface DccpState {
  /** DCCP bits of the tests made. */
  flags: number;
  /** DCCP bits of the negated tests. */
  invflags: number;
  spts: [number, number];
  dpts: [number, number];
  /** Bit n set: packet type n matches. */
  typemask: number;
  /** DCCP option number that must be present (1-255). */
  option: number;
}

/** parse_dccp_types: names, case-insensitive, comma-separated (empty items skipped). */
function parseTypes(text: string): number {
  let mask = 0;
  for (const item of text.split(',')) {
    if (item === '') continue;
    const i = PKT_TYPES.findIndex((n) => n === item.toUpperCase());
    if (i < 0) throw new ParamError(`Unknown DCCP type \`${item}'`);
    mask |= 1 << i;
  }
  if (mask & (1 << PKT_INVALID)) mask |= INVALID_OTHER;
  return mask;
}

/** print_types: numbers with -n (INVALID as 10-15), names otherwise, stopping at INVALID. */
function typesText(mask: number, numeric: boolean): string {
  const items: string[] = [];
  for (let i = 0; i < 16; i++) {
    if ((mask & (1 << i)) === 0) continue;
    if (numeric) {
      items.push(String(i));
      continue;
    }
    items.push(PKT_TYPES[i] ?? '');
    if (i === PKT_INVALID) break;
  }
  return ' ' + items.join(',');
}

function printPorts(label: string, [min, max]: [number, number], invert: boolean, numeric: boolean): string {
  return printPortRange(label, { min, max, invert }, 'dccp', numeric);
}

/** dccp_save writes the range even when it is 0:65535. */
function savePorts(option: string, [min, max]: [number, number], invert: boolean): string {
  return rangeOptionText(option, min, max, invert);
}

export const dccp = defineMatch<DccpState>({
  name: 'dccp',
  modelled: false,
  needs: 'evaluator',
  proto: 33,
  // --sport and --source-port are one x6 option (one id): the once-only check is shared
  // and names the first spelling, so the port options do their own checks.
  options: [
    { name: 'source-port', arg: 'required', invert: true, custom: true },
    { name: 'sport', arg: 'required', invert: true, custom: true },
    { name: 'destination-port', arg: 'required', invert: true, custom: true },
    { name: 'dport', arg: 'required', invert: true, custom: true },
    { name: 'dccp-types', arg: 'required', invert: true },
    { name: 'dccp-option', arg: 'required', invert: true },
  ],
  create: () => ({ flags: 0, invflags: 0, spts: [0, 0], dpts: [0, 0], typemask: 0, option: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    const mark = (bit: number): void => {
      s.flags |= bit;
      if (call.invert) s.invflags |= bit;
    };
    const once = (bit: number, canonical: string): void => {
      if (s.flags & bit) throw new ParamError(`dccp: option "--${canonical}" can only be used once.`);
    };
    switch (call.name) {
      case 'source-port':
      case 'sport':
        once(DCCP.SRC_PORTS, 'source-port');
        s.spts = parseXtPortRange('dccp', 'source-port', arg);
        mark(DCCP.SRC_PORTS);
        return;
      case 'destination-port':
      case 'dport':
        once(DCCP.DEST_PORTS, 'destination-port');
        s.dpts = parseXtPortRange('dccp', 'destination-port', arg);
        mark(DCCP.DEST_PORTS);
        return;
      case 'dccp-types':
        s.typemask = parseTypes(arg);
        mark(DCCP.TYPE);
        return;
      case 'dccp-option':
        s.option = parseXtUint('dccp', call.name, arg, 1, 255);
        mark(DCCP.OPTION);
        return;
    }
  },
  save(s) {
    let out = '';
    if (s.flags & DCCP.SRC_PORTS) out += savePorts('sport', s.spts, (s.invflags & DCCP.SRC_PORTS) !== 0);
    if (s.flags & DCCP.DEST_PORTS) out += savePorts('dport', s.dpts, (s.invflags & DCCP.DEST_PORTS) !== 0);
    if (s.flags & DCCP.TYPE) out += `${s.invflags & DCCP.TYPE ? ' !' : ''} --dccp-types${typesText(s.typemask, false)}`;
    if (s.flags & DCCP.OPTION) out += `${s.invflags & DCCP.OPTION ? ' !' : ''} --dccp-option ${s.option}`;
    return out;
  },
  print(s, _ip, numeric) {
    let out = ' dccp';
    if (s.flags & DCCP.SRC_PORTS) out += printPorts('spt', s.spts, (s.invflags & DCCP.SRC_PORTS) !== 0, numeric);
    if (s.flags & DCCP.DEST_PORTS) out += printPorts('dpt', s.dpts, (s.invflags & DCCP.DEST_PORTS) !== 0, numeric);
    if (s.flags & DCCP.TYPE) out += `${s.invflags & DCCP.TYPE ? ' !' : ''}${typesText(s.typemask, numeric)}`;
    if (s.flags & DCCP.OPTION) out += ` option=${s.invflags & DCCP.OPTION ? '!' : ''}${s.option}`;
    return out;
  },
});
