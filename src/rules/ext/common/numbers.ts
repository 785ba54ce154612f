/**
 * Integer parsing as the extensions see it: the C library conversions (strtoul, atoi,
 * strtod) whose quirks show through in canonical output, libxtables' 64-bit unsigned
 * parse, and the x6 integer option types (XTTYPE_UINT8/16/32/64 and their ranges, "RC")
 * with the messages iptables 1.8.9 prints for them.
 *
 * Two families of unsigned parsers coexist on purpose:
 *  - strtoul / strtoulPrefix (numbers exact to 2^53, for the generic options too) and
 *    strtoull / strtoullPrefix (exact to 2^64) mirror xtables_strtoul_base: a leading
 *    minus is refused, overflow is an error;
 *  - cStrtoul mirrors strtoul(3) itself, which old-style extensions call directly: a
 *    minus negates modulo 2^64 and overflow saturates to ULONG_MAX.
 *
 * Messages keep the trailing newline of iptables' format strings; it is trimmed before
 * anything is shown.
 */
import { ParamError } from '../../errors.js';
import { digitValue, hexPrefixAt, isCSpace, strtoul, strtoulBase, strtoulPrefix } from '../../values.js';

/** UINT64_MAX, also ULONG_MAX on the LP64 systems iptables runs on. */
export const UINT64_MAX = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------------------
// The C library

export interface CNumber {
  /** The value as the C function returns it (already wrapped or clamped). */
  value: bigint;
  /** Index just past the last character consumed; 0 when nothing was converted. */
  end: number;
  /** The magnitude did not fit in 64 bits (errno ERANGE). */
  erange: boolean;
}

/** The index of the first character at or after `from` that is not C white space. */
function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * strtoul(3) on an LP64 system: leading white space, optional sign (a minus negates the
 * result modulo 2^64), base 0 detects 0x/0 prefixes, overflow clamps to ULONG_MAX.
 */
export function cStrtoul(text: string, base: number): CNumber {
  let i = skipSpace(text, 0);
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  const b = strtoulBase(text, i, base);
  if (b === 16 && hexPrefixAt(text, i)) i += 2;
  const start = i;
  let value = 0n;
  let overflow = false;
  for (; i < text.length; i++) {
    const d = digitValue(text.charCodeAt(i));
    if (d >= b) break;
    value = value * BigInt(b) + BigInt(d);
    if (value > UINT64_MAX) overflow = true;
  }
  if (i === start) return { value: 0n, end: 0, erange: false };
  if (overflow) return { value: UINT64_MAX, end: i, erange: true };
  return { value: negative ? -value & UINT64_MAX : value, end: i, erange: false };
}

/** atoi(3) / atoll(3): strtol semantics in base 10, saturating, then (for atoi) an int cast. */
export function cAtoll(text: string): bigint {
  let i = skipSpace(text, 0);
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let value = 0n;
  for (; i < text.length; i++) {
    const d = digitValue(text.charCodeAt(i));
    if (d >= 10) break;
    value = value * 10n + BigInt(d);
  }
  if (negative) value = -value;
  if (value > 0x7fffffffffffffffn) return 0x7fffffffffffffffn;
  if (value < -0x8000000000000000n) return -0x8000000000000000n;
  return value;
}

/** atoi(3): the long result truncated to a 32-bit int. */
export function cAtoi(text: string): number {
  return Number(BigInt.asIntN(32, cAtoll(text)));
}

/**
 * strtod(3): decimal and hexadecimal floating point, "inf"/"infinity"/"nan", leading
 * white space; returns the value and how much was consumed (0 when nothing).
 */
export function cStrtod(text: string): { value: number; end: number } {
  const i = skipSpace(text, 0);
  const rest = text.slice(i);
  const special = /^([+-]?)(infinity|inf|nan(\([0-9A-Za-z_]*\))?)/i.exec(rest);
  if (special) {
    const sign = special[1] === '-' ? -1 : 1;
    const word = special[2]!.toLowerCase();
    return { value: word.startsWith('nan') ? NaN : sign * Infinity, end: i + special[0].length };
  }
  const hexm = /^([+-]?)0[xX](([0-9a-fA-F]+)(\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))([pP]([+-]?\d+))?/.exec(rest);
  if (hexm) {
    const intPart = hexm[3] ?? '';
    const fracPart = hexm[5] ?? hexm[6] ?? '';
    let mant = 0;
    for (const ch of intPart + fracPart) mant = mant * 16 + digitValue(ch.charCodeAt(0));
    let exp = -4 * fracPart.length;
    let len = hexm[0].length;
    if (hexm[8] !== undefined) exp += Number(hexm[8]);
    else if (hexm[7] !== undefined) len -= hexm[7].length;
    const value = mant * Math.pow(2, exp);
    return { value: hexm[1] === '-' ? -value : value, end: i + len };
  }
  const dec = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
  if (!dec) return { value: 0, end: 0 };
  // "1e" or "1e+" stop before the exponent letter, as strtod does.
  return { value: Number(dec[0]), end: i + dec[0].length };
}

