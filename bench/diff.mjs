// What `nfreplay diff` costs against the plain replay it rests on: compareRulesets() on the
// generated seed capture and server of bench/replay.mjs (SEED_RULES), for
//   - the same ruleset twice (nothing differs: two replays, each packet's outcome hashed);
//   - a change that drops the port-80 traffic (`--dports 22,80,443` becomes `22,443`): two
//     more replays record the differing packets, their connections and paths;
// each as a ratio to one plain replayCapture() of the same ruleset (compiled, nothing
// observed) timed in the same round; and one replay observing every packet's outcome and
// measuring the rules evaluated (what each replay of a comparison does besides hashing).
// Medians of --runs rounds.
//
//   npm run build && node bench/diff.mjs [--runs=3] [--packets=1000000] [--seed=1]
import { join } from 'node:path';
import { SEED_RULES } from './replay-rules.mjs';
import { generatedCapture, machine, median, printTable, ROOT } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 3);
const seed = Number(args.seed ?? 1);
const packets = Number(args.packets ?? 1_000_000);

const { compareRulesets } = await import(join(ROOT, 'dist', 'analysis', 'compare.js'));
const { replayCapture, replayedTables } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { compileRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { ReplayHistograms } = await import(join(ROOT, 'dist', 'engine', 'histograms.js'));

// bench/replay.mjs's server: it owns every generated server address.
const host = hostFromJson({
  interfaces: [{ name: 'eth0', addrs: Array.from({ length: 64 }, (_, i) => `192.0.2.${10 + i}/24`) }],
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.1' }],
});
const capture = await generatedCapture(`capture-${packets}-s${seed}.pcap`, { packets, seed });
const CHANGED = SEED_RULES.replace('--dports 22,80,443', '--dports 22,443');
if (CHANGED === SEED_RULES) throw new Error('the seed rules no longer have the multiport rule this bench changes');
const load = (text) => loadRulesetText(text, { source: 'seed' }).ruleset;

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

const measures = {
  replay: () =>
    timed(() => {
      const ruleset = load(SEED_RULES);
      return replayCapture({ capture, ruleset, host, classify: createClassifier(host), seed: 1, runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) }) });
    }),
  // What any replay that looks at every packet's outcome and measures its cost pays.
  observed: () =>
    timed(() => {
      const ruleset = load(SEED_RULES);
      return replayCapture({
        capture,
        ruleset,
        host,
        classify: createClassifier(host),
        seed: 1,
        runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset), chainCost: true }),
        histograms: new ReplayHistograms(),
        onVerdict: () => {},
      });
    }),
  same: () => timed(() => compareRulesets(load(SEED_RULES), load(SEED_RULES), { capture, host, seed: 1, unmodelled: 'refuse' })),
  changed: () => timed(() => compareRulesets(load(SEED_RULES), load(CHANGED), { capture, host, seed: 1, unmodelled: 'refuse' })),
};
const times = { replay: [], observed: [], same: [], changed: [] };
const ratios = { observed: [], same: [], changed: [] };
let described = '';
for (let round = 0; round < runs; round++) {
  const r = {};
  for (const [name, fn] of Object.entries(measures)) {
    const m = await fn();
    times[name].push(m.seconds);
    r[name] = m;
  }
  if (!r.same.result.identical) throw new Error('a ruleset compared with itself differs');
  ratios.observed.push(r.observed.seconds / r.replay.seconds);
  ratios.same.push(r.same.seconds / r.replay.seconds);
  ratios.changed.push(r.changed.seconds / r.replay.seconds);
  const d = r.changed.result.differing;
  described = `${r.replay.result.replayed} packets replayed; the change: ${d.packets} packets differ in ${d.connections} connections`;
}
console.log(`${machine()}\n${described}`);
console.log(`seconds per round: ${JSON.stringify(times)}`);
printTable(`nfreplay diff against a plain replay (${packets} packets, medians of ${runs} rounds)`, [
  { measure: 'replay (compiled, nothing observed)', seconds: median(times.replay).toFixed(3), 'vs replay': '1.00×' },
  { measure: 'replay with onVerdict, histograms, chain cost', seconds: median(times.observed).toFixed(3), 'vs replay': `${median(ratios.observed).toFixed(2)}×` },
  { measure: 'diff, same ruleset twice', seconds: median(times.same).toFixed(3), 'vs replay': `${median(ratios.same).toFixed(2)}×` },
  { measure: 'diff, port 80 dropped', seconds: median(times.changed).toFixed(3), 'vs replay': `${median(ratios.changed).toFixed(2)}×` },
], ['measure', 'seconds', 'vs replay']);
