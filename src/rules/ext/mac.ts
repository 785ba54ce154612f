/**
 * mac match (libxt_mac / kernel xt_mac): the Ethernet source address of a received frame.
 * The kernel allows it only where a frame has been received: PREROUTING, INPUT, FORWARD.
 */
import { ParamError } from '../errors.js';
import { cStrtoul } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface MacState {
  /** The six address bytes as one 48-bit integer, first byte most significant. */
  mac: number;
  invert: boolean;
}

/**
 * One field of xtopt_parse_ethermac: C strtoul(field, &end, 16) — leading white space, a
 * sign, an optional 0x — of which at most two characters may be consumed, stored in a
 * uint8_t (so "-1" is 0xff and an empty field is 0). Returns the byte and where it
 * stopped, or undefined when more than two characters were used.
 */
function macField(text: string, start: number): { byte: number; end: number } | undefined {
  // No digits: strtoul converts nothing and leaves end at the field's start.
  const r = cStrtoul(text.slice(start), 16);
  if (r.end > 2) return undefined;
  return { byte: Number(r.value & 0xffn), end: start + r.end };
}

/** xtopt_parse_ethermac: six fields separated by ':' and nothing after the last. */
export function parseMac(text: string): number {
  let mac = 0;
  let pos = 0;
  for (let i = 0; i < 6; i++) {
    const field = macField(text, pos);
    const want = i < 5 ? ':' : undefined;
    if (field === undefined || text[field.end] !== want) throw new ParamError('Invalid MAC address specified.');
    mac = mac * 256 + field.byte;
    pos = field.end + 1;
  }
  return mac;
}

/** xtables_print_mac: lower-case hex pairs joined by ':'. */
export function macToString(mac: number): string {
  const bytes: string[] = [];
  for (let i = 5; i >= 0; i--) bytes.push((Math.floor(mac / 2 ** (8 * i)) & 0xff).toString(16).padStart(2, '0'));
  return bytes.join(':');
}

/** ARPHRD_ETHER */
const ARPHRD_ETHER = 1;

export const mac = defineMatch<MacState>({
  name: 'mac',
  modelled: true,
  // xt_mac mac_mt_reg: .hooks = PRE_ROUTING | LOCAL_IN | FORWARD.
  hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
  options: [{ name: 'mac-source', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ mac: 0, invert: false }),
  parse(s, call) {
    s.mac = parseMac(call.arg ?? '');
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --mac-source ${macToString(s.mac)}`,
  print: (s) => ` MAC ${s.invert ? '! ' : ''}${macToString(s.mac)}`,
  /**
   * mac_mt: false, whatever the negation, unless the packet came in on an Ethernet device
   * with its link header still in front of it: a raw-IP or cooked capture without a
   * 6-byte address, or the loopback device (ARPHRD_LOOPBACK), never matches.
   */
  matchPacket(s, pkt) {
    const v = pkt.view;
    if (v.srcMac < 0 || (v.arphrd >= 0 && v.arphrd !== ARPHRD_ETHER) || pkt.inIface === 'lo') return false;
    return (v.srcMac === s.mac) !== s.invert;
  },
});
