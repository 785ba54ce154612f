// Conntrack cost: replayCapture() on three workloads, each with a stateful ruleset and the
// stateless ruleset of the same shape on the same capture, one thread:
//   - short connections: bench/replay.mjs's seed capture (a new client every few packets)
//     and server host; the seed-style rules, and the same with
//     `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` first in INPUT;
//   - long-lived flows: a capture of the same generator with few, long conversations
//     (--max-response=100M, --concurrency=16), same rules;
//   - kube-proxy, 1,000 services: the whole generated kube-proxy ruleset (filter and nat:
//     DNAT to one endpoint per service, MARK-MASQ, MASQUERADE) against the stateless
//     kube-proxy-shaped filter rules of bench/replay.mjs, on that bench's capture to the
//     services' VIPs, with the answers rewritten to come from the endpoints and go to the
//     node (as they do once DNAT has sent the requests to the endpoints and MASQUERADE has
//     given them the node's address on the pod side, as kube-proxy's MARK-MASQ asks for
//     traffic from outside the cluster).
// Each replay runs in a process of its own (one untimed replay, then the timed one), as the
// command replays one ruleset: replays of other rulesets in the same process leave the
// engine's shared code tuned for them (an earlier version of this bench, replaying all six in
// one process, gave the long-lived flows 0.65-0.68x where processes of their own give ~0.5x).
// nf_conntrack_checksum is 0: the generated checksums are right, and checking them is not
// what is measured. Medians of --runs alternating rounds; prints packets/s, the stateful /
// stateless ratio, the peak number of entries and the share of packets ESTABLISHED in the
// first rule that tests it.
//
//   npm run build && node bench/replay-conntrack.mjs [--runs=5] [--packets=1000000] [--seed=1]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKubeProxy } from './gen/kube-proxy.mjs';
import { kubeFilterRuleset, kubeServices, SEED_RULES, SEED_RULES_STATEFUL } from './replay-rules.mjs';
import { KUBE_HOST, SERVER_HOST } from './workloads.mjs';
import { generatedCapture, machine, median, printTable, ROOT } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 5);
const seed = Number(args.seed ?? 1);
const packets = Number(args.packets ?? 1_000_000);

const { replayCapture, replayedTables } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { compileRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { openCapture } = await import(join(ROOT, 'dist', 'capture', 'reader.js'));
const { PcapWriter, rewriteIpv4Dst, rewriteIpv4Src } = await import(join(ROOT, 'dist', 'capture', 'index.js'));

const NO_CHECKSUM = { 'net.netfilter.nf_conntrack_checksum': 0 };
const SERVER = { ...SERVER_HOST, sysctls: NO_CHECKSUM };
// The endpoints' answers come from the pod range, behind eth1.
const KUBE = { ...KUBE_HOST, routes: [...KUBE_HOST.routes, { dst: '10.244.0.0/16', dev: 'eth1' }], sysctls: NO_CHECKSUM };

/** A generated capture (bench/lib.mjs), with this run's seed. */
const generated = (name, opts) => generatedCapture(name, { ...opts, seed });

/** The kube capture with every packet from a VIP rewritten to come from its endpoint, to the node. */
async function fromEndpoints(file, map, node) {
  const out = file.replace(/\.pcap$/, '-endpoints-masq.pcap');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) return out;
  const reader = await openCapture(file);
  const w = PcapWriter.open(out, { linktype: 1 });
  await reader.forEach((rec) => {
    const b = rec.data;
    const ip = rec.offset + 14;
    if (rec.caplen >= 34 && b[ip - 2] === 0x08 && b[ip - 1] === 0x00) {
      const src = ((b[ip + 12] << 24) | (b[ip + 13] << 16) | (b[ip + 14] << 8) | b[ip + 15]) >>> 0;
      const ep = map.get(src);
      if (ep !== undefined) {
        rewriteIpv4Src(b, ip, rec.offset + rec.caplen, ep);
        rewriteIpv4Dst(b, ip, rec.offset + rec.caplen, node);
      }
    }
    w.write(rec);
  });
  w.close();
  return out;
}

const ip = (s) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);

/** VIP → endpoint address of the generated kube-proxy ruleset (one endpoint per service). */
function endpointMap(text) {
  const vipByService = new Map();
  const epByService = new Map();
  for (const line of text.split('\n')) {
    let m = /^-A KUBE-SERVICES -d (\S+)\/32 .*--comment "([^"]*) cluster IP"/.exec(line);
    if (m) vipByService.set(m[2], ip(m[1]));
    m = /--comment "([^"]*)" .*-j DNAT --to-destination ([\d.]+):/.exec(line);
    if (m) epByService.set(m[1], ip(m[2]));
  }
  const map = new Map();
  for (const [svc, vip] of vipByService) if (epByService.has(svc)) map.set(vip, epByService.get(svc));
  return map;
}

