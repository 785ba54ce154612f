/**
 * string match (libxt_string revision 1 / kernel xt_string): searches the packet for a
 * byte pattern with a textsearch algorithm. Parsed and printed exactly, not evaluated by
 * the replay.
 */
import { ParamError } from '../errors.js';
import { parseXtUint } from './common/numbers.js';
import { truncateBytes } from './common/strings.js';
import { defineMatch } from './types.js';

export interface StringState {
  /** Textsearch algorithm name ("bm" or "kmp" on this kernel), at most 15 bytes. */
  algo: string;
  /** Search window in the packet, from offset to offset (inclusive of the start). */
  from: number;
  to: number;
  pattern: Uint8Array;
  invert: boolean;
  icase: boolean;
}

/** XT_STRING_MAX_PATTERN_SIZE */
const MAX_PATTERN = 128;

/** The textsearch algorithms the kernel provides (ts_bm, ts_kmp; ts_fsm is not built). */
const ALGORITHMS = ['bm', 'kmp'];

const isXDigit = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));

/** parse_string: the bytes as given; longer than the kernel buffer is an error. */
function parsePlain(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_PATTERN) throw new ParamError(`STRING too long "${text}"`);
  return new Uint8Array(bytes);
}

/**
 * parse_hex_string: literal bytes, "\x" for a literal x, and |..| blocks of hex pairs
 * with optional single blanks between pairs (and any blanks right after the opening
 * bar). Iptables' own walk is reproduced step by step because its corner cases show in
 * the result: a bar right after a closing bar is a literal '|', a trailing bar is
 * dropped.
 */
function parseHex(text: string): Uint8Array {
  const s = Buffer.from(text, 'utf8');
  if (s.length === 0) throw new ParamError('STRING must contain at least one char');
  const out: number[] = [];
  let inHex = false;
  let literal = false;
  let i = 0;
  while (i < s.length) {
    if (out.length >= MAX_PATTERN) throw new ParamError(`STRING too long "${text}"`);
    if (s[i] === 0x5c /* \ */) {
      if (inHex) throw new ParamError('Cannot include literals in hex data');
      literal = true;
    } else if (s[i] === 0x7c /* | */) {
      if (inHex) inHex = false;
      else {
        inHex = true;
        while (s[i + 1] === 0x20) i++;
      }
      if (i + 1 >= s.length) break;
      i++;
    }
    if (literal) {
      if (i + 1 >= s.length) throw new ParamError('Bad literal placement at end of string');
      out.push(s[i + 1]!);
      i += 2;
      literal = false;
    } else if (inHex) {
      if (i + 1 >= s.length) throw new ParamError('Odd number of hex digits');
      if (i + 2 >= s.length) throw new ParamError('Invalid hex block');
      for (const c of [s[i], s[i + 1]]) {
        if (!isXDigit(c)) throw new ParamError(`Invalid hex char '${String.fromCharCode(c!)}'`);
      }
      out.push(parseInt(String.fromCharCode(s[i]!, s[i + 1]!), 16));
      i += s[i + 2] === 0x20 ? 3 : 2;
    } else {
      out.push(s[i]!);
      i++;
    }
  }
  return new Uint8Array(out);
}

/** is_hex_string: any byte outside printable ASCII, or a final backslash, forces hex. */
function needsHex(p: Uint8Array): boolean {
  return p.some((b) => b < 0x20 || b > 0x7e) || p[p.length - 1] === 0x5c;
}

/** print_hex_string / print_string, with the leading space. */
function patternText(p: Uint8Array): string {
  if (needsHex(p)) return ' "|' + Buffer.from(p).toString('hex') + '|"';
  return ' "' + String.fromCharCode(...p).replace(/["\\]/g, (c) => '\\' + c) + '"';
}

export const string = defineMatch<StringState>({
  name: 'string',
  modelled: false,
  needs: 'evaluator',
  options: [
    { name: 'from', arg: 'required' },
    { name: 'to', arg: 'required' },
    { name: 'algo', arg: 'required', mandatory: true },
    { name: 'string', arg: 'required', invert: true, excl: ['hex-string'] },
    { name: 'hex-string', arg: 'required', invert: true, excl: ['string'] },
    { name: 'icase', arg: 'none' },
  ],
  create: () => ({ algo: '', from: 0, to: 0xffff, pattern: new Uint8Array(), invert: false, icase: false }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'from':
      case 'to':
        s[call.name] = parseXtUint('string', call.name, arg, 0, 0xffff);
        return;
      case 'algo':
        // XTOPT_PUT into char algo[16]: silently cut to 15 bytes.
        s.algo = truncateBytes(arg, 15);
        return;
      case 'string':
      case 'hex-string':
        s.pattern = call.name === 'string' ? parsePlain(arg) : parseHex(arg);
        if (call.invert) s.invert = true;
        return;
      case 'icase':
        s.icase = true;
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (!ctx.seen.has('string') && !ctx.seen.has('hex-string')) {
      throw new ParamError("STRING match: You must specify `--string' or `--hex-string'");
    }
  },
  // string_mt_check and textsearch_prepare.
  kernelCheck(s) {
    if (s.from > s.to) return `string match: --from ${s.from} is beyond --to ${s.to}`;
    if (s.pattern.length === 0) return 'string match: empty pattern';
    if (!ALGORITHMS.includes(s.algo)) return `string match: no textsearch algorithm "${s.algo}" (known: ${ALGORITHMS.join(', ')})`;
    return undefined;
  },
  save(s) {
    let out = `${s.invert ? ' !' : ''} --${needsHex(s.pattern) ? 'hex-string' : 'string'}${patternText(s.pattern)}`;
    out += ` --algo ${s.algo}`;
    if (s.from !== 0) out += ` --from ${s.from}`;
    if (s.to !== 0xffff) out += ` --to ${s.to}`;
    if (s.icase) out += ' --icase';
    return out;
  },
  print(s) {
    let out = ` STRING match ${s.invert ? '!' : ''}${patternText(s.pattern)} ALGO name ${s.algo}`;
    if (s.from !== 0) out += ` FROM ${s.from}`;
    if (s.to !== 0xffff) out += ` TO ${s.to}`;
    if (s.icase) out += ' ICASE';
    return out;
  },
});
