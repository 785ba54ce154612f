/**
 * The host model as the kernel builds it from interface addresses and routes: the local
 * routing table (what inet_dev_addr_type() and local delivery consult), the main table
 * (connected routes plus configured ones), per-interface sysctls, and the lookups the
 * replay needs per packet. Lookups allocate nothing: prefix tables are maps keyed by the
 * masked address, one per prefix length present, tried from the longest.
 */
import { IntMap } from './intmap.js';
import { AddrType, type HostAddress, type HostInterface, type HostModel, type HostRoute, type IngressRule } from './host.js';
import { inPrefix, isLbcast, isLoopback, isMulticast, isZeronet, prefixMask } from './addr.js';
import { SYSCTL_DEFAULTS } from './sysctl-defaults.js';

/** The all-hosts group, joined by the kernel on every interface (ip_mc_up). */
export const ALL_HOSTS_GROUP = 0xe0000001;

export interface InterfaceSpec {
  name: string;
  addrs: HostAddress[];
  mac: number;
  mtu: number;
  index: number;
  peerMac: number;
  /** Groups joined besides 224.0.0.1. */
  mcastGroups: number[];
}

export interface RouteSpec {
  dst: number;
  prefixLength: number;
  dev: string;
  via: number;
  type: number;
}

/** A validated host description: what the host file says, before the kernel adds anything. */
export interface HostSpec {
  /** lo first. */
  interfaces: InterfaceSpec[];
  forward: boolean;
  routes: RouteSpec[];
  ingressRules: IngressRule[];
  /** Only the values the host file sets; per-interface names use the interface's own name (`net.ipv4.conf.eth0.100.rp_filter`). */
  sysctls: Record<string, number>;
}

export const LOOPBACK: Readonly<InterfaceSpec> = {
  name: 'lo',
  addrs: [{ addr: 0x7f000001, prefixLength: 8 }],
  mac: 0,
  mtu: 65536,
  index: 1,
  peerMac: -1,
  mcastGroups: [],
};

/**
 * Longest-prefix lookup; of two entries with the same prefix the first added wins, as the
 * first fib alias does. Keys are the masked address as int32, which V8 keeps as a small
 * integer: a lookup allocates nothing.
 */
export class PrefixTable<T> {
  private lengths: number[] = [];
  private masks: number[] = [];
  private maps: IntMap<T>[] = [];

  add(addr: number, prefixLength: number, value: T): void {
    let i = this.lengths.indexOf(prefixLength);
    if (i < 0) {
      // Keep lengths sorted longest first.
      i = 0;
      while (i < this.lengths.length && this.lengths[i]! > prefixLength) i++;
      this.lengths.splice(i, 0, prefixLength);
      this.masks.splice(i, 0, prefixMask(prefixLength) | 0);
      this.maps.splice(i, 0, new IntMap<T>());
    }
    const key = addr & this.masks[i]!;
    if (!this.maps[i]!.has(key)) this.maps[i]!.set(key, value);
  }

