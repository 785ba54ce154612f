/**
 * ttl match (libipt_ttl / kernel xt_hl ttl_mt): compares the IPv4 TTL with a value:
 * equal, not equal (! --ttl-eq), less than or greater than.
 */
import { code } from '../../compile/builder.js';
import { ParamError } from '../errors.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

export type TtlMatchMode = 'eq' | 'ne' | 'lt' | 'gt';

export interface TtlMatchState {
  mode: TtlMatchMode;
  ttl: number;
}

/**
 * libipt_ttl's option ids in id order (eq, lt, gt). The hidden "--ttl" shares the id of
 * --ttl-eq, and iptables looks entries up by id, so every message about "--ttl" names
 * "--ttl-eq", and "! --ttl" is allowed because --ttl-eq is invertible.
 */
const ID_NAMES = ['ttl-eq', 'ttl-lt', 'ttl-gt'] as const;
const ID_OF: Readonly<Record<string, number>> = { 'ttl-eq': 0, ttl: 0, 'ttl-lt': 1, 'ttl-gt': 2 };
/** ttl_opts table order, which decides which option an exclusion message names first. */
const TABLE_ORDER = [1, 2, 0];

export const ttl = defineMatch<TtlMatchState>({
  name: 'ttl',
  modelled: true,
  // Every entry excludes all ids including its own (.excl = F_ANY): the once-only,
  // invert and exclusion checks are done here, by id rather than by spelling.
  options: [
    { name: 'ttl-lt', arg: 'required', custom: true },
    { name: 'ttl-gt', arg: 'required', custom: true },
    { name: 'ttl-eq', arg: 'required', invert: true, custom: true },
    { name: 'ttl', arg: 'required', invert: true, custom: true },
  ],
  create: () => ({ mode: 'eq', ttl: 0 }),
  parse(s, call, ctx) {
    const id = ID_OF[call.name]!;
    const entry = ID_NAMES[id];
    if ([...ctx.seen].some((name) => ID_OF[name] === id)) {
      throw new ParamError(`ttl: option "--${entry}" can only be used once.`);
    }
    if (call.invert && id !== 0) throw new ParamError(`ttl: option "--${entry}" cannot be inverted.`);
    s.ttl = parseXtUint('ttl', entry, call.arg ?? '', 0, 255);
    s.mode = id === 1 ? 'lt' : id === 2 ? 'gt' : call.invert ? 'ne' : 'eq';
  },
  finalCheck(_s, ctx) {
    const given = new Set([...ctx.seen].map((name) => ID_OF[name]!));
    if (given.size === 0) {
      throw new ParamError("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
    }
    // xtables_options_fcheck: the first given entry in table order, against the lowest
    // other given id.
    const first = TABLE_ORDER.find((id) => given.has(id))!;
    const other = [0, 1, 2].find((id) => id !== first && given.has(id));
    if (other !== undefined) {
      throw new ParamError(`ttl: option "--${ID_NAMES[first]}" cannot be used together with "--${ID_NAMES[other]}".`);
    }
  },
  save(s) {
    const option = s.mode === 'ne' ? ' ! --ttl-eq' : ` --ttl-${s.mode}`;
    return `${option} ${s.ttl}`;
  },
  print(s) {
    const op = { eq: '==', ne: '!=', lt: '<', gt: '>' }[s.mode];
    return ` TTL match TTL ${op} ${s.ttl}`;
  },
  // ttl_mt (xt_hl.c): the header's TTL as it is now (decremented when forwarded) against the value.
  matchPacket(s, pkt) {
    const t = pkt.ttl;
    switch (s.mode) {
      case 'eq':
        return t === s.ttl;
      case 'ne':
        return t !== s.ttl;
      case 'lt':
        return t < s.ttl;
      case 'gt':
        return t > s.ttl;
    }
  },
  compileMatch(s, c) {
    const t = code`${c.pkt}.ttl`;
    switch (s.mode) {
      case 'eq':
        return code`${t} === ${s.ttl}`;
      case 'ne':
        return code`${t} !== ${s.ttl}`;
      case 'lt':
        return code`${t} < ${s.ttl}`;
      case 'gt':
        return code`${t} > ${s.ttl}`;
    }
  },
});
