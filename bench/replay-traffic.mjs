// What the traffic series (summary.traffic: packets, bytes and new connections per second of
// capture time) costs a replay: the seed-style replay of bench/replay.mjs with and without
// the collector, stateless and with conntrack in use (one ctstate rule in front), the four in
// alternation in every round so each pair runs under the same load. Medians of RUNS rounds.
// Also the collector alone: ns per Traffic.add() call over 10 million packets spread over an
// hour of capture time, the cost the replay pays per packet, free of the replay's noise.
//
//   npm run build && node bench/replay-traffic.mjs [--runs=7] [--packets=2000000]
import { generatedCapture, median } from './lib.mjs';
import { SEED_RULES, SEED_RULES_STATEFUL } from './replay-rules.mjs';
import { SERVER_HOST } from './workloads.mjs';
import { replayCapture } from '../dist/engine/replay.js';
import { Traffic } from '../dist/engine/traffic.js';
import { compileRuleset } from '../dist/compile/index.js';
import { loadRulesetText } from '../dist/rules/index.js';
import { createClassifier, hostFromJson } from '../dist/netfilter/index.js';
import { ReplayContext } from '../dist/engine/context.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 7);
const packets = Number(args.packets ?? 2_000_000);
const file = await generatedCapture(`capture-${packets}-s1.pcap`, { packets, seed: 1 });

/** Seconds of one replay (the compile apart), with or without the traffic collector. */
async function once(text, withTraffic) {
  const ruleset = loadRulesetText(text, { source: 'bench' }).ruleset;
  const host = hostFromJson(SERVER_HOST, 'host');
  const runner = compileRuleset(ruleset, new ReplayContext({ host, seed: 1 }));
  const traffic = withTraffic ? new Traffic() : undefined;
  const t0 = process.hrtime.bigint();
  const s = await replayCapture({ capture: file, ruleset, host, classify: createClassifier(host), seed: 1, runner: () => runner, traffic });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (withTraffic && s.traffic.points.reduce((n, p) => n + p[1], 0) !== s.replayed) throw new Error('the series does not add up to the packets replayed');
  return seconds;
}

const variants = [
  ['stateless', SEED_RULES, false],
  ['stateless + traffic', SEED_RULES, true],
  ['conntrack', SEED_RULES_STATEFUL, false],
  ['conntrack + traffic', SEED_RULES_STATEFUL, true],
];
const times = variants.map(() => []);
await once(SEED_RULES, true);
for (let r = 0; r < runs; r++) {
  for (const [i, [, text, withTraffic]] of variants.entries()) times[i].push(await once(text, withTraffic));
}
const med = times.map(median);
/** ns per add(), median of RUNS rounds of 10 million calls. */
function addCost() {
  const t = new Traffic();
  const pkt = { nowNs: 0 };
  const n = 10_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    pkt.nowNs = i * 360_000;
    t.add(pkt, 40 + (i & 1023), i >> 6);
  }
  return Number(process.hrtime.bigint() - t0) / n;
}
addCost();
const perAdd = median(Array.from({ length: runs }, addCost));
for (const [i, [name]] of variants.entries()) console.log(`${name}: ${(packets / med[i] / 1e6).toFixed(3)} M packets/s (median of ${runs})`);
console.log(`Traffic.add alone: ${perAdd.toFixed(2)} ns per packet (median of ${runs})`);
console.log(`traffic series cost: stateless ${((med[1] / med[0] - 1) * 100).toFixed(1)}%, conntrack ${((med[3] / med[2] - 1) * 100).toFixed(1)}% (time with / without - 1)`);
