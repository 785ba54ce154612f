// The replay workloads the end-to-end benchmarks share (bench/replay.mjs, bench/suite.mjs):
// each a ruleset, the host it runs on, the generated capture made for it (bench/gen/
// capture.mjs: the generator's output for fewer packets is a prefix of its output for more),
// the chain whose rule hits show the traffic meets the rules, and a BPF filter comparable to
// the ruleset for tcpdump. Also the replays themselves: one thread with the runner built
// apart, the reference interpreter, and replayParallel() on N threads.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HOST, dockerContainers, dockerFilterRuleset } from './gen/docker.mjs';
import { bareLoop, generatedCapture, ROOT, timed, workPath } from './lib.mjs';
import { classbenchRules, classbenchRuleset, classbenchServices, kubeFilterRuleset, kubeServices, SEED_BPF, SEED_RULES } from './replay-rules.mjs';

const { replayCapture } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { compileRuleset, interpretRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { ReplayContext } = await import(join(ROOT, 'dist', 'engine', 'context.js'));
const { replayParallel, rulesetObstacle } = await import(join(ROOT, 'dist', 'engine', 'parallel.js'));

// The server owns every generated server address (192.0.2.10-73): clients' packets are
// delivered (INPUT), its replies are its own (OUTPUT).
export const SERVER_HOST = {
  interfaces: [{ name: 'eth0', addrs: Array.from({ length: 64 }, (_, i) => `192.0.2.${10 + i}/24`) }],
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '192.0.2.1' }],
};
// The kube-proxy node forwards between the outside (eth0, default route) and the cluster
// range 10.96.0.0/12 (eth1), where the VIPs are.
export const KUBE_HOST = {
  interfaces: [
    { name: 'eth0', addr: '203.0.113.1/24' },
    { name: 'eth1', addr: '10.96.0.1/12' },
  ],
  forward: true,
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '203.0.113.254' }],
};
export const EMPTY_FILTER = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** (dst host A and P dst port N) or ... for [{ addr, proto, port }]. */
const serviceBpf = (services) => services.map((s) => `(dst host ${s.addr} and ${s.proto} dst port ${s.port})`).join(' or ');

/**
 * The ClassBench-style rules' matches as one disjunction in rule order: a packet stops at
 * the first term it matches, as at the first rule; ACCEPT and DROP alike (the filter's
 * cost, not the ruleset's verdicts).
 */
function classbenchBpf(n, seed) {
  const portTerm = (proto, dir, ports) => (ports.includes(':') ? `${proto} ${dir} portrange ${ports.replace(':', '-')}` : `${proto} ${dir} port ${ports}`);
  return classbenchRules(n, seed)
    .map((r) => {
      const parts = [r.src ? `src net ${r.src}` : '', `dst net ${r.dst}`, r.proto && !r.dport && !r.sport ? r.proto : '', r.dport ? portTerm(r.proto, 'dst', r.dport) : '', r.sport ? portTerm(r.proto, 'src', r.sport) : ''];
      return `(${parts.filter(Boolean).join(' and ')})`;
    })
    .join(' or ');
}

/**
 * The options the replay benchmarks share, from their command line's --name=value pairs
 * (defaults: --runs=5 --seed=1 --packets=2000000 --interp-packets=200000
 * --interp-packets-large=20000 --services=10,1000,10000 --classbench=10000, --workers the
 * available parallelism).
 */
export function workloadOptions(args) {
  const packets = Number(args.packets ?? 2_000_000);
  const interpPackets = Math.min(packets, Number(args['interp-packets'] ?? 200_000));
  return {
    runs: Number(args.runs ?? 5),
    seed: Number(args.seed ?? 1),
    packets,
    interpPackets,
    // The interpreter scans 10,000 rules one by one: fewer packets for rulesets that large.
    interpPacketsLarge: Math.min(interpPackets, Number(args['interp-packets-large'] ?? 20_000)),
    services: (args.services ?? '10,1000,10000').split(',').map(Number),
    classbench: Number(args.classbench ?? 10_000),
    threads: Number(args.workers ?? availableParallelism()),
  };
}

/**
 * The workloads, in table order: { name, text, host, capture(n) => path, hitChain (none
 * for the empty table), large
 * (the interpreter gets the shorter prefix), bpf, bpfText (what the filter is), kube (services) }.
 *   empty: the replay's own floor (an empty filter table on the seed capture and host);
 *   seed: the 20-rule server firewall (SEED_RULES) on the capture bench/capture.mjs reads;
 *   docker: the stateless part of a Docker ruleset (bench/gen/docker.mjs) with `containers`
 *     containers, its capture's conversations to the containers' bridge addresses and ports:
 *     the traffic FORWARD sees after DOCKER's DNAT (requests walk the DOCKER chain, replies
 *     leave the bridge);
 *   kube N: the stateless kube-proxy-shaped filter rulesets (kubeFilterRuleset), one capture
 *     per N to its VIPs and ports: requests match a KUBE-SERVICES rule in FORWARD, replies
 *     scan the whole chain without matching;
 *   ClassBench-style: an ACL of `classbench` rules in FORWARD (classbenchRuleset: prefix
 *     pairs, exact and ranged ports; the compiled matcher walks it through address runs) on the kube
 *     node, its capture to 256 services its rules are partly written around.
 */
