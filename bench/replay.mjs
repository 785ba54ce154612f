// End-to-end replay benchmark: replayCapture() (read + decode + path + rules + counters),
// one thread, on generated multi-million-packet captures, for the workloads of
// bench/workloads.mjs (an empty filter table, the replay's own floor; seed-style 20 rules;
// kube-proxy-shaped filter rulesets of N services; a ClassBench-style ACL), each measured
// with the compiled matcher and with the reference interpreter. The interpreter is far
// slower on large rulesets, so it replays a prefix of each capture (--interp-packets) and is
// compared per packet with the compiled matcher timed on the same prefix.
// With more than one core (or --workers=N), the rulesets whose packets are independent are
// also replayed by replayParallel() on that many threads (the 'N threads' column).
// Also the bare read loop of bench/capture.mjs (record headers only) and the reader with the
// decoder on each capture. Every measure runs once per round, medians of --runs rounds;
// the compiled and interpreted counters of the prefix are checked to be equal.
//
//   npm run build && node bench/replay.mjs [--runs=5] [--packets=2000000] [--seed=1]
//        [--services=10,1000,10000] [--classbench=10000 | 0] [--interp-packets=200000]
//        [--interp-packets-large=20000]
//   (--interp-packets-large: for rulesets of 5,000 services or more, and the ClassBench one)
import { bareLoop, machine, median, printTable, readerDecode, runRounds, timed } from './lib.mjs';
import { checkWorkload, parallelMeasure, prepareWorkloads, replayOnce, replayWorkloads, workloadOptions } from './workloads.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const { runs, seed, packets, interpPackets, interpPacketsLarge, services: sizes, classbench, threads } = workloadOptions(args);

const cases = replayWorkloads({ seed, empty: true, services: sizes, classbench });
await prepareWorkloads(cases, { packets, interpPackets, interpPacketsLarge });

// Once, untimed: what each capture does on its host (so the traffic is seen to hit the
// rules), and the compiled and interpreted counters of the prefix compared.
const describe = [];
for (const c of cases) describe.push(await checkWorkload(c));
console.log(describe.join('\n'));
console.log('compiled and interpreter counters equal on every prefix');

const measures = [];
for (const c of cases) {
  measures.push({ c, kind: 'bare', fn: timed(() => bareLoop(c.file)) });
  measures.push({ c, kind: 'decode', fn: timed(() => readerDecode(c.file)) });
  measures.push({ c, kind: 'compiled', fn: () => replayOnce(c, c.file, false) });
  measures.push({ c, kind: 'compiled-prefix', fn: () => replayOnce(c, c.prefix, false) });
  measures.push({ c, kind: 'interpreter', fn: () => replayOnce(c, c.prefix, true) });
  const parallel = threads > 1 ? parallelMeasure(c, threads) : undefined;
  if (parallel !== undefined) measures.push({ c, kind: 'parallel', fn: parallel });
}
await runRounds(measures, runs);
const result = (c, kind) => {
  const m = measures.find((x) => x.c === c && x.kind === kind);
  const s = median(m.times);
  const n = kind === 'compiled-prefix' || kind === 'interpreter' ? c.prefixPackets : c.packets;
  return { seconds: s, pps: n / s, spread: (Math.max(...m.times) - Math.min(...m.times)) / s, compile: m.compile.length ? median(m.compile) : 0 };
};

