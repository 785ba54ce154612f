/**
 * icmp match (libipt_icmp / kernel ip_tables icmp_match): ICMP type and a code range,
 * given by name or as "type[/code[:code]]". Loaded implicitly by `-p icmp`; the kernel
 * accepts it only for -p icmp.
 */
import { code } from '../../compile/builder.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hotdrop } from './common/hotdrop.js';
import { strtoulPrefix } from '../values.js';
import { isCasePrefix } from './common/strings.js';
import { defineMatch } from './types.js';

export interface IcmpState {
  /** 0xff with codes 0-255 is "any" (icmp_init's default, matching every ICMP packet). */
  type: number;
  codeMin: number;
  codeMax: number;
  invert: boolean;
}

interface IcmpName {
  name: string;
  type: number;
  codeMin: number;
  codeMax: number;
}

function named(name: string, type: number, codeMin = 0, codeMax = 0xff): IcmpName {
  return { name, type, codeMin, codeMax };
}

function coded(name: string, type: number, code: number): IcmpName {
  return { name, type, codeMin: code, codeMax: code };
}

/**
 * libxt_icmp.h icmp_codes, in its order: a name may be abbreviated, and the listing uses
 * the first entry whose type and code range are exactly the rule's.
 */
const ICMP_NAMES: readonly IcmpName[] = [
  named('any', 0xff),
  named('echo-reply', 0),
  named('pong', 0),
  named('destination-unreachable', 3),
  coded('network-unreachable', 3, 0),
  coded('host-unreachable', 3, 1),
  coded('protocol-unreachable', 3, 2),
  coded('port-unreachable', 3, 3),
  coded('fragmentation-needed', 3, 4),
  coded('source-route-failed', 3, 5),
  coded('network-unknown', 3, 6),
  coded('host-unknown', 3, 7),
  coded('network-prohibited', 3, 9),
  coded('host-prohibited', 3, 10),
  coded('TOS-network-unreachable', 3, 11),
  coded('TOS-host-unreachable', 3, 12),
  coded('communication-prohibited', 3, 13),
  coded('host-precedence-violation', 3, 14),
  coded('precedence-cutoff', 3, 15),
  named('source-quench', 4),
  named('redirect', 5),
  coded('network-redirect', 5, 0),
  coded('host-redirect', 5, 1),
  coded('TOS-network-redirect', 5, 2),
  coded('TOS-host-redirect', 5, 3),
  named('echo-request', 8),
  named('ping', 8),
  named('router-advertisement', 9),
  named('router-solicitation', 10),
  named('time-exceeded', 11),
  named('ttl-exceeded', 11),
  coded('ttl-zero-during-transit', 11, 0),
  coded('ttl-zero-during-reassembly', 11, 1),
  named('parameter-problem', 12),
  coded('ip-header-bad', 12, 0),
  coded('required-option-missing', 12, 1),
  named('timestamp-request', 13),
  named('timestamp-reply', 14),
  named('address-mask-request', 17),
  named('address-mask-reply', 18),
];

/** parse_range: "n" or "n:m", each base 0 in 0-255; returns where it stopped. */
function parseByteRange(text: string, start: number): { lo: number; hi: number; end: number } | undefined {
  const byte = (at: number): { value: number; end: number } | undefined => {
    const r = strtoulPrefix(text.slice(at));
    return r === undefined || r.value > 255 ? undefined : { value: r.value, end: at + r.end };
  };
  const lo = byte(start);
  if (lo === undefined) return undefined;
  if (text[lo.end] !== ':') return { lo: lo.value, hi: lo.value, end: lo.end };
  const hi = byte(lo.end + 1);
  return hi === undefined ? undefined : { lo: lo.value, hi: hi.value, end: hi.end };
}

/**
 * __ipt_parse_icmp: a unique case-insensitive prefix of a name, else "type[:type][/code
 * [:code]]" where a type range is refused after the whole text has been read.
 */
