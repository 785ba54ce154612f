/**
 * The host file: a JSON description of the machine the ruleset runs on.
 *
 *   {"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"},
 *                   {"name": "eth1", "addrs": ["203.0.113.1/24"], "mac": "02:00:00:00:00:01", "mtu": 1400, "index": 3}],
 *    "forward": true,
 *    "routes": [{"dst": "0.0.0.0/0", "dev": "eth0", "via": "198.51.100.254"}],
 *    "ingress_rules": [{"src": "192.0.2.0/24", "dev": "eth1"}, {"dst": "198.51.100.7/32", "dev": "local"}],
 *    "sysctls": {"net.netfilter.nf_conntrack_tcp_loose": 1}}
 *
 * Validation is strict: an unknown key, a host name, a prefix with host bits set or a
 * route the kernel would refuse is an error naming the JSON path and its line and column,
 * never something silently ignored. The rules for routes are iproute2's and the kernel's:
 * `ip route add` refuses a destination with host bits set, a gateway no link-scope route
 * reaches, and a second route to the same prefix.
 */
import { readFileSync } from 'node:fs';
import { cidrToString, ipToString, isGroupMac, isLbcast, isMulticast, isZeronet, parseCidr, parseIpv4, parseMac, prefixMask, inPrefix } from './addr.js';
import { HostError, HostErrorCodes } from './errors.js';
import { AddrType, type HostAddress, type IngressRule } from './host.js';
import { indexPath, memberPath, parseJson, type JsonDocument, type JsonValue, type Position } from './json.js';
import { Host, kernelRoutes, LOOPBACK, splitConfName, type HostSpec, type InterfaceSpec, type RouteSpec } from './model.js';
import { SYSCTL_DEFAULTS } from './sysctl-defaults.js';

const TOP_KEYS = ['interfaces', 'forward', 'routes', 'ingress_rules', 'sysctls'];
const IFACE_KEYS = ['name', 'addr', 'addrs', 'mac', 'mtu', 'index', 'peer_mac', 'mcast_groups'];
const ROUTE_KEYS = ['dst', 'via', 'dev', 'type'];
const INGRESS_KEYS = ['src', 'dst', 'dev'];
const ROUTE_TYPES: Record<string, number> = {
  unicast: AddrType.UNICAST,
  blackhole: AddrType.BLACKHOLE,
  unreachable: AddrType.UNREACHABLE,
  prohibit: AddrType.PROHIBIT,
};
/** Per-interface settings: net.ipv4.conf.<name>.<key> exists for every key of conf/default. */
const CONF_KEYS = new Set(
  Object.keys(SYSCTL_DEFAULTS)
    .filter((k) => k.startsWith('net.ipv4.conf.default.'))
    .map((k) => k.slice('net.ipv4.conf.default.'.length)),
);
const MAX_INDEX = 0x7fffffff;

