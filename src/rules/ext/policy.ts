/**
 * policy match (libxt_policy / kernel xt_policy): the IPsec policy that decapsulated the
 * packet (--dir in) or that will encapsulate it (--dir out), either any element of it or
 * (--strict) the whole policy, element by element.
 */
import { ParamError } from '../errors.js';
import { protocolByNumber } from '../sysdb.js';
import { ipToString, maskToNumeric, parseProtocol } from '../values.js';
import { parseXtHostMask } from './common/addresses.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

/** XT_POLICY_MATCH_* flags. */
export const POLICY = { IN: 0x1, OUT: 0x2, NONE: 0x4, STRICT: 0x8 } as const;
/** XT_POLICY_MODE_*: transport is 0, so an element without --mode is a transport one. */
export const POLICY_MODE = { TRANSPORT: 0, TUNNEL: 1 } as const;
/** XT_POLICY_MAX_ELEM */
const MAX_ELEM = 4;

export interface PolicyTests {
  saddr: boolean;
  daddr: boolean;
  proto: boolean;
  mode: boolean;
  spi: boolean;
  reqid: boolean;
}

export interface PolicyElem {
  /** Which fields are tested. */
  match: PolicyTests;
  /** Which tests are negated. */
  invert: PolicyTests;
  saddr: number;
  smask: number;
  daddr: number;
  dmask: number;
  proto: number;
  /** POLICY_MODE */
  mode: number;
  spi: number;
  reqid: number;
}

export interface PolicyState {
  /** POLICY flags. */
  flags: number;
  /** Number of elements (finalCheck counts the last one). */
  len: number;
  pol: PolicyElem[];
}

function noTests(): PolicyTests {
  return { saddr: false, daddr: false, proto: false, mode: false, spi: false, reqid: false };
}

function emptyElem(): PolicyElem {
  return {
    match: noTests(),
    invert: noTests(),
    saddr: 0,
    smask: 0,
    daddr: 0,
    dmask: 0,
    proto: 0,
    mode: POLICY_MODE.TRANSPORT,
    spi: 0,
    reqid: 0,
  };
}

const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_COMP = 108;

/** Marks a test of the current element; each may appear once per element. */
function claim(e: PolicyElem, test: keyof PolicyTests, option: string, invert: boolean): void {
  if (e.match[test]) throw new ParamError(`policy match: double --${option} option`);
  e.match[test] = true;
  e.invert[test] = invert;
}

/** print_entry: prefix "" lists (numeric per -n), "--" saves (protocol names). */
function elemText(e: PolicyElem, prefix: string, numeric: boolean): string {
  const inv = (x: boolean): string => (x ? ' !' : '');
  let out = '';
  if (e.match.reqid) out += `${inv(e.invert.reqid)} ${prefix}reqid ${e.reqid}`;
  if (e.match.spi) out += `${inv(e.invert.spi)} ${prefix}spi 0x${e.spi.toString(16)}`;
  if (e.match.proto) {
    const name = numeric ? undefined : protocolByNumber(e.proto);
    out += `${inv(e.invert.proto)} ${prefix}proto ${name ?? e.proto}`;
  }
  if (e.match.mode) {
    const mode = e.mode === POLICY_MODE.TRANSPORT ? 'transport' : e.mode === POLICY_MODE.TUNNEL ? 'tunnel' : '???';
    out += `${inv(e.invert.mode)} ${prefix}mode ${mode}`;
  }
  if (e.match.daddr) out += `${inv(e.invert.daddr)} ${prefix}tunnel-dst ${ipToString(e.daddr)}${maskToNumeric(e.dmask)}`;
  if (e.match.saddr) out += `${inv(e.invert.saddr)} ${prefix}tunnel-src ${ipToString(e.saddr)}${maskToNumeric(e.smask)}`;
  return out;
}

function flagsText(flags: number, prefix: string): string {
  return (
    ` ${prefix}dir ${flags & POLICY.IN ? 'in' : 'out'}` +
    ` ${prefix}pol ${flags & POLICY.NONE ? 'none' : 'ipsec'}` +
    (flags & POLICY.STRICT ? ` ${prefix}strict` : '')
  );
}

