// The benchmark suite's summary: one table, one row per workload of bench/workloads.mjs
// (seed-style 20 rules; Docker with --containers containers, its stateless filter part;
// kube-proxy-shaped filter rulesets of --services services; a ClassBench-style ACL of
// --classbench rules), each on its generated capture of --packets packets (made once, then
// reused from bench/work), measured in the same rounds:
//   - `cat FILE > /dev/null`: the floor, bytes moved and nothing else;
//   - the bare read loop (bench/lib.mjs: record headers only), the most a JavaScript reader
//     can do;
//   - `tcpdump -r FILE -w /dev/null -F FILTER`, FILTER a BPF filter comparable to the
//     ruleset (bench/workloads.mjs says which); its compile time, measured on a capture of
//     no packet with the same filter in the same rounds, taken off; n/a when libpcap does
//     not compile the filter within --bpf-limit seconds (a disjunction of 10,000 terms
//     takes minutes);
//   - pcap-parser (npm) reading every packet;
//   - nfreplay's reference interpreter, on a prefix of the capture (--interp-packets; the
//     shorter --interp-packets-large for the rulesets of 5,000 rules or more): it scans
//     large rulesets rule by rule;
//   - nfreplay compiled, one thread: replayCapture() with the ruleset compiled beforehand,
//     in this process (its JIT warmed up by the rounds before);
//   - `nfreplay replay` as a user runs it, a fresh process each run, start, load, compile
//     and warm-up included: with --workers 1, with --workers N (N threads; --workers,
//     default the machine's available parallelism) and N one-thread processes at once (what
//     the machine gives N independent replays: the ceiling for N threads of one process);
//     only where the ruleset's packets are independent (else the command uses one thread);
//   - the peak RSS of the one-thread compiled replay: VmHWM of a fresh process replaying the
//     whole capture (bench/replay-rss.mjs --child), once per workload;
//   - a rule-heavy replay, where testing rules is nearly all a packet costs: the
//     ClassBench-style set through the reference interpreter (`--interpreter`, every rule
//     tested in order, as the kernel does) on the first --heavy-packets packets of its
//     capture, as a user runs it on 1 and N threads and as N one-thread processes at once.
// Medians of --runs rounds. Before the rounds each workload is replayed once to check its
// traffic meets its rules and that the compiled and interpreted counters agree on the
// prefix. Then the goals read from the table.
//
//   npm run build && node bench/suite.mjs [--runs=5] [--packets=2000000] [--seed=1]
//        [--containers=100] [--services=10,1000,10000] [--classbench=10000 | 0]
//        [--interp-packets=200000] [--interp-packets-large=20000] [--workers=N]
//        [--bpf-limit=15] [--rss=0 (skip the peak RSS)] [--heavy-packets=400000 | 0]
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bareLoop, BENCH_DIR, have, machine, median, pcapParserRead, printTable, runChecked, runRounds, timed, workPath } from './lib.mjs';
import { checkWorkload, cliMeasures, prepareWorkloads, replayOnce, replayWorkloads, workloadFiles, workloadOptions } from './workloads.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const { runs, seed, packets, interpPackets, interpPacketsLarge, services, classbench, threads } = workloadOptions(args);
const containers = Number(args.containers ?? 100);
const bpfLimit = Number(args['bpf-limit'] ?? 15);
const withRss = args.rss !== '0';
const heavyPackets = Math.min(packets, Number(args['heavy-packets'] ?? 400_000));
const tcpdump = have('tcpdump');
const started = process.hrtime.bigint();

const workloads = replayWorkloads({ seed, containers, services, classbench });
await prepareWorkloads(workloads, { packets, interpPackets, interpPacketsLarge });
for (const w of workloads) console.log(await checkWorkload(w));
console.log('compiled and interpreter counters equal on every prefix');

/** A capture of no packet with the header of the workload's: what tcpdump does apart from reading packets. */
function emptyCapture(w) {
  const header = Buffer.alloc(24);
  const fd = openSync(w.file, 'r');
  readSync(fd, header, 0, 24, 0);
  closeSync(fd);
  const path = workPath(`empty-${w.name.replace(/\W+/g, '-')}.pcap`);
  writeFileSync(path, header);
  return path;
}

/**
 * The workload's BPF filter written to a file, with the capture of no packet, when tcpdump
 * compiles it within the limit; else the reason it is not measured.
 */
