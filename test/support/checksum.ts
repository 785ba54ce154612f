/** Helpers the tests use to build packets by hand. */

/** A dotted quad as a uint32. */
export const ip = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

/** Ones' complement sum of the 16-bit words of b[from, to) (an odd last byte padded), folded, plus `acc`. */
export function sum16(b: Uint8Array, from: number, to: number, acc = 0): number {
  let s = acc;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
