// How the main thread of the parallel replay (src/engine/parallel.ts) reads a part and finds
// where its whole records end: one read of the part and then a walk over its record
// headers, against reads of --step bytes each walked at once, while still in the core's
// cache. The capture is bench/work's seed-style capture of --packets packets (made once);
// parts of --part bytes, read into one reused buffer as the replay does; the page cache
// warmed by a first pass. Medians of --runs of the time spent reading and walking.
//
//   node bench/parallel-read.mjs [--runs=5] [--packets=2000000] [--part=8388608] [--step=262144]
import { closeSync, openSync, readSync } from 'node:fs';
import { generatedCapture, machine, median, printTable } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 5);
const packets = Number(args.packets ?? 2_000_000);
const partBytes = Number(args.part ?? 8 << 20);
const step = Number(args.step ?? 256 << 10);
const file = await generatedCapture(`capture-${packets}-s1.pcap`, { packets, seed: 1 });

/** Walks record headers from p while whole; the end and how many. */
function walk(dv, p, end) {
  let records = 0;
  while (end - p >= 16) {
    const caplen = dv.getUint32(p + 8, true);
    if (end - p - 16 < caplen) break;
    p += 16 + caplen;
    records++;
  }
  return { p, records };
}

/** Reads the capture part by part, each in reads of `size` bytes, walking after each; seconds reading, seconds walking, records. */
function pass(size) {
  const fd = openSync(file, 'r');
  const buf = new Uint8Array(partBytes + (1 << 20));
  const dv = new DataView(buf.buffer);
  let position = 24;
  let readNs = 0n;
  let walkNs = 0n;
  let records = 0;
  for (;;) {
    let n = 0;
    let p = 0;
    while (n < partBytes) {
      const want = Math.min(size, partBytes - n);
      const t0 = process.hrtime.bigint();
      const got = readSync(fd, buf, n, want, position + n);
      const t1 = process.hrtime.bigint();
      n += got;
      const w = walk(dv, p, n);
      walkNs += process.hrtime.bigint() - t1;
      readNs += t1 - t0;
      p = w.p;
      records += w.records;
      if (got < want) break;
    }
    if (n === 0) break;
    position += p;
    if (p === 0) break;
  }
  closeSync(fd);
  return { read: Number(readNs) / 1e9, walk: Number(walkNs) / 1e9, records };
}

pass(partBytes);
const rows = [];
for (const [name, size] of [
  ['one read per part, then the walk', partBytes],
  [`reads of ${step >> 10} KiB, each walked`, step],
]) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(pass(size));
  if (results[0].records !== packets) throw new Error(`${name}: walked ${results[0].records} records, expected ${packets}`);
  rows.push({ how: name, 'read s': median(results.map((r) => r.read)).toFixed(3), 'walk s': median(results.map((r) => r.walk)).toFixed(3), 'ns per record walked': ((median(results.map((r) => r.walk)) * 1e9) / packets).toFixed(0) });
}
printTable(`parts of ${(partBytes / 2 ** 20).toFixed(0)} MiB of a ${packets.toLocaleString('en-US')}-packet capture, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