  lookup(addr: number): T | undefined {
    const maps = this.maps;
    for (let i = 0; i < maps.length; i++) {
      const v = maps[i]!.get(addr & this.masks[i]!);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/**
 * Whether `a` is a secondary address of its interface: an earlier address of the same
 * interface has the same mask and subnet (__inet_insert_ifa sets IFA_F_SECONDARY).
 */
function isSecondary(addrs: readonly HostAddress[], n: number): boolean {
  const a = addrs[n]!;
  for (let k = 0; k < n; k++) {
    const b = addrs[k]!;
    if (b.prefixLength === a.prefixLength && inPrefix(a.addr, b.addr, a.prefixLength)) return true;
  }
  return false;
}

/**
 * The routes the kernel adds for the interface addresses, in the order it adds them
 * (fib_add_ifaddr): `local A` for every address; for a primary address with a prefix
 * shorter than 32 whose network is not 0/8, the prefix route (in the main table, or a
 * LOCAL route in the local table when the interface is the loopback: a /24 on lo makes
 * the whole /24 local) and, below /31, the subnet broadcast route. Since Linux 5.14 the
 * network address itself is no longer a broadcast route.
 */
export function kernelRoutes(interfaces: readonly InterfaceSpec[]): { local: HostRoute[]; connected: HostRoute[] } {
  const local: HostRoute[] = [];
  const connected: HostRoute[] = [];
  for (const itf of interfaces) {
    itf.addrs.forEach((a, n) => {
      local.push({ dst: a.addr, prefixLength: 32, dev: itf.name, via: 0, type: AddrType.LOCAL, connected: true });
      const mask = prefixMask(a.prefixLength);
      const prefix = (a.addr & mask) >>> 0;
      if (isZeronet(prefix) || isSecondary(itf.addrs, n) || a.prefixLength >= 32) return;
      if (itf.name === 'lo') local.push({ dst: prefix, prefixLength: a.prefixLength, dev: itf.name, via: 0, type: AddrType.LOCAL, connected: true });
      else connected.push({ dst: prefix, prefixLength: a.prefixLength, dev: itf.name, via: 0, type: AddrType.UNICAST, connected: true });
      if (a.prefixLength < 31) local.push({ dst: (prefix | ~mask) >>> 0, prefixLength: 32, dev: itf.name, via: 0, type: AddrType.BROADCAST, connected: true });
    });
  }
  return { local, connected };
}

const CONF_PREFIX = 'net.ipv4.conf.';

/**
 * `net.ipv4.conf.<dev>.<key>` split into the device ("all", "default" or one of `devs`)
 * and the key. A device name may hold dots (eth0.100), which sysctl(8) writes as slashes
 * (net.ipv4.conf.eth0/100.rp_filter): both spellings are understood.
 */
export function splitConfName(name: string, devs: Iterable<string>): { dev: string; key: string } | undefined {
  if (!name.startsWith(CONF_PREFIX)) return undefined;
  const rest = name.slice(CONF_PREFIX.length);
  let best: { dev: string; key: string; len: number } | undefined;
  for (const dev of ['all', 'default', ...devs]) {
    for (const form of [dev, dev.replaceAll('.', '/')]) {
      if (rest.length > form.length + 1 && rest.startsWith(`${form}.`) && (best === undefined || form.length > best.len))
        best = { dev, key: rest.slice(form.length + 1), len: form.length };
    }
  }
  return best && { dev: best.dev, key: best.key };
}

/** Per-interface devconf values the path decision reads, resolved once. */
interface DevConf {
  forwarding: boolean;
  /** IN_DEV_RPFILTER: max of conf/all and conf/<dev>. */
  rpFilter: number;
  /** IN_DEV_ORCONF: conf/all or conf/<dev>. */
  routeLocalnet: boolean;
  acceptLocal: boolean;
  sendRedirects: boolean;
}

export class Host implements HostModel {
  readonly interfaces: readonly HostInterface[];
  readonly routes: readonly HostRoute[];
  readonly localRoutes: readonly HostRoute[];
  readonly ingressRules: readonly IngressRule[];
  readonly forward: boolean;
  /** The validated description the host was built from. */
  readonly spec: HostSpec;

  private readonly byName = new Map<string, HostInterface>();
  private readonly byIndex = new Map<number, HostInterface>();
  private readonly conf = new Map<string, DevConf>();
  /** Interface address (int32) → the interface holding it (the first, as __ip_dev_find). */
  private readonly addrDev = new IntMap<HostInterface>();
  /** Joined groups per interface, as int32. */
  private readonly groups = new Map<string, Int32Array>();
  private readonly localTable = new PrefixTable<HostRoute>();
  private readonly mainTable = new PrefixTable<HostRoute>();
  private readonly sysctls: Record<string, number>;

  constructor(spec: HostSpec) {
    this.spec = spec;
    this.forward = spec.forward;
    this.ingressRules = spec.ingressRules;
    this.sysctls = spec.sysctls;
    this.interfaces = spec.interfaces.map((i) => ({
      name: i.name,
      addrs: i.addrs.map((a) => ({ ...a })),
      mac: i.mac,
      mtu: i.mtu,
      index: i.index,
      peerMac: i.peerMac,
      mcastGroups: [ALL_HOSTS_GROUP, ...i.mcastGroups.filter((g) => g !== ALL_HOSTS_GROUP)],
    }));
    for (const i of this.interfaces) {
      this.byName.set(i.name, i);
      this.byIndex.set(i.index, i);
      for (const a of i.addrs) if (!this.addrDev.has(a.addr | 0)) this.addrDev.set(a.addr | 0, i);
      this.groups.set(i.name, Int32Array.from(i.mcastGroups ?? [], (g) => g | 0));
    }
    const { local, connected } = kernelRoutes(spec.interfaces);
    this.localRoutes = local;
    this.routes = [
      ...connected,
      ...spec.routes.map((r): HostRoute => ({ dst: r.dst, prefixLength: r.prefixLength, dev: r.dev, via: r.via, type: r.type })),
    ];
    for (const r of this.localRoutes) this.localTable.add(r.dst, r.prefixLength, r);
    for (const r of this.routes) this.mainTable.add(r.dst, r.prefixLength, r);
    for (const i of this.interfaces) {
      const all = (k: string): number => this.confValue('all', k);
      const dev = (k: string): number => this.confValue(i.name, k);
      this.conf.set(i.name, {
        forwarding: dev('forwarding') !== 0,
        rpFilter: Math.max(all('rp_filter'), dev('rp_filter')),
        routeLocalnet: all('route_localnet') !== 0 || dev('route_localnet') !== 0,
        acceptLocal: all('accept_local') !== 0 || dev('accept_local') !== 0,
        sendRedirects: all('send_redirects') !== 0 || dev('send_redirects') !== 0,
      });
    }
  }

  isLocalAddress(addr: number): boolean {
    return this.localTable.lookup(addr)?.type === AddrType.LOCAL;
  }

  isHostAddress(addr: number): boolean {
    return this.addrDev.has(addr | 0);
  }

  /** The interface that holds `addr` as one of its addresses. */
  interfaceOfAddress(addr: number): HostInterface | undefined {
    return this.addrDev.get(addr | 0);
  }

  /**
   * fib_lookup with the default rules: the local table, then the main table. A reject
   * route (blackhole, unreachable, prohibit) is returned with its type.
   */
  route(dst: number): HostRoute | undefined {
    return this.localTable.lookup(dst) ?? this.mainTable.lookup(dst);
  }

  /** The main table alone (what forwarding uses when the local table has nothing). */
  mainRoute(dst: number): HostRoute | undefined {
    return this.mainTable.lookup(dst);
  }

  /**
   * __inet_dev_addr_type(net, dev, addr, RT_TABLE_LOCAL): 0/8 and 255.255.255.255 are
   * BROADCAST and 224/4 MULTICAST before any lookup; otherwise the local table decides
   * (LOCAL, BROADCAST) if its route's interface is `dev` (or no `dev` is given), and
   * anything else is UNICAST — the main table is never consulted, so an address without
   * any route is UNICAST too, never UNREACHABLE.
   */
  addressType(addr: number, dev?: string): number {
    if (isZeronet(addr) || isLbcast(addr)) return AddrType.BROADCAST;
    if (isMulticast(addr)) return AddrType.MULTICAST;
    const r = this.localTable.lookup(addr);
    if (r !== undefined && (dev === undefined || dev === r.dev)) return r.type!;
    return AddrType.UNICAST;
  }

  /**
   * inet_select_addr(dev, dst, RT_SCOPE_UNIVERSE): the first primary address of `dev` on
   * `dst`'s subnet, else its first primary address; addresses in 127/8 have host scope
   * and are not candidates (unless route_localnet). A device without one borrows the
   * first primary universe-scope address of any interface, lo first.
   */
  selectSourceAddress(dev: string, dst: number): number {
    const itf = this.byName.get(dev);
    if (itf !== undefined) {
      const localnet = this.conf.get(dev)!.routeLocalnet;
      let first = 0;
      for (let n = 0; n < itf.addrs.length; n++) {
        const a = itf.addrs[n]!;
        if (isSecondary(itf.addrs, n) || (isLoopback(a.addr) && !localnet)) continue;
        if (dst !== 0 && inPrefix(dst, a.addr, a.prefixLength)) return a.addr;
        if (first === 0) first = a.addr;
      }
      if (first !== 0) return first;
    }
    for (const other of this.interfaces) {
      for (let n = 0; n < other.addrs.length; n++) {
        const a = other.addrs[n]!;
        if (!isSecondary(other.addrs, n) && !isLoopback(a.addr)) return a.addr;
      }
    }
    return 0;
  }

  sysctl(name: string): number {
    const conf = splitConfName(name, this.byName.keys());
    if (conf !== undefined) return this.confValue(conf.dev, conf.key);
    const v = this.sysctls[name];
    if (v !== undefined) return v;
    if (name === 'net.ipv4.ip_forward') return this.forward ? 1 : 0;
    const d = SYSCTL_DEFAULTS[name];
    if (d === undefined) throw new Error(`unknown sysctl ${name}`);
    return d;
  }

  /**
   * A devconf value: the host file's, else, for an interface, conf/default's (what a new
   * interface copies), else the kernel default. Writing ip_forward sets every interface's
   * forwarding, conf/all's and conf/default's (devinet_sysctl_forward).
   */
  private confValue(dev: string, key: string): number {
    const v = this.sysctls[`${CONF_PREFIX}${dev}.${key}`];
    if (v !== undefined) return v;
    if (key === 'forwarding') return this.forward ? 1 : 0;
    if (dev !== 'all' && dev !== 'default') return this.confValue('default', key);
    const d = SYSCTL_DEFAULTS[`${CONF_PREFIX}${dev}.${key}`];
    if (d === undefined) throw new Error(`unknown sysctl ${CONF_PREFIX}${dev}.${key}`);
    return d;
  }

  interfaceByName(name: string): HostInterface | undefined {
    return this.byName.get(name);
  }

  interfaceByIndex(index: number): HostInterface | undefined {
    return this.byIndex.get(index);
  }

  /** The devconf values of `dev` the routing decision reads (IN_DEV_* macros). */
  devConf(dev: string): DevConf | undefined {
    return this.conf.get(dev);
  }

  /** Whether the host has joined `group` on `dev` (ip_check_mc_rcu, any-source membership). */
  joined(dev: string, group: number): boolean {
    const groups = this.groups.get(dev);
    if (groups === undefined) return false;
    const g = group | 0;
    for (let i = 0; i < groups.length; i++) if (groups[i] === g) return true;
    return false;
  }
}
