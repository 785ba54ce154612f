#!/usr/bin/env node
// Kernel oracle for the differential tests: replays a case's capture through a real
// kernel (network namespaces joined by veth pairs, the case's ruleset loaded with
// iptables-legacy-restore) and records what the kernel counted, so an offline replay can
// be compared against it. See README.md in this folder for the model and the format.
//
//   sudo node test/differential/kernel.mjs --record [--case NAME[,NAME...]]
//   sudo node test/differential/kernel.mjs --check  [--case NAME[,NAME...]]
//   node test/differential/kernel.mjs --captures   [--case NAME[,NAME...]]   (re-runs make-capture.py)
//
// Everything happens inside namespaces named nfr-dfw-<pid>-<n> (the firewall) and
// nfr-dpe-<pid>-<n>-<i> (one peer per interface); nothing is routed to the host.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { findTools, SEARCH_PATH, which } from '../support/tools.mjs';
import { derandomize, readRandom } from './random.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CASES_DIR = path.join(HERE, 'cases');
const INJECT = path.join(HERE, 'inject.py');

// Children get a fixed environment so a user's locale or PATH cannot change their output.
const CHILD_ENV = { PATH: SEARCH_PATH, LC_ALL: 'C', LANG: 'C' };

/** SO_MARK of injected locally generated packets; the early nft hook passes only these. */
export const INJECT_MARK = 0x4e465200;
/** EtherType of the probe frames that prove the kernel has processed everything before them. */
const PROBE_ETHERTYPE = 0x88b5; // IEEE "local experimental": never IP, never seen by iptables
/** Pause between two injected packets. */
const GAP_MS = Number(process.env.NFR_DIFF_GAP_MS ?? 1);
const WAIT_LIMIT_MS = 15_000;

const TOOL_NAMES = {
  ip: 'ip',
  iptables: 'iptables-legacy',
  restore: 'iptables-legacy-restore',
  save: 'iptables-legacy-save',
  nft: 'nft',
  conntrack: 'conntrack',
  tcpdump: 'tcpdump',
  ethtool: 'ethtool',
};

// ---------------------------------------------------------------------------
// Environment

let toolCache = null;
function tools() {
  toolCache ??= findTools(TOOL_NAMES);
  return toolCache;
}

