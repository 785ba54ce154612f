/**
 * Records what the real kernel does with the host layouts of layouts.json, for the host
 * model's tests (expected.json, committed; never edited by hand):
 *
 * - `ip -j route show table local` and `table main` after configuring the layout's
 *   interfaces, addresses, routes and sysctls in a fresh network namespace;
 * - the address type xt_addrtype sees (inet_dev_addr_type) for each listed address, with
 *   and without --limit-iface-in, from a frame arriving on each listed interface: one
 *   counting rule per RTN_* type in raw PREROUTING;
 * - the path of each probe packet arriving on an interface (`paths`): which of raw
 *   PREROUTING (with -i and -m pkttype), mangle INPUT, FORWARD -o X and POSTROUTING -o X
 *   counted it;
 * - the path of each packet the host sends itself (`local`, a raw IP_HDRINCL socket):
 *   the send error, raw OUTPUT, mangle OUTPUT -o X and POSTROUTING -o X, and whether it
 *   came back in through lo (PREROUTING -i lo, INPUT).
 *
 * Probes are told apart by their IP total length (`-m length`), plus source, destination
 * and protocol. Frames are written from a peer namespace on the other end of each veth by
 * one process pinned to CPU 0, followed by a sentinel frame per interface: the kernel
 * handles one CPU's backlog in order, so once every sentinel is counted in PREROUTING,
 * everything before it has been processed. The host's own packets are sent the same way,
 * followed by a sentinel through lo.
 *
 *   sudo node test/netfilter/kernel/record.mjs            # rewrite expected.json
 *   sudo node test/netfilter/kernel/record.mjs --check    # exit 1 when the kernel disagrees
 *
 * Namespaces are named nfr-hmk-<pid>-<n> and always deleted. Addresses come from the
 * documentation ranges and 10/8; nothing is routed to the recording machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const LAYOUTS = path.join(HERE, 'layouts.json');
export const EXPECTED = path.join(HERE, 'expected.json');
const INJECT = path.join(HERE, 'inject.py');
const PY = '/usr/bin/python3';

export const ADDR_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
const PKTTYPES = ['unicast', 'broadcast', 'multicast'];
/** Probe n has IP total length BASE_LEN + n; sentinels use SENTINEL_LEN. */
export const BASE_LEN = 100;
const SENTINEL_LEN = 90;
const PEER_MAC = '02:00:00:00:ff:01';
const OTHER_MAC = '02:00:00:00:ee:ee';

// ---------------------------------------------------------------------------------------
// Packets