// Without --random-fully: the generated answers keep the clients' ports, as MASQUERADE does
// when the port is free (with --random-fully it draws one, which a synthetic capture cannot know).
const kubeText = generateKubeProxy({ services: 1000, endpoints: 1, nodePortEvery: 0 }).replaceAll(' --random-fully', '');
const kubeVips = kubeServices(1000);
const kubeCapture = await fromEndpoints(
  await generated(`replay-kube-1000-${packets}-s${seed}.pcap`, { packets, services: kubeVips.map((v) => ({ addr: v.vip, proto: v.proto, port: v.port })) }),
  endpointMap(kubeText),
  ip('10.96.0.1'),
);

const workloads = [
  { name: 'short connections', capture: await generated(`capture-${packets}-s${seed}.pcap`, { packets }), host: SERVER, stateless: SEED_RULES, stateful: SEED_RULES_STATEFUL },
  {
    name: 'long-lived flows',
    capture: await generated(`capture-long-${packets}-s${seed}.pcap`, { packets, maxResponse: 100_000_000, concurrency: 16 }),
    host: SERVER,
    stateless: SEED_RULES,
    stateful: SEED_RULES_STATEFUL,
  },
  { name: 'kube-proxy 1,000 services', capture: kubeCapture, host: KUBE, stateless: kubeFilterRuleset(1000), stateful: kubeText },
];

async function replay(w, text) {
  const ruleset = loadRulesetText(text, { source: w.name }).ruleset;
  const host = hostFromJson(w.host, w.name);
  let peak = 0;
  let established = 0;
  let tracked = 0;
  const t0 = process.hrtime.bigint();
  const summary = await replayCapture({
    capture: w.capture,
    ruleset,
    host,
    classify: createClassifier(host),
    seed: 1,
    runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) }),
    onConntrack: (ct) => {
      peak = ct.table.peak;
    },
    onVerdict: undefined,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const t of ruleset.tables)
    for (const ch of t.chains.values())
      for (const r of ch.rules) {
        const text = r.matches.map((m) => m.ext.save?.(m.state, r.ip) ?? '').join(' ');
        if (/--ctstate RELATED,ESTABLISHED\b/.test(text) && !/!/.test(text) && established === 0) {
          established = Number(r.counters.packets);
          tracked = summary.replayed;
        }
      }
  return { seconds, peak, established, tracked, packets: summary.packetsRead };
}

/** One timed replay (after an untimed one) in this process: what the parent reads. */
async function child(spec) {
  const [name, mode] = spec.split(':');
  const w = workloads.find((x) => x.name === name);
  await replay(w, w[mode]);
  console.log(JSON.stringify(await replay(w, w[mode])));
}

/** A replay of workload `w` with ruleset `mode` in a fresh process. */
function isolated(w, mode) {
  const argv = [fileURLToPath(import.meta.url), `--child=${w.name}:${mode}`, `--packets=${packets}`, `--seed=${seed}`];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${w.name} ${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

if (args.child !== undefined) {
  await child(args.child);
  process.exit(0);
}

const results = workloads.map((w) => ({ w, stateless: [], stateful: [] }));
for (let round = 0; round < runs; round++) {
  for (const r of results) {
    r.stateless.push(isolated(r.w, 'stateless'));
    r.stateful.push(isolated(r.w, 'stateful'));
  }
  process.stderr.write(`round ${round + 1}/${runs} done\n`);
}

const rows = [];
const json = [];
for (const r of results) {
  const a = median(r.stateless.map((x) => x.seconds));
  const b = median(r.stateful.map((x) => x.seconds));
  const last = r.stateful[r.stateful.length - 1];
  const n = last.packets;
  rows.push({
    workload: r.w.name,
    packets: n.toLocaleString('en-US'),
    'stateless pkt/s': Math.round(n / a).toLocaleString('en-US'),
    'stateful pkt/s': Math.round(n / b).toLocaleString('en-US'),
    'stateful / stateless': `${(a / b).toFixed(2)}x`,
    'peak entries': last.peak.toLocaleString('en-US'),
    'ESTABLISHED rule hits': last.established.toLocaleString('en-US'),
  });
  json.push({ workload: r.w.name, packets: n, statelessPps: n / a, statefulPps: n / b, ratio: a / b, peakEntries: last.peak, establishedHits: last.established });
}
printTable(`conntrack replay, one thread, a process per replay, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
const worst = Math.min(...json.map((j) => j.ratio));
console.log(`\ngoal: a mostly-ESTABLISHED workload >= 0.7x the stateless throughput: lowest ${worst.toFixed(2)}x ${worst >= 0.7 ? 'met' : 'NOT MET'}`);
console.log(JSON.stringify({ bench: 'replay-conntrack', runs, seed, machine: machine(), results: json }));