export const policy = defineMatch<PolicyState>({
  name: 'policy',
  modelled: false,
  needs: 'routing',
  options: [
    { name: 'dir', arg: 'required' },
    { name: 'pol', arg: 'required' },
    { name: 'strict', arg: 'none' },
    { name: 'reqid', arg: 'required', multi: true, invert: true },
    { name: 'spi', arg: 'required', multi: true, invert: true },
    { name: 'tunnel-src', arg: 'required', multi: true, invert: true },
    { name: 'tunnel-dst', arg: 'required', multi: true, invert: true },
    { name: 'proto', arg: 'required', multi: true, invert: true },
    { name: 'mode', arg: 'required', multi: true, invert: true },
    { name: 'next', arg: 'none', multi: true, also: ['strict'] },
  ],
  create: () => ({ flags: 0, len: 0, pol: Array.from({ length: MAX_ELEM }, emptyElem) }),
  parse(s, call) {
    const arg = call.arg ?? '';
    const e = s.pol[s.len]!;
    switch (call.name) {
      case 'dir':
        if (arg === 'in') s.flags |= POLICY.IN;
        else if (arg === 'out') s.flags |= POLICY.OUT;
        else throw new ParamError(`policy_match: invalid dir "${arg}"`);
        return;
      case 'pol':
        if (arg === 'none') s.flags |= POLICY.NONE;
        else if (arg !== 'ipsec') throw new ParamError(`policy match: invalid policy "${arg}"`);
        return;
      case 'strict':
        s.flags |= POLICY.STRICT;
        return;
      case 'reqid': {
        const n = parseXtUint('policy', call.name, arg, 0, 0xffffffff);
        claim(e, 'reqid', call.name, call.invert);
        e.reqid = n;
        return;
      }
      case 'spi': {
        const n = parseXtUint('policy', call.name, arg, 0, 0xffffffff);
        claim(e, 'spi', call.name, call.invert);
        e.spi = n;
        return;
      }
      case 'tunnel-src': {
        const hm = parseXtHostMask('policy', call.name, arg);
        claim(e, 'saddr', call.name, call.invert);
        e.saddr = hm.addr;
        e.smask = hm.mask;
        return;
      }
      case 'tunnel-dst': {
        const hm = parseXtHostMask('policy', call.name, arg);
        claim(e, 'daddr', call.name, call.invert);
        e.daddr = hm.addr;
        e.dmask = hm.mask;
        return;
      }
      case 'proto': {
        const proto = parseProtocol(arg);
        if (e.match.proto) throw new ParamError('policy match: double --proto option');
        if (proto !== IPPROTO_AH && proto !== IPPROTO_ESP && proto !== IPPROTO_COMP) {
          throw new ParamError('policy match: protocol must be ah/esp/ipcomp');
        }
        claim(e, 'proto', call.name, call.invert);
        e.proto = proto;
        return;
      }
      case 'mode':
        claim(e, 'mode', call.name, call.invert);
        if (arg === 'transport') e.mode = POLICY_MODE.TRANSPORT;
        else if (arg === 'tunnel') e.mode = POLICY_MODE.TUNNEL;
        else throw new ParamError(`policy match: invalid mode "${arg}"`);
        return;
      case 'next':
        if (++s.len === MAX_ELEM) throw new ParamError('policy match: maximum policy depth reached');
        return;
    }
  },
  /** policy_check: runs once, before the option table's --next/--strict dependency check. */
  finalCheck(s) {
    if (!(s.flags & (POLICY.IN | POLICY.OUT))) {
      throw new ParamError('policy match: neither --dir in nor --dir out specified');
    }
    if (s.flags & POLICY.NONE) {
      if (s.flags & POLICY.STRICT) throw new ParamError('policy match: policy none but --strict given');
      if (s.len !== 0) throw new ParamError('policy match: policy none but policy given');
    } else {
      s.len++; // the last element has no --next after it
    }
    for (let i = 0; i < s.len; i++) {
      const e = s.pol[i]!;
      const m = e.match;
      if (s.flags & POLICY.STRICT && !(m.reqid || m.spi || m.saddr || m.daddr || m.proto || m.mode)) {
        throw new ParamError(
          `policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, ` +
            'tunnel-src, tunnel-dst, proto or mode is required.',
        );
      }
      const transport =
        (e.mode === POLICY_MODE.TUNNEL && e.invert.mode) || (e.mode === POLICY_MODE.TRANSPORT && !e.invert.mode);
      if ((m.saddr || m.daddr) && transport) {
        throw new ParamError('policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode');
      }
    }
  },
  /** policy_mt_check: an input policy exists only on the way in, an output one on the way out. */
  kernelCheck(s, ctx) {
    if (s.flags & POLICY.IN && (ctx.hooks.has('POSTROUTING') || ctx.hooks.has('OUTPUT'))) {
      return 'policy match: input policy not valid in POSTROUTING and OUTPUT';
    }
    if (s.flags & POLICY.OUT && (ctx.hooks.has('PREROUTING') || ctx.hooks.has('INPUT'))) {
      return 'policy match: output policy not valid in PREROUTING and INPUT';
    }
    return undefined;
  },
  save(s) {
    let out = flagsText(s.flags, '--');
    for (let i = 0; i < s.len; i++) {
      out += elemText(s.pol[i]!, '--', false);
      if (i + 1 < s.len) out += ' --next';
    }
    return out;
  },
  print(s, _ip, numeric) {
    let out = ' policy match' + flagsText(s.flags, '');
    for (let i = 0; i < s.len; i++) {
      if (s.len > 1) out += ` [${i}]`;
      out += elemText(s.pol[i]!, '', numeric);
    }
    return out;
  },
});
