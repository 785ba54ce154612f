// Rule traversal benchmark: TableRunner.traverse() alone, on synthetic packets already
// decoded (no capture, no path decisions), for the compiled matcher and the reference
// interpreter, on
//   - kube-proxy-shaped filter rulesets of 10, 1,000 and 10,000 services: FORWARD jumps to
//     a KUBE-SERVICES chain of `-d VIP/32 -p P -m comment -m P --dport N` rules (a jump to
//     the service's chain, which marks and accepts, or REJECT for a service without
//     endpoints), built from bench/gen/kube-proxy.mjs's service rules;
//   - a 20-rule server firewall in the style of the seed ruleset (captures/demo.rules)
//     without its stateful rules.
// Packets: 80% to a service (its VIP and port), 15% to a VIP on another port or to an
// unused cluster address, 5% ICMP; a pool of 4096, each loaded in turn into one reused
// view and packet state (the loop's own cost is measured and printed). Each measurement
// runs at least --seconds, after one unmeasured round; medians of --runs. Prints packets/s,
// ns/packet, the compiled/interpreter ratio, and the two goals: 10k services at >= 0.5x
// the throughput of 10 services, compiled >= 5x the interpreter on the kube-proxy rulesets.
// The generators are exported for the tests.
//
//   npm run build && node bench/replay-rules.mjs [--runs=5] [--seconds=0.5] [--services=10,1000,10000]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKubeProxy } from './gen/kube-proxy.mjs';
import { machine, median, printTable, ROOT } from './lib.mjs';

/** The service rules of a generated kube-proxy ruleset: VIP, protocol, port, service chain. */
export function kubeServices(services) {
  const out = [];
  for (const line of generateKubeProxy({ services, endpoints: 1, nodePortEvery: 0 }).split('\n')) {
    const m = /^-A KUBE-SERVICES -d (\S+)\/32 -p (\w+) -m comment --comment ("[^"]*") -m \w+ --dport (\d+) -j (\S+)$/.exec(line);
    if (m) out.push({ vip: m[1], proto: m[2], comment: m[3], port: Number(m[4]), chain: m[5] });
  }
  return out;
}

/** The filter table of a kube-proxy-shaped ruleset with `services` services (see above). */
export function kubeFilterRuleset(services) {
  const svcs = kubeServices(services);
  const head = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-SERVICES - [0:0]'];
  const chains = [];
  const rules = [
    '-A INPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -s 10.244.0.0/16 -j ACCEPT',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
  ];
  const perService = [];
  svcs.forEach((s, i) => {
    const match = `-d ${s.vip}/32 -p ${s.proto} -m comment --comment ${s.comment} -m ${s.proto} --dport ${s.port}`;
    if (i % 10 === 9) {
      rules.push(`-A KUBE-SERVICES ${match} -j REJECT --reject-with icmp-port-unreachable`);
      return;
    }
    chains.push(`:${s.chain} - [0:0]`);
    rules.push(`-A KUBE-SERVICES ${match} -j ${s.chain}`);
    perService.push(`-A ${s.chain} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`, `-A ${s.chain} -j ACCEPT`);
  });
  return head.concat(chains, rules, perService, ['COMMIT', '']).join('\n');
}

