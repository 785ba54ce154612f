/**
 * udp match (libxt_udp / kernel xt_tcpudp udp_mt): source and destination port ranges,
 * each optionally negated. Loaded implicitly by `-p udp`; the kernel accepts it only for
 * -p udp.
 *
 * iptables 1.8.9 reads udp ports as XTTYPE_PORTRC, through getaddrinfo() rather than the
 * strtoul()/getservbyname() pair tcp uses, so the same text can mean different ports in
 * the two matches (portByName against parsePort).
 */
import { code } from '../../compile/builder.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { hotdrop } from './common/hotdrop.js';
import { allOf, inRange, rangeCode } from './common/match.js';
import { fullPortRange, parseXtPortRange, printPortRange, savePortRange, type PortRange } from './common/ports.js';
import { defineMatch } from './types.js';

export interface UdpState {
  sport: PortRange;
  dport: PortRange;
}

/** Option ids: "sport"/"dport" share the id, and so the messages, of the long forms. */
const ID_NAMES = ['source-port', 'destination-port'] as const;
const ID_OF: Readonly<Record<string, number>> = { 'source-port': 0, sport: 0, 'destination-port': 1, dport: 1 };

/** sizeof(struct udphdr) */
const UDP_HLEN = 8;

/**
 * udp_mt (xt_tcpudp.c): never a fragment after the first; a datagram shorter than the
 * 8-byte header is dropped ("evil UDP tinygram"). The length field is not checked.
 */
export function udpMatch(s: UdpState, pkt: PacketState): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return false;
  if (v.l4Captured < UDP_HLEN) return v.l4Length < UDP_HLEN ? hotdrop(pkt) : false;
  return inRange(s.sport.min, s.sport.max, v.srcPort, s.sport.invert) && inRange(s.dport.min, s.dport.max, v.dstPort, s.dport.invert);
}

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
    const [min, max] = parseXtPortRange('udp', option, call.arg ?? '');
    const range = { min, max, invert: call.invert };
    if (id === 0) s.sport = range;
    else s.dport = range;
  },
  save: (s) => savePortRange('sport', s.sport) + savePortRange('dport', s.dport),
  print: (s, _ip, numeric) =>
    ' udp' + printPortRange('spt', s.sport, 'udp', numeric) + printPortRange('dpt', s.dport, 'udp', numeric),
  matchPacket: (s, pkt) => udpMatch(s, pkt),
  compileMatch(s, c) {
    const v = c.view;
    const test = allOf([
      rangeCode(code`${v}.srcPort`, s.sport.min, s.sport.max, s.sport.invert, 0xffff),
      rangeCode(code`${v}.dstPort`, s.dport.min, s.dport.max, s.dport.invert, 0xffff),
    ]);
    const slow = c.scope.param((p: PacketState) => udpMatch(s, p), 'f');
    return code`(${v}.fragOffset === 0 && ${v}.l4Captured >= ${UDP_HLEN} ? ${test} : ${slow}(${c.pkt}))`;
  },
});
