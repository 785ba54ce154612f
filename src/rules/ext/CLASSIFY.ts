/**
 * CLASSIFY target (libxt_CLASSIFY / kernel xt_CLASSIFY): sets skb->priority, which
 * selects a tc class (MAJOR:MINOR, both hexadecimal) on the way out.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { isCSpace } from '../values.js';
import { UINT64_MAX } from './common/numbers.js';
import { defineTarget } from './types.js';

export interface ClassifyState {
  /** TC_H_MAKE(major << 16, minor). */
  priority: number;
}

/**
 * One glibc scanf "%x" conversion at `pos`: leading white space, an optional sign, an
 * optional 0x (consumed even without digits after it), hex digits; converted as strtoul
 * would on a 64-bit long (overflow gives ULONG_MAX, a minus sign negates modulo 2^64),
 * then stored into an unsigned int. Returns undefined when no number was read.
 */
function scanHex(text: string, pos: number): { value: number; end: number } | undefined {
  let i = pos;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') negative = text[i++] === '-';
  let digits = 0;
  let value = 0n;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    digits = 1; // the "0" itself
  }
  while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) {
    value = value * 16n + BigInt(parseInt(text[i]!, 16));
    i++;
    digits++;
  }
  if (digits === 0) return undefined;
  if (value > UINT64_MAX) value = UINT64_MAX;
  else if (negative) value = -value & UINT64_MAX;
  return { value: Number(value & 0xffffffffn), end: i };
}

/** CLASSIFY_string_to_priority: sscanf(s, "%x:%x") must fill both; trailing text is ignored. */
export function parseClass(text: string): number {
  const major = scanHex(text, 0);
  const minor = major && text[major.end] === ':' ? scanHex(text, major.end + 1) : undefined;
  if (!major || !minor) throw new ParamError(`Bad class value "${text}"`);
  // TC_H_MAKE keeps the low 16 bits of each half.
  return (((major.value & 0xffff) << 16) | (minor.value & 0xffff)) >>> 0;
}

function hexPart(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export const CLASSIFY = defineTarget<ClassifyState>({
  name: 'CLASSIFY',
  modelled: true,
  options: [{ name: 'set-class', arg: 'required', mandatory: true }],
  // xt_CLASSIFY: only where an output device is known.
  hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
  create: () => ({ priority: 0 }),
  parse(s, call) {
    s.priority = parseClass(call.arg ?? '');
  },
  save: (s) => ` --set-class ${hexPart(s.priority >>> 16, 4)}:${hexPart(s.priority & 0xffff, 4)}`,
  print: (s) => ` CLASSIFY set ${hexPart(s.priority >>> 16, 1)}:${hexPart(s.priority & 0xffff, 1)}`,
  // classify_tg sets skb->priority, which only queueing disciplines read: no rule sees it.
  applyTarget: () => Verdict.CONTINUE,
});
