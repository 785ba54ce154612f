/**
 * The bars of a histogram chart from HdrHistogram's compressed encoding (the `encoded` of
 * the replay's JSON): one bar per value when the recorded values span few enough, else
 * bars of geometrically growing width (latencies and rule counts are long-tailed; equal
 * widths would put almost everything in the first bar). Counts are HdrHistogram's, whose
 * buckets are exact to 3 significant digits; every recorded count lands in one bar.
 */
import type * as Hdr from 'hdr-histogram-js';
import { hdr } from '../engine/hdr.js';

/** Recorded values from `from` to `to` (inclusive), `count` of them. */
export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Every recorded value (the highest of its bucket) with its count, ascending. */
function recorded(encoded: string): Array<[number, number]> {
  const h = hdr().decodeFromCompressedBase64(encoded, 32, false) as unknown as Hdr.JsHistogram;
  const out: Array<[number, number]> = [];
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  h.destroy();
  return out;
}

/** Bin edges: the first value of each bin, ascending and distinct, from lo; the last bin ends at hi. */
function edges(lo: number, hi: number, maxBars: number): number[] {
  if (hi - lo < maxBars) return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const out = lo === 0 ? [0] : [];
  const start = Math.max(lo, 1);
  const bars = maxBars - out.length;
  const ratio = (hi + 1) / start;
  for (let k = 0; k < bars; k++) {
    const e = Math.round(start * ratio ** (k / bars));
    if (out.length === 0 || e > out[out.length - 1]!) out.push(e);
  }
  return out;
}

/** At most `maxBars` bars covering the recorded values of `encoded`; [] for an empty histogram. */
export function histogramBins(encoded: string, maxBars = 40): Bin[] {
  const values = recorded(encoded);
  if (values.length === 0) return [];
  const lo = values[0]![0];
  const hi = values[values.length - 1]![0];
  const starts = edges(lo, hi, maxBars);
  const bins: Bin[] = starts.map((from, i) => ({ from, to: i + 1 < starts.length ? starts[i + 1]! - 1 : hi, count: 0 }));
  let b = 0;
  for (const [value, count] of values) {
    while (b + 1 < bins.length && value >= bins[b + 1]!.from) b++;
    bins[b]!.count += count;
  }
  return bins;
}
