/**
 * The host model: interfaces, addresses, routes and forwarding decide a packet's path
 * through the hooks, and `addrtype` asks it what an address is to this host.
 */

export interface HostAddress {
  addr: number;
  prefixLength: number;
}

export interface HostInterface {
  name: string;
  addrs: HostAddress[];
  /** 48-bit MAC as a number, or -1 when unknown. */
  mac: number;
  mtu: number;
  /** Kernel interface index (SLL2 captures name interfaces by index). */
  index: number;
}

export interface HostRoute {
  dst: number;
  prefixLength: number;
  dev: string;
  /** Gateway address, or 0 for a directly connected destination. */
  via: number;
}

/** RTN_* address types as xt_addrtype uses them (bit i = type i). */
export const AddrType = {
  UNSPEC: 0,
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
  THROW: 9,
  NAT: 10,
  XRESOLVE: 11,
} as const;

export interface HostModel {
  readonly interfaces: readonly HostInterface[];
  readonly routes: readonly HostRoute[];
  readonly forward: boolean;
  /** Any address of any interface (the kernel delivers locally whatever interface it is on). */
  isLocalAddress(addr: number): boolean;
  /** The route the kernel would pick (longest prefix), or undefined: no route. */
  route(dst: number): HostRoute | undefined;
  /** RTN_* type of `addr`, as inet_dev_addr_type() answers, optionally limited to `dev`. */
  addressType(addr: number, dev?: string): number;
  /** A sysctl value (host file or kernel default). */
  sysctl(name: string): number;
  interfaceByName(name: string): HostInterface | undefined;
  interfaceByIndex(index: number): HostInterface | undefined;
}