const rows = [];
const json = [];
const kube10 = cases.find((c) => c.kube === Math.min(...sizes));
for (const c of cases) {
  const bare = result(c, 'bare');
  const dec = result(c, 'decode');
  const comp = result(c, 'compiled');
  const compPrefix = result(c, 'compiled-prefix');
  const interp = result(c, 'interpreter');
  const par = measures.some((x) => x.c === c && x.kind === 'parallel') ? result(c, 'parallel') : undefined;
  const r = {
    ruleset: c.name,
    capture: `${(c.packets / 1e6).toFixed(1)}M pkts ${(c.bytes / 1e6).toFixed(0)} MB`,
    'bare loop pkt/s': Math.round(bare.pps).toLocaleString('en-US'),
    'read+decode pkt/s': Math.round(dec.pps).toLocaleString('en-US'),
    'replay pkt/s': Math.round(comp.pps).toLocaleString('en-US'),
    'vs bare': `${(comp.pps / bare.pps).toFixed(2)}x`,
    'compile ms': (comp.compile * 1e3).toFixed(0),
    'interp pkt/s': Math.round(interp.pps).toLocaleString('en-US'),
    'interp pkts': `${(c.prefixPackets / 1e3).toFixed(0)}k`,
    'compiled/interp': `${(compPrefix.pps / interp.pps).toFixed(1)}x`,
    'vs kube-10': c.kube !== undefined ? `${(comp.pps / result(kube10, 'compiled').pps).toFixed(2)}x` : '',
    [`${threads} threads pkt/s`]: par ? Math.round(par.pps).toLocaleString('en-US') : '',
    'vs 1 thread': par ? `${(par.pps / comp.pps).toFixed(2)}x` : '',
    'spread': `${Math.round(comp.spread * 100)}%`,
  };
  rows.push(r);
  json.push({
    name: c.name,
    file: c.file,
    packets: c.packets,
    replayed: c.replayed,
    bareLoopPps: bare.pps,
    readDecodePps: dec.pps,
    compiledPps: comp.pps,
    compiledSeconds: comp.seconds,
    compileSeconds: comp.compile,
    interpreterPrepareSeconds: interp.compile,
    compiledSpread: comp.spread,
    vsBareLoop: comp.pps / bare.pps,
    prefixPackets: c.prefixPackets,
    compiledPrefixPps: compPrefix.pps,
    interpreterPps: interp.pps,
    compiledVsInterpreter: compPrefix.pps / interp.pps,
    ...(par ? { threads, parallelPps: par.pps, parallelVsOneThread: par.pps / comp.pps } : {}),
  });
}
printTable(`end-to-end replay, one thread, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
console.log(
  `\npacket/s are capture packets (read) per second of replayCapture(), the compile ('compile ms') apart; 'spread' is (max-min)/median of the compiled runs;\n` +
    `the interpreter and 'compiled/interp' use the first 'interp pkts' packets of each capture (compiled timed on the same prefix).`,
);

const seedRow = json.find((j) => j.name.startsWith('seed'));
const kubeRows = json.filter((j) => j.name.startsWith('kube'));
const small = kubeRows[0];
const large = kubeRows[kubeRows.length - 1];
const scale = large.compiledPps / small.compiledPps;
const minRatio = Math.min(...kubeRows.map((j) => j.compiledVsInterpreter));
console.log(`\ngoal (a): seed-style replay >= 1/3 of the bare loop: ${seedRow.vsBareLoop.toFixed(2)}x ${seedRow.vsBareLoop >= 1 / 3 ? 'met' : 'NOT MET'}`);
console.log(`goal (b): ${sizes[sizes.length - 1]} services >= 0.5x the throughput of ${sizes[0]}: ${scale.toFixed(2)}x ${scale >= 0.5 ? 'met' : 'NOT MET'}`);
console.log(`goal (c): compiled >= 5x the interpreter on kube-proxy rulesets: lowest ${minRatio.toFixed(1)}x ${minRatio >= 5 ? 'met' : 'NOT MET'}`);
const heavy = json.find((r) => r.name.startsWith('ClassBench'));
if (heavy?.parallelVsOneThread !== undefined) {
  const met = heavy.parallelVsOneThread >= 1.7;
  console.log(`goal (parallel): ${heavy.threads} threads >= 1.7x one thread on the rule-heavy ClassBench-style set: ${heavy.parallelVsOneThread.toFixed(2)}x ${met ? 'met' : 'NOT MET'}`);
}
console.log(JSON.stringify({ bench: 'replay', runs, seed, machine: machine(), results: json }));
