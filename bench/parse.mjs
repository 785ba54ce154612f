// Parse + validate benchmark: a kube-proxy-style ruleset of about 100k rules loaded by
// nfreplay (in-process library call, and the CLI as a process) against
// `iptables-legacy-restore --test` on the same file, all in one run; medians of --runs.
//
//   npm run build && node bench/parse.mjs [--rules=100000] [--runs=5]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countRules, generateKubeProxy } from './gen/kube-proxy.mjs';
import { have, isRoot, machine, median, namespace, printTable, ROOT, timeRuns, workPath } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const targetRules = Number(args.rules ?? 100000);
const runs = Number(args.runs ?? 5);

const services = Math.ceil(targetRules / 11.75);
const file = workPath(`kube-proxy-${services}x3.v4`);
const text = generateKubeProxy({ services, endpoints: 3 });
writeFileSync(file, text);
const rules = countRules(text);
const lines = text.split('\n').length - 1;

const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const results = [];

const lib = timeRuns(runs, () => loadRulesetText(readFileSync(file, 'utf8'), { source: file }));
results.push({ name: 'nfreplay library (read + parse + validate)', seconds: median(lib) });

const cli = timeRuns(runs, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'rules', 'check', file]);
  if (r.status !== 0) throw new Error(`nfreplay rules check failed: ${r.stderr}`);
});
results.push({ name: 'nfreplay rules check (process)', seconds: median(cli) });

if (isRoot() && have('iptables-legacy-restore')) {
  const { ns, del } = namespace('parse');
  for (const tool of ['iptables-legacy-restore', 'iptables-nft-restore']) {
    if (!have(tool)) continue;
    const t = timeRuns(runs, () => {
      const r = spawnSync('ip', ['netns', 'exec', ns, tool, '--test', file]);
      if (r.status !== 0) throw new Error(`${tool} --test failed: ${r.stderr}`);
    });
    results.push({ name: `${tool} --test (process)`, seconds: median(t) });
  }
  del();
} else {
  console.log('iptables baselines skipped: needs root and iptables-legacy-restore');
}

const base = results.find((r) => r.name.startsWith('iptables-legacy-restore'));
const rows = results.map((r) => ({
  measure: r.name,
  'median s': r.seconds.toFixed(3),
  'rules/s': Math.round(rules / r.seconds).toLocaleString('en-US'),
  'lines/s': Math.round(lines / r.seconds).toLocaleString('en-US'),
  'vs iptables-legacy-restore': base ? `${(base.seconds / r.seconds).toFixed(2)}x` : 'n/a',
}));
printTable(`parse + validate: ${rules} rules, ${lines} lines, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
console.log(JSON.stringify({ bench: 'parse', rules, lines, runs, machine: machine(), results }));