/** A python3 that can import scapy (Debian's python3-scapy lives under /usr/bin/python3). */
export function scapyPython() {
  for (const py of ['/usr/bin/python3', which('python3')].filter(Boolean)) {
    const r = spawnSync(py, ['-c', 'import scapy.all'], { env: CHILD_ENV, stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

function python() {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : which('python3');
}

/** null when the kernel can be recorded here, otherwise the reason it cannot. */
export function preflight() {
  if (process.platform !== 'linux') return 'needs Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'must run as root (network namespaces, iptables, raw sockets)';
  }
  const missing = Object.entries(tools())
    .filter(([, p]) => !p)
    .map(([k]) => TOOL_NAMES[k]);
  if (!python()) missing.push('python3');
  if (missing.length) return `missing binaries: ${missing.join(', ')}`;
  return null;
}

export function iptablesVersion() {
  return run(null, [tools().iptables, '--version']).stdout.trim();
}

export function kernelRelease() {
  return os.release();
}

// ---------------------------------------------------------------------------
// Running commands

/** Runs argv (inside namespace ns unless null); throws with stderr on failure unless `ok`. */
function run(ns, argv, { input, ok = false } = {}) {
  const full = ns ? [tools().ip, 'netns', 'exec', ns, ...argv] : argv;
  const r = spawnSync(full[0], full.slice(1), { input, encoding: 'utf8', env: CHILD_ENV, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !ok) {
    throw new Error(`${full.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r;
}

/** `ip -n NS -batch -`: many ip commands for one spawn. */
function ipBatch(ns, lines) {
  if (lines.length) run(null, [tools().ip, '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

function helper(mode, spec) {
  const r = run(null, [python(), INJECT, mode], { input: JSON.stringify(spec) });
  return JSON.parse(r.stdout || '{}');
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// ---------------------------------------------------------------------------
// IPv4 helpers

function ipToInt(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new Error(`not an IPv4 address: ${s}`);
  return ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
}

function intToIp(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseCidr(s, { hostBits = true } = {}) {
  const [a, p = '32'] = String(s).split('/');
  const prefix = Number(p);
  if (!/^\d+$/.test(p) || prefix > 32) throw new Error(`bad prefix in ${s}`);
  const addr = ipToInt(a);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if (!hostBits && (addr & mask) >>> 0 !== addr) throw new Error(`${s} has host bits set`);
  return { addr, prefix, mask, net: (addr & mask) >>> 0 };
}

const inCidr = (a, c) => ((a & c.mask) >>> 0) === c.net;

function macBytes(s) {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(s);
  if (!m) throw new Error(`not a MAC address: ${s}`);
  return Buffer.from(m.slice(1).map((x) => parseInt(x, 16)));
}

const hexByte = (n) => n.toString(16).padStart(2, '0');

// ---------------------------------------------------------------------------
// Host model (host.json)

const IFNAME = /^[A-Za-z0-9_.+-]{1,15}$/;

/**
 * Reads and validates host.json. Defaults: mac 02:00:00:00:00:NN and peer_mac
 * 02:00:00:00:ff:NN (NN = 1-based interface index), mtu 1500, forward false.
 */
export function loadHost(caseDir) {
  const file = path.join(caseDir, 'host.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const known = new Set(['interfaces', 'forward', 'routes', 'ingress_rules', 'sysctls']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new Error(`${file}: unknown key ${k}`);
  if (!Array.isArray(raw.interfaces) || raw.interfaces.length === 0) throw new Error(`${file}: interfaces missing`);
  const interfaces = raw.interfaces.map((i, n) => {
    const ik = new Set(['name', 'addr', 'addrs', 'mac', 'mtu', 'peer_mac']);
    for (const k of Object.keys(i)) if (!ik.has(k)) throw new Error(`${file}: interface ${i.name}: unknown key ${k}`);
    if (!IFNAME.test(i.name ?? '') || i.name === 'lo') throw new Error(`${file}: bad interface name ${i.name}`);
    const list = [...(i.addr ? [i.addr] : []), ...(i.addrs ?? [])];
    const idx = hexByte(n + 1);
    const mac = (i.mac ?? `02:00:00:00:00:${idx}`).toLowerCase();
    const peerMac = (i.peer_mac ?? `02:00:00:00:ff:${idx}`).toLowerCase();
    macBytes(mac);
    macBytes(peerMac);
    const mtu = i.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`${file}: bad mtu ${mtu}`);
    return { name: i.name, mac, peerMac, mtu, addrs: list.map((a) => ({ text: a, ...parseCidr(a) })) };
  });
  const names = new Set(interfaces.map((i) => i.name));
  if (names.size !== interfaces.length) throw new Error(`${file}: duplicate interface name`);
  const connectedDev = (a) => interfaces.find((i) => i.addrs.some((c) => inCidr(a, c)))?.name;
  const routes = (raw.routes ?? []).map((r) => {
    const dst = parseCidr(r.dst === 'default' ? '0.0.0.0/0' : r.dst, { hostBits: false });
    if (r.type !== undefined) {
      // A reject route (`ip route add unreachable|prohibit|blackhole DST`): no device, no gateway.
      if (!['unreachable', 'prohibit', 'blackhole'].includes(r.type)) throw new Error(`${file}: route ${r.dst}: unknown type ${r.type}`);
      if (r.via !== undefined || r.dev !== undefined) throw new Error(`${file}: route ${r.dst}: a ${r.type} route has no via or dev`);
      return { text: r.dst, dst, dev: null, via: null, type: r.type };
    }
    const via = r.via ? ipToInt(r.via) : null;
    const dev = r.dev ?? (via !== null ? connectedDev(via) : undefined);
    if (!dev || !names.has(dev)) throw new Error(`${file}: route ${r.dst}: unknown or missing dev`);
    return { text: r.dst, dst, dev, via, type: null };
  });
  const ingress = (raw.ingress_rules ?? []).map((r) => {
    if (r.dev !== 'local' && !names.has(r.dev)) throw new Error(`${file}: ingress rule: unknown dev ${r.dev}`);
    return { src: r.src ? parseCidr(r.src) : null, dst: r.dst ? parseCidr(r.dst) : null, dev: r.dev };
  });
  const sysctls = raw.sysctls ?? {};
  for (const k of Object.keys(sysctls)) if (!/^net\.[A-Za-z0-9_.-]+$/.test(k)) throw new Error(`${file}: sysctl ${k} is not net.*`);
  return { interfaces, forward: raw.forward === true, routes, ingress, sysctls };
}

const hostAddrs = (host) => host.interfaces.flatMap((i) => i.addrs.map((a) => a.addr));

/** Longest-prefix route for an address: {dev, via|null} from connected subnets, then routes. */
function routeTo(host, a) {
  let best = null;
  for (const i of host.interfaces) {
    for (const c of i.addrs) if (inCidr(a, c) && (!best || c.prefix > best.prefix)) best = { prefix: c.prefix, dev: i.name, via: null };
  }
  if (best) return best;
  for (const r of host.routes) {
    if (inCidr(a, r.dst) && (!best || r.dst.prefix > best.prefix)) best = { prefix: r.dst.prefix, dev: r.dev, via: r.via };
  }
  // A reject route reaches nothing.
  return best?.dev ? best : null;
}

/**
 * Where a frame enters: the first matching ingress rule; else "local" if its source is a
 * host address; else the interface whose connected subnet, then route, reaches the source.
 */
export function ingressOf(host, ip) {
  for (const r of host.ingress) {
    if (r.src && (!ip || !inCidr(ip.src, r.src))) continue;
    if (r.dst && (!ip || !inCidr(ip.dst, r.dst))) continue;
    return r.dev;
  }
  if (!ip) return null;
  if (hostAddrs(host).includes(ip.src)) return 'local';
  return routeTo(host, ip.src)?.dev ?? null;
}

// ---------------------------------------------------------------------------
// Capture (classic pcap, Ethernet)

export function readPcap(file) {
  const b = fs.readFileSync(file);
  if (b.length < 24) throw new Error(`${file}: too short for a pcap header`);
  const magic = b.readUInt32LE(0);
  let le;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d) le = false;
  else throw new Error(`${file}: not a classic pcap file`);
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linktype = u32(20) & 0x0fffffff;
  const frames = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const incl = u32(o + 8);
    const orig = u32(o + 12);
    if (o + 16 + incl > b.length) throw new Error(`${file}: truncated record at ${o}`);
    if (incl !== orig) throw new Error(`${file}: record at ${o} is cut by the snap length`);
    frames.push(Buffer.from(b.subarray(o + 16, o + 16 + incl)));
    o += 16 + incl;
  }
  return { linktype, frames };
}

/** Parses a pcap byte stream (as tcpdump -w - writes it) into its frames. */
function pcapFrames(b) {
  const frames = [];
  if (b.length < 24) return frames;
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  for (let o = 24; o + 16 <= b.length; ) {
    const incl = u32(o + 8);
    if (o + 16 + incl > b.length) break;
    frames.push(b.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return frames;
}

const isProbe = (f) => f.length >= 14 && f.readUInt16BE(12) === PROBE_ETHERTYPE;

/** The IPv4 header fields needed to place a frame, or null if it is not IPv4. */
function ipv4Of(frame) {
  if (frame.length < 14 + 20 || frame.readUInt16BE(12) !== 0x0800) return null;
  return { src: frame.readUInt32BE(14 + 12), dst: frame.readUInt32BE(14 + 16), totLen: frame.readUInt16BE(14 + 2), ihl: frame[14] & 15 };
}

// ---------------------------------------------------------------------------
// Conntrack use in a ruleset

// Anything here makes the kernel register conntrack (and with it defragmentation) in the
// namespace, which changes what every chain sees for fragments; -m socket and TPROXY pull
// in defragmentation alone.
const CONNTRACK_USERS =
  /^\*nat\b|(?:^|\s)-m\s+(?:conntrack|state|connmark|connlimit|connbytes|connlabel|helper|cluster|ipvs|socket)\b|(?:^|\s)-j\s+(?:CONNMARK|CT|NOTRACK|DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP|SYNPROXY|CONNSECMARK|TPROXY)\b/m;

export function rulesUseConntrack(rulesText) {
  // Comment lines may quote rules; only the rules themselves count.
  const rules = rulesText
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  return CONNTRACK_USERS.test(rules);
}

// ---------------------------------------------------------------------------
// nftables in the firewall namespace

// Locally generated packets without the injector's mark are the host's own answers
// (REJECT's RST/ICMP, ICMP errors, RSTs for closed ports, echo replies). They are dropped
// at priority -450, before conntrack's defragmentation (-400), iptables' raw table (-300)
// and conntrack (-200), so nothing in iptables counts them; one counter per kind says what
// they were. The marked ones get mark 0 back, as every
// packet starts with mark 0.
const OWN_REPLY_KINDS = [
  ['tcp rst', 'tcp flags & rst == rst'],
  ['icmp 0 echo-reply', 'icmp type 0'],
  ...Array.from({ length: 16 }, (_, c) => [`icmp 3/${c} unreachable`, `icmp type 3 icmp code ${c}`]),
  ['icmp 5 redirect', 'icmp type 5'],
  ['icmp 11/0 ttl-exceeded', 'icmp type 11 icmp code 0'],
  ['icmp 11/1 reassembly-exceeded', 'icmp type 11 icmp code 1'],
  ['icmp 12 parameter-problem', 'icmp type 12'],
  ['icmp other', 'meta l4proto icmp'],
  ['tcp other', 'meta l4proto tcp'],
  ['other', ''],
];

function nftScript(host, ownReplies) {
  const verdict = ownReplies === 'pass' ? 'accept' : 'drop';
  const own = OWN_REPLY_KINDS.map(([k, m]) => `    ${m ? `${m} ` : ''}counter ${verdict} comment "${k}"`).join('\n');
  const probes = host.interfaces
    .map(
      (i, n) =>
        `  chain in${n} {\n    type filter hook ingress device "${i.name}" priority 0; policy accept;\n` +
        `    ether type 0x${PROBE_ETHERTYPE.toString(16)} counter drop\n  }`,
    )
    .join('\n');
  return (
    `table ip nfr_own {\n  chain out {\n    type filter hook output priority -450; policy accept;\n` +
    `    meta mark 0x${INJECT_MARK.toString(16)} meta mark set 0x0 accept\n${own}\n  }\n}\n` +
    `table netdev nfr_probe {\n${probes}\n}\n`
  );
}

function nftRules(ns, family, table) {
  const r = run(ns, [tools().nft, '-j', 'list', 'table', family, table]);
  return JSON.parse(r.stdout)
    .nftables.filter((x) => x.rule)
    .map((x) => ({
      comment: x.rule.comment,
      chain: x.rule.chain,
      packets: x.rule.expr.find((e) => e.counter)?.counter.packets ?? 0,
    }));
}

// ---------------------------------------------------------------------------
// Namespaces and cleanup

const liveNamespaces = new Set();
const liveChildren = new Set();
let nsCounter = 0;
let cleanupInstalled = false;

function removeNamespace(ns) {
  spawnSync(tools().ip, ['netns', 'delete', ns], { env: CHILD_ENV, stdio: 'ignore' });
  liveNamespaces.delete(ns);
}

function cleanupAll() {
  for (const c of liveChildren) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const ns of [...liveNamespaces]) removeNamespace(ns);
}

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', cleanupAll);
  // Worker threads never receive signals; the main thread's handler covers them.
  if (!isMainThread) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(128 + (os.constants.signals[sig] || 1));
    });
  }
}

// Namespaces of a killed earlier run (whose pid is gone) are removed; live runs' are left.
let reaped = false;
function reapStale() {
  if (reaped) return;
  reaped = true;
  const r = run(null, [tools().ip, 'netns', 'list'], { ok: true });
  for (const line of (r.stdout || '').split('\n')) {
    const m = /^(nfr-d(?:fw|pe)-(\d+)-[\d-]+)\b/.exec(line);
    if (!m || Number(m[2]) === process.pid) continue;
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (!alive) removeNamespace(m[1]);
  }
}

function addNamespace(ns) {
  liveNamespaces.add(ns);
  run(null, [tools().ip, 'netns', 'add', ns]);
}

// ---------------------------------------------------------------------------
// Building the host

function neighbourTargets(host, frames) {
  // Static entries for every gateway and every capture address the host reaches on a link,
  // so the firewall never ARPs: forwarded packets leave at once and the egress capture holds
  // only IP.
  const own = new Set(hostAddrs(host));
  const broadcasts = new Set(host.interfaces.flatMap((i) => i.addrs.map((a) => (a.net | ~a.mask) >>> 0)));
  const out = new Map();
  const add = (a, dev) => out.set(`${intToIp(a)} ${dev}`, { addr: intToIp(a), dev });
  for (const r of host.routes) if (r.via !== null) add(r.via, r.dev);
  for (const f of frames) {
    const ip = ipv4Of(f);
    if (!ip) continue;
    for (const a of [ip.src, ip.dst]) {
      const first = a >>> 24;
      if (own.has(a) || broadcasts.has(a) || a === 0 || first === 127 || first >= 224) continue;
      const rt = routeTo(host, a);
      if (rt && rt.via === null) add(a, rt.dev);
    }
  }
  return [...out.values()];
}

function buildHost(host, fw, peers, frames, rules, ownReplies) {
  // IPv6 off everywhere before any link exists: no router solicitations, MLD or DAD in the
  // way. ICMP redirects are switched off because the kernel rate-limits them per peer by
  // time, which would make the count of the host's own (dropped) replies timing-dependent.
  const base = {
    'net.ipv6.conf.all.disable_ipv6': 1,
    'net.ipv6.conf.default.disable_ipv6': 1,
    'net.ipv4.conf.all.send_redirects': 0,
    'net.ipv4.conf.default.send_redirects': 0,
  };
  helper('sysctl', Object.fromEntries([fw, ...peers].map((ns) => [ns, base])));

  const fwCmds = ['link set lo up'];
  host.interfaces.forEach((i, n) => {
    fwCmds.push(
      `link add ${i.name} address ${i.mac} mtu ${i.mtu} type veth peer name ${i.name} address ${i.peerMac} mtu ${i.mtu} netns ${peers[n]}`,
    );
  });
  ipBatch(fw, fwCmds);
  // A veth marks frames from a packet socket as checksum-verified; a real NIC does that only
  // for correct checksums. With receive checksumming off, TCP/UDP checksums are verified in
  // software as for a NIC without offload.
  for (const i of host.interfaces) run(fw, [tools().ethtool, '-K', i.name, 'rx', 'off']);
  // The host's RSTs leave the stack with only the pseudo-header summed (CHECKSUM_PARTIAL),
  // for the NIC to finish; a veth hands them on as they are. With transmit checksumming off
  // the kernel finishes them itself, and the peer sees what a NIC would have sent.
  if (ownReplies === 'pass') for (const i of host.interfaces) run(fw, [tools().ethtool, '-K', i.name, 'tx', 'off']);

  host.interfaces.forEach((i, n) => {
    // Peers carry no IP address and send only through packet sockets: their stack never
    // answers what the firewall forwards to them, and never ARPs.
    ipBatch(peers[n], ['link set lo up', `link set ${i.name} arp off`, `link set ${i.name} up`]);
  });
  const cmds = [];
  for (const i of host.interfaces) for (const a of i.addrs) cmds.push(`addr add ${a.text} dev ${i.name}`);
  for (const i of host.interfaces) cmds.push(`link set ${i.name} up`);
  for (const r of host.routes) {
    const dst = r.dst.prefix === 0 ? 'default' : `${intToIp(r.dst.net)}/${r.dst.prefix}`;
    cmds.push(r.type !== null ? `route add ${r.type} ${dst}` : `route add ${dst}${r.via !== null ? ` via ${intToIp(r.via)}` : ''} dev ${r.dev}`);
  }
  const peerMac = Object.fromEntries(host.interfaces.map((i) => [i.name, i.peerMac]));
  for (const t of neighbourTargets(host, frames)) cmds.push(`neigh replace ${t.addr} lladdr ${peerMac[t.dev]} dev ${t.dev} nud permanent`);
  ipBatch(fw, cmds);

  run(fw, [tools().nft, '-f', '-'], { input: nftScript(host, ownReplies) });
  run(fw, [tools().restore], { input: rules });

  // After the ruleset: on a modular kernel the nf_conntrack sysctls only exist once a rule
  // has pulled conntrack in. ICMP errors are rate-limited by default (per peer and
  // globally, by time); with an empty mask every error is generated, so the count of
  // dropped own replies is deterministic.
  const sys = {
    'net.ipv4.ip_forward': host.forward ? 1 : 0,
    'net.ipv4.icmp_ratemask': 0,
    'net.ipv4.conf.all.rp_filter': 0,
    'net.ipv4.conf.default.rp_filter': 0,
    ...host.sysctls,
  };
  helper('sysctl', { [fw]: sys });
}

// ---------------------------------------------------------------------------
// Egress capture (tcpdump on each peer: what the firewall sends to that link)

function startTcpdump(ns, dev) {
  // -Q in: only what arrives at the peer, not the frames injected from it; -w -: stdout, so
  // no file has to be writable by tcpdump's (possibly dropped) privileges.
  const child = spawn(
    tools().ip,
    ['netns', 'exec', ns, tools().tcpdump, '-i', dev, '-p', '-n', '-Q', 'in', '-U', '--immediate-mode', '-Z', 'root', '-s', '262144', '-w', '-'],
    { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  liveChildren.add(child);
  const cap = { child, dev, out: [], err: '', exited: null };
  child.stdout.on('data', (d) => cap.out.push(d));
  child.stderr.on('data', (d) => (cap.err += d));
  cap.exited = new Promise((res) => child.on('close', (code) => res(code)));
  child.on('close', () => liveChildren.delete(child));
  return cap;
}

// ---------------------------------------------------------------------------
// Conntrack events (conntrack -E in the firewall namespace: events are per namespace)

// A marker entry the recorder inserts through ctnetlink, before the first packet and after
// the last: its [NEW] shows that `conntrack -E` is listening, and since ctnetlink delivers
// events on the socket in the order they happen, its [NEW] after the last packet shows that
// every event of the capture has been read. Nothing in a case uses 10.254.254.0/24 or zone
// 65535, and a userspace-made entry's events say [USERSPACE]: its lines are provably the
// recorder's own and are the only ones left out.
const MARKER = ['-p', 'udp', '-s', '10.254.254.1', '-d', '10.254.254.2', '--sport', '9', '--dport', '9', '--zone', '65535'];
const isMarkerEvent = (l) => /^\[(?:NEW|DESTROY)\] udp 17 .*src=10\.254\.254\.1 dst=10\.254\.254\.2 sport=9 dport=9 .*zone=65535 \[USERSPACE\]/.test(l);

/**
 * An event line as kernel.mjs stores it: whitespace collapsed, the seconds left (which
 * count down while the recording runs) left out; the kind, the TCP state, the tuples,
 * [UNREPLIED]/[ASSURED], mark and zone as conntrack -E prints them.
 */
export function normaliseEvent(line) {
  const f = line.trim().split(/\s+/);
  if (f.length > 3 && /^\d+$/.test(f[3])) f.splice(3, 1);
  return f.join(' ');
}

function startConntrackEvents(ns) {
  const child = spawn(tools().ip, ['netns', 'exec', ns, tools().conntrack, '-E'], { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  const ev = { child, text: '', err: '', exited: null };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => (ev.text += d));
  child.stderr.on('data', (d) => (ev.err += d));
  ev.exited = new Promise((res) => child.on('close', (code) => res(code)));
  child.on('close', () => liveChildren.delete(child));
  ev.lines = () => ev.text.split('\n').filter(Boolean).map(normaliseEvent);
  return ev;
}

/** Inserts and deletes the marker until its [NEW] and [DESTROY] have both been read. */
async function markerRoundTrip(ns, ev) {
  const seen = (kind) => ev.lines().filter((l) => l.startsWith(`[${kind}]`) && isMarkerEvent(l)).length;
  const news = seen('NEW');
  const destroys = seen('DESTROY');
  const t0 = Date.now();
  for (;;) {
    if (ev.child.exitCode !== null) throw new Error(`conntrack -E exited: ${ev.err.trim()}`);
    run(ns, [tools().conntrack, '-I', ...MARKER, '--timeout', '60'], { ok: true });
    await sleep(50);
    run(ns, [tools().conntrack, '-D', ...MARKER], { ok: true });
    if (seen('NEW') > news) break;
    // Not listening yet: the events of this try are filtered like the others.
    if (Date.now() - t0 > WAIT_LIMIT_MS) throw new Error('timed out waiting for conntrack -E');
    await sleep(50);
  }
  await waitFor('the marker [DESTROY] event', () => seen('DESTROY') > destroys);
}

async function waitFor(what, test) {
  const t0 = Date.now();
  for (;;) {
    if (test()) return;
    if (Date.now() - t0 > WAIT_LIMIT_MS) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------
// Reading results

export function stripSave(text) {
  // The date comments are the only part of iptables-save output that changes by itself.
  return text.split('\n').filter((l) => l !== '' && !/^# (Generated by|Completed on) /.test(l));
}

function conntrackEntries(ns) {
  const r = run(ns, [tools().conntrack, '-L'], { ok: true });
  if (r.status !== 0) return [`(conntrack -L failed: ${(r.stderr || '').trim()})`];
  // The third field is the remaining timeout, which counts down while we read: dropped.
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s+/))
    .map((f) => [f[0], f[1], ...f.slice(3)].join(' '))
    .sort();
}

function ipStats(ns) {
  // Per-namespace SNMP counters: they start at 0 with the namespace and show where the IP
  // stack itself discarded packets (header errors, no route, reassembly...). Only non-zero
  // values are kept.
  const out = {};
  const keep = new Set(['Ip', 'IpExt', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp']);
  const constant = new Set(['Ip.DefaultTTL', 'Tcp.RtoAlgorithm', 'Tcp.RtoMin', 'Tcp.RtoMax', 'Tcp.MaxConn']);
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = run(ns, ['cat', file]).stdout.split('\n').filter(Boolean);
    for (let k = 0; k + 1 < lines.length; k += 2) {
      const names = lines[k].split(/\s+/);
      const values = lines[k + 1].split(/\s+/);
      const group = names[0].replace(/:$/, '');
      if (!keep.has(group)) continue;
      for (let j = 1; j < names.length; j++) {
        const v = Number(values[j]);
        if (v !== 0 && !constant.has(`${group}.${names[j]}`)) (out[group] ??= {})[names[j]] = v;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Recording one case

export function listCases() {
  return fs
    .readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Everything about a case that does not need the kernel: host, frames, placement. */
/**
 * The case's recorder.json, optional: `{"ownReplies": "pass"}` lets the host's own
 * answers through iptables (counted, not dropped, at -450): for cases of REJECT's replies,
 * replayed with --reject-replies, whose capture must give the stack nothing to answer.
 */
export function loadRecorder(caseDir) {
  const file = path.join(caseDir, 'recorder.json');
  if (!fs.existsSync(file)) return { ownReplies: 'drop' };
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of Object.keys(raw)) if (k !== 'ownReplies') throw new Error(`${file}: unknown key ${k}`);
  if (raw.ownReplies !== 'pass' && raw.ownReplies !== 'drop') throw new Error(`${file}: ownReplies must be "pass" or "drop"`);
  return { ownReplies: raw.ownReplies };
}

/**
 * An ICMP error the host sent (egress hex, Ethernet header first) with its IP id and header
 * checksum zeroed: the kernel picks the id of a datagram without DF (ip_select_ident), so
 * two recordings differ there and nothing else can match it.
 */
export function normaliseIcmpErrorId(hex) {
  const f = Buffer.from(hex, 'hex');
  if (f.length < 14 || f.readUInt16BE(12) !== 0x0800) return hex;
  return hex.slice(0, 28) + normaliseIcmpErrorIdIp(hex.slice(28));
}

/** normaliseIcmpErrorId() for an IPv4 datagram without a link header. */
export function normaliseIcmpErrorIdIp(hex) {
  const ip = Buffer.from(hex, 'hex');
  if (ip.length < 21 || ip[9] !== 1) return hex;
  const type = ip[(ip[0] & 0x0f) * 4];
  if (type !== 3 && type !== 11 && type !== 12) return hex;
  ip.writeUInt16BE(0, 4);
  ip.writeUInt16BE(0, 10);
  return ip.toString('hex');
}

export function planCase(caseDir) {
  const host = loadHost(caseDir);
  const recorder = loadRecorder(caseDir);
  const cap = readPcap(path.join(caseDir, 'capture.pcap'));
  if (cap.linktype !== 1) throw new Error(`${caseDir}: capture link type ${cap.linktype}, expected 1 (Ethernet)`);
  const rulesText = fs.readFileSync(path.join(caseDir, 'rules.v4'), 'utf8');
  const ingress = cap.frames.map((f, n) => {
    const dev = ingressOf(host, ipv4Of(f));
    if (!dev) throw new Error(`${caseDir}: packet ${n + 1}: no ingress rule, connected subnet or route reaches its source`);
    return dev;
  });
  return { host, frames: cap.frames, ingress, rulesText, conntrack: rulesUseConntrack(rulesText), ownReplies: recorder.ownReplies };
}

/** Injection items for the helper, in capture order. */
function injectionItems(plan, fw, peers) {
  return plan.frames.map((f, n) => {
    const dev = plan.ingress[n];
    if (dev === 'local') {
      const ip = ipv4Of(f);
      if (!ip) throw new Error(`packet ${n + 1}: a locally generated packet must be IPv4`);
      // The raw socket takes the datagram without its link header; Ethernet padding is not
      // part of it (the kernel would take the padding as payload and rewrite tot_len).
      let dg = f.subarray(14);
      if (ip.totLen >= 20 && ip.totLen <= dg.length) dg = dg.subarray(0, ip.totLen);
      return { kind: 'l3', ns: fw, dst: intToIp(ip.dst), hex: dg.toString('hex') };
    }
    const ifIndex = plan.host.interfaces.findIndex((i) => i.name === dev);
    const i = plan.host.interfaces[ifIndex];
    const frame = Buffer.from(f);
    // Unicast frames get the firewall interface's MAC (anything else would be PACKET_OTHERHOST
    // and dropped before IP); broadcast/multicast destinations keep their meaning.
    if (!(frame[0] & 1)) macBytes(i.mac).copy(frame, 0);
    macBytes(i.peerMac).copy(frame, 6);
    return { kind: 'l2', ns: peers[ifIndex], dev: i.name, hex: frame.toString('hex') };
  });
}

function probeFrame(dstMac, srcMac) {
  const f = Buffer.alloc(60);
  macBytes(dstMac).copy(f, 0);
  macBytes(srcMac).copy(f, 6);
  f.writeUInt16BE(PROBE_ETHERTYPE, 12);
  f.write('nfreplay probe', 14, 'latin1');
  return f.toString('hex');
}

const STANDARD_NOTES =
  'saveCounters is iptables-legacy-save -c without its date comments. The host\'s own replies ' +
  '(REJECT, ICMP errors, RSTs, echo replies) are dropped before iptables by an nftables output ' +
  'hook at priority -450: dropsOfOwnReplies counts them, ownReplies by kind. LOG lines are not ' +
  'recorded: the kernel logs from a non-initial network namespace only with the host-wide ' +
  'sysctl net.netfilter.nf_log_all_netns=1, which this recorder does not touch. conntrackEntries ' +
  'is conntrack -L without timeouts, sorted; egress is what each peer received, in order.';

const PASS_NOTES =
  STANDARD_NOTES.replace(/The host's own replies .*? ownReplies by kind\. /, '') +
  " This case's recorder.json lets the host's own replies through: ownReplies counts them by kind at an nftables " +
  'output hook at priority -450, and in egress the IP id and header checksum of ICMP errors are zeroed (the kernel picks the id).';

/**
 * Replays caseDir's capture through the kernel and returns the expected.json object.
 * Needs root and the tools preflight() checks. Namespaces are always deleted.
 */
export async function recordKernel(caseDir, { log = () => {} } = {}) {
  const why = preflight();
  if (why) throw new Error(`cannot record the kernel: ${why}`);
  installCleanup();
  reapStale();
  const plan = planCase(caseDir);
  const id = `${process.pid}-${++nsCounter}`;
  const fw = `nfr-dfw-${id}`;
  const peers = plan.host.interfaces.map((_, n) => `nfr-dpe-${id}-${n}`);
  const caps = [];
  let events = null;
  try {
    for (const ns of [fw, ...peers]) addNamespace(ns);
    buildHost(plan.host, fw, peers, plan.frames, fs.readFileSync(path.join(caseDir, 'rules.v4')), plan.ownReplies);

    if (plan.conntrack) {
      events = startConntrackEvents(fw);
      await markerRoundTrip(fw, events);
    }
    plan.host.interfaces.forEach((i, n) => caps.push(startTcpdump(peers[n], i.name)));
    for (const c of caps) await waitFor(`tcpdump on ${c.dev}`, () => /listening on/.test(c.err) || c.child.exitCode !== null);
    for (const c of caps) if (c.child.exitCode !== null) throw new Error(`tcpdump on ${c.dev} failed: ${c.err.trim()}`);

    const items = injectionItems(plan, fw, peers);
    // One probe per interface after the capture: the kernel drains a CPU's backlog in
    // order, so once the probes are counted at ingress, every earlier frame has been
    // processed (including whatever it made the host send).
    const probes = plan.host.interfaces.map((i, n) => ({ kind: 'l2', ns: peers[n], dev: i.name, hex: probeFrame(i.mac, i.peerMac) }));
    log(`${path.basename(caseDir)}: ${items.length} packets`);
    const sent = helper('send', { mark: INJECT_MARK, gapMs: GAP_MS, items: [...items, ...probes] });
    const errors = sent.errors ?? {};
    await waitFor('the ingress probes', () => nftRules(fw, 'netdev', 'nfr_probe').every((r) => r.packets >= 1));
    // Then one probe out of each firewall interface, queued behind everything the firewall
    // already sent there: when each peer's tcpdump has it, its egress capture is complete.
    helper('send', { items: plan.host.interfaces.map((i) => ({ kind: 'l2', ns: fw, dev: i.name, hex: probeFrame(i.peerMac, i.mac) })) });
    for (const c of caps) await waitFor(`the egress probe on ${c.dev}`, () => pcapFrames(Buffer.concat(c.out)).some(isProbe));
    for (const c of caps) c.child.kill('SIGINT');
    await Promise.all(caps.map((c) => c.exited));
    let conntrackEvents = [];
    if (events) {
      await markerRoundTrip(fw, events);
      events.child.kill('SIGINT');
      await events.exited;
      conntrackEvents = events.lines().filter((l) => !isMarkerEvent(l));
    }

    const saveCounters = stripSave(run(fw, [tools().save, '-c']).stdout);
    const own = nftRules(fw, 'ip', 'nfr_own').filter((r) => r.comment);
    const ownReplies = Object.fromEntries(own.filter((r) => r.packets > 0).map((r) => [r.comment, r.packets]));
    const sendErrors = Object.fromEntries(
      Object.entries(errors)
        .filter(([k]) => Number(k) < items.length)
        .map(([k, v]) => [String(Number(k) + 1), v]),
    );
    const normalise = plan.ownReplies === 'pass' ? normaliseIcmpErrorId : (hex) => hex;
    const egress = Object.fromEntries(
      caps.map((c) => [c.dev, pcapFrames(Buffer.concat(c.out)).filter((f) => !isProbe(f)).map((f) => normalise(Buffer.from(f).toString('hex')))]),
    );
    return {
      case: path.basename(caseDir),
      iptables: iptablesVersion(),
      kernel: kernelRelease(),
      conntrackInUse: plan.conntrack,
      packets: items.length,
      ingress: plan.ingress,
      sendErrors,
      saveCounters,
      dropsOfOwnReplies: own.reduce((s, r) => s + r.packets, 0),
      ownReplies,
      conntrackEntries: conntrackEntries(fw),
      // Only where conntrack is in use (README.md, "conntrackEvents").
      ...(plan.conntrack ? { conntrackEvents } : {}),
      ipStats: ipStats(fw),
      egress,
      notes: plan.ownReplies === 'pass' ? PASS_NOTES : STANDARD_NOTES,
    };
  } finally {
    for (const c of [...caps, ...(events ? [events] : [])]) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await Promise.all([...caps, ...(events ? [events] : [])].map((c) => c.exited));
    for (const ns of [fw, ...peers]) if (liveNamespaces.has(ns)) removeNamespace(ns);
  }
}

// ---------------------------------------------------------------------------
// Comparing

/** Fields that may legitimately differ between two machines; reported, never a failure. */
export const UNCOMPARED = ['kernel'];

export function diffJson(expected, actual, where = '') {
  const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? '(absent)' : s.length > 300 ? s.slice(0, 300) + '…' : s;
  };
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const both = expected && actual && typeof expected === 'object' && typeof actual === 'object' && Array.isArray(expected) === Array.isArray(actual);
  if (!both) return [`${where || '(root)'}: expected ${show(expected)}, got ${show(actual)}`];
  const keys = Array.isArray(expected)
    ? [...Array(Math.max(expected.length, actual.length)).keys()]
    : [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  return keys.flatMap((k) => diffJson(expected[k], actual[k], Array.isArray(expected) ? `${where}[${k}]` : `${where}.${k}`));
}

export function readExpected(caseDir) {
  const f = path.join(caseDir, 'expected.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null;
}

/**
 * Differences between a fresh recording and the committed expected.json (UNCOMPARED left
 * out; with the case's random.json, only what the draws leave comparable: random.mjs).
 */
export function compareRecording(expected, actual, random = null) {
  const strip = (o) => Object.fromEntries(Object.entries(derandomize(o ?? {}, random, 14)).filter(([k]) => !UNCOMPARED.includes(k)));
  if (!expected) return ['expected.json is missing'];
  return diffJson(strip(expected), strip(actual));
}

export async function checkCase(name, opts) {
  const dir = path.join(CASES_DIR, name);
  return compareRecording(readExpected(dir), await recordKernel(dir, opts), readRandom(dir));
}

export function writeExpected(caseDir, expected) {
  fs.writeFileSync(path.join(caseDir, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
}

/** Runs a case's make-capture.py into OUT (default: the case's capture.pcap). */
export function makeCapture(caseDir, out = path.join(caseDir, 'capture.pcap'), py = scapyPython()) {
  if (!py) throw new Error('no python3 with scapy (apt-get install python3-scapy)');
  const r = spawnSync(py, [path.join(caseDir, 'make-capture.py'), out], { encoding: 'utf8', env: CHILD_ENV });
  if (r.status !== 0) throw new Error(`${caseDir}/make-capture.py failed: ${r.stderr}`);
}

// ---------------------------------------------------------------------------
// Command line

async function main(argv) {
  const args = { mode: null, cases: null };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--record' || a === '--check' || a === '--captures') args.mode = a.slice(2);
    else if (a === '--case') args.cases = (argv[++k] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--case=')) args.cases = a.slice(7).split(',').filter(Boolean);
    else {
      console.error(`unknown argument ${a}`);
      return 2;
    }
  }
  if (!args.mode) {
    console.error('usage: kernel.mjs --record|--check|--captures [--case NAME[,NAME...]]');
    return 2;
  }
  const all = listCases();
  const names = args.cases ?? all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) {
    console.error(`unknown case(s): ${unknown.join(', ')}`);
    return 2;
  }
  if (args.mode === 'captures') {
    for (const n of names) {
      makeCapture(path.join(CASES_DIR, n));
      console.log(`${n}: capture.pcap written`);
    }
    return 0;
  }
  const why = preflight();
  if (why) {
    console.error(`kernel.mjs: ${why}`);
    return 2;
  }
  let failed = 0;
  const t0 = Date.now();
  for (const n of names) {
    const dir = path.join(CASES_DIR, n);
    const got = await recordKernel(dir);
    if (args.mode === 'record') {
      writeExpected(dir, got);
      console.log(`${n}: recorded (${got.packets} packets, ${got.dropsOfOwnReplies} own replies dropped)`);
      continue;
    }
    const want = readExpected(dir);
    const diffs = compareRecording(want, got, readRandom(dir));
    if (want && want.kernel !== got.kernel) console.log(`${n}: note: recorded on kernel ${want.kernel}, now ${got.kernel}`);
    if (diffs.length) {
      failed++;
      console.log(`${n}: DIFFERENT`);
      for (const d of diffs) console.log(`  ${d}`);
    } else console.log(`${n}: same`);
  }
  console.log(`${names.length} case(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s${args.mode === 'check' ? `, ${failed} different` : ''}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e.stack || String(e));
      process.exit(1);
    },
  );
}
