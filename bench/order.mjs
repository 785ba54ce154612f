// `nfreplay order` against the plain replay of the same capture and ruleset: the ClassBench-
// style 10,000-rule ACL (bench/replay-rules.mjs classbenchRuleset) on the kube node, with the
// capture bench/replay.mjs generates for it (bench/lib.mjs generatedCapture, the same file
// name, so either script reuses the other's capture). Both run as the command line does
// (a process each): `nfreplay replay --output save -q` and `nfreplay order -q --write --diff`.
// Every round runs both, one after the other; medians of --runs rounds and their ratio.
// Also, in this process, the parts of `order` that the replay does not have, on the same
// ruleset: the analysis (match space, dependency graph), the shadowed and redundant rules,
// the proposal, and the iptables-save text and diff.
//
//   npm run build && node bench/order.mjs [--runs=3] [--packets=1000000] [--rules=10000] [--seed=1]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classbenchRuleset, classbenchServices } from './replay-rules.mjs';
import { bareLoop, generatedCapture, machine, median, printTable, ROOT, workPath } from './lib.mjs';
import { KUBE_HOST } from './workloads.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 3);
const packets = Number(args.packets ?? 1_000_000);
const size = Number(args.rules ?? 10_000);
const seed = Number(args.seed ?? 1);

const { loadRulesetText, saveRuleset } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { analyseRuleset } = await import(join(ROOT, 'dist', 'analysis', 'dependencies.js'));
const { chainAnomalies } = await import(join(ROOT, 'dist', 'analysis', 'anomalies.js'));
const { proposeOrdering, reorderedRuleset } = await import(join(ROOT, 'dist', 'analysis', 'ordering.js'));
const { unifiedDiff } = await import(join(ROOT, 'dist', 'report', 'unified-diff.js'));

const capture = await generatedCapture(`replay-classbench-${packets}-s${seed}.pcap`, { packets, seed, services: classbenchServices(seed) });
const rulesText = classbenchRuleset(size, seed);
const rules = workPath(`order-classbench-${size}-s${seed}.v4`);
writeFileSync(rules, rulesText);
// The kube node of bench/workloads.mjs: forwards between the outside and the cluster range.
const host = workPath('order-kube-host.json');
writeFileSync(host, JSON.stringify(KUBE_HOST));
const cli = join(ROOT, 'dist', 'cli', 'main.js');
const common = [capture, '--rules', rules, '--host', host, '-q'];

function timedCli(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`nfreplay ${argv[0]} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const measures = {
  replay: () => timedCli(['replay', ...common, '--output', 'save']),
  order: () => timedCli(['order', ...common, '--write', workPath('order-proposed.v4'), '--diff', workPath('order-proposed.diff'), '--output', 'json']),
};
const times = { replay: [], order: [] };
let report;
for (let round = 0; round < runs; round++) {
  times.replay.push(measures.replay().seconds);
  const o = measures.order();
  times.order.push(o.seconds);
  report ??= JSON.parse(o.stdout).ordering;
  process.stderr.write(`round ${round + 1}/${runs} done\n`);
}

/** The parts of `order` beyond the replay, timed in this process, median of `runs`. */
function partTimes() {
  const parts = { analysis: [], anomalies: [], proposal: [], text: [] };
  let pairs = 0;
  for (let i = 0; i < runs; i++) {
    const ruleset = loadRulesetText(rulesText, { source: 'bench' }).ruleset;
    let t = process.hrtime.bigint();
    const lap = (name) => {
      const now = process.hrtime.bigint();
      parts[name].push(Number(now - t) / 1e9);
      t = now;
    };
    const analysis = analyseRuleset(ruleset.tables);
    pairs = analysis.pairsCompared;
    lap('analysis');
    analysis.chains.flatMap(chainAnomalies);
    lap('anomalies');
    const proposals = proposeOrdering(ruleset, analysis);
    lap('proposal');
    unifiedDiff(saveRuleset(reorderedRuleset(ruleset, [])), saveRuleset(reorderedRuleset(ruleset, proposals)), 'a', 'b');
    lap('text');
  }
  return { pairs, medians: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)])) };
}
const parts = partTimes();

const replay = median(times.replay);
const order = median(times.order);
const read = bareLoop(capture);
printTable(
  `nfreplay order vs replay, ClassBench-style ${size} rules, ${(read / 1e6).toFixed(1)}M packets, median of ${runs} runs (${machine()})`,
  [
    { command: 'replay --output save', seconds: replay.toFixed(2), 'vs replay': '1.00x' },
    { command: 'order --write --diff --output json', seconds: order.toFixed(2), 'vs replay': `${(order / replay).toFixed(2)}x` },
  ],
  ['command', 'seconds', 'vs replay'],
);
printTable(
  `order's own parts on the ${size}-rule ruleset (in process, median of ${runs}; ${parts.pairs} box pairs compared)`,
  Object.entries(parts.medians).map(([part, s]) => ({ part, seconds: s.toFixed(3) })),
  ['part', 'seconds'],
);
console.log(`\ncost ${report.costBefore} -> ${report.costAfter} rules evaluated per packet (estimated), ${report.anomalies.length} shadowed or redundant rules`);
console.log(JSON.stringify({ bench: 'order', runs, packets: read, rules: size, seed, machine: machine(), replaySeconds: replay, orderSeconds: order, ratio: order / replay, parts: parts.medians, pairsCompared: parts.pairs }));
