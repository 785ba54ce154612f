/**
 * udp match (libxt_udp / kernel xt_tcpudp udp_mt): source and destination port ranges,
 * each optionally negated. Loaded implicitly by `-p udp`; the kernel accepts it only for
 * -p udp.
 *
 * iptables 1.8.9 reads udp ports as XTTYPE_PORTRC, through getaddrinfo() rather than the
 * strtoul()/getservbyname() pair tcp uses, so the same text can mean different ports in
 * the two matches (portByName against parsePort).
 */
import { ParamError } from '../errors.js';
import { fullPortRange, parseXtPortRange, printPortRange, savePortRange, type PortRange } from './common/ports.js';
import { defineMatch } from './types.js';

export interface UdpState {
  sport: PortRange;
  dport: PortRange;
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
    const [min, max] = parseXtPortRange('udp', option, call.arg ?? '');
    const range = { min, max, invert: call.invert };
    if (id === 0) s.sport = range;
    else s.dport = range;
  },
  save: (s) => savePortRange('sport', s.sport) + savePortRange('dport', s.dport),
  print: (s, _ip, numeric) =>
    ' udp' + printPortRange('spt', s.sport, 'udp', numeric) + printPortRange('dpt', s.dport, 'udp', numeric),
});
