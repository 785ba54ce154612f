/**
 * The one way the HTML report builds markup: the `html` tagged template, which escapes
 * every interpolated string (rule text, comments, chain names, log prefixes, interface
 * names, file names) and passes through only markup that `html` itself built. Nothing
 * from a ruleset or a capture reaches the page unescaped, in text or in an attribute.
 * Numbers shown carry their exact value in data-v and what they are in data-field, so
 * the page can be checked against the JSON.
 */

/** Markup built by `html` (or a constant written here): safe to place as it is. */
export class Html {
  constructor(readonly text: string) {}
}

export type Part = Html | string | number | null | undefined | false | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value in double quotes) as HTML: & < > " ' replaced by entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function partText(p: Part): string {
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return p.map(partText).join('');
  if (p === null || p === undefined || p === false) return '';
  return escapeHtml(typeof p === 'number' ? String(p) : (p as string));
}

/** Markup with every interpolation escaped unless it is Html; arrays are concatenated, null/undefined/false are nothing. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < parts.length; i++) out += partText(parts[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Digits in groups of three with commas: "1,234,567". */
function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A decimal with at most `digits` decimals (trailing zeros dropped), the whole part grouped. */
export function decimalText(n: number, digits: number): string {
  const fixed = Math.abs(n).toFixed(digits);
  const [whole, fraction = ''] = fixed.split('.');
  const shown = fraction.replace(/0+$/, '');
  return (n < 0 && Number(fixed) !== 0 ? '-' : '') + grouped(whole!) + (shown !== '' ? `.${shown}` : '');
}

/** A count: whole numbers grouped, fractional ones (expected counters) to two decimals. */
export function countText(n: number): string {
  return decimalText(n, 2);
}

/** A share as a percentage with one decimal. */
export function percentText(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

/** Nanoseconds in the unit that suits them: "850 ns", "1.25 µs", "3.4 ms", "2.1 s". */
export function durationText(ns: number): string {
  if (ns < 1e3) return `${decimalText(ns, 0)} ns`;
  if (ns < 1e6) return `${decimalText(ns / 1e3, 2)} µs`;
  if (ns < 1e9) return `${decimalText(ns / 1e6, 2)} ms`;
  return `${decimalText(ns / 1e9, 2)} s`;
}

/** A capture time (seconds since the epoch) in RFC 3339, UTC, to the µs. */
export function isoText(epochSec: number): string {
  const whole = Math.floor(epochSec);
  const micros = Math.round((epochSec - whole) * 1e6);
  const carry = micros === 1e6 ? 1 : 0;
  return new Date((whole + carry) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(carry ? 0 : micros).padStart(6, '0')}Z`);
}

/** A number shown on the page: its exact value in data-v, its meaning in data-field. */
export function num(field: string, value: number, text: string = countText(value)): Html {
  return html`<span class="n" data-field="${field}" data-v="${String(value)}">${text}</span>`;
}