export const SEED_RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCK - [0:0]
:HOGE1 - [0:0]
:HOGE2 - [0:0]
:HOGE3 - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -j BLOCK
-A INPUT -p icmp -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22222 -j HOGE1
-A INPUT -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -p udp -m udp --sport 123 -j ACCEPT
-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT
-A INPUT ! -i eth+ -j DROP
-A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD -i eth1 -o eth0 -j ACCEPT
-A BLOCK -s 203.0.113.66/32 -j DROP
-A BLOCK -s 203.0.113.67/32 -j DROP
-A BLOCK -s 198.51.100.128/25 -j DROP
-A BLOCK -f -j DROP
-A HOGE1 -p tcp -m tcp --tcp-flags SYN,ACK,FIN,RST SYN -j HOGE2
-A HOGE1 -j RETURN
-A HOGE2 -s 192.0.2.0/24 -g HOGE3
-A HOGE2 -j DROP
-A HOGE3 -p tcp -m tcp --dport 22222 -j ACCEPT
COMMIT
`;

// The seed-style INPUT rules (SEED_RULES) as a BPF filter: the blocked sources, then what is
// accepted; tcpdump keeps the packets the filter passes.
/** The seed rules with `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` first in INPUT: the stateful workloads' rules. */
export const SEED_RULES_STATEFUL = SEED_RULES.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT');

export const SEED_BPF =
  'not (src host 203.0.113.66 or src host 203.0.113.67 or src net 198.51.100.128/25 or ip[6:2] & 0x1fff != 0) and ' +
  '(icmp or tcp dst port 22 or tcp dst port 80 or tcp dst port 443 or (tcp dst port 22222 and tcp[tcpflags] & (tcp-syn|tcp-ack|tcp-fin|tcp-rst) == tcp-syn and src net 192.0.2.0/24) ' +
  'or udp dst port 53 or udp src port 123 or (src net 192.0.2.0/24 and tcp dst port 8080))';

function ipNum(text) {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The services ClassBench-style traffic goes to: 256 in 10.100.0.0/16, TCP and UDP ports. */
export function classbenchServices(seed = 1) {
  const r = rng(seed * 7919);
  const ports = [22, 25, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 8443, 9090];
  return Array.from({ length: 256 }, (_, i) => ({
    addr: `10.100.${i >> 4}.${16 + (i & 15)}`,
    proto: i % 4 === 3 ? 'udp' : 'tcp',
    port: ports[Math.floor(r() * ports.length)],
  }));
}

/**
 * The rules of a ClassBench-style ACL of `n` rules (after the seed ACL shapes: prefix pairs,
 * exact and ranged destination ports, a protocol or any): about a third are written around
 * the services' addresses and ports so the traffic matches at every depth; the rest is
 * noise no packet matches. Each rule: `src` and `dst` prefixes ('' for any source),
 * `proto` ('' for any), `dport` ('N', 'N:M' or ''), `sport` ('1024:65535' or ''), `target`.
 */
export function classbenchRules(n, seed = 1) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const services = classbenchServices(seed);
  const masked = (addr, len) => {
    const a = ipNum(addr);
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const v = (a & m) >>> 0;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${len}`;
  };
  const randomAddr = () => `${pick([10, 172, 192])}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const clientPrefix = () => pick([masked(`10.${Math.floor(r() * 256)}.0.0`, pick([8, 16])), masked('198.51.100.0', pick([24, 25, 26])), masked('203.0.113.0', 24)]);
  const rules = [];
  for (let i = 0; i < n; i++) {
    const aimed = r() < 0.35;
    const svc = pick(services);
    const dst = aimed ? masked(svc.addr, pick([32, 28, 24, 20])) : masked(randomAddr(), pick([32, 24, 16, 8]));
    const src = r() < 0.6 ? '' : aimed ? clientPrefix() : masked(randomAddr(), pick([32, 24, 16]));
    const x = r();
    const proto = aimed ? svc.proto : x < 0.6 ? 'tcp' : x < 0.9 ? 'udp' : '';
    let dport = '';
    let sport = '';
    if (proto !== '') {
      const y = r();
      const port = aimed ? svc.port : 1 + Math.floor(r() * 65535);
      if (y < 0.5) dport = String(port);
      else if (y < 0.8) dport = `${Math.max(1, port - Math.floor(r() * 100))}:${Math.min(65535, port + Math.floor(r() * 100))}`;
      if (r() < 0.1) sport = '1024:65535';
    }
    rules.push({ src, dst, proto, dport, sport, target: r() < 0.7 ? 'ACCEPT' : 'DROP' });
  }
  return rules;
}

/**
 * The ClassBench-style ACL (classbenchRules) in FORWARD, policy DROP, nothing indexable by
 * the compiled matcher's runs: every packet walks the chain rule by rule up to its match.
 */
export function classbenchRuleset(n, seed = 1) {
  return classbenchText(classbenchRules(n, seed));
}

/** classbenchRules()' rules (in any order) as an iptables-restore filter table. */
export function classbenchText(list) {
  const rules = list.map((c) => {
    const ports = c.proto === '' ? '' : `${c.dport || c.sport ? ` -m ${c.proto}` : ''}${c.dport ? ` --dport ${c.dport}` : ''}${c.sport ? ` --sport ${c.sport}` : ''}`;
    return `-A FORWARD${c.src ? ` -s ${c.src}` : ''} -d ${c.dst}${c.proto ? ` -p ${c.proto}` : ''}${ports} -j ${c.target}`;
  });
  return ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
}

/** Packet descriptions for a kube-proxy ruleset: mostly service traffic, forwarded. */
export function kubePackets(services, count, seed = 1) {
  const svcs = kubeServices(services);
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const out = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    const src = ipNum(x < 0.5 ? '10.244.1.7' : '192.0.2.33');
    const hook = r() < 0.9 ? 'FORWARD' : 'INPUT';
    if (x < 0.8) {
      const s = pick(svcs);
      out.push({ hook, src, dst: ipNum(s.vip), proto: s.proto === 'udp' ? 17 : 6, dport: s.port, length: 60 + Math.floor(r() * 1400) });
    } else if (x < 0.95) {
      const s = pick(svcs);
      const dst = r() < 0.5 ? ipNum(s.vip) : ipNum('10.96.0.0') + 10 + svcs.length + Math.floor(r() * 1000);
      out.push({ hook, src, dst, proto: 6, dport: 1 + Math.floor(r() * 30000), length: 60 });
    } else {
      out.push({ hook, src, dst: ipNum('10.0.0.1'), proto: 1, dport: 0, length: 84 });
    }
  }
  return out;
}

/** Packet descriptions for the seed-style ruleset: a server's INPUT mix and some forwarding. */
export function seedPackets(count, seed = 1) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const sources = ['192.0.2.10', '198.51.100.7', '198.51.100.200', '203.0.113.66', '203.0.113.9'].map(ipNum);
  const out = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(['tcp', 'tcp', 'tcp', 'udp', 'icmp', 'fwd']);
    const src = pick(sources);
    const length = 40 + Math.floor(r() * 1400);
    if (kind === 'tcp') out.push({ hook: 'INPUT', src, proto: 6, dport: pick([22, 80, 443, 8080, 22222, 3306]), tcpFlags: pick([0x02, 0x10, 0x18]), length, inIface: pick(['eth0', 'eth0', 'lo', 'wg0']) });
    else if (kind === 'udp') out.push({ hook: 'INPUT', src, proto: 17, dport: pick([53, 123, 5353]), sport: pick([123, 40000]), length });
    else if (kind === 'icmp') out.push({ hook: 'INPUT', src, proto: 1, length: 84 });
    else out.push({ hook: 'FORWARD', src, proto: 6, dport: pick([80, 443]), length, inIface: pick(['eth0', 'eth1']), outIface: 'eth1' });
  }
  return out;
}

async function main() {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const runs = Number(args.runs ?? 5);
  const seconds = Number(args.seconds ?? 0.5);
  const sizes = (args.services ?? '10,1000,10000').split(',').map(Number);

  const { compileRuleset, interpretRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
  const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
  const { PacketView, L4State } = await import(join(ROOT, 'dist', 'decode', 'view.js'));
  const { PacketState } = await import(join(ROOT, 'dist', 'engine', 'packet.js'));

  const notes = new Map();
  const rt = {
    host: {},
    random32: () => 4,
    shared: (_kind, _name, create) => create(),
    log() {},
    nflog() {},
    note: (event) => notes.set(event, (notes.get(event) ?? 0) + 1),
  };

  /**
   * The packets as columns of numbers; the loop writes each into one reused view and
   * packet state, as the decoder and the engine do, so the pool adds no memory traffic a
   * replay would not have.
   */
  const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
  const IFACES = ['', 'eth0', 'eth1', 'lo', 'wg0'];
  function columns(descriptions) {
    const n = descriptions.length;
    const col = () => new Float64Array(n);
    const c = { n, src: col(), dst: col(), proto: col(), sport: col(), dport: col(), flags: col(), length: col(), hook: col(), inIface: col(), outIface: col() };
    descriptions.forEach((f, i) => {
      c.src[i] = f.src;
      c.dst[i] = f.dst ?? ipNum('10.0.0.1');
      c.proto[i] = f.proto;
      c.sport[i] = f.sport ?? 40000;
      c.dport[i] = f.dport ?? 0;
      c.flags[i] = f.tcpFlags ?? 0x02;
      c.length[i] = f.length;
      c.hook[i] = HOOKS.indexOf(f.hook);
      c.inIface[i] = IFACES.indexOf(f.inIface ?? 'eth0');
      c.outIface[i] = IFACES.indexOf(f.hook === 'INPUT' ? '' : (f.outIface ?? 'eth1'));
    });
    return c;
  }

  const view = new PacketView();
  const pkt = new PacketState();
  const EMPTY = new Uint8Array(0);

  /** Packet i of the columns into the view and the state. */
  function load(c, i) {
    const v = view;
    const length = c.length[i];
    const proto = c.proto[i];
    v.ipVersion = 4;
    v.ihl = 5;
    v.totalLength = length;
    v.srcAddr = c.src[i];
    v.dstAddr = c.dst[i];
    v.protocol = proto;
    v.fragOffset = 0;
    const l4 = proto === 6 || proto === 17;
    v.l4State = l4 ? L4State.OK : L4State.NONE;
    v.l4Length = length - 20;
    v.l4Captured = length - 20;
    v.srcPort = l4 ? c.sport[i] : -1;
    v.dstPort = l4 ? c.dport[i] : -1;
    v.tcpDataOffset = proto === 6 ? 5 : -1;
    v.tcpFlags = proto === 6 ? c.flags[i] : -1;
    pkt.resetFor(v, EMPTY);
    pkt.hook = HOOKS[c.hook[i]];
    pkt.inIface = IFACES[c.inIface[i]];
    pkt.outIface = IFACES[c.outIface[i]];
    return pkt;
  }

  /** Packets per second of `runner` (null: the loop alone) over the columns, one measurement of at least `seconds`. */
  function throughput(runner, c) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      for (let k = 0; k < 4096; k++, n++) {
        const p = load(c, n % c.n);
        if (runner !== null) runner.traverse('filter', p);
      }
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    return n / elapsed;
  }

  const cases = [
    ...sizes.map((n) => ({ name: `kube-proxy ${n} services`, text: kubeFilterRuleset(n), packets: kubePackets(n, 4096), kube: n })),
    { name: 'seed-style 20 rules', text: SEED_RULES, packets: seedPackets(4096) },
  ];
  const rows = [];
  const results = {};
  for (const c of cases) {
    const rs = loadRulesetText(c.text, { source: c.name }).ruleset;
    const ruleCount = rs.tables.reduce((n, t) => n + [...t.chains.values()].reduce((m, ch) => m + ch.rules.length, 0), 0);
    const pkts = columns(c.packets);
    const compiled = compileRuleset(rs, rt);
    const interpreted = interpretRuleset(rs, rt);
    // One unmeasured round each first: the optimiser settles before the clock runs.
    throughput(compiled, pkts);
    const pc = median(Array.from({ length: runs }, () => throughput(compiled, pkts)));
    throughput(interpreted, pkts);
    const pi = median(Array.from({ length: runs }, () => throughput(interpreted, pkts)));
    results[c.name] = { compiled: pc, interpreter: pi, kube: c.kube };
    rows.push({
      ruleset: c.name,
      rules: ruleCount,
      'compiled Mpkt/s': (pc / 1e6).toFixed(2),
      'compiled ns/pkt': (1e9 / pc).toFixed(0),
      'interpreter Mpkt/s': (pi / 1e6).toFixed(3),
      'interpreter ns/pkt': (1e9 / pi).toFixed(0),
      'compiled/interpreter': (pc / pi).toFixed(1),
    });
  }
  const loopColumns = columns(cases[0].packets);
  throughput(null, loopColumns);
  const loop = median(Array.from({ length: runs }, () => throughput(null, loopColumns)));
  printTable(`rule traversal, ${seconds} s per measurement, medians of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
  console.log(`\nthe loop alone (loading each packet into the view): ${(1e9 / loop).toFixed(0)} ns/packet, included above`);

  const kube = Object.values(results).filter((r) => r.kube !== undefined);
  const small = kube.find((r) => r.kube === Math.min(...kube.map((k) => k.kube)));
  const large = kube.find((r) => r.kube === Math.max(...kube.map((k) => k.kube)));
  const scale = large.compiled / small.compiled;
  const minRatio = Math.min(...kube.map((r) => r.compiled / r.interpreter));
  console.log(`\ngoal: ${large.kube} services at >= 0.5x the throughput of ${small.kube}: ${scale.toFixed(2)}x ${scale >= 0.5 ? 'met' : 'NOT MET'}`);
  console.log(`goal: compiled >= 5x the interpreter on kube-proxy rulesets: lowest ${minRatio.toFixed(1)}x ${minRatio >= 5 ? 'met' : 'NOT MET'}`);
  console.log(JSON.stringify({ bench: 'replay-rules', results }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
