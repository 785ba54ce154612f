// End-to-end replay benchmark: replayCapture() (read + decode + path + rules + counters),
// one thread, on generated multi-million-packet captures (bench/gen/capture.mjs), for
//   - seed: the 20-rule server firewall of bench/replay-rules.mjs (SEED_RULES) on a server
//     that owns the 64 generated server addresses: requests traverse INPUT, its replies
//     OUTPUT; the capture is the one bench/capture.mjs reads;
//   - kube-N: the stateless kube-proxy-shaped filter rulesets (kubeFilterRuleset) with N
//     services on a forwarding host; the capture's conversations go to the services' VIPs and
//     ports (one capture per N), so requests match a KUBE-SERVICES rule in FORWARD and the
//     replies scan the whole chain without matching;
//   - ClassBench-style N: an ACL of N rules in FORWARD (classbenchRuleset: prefix pairs,
//     exact and ranged ports; nothing the compiled matcher can index) on the kube node, the
//     capture's conversations to 256 services its rules are partly written around;
//   - an empty filter table on the seed capture and host: the replay's own floor;
//   - the same with the reference interpreter. It is far slower on large rulesets, so it
//     replays a prefix of each capture (--interp-packets; the generator's output for fewer
//     packets is a prefix of its output for more) and is compared per packet.
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
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { classbenchRuleset, classbenchServices, kubeFilterRuleset, kubeServices, SEED_RULES } from './replay-rules.mjs';
import { bareLoop, generatedCapture, machine, median, printTable, readerDecode, ROOT, WORK_DIR } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 5);
const seed = Number(args.seed ?? 1);
const packets = Number(args.packets ?? 2_000_000);
const interpPackets = Math.min(packets, Number(args['interp-packets'] ?? 200_000));
// The interpreter scans 10,000 services rule by rule: fewer packets for rulesets that large.
const interpPacketsLarge = Math.min(interpPackets, Number(args['interp-packets-large'] ?? 20_000));
const sizes = (args.services ?? '10,1000,10000').split(',').map(Number);
const classbench = Number(args.classbench ?? 10_000);

const { replayCapture } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { compileRuleset, interpretRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { ReplayContext } = await import(join(ROOT, 'dist', 'engine', 'context.js'));
const { replayParallel, rulesetObstacle } = await import(join(ROOT, 'dist', 'engine', 'parallel.js'));
const threads = Number(args.workers ?? availableParallelism());

/** A generated capture (bench/lib.mjs), with this run's seed. */
const generated = (name, opts) => generatedCapture(name, { ...opts, seed });

// Hosts. The server owns every generated server address (192.0.2.10-73): clients' packets
// are delivered (INPUT), its replies are its own (OUTPUT). The kube-proxy node forwards
// between the outside (eth0, default route) and the cluster range 10.96.0.0/12 (eth1), where
// the VIPs are.
const serverAddrs = Array.from({ length: 64 }, (_, i) => `192.0.2.${10 + i}/24`);
const SERVER_HOST = {
  interfaces: [{ name: 'eth0', addrs: serverAddrs }],
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.1' }],
};
const KUBE_HOST = {
  interfaces: [
    { name: 'eth0', addr: '203.0.113.1/24' },
    { name: 'eth1', addr: '10.96.0.1/12' },
  ],
  forward: true,
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '203.0.113.254' }],
};

