/**
 * The progress line of long replays: packets, share of the file read, rate and time left,
 * rewritten in place on a terminal's stderr a few times a second.
 */
import { performance } from 'node:perf_hooks';

/** Redraw at most this often (ms). */
const REDRAW_MS = 250;

function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * "nfreplay: 1200000 packets, 45.2% of 1.2 GB, 4.10 M packets/s, ETA 0:12"; without a
 * known size (stdin), the bytes read instead of the share and no ETA.
 */
export function progressText(packets: number, readBytes: number, totalBytes: number | undefined, seconds: number): string {
  const rate = seconds > 0 ? packets / seconds : 0;
  const rateText = rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : rate >= 1e3 ? `${(rate / 1e3).toFixed(1)} k` : `${Math.round(rate)}`;
  let out = `nfreplay: ${packets} packets, `;
  if (totalBytes !== undefined && totalBytes > 0) {
    const share = Math.min(1, readBytes / totalBytes);
    out += `${(100 * share).toFixed(1)}% of ${bytesText(totalBytes)}, ${rateText} packets/s`;
    if (share > 0 && seconds > 0) out += `, ETA ${durationText((seconds * (1 - share)) / share)}`;
  } else {
    out += `${bytesText(readBytes)} read, ${rateText} packets/s`;
  }
  return out;
}

/** Draws progressText on `write` (a terminal) at most every REDRAW_MS; clear() erases it. */
export class ProgressLine {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly write: (text: string) => void) {}

  update = (packets: number, readBytes: number, totalBytes: number | undefined): void => {
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.write(`\r${progressText(packets, readBytes, totalBytes, (now - this.started) / 1000)}\x1b[K`);
  };

  clear(): void {
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }
}