export function ipToInt(s) {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function csum(buf) {
  let s = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) s += buf.readUInt16BE(i);
  if (buf.length % 2) s += buf[buf.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An IPv4 datagram of total length `len`: UDP (checksum 0) to port 9, or an IGMPv2 report. */
export function ipv4({ src, dst, len, proto = 'udp', id = 1 }) {
  const b = Buffer.alloc(len);
  b[0] = 0x45;
  b.writeUInt16BE(len, 2);
  b.writeUInt16BE(id, 4);
  b[8] = 64;
  b[9] = proto === 'igmp' ? 2 : 17;
  b.writeUInt32BE(ipToInt(src), 12);
  b.writeUInt32BE(ipToInt(dst), 16);
  b.writeUInt16BE(csum(b.subarray(0, 20)), 10);
  if (proto === 'igmp') {
    b[20] = 0x16;
    b.writeUInt32BE(ipToInt(dst), 24);
    b.writeUInt16BE(csum(b.subarray(20)), 22);
  } else {
    b.writeUInt16BE(40000, 20);
    b.writeUInt16BE(9, 22);
    b.writeUInt16BE(len - 20, 24);
  }
  return b;
}

const macBytes = (m) => Buffer.from(m.split(':').map((x) => parseInt(x, 16)));

function multicastMac(dst) {
  const a = ipToInt(dst);
  return `01:00:5e:${[(a >>> 16) & 0x7f, (a >>> 8) & 255, a & 255].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

export function frame({ dstMac, srcMac = PEER_MAC, ip }) {
  const eth = Buffer.alloc(14);
  macBytes(dstMac).copy(eth, 0);
  macBytes(srcMac).copy(eth, 6);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip]);
}

function probeDstMac(kind, ifMac, dst) {
  switch (kind ?? 'host') {
    case 'host':
      return ifMac;
    case 'broadcast':
      return 'ff:ff:ff:ff:ff:ff';
    case 'multicast':
      return multicastMac(ipToInt(dst) >>> 28 === 0xe ? dst : '224.0.0.251');
    case 'other':
      return OTHER_MAC;
    default:
      throw new Error(`unknown mac kind ${kind}`);
  }
}

// ---------------------------------------------------------------------------------------
// Namespaces

const live = new Set();
let counter = 0;

function ip(ns, args, input) {
  return execFileSync('ip', ns ? ['-n', ns, ...args] : args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
function inNs(ns, cmd, args, input) {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
function addNs(name) {
  ip(null, ['netns', 'add', name]);
  live.add(name);
  ip(name, ['link', 'set', 'lo', 'up']);
}
function delNs(name) {
  try {
    ip(null, ['netns', 'del', name]);
  } catch {
    /* already gone */
  }
  live.delete(name);
}
function cleanupAll() {
  for (const n of [...live]) delNs(n);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanupAll();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig] ?? 0));
  });
}
process.on('exit', cleanupAll);

function sysctlW(ns, name, value) {
  inNs(ns, 'sh', ['-c', `echo ${Number(value)} > /proc/sys/${name.replaceAll('.', '/')}`]);
}

export function preflight() {
  if (process.getuid?.() !== 0) return 'not root';
  if (!fs.existsSync('/dev/net/tun')) return '/dev/net/tun is missing (the tun layout needs a TUN device)';
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['iptables-legacy-restore', ['--version']],
    ['iptables-legacy-save', ['--version']],
    ['taskset', ['-V']],
    [PY, ['-c', 'import socket']],
  ]) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      return `${cmd} is not available`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// One layout

/** The interfaces made as veth pairs (lo exists; TUN devices have no peer namespace). */
function ifaceList(host, tun = []) {
  return host.interfaces.filter((i) => i.name !== 'lo' && !tun.includes(i.name));
}
function addrsOf(i) {
  return [...(i.addr ? [i.addr] : []), ...(i.addrs ?? [])];
}

function configure(fw, peers, host, tun) {
  const perDev = [];
  for (const [k, v] of Object.entries(host.sysctls ?? {})) {
    const m = /^net\.ipv4\.conf\.([^.]+)\./.exec(k);
    if (m && m[1] !== 'all' && m[1] !== 'default') perDev.push([k, v]);
    else sysctlW(fw, k, v);
  }
  sysctlW(fw, 'net.ipv4.ip_forward', host.forward ? 1 : 0);
  for (const name of tun) {
    ip(fw, ['tuntap', 'add', 'dev', name, 'mode', 'tun']);
    const mtu = host.interfaces.find((i) => i.name === name)?.mtu;
    if (mtu) ip(fw, ['link', 'set', name, 'mtu', String(mtu)]);
  }
  ifaceList(host, tun).forEach((i, n) => {
    const args = ['link', 'add', i.name];
    if (i.index !== undefined) args.push('index', String(i.index));
    if (i.mac) args.push('address', i.mac);
    args.push('mtu', String(i.mtu ?? 1500), 'type', 'veth', 'peer', 'name', `p${n}`, 'address', PEER_MAC, 'mtu', String(i.mtu ?? 1500), 'netns', peers[n]);
    ip(fw, args);
    ip(peers[n], ['link', 'set', `p${n}`, 'arp', 'off']);
    ip(peers[n], ['link', 'set', `p${n}`, 'up']);
  });
  // Links up first: the kernel adds prefix and broadcast routes only for an interface that is up.
  for (const i of ifaceList(host)) ip(fw, ['link', 'set', i.name, 'up']);
  // A TUN device is up (carrier) only while a process has it open: the injector opens it.
  for (const [k, v] of perDev) sysctlW(fw, k, v);
  for (const i of host.interfaces) for (const a of addrsOf(i)) ip(fw, ['addr', 'add', a, 'dev', i.name]);
  for (const r of host.routes ?? []) {
    const args = ['route', 'add'];
    if (r.type && r.type !== 'unicast') args.push(r.type);
    args.push(r.dst);
    if (r.via) args.push('via', r.via);
    if (r.dev) args.push('dev', r.dev);
    ip(fw, args);
  }
}

/** Routes as `ip -j route show table T` prints them, reduced to what the model describes. */
function routes(fw, table) {
  const list = JSON.parse(ip(fw, ['-j', 'route', 'show', 'table', table]) || '[]');
  return list.map((r) => {
    const out = { type: r.type ?? 'unicast', dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32` };
    if (r.dev) out.dev = r.dev;
    if (r.gateway) out.via = r.gateway;
    return out;
  });
}

