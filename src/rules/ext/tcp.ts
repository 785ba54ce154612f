/**
 * tcp match (libxt_tcp / kernel xt_tcpudp): ports, flags, option presence. Loaded
 * implicitly by `-p tcp` when one of its options appears.
 */
import { code } from '../../compile/builder.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { strtoul } from '../values.js';
import { Header, header, thoff, u8At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { allOf, inRange, rangeCode } from './common/match.js';
import { fullPortRange, parsePortRange, printPortRange, savePortRange, type PortRange } from './common/ports.js';
import { defineMatch } from './types.js';

export interface TcpState {
  sport: PortRange;
  dport: PortRange;
  /** 0 = no option test. */
  option: number;
  invOption: boolean;
  flagMask: number;
  flagCmp: number;
  invFlags: boolean;
  given: { sport: boolean; dport: boolean; flags: boolean; option: boolean };
}

/** iptables' flag names; ALL is FIN..URG only (ECE and CWR are outside it). */
export const TCP_FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
  ['ALL', 0x3f],
  ['NONE', 0],
];

function parseTcpFlags(text: string): number {
  let ret = 0;
  for (const part of text.split(',')) {
    if (part === '') continue; // strtok skips empty tokens
    const entry = TCP_FLAG_NAMES.find(([name]) => name.toLowerCase() === part.toLowerCase());
    if (!entry) throw new ParamError(`Unknown TCP flag \`${part}'`);
    ret |= entry[1];
  }
  return ret;
}

/** print_tcpf: names in table order, lowest bit first; NONE when empty. */
export function tcpFlagsText(flags: number): string {
  const names: string[] = [];
  let rest = flags & 0xff;
  while (rest) {
    const entry = TCP_FLAG_NAMES.find(([, bit]) => (rest & bit) !== 0)!;
    names.push(entry[0]);
    rest &= ~entry[1];
  }
  return names.length > 0 ? names.join(',') : 'NONE';
}

/** print_tcpf's numeric form, "0x%02X": upper case, unlike the other extensions' bytes. */
function hex2(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(2, '0');
}

/** sizeof(struct tcphdr) */
const TCP_HLEN = 20;

/**
 * tcp_find_option: the options walked as the kernel walks them (EOL and NOP advance one
 * byte, a zero length one byte, anything else its length byte); the first byte equal to
 * the option number decides, even where another option's data is mistaken for a kind.
 */
function tcpOptionMatch(s: TcpState, pkt: PacketState): boolean {
  const v = pkt.view;
  const hlen = v.tcpDataOffset * 4;
  if (hlen < TCP_HLEN) return hotdrop(pkt);
  const optlen = hlen - TCP_HLEN;
  if (optlen === 0) return s.invOption;
  const start = thoff(v) + TCP_HLEN;
  const h = header(v, start, optlen);
  // "If we don't have the whole header, drop packet."
  if (h === Header.SHORT) return hotdrop(pkt);
  if (h === Header.CUT) return false;
  for (let i = 0; i < optlen; ) {
    const kind = u8At(pkt, start + i);
    if (kind === s.option) return !s.invOption;
    if (kind < 2 || i + 1 >= optlen) {
      // A length byte beyond the options would only move i past the end.
      i++;
      continue;
    }
    i += u8At(pkt, start + i + 1) || 1;
  }
  return s.invOption;
}

/**
 * tcp_mt (xt_tcpudp.c). Never matches a later fragment and drops the one at offset 8
 * ("evil TCP offset=1 frag", which could overwrite the flags); a segment shorter than the
 * 20-byte header is dropped too. Ports, then flags, then the option, in that order: the
 * option test's own drops happen only when the rest matched.
 */
export function tcpMatch(s: TcpState, pkt: PacketState): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return v.fragOffset === 8 ? hotdrop(pkt) : false;
  if (v.l4Captured < TCP_HLEN) return v.l4Length < TCP_HLEN ? hotdrop(pkt) : false;
  return (
    inRange(s.sport.min, s.sport.max, v.srcPort, s.sport.invert) &&
    inRange(s.dport.min, s.dport.max, v.dstPort, s.dport.invert) &&
    ((v.tcpFlags & s.flagMask) === s.flagCmp) !== s.invFlags &&
    (s.option === 0 || tcpOptionMatch(s, pkt))
  );
}

