// Conntrack cost, first measure: the seed-style replay of bench/replay.mjs (its 1,000,000
// packet capture and server host) stateless, and the same rules with
// `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` first in INPUT, which makes the
// kernel (and the replay) track every connection. Medians of 5 alternating runs; prints
// packets/s, the ratio, the peak number of entries and how many packets were ESTABLISHED.
// nf_conntrack_checksum is 0 for both: the generated capture's checksums are right, and
// verifying them is not what is measured here.
//
//   npm run build && node bench/replay.mjs --services=10 --runs=1   (makes the capture)
//   node bench/replay-conntrack.mjs
import { join } from 'node:path';
import { ROOT } from './lib.mjs';
const { replayCapture, replayedTables } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { compileRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { SEED_RULES } = await import(join(ROOT, 'bench', 'replay-rules.mjs'));
const serverAddrs = Array.from({ length: 64 }, (_, i) => `192.0.2.${10 + i}/24`);
const SERVER_HOST = { interfaces: [{ name: 'eth0', addrs: serverAddrs }], routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.1' }], sysctls: {'net.netfilter.nf_conntrack_checksum': 0} };
const stateful = SEED_RULES.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT');
const file = join(ROOT, 'bench', 'work', 'capture-1000000-s1.pcap');
async function one(text) {
  const ruleset = loadRulesetText(text, { source: 'x' }).ruleset;
  const host = hostFromJson(SERVER_HOST, 'h');
  let peak = 0, est = 0;
  const t = process.hrtime.bigint();
  const s = await replayCapture({ capture: file, ruleset, host, classify: createClassifier(host), seed: 1, runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) }), onConntrack: (ct) => { peak = ct.table.peak; } });
  const sec = Number(process.hrtime.bigint() - t) / 1e9;
  if (text === stateful) est = Number(ruleset.tables[0].chains.get('INPUT').rules[0].counters.packets);
  return { sec, peak, est, replayed: s.replayed };
}
const res = { stateless: [], stateful: [] };
for (let i = 0; i < 5; i++) { res.stateless.push(await one(SEED_RULES)); res.stateful.push(await one(stateful)); }
const med = (a) => a.map((x) => x.sec).sort((x, y) => x - y)[2];
console.log('stateless median s', med(res.stateless).toFixed(3), 'pps', (1e6 / med(res.stateless)).toFixed(0));
console.log('stateful  median s', med(res.stateful).toFixed(3), 'pps', (1e6 / med(res.stateful)).toFixed(0), 'peak entries', res.stateful[0].peak, 'INPUT ESTABLISHED hits', res.stateful[0].est);
console.log('ratio stateful/stateless', (med(res.stateless) / med(res.stateful)).toFixed(2));