function macOf(fw, dev) {
  return JSON.parse(ip(fw, ['-j', 'link', 'show', dev]))[0].address;
}

/** Builds probes: every item gets its number, packet and identifying rule spec. */
function plan(layout, macs) {
  const host = layout.host;
  const tun = layout.tun ?? [];
  const devs = ifaceList(host).map((i) => i.name);
  const probes = [];
  const add = (p) => {
    p.n = probes.length;
    p.len = BASE_LEN + p.n;
    probes.push(p);
    return p;
  };
  for (const dev of layout.addrtype?.devs ?? []) {
    for (const a of layout.addrtype.addrs) {
      if (dev === 'lo') add({ kind: 'addrtype-local', dev, src: '127.0.0.1', dst: a });
      else add({ kind: 'addrtype', dev, src: '198.51.100.77', dst: a });
    }
  }
  for (const p of layout.paths ?? []) add({ kind: 'path', ...p });
  for (const p of layout.local ?? []) add({ kind: 'local', dev: '', ...p });
  for (const p of probes) {
    const ip4 = ipv4({ src: p.src, dst: p.dst, len: p.len, proto: p.proto, id: 0x100 + p.n });
    if (p.kind === 'local' || p.kind === 'addrtype-local' || tun.includes(p.dev)) p.hex = ip4.toString('hex');
    else p.hex = frame({ dstMac: probeDstMac(p.mac, macs[p.dev], p.dst), ip: ip4 }).toString('hex');
  }
  return { probes, devs };
}

function rulesFor(probes, devs) {
  const all = [...devs, 'lo'];
  const raw = { PREROUTING: [], OUTPUT: [] };
  const mangle = { PREROUTING: [], INPUT: [], FORWARD: [], OUTPUT: [], POSTROUTING: [] };
  for (const p of probes) {
    const id = `-s ${p.src}/32 -d ${p.dst}/32 -p ${p.proto ?? 'udp'} -m length --length ${p.len}`;
    const c = (tag) => `-m comment --comment "p${p.n}:${tag}"`;
    if (p.kind === 'addrtype' || p.kind === 'addrtype-local') {
      // The host's own probes come back through lo, or, for a broadcast, as a looped copy
      // on the interface it left by: the counters say which.
      if (p.kind === 'addrtype-local') for (const d of all) raw.PREROUTING.push(`${id} -i ${d} ${c(`pre:${d}`)}`);
      for (const t of ADDR_TYPES) {
        raw.PREROUTING.push(`${id} -m addrtype --dst-type ${t} ${c(`type:${t}`)}`);
        raw.PREROUTING.push(`${id} -m addrtype --dst-type ${t} --limit-iface-in ${c(`ltype:${t}`)}`);
      }
      continue;
    }
    for (const d of all) raw.PREROUTING.push(`${id} -i ${d} ${c(`pre:${d}`)}`);
    for (const t of PKTTYPES) raw.PREROUTING.push(`${id} -m pkttype --pkt-type ${t} ${c(`pkttype:${t}`)}`);
    mangle.INPUT.push(`${id} ${c('input')}`);
    for (const d of all) mangle.FORWARD.push(`${id} -o ${d} ${c(`forward:${d}`)}`);
    for (const d of all) mangle.POSTROUTING.push(`${id} -o ${d} ${c(`post:${d}`)}`);
    raw.OUTPUT.push(`${id} ${c('output')}`);
    for (const d of all) mangle.OUTPUT.push(`${id} -o ${d} ${c(`out:${d}`)}`);
    for (const t of PKTTYPES) mangle.OUTPUT.push(`${id} -m pkttype --pkt-type ${t} ${c(`opkttype:${t}`)}`);
  }
  for (const d of all) raw.PREROUTING.push(`-i ${d} -m length --length ${SENTINEL_LEN} -m comment --comment "sentinel:${d}"`);
  const table = (name, chains) =>
    [`*${name}`, ...Object.keys(chains).map((k) => `:${k} ACCEPT [0:0]`), ...Object.entries(chains).flatMap(([k, rs]) => rs.map((r) => `-A ${k} ${r}`)), 'COMMIT'].join('\n');
  return `${table('raw', raw)}\n${table('mangle', mangle)}\n`;
}