export const tcp = defineMatch<TcpState>({
  name: 'tcp',
  modelled: true,
  proto: 6,
  options: [
    { name: 'source-port', arg: 'required', invert: true, custom: true },
    { name: 'sport', arg: 'required', invert: true, custom: true },
    { name: 'destination-port', arg: 'required', invert: true, custom: true },
    { name: 'dport', arg: 'required', invert: true, custom: true },
    { name: 'syn', arg: 'none', invert: true, custom: true },
    { name: 'tcp-flags', arg: 'required', invert: true, custom: true },
    { name: 'tcp-option', arg: 'required', invert: true, custom: true },
  ],
  create: () => ({
    sport: fullPortRange(),
    dport: fullPortRange(),
    option: 0,
    invOption: false,
    flagMask: 0,
    flagCmp: 0,
    invFlags: false,
    given: { sport: false, dport: false, flags: false, option: false },
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'source-port':
      case 'sport':
        if (s.given.sport) throw new ParamError("Only one `--source-port' allowed");
        s.sport = { ...parsePortRange(arg, 'tcp'), invert: call.invert };
        s.given.sport = true;
        return;
      case 'destination-port':
      case 'dport':
        if (s.given.dport) throw new ParamError("Only one `--destination-port' allowed");
        s.dport = { ...parsePortRange(arg, 'tcp'), invert: call.invert };
        s.given.dport = true;
        return;
      case 'syn':
        if (s.given.flags) throw new ParamError("Only one of `--syn' or `--tcp-flags'  allowed");
        s.flagMask = 0x17; // SYN,RST,ACK,FIN
        s.flagCmp = 0x02;
        s.invFlags = call.invert;
        s.given.flags = true;
        return;
      case 'tcp-flags': {
        if (s.given.flags) throw new ParamError("Only one of `--syn' or `--tcp-flags'  allowed");
        const cmp = ctx.peekArg();
        if (cmp === undefined || cmp.startsWith('-') || cmp.startsWith('!')) {
          throw new ParamError('--tcp-flags requires two args.');
        }
        s.flagMask = parseTcpFlags(arg);
        s.flagCmp = parseTcpFlags(cmp);
        ctx.takeArg();
        s.invFlags = call.invert;
        s.given.flags = true;
        return;
      }
      case 'tcp-option': {
        if (s.given.option) throw new ParamError("Only one `--tcp-option' allowed");
        const n = strtoul(arg, 1, 255);
        if (n === undefined) throw new ParamError(`Bad TCP option "${arg}"`);
        s.option = n;
        s.invOption = call.invert;
        s.given.option = true;
        return;
      }
    }
  },
  save(s) {
    let out = savePortRange('sport', s.sport) + savePortRange('dport', s.dport);
    if (s.option || s.invOption) out += `${s.invOption ? ' !' : ''} --tcp-option ${s.option}`;
    if (s.flagMask || s.invFlags) {
      out += `${s.invFlags ? ' !' : ''} --tcp-flags ${tcpFlagsText(s.flagMask)} ${tcpFlagsText(s.flagCmp)}`;
    }
    return out;
  },
  print(s, _ip, numeric) {
    let out = ' tcp' + printPortRange('spt', s.sport, 'tcp', numeric) + printPortRange('dpt', s.dport, 'tcp', numeric);
    if (s.option || s.invOption) out += ` option=${s.invOption ? '!' : ''}${s.option}`;
    if (s.flagMask || s.invFlags) {
      out += ` flags:${s.invFlags ? '!' : ''}`;
      out += numeric ? `${hex2(s.flagMask)}/${hex2(s.flagCmp)}` : `${tcpFlagsText(s.flagMask)}/${tcpFlagsText(s.flagCmp)}`;
    }
    return out;
  },
  matchPacket: (s, pkt) => tcpMatch(s, pkt),
  compileMatch(s, c) {
    const v = c.view;
    const flags =
      s.flagMask === 0 && s.flagCmp === 0
        ? s.invFlags
          ? code`false`
          : undefined
        : s.invFlags
          ? code`(${v}.tcpFlags & ${s.flagMask}) !== ${s.flagCmp}`
          : code`(${v}.tcpFlags & ${s.flagMask}) === ${s.flagCmp}`;
    const option = s.option !== 0 ? code`${c.scope.param((p: PacketState) => tcpOptionMatch(s, p), 'f')}(${c.pkt})` : undefined;
    const test = allOf([
      rangeCode(code`${v}.srcPort`, s.sport.min, s.sport.max, s.sport.invert, 0xffff),
      rangeCode(code`${v}.dstPort`, s.dport.min, s.dport.max, s.dport.invert, 0xffff),
      flags,
      option,
    ]);
    // Fragments and short or cut headers take the full function.
    const slow = c.scope.param((p: PacketState) => tcpMatch(s, p), 'f');
    return code`(${v}.fragOffset === 0 && ${v}.l4Captured >= ${TCP_HLEN} ? ${test} : ${slow}(${c.pkt}))`;
  },
});