export function replayWorkloads({ seed = 1, empty = false, containers = 0, services = [10, 1000, 10000], classbench = 10000 }) {
  const generated = (name, opts) => generatedCapture(name, { ...opts, seed });
  const seedCapture = (n) => generated(`capture-${n}-s${seed}.pcap`, { packets: n });
  const out = [];
  if (empty) out.push({ name: 'empty filter table', text: EMPTY_FILTER, host: SERVER_HOST, capture: seedCapture });
  out.push({ name: 'seed-style 20 rules', text: SEED_RULES, host: SERVER_HOST, capture: seedCapture, hitChain: 'INPUT', bpf: SEED_BPF, bpfText: 'its INPUT rules, exactly' });
  if (containers > 0) {
    const list = dockerContainers(containers);
    out.push({
      name: `Docker ${containers} containers`,
      text: dockerFilterRuleset(containers),
      host: DOCKER_HOST,
      capture: (n) => generated(`replay-docker-${containers}-${n}-s${seed}.pcap`, { packets: n, services: list }),
      hitChain: 'DOCKER',
      // docker0 holds 172.17.0.0/16 on this host: what arrives from that subnet is what
      // `-i docker0 ! -o docker0 -j ACCEPT` accepts.
      bpf: `${serviceBpf(list)} or src net 172.17.0.0/16`,
      bpfText: 'each published container address and port, or from the bridge subnet',
    });
  }
  for (const s of services) {
    const svcs = kubeServices(s).map((v) => ({ addr: v.vip, proto: v.proto, port: v.port }));
    out.push({
      name: `kube-proxy ${s} services`,
      kube: s,
      text: kubeFilterRuleset(s),
      host: KUBE_HOST,
      capture: (n) => generated(`replay-kube-${s}-${n}-s${seed}.pcap`, { packets: n, services: svcs }),
      hitChain: 'KUBE-SERVICES',
      large: s >= 5000,
      bpf: `${serviceBpf(svcs)} or src net 10.244.0.0/16`,
      bpfText: "each service's VIP and port, or from the pod range",
    });
  }
  if (classbench > 0)
    out.push({
      name: `ClassBench-style ${classbench} rules`,
      text: classbenchRuleset(classbench, seed),
      host: KUBE_HOST,
      capture: (n) => generated(`replay-classbench-${n}-s${seed}.pcap`, { packets: n, services: classbenchServices(seed) }),
      hitChain: 'FORWARD',
      large: true,
      bpf: classbenchBpf(classbench, seed),
      bpfText: "each rule's prefixes and ports, in rule order",
    });
  return out;
}

/**
 * Makes or reuses each workload's capture of `packets` packets (w.file, w.bytes, w.packets)
 * and the prefix the interpreter replays (w.prefix, w.prefixPackets): `interpPackets`
 * packets, `interpPacketsLarge` for the large rulesets.
 */
export async function prepareWorkloads(list, { packets, interpPackets, interpPacketsLarge }) {
  for (const w of list) {
    w.file = await w.capture(packets);
    w.interpPackets = w.large ? interpPacketsLarge : interpPackets;
    w.prefix = w.interpPackets === packets ? w.file : await w.capture(w.interpPackets);
    w.bytes = statSync(w.file).size;
    w.packets = bareLoop(w.file);
    w.prefixPackets = bareLoop(w.prefix);
  }
}

/**
 * One replay on one thread; returns its summary, the ruleset with the counters written, and
 * the seconds of the compile (or the interpreter's preparation) and of replayCapture() apart:
 * the runner is built first, against its own runtime (equivalent for these stateless
 * rulesets), so the replay time is read + decode + path + rules + counters alone.
 */
export async function replayOnce(w, file, interpreter) {
  const ruleset = loadRulesetText(w.text, { source: w.name }).ruleset;
  const host = hostFromJson(w.host, w.name);
  const t0 = process.hrtime.bigint();
  const runner = interpreter ? interpretRuleset(ruleset, new ReplayContext({ host, seed: 1 })) : compileRuleset(ruleset, new ReplayContext({ host, seed: 1 }));
  const t1 = process.hrtime.bigint();
  const summary = await replayCapture({ capture: file, ruleset, host, classify: createClassifier(host), seed: 1, runner: () => runner });
  const t2 = process.hrtime.bigint();
  return { summary, ruleset, compileSeconds: Number(t1 - t0) / 1e9, seconds: Number(t2 - t1) / 1e9 };
}

/** Every rule's and policy's counters, one line each: equal text means equal counts. */
export function counters(ruleset) {
  const out = [];
  for (const t of ruleset.tables)
    for (const ch of t.chains.values()) {
      if (ch.policy !== undefined) out.push(`${t.name}/${ch.name} policy ${ch.policyCounters.packets}/${ch.policyCounters.bytes}`);
      ch.rules.forEach((r, i) => out.push(`${t.name}/${ch.name}#${i + 1} ${r.counters.packets}/${r.counters.bytes}`));
    }
  return out.join('\n');
}