function counters(fw) {
  const out = new Map();
  for (const line of inNs(fw, 'iptables-legacy-save', ['-c']).split('\n')) {
    const m = /^\[(\d+):\d+\] .*--comment "?([^" ]+)"?/.exec(line);
    if (m) out.set(m[2], (out.get(m[2]) ?? 0) + Number(m[1]));
  }
  return out;
}

function inject(ns, req) {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'taskset', '-c', '0', PY, INJECT], { input: JSON.stringify(req), encoding: 'utf8' });
  return JSON.parse(out).errors;
}

async function waitSentinels(fw, devs) {
  const t0 = Date.now();
  for (;;) {
    const c = counters(fw);
    if (devs.every((d) => (c.get(`sentinel:${d}`) ?? 0) >= 1)) return c;
    if (Date.now() - t0 > 20000) throw new Error(`sentinels not seen: ${devs.filter((d) => !c.get(`sentinel:${d}`)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function recordLayout(layout) {
  const id = `${process.pid}-${++counter}`;
  const fw = `nfr-hmk-${id}`;
  const host = layout.host;
  const tun = layout.tun ?? [];
  const peers = ifaceList(host, tun).map((_, n) => `nfr-hmk-${id}-p${n}`);
  let joiner;
  try {
    for (const ns of [fw, ...peers]) addNs(ns);
    configure(fw, peers, host, tun);
    const localTable = routes(fw, 'local');
    const mainTable = routes(fw, 'main');
    const macs = Object.fromEntries(ifaceList(host, tun).map((i) => [i.name, macOf(fw, i.name)]));
    const { probes, devs } = plan(layout, macs);
    inNs(fw, 'iptables-legacy-restore', [], rulesFor(probes, devs));

    // Group memberships need a socket holding them while the probes arrive.
    const groups = host.interfaces.flatMap((i) => (i.mcast_groups ?? []).map((g) => ({ group: g, addr: addrsOf(i)[0].split('/')[0] })));
    if (groups.length) {
      joiner = spawn('ip', ['netns', 'exec', fw, PY, INJECT], { stdio: ['pipe', 'pipe', 'inherit'] });
      joiner.stdin.end(JSON.stringify({ mode: 'join', groups }));
      await new Promise((res, rej) => {
        joiner.stdout.on('data', (d) => (String(d).includes('joined') ? res() : undefined));
        joiner.on('exit', (code) => rej(new Error(`group joiner exited with ${code}`)));
      });
    }

    // Arrivals, one batch per peer, each ending with its sentinel.
    ifaceList(host, tun).forEach((itf, n) => {
      const items = probes.filter((p) => (p.kind === 'path' || p.kind === 'addrtype') && p.dev === itf.name).map((p) => ({ dev: `p${n}`, hex: p.hex }));
      const sentinelDst = addrsOf(itf)[0]?.split('/')[0] ?? '255.255.255.255';
      items.push({ dev: `p${n}`, hex: frame({ dstMac: macs[itf.name], ip: ipv4({ src: '198.51.100.77', dst: sentinelDst, len: SENTINEL_LEN }) }).toString('hex') });
      inject(peers[n], { mode: 'l2', items });
    });
    // Arrivals on TUN devices, written by a process in the host's namespace.
    for (const name of tun) {
      const itf = host.interfaces.find((i) => i.name === name);
      const items = probes.filter((p) => p.kind === 'path' && p.dev === name).map((p) => ({ dev: name, hex: p.hex }));
      items.push({ dev: name, hex: ipv4({ src: '198.51.100.77', dst: addrsOf(itf)[0].split('/')[0], len: SENTINEL_LEN }).toString('hex') });
      inject(fw, { mode: 'tun', items });
    }
    // The host's own packets, then a sentinel through lo.
    const own = probes.filter((p) => p.kind === 'local' || p.kind === 'addrtype-local');
    const sendErrors = inject(fw, {
      mode: 'l3',
      items: [...own.map((p) => ({ dst: p.dst, hex: p.hex })), { dst: '127.0.0.1', hex: ipv4({ src: '127.0.0.1', dst: '127.0.0.1', len: SENTINEL_LEN }).toString('hex') }],
    });
    const c = await waitSentinels(fw, [...devs, 'lo']);
    // Anything still in flight after the sentinels would be a bug in this recorder: check
    // the counters are stable.
    await new Promise((r) => setTimeout(r, 100));
    const c2 = counters(fw);
    for (const [k, v] of c2) if (c.get(k) !== v) throw new Error(`counter ${k} changed after the sentinels`);

    const get = (p, tag) => c.get(`p${p.n}:${tag}`) ?? 0;
    const all = [...devs, 'lo'];
    /** Counters of the tags that counted, as {suffix: packets}. */
    const counts = (p, prefix, names) => {
      const o = {};
      for (const n of names) {
        const v = get(p, `${prefix}${n}`);
        if (v > 0) o[n] = v;
      }
      return o;
    };
    const typesOf = (p, prefix) => ADDR_TYPES.filter((t) => get(p, `${prefix}${t}`) > 0);
    const addrtype = probes
      .filter((p) => p.kind === 'addrtype' || p.kind === 'addrtype-local')
      .map((p) => ({
        addr: p.dst,
        dev: p.kind === 'addrtype' ? p.dev : (all.find((d) => get(p, `pre:${d}`) > 0) ?? ''),
        type: typesOf(p, 'type:'),
        limited: typesOf(p, 'ltype:'),
      }));
    const seen = (p) => ({
      pre: counts(p, 'pre:', all),
      pkttype: counts(p, 'pkttype:', PKTTYPES),
      input: get(p, 'input'),
      forward: counts(p, 'forward:', all),
      post: counts(p, 'post:', all),
      output: get(p, 'output'),
      out: counts(p, 'out:', all),
      opkttype: counts(p, 'opkttype:', PKTTYPES),
    });
    const ownIndex = new Map(own.map((p, k) => [p, k]));
    const pathsOut = probes.filter((p) => p.kind === 'path').map((p) => ({ probe: strip(p), hex: p.hex, kernel: seen(p) }));
    const localOut = probes
      .filter((p) => p.kind === 'local')
      .map((p) => ({ probe: strip(p), hex: p.hex, sendError: sendErrors[String(ownIndex.get(p))] ?? null, kernel: seen(p) }));
    return { name: layout.name, localTable, mainTable, macs, addrtype, paths: pathsOut, local: localOut };
  } finally {
    if (joiner) joiner.kill('SIGKILL');
    for (const ns of [fw, ...peers]) delNs(ns);
  }
}

function strip(p) {
  const { kind: _k, n: _n, hex: _h, ...rest } = p;
  return rest;
}

export async function recordAll() {
  const { layouts } = JSON.parse(fs.readFileSync(LAYOUTS, 'utf8'));
  const out = [];
  for (const l of layouts) out.push(await recordLayout(l));
  return {
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    iptables: execFileSync('iptables-legacy', ['--version'], { encoding: 'utf8' }).trim(),
    layouts: out,
  };
}

/** Differences between a recording and the committed file (the kernel release is not compared). */
export function compare(recorded, committed) {
  const a = JSON.stringify({ ...recorded, kernel: undefined }, null, 1).split('\n');
  const b = JSON.stringify({ ...committed, kernel: undefined }, null, 1).split('\n');
  const diffs = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diffs.push(`line ${i + 1}: recorded ${a[i]} / committed ${b[i]}`);
  return diffs.slice(0, 20);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = preflight();
  if (why) {
    console.error(`record.mjs: cannot record the kernel: ${why}`);
    process.exit(2);
  }
  const rec = await recordAll();
  if (process.argv.includes('--check')) {
    const diffs = compare(rec, JSON.parse(fs.readFileSync(EXPECTED, 'utf8')));
    for (const d of diffs) console.log(d);
    console.log(diffs.length ? 'the kernel disagrees with expected.json' : 'expected.json matches the kernel');
    process.exit(diffs.length ? 1 : 0);
  }
  fs.writeFileSync(EXPECTED, JSON.stringify(rec, null, 1) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), EXPECTED)}`);
}
