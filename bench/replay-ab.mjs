// A/B of two builds on the seed-style replay: each ROOT is a checkout with its dist/ built
// (e.g. `git worktree add /tmp/base OLD && (cd /tmp/base && npm ci)`); the two replay
// bench/replay.mjs' seed capture in alternation, with the bare read loop in the same rounds,
// so a change is measured against its baseline under the same load. Medians of RUNS rounds.
//
//   node bench/replay-ab.mjs OLD_ROOT NEW_ROOT [RUNS=7]
import { join } from 'node:path';
import { bareLoop, generatedCapture, median } from './lib.mjs';
import { SEED_RULES } from './replay-rules.mjs';

const [oldRoot, newRoot, runs = '7'] = process.argv.slice(2);
if (!oldRoot || !newRoot) throw new Error('usage: node bench/replay-ab.mjs OLD_ROOT NEW_ROOT [RUNS]');
const file = await generatedCapture('capture-2000000-s1.pcap', { packets: 2_000_000, seed: 1 });
const HOST = {
  interfaces: [{ name: 'eth0', addrs: Array.from({ length: 64 }, (_, i) => `192.0.2.${10 + i}/24`) }],
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.1' }],
};

async function load(root) {
  const from = (m) => import(join(root, 'dist', m));
  const [replay, compile, rules, netfilter, context] = await Promise.all(['engine/replay.js', 'compile/index.js', 'rules/index.js', 'netfilter/index.js', 'engine/context.js'].map(from));
  return { ...replay, ...compile, ...rules, ...netfilter, ...context };
}

/** Seconds of one seed-style replay with build `m`, the compile apart. */
async function once(m) {
  const ruleset = m.loadRulesetText(SEED_RULES, { source: 'seed' }).ruleset;
  const host = m.hostFromJson(HOST, 'host');
  const runner = m.compileRuleset(ruleset, new m.ReplayContext({ host, seed: 1 }));
  const t0 = process.hrtime.bigint();
  await m.replayCapture({ capture: file, ruleset, host, classify: m.createClassifier(host), seed: 1, runner: () => runner });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const builds = [await load(oldRoot), await load(newRoot)];
const times = [[], [], []];
for (let i = 0; i < Number(runs); i++) {
  for (const b of [0, 1]) times[b].push(await once(builds[b]));
  const t0 = process.hrtime.bigint();
  const packets = bareLoop(file);
  times[2].push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (packets !== 2_000_000) throw new Error(`bare loop read ${packets} packets`);
}
const [a, b, bare] = times.map(median);
const line = (name, s) => `${name}: ${(2 / s).toFixed(2)} M packets/s, ${(bare / s).toFixed(3)}x the bare loop`;
console.log(`${line(`old ${oldRoot}`, a)}\n${line(`new ${newRoot}`, b)}\nbare loop: ${(2 / bare).toFixed(2)} M packets/s (medians of ${runs} rounds)`);