const seedCapture = (n) => generated(`capture-${n}-s${seed}.pcap`, { packets: n });
const cases = [
  // The floor of the replay itself: path decisions and hook dispatch, no rule to match.
  { name: 'empty filter table', text: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', host: SERVER_HOST, capture: seedCapture },
  { name: 'seed-style 20 rules', text: SEED_RULES, host: SERVER_HOST, capture: seedCapture },
  ...sizes.map((s) => ({
    name: `kube-proxy ${s} services`,
    kube: s,
    text: kubeFilterRuleset(s),
    host: KUBE_HOST,
    capture: (n) =>
      generated(`replay-kube-${s}-${n}-s${seed}.pcap`, {
        packets: n,
        services: kubeServices(s).map((v) => ({ addr: v.vip, proto: v.proto, port: v.port })),
      }),
  })),
  // Rule-heavy and unindexable: the workload parallel replay is for.
  ...(classbench > 0
    ? [
        {
          name: `ClassBench-style ${classbench} rules`,
          large: true,
          text: classbenchRuleset(classbench, seed),
          host: KUBE_HOST,
          capture: (n) => generated(`replay-classbench-${n}-s${seed}.pcap`, { packets: n, services: classbenchServices(seed) }),
        },
      ]
    : []),
];
for (const c of cases) {
  c.file = await c.capture(packets);
  c.interpPackets = (c.kube ?? 0) >= 5000 || c.large ? interpPacketsLarge : interpPackets;
  c.prefix = c.interpPackets === packets ? c.file : await c.capture(c.interpPackets);
  c.bytes = statSync(c.file).size;
  c.packets = bareLoop(c.file);
  c.prefixPackets = bareLoop(c.prefix);
}

/**
 * One replay; returns its summary, the ruleset with the counters written, and the seconds
 * of the compile (or the interpreter's preparation) and of replayCapture() apart: the
 * runner is built first, against its own runtime (equivalent for these stateless rulesets),
 * so the replay time is read + decode + path + rules + counters alone.
 */
async function replay(c, file, interpreter) {
  const ruleset = loadRulesetText(c.text, { source: c.name }).ruleset;
  const host = hostFromJson(c.host, c.name);
  const t0 = process.hrtime.bigint();
  const runner = interpreter ? interpretRuleset(ruleset, new ReplayContext({ host, seed: 1 })) : compileRuleset(ruleset, new ReplayContext({ host, seed: 1 }));
  const t1 = process.hrtime.bigint();
  const summary = await replayCapture({ capture: file, ruleset, host, classify: createClassifier(host), seed: 1, runner: () => runner });
  const t2 = process.hrtime.bigint();
  return { summary, ruleset, compileSeconds: Number(t1 - t0) / 1e9, seconds: Number(t2 - t1) / 1e9 };
}

function counters(ruleset) {
  const out = [];
  for (const t of ruleset.tables)
    for (const ch of t.chains.values()) {
      if (ch.policy !== undefined) out.push(`${t.name}/${ch.name} policy ${ch.policyCounters.packets}/${ch.policyCounters.bytes}`);
      ch.rules.forEach((r, i) => out.push(`${t.name}/${ch.name}#${i + 1} ${r.counters.packets}/${r.counters.bytes}`));
    }
  return out.join('\n');
}

// Once, untimed: what each capture does on its host (so the traffic is seen to hit the
// rules), and the compiled and interpreted counters of the prefix compared.
const describe = [];
for (const c of cases) {
  const { summary, ruleset } = await replay(c, c.file, false);
  const matched = ruleset.tables
    .flatMap((t) => [...t.chains.values()])
    .filter((ch) => ch.name === (c.kube ? 'KUBE-SERVICES' : c.large ? 'FORWARD' : 'INPUT'))
    .flatMap((ch) => ch.rules)
    .reduce((n, r) => n + Number(r.counters.packets), 0);
  c.replayed = summary.replayed;
  describe.push(`${c.name}: ${summary.packetsRead} read, ${summary.replayed} replayed, verdicts ${JSON.stringify(summary.verdicts)}, not replayed ${JSON.stringify(summary.skipped)}, ${c.kube ? 'KUBE-SERVICES' : c.large ? 'FORWARD' : 'INPUT'} rule hits ${matched}`);
  const a = await replay(c, c.prefix, false);
  const b = await replay(c, c.prefix, true);
  if (counters(a.ruleset) !== counters(b.ruleset)) throw new Error(`${c.name}: compiled and interpreter counters differ on the prefix`);
}
console.log(describe.join('\n'));
console.log('compiled and interpreter counters equal on every prefix');

// Rounds: every measure once per round, so a change of load hits them all alike.
const timed = (fn) => async () => {
  const t0 = process.hrtime.bigint();
  fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
};
const measures = [];
for (const c of cases) {
  measures.push({ c, kind: 'bare', fn: timed(() => bareLoop(c.file)) });
  measures.push({
    c,
    kind: 'decode',
    fn: async () => {
      const t0 = process.hrtime.bigint();
      await readerDecode(c.file);
      return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    },
  });
  measures.push({ c, kind: 'compiled', fn: () => replay(c, c.file, false) });
  measures.push({ c, kind: 'compiled-prefix', fn: () => replay(c, c.prefix, false) });
  measures.push({ c, kind: 'interpreter', fn: () => replay(c, c.prefix, true) });
  if (threads > 1 && rulesetObstacle(loadRulesetText(c.text, { source: c.name }).ruleset) === undefined) {
    const rulesPath = join(WORK_DIR, `replay-${c.name.replace(/\W+/g, '-')}.rules`);
    writeFileSync(rulesPath, c.text);
    const hostSpec = hostFromJson(c.host, c.name).spec;
    measures.push({
      c,
      kind: 'parallel',
      fn: async () => {
        const t0 = process.hrtime.bigint();
        const r = await replayParallel({ capture: c.file, rulesPath, task: { hostSpec, unmodelled: 'refuse', interpreter: false, histograms: false }, workers: threads });
        if ('sequential' in r) throw new Error(`${c.name}: not replayed in parallel: ${r.sequential}`);
        if (r.summary.replayed !== c.replayed) throw new Error(`${c.name}: ${r.summary.replayed} packets replayed in parallel, ${c.replayed} on one thread`);
        return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
      },
    });
  }
}
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
