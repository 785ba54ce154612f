// Capture reading benchmark: one generated capture (bench/gen/capture.mjs) read, all in one
// run and from the page cache, by
//   - `cat FILE > /dev/null`: the floor, bytes moved and nothing else;
//   - a bare Node loop over large chunks that only walks the pcap record headers: the most
//     any reader written in JavaScript can do;
//   - nfreplay's reader (openCapture().forEach), and the reader with the decoder;
//   - pcap-parser (npm), the named alternative;
//   - `tcpdump -r FILE -w /dev/null`: libpcap reading and writing every record; and the same
//     with a BPF filter doing what the seed-style INPUT rules do (SEED-BPF), the nearest
//     thing tcpdump has to a ruleset.
// Medians of --runs rounds; packets/s, MB/s and the ratio to the bare loop's packets/s. Then the
// peak RSS of the reader (with the decoder) on captures of two sizes, the larger >= 2 GB,
// to show memory does not grow with the capture.
//
//   npm run build && node bench/capture.mjs [--packets=2000000] [--runs=5] [--seed=1]
//        [--file=CAPTURE] [--rss=2.2G | --rss=0]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSize } from './gen/capture.mjs';
import { bareLoop, generatedCapture, have, machine, median, pcapParserRead, printTable, readerDecode, ROOT, runChecked as run, timeRunsAsync } from './lib.mjs';
import { SEED_BPF } from './replay-rules.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 5);
const seed = Number(args.seed ?? 1);

let file = args.file;
if (!file) {
  const packets = Number(args.packets ?? 2_000_000);
  file = await generatedCapture(`capture-${packets}-s${seed}.pcap`, { packets, seed });
}
const fileBytes = statSync(file).size;

const { openCapture } = await import(join(ROOT, 'dist', 'capture', 'reader.js'));

async function readerOnly(path) {
  const reader = await openCapture(path);
  let bytes = 0;
  const summary = await reader.forEach((rec) => {
    bytes += rec.caplen;
  });
  if (bytes !== summary.bytes) throw new Error('reader: byte count mismatch');
  return summary.packets;
}

// Count the packets once, and put the file in the page cache before anything is timed.
run('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]);
const packets = bareLoop(file);
const checkCount = (name, n) => {
  if (n !== packets) throw new Error(`${name} read ${n} packets, expected ${packets}`);
};

// pcap-parser's Buffer() constructor warns once; the warning is not a result.
process.removeAllListeners('warning');

// Rounds: every measure once per round, so a change of load on the machine during the run
// hits all of them alike; the median of each over the rounds is reported.
const measures = [
  { name: 'cat FILE > /dev/null (floor)', fn: () => run('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]) },
  { name: 'bare loop (record headers only)', fn: () => checkCount('bare loop', bareLoop(file)) },
  { name: 'nfreplay reader', fn: async () => checkCount('reader', await readerOnly(file)) },
  { name: 'nfreplay reader + decoder', fn: async () => checkCount('reader + decoder', await readerDecode(file)) },
  { name: 'pcap-parser (npm)', fn: async () => checkCount('pcap-parser', await pcapParserRead(file)) },
];
if (have('tcpdump')) {
  measures.push({ name: 'tcpdump -r FILE -w /dev/null', fn: () => run('tcpdump', ['-Z', 'root', '-r', file, '-w', '/dev/null']) });
  measures.push({ name: 'tcpdump -r FILE -w /dev/null SEED-BPF', fn: () => run('tcpdump', ['-Z', 'root', '-r', file, '-w', '/dev/null', SEED_BPF]) });
}
else console.log('tcpdump baseline skipped: tcpdump not installed');
const times = measures.map(() => []);
for (let round = 0; round < runs; round++) {
  for (const [i, m] of measures.entries()) times[i].push(...(await timeRunsAsync(1, m.fn)));
}
const results = measures.map((m, i) => ({ name: m.name, seconds: median(times[i]) }));

const bare = results.find((r) => r.name.startsWith('bare loop'));
const rows = results.map((r) => ({
  measure: r.name,
  'median s': r.seconds.toFixed(3),
  'packets/s': Math.round(packets / r.seconds).toLocaleString('en-US'),
  'MB/s': Math.round(fileBytes / r.seconds / 1e6).toLocaleString('en-US'),
  'vs bare loop': `${(bare.seconds / r.seconds).toFixed(2)}x`,
}));
const mb = (fileBytes / 1e6).toFixed(0);
printTable(`capture read: ${packets} packets, ${mb} MB, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));

const byName = (prefix) => results.find((r) => r.name.startsWith(prefix));
const decodeShare = bare.seconds / byName('nfreplay reader + decoder').seconds;
const vsParser = byName('pcap-parser').seconds / byName('nfreplay reader + decoder').seconds;
console.log(
  `\nreader + decoder: ${(decodeShare * 100).toFixed(0)}% of the bare loop's packets/s (goal >= 50%), ` +
    `${vsParser.toFixed(1)}x pcap-parser`,
);

// Peak RSS of the reader + decoder, each in a fresh process, on the benchmark capture and on
// one of at least --rss bytes (default 2.2G, more than 2 GiB): with bounded memory the two
// are about the same.
const rssTarget = args.rss ?? '2.2G';
const memory = [];
if (rssTarget !== '0') {
  const big = await generatedCapture(`capture-rss-${rssTarget}-s${seed}.pcap`, { bytes: parseSize(rssTarget), seed });
  const child = fileURLToPath(new URL('./capture-rss.mjs', import.meta.url));
  const rss = (path, mode) => {
    const r = spawnSync(process.execPath, [child, path, mode], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`capture-rss.mjs ${path} ${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  memory.push({ capture: 'none (node + modules loaded)', ...rss(file, 'baseline') });
  memory.push({ capture: file, ...rss(file, 'decode') });
  memory.push({ capture: big, ...rss(big, 'decode') });
  const memRows = memory.map((m) => ({
    capture: m.capture,
    'file MB': m.fileBytes ? (m.fileBytes / 1e6).toFixed(0) : '-',
    packets: m.packets ? m.packets.toLocaleString('en-US') : '-',
    'peak RSS MB': (m.maxRssKb / 1024).toFixed(1),
    'heap used MB': (m.heapUsed / 1048576).toFixed(1),
    'read s': m.seconds ? m.seconds.toFixed(2) : '-',
  }));
  printTable('reader + decoder memory: peak RSS of a fresh process', memRows, Object.keys(memRows[0]));
}

console.log(
  JSON.stringify({
    bench: 'capture',
    file,
    fileBytes,
    packets,
    runs,
    machine: machine(),
    results: results.map((r) => ({
      name: r.name,
      seconds: r.seconds,
      packetsPerSec: packets / r.seconds,
      mbPerSec: fileBytes / r.seconds / 1e6,
      vsBareLoop: bare.seconds / r.seconds,
    })),
    memory,
  }),
);

