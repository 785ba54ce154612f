// Shared helpers for the benchmarks: timing, medians, namespaces for the iptables
// baselines, result tables.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');

export const WORK_DIR = join(BENCH_DIR, 'work');

export function workPath(name) {
  mkdirSync(WORK_DIR, { recursive: true });
  return join(WORK_DIR, name);
}

/**
 * A capture of bench/gen/capture.mjs in bench/work, made when missing or older than the
 * generator; returns its path.
 */
export async function generatedCapture(name, opts) {
  const file = workPath(name);
  const genMtime = statSync(join(BENCH_DIR, 'gen', 'capture.mjs')).mtimeMs;
  if (!existsSync(file) || statSync(file).mtimeMs < genMtime) {
    const { generateCapture } = await import('./gen/capture.mjs');
    const g = generateCapture({ ...opts, out: file });
    console.log(`generated ${file}: ${g.packets} packets, ${g.bytes} bytes in ${g.seconds.toFixed(1)} s`);
  }
  return file;
}

/**
 * nfreplay's reader with the decoder over a capture (built modules in dist/): the floor of
 * every replay; returns the number of records.
 */
export async function readerDecode(path) {
  const { openCapture } = await import(join(ROOT, 'dist', 'capture', 'reader.js'));
  const { decode, DecodeEvents, DecodeResult, PacketView } = await import(join(ROOT, 'dist', 'decode', 'index.js'));
  const reader = await openCapture(path);
  const view = new PacketView();
  const events = new DecodeEvents();
  let ipv4 = 0;
  const summary = await reader.forEach((rec) => {
    if (decode(rec, view, events) === DecodeResult.IPV4) ipv4++;
  });
  if (ipv4 === 0) throw new Error('reader + decoder: no IPv4 packet decoded');
  return summary.packets;
}

/** pcap-parser (npm) over a capture; resolves with the number of packets. */
export async function pcapParserRead(path) {
  const { default: pcapParser } = await import('pcap-parser');
  return new Promise((resolve, reject) => {
    const parser = pcapParser.parse(path);
    let packets = 0;
    parser.on('packet', () => packets++);
    parser.on('end', () => resolve(packets));
    parser.on('error', reject);
  });
}

/** Runs a command with a fixed argument vector; throws with its stderr when it fails. */
export function runChecked(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs fn `runs` times and returns the durations in seconds. */
export function timeRuns(runs, fn) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

/** timeRuns for an async fn: runs it `runs` times, one after the other; durations in seconds. */
export async function timeRunsAsync(runs, fn) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

/** An async measure of fn (sync or async): resolves with { seconds }. */
export function timed(fn) {
  return async () => {
    const t0 = process.hrtime.bigint();
    await fn();
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
}

/**
 * Runs every measure ({ fn: async () => ({ seconds, compileSeconds? }) }) once per round for
 * `runs` rounds, so a change of load on the machine hits them all alike; each measure gets
 * `times` (and `compile`, the compileSeconds its runs returned).
 */
export async function runRounds(measures, runs) {
  for (const m of measures) {
    m.times = [];
    m.compile = [];
  }
  for (let round = 0; round < runs; round++) {
    for (const m of measures) {
      const r = await m.fn();
      m.times.push(r.seconds);
      if (r.compileSeconds !== undefined) m.compile.push(r.compileSeconds);
    }
    process.stderr.write(`round ${round + 1}/${runs} done\n`);
  }
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** A network namespace for baselines that touch netfilter; deleted by the returned function. */
export function namespace(tag) {
  const ns = `nfr-bench-${tag}-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
  const del = () => spawnSync('ip', ['netns', 'del', ns]);
  process.once('exit', del);
  return { ns, del };
}

export function machine() {
  const cpus = (spawnSync('nproc', { encoding: 'utf8' }).stdout || '').trim();
  const model = (spawnSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: 'utf8' }).stdout || '').trim();
  return `${model || 'unknown cpu'}, ${cpus} cores, node ${process.version}`;
}

/**
 * Prints a result table; under bench/run.mjs (NFREPLAY_BENCH_JSON set) also appends it to
 * that file as one JSON line, for the results file and --compare.
 */
export function printTable(title, rows, columns) {
  const json = process.env.NFREPLAY_BENCH_JSON;
  if (json) appendFileSync(json, JSON.stringify({ script: basename(process.argv[1] ?? ''), title, columns, rows }) + '\n');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells) => cells.map((v, i) => String(v).padEnd(widths[i])).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => r[c] ?? '')));
}

const BARE_CHUNK = 8 << 20;

/**
 * The in-language limit of reading a capture: a zero-copy walk over the record headers of
 * a little-endian pcap (what the generator writes) in 8 MiB chunks. Returns the packets.
 */
export function bareLoop(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(BARE_CHUNK);
  let end = readSync(fd, buf, 0, BARE_CHUNK, null);
  let pos = 24;
  let packets = 0;
  for (;;) {
    while (pos + 16 <= end) {
      const next = pos + 16 + (buf[pos + 8] | (buf[pos + 9] << 8) | (buf[pos + 10] << 16) | (buf[pos + 11] << 24));
      if (next > end) break;
      packets++;
      pos = next;
    }
    buf.copyWithin(0, pos, end);
    end -= pos;
    pos = 0;
    const n = readSync(fd, buf, end, BARE_CHUNK - end, null);
    if (n === 0) break;
    end += n;
  }
  closeSync(fd);
  return packets;
}