// ---------------------------------------------------------------------------------------
// libxtables' 64-bit unsigned parse

/**
 * xtables_strtoul_base with an end pointer, on the whole 64-bit range and kept exact:
 * leading blanks and '+', base 0; a minus sign (which strtoul would accept) and overflow
 * are refused. Returns the value and where it stopped, or undefined.
 */
export function strtoullPrefix(text: string): { value: bigint; end: number } | undefined {
  if (text[skipSpace(text, 0)] === '-') return undefined;
  const r = cStrtoul(text, 0);
  if (r.end === 0 || r.erange) return undefined;
  return { value: r.value, end: r.end };
}

/** xtables_strtoul_base without an end pointer (64 bits, exact): nothing may follow. */
export function strtoull(text: string): bigint | undefined {
  const r = strtoullPrefix(text);
  return r !== undefined && r.end === text.length ? r.value : undefined;
}

// ---------------------------------------------------------------------------------------
// x6 integer option types

/**
 * XTTYPE_UINT8/16/32 (xtopt_parse_int): the whole argument must be a base-0 number in
 * [min, max]; `min`/`max` are the option's bounds (the type's own limit when the option
 * sets none).
 */
export function parseXtUint(ext: string, option: string, text: string, min: number, max: number): number {
  const n = strtoul(text, min, max);
  if (n === undefined) {
    throw new ParamError(`${ext}: bad value for option "--${option}", or out of range (${min}-${max}).\n`);
  }
  return n;
}

/** XTTYPE_UINT64 (xtopt_parse_int on 64-bit values): a whole base-0 number in 0..2^64-1. */
export function parseXtUint64(ext: string, option: string, text: string): bigint {
  const n = strtoull(text);
  if (n === undefined) {
    throw new ParamError(`${ext}: bad value for option "--${option}", or out of range (0-${UINT64_MAX}).\n`);
  }
  return n;
}

/**
 * xtopt_parse_mint as iptables 1.8.9 has it: "a", "a:b", ":b", "a:" or ":", each number
 * base 0 in [0, max]; an empty first part means 0 and an empty second part means max.
 * Returns one value for "a" and two otherwise. 1.8.9 does not yet insist on a <= b (later
 * versions do), so "4:3" is accepted here and left to the extension.
 */
function parseMint<T extends number | bigint>(
  ext: string,
  option: string,
  text: string,
  max: T,
  zero: T,
  prefix: (text: string) => { value: T; end: number } | undefined,
): [T] | [T, T] {
  const values: T[] = [];
  let pos = 0;
  for (;;) {
    if (values.length === 2) throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)\n`);
    const rest = text.slice(pos);
    let end = pos;
    if (rest === '' || rest[0] === ':') {
      values.push(values.length === 1 ? max : zero);
    } else {
      const n = prefix(rest);
      if (n === undefined || n.value > max) {
        throw new ParamError(`${ext}: bad value for option "--${option}" near "${rest}", or out of range (0-${max}).\n`);
      }
      end = pos + n.end;
      if (end < text.length && text[end] !== ':') {
        throw new ParamError(`${ext}: Argument to "--${option}" has unexpected characters near "${text.slice(end)}".\n`);
      }
      values.push(n.value);
    }
    if (end >= text.length) return values as [T] | [T, T];
    pos = end + 1;
  }
}

/** XTTYPE_UINT8RC/16RC/32RC: xtopt_parse_mint with `max` the type's maximum. */
export function parseXtUintRange(ext: string, option: string, text: string, max: number): [number] | [number, number] {
  return parseMint(ext, option, text, max, 0, strtoulPrefix);
}

/** XTTYPE_UINT64RC: xtopt_parse_mint over 0..2^64-1, exact. */
export function parseXtUint64Range(ext: string, option: string, text: string): [bigint] | [bigint, bigint] {
  return parseMint(ext, option, text, UINT64_MAX, 0n, strtoullPrefix);
}

// ---------------------------------------------------------------------------------------
// Printing ranges

/** "min" when both ends are equal, else "min:max" (the save form of every "a:b" option). */
export function rangeText(min: number, max: number): string {
  return min === max ? String(min) : `${min}:${max}`;
}

/** " [!] --option min[:max]": a range option as the save functions write it. */
export function rangeOptionText(option: string, min: number, max: number, invert: boolean): string {
  return `${invert ? ' !' : ''} --${option} ${rangeText(min, max)}`;
}