function bpfSetup(w) {
  if (!tcpdump) return { reason: 'tcpdump not installed' };
  const filter = workPath(`bpf-${w.name.replace(/\W+/g, '-')}.txt`);
  writeFileSync(filter, w.bpf + '\n');
  const empty = emptyCapture(w);
  const r = spawnSync('tcpdump', ['-Z', 'root', '-r', empty, '-w', '/dev/null', '-F', filter], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: bpfLimit * 1000 });
  if (r.error?.code === 'ETIMEDOUT') return { reason: `libpcap did not compile the filter within ${bpfLimit} s` };
  if (r.status !== 0) throw new Error(`${w.name}: tcpdump refused the filter: ${r.stderr}`);
  return { filter, empty };
}

const measures = [];
const add = (w, kind, fn) => measures.push({ w, kind, fn });
const expectPackets = (w, what, n) => {
  if (n !== w.packets) throw new Error(`${w.name}: ${what} read ${n} packets, expected ${w.packets}`);
};
// pcap-parser's Buffer() constructor warns once; the warning is not a result.
process.removeAllListeners('warning');
for (const w of workloads) {
  add(w, 'cat', timed(() => runChecked('sh', ['-c', 'cat "$1" > /dev/null', 'sh', w.file])));
  add(w, 'bare', timed(() => expectPackets(w, 'the bare loop', bareLoop(w.file))));
  w.bpfRun = bpfSetup(w);
  if (w.bpfRun.filter !== undefined) {
    const { filter, empty } = w.bpfRun;
    add(w, 'tcpdump', timed(() => runChecked('tcpdump', ['-Z', 'root', '-r', w.file, '-w', '/dev/null', '-F', filter])));
    add(w, 'tcpdump-compile', timed(() => runChecked('tcpdump', ['-Z', 'root', '-r', empty, '-w', '/dev/null', '-F', filter])));
  }
  add(w, 'pcap-parser', timed(async () => expectPackets(w, 'pcap-parser', await pcapParserRead(w.file))));
  add(w, 'interpreter', () => replayOnce(w, w.prefix, true));
  add(w, 'compiled', () => replayOnce(w, w.file, false));
  const cli = threads > 1 ? await cliMeasures(w, threads) : undefined;
  if (cli !== undefined) {
    add(w, 'cli-1', cli.one);
    add(w, 'cli-N', cli.many);
    add(w, 'processes-N', cli.pair);
  }
}
// The rule-heavy replay: the interpreter through the ClassBench-style set.
const acl = workloads.find((w) => w.name.startsWith('ClassBench'));
const heavyCapture = acl !== undefined && threads > 1 && heavyPackets > 0 ? await acl.capture(heavyPackets) : undefined;
const heavy = heavyCapture === undefined ? undefined : await cliMeasures(acl, threads, heavyCapture, ['--interpreter']);
if (heavy !== undefined) {
  add(acl, 'heavy-1', heavy.one);
  add(acl, 'heavy-N', heavy.many);
  add(acl, 'heavy-processes-N', heavy.pair);
}
await runRounds(measures, runs);

/** Median seconds of a measure, or undefined when it was not taken. */
const seconds = (w, kind) => {
  const m = measures.find((x) => x.w === w && x.kind === kind);
  return m === undefined ? undefined : median(m.times);
};