/** Reads a host file (a path, or the JSON text itself when it starts with `{`). */
export function loadHostFile(pathOrText: string): Host {
  if (/^\s*\{/.test(pathOrText)) return loadHostText(pathOrText, 'host');
  let text: string;
  try {
    text = readFileSync(pathOrText, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new HostError(`cannot read the host file: ${why}`, pathOrText, 0, 0, '', HostErrorCodes.IO);
  }
  return loadHostText(text, pathOrText);
}

/** Parses and validates host file text; `source` names it in error messages. */
export function loadHostText(text: string, source = 'host'): Host {
  return new Host(parseHostText(text, source));
}

/** The validated description, before the kernel's routes are derived. */
export function parseHostText(text: string, source = 'host'): HostSpec {
  return new Validator(parseJson(text, source), source).host();
}

/** A host file given as a JavaScript value (positions then refer to its JSON.stringify form). */
export function hostFromJson(value: unknown, source = 'host'): Host {
  return loadHostText(JSON.stringify(value, null, 2), source);
}

class Validator {
  /** JSON path of each interface's entry, for errors found after the list is read. */
  private readonly ifacePaths = new Map<string, string>();

  constructor(
    private readonly doc: JsonDocument,
    private readonly source: string,
  ) {}

  private fail(path: string, message: string, at?: Position): never {
    const pos = at ?? this.doc.valueAt.get(path) ?? { line: 1, column: 1 };
    throw new HostError(message, this.source, pos.line, pos.column, path);
  }

  private object(path: string, v: JsonValue | undefined, keys: readonly string[], what: string): Record<string, JsonValue> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `${what} must be a JSON object, not ${kind(v)}`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) {
        const p = memberPath(path, k);
        this.fail(p, `unknown key "${k}" in ${what} (expected ${keys.map((x) => `"${x}"`).join(', ')})`, this.doc.keyAt.get(p));
      }
    }
    return v;
  }

  private array(path: string, v: JsonValue, what: string): JsonValue[] {
    if (!Array.isArray(v)) this.fail(path, `${what} must be a JSON array, not ${kind(v)}`);
    return v;
  }

  private string(path: string, v: JsonValue, what: string): string {
    if (typeof v !== 'string') this.fail(path, `${what} must be a string, not ${kind(v)}`);
    return v;
  }

  private integer(path: string, v: JsonValue, what: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `${what} must be an integer, not ${kind(v)}`);
    if (v < min || v > max) this.fail(path, `${what} ${v} is out of range (${min}-${max})`);
    return v;
  }

  private address(path: string, v: JsonValue, what: string): number {
    const text = this.string(path, v, what);
    const a = parseIpv4(text);
    if (a === undefined) {
      const c = parseCidr(text);
      this.fail(path, typeof c === 'string' ? c : `${what} must be a single address without a prefix length`);
    }
    return a;
  }

  /** A network: host bits must be clear, as `ip route add` and iptables' users expect. */
  private network(path: string, v: JsonValue, what: string): HostAddress {
    const text = this.string(path, v, what);
    const c = parseCidr(text);
    if (typeof c === 'string') this.fail(path, c);
    const net = (c.addr & prefixMask(c.prefixLength)) >>> 0;
    if (net !== c.addr) this.fail(path, `${text} has host bits set (the network is ${cidrToString(net, c.prefixLength)})`);
    return c;
  }

  private mac(path: string, v: JsonValue, what: string): number {
    const text = this.string(path, v, what);
    const m = parseMac(text);
    if (m === undefined) this.fail(path, `"${text}" is not a MAC address (xx:xx:xx:xx:xx:xx)`);
    // is_valid_ether_addr: an interface cannot have a group or all-zero address.
    if (m === 0 || isGroupMac(m)) this.fail(path, `${text} is not a unicast MAC address`);
    return m;
  }

  host(): HostSpec {
    const top = this.object('', this.doc.value, TOP_KEYS, 'the host file');
    if (top.interfaces === undefined) this.fail('', 'the host file needs "interfaces" (a list of the host\'s network interfaces)');
    const interfaces = this.interfaces(top.interfaces);
    const names = new Set(interfaces.map((i) => i.name));

    let forward: boolean | undefined;
    if (top.forward !== undefined) {
      if (typeof top.forward !== 'boolean') this.fail('forward', `"forward" must be true or false, not ${kind(top.forward)}`);
      forward = top.forward;
    }
    const sysctls = top.sysctls === undefined ? {} : this.sysctls(top.sysctls, names);
    // ip_forward and conf/all/forwarding are one setting; "forward" is its short name.
    for (const k of ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding']) {
      const v = sysctls[k];
      if (v === undefined) continue;
      const p = memberPath('sysctls', k);
      if (forward !== undefined && (v !== 0) !== forward) this.fail(p, `${k} = ${v} contradicts "forward": ${forward}`);
      forward = v !== 0;
      delete sysctls[k];
    }

    const routes = top.routes === undefined ? [] : this.routes(top.routes, interfaces);
    const ingressRules = top.ingress_rules === undefined ? [] : this.ingress(top.ingress_rules, names);
    return { interfaces, forward: forward ?? false, routes, ingressRules, sysctls };
  }

  private interfaces(v: JsonValue): InterfaceSpec[] {
    const list = this.array('interfaces', v, '"interfaces"');
    if (list.length === 0) this.fail('interfaces', '"interfaces" is empty: describe at least one interface besides lo');
    const out: InterfaceSpec[] = [];
    let lo: InterfaceSpec = { ...LOOPBACK, addrs: [...LOOPBACK.addrs], mcastGroups: [] };
    const seenAddr = new Map<number, string>();
    for (const a of lo.addrs) seenAddr.set(a.addr, 'interfaces (lo)');
    const explicitIndex = new Map<number, string>();
    const seenNames = new Set<string>();
    let position = 0;
    list.forEach((item, n) => {
      const p = indexPath('interfaces', n);
      const o = this.object(p, item, IFACE_KEYS, 'an interface');
      if (o.name === undefined) this.fail(p, 'an interface needs a "name"');
      const name = this.string(memberPath(p, 'name'), o.name, '"name"');
      const why = badIfname(name);
      if (why) this.fail(memberPath(p, 'name'), `"${name}" is not a valid interface name: ${why}`);
      if (seenNames.has(name)) this.fail(memberPath(p, 'name'), `interface "${name}" is described twice`);
      seenNames.add(name);

      const addrs: HostAddress[] = name === 'lo' ? [...LOOPBACK.addrs] : [];
      const addAddr = (ap: string, av: JsonValue): void => {
        const text = this.string(ap, av, 'an interface address');
        const c = parseCidr(text);
        if (typeof c === 'string') this.fail(ap, c);
        if (isZeronet(c.addr) || isMulticast(c.addr) || isLbcast(c.addr) || c.addr >= 0xf0000000)
          this.fail(ap, `${ipToString(c.addr)} cannot be an interface address (not a unicast address)`);
        const prev = seenAddr.get(c.addr);
        if (prev !== undefined) this.fail(ap, `${ipToString(c.addr)} is already an address of ${prev}`);
        seenAddr.set(c.addr, `${p} (${name})`);
        addrs.push(c);
      };
      if (o.addr !== undefined) addAddr(memberPath(p, 'addr'), o.addr);
      if (o.addrs !== undefined) {
        const ap = memberPath(p, 'addrs');
        this.array(ap, o.addrs, '"addrs"').forEach((a, k) => addAddr(indexPath(ap, k), a));
      }

      const groups: number[] = [];
      if (o.mcast_groups !== undefined) {
        const gp = memberPath(p, 'mcast_groups');
        this.array(gp, o.mcast_groups, '"mcast_groups"').forEach((g, k) => {
          const a = this.address(indexPath(gp, k), g, 'a multicast group');
          if (!isMulticast(a)) this.fail(indexPath(gp, k), `${ipToString(a)} is not a multicast group (224.0.0.0/4)`);
          groups.push(a);
        });
      }

      if (name === 'lo') {
        for (const k of ['mac', 'peer_mac'] as const) if (o[k] !== undefined) this.fail(memberPath(p, k), `lo has no "${k}"`);
        if (o.index !== undefined) this.integer(memberPath(p, 'index'), o.index, 'the index of lo', 1, 1);
        const mtu = o.mtu === undefined ? LOOPBACK.mtu : this.integer(memberPath(p, 'mtu'), o.mtu, '"mtu"', 68, 2147483647);
        lo = { ...LOOPBACK, addrs, mtu, mcastGroups: groups };
        return;
      }

      const defaultIndex = position + 2;
      position++;
      let index = defaultIndex;
      if (o.index !== undefined) {
        index = this.integer(memberPath(p, 'index'), o.index, '"index"', 2, MAX_INDEX);
        const other = explicitIndex.get(index);
        if (other !== undefined) this.fail(memberPath(p, 'index'), `index ${index} is already the index of ${other}`);
        explicitIndex.set(index, name);
      }
      const mac = o.mac === undefined ? -1 : this.mac(memberPath(p, 'mac'), o.mac, '"mac"');
      const peerMac = o.peer_mac === undefined ? -1 : this.mac(memberPath(p, 'peer_mac'), o.peer_mac, '"peer_mac"');
      // A veth or Ethernet device takes 68 (the IPv4 minimum) to 65535.
      const mtu = o.mtu === undefined ? 1500 : this.integer(memberPath(p, 'mtu'), o.mtu, '"mtu"', 68, 65535);
      out.push({ name, addrs, mac, mtu, index, peerMac, mcastGroups: groups });
      // Remember which JSON entry holds the interface, for index conflicts below.
      this.ifacePaths.set(name, p);
    });
    // Defaults fill the positions without an explicit index; a clash with an explicit one
    // elsewhere is an error, as `ip link add ... index N` would fail.
    const used = new Map<number, string>();
    for (const i of out) {
      const other = used.get(i.index);
      if (other !== undefined) {
        const p = this.ifacePaths.get(i.name)!;
        this.fail(this.doc.valueAt.has(memberPath(p, 'index')) ? memberPath(p, 'index') : p, `interface ${i.name} gets index ${i.index}, which ${other} already has (set "index" on one of them)`);
      }
      used.set(i.index, i.name);
    }
    return [lo, ...out];
  }

  private routes(v: JsonValue, interfaces: InterfaceSpec[]): RouteSpec[] {
    const list = this.array('routes', v, '"routes"');
    const names = new Set(interfaces.map((i) => i.name));
    const { connected } = kernelRoutes(interfaces);
    // Routes that reach a gateway: link-scope routes (connected subnets, and routes with a
    // device and no gateway), in the order they exist.
    const linkRoutes: { dst: number; prefixLength: number; dev: string }[] = [...connected];
    const existing = new Map<string, string>();
    for (const r of connected) existing.set(cidrToString(r.dst, r.prefixLength), `the connected route of ${r.dev}`);
    const out: RouteSpec[] = [];
    list.forEach((item, n) => {
      const p = indexPath('routes', n);
      const o = this.object(p, item, ROUTE_KEYS, 'a route');
      if (o.dst === undefined) this.fail(p, 'a route needs a "dst" (a network, or "default")');
      const dp = memberPath(p, 'dst');
      const dst = o.dst === 'default' ? { addr: 0, prefixLength: 0 } : this.network(dp, o.dst, '"dst"');
      let type: number = AddrType.UNICAST;
      if (o.type !== undefined) {
        const t = this.string(memberPath(p, 'type'), o.type, '"type"');
        if (ROUTE_TYPES[t] === undefined) this.fail(memberPath(p, 'type'), `unknown route type "${t}" (expected ${Object.keys(ROUTE_TYPES).join(', ')})`);
        type = ROUTE_TYPES[t]!;
      }
      const key = cidrToString(dst.addr, dst.prefixLength);
      const prev = existing.get(key);
      if (prev !== undefined) this.fail(dp, `a route to ${key} already exists (${prev}); the kernel refuses a second one`);
      existing.set(key, p);

      if (type !== AddrType.UNICAST) {
        for (const k of ['via', 'dev'] as const) if (o[k] !== undefined) this.fail(memberPath(p, k), `a ${o.type as string} route has no "${k}"`);
        out.push({ dst: dst.addr, prefixLength: dst.prefixLength, dev: '', via: 0, type });
        return;
      }
      let dev: string | undefined;
      if (o.dev !== undefined) {
        dev = this.string(memberPath(p, 'dev'), o.dev, '"dev"');
        if (!names.has(dev)) this.fail(memberPath(p, 'dev'), `no interface "${dev}" (interfaces: ${[...names].join(', ')})`);
      }
      let via = 0;
      if (o.via !== undefined) {
        const vp = memberPath(p, 'via');
        via = this.address(vp, o.via, '"via"');
        if (isZeronet(via) || isMulticast(via) || isLbcast(via)) this.fail(vp, `${ipToString(via)} cannot be a gateway`);
        // fib_check_nh: the gateway must be reachable through a link-scope route (of `dev`
        // when one is given); without a device, that route's device is used.
        let reach: { dev: string; len: number } | undefined;
        for (const r of linkRoutes) {
          if ((dev === undefined || r.dev === dev) && inPrefix(via, r.dst, r.prefixLength) && (reach === undefined || r.prefixLength > reach.len))
            reach = { dev: r.dev, len: r.prefixLength };
        }
        if (reach === undefined)
          this.fail(vp, `gateway ${ipToString(via)} is not on a subnet of ${dev ?? 'any interface'} (the kernel says "Nexthop has invalid gateway")`);
        dev ??= reach.dev;
      }
      if (dev === undefined) this.fail(p, 'a route needs "dev", "via" or both');
      if (via === 0) linkRoutes.push({ dst: dst.addr, prefixLength: dst.prefixLength, dev });
      out.push({ dst: dst.addr, prefixLength: dst.prefixLength, dev, via, type });
    });
    return out;
  }

  private ingress(v: JsonValue, names: Set<string>): IngressRule[] {
    const list = this.array('ingress_rules', v, '"ingress_rules"');
    return list.map((item, n) => {
      const p = indexPath('ingress_rules', n);
      const o = this.object(p, item, INGRESS_KEYS, 'an ingress rule');
      if (o.dev === undefined) this.fail(p, 'an ingress rule needs "dev" (an interface name, or "local")');
      const dev = this.string(memberPath(p, 'dev'), o.dev, '"dev"');
      if (dev !== 'local' && !names.has(dev))
        this.fail(memberPath(p, 'dev'), `no interface "${dev}" (expected "local" or one of ${[...names].join(', ')})`);
      const src = o.src === undefined ? undefined : this.network(memberPath(p, 'src'), o.src, '"src"');
      const dst = o.dst === undefined ? undefined : this.network(memberPath(p, 'dst'), o.dst, '"dst"');
      return {
        src: src?.addr ?? 0,
        srcPrefixLength: src?.prefixLength ?? -1,
        dst: dst?.addr ?? 0,
        dstPrefixLength: dst?.prefixLength ?? -1,
        dev,
      };
    });
  }

  private sysctls(v: JsonValue, names: Set<string>): Record<string, number> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail('sysctls', `"sysctls" must be a JSON object, not ${kind(v)}`);
    const out: Record<string, number> = {};
    for (const [k, val] of Object.entries(v)) {
      const p = memberPath('sysctls', k);
      let name = k;
      const conf = splitConfName(k, names);
      if (conf !== undefined) {
        if (!CONF_KEYS.has(conf.key)) this.fail(p, `unknown per-interface setting "${conf.key}" in ${k}`, this.doc.keyAt.get(p));
        name = `net.ipv4.conf.${conf.dev}.${conf.key}`;
      } else if (SYSCTL_DEFAULTS[k] === undefined) {
        const dev = /^net\.ipv4\.conf\.(.+)\.[^.]+$/.exec(k)?.[1];
        const why = dev !== undefined ? ` (no interface "${dev}")` : '';
        this.fail(p, `unknown sysctl ${k}${why}; the known ones are the integer settings under net.ipv4 and net.netfilter`, this.doc.keyAt.get(p));
      }
      if (out[name] !== undefined) this.fail(p, `${k} is set twice (as ${name})`, this.doc.keyAt.get(p));
      out[name] = this.integer(p, val, k, -2147483648, 4294967295);
    }
    return out;
  }
}

/** dev_valid_name: 1-15 bytes, not "." or "..", no '/', ':' or white space. */
function badIfname(name: string): string | undefined {
  if (name.length === 0) return 'empty';
  if (Buffer.byteLength(name) > 15) return 'longer than 15 bytes';
  if (name === '.' || name === '..') return 'reserved';
  if (/[/:\s]/.test(name)) return "it contains '/', ':' or white space";
  return undefined;
}

function kind(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v === 'number' ? 'the number' : ''} ${String(v)}`.trim();
}
