// What lower V8 tiering thresholds (--interrupt-budget=4096 --invocation-count-for-osr=20,
// which the command once set at start; README, "V8's tiering thresholds (removed)") change:
// `nfreplay replay` in a fresh process, as a user runs it, with them on node's command line
// and with V8's own, alternating, on the workloads of bench/workloads.mjs (seed-style, kube-proxy 10,000
// services, ClassBench-style 10,000 rules), each on its first --packets packets (1,000,000
// by default: long enough to leave the JIT's warm-up and short enough for it to show) and
// on its first 200,000. Wall time of the whole process (start, load, compile, replay),
// medians of --runs.
//
//   npm run build && node bench/jit.mjs [--runs=5] [--packets=1000000] [--workers=1]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, median, printTable, ROOT, WORK_DIR } from './lib.mjs';
import { replayWorkloads } from './workloads.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 5);
const packets = Number(args.packets ?? 1_000_000);
const workers = Number(args.workers ?? 1);
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

const workloads = replayWorkloads({ services: [10000] }).filter((w) => !/^kube-proxy 10 /.test(w.name));

const THRESHOLDS = ['--interrupt-budget=4096', '--invocation-count-for-osr=20'];

/** Seconds of one `nfreplay replay` process, with (tuned) or without the thresholds. */
function replaySeconds(w, capture, tuned) {
  const t0 = process.hrtime.bigint();
  const argv = [...(tuned ? THRESHOLDS : []), CLI, 'replay', capture, '--rules', w.rulesFile, '--host', w.hostFile, '--workers', String(workers), '--quiet'];
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${w.name}: nfreplay replay exited ${r.status}: ${r.stderr}`);
  return s;
}

const rows = [];
const json = [];
for (const w of workloads) {
  const slug = w.name.replace(/[^A-Za-z0-9]+/g, '-');
  w.rulesFile = join(WORK_DIR, `jit-${slug}.rules`);
  w.hostFile = join(WORK_DIR, `jit-${slug}.host.json`);
  writeFileSync(w.rulesFile, w.text);
  writeFileSync(w.hostFile, JSON.stringify(w.host));
  for (const n of [200_000, packets]) {
    const capture = await w.capture(n);
    const tuned = [];
    const defaults = [];
    for (let i = 0; i < runs; i++) {
      defaults.push(replaySeconds(w, capture, false));
      tuned.push(replaySeconds(w, capture, true));
    }
    const d = median(defaults);
    const t = median(tuned);
    rows.push({ workload: w.name, packets: n.toLocaleString('en-US'), 'V8 defaults s': d.toFixed(2), 'lower thresholds s': t.toFixed(2), 'defaults / lower': `${(d / t).toFixed(2)}x` });
    json.push({ workload: w.name, packets: n, defaultsSeconds: d, tunedSeconds: t });
    process.stderr.write(`${w.name}, ${n} packets done\n`);
  }
}
printTable(`nfreplay replay in a fresh process, ${workers} worker(s), median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
console.log(JSON.stringify({ bench: 'jit', runs, workers, machine: machine(), results: json }));
