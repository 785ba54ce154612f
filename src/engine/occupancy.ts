/**
 * The conntrack table's occupancy over capture time (`summary.conntrack.occupancy`): the
 * live entries (not expired) once per second of capture time, plus after the first and
 * the last packet. The span of a capture read from a stream is not known in advance, so
 * sampling starts every second and, whenever the points would exceed the bound, the
 * interval doubles and the points kept are those on the new interval: the points stay
 * regularly spaced and at most `maxPoints` (+ the last packet's).
 *
 * Boundary points are taken when the first packet at or after the boundary arrives, before
 * it is processed: the table as it was at that time (entries that expired by then left
 * out, whether or not the tracker has swept them yet). Counting walks the table, once per
 * packet that crosses one or more boundaries; nothing here runs unless asked for.
 */
import type { ConnTable } from '../conntrack/table.js';

const NS = 1e9;

export interface ConntrackOccupancy {
  /** Most entries the table held at once (expired ones count until removed, as in the kernel). */
  peak: number;
  /** Live entries after the last packet. */
  final: number;
  /** [seconds since the first packet, live entries]. */
  occupancy?: Array<[number, number]>;
}

export class Occupancy {
  private intervalNs = NS;
  /** The next boundary to sample (a multiple of the interval). */
  nextNs = NS;
  private readonly times: number[] = [];
  private readonly counts: number[] = [];

  constructor(
    private readonly table: ConnTable,
    private readonly maxPoints = 10_000,
  ) {}

  /** Live entries at `atNs`. */
  live(atNs: number): number {
    return this.table.liveAt(atNs);
  }

  /** After the first packet (time 0). */
  first(): void {
    this.times.push(0);
    this.counts.push(this.live(0));
  }

  /** Before a packet at `nowNs` ≥ nextNs: every boundary up to it. */
  sample(nowNs: number): void {
    let m = this.boundaries(nowNs);
    while (this.times.length + m > this.maxPoints) {
      this.coarser();
      m = this.boundaries(nowNs);
    }
    if (m === 0) return;
    if (m === 1) {
      this.times.push(this.nextNs);
      this.counts.push(this.live(this.nextNs));
    } else {
      // An idle stretch: one walk of the table, then the count at each boundary.
      const expiries = new Float64Array(this.table.size);
      let i = 0;
      for (const e of this.table.entries) expiries[i++] = e.expiresNs;
      expiries.sort();
      let expired = 0;
      for (let k = 0; k < m; k++) {
        const t = this.nextNs + k * this.intervalNs;
        while (expired < i && expiries[expired]! <= t) expired++;
        this.times.push(t);
        this.counts.push(i - expired);
      }
    }
    this.nextNs += m * this.intervalNs;
  }

  /** The summary, with the point after the last packet (at `lastNs`). */
  finish(lastNs: number, withPoints: boolean): ConntrackOccupancy {
    const final = this.live(lastNs);
    const out: ConntrackOccupancy = { peak: this.table.peak, final };
    if (!withPoints) return out;
    const points: Array<[number, number]> = this.times.map((t, i) => [t / NS, this.counts[i]!]);
    const last = Math.round(lastNs / 1e3) / 1e6;
    if (this.times.length > 0 && !(this.times.length === 1 && last === 0)) points.push([last, final]);
    out.occupancy = points;
    return out;
  }

  /** Boundaries from nextNs up to nowNs. */
  private boundaries(nowNs: number): number {
    return nowNs < this.nextNs ? 0 : Math.floor((nowNs - this.nextNs) / this.intervalNs) + 1;
  }

  /** Doubles the interval, keeping the points on it. */
  private coarser(): void {
    this.intervalNs *= 2;
    let j = 0;
    for (let i = 0; i < this.times.length; i++) {
      if (this.times[i]! % this.intervalNs !== 0) continue;
      this.times[j] = this.times[i]!;
      this.counts[j] = this.counts[i]!;
      j++;
    }
    this.times.length = j;
    this.counts.length = j;
    this.nextNs = Math.ceil(this.nextNs / this.intervalNs) * this.intervalNs;
  }
}
