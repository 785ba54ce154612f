/**
 * TCPOPTSTRIP target (libxt_TCPOPTSTRIP / kernel xt_TCPOPTSTRIP): overwrites the listed
 * TCP options with NOPs. The kernel allows it only in the mangle table, for -p tcp.
 */
import { Verdict } from '../../engine/packet.js';
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
   * hold, a data offset below 5 words or options beyond the packet drop it. Options it
   * would overwrite with NOPs (which a later tcp --tcp-option or tcpmss match would
   * miss) are noted.
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
    // The walk of tcpoptstrip_mangle_packet: an option reaching past the header ends it.
    for (let i = 20; i < hlen - 1; ) {
      const kind = u8At(pkt, off + i);
      const next = u8At(pkt, off + i + 1);
      const len = kind <= 1 || next === 0 ? 1 : next;
      if (i + len > hlen) break;
      if (s.options.includes(kind)) {
        rt.note('tcpoptstrip.rewrite');
        break;
      }
      i += len;
    }
    return Verdict.CONTINUE;
  },
});
