/**
 * TCPOPTSTRIP target (libxt_TCPOPTSTRIP / kernel xt_TCPOPTSTRIP): overwrites the listed
 * TCP options with NOPs. The kernel allows it only in the mangle table, for -p tcp.
 */
import { ParamError } from '../errors.js';
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
  modelled: false,
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
});
