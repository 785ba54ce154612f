/**
 * set match, revision 4 (libxt_set / kernel xt_set): membership of the packet's
 * addresses/ports, taken in the given src/dst order, in an ipset, with optional tests of
 * the set element's packet and byte counters.
 *
 * iptables looks the set up in the kernel while parsing and refuses unknown names
 * ("Set NAME doesn't exist."); see parseSetRef for the lookup.
 */
import { ParamError } from '../errors.js';
import { strtoull } from './common/numbers.js';
import { parseSetRef, type SetDir } from './common/sets.js';
import { defineMatch } from './types.js';

/** Counter comparisons (IPSET_COUNTER_*). */
export const COUNTER_OP = { NONE: 0, EQ: 1, NE: 2, LT: 3, GT: 4 } as const;

export interface CounterTest {
  /** COUNTER_OP */
  op: number;
  value: bigint;
}

export interface SetState {
  setName: string;
  invert: boolean;
  /** One direction per set dimension (IPSET_DIM_MAX = 6 at most). */
  dirs: SetDir[];
  /** IPSET_FLAG_RETURN_NOMATCH */
  returnNomatch: boolean;
  /** "! --update-counters": IPSET_FLAG_SKIP_COUNTER_UPDATE */
  skipCounterUpdate: boolean;
  /** "! --update-subcounters": IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE */
  skipSubcounterUpdate: boolean;
  packets: CounterTest;
  bytes: CounterTest;
}

/** parse_counter: a whole base-0 64-bit number (xtables_strtoul_base). */
function parseCounter(text: string): bigint {
  const n = strtoull(text);
  if (n === undefined) throw new ParamError(`Cannot parse ${text} as a counter value`);
  return n;
}

function counterText(c: CounterTest, name: string, prefix: string): string {
  switch (c.op) {
    case COUNTER_OP.EQ:
      return ` ${prefix}${name}-eq ${c.value}`;
    case COUNTER_OP.NE:
      return ` ! ${prefix}${name}-eq ${c.value}`;
    case COUNTER_OP.LT:
      return ` ${prefix}${name}-lt ${c.value}`;
    case COUNTER_OP.GT:
      return ` ${prefix}${name}-gt ${c.value}`;
  }
  return '';
}

/** set_print_v4_matchinfo: prefix "" lists, "--" saves. */
function setText(s: SetState, prefix: string): string {
  let out = `${s.invert ? ' !' : ''} ${prefix}match-set ${s.setName} ${s.dirs.join(',')}`;
  if (s.returnNomatch) out += ` ${prefix}return-nomatch`;
  if (s.skipCounterUpdate) out += ` ! ${prefix}update-counters`;
  if (s.skipSubcounterUpdate) out += ` ! ${prefix}update-subcounters`;
  return out + counterText(s.packets, 'packets', prefix) + counterText(s.bytes, 'bytes', prefix);
}

export const set = defineMatch<SetState>({
  name: 'set',
  modelled: false,
  needs: 'ipset',
  // An old-style (non-x6) extension: every check and message is its own.
  options: [
    { name: 'match-set', arg: 'required', invert: true, custom: true },
    { name: 'set', arg: 'required', invert: true, custom: true },
    { name: 'return-nomatch', arg: 'none', invert: true, custom: true },
    { name: 'update-counters', arg: 'none', invert: true, custom: true },
    { name: 'packets-eq', arg: 'required', invert: true, custom: true },
    { name: 'packets-lt', arg: 'required', invert: true, custom: true },
    { name: 'packets-gt', arg: 'required', invert: true, custom: true },
    { name: 'bytes-eq', arg: 'required', invert: true, custom: true },
    { name: 'bytes-lt', arg: 'required', invert: true, custom: true },
    { name: 'bytes-gt', arg: 'required', invert: true, custom: true },
    { name: 'update-subcounters', arg: 'none', invert: true, custom: true },
  ],
  create: () => ({
    setName: '',
    invert: false,
    dirs: [],
    returnNomatch: false,
    skipCounterUpdate: false,
    skipSubcounterUpdate: false,
    packets: { op: COUNTER_OP.NONE, value: 0n },
    bytes: { op: COUNTER_OP.NONE, value: 0n },
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    const counter = (which: 'packets' | 'bytes', kind: 'eq' | 'lt' | 'gt'): void => {
      if (s[which].op !== COUNTER_OP.NONE) {
        throw new ParamError(`only one of the --${which}-[eq|lt|gt] is allowed`);
      }
      if (call.invert && kind !== 'eq') throw new ParamError(`--${which}-${kind} option cannot be inverted`);
      const op = kind === 'eq' ? (call.invert ? COUNTER_OP.NE : COUNTER_OP.EQ) : kind === 'lt' ? COUNTER_OP.LT : COUNTER_OP.GT;
      s[which] = { op, value: parseCounter(arg) };
    };
    switch (call.name) {
      case 'update-subcounters':
        if (call.invert) s.skipSubcounterUpdate = true;
        return;
      case 'update-counters':
        if (call.invert) s.skipCounterUpdate = true;
        return;
      case 'return-nomatch':
        if (call.invert) throw new ParamError('--return-nomatch flag cannot be inverted');
        s.returnNomatch = true;
        return;
      case 'packets-eq':
      case 'packets-lt':
      case 'packets-gt':
      case 'bytes-eq':
      case 'bytes-lt':
      case 'bytes-gt': {
        const [which, kind] = call.name.split('-') as ['packets' | 'bytes', 'eq' | 'lt' | 'gt'];
        counter(which, kind);
        return;
      }
    }
    // --match-set, or its deprecated name --set
    if (call.name === 'set') ctx.warn('--set option deprecated, please use --match-set');
    if (s.dirs.length > 0) throw new ParamError('--match-set can be specified only once');
    if (call.invert) s.invert = true;
    const ref = parseSetRef(arg, 'match-set', ctx);
    s.setName = ref.name;
    s.dirs = ref.dirs;
  },
  finalCheck(s) {
    if (s.dirs.length === 0) throw new ParamError("You must specify `--match-set' with proper arguments");
  },
  save: (s) => setText(s, '--'),
  print: (s) => setText(s, ''),
});