/**
 * Once, untimed: replays the whole capture (w.file) to say what it does on its host, so the
 * traffic is seen to hit the rules (sets w.replayed), and checks the compiled and interpreted
 * counters equal on the prefix (w.prefix). Returns the line saying what it did.
 */
export async function checkWorkload(w) {
  const { summary, ruleset } = await replayOnce(w, w.file, false);
  const hits = ruleset.tables
    .flatMap((t) => [...t.chains.values()])
    .filter((ch) => ch.name === w.hitChain)
    .flatMap((ch) => ch.rules)
    .reduce((n, r) => n + Number(r.counters.packets), 0);
  if (w.hitChain !== undefined && hits === 0) throw new Error(`${w.name}: no packet matched a ${w.hitChain} rule`);
  w.replayed = summary.replayed;
  const a = await replayOnce(w, w.prefix, false);
  const b = await replayOnce(w, w.prefix, true);
  if (counters(a.ruleset) !== counters(b.ruleset)) throw new Error(`${w.name}: compiled and interpreter counters differ on the prefix`);
  return `${w.name}: ${summary.packetsRead} read, ${summary.replayed} replayed, verdicts ${JSON.stringify(summary.verdicts)}, not replayed ${JSON.stringify(summary.skipped)}${w.hitChain ? `, ${w.hitChain} rule hits ${hits}` : ''}`;
}

/** The workload's ruleset and host written to bench/work, for what loads them from files. */
export function workloadFiles(w) {
  const base = workPath(`replay-${w.name.replace(/\W+/g, '-')}`);
  const rulesPath = `${base}.rules`;
  const hostPath = `${base}.host.json`;
  writeFileSync(rulesPath, w.text);
  writeFileSync(hostPath, JSON.stringify(w.host, null, 2) + '\n');
  return { rulesPath, hostPath };
}

/**
 * A measure of replayParallel() on `threads` threads over w.file (each thread loads and
 * compiles the ruleset, included in the time), or undefined when the ruleset's packets are
 * not independent. The returned function checks every packet was replayed.
 */
export function parallelMeasure(w, threads) {
  if (rulesetObstacle(loadRulesetText(w.text, { source: w.name }).ruleset) !== undefined) return undefined;
  const { rulesPath } = workloadFiles(w);
  const hostSpec = hostFromJson(w.host, w.name).spec;
  return async () => {
    const t0 = process.hrtime.bigint();
    const r = await replayParallel({ capture: w.file, rulesPath, task: { hostSpec, unmodelled: 'refuse', interpreter: false, histograms: false }, workers: threads });
    if ('sequential' in r) throw new Error(`${w.name}: not replayed in parallel: ${r.sequential}`);
    if (r.summary.replayed !== w.replayed) throw new Error(`${w.name}: ${r.summary.replayed} packets replayed in parallel, ${w.replayed} on one thread`);
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
}

/** `nfreplay replay` of `file` (w.file unless given) in a fresh process on `workers` threads, `extra` arguments after; its iptables-save -c text to `out` (or nowhere). */
function cliReplay(w, workers, out, file = w.file, extra = []) {
  const { rulesPath, hostPath } = workloadFiles(w);
  const argv = [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', file, '--rules', rulesPath, '--host', hostPath, '--workers', String(workers), '--quiet', '--output', 'save', ...extra];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (b) => {
      if (out !== undefined) stdout.push(b);
    });
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${w.name}: nfreplay replay --workers ${workers} exited ${code}: ${stderr}`));
      else {
        if (out !== undefined) writeFileSync(out, Buffer.concat(stdout));
        resolve();
      }
    });
  });
}

/**
 * The command as a user runs it (on `file`, w.file unless given, with `extra` arguments),
 * each run a fresh process (start, load, compile, JIT warm-up and replay): `one` on one thread, `many` on `threads` threads, and `pair`, two one-thread
 * processes at once, timed until both end: what the machine gives `threads` independent
 * replays, the ceiling for threads of one process. Undefined when the ruleset's packets are
 * not independent (the command would replay on one thread). Checked once, untimed: the one-
 * and many-thread runs print the same counters.
 */
export async function cliMeasures(w, threads, file = w.file, extra = []) {
  if (rulesetObstacle(loadRulesetText(w.text, { source: w.name }).ruleset) !== undefined) return undefined;
  const base = workPath(`cli-${w.name.replace(/\W+/g, '-')}${extra.join('')}`);
  await cliReplay(w, 1, `${base}-1.save`, file, extra);
  await cliReplay(w, threads, `${base}-${threads}.save`, file, extra);
  if (readFileSync(`${base}-1.save`, 'utf8') !== readFileSync(`${base}-${threads}.save`, 'utf8')) throw new Error(`${w.name}: --workers ${threads} counted differently from --workers 1`);
  return {
    one: timed(() => cliReplay(w, 1, undefined, file, extra)),
    many: timed(() => cliReplay(w, threads, undefined, file, extra)),
    pair: timed(() => Promise.all(Array.from({ length: threads }, () => cliReplay(w, 1, undefined, file, extra)))),
  };
}
