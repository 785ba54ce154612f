// Decoder micro-benchmark: decode() alone, on packets already in memory, so reading costs
// nothing. The capture is bench/gen/capture.mjs's (or --file, a classic pcap); its records
// are indexed once, then every run decodes all of them with one record object and one view,
// as the reader hands them out. Measured, medians of --runs:
//   - the bare loop over the index (the cost of the loop itself);
//   - decode over the whole capture in memory: each packet's header is a cache miss;
//   - decode of the first 1 MB of packets, cycled to the same count: headers in cache, as
//     when the reader has just walked the record header in front of the packet;
//   - decode + the layer-4 checksum of every replayable packet (l4ChecksumStatus, what
//     conntrack's checksum check costs).
//
//   npm run build && node bench/decode.mjs [--packets=1000000] [--runs=7] [--seed=1] [--file=CAPTURE.pcap]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateCapture } from './gen/capture.mjs';
import { BENCH_DIR, machine, median, printTable, ROOT, timeRuns, workPath } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 7);
const seed = Number(args.seed ?? 1);

const { decode, DecodeEvents, DecodeResult, PacketView, l4ChecksumStatus } = await import(join(ROOT, 'dist', 'decode', 'index.js'));

let file = args.file;
if (!file) {
  const packets = Number(args.packets ?? 1_000_000);
  file = workPath(`capture-${packets}-s${seed}.pcap`);
  const genMtime = statSync(join(BENCH_DIR, 'gen', 'capture.mjs')).mtimeMs;
  if (!existsSync(file) || statSync(file).mtimeMs < genMtime) generateCapture({ out: file, packets, seed });
}

/** Offsets and lengths of every record of a classic pcap held in memory. */
function indexPcap(data) {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && ![0xa1b2c3d4, 0xa1b23c4d].includes(dv.getUint32(0, false))) throw new Error('decode bench: a classic pcap is needed');
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  let n = 0;
  for (let p = 24; p + 16 <= data.length; p += 16 + dv.getUint32(p + 8, le)) n++;
  const offsets = new Float64Array(n);
  const caplens = new Int32Array(n);
  const origlens = new Int32Array(n);
  let p = 24;
  for (let i = 0; i < n; i++) {
    caplens[i] = dv.getUint32(p + 8, le);
    origlens[i] = dv.getUint32(p + 12, le);
    offsets[i] = p + 16;
    p += 16 + caplens[i];
  }
  return { linktype, count: n, offsets, caplens, origlens };
}

const data = new Uint8Array(readFileSync(file));
const idx = indexPcap(data);
const rec = { number: 0, data, offset: 0, caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0, linktype: idx.linktype, interfaceId: -1, direction: 0 };
const view = new PacketView();
let events = new DecodeEvents();

function bare() {
  let sum = 0;
  for (let i = 0; i < idx.count; i++) {
    rec.number = i + 1;
    rec.offset = idx.offsets[i];
    rec.caplen = idx.caplens[i];
    rec.origlen = idx.origlens[i];
    sum += rec.caplen;
  }
  return sum;
}

// The packets in the first megabyte, for the in-cache run.
let cached = 1;
while (cached < idx.count && idx.offsets[cached] < 1 << 20) cached++;

function decodeAll(withChecksum, cycle = idx.count) {
  events = new DecodeEvents();
  let ipv4 = 0;
  for (let i = 0, k = 0; i < idx.count; i++, k = k + 1 === cycle ? 0 : k + 1) {
    rec.number = i + 1;
    rec.offset = idx.offsets[k];
    rec.caplen = idx.caplens[k];
    rec.origlen = idx.origlens[k];
    if (decode(rec, view, events) === DecodeResult.IPV4) {
      ipv4++;
      if (withChecksum) l4ChecksumStatus(data, view);
    }
  }
  if (ipv4 === 0) throw new Error('decode bench: no IPv4 packet decoded');
  return ipv4;
}

const capturedBytes = idx.caplens.reduce((a, b) => a + b, 0);
const rows = [];
function measure(name, fn) {
  fn(); // warm-up: JIT, field representations
  const s = median(timeRuns(runs, fn));
  rows.push({
    name,
    seconds: s.toFixed(3),
    'Mpackets/s': (idx.count / s / 1e6).toFixed(2),
    'MB/s': (capturedBytes / s / 1e6).toFixed(0),
    'ns/packet': ((s / idx.count) * 1e9).toFixed(1),
  });
  return s;
}

console.log(`decode bench: ${file}, ${idx.count} packets, ${(capturedBytes / 1e6).toFixed(1)} MB captured; ${machine()}`);
measure('bare loop over the index', bare);
measure('decode', () => decodeAll(false));
measure(`decode, headers in cache (${cached} packets cycled)`, () => decodeAll(false, cached));
measure('decode + layer-4 checksum', () => decodeAll(true));
printTable(`decode, medians of ${runs} runs`, rows, ['name', 'seconds', 'Mpackets/s', 'MB/s', 'ns/packet']);
console.log('\nevents of one pass:');
for (const e of events.snapshot()) console.log(`  ${e.name.padEnd(28)} ${String(e.count).padStart(10)}  ${e.text}`);