/** Peak RSS (VmHWM) of a fresh process replaying the whole capture compiled on one thread. */
function peakRss(w) {
  const { rulesPath, hostPath } = workloadFiles(w);
  const r = spawnSync(process.execPath, [join(BENCH_DIR, 'replay-rss.mjs'), '--child', `--rules=${rulesPath}`, `--host=${hostPath}`, `--capture=${w.file}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${w.name}: replay-rss.mjs --child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  expectPackets(w, 'the peak RSS replay', out.packets);
  return out.maxRssKb;
}

const count = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);
const results = [];
for (const w of workloads) {
  const pps = (kind, n = w.packets) => {
    const s = seconds(w, kind);
    return s === undefined ? undefined : n / s;
  };
  const tcpdumpSeconds = seconds(w, 'tcpdump') === undefined ? undefined : seconds(w, 'tcpdump') - seconds(w, 'tcpdump-compile');
  results.push({
    w,
    cat: pps('cat'),
    bare: pps('bare'),
    tcpdump: tcpdumpSeconds === undefined ? undefined : w.packets / tcpdumpSeconds,
    tcpdumpCompileSeconds: seconds(w, 'tcpdump-compile'),
    pcapParser: pps('pcap-parser'),
    interpreter: pps('interpreter', w.prefixPackets),
    compiled: pps('compiled'),
    cli1: pps('cli-1'),
    cliN: pps('cli-N'),
    processesN: pps('processes-N', threads * w.packets),
    maxRssKb: withRss ? peakRss(w) : undefined,
  });
}

const rows = results.map((r) => ({
  workload: r.w.name,
  packets: r.w.packets.toLocaleString('en-US'),
  MB: (r.w.bytes / 1e6).toFixed(0),
  'cat pkt/s': count(r.cat),
  'bare loop pkt/s': count(r.bare),
  'tcpdump+BPF pkt/s': count(r.tcpdump),
  'pcap-parser pkt/s': count(r.pcapParser),
  'interpreter pkt/s': count(r.interpreter),
  'interp. pkts': r.w.prefixPackets.toLocaleString('en-US'),
  '1 thread pkt/s': count(r.compiled),
  '1 thread / bare': ratio(r.compiled, r.bare),
  'CLI 1 thread pkt/s': count(r.cli1),
  'CLI N threads pkt/s': count(r.cliN),
  'CLI N / 1': ratio(r.cliN, r.cli1),
  'N processes / 1': ratio(r.processesN, r.cli1),
  'peak RSS MB': r.maxRssKb === undefined ? 'n/a' : (r.maxRssKb / 1024).toFixed(0),
}));
printTable(`benchmark suite: ${packets.toLocaleString('en-US')} packets per capture, N = ${threads} threads, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
console.log('\ntcpdump+BPF: tcpdump -r FILE -w /dev/null -F FILTER, its filter compile (the same on a capture of no packet) taken off; FILTER:');
for (const r of results) {
  const how = r.w.bpfRun.reason ?? `compile ${(r.tcpdumpCompileSeconds * 1e3).toFixed(0)} ms`;
  console.log(`  ${r.w.name}: ${r.w.bpfText} (${how})`);
}
console.log("interpreter: on the first 'interp. pkts' packets of the capture; 1 thread: replayCapture() in this process, compile apart;");
console.log(`CLI: nfreplay replay --workers 1 and --workers ${threads}, a fresh process each run; N processes: ${threads} one-thread processes at once, their packets together;`);
console.log('peak RSS: VmHWM of a fresh process replaying the whole capture compiled on one thread.');

// The goals, read from the table.
const goal = (text, value, min) => `${text}: ${value === undefined ? 'n/a' : `${value.toFixed(2)}x ${value >= min ? 'met' : 'NOT MET'}`}`;
const byName = (prefix) => results.find((r) => r.w.name.startsWith(prefix));
const seedRow = byName('seed');
console.log(`\n${goal('goal: seed-style on one thread >= 1/3 of the bare loop', seedRow.compiled / seedRow.bare, 1 / 3)}`);
const kube = results.filter((r) => r.w.kube !== undefined);
if (kube.length > 1) console.log(goal(`goal: kube-proxy ${kube.at(-1).w.kube} services >= 0.5x ${kube[0].w.kube} services on one thread`, kube.at(-1).compiled / kube[0].compiled, 0.5));
// The compiled workload whose packets a thread replays slowest (compile apart), of those the
// threads can share; then the rule-heavy replay.
const slowest = results.filter((r) => r.cliN !== undefined).sort((a, b) => a.compiled - b.compiled)[0];
if (slowest !== undefined) {
  console.log(goal(`goal: ${slowest.w.name} compiled, the slowest per packet, on ${threads} threads >= 1.7x one thread`, slowest.cliN / slowest.cli1, 1.7));
  console.log(`  (${threads} one-thread processes at once give ${(slowest.processesN / slowest.cli1).toFixed(2)}x on this machine)`);
}
if (heavy !== undefined) {
  const one = seconds(acl, 'heavy-1');
  console.log(goal(`goal: rule-heavy (${acl.name} through --interpreter, ${heavyPackets.toLocaleString('en-US')} packets, ${((one * 1e6) / heavyPackets).toFixed(1)} µs a packet on one thread) on ${threads} threads >= 1.7x one thread`, one / seconds(acl, 'heavy-N'), 1.7));
  console.log(`  (${threads} one-thread processes at once give ${((threads * one) / seconds(acl, 'heavy-processes-N')).toFixed(2)}x on this machine)`);
}
console.log(`suite: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`);
console.log(
  JSON.stringify({
    bench: 'suite',
    runs,
    seed,
    threads,
    machine: machine(),
    heavy: heavy === undefined ? undefined : { workload: acl.name, packets: heavyPackets, oneSeconds: seconds(acl, 'heavy-1'), manySeconds: seconds(acl, 'heavy-N'), processesSeconds: seconds(acl, 'heavy-processes-N') },
    results: results.map(({ w, ...r }) => ({ name: w.name, file: w.file, packets: w.packets, bytes: w.bytes, replayed: w.replayed, prefixPackets: w.prefixPackets, bpf: w.bpfRun.reason ?? w.bpfText, ...r })),
  }),
);
