/**
 * ecn match (libxt_ecn / kernel xt_ecn): the TCP ECE and CWR flags and the two ECN bits
 * of the IPv4 TOS byte, each test optionally negated. The TCP tests need -p tcp.
 */
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff, u8At } from './common/header.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface EcnTest {
  invert: boolean;
}

export interface EcnState {
  ece: EcnTest | undefined;
  cwr: EcnTest | undefined;
  /** The IP ECN codepoint 0-3 to compare with. */
  ect: (EcnTest & { value: number }) | undefined;
}

/** The TCP flag bits ECE and CWR of byte 13. */
const ECE = 0x40;
const CWR = 0x80;

/**
 * ecn_mt4: the IP codepoint first, then the TCP flags. match_tcp reads the header at
 * thoff without looking at the fragment offset (a later fragment's payload is read as
 * the header) and answers false, without dropping, when the 20 bytes are not there.
 */
export function ecnMatch(s: EcnState, pkt: PacketState): boolean {
  const v = pkt.view;
  if (s.ect && ((pkt.tos & 3) === s.ect.value) === s.ect.invert) return false;
  if (!s.ece && !s.cwr) return true;
  const off = thoff(v);
  if (header(v, off, 20) !== Header.OK) return false;
  const flags = u8At(pkt, off + 13);
  if (s.ece && ((flags & ECE) !== 0) === s.ece.invert) return false;
  return !s.cwr || ((flags & CWR) !== 0) !== s.cwr.invert;
}

export const ecn = defineMatch<EcnState>({
  name: 'ecn',
  modelled: true,
  options: [
    { name: 'ecn-tcp-cwr', arg: 'none', invert: true },
    { name: 'ecn-tcp-ece', arg: 'none', invert: true },
    { name: 'ecn-ip-ect', arg: 'required', invert: true },
  ],
  create: () => ({ ece: undefined, cwr: undefined, ect: undefined }),
  parse(s, call) {
    switch (call.name) {
      case 'ecn-tcp-cwr':
        s.cwr = { invert: call.invert };
        return;
      case 'ecn-tcp-ece':
        s.ece = { invert: call.invert };
        return;
      case 'ecn-ip-ect':
        s.ect = { invert: call.invert, value: parseXtUint('ecn', call.name, call.arg ?? '', 0, 3) };
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) throw new ParamError('ECN match: some option required');
  },
  // ecn_mt_check4: the TCP flag tests are refused unless the rule is for -p tcp.
  kernelCheck(s, ctx) {
    if ((s.ece || s.cwr) && (ctx.ip.proto !== 6 || ctx.ip.invProto)) {
      return 'xt_ecn: cannot match TCP bits for non-tcp packets';
    }
    return undefined;
  },
  save(s) {
    let out = '';
    if (s.ece) out += `${s.ece.invert ? ' !' : ''} --ecn-tcp-ece`;
    if (s.cwr) out += `${s.cwr.invert ? ' !' : ''} --ecn-tcp-cwr`;
    if (s.ect) out += `${s.ect.invert ? ' !' : ''} --ecn-ip-ect ${s.ect.value}`;
    return out;
  },
  print(s) {
    let out = ' ECN match';
    if (s.ece) out += ` ${s.ece.invert ? '!' : ''}ECE`;
    if (s.cwr) out += ` ${s.cwr.invert ? '!' : ''}CWR`;
    if (s.ect) out += ` ${s.ect.invert ? '!' : ''}ECT=${s.ect.value}`;
    return out;
  },
  matchPacket: (s, pkt) => ecnMatch(s, pkt),
});
