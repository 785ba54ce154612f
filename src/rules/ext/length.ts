/**
 * length match (libxt_length / kernel xt_length): the IPv4 total length, a value or an
 * inclusive range, optionally negated.
 *
 * Also home of the parser for x6 range options (XTTYPE_UINT16RC and friends), shared with
 * tcpmss.
 */
import { ParamError } from '../errors.js';
import { strtoulPrefix } from '../values.js';
import { defineMatch } from './types.js';

/**
 * xtopt_parse_mint as iptables 1.8.9 has it: "a", "a:b", ":b", "a:" or ":", each number
 * base 0 in [0, max]; an empty first part means 0 and an empty second part means max.
 * Returns one value for "a" and two otherwise. 1.8.9 does not yet insist on a <= b (later
 * versions do), so "4:3" is accepted here and left to the extension.
 */
export function parseUintRangeOption(
  ext: string,
  option: string,
  text: string,
  max: number,
): [number] | [number, number] {
  const values: number[] = [];
  let pos = 0;
  for (;;) {
    if (values.length === 2) throw new ParamError(`${ext}: Too many components for option "--${option}" (max: 2)`);
    const rest = text.slice(pos);
    let end = pos;
    if (rest === '' || rest[0] === ':') {
      values.push(values.length === 1 ? max : 0);
    } else {
      const n = strtoulPrefix(rest);
      if (n === undefined || n.value > max) {
        throw new ParamError(`${ext}: bad value for option "--${option}" near "${rest}", or out of range (0-${max}).`);
      }
      end = pos + n.end;
      if (end < text.length && text[end] !== ':') {
        throw new ParamError(`${ext}: Argument to "--${option}" has unexpected characters near "${text.slice(end)}".`);
      }
      values.push(n.value);
    }
    if (end >= text.length) return values as [number] | [number, number];
    pos = end + 1;
  }
}

/** "min" when both ends are equal, else "min:max" (length_save / tcpmss_save). */
export function rangeText(min: number, max: number): string {
  return min === max ? String(min) : `${min}:${max}`;
}

export interface LengthState {
  min: number;
  max: number;
  invert: boolean;
}

export const length = defineMatch<LengthState>({
  name: 'length',
  modelled: true,
  options: [{ name: 'length', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ min: 0, max: 0, invert: false }),
  parse(s, call) {
    const [min, max = min] = parseUintRangeOption('length', call.name, call.arg ?? '', 0xffff);
    s.min = min;
    // A reversed range ("4:3") is kept as given: xt_length then never matches.
    s.max = max;
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --length ${rangeText(s.min, s.max)}`,
  print: (s) => ` length ${s.invert ? '!' : ''}${rangeText(s.min, s.max)}`,
});
