// What the command costs before its first packet: fresh processes of `nfreplay --version`
// and of `nfreplay replay` on an empty capture (a pcap file header, no record) through the
// seed-style rules, against `node -e 0` (Node's own start). With OLD_ROOT arguments, the
// same commands of those checkouts (each with its dist/ built) in the same rounds, so a
// change is measured against its baseline under the same load. Medians of --runs rounds.
//
//   npm run build && node bench/startup.mjs [--runs=15] [OLD_ROOT...]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, median, printTable, ROOT, workPath } from './lib.mjs';
import { SEED_RULES } from './replay-rules.mjs';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const roots = [ROOT, ...process.argv.slice(2).filter((a) => !a.startsWith('--'))];
const runs = Number(Object.fromEntries(flags.map((a) => a.replace(/^--/, '').split('='))).runs ?? 15);

const { PcapWriter } = await import(join(ROOT, 'dist', 'capture', 'index.js'));
const empty = workPath('startup-empty.pcap');
PcapWriter.open(empty, { linktype: 1 }).close();
const rules = workPath('startup-seed.rules');
writeFileSync(rules, SEED_RULES);
const host = workPath('startup-host.json');
writeFileSync(host, JSON.stringify({ interfaces: [{ name: 'eth0', addr: '192.0.2.10/24' }] }));

/** Milliseconds of one fresh process running `argv`, which must succeed. */
function ms(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const took = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return took;
}

const measures = [{ name: 'node -e 0', argv: ['-e', '0'] }];
for (const root of roots) {
  const cli = join(root, 'dist', 'cli', 'main.js');
  const tag = root === ROOT ? '' : ` (${root})`;
  measures.push({ name: `nfreplay --version${tag}`, argv: [cli, '--version'] });
  measures.push({ name: `nfreplay replay, empty capture${tag}`, argv: [cli, 'replay', empty, '--rules', rules, '--host', host, '--output', 'save', '-q'] });
}
const times = measures.map(() => []);
for (let round = 0; round < runs; round++) measures.forEach((m, i) => times[i].push(ms(m.argv)));

const rows = measures.map((m, i) => ({ command: m.name, 'median ms': median(times[i]).toFixed(0), 'min ms': Math.min(...times[i]).toFixed(0) }));
printTable(`start-up, fresh processes, median of ${runs} rounds (${machine()})`, rows, Object.keys(rows[0]));
console.log(JSON.stringify({ bench: 'startup', runs, machine: machine(), results: measures.map((m, i) => ({ command: m.name, medianMs: median(times[i]), minMs: Math.min(...times[i]) })) }));