export function parseIcmpType(text: string): Omit<IcmpState, 'invert'> {
  let found: IcmpName | undefined;
  for (const entry of ICMP_NAMES) {
    if (!isCasePrefix(text, entry.name)) continue;
    if (found) throw new ParamError(`Ambiguous ICMP type \`${text}': \`${found.name}' or \`${entry.name}'?`);
    found = entry;
  }
  if (found) return { type: found.type, codeMin: found.codeMin, codeMax: found.codeMax };

  const types = parseByteRange(text, 0);
  if (types === undefined) throw new ParamError(`Unknown ICMP type \`${text}'`);
  let codes = { lo: 0, hi: 0xff, end: types.end };
  if (text[types.end] === '/') {
    const parsed = parseByteRange(text, types.end + 1);
    if (parsed === undefined) throw new ParamError(`Unknown ICMP code \`${text}'`);
    codes = parsed;
  }
  if (codes.end < text.length) throw new ParamError(`unknown character ${text[codes.end]}`);
  if (types.lo !== types.hi) throw new ParamError('ICMP type range not supported');
  return { type: types.lo, codeMin: codes.lo, codeMax: codes.hi };
}

/** sizeof(struct icmphdr): the whole 8-byte header must be there. */
const ICMP_HLEN = 8;

/**
 * icmp_match (xt_tcpudp.c): not a later fragment; a message shorter than the 8-byte
 * header is dropped. Type 0xff ("any") matches every type and code.
 */
export function icmpMatch(s: IcmpState, pkt: PacketState): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return false;
  if (v.l4Captured < ICMP_HLEN) return v.l4Length < ICMP_HLEN ? hotdrop(pkt) : false;
  const hit = s.type === 0xff || (v.icmpType === s.type && v.icmpCode >= s.codeMin && v.icmpCode <= s.codeMax);
  return hit !== s.invert;
}

export const icmp = defineMatch<IcmpState>({
  name: 'icmp',
  modelled: true,
  // ip_tables icmp_mt_reg: .proto = IPPROTO_ICMP.
  proto: 1,
  options: [{ name: 'icmp-type', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ type: 0xff, codeMin: 0, codeMax: 0xff, invert: false }),
  parse(s, call) {
    Object.assign(s, parseIcmpType(call.arg ?? ''));
    s.invert = call.invert;
  },
  save(s) {
    const inv = s.invert ? ' !' : '';
    // iptables 1.8.9 saves type 255 as "any" whatever the codes (later versions keep them).
    if (s.type === 0xff) return `${inv} --icmp-type any`;
    const code = s.codeMin !== 0 || s.codeMax !== 0xff ? `/${s.codeMin}` : '';
    return `${inv} --icmp-type ${s.type}${code}`;
  },
  print(s, _ip, numeric) {
    if (!numeric) {
      const entry = ICMP_NAMES.find((e) => e.type === s.type && e.codeMin === s.codeMin && e.codeMax === s.codeMax);
      if (entry) return ` icmp ${s.invert ? '!' : ''}${entry.name}`;
    }
    // print_icmptype prints "type" right after " icmp" (and after " !"): " icmptype 8".
    let out = ` icmp${s.invert ? ' !' : ''}type ${s.type}`;
    if (s.codeMin === s.codeMax) out += ` code ${s.codeMin}`;
    else if (s.codeMin !== 0 || s.codeMax !== 0xff) out += ` codes ${s.codeMin}-${s.codeMax}`;
    return out;
  },
  matchPacket: (s, pkt) => icmpMatch(s, pkt),
  compileMatch(s, c) {
    const v = c.view;
    let test;
    if (s.type === 0xff) test = code`${!s.invert}`;
    else if (s.codeMin > s.codeMax) test = code`${s.invert}`;
    else {
      const codes =
        s.codeMin === 0 && s.codeMax === 0xff
          ? code``
          : s.codeMin === s.codeMax
            ? code` && ${v}.icmpCode === ${s.codeMin}`
            : code` && ${v}.icmpCode >= ${s.codeMin} && ${v}.icmpCode <= ${s.codeMax}`;
      test = s.invert ? code`!(${v}.icmpType === ${s.type}${codes})` : code`(${v}.icmpType === ${s.type}${codes})`;
    }
    const slow = c.scope.param((p: PacketState) => icmpMatch(s, p), 'f');
    return code`(${v}.fragOffset === 0 && ${v}.l4Captured >= ${ICMP_HLEN} ? ${test} : ${slow}(${c.pkt}))`;
  },
});
