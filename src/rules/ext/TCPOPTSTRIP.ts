/**
 * TCPOPTSTRIP target (libxt_TCPOPTSTRIP / kernel xt_TCPOPTSTRIP): overwrites the listed
 * TCP options with NOPs. The kernel allows it only in the mangle table, for -p tcp.
 */
import { csumReplace16 } from '../../capture/rewrite.js';
import { Verdict, type PacketState } from '../../engine/packet.js';
import type { ReplayRuntime } from '../../engine/runtime.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff, u8At } from './common/header.js';
import { strtoul } from '../values.js';
import { defineTarget } from './types.js';

/** tcp_optionmap: the names the option list accepts and the listing shows. */
const OPTION_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['wscale', 3],
  ['mss', 2],
  ['sack-permitted', 4],
  ['sack', 5],
  ['timestamp', 8],
  ['md5', 19],
];

export interface TcpoptstripState {
  /** TCP option kinds to strip, ascending (the kernel keeps a 256-bit map). */
  options: number[];
}

/** parse_list: names (exact case) or base-0 numbers 2-255, each once. */
function parseOptionList(text: string): number[] {
  const seen = new Set<number>();
  for (const item of text.split(',')) {
    const option = OPTION_NAMES.find(([name]) => name === item)?.[1] ?? strtoul(item, 0, 255);
    if (option === undefined) throw new ParamError(`Bad TCP option value "${item}"`);
    if (option < 2) throw new ParamError('Option value may not be 0 or 1');
    if (seen.has(option)) throw new ParamError(`Option "${item}" already specified`);
    seen.add(option);
  }
  return [...seen].sort((a, b) => a - b);
}

function listText(options: readonly number[], numeric: boolean): string {
  return options
    .map((o) => (numeric ? undefined : OPTION_NAMES.find(([, v]) => v === o)?.[0]) ?? String(o))
    .join(',');
}

/** TCPOPT_NOP. */
const NOP = 1;
const OPT_MSS = 2;

/**
 * The option walk of tcpoptstrip_mangle_packet over the TCP header at `tcp` (`hlen` bytes):
 * an option reaching past the header ends it; each listed option's bytes become NOPs.
 */
function stripOptions(s: TcpoptstripState, pkt: PacketState, rt: ReplayRuntime, tcp: number, hlen: number): void {
  const d = pkt.data;
  let check = (d[tcp + 16]! << 8) | d[tcp + 17]!;
  for (let i = 20, optl = 1; i < hlen - 1; i += optl) {
    const kind = d[tcp + i]!;
    optl = kind <= NOP || d[tcp + i + 1] === 0 ? 1 : d[tcp + i + 1]!;
    if (i + optl > hlen) break;
    if (!s.options.includes(kind)) continue;
    if (kind === OPT_MSS && pkt.tcpMss !== pkt.view.tcpMss) {
      rt.note('tcpoptstrip.unknown');
      continue;
    }
    for (let j = i; j < i + optl; j++) {
      // A byte at an even offset of the segment is the high half of its 16-bit word.
      const old = d[tcp + j]!;
      check = j % 2 === 0 ? csumReplace16(check, old << 8, NOP << 8) : csumReplace16(check, old, NOP);
      d[tcp + j] = NOP;
    }
    if (kind === OPT_MSS) pkt.tcpMss = pkt.view.tcpMss = -1;
  }
  d[tcp + 16] = check >>> 8;
  d[tcp + 17] = check & 0xff;
}

export const TCPOPTSTRIP = defineTarget<TcpoptstripState>({
  name: 'TCPOPTSTRIP',
  modelled: true,
  tables: ['mangle'],
  proto: 6,
  options: [{ name: 'strip-options', arg: 'required' }],
  create: () => ({ options: [] }),
  parse(s, call) {
    s.options = parseOptionList(call.arg ?? '');
  },
  // An empty map prints nothing at all; saves always use numbers.
  save: (s) => (s.options.length > 0 ? ` --strip-options ${listText(s.options, true)}` : ''),
  print: (s, _ip, numeric) => (s.options.length > 0 ? ` TCPOPTSTRIP options ${listText(s.options, numeric)}` : ''),
  /**
   * tcpoptstrip_mangle_packet: nothing for a later fragment; a header the packet does not
   * hold, a data offset below 5 words or options beyond the packet drop it. The listed
   * options become NOPs in the packet's bytes, the TCP checksum updated for each byte
   * (inet_proto_csum_replace2), so later matches (`tcp --tcp-option`, tcpmss) and the
   * egress captures see them stripped. An MSS option a TCPMSS target added or changed
   * earlier is in the packet's state, not yet in its bytes: stripping it is noted, not done.
   */
  applyTarget(s, pkt, rt) {
    const v = pkt.view;
    if (v.fragOffset !== 0) return Verdict.CONTINUE;
    const off = thoff(v);
    const h = header(v, off, 20);
    if (h === Header.SHORT) return Verdict.DROP;
    if (h === Header.CUT) {
      rt.note('tcpoptstrip.unknown');
      return Verdict.CONTINUE;
    }
    const hlen = (u8At(pkt, off + 12) >> 4) * 4;
    if (hlen < 20) return Verdict.DROP;
    const ho = header(v, off, hlen);
    if (ho === Header.SHORT) return Verdict.DROP;
    if (ho === Header.CUT) {
      rt.note('tcpoptstrip.unknown');
      return Verdict.CONTINUE;
    }
    stripOptions(s, pkt, rt, v.l3Offset + off, hlen);
    return Verdict.CONTINUE;
  },
});
