// Every benchmark, one after the other: first the summary table of every workload and
// baseline (suite.mjs), then
// ruleset parsing (parse.mjs), the command's start-up (startup.mjs), capture reading
// (capture.mjs), rule traversal (replay-rules.mjs), end-to-end replay (replay.mjs), connection
// tracking (replay-conntrack.mjs), replay memory on piped 1 and 10 GB captures (replay-rss.mjs),
// nfreplay diff and nfreplay order against a plain replay (diff.mjs, order.mjs). Arguments go to each (each reads the options it knows,
// e.g. --runs=3), except:
//   --json=FILE     where every table goes as JSON (default bench/work/results.json): the
//                   machine, the date, and per table its script, title, columns and rows;
//   --compare=OLD   (or --compare OLD) a results file of an earlier run: after the run, each numeric cell of
//                   each table with its change against the same table (by script and order)
//                   and row (by first column) of OLD;
//   --only=a,b      only these scripts (names without .mjs).
//
//   npm run build && npm run bench [-- --runs=3] [-- --compare=old.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BENCH_DIR, machine, printTable, WORK_DIR } from './lib.mjs';
import { compareResults } from './compare.mjs';

const SCRIPTS = ['suite', 'parse', 'startup', 'capture', 'replay-rules', 'replay', 'replay-conntrack', 'replay-rss', 'diff', 'order'];
// `--compare OLD.json` as well as `--compare=OLD.json` (and so for --json and --only).
const argv = process.argv.slice(2).flatMap((a, i, all) => (/^--(json|compare|only)$/.test(a) ? [] : /^--(json|compare|only)$/.test(all[i - 1] ?? '') ? [`${all[i - 1]}=${a}`] : [a]));
const own = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const passed = argv.filter((a) => !/^--(json|compare|only)=/.test(a));
const jsonFile = own('json') ?? join(WORK_DIR, 'results.json');
const compareFile = own('compare');
const only = own('only')?.split(',');

// The comparison needs the old file before this run overwrites it (it may be the same path).
const old = compareFile !== undefined ? JSON.parse(readFileSync(compareFile, 'utf8')) : undefined;
mkdirSync(WORK_DIR, { recursive: true });
const lines = join(WORK_DIR, `tables-${process.pid}.jsonl`);
rmSync(lines, { force: true });
for (const name of SCRIPTS) {
  if (only !== undefined && !only.includes(name)) continue;
  const r = spawnSync(process.execPath, [join(BENCH_DIR, `${name}.mjs`), ...passed], { stdio: 'inherit', env: { ...process.env, NFREPLAY_BENCH_JSON: lines } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const tables = existsSync(lines) ? readFileSync(lines, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
rmSync(lines, { force: true });
const results = { machine: machine(), date: new Date().toISOString(), args: passed, tables };
mkdirSync(dirname(jsonFile), { recursive: true });
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
console.log(`\nresults: ${jsonFile}`);
if (old !== undefined) {
  console.log(`\ncompared with ${compareFile} (${old.machine}, ${old.date})`);
  for (const t of compareResults(old, results)) printTable(t.title, t.rows, t.columns);
}
