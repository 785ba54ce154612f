/**
 * The capture's traffic over capture time (`summary.traffic`): per bin, the packets
 * replayed, their bytes (IP total length, as the counters count them) and the connections
 * conntrack confirmed while they were processed. Bins start at the first replayed packet
 * and are one second wide; a capture read from a stream has no known span, so whenever a
 * packet falls past the last bin the bound allows, the bins double in width and pairs of
 * them are added together: the series stays regular and at most `maxPoints` long, and
 * every count in it stays exact (a wider bin is the sum of the narrower ones).
 *
 * Also the size mix of the same packets (the capacity report's), by IP total length.
 * Per packet this is a division and a few additions into arrays made up front.
 */

const NS = 1e9;

/** `summary.traffic`: [seconds since the first packet at the bin's start, packets, bytes, new connections]. */
export interface TrafficSeries {
  binSeconds: number;
  points: Array<[number, number, number, number]>;
}

/** Upper bounds (IP total length, inclusive) of the size mix's buckets; larger ones go in a last bucket. */
export const SIZE_BOUNDS: readonly number[] = [64, 128, 256, 512, 1024, 1500];

export class Traffic {
  private binNs = NS;
  /** Per bin: packets, bytes, new connections (3 numbers a bin). */
  private readonly bins: Float64Array;
  /** Bins up to the latest packet's. */
  private used = 0;
  /**
   * The bin the last packet fell in, and its span [startNs, endNs): most packets fall in it
   * again. An empty span until there is one.
   */
  private current = 0;
  private startNs = 0;
  private endNs = 0;
  /** The confirmation count last seen (new connections are its increase). */
  private confirmedBefore = 0;
  private readonly sizes = new Float64Array(SIZE_BOUNDS.length + 1);

  constructor(private readonly maxPoints = 10_000) {
    if (!(maxPoints >= 2)) throw new RangeError('a traffic series needs at least 2 points');
    this.bins = new Float64Array(3 * maxPoints);
  }

  /**
   * Added to every packet's time: where this replay's first packet falls after the first
   * bin's start (a part of a capture replayed on a thread, binned from the whole capture's
   * first packet); 0 otherwise.
   */
  shiftNs = 0;

  /**
   * A replayed packet of `length` bytes at `pkt.nowNs` since the first one (a capture whose
   * time went back before it counts in the first bin); `confirmed`: the entries the tracker
   * has confirmed so far (0 without conntrack). The time is read from the packet rather
   * than passed: a number of ns does not fit a small integer, and passing it to a call V8
   * does not inline would box it, once per packet.
   */
  add(pkt: { readonly nowNs: number }, length: number, confirmed: number): void {
    const nowNs = pkt.nowNs + this.shiftNs;
    if (nowNs >= this.endNs || nowNs < this.startNs) this.enter(nowNs);
    const bin = 3 * this.current;
    this.bins[bin]++;
    this.bins[bin + 1] += length;
    this.bins[bin + 2] += confirmed - this.confirmedBefore;
    this.confirmedBefore = confirmed;
    // SIZE_BOUNDS by the bit length: ≤64 → 0, ≤128 → 1 ... ≤1024 → 4; then ≤1500, larger.
    this.sizes[length <= 1024 ? Math.max(0, 26 - Math.clz32(length - 1)) : length <= 1500 ? 5 : 6]++;
  }

  /** Every bin from the first packet's to the last one's, empty ones included. */
  series(): TrafficSeries {
    const binSeconds = this.binNs / NS;
    const points: TrafficSeries['points'] = [];
    const b = this.bins;
    for (let i = 0; i < this.used; i++) points.push([i * binSeconds, b[3 * i]!, b[3 * i + 1]!, b[3 * i + 2]!]);
    return { binSeconds, points };
  }

  /** Packets per size bucket: ≤ SIZE_BOUNDS[i] (and above the previous bound), then the larger ones. */
  sizeMix(): number[] {
    return [...this.sizes];
  }

  /**
   * Adds another collector's series and size mix, whose bins start at the same time (a part
   * of the capture replayed on another thread, given this replay's first packet as origin).
   * Bins of every width are whole multiples of one second from that origin, so a narrower
   * bin lies in exactly one wider bin and the sums stay exact.
   */
  addSeries(other: TrafficSeries, sizes: readonly number[]): void {
    while (this.binNs < other.binSeconds * NS) this.widen();
    for (const [t, packets, bytes, created] of other.points) {
      if (packets === 0) continue;
      this.enter(t * NS);
      const at = 3 * this.current;
      this.bins[at] += packets;
      this.bins[at + 1] += bytes;
      this.bins[at + 2] += created;
    }
    sizes.forEach((n, i) => (this.sizes[i] += n));
  }

  /** Makes the bin `nowNs` falls in the current one, doubling the bins first if it is past the last. */
  private enter(nowNs: number): void {
    let bin = nowNs > 0 ? Math.floor(nowNs / this.binNs) : 0;
    while (bin >= this.maxPoints) {
      this.widen();
      bin = Math.floor(nowNs / this.binNs);
    }
    this.current = bin;
    this.startNs = bin === 0 ? -Infinity : bin * this.binNs;
    this.endNs = (bin + 1) * this.binNs;
    if (bin >= this.used) this.used = bin + 1;
  }

  /** Bins twice as wide: each the sum of two. */
  private widen(): void {
    this.binNs *= 2;
    const b = this.bins;
    const half = Math.ceil(this.used / 2);
    for (let i = 0; i < half; i++) {
      for (let k = 0; k < 3; k++) b[3 * i + k] = b[6 * i + k]! + (2 * i + 1 < this.used ? b[6 * i + 3 + k]! : 0);
    }
    b.fill(0, 3 * half, 3 * this.used);
    this.used = half;
    this.startNs = this.endNs = 0;
  }
}
