/**
 * A host model when no host file is given: a single-interface host whose address is the
 * one present in nearly every IPv4 packet of the capture (a capture taken on, or for, one
 * machine has that machine at one end of almost every packet). The guess is said out loud
 * (`assuming host 192.0.2.10 on eth0; use --host to set`) and can be overridden with
 * --local-ip and --iface. The result is an ordinary host file, validated like one.
 *
 * What the capture also tells, used when present:
 * - the interface name (pcapng if_name) and index (SLL2), lo excluded;
 * - the subnet, from broadcasts to the address's subnet broadcast (a broadcast MAC or SLL
 *   packet type with a destination whose host part is all ones and whose network is the
 *   address's); without one the address is a /32 behind a default route, so nothing but
 *   255.255.255.255 is a broadcast;
 * - multicast groups the host itself sends to (an mDNS or SSDP responder has joined its
 *   group), so their traffic reaches INPUT;
 * - when two addresses are in nearly every packet (a capture of one conversation), the one
 *   seen as source of outgoing packets, else the one receiving connections (TCP SYN, ICMP
 *   echo requests, UDP to ports below 1024).
 */
import type { CaptureInterface } from '../capture/record.js';
import { openCapture } from '../capture/reader.js';
import { decode } from '../decode/index.js';
import { DecodeEvents } from '../decode/events.js';
import { DecodeResult, PacketView, TcpFlag } from '../decode/view.js';
import { BROADCAST_MAC, cidrToString, ipToString, isLbcast, isLoopback, isMulticast, isZeronet, parseCidr, prefixMask } from './addr.js';
import { HostError } from './errors.js';
import { hostFromJson } from './hostfile.js';
import type { Host } from './model.js';
import type { RecordMeta } from './path.js';

/** The share of IPv4 packets an address must be in to be taken as the host's. */
export const INFER_THRESHOLD = 0.9;
/** Packets read by inferHostFromCapture unless told otherwise. */
export const INFER_SAMPLE = 50_000;
const MAX_BROADCASTS = 256;
const PKTTYPE_BROADCAST = 1;

export interface InferOptions {
  /** --local-ip: the host's addresses (`A`, `A/len`, comma-separated or a list); skips the address inference. */
  localIps?: string | readonly string[];
  /** --iface: the interface name. */
  iface?: string;
}

export interface HostInference {
  host: Host;
  /** The host file the inference amounts to (save it, edit it, pass it with --host). */
  file: Record<string, unknown>;
  /** One line for the user: `assuming host 192.0.2.10 on eth0; use --host to set`. */
  message: string;
  /** Why: coverage, competing addresses, subnet evidence. */
  details: string[];
}

interface AddrStats {
  packets: number;
  /** Source of a packet seen leaving (direction out). */
  outgoing: number;
  /** Destination of a connection opening: TCP SYN, ICMP echo request, UDP to a port below 1024. */
  opened: number;
  /** Multicast groups it sent to (made on first use: most addresses send to none). */
  groups: Set<number> | undefined;
}

/**
 * Accumulates what inference needs from decoded packets; feed it a sample (its memory
 * grows with the number of distinct addresses), then ask.
 */
export class HostInferrer {
  private ipv4 = 0;
  private readonly addrs = new Map<number, AddrStats>();
  private readonly broadcasts = new Map<number, number>();
  /** Capture interface id → IPv4 packets seen on it. */
  private readonly perInterface = new Map<number, number>();
  private readonly perIfindex = new Map<number, number>();

  get packets(): number {
    return this.ipv4;
  }

  add(view: PacketView, rec: RecordMeta): void {
    if (view.result !== DecodeResult.IPV4) return;
    const src = view.srcAddr >>> 0;
    const dst = view.dstAddr >>> 0;
    // Traffic within the host over lo says nothing about its network address.
    if (isLoopback(src) && isLoopback(dst)) return;
    this.ipv4++;
    const s = this.stats(src);
    if (s !== undefined) {
      s.packets++;
      if (view.direction === 2) s.outgoing++;
      if (isMulticast(dst)) (s.groups ??= new Set()).add(dst);
    }
    if (dst !== src) {
      const d = this.stats(dst);
      if (d !== undefined) {
        d.packets++;
        if (opensConnection(view)) d.opened++;
      }
    }
    if ((view.dstMac === BROADCAST_MAC || view.pktType === PKTTYPE_BROADCAST) && !isLbcast(dst) && (this.broadcasts.size < MAX_BROADCASTS || this.broadcasts.has(dst)))
      this.broadcasts.set(dst, (this.broadcasts.get(dst) ?? 0) + 1);
    if (rec.interfaceId >= 0) this.perInterface.set(rec.interfaceId, (this.perInterface.get(rec.interfaceId) ?? 0) + 1);
    if (view.ifindex > 1) this.perIfindex.set(view.ifindex, (this.perIfindex.get(view.ifindex) ?? 0) + 1);
  }

  private stats(a: number): AddrStats | undefined {
    if (a === 0 || isLbcast(a) || isMulticast(a) || isLoopback(a) || a >= 0xf0000000) return undefined;
    let s = this.addrs.get(a);
    if (s === undefined) {
      s = { packets: 0, outgoing: 0, opened: 0, groups: undefined };
      this.addrs.set(a, s);
    }
    return s;
  }

  /** The inferred (or overridden) host for a capture with these interfaces. */
  result(interfaces: readonly CaptureInterface[] = [], opts: InferOptions = {}): HostInference {
    const details: string[] = [];
    const iface = opts.iface !== undefined ? checkIface(opts.iface) : this.ifaceName(interfaces);
    const index = this.ifindex();

    let locals: { addr: number; prefixLength: number }[];
    if (opts.localIps !== undefined) {
      locals = parseLocalIps(opts.localIps);
      details.push(`local address${locals.length > 1 ? 'es' : ''} from --local-ip`);
    } else {
      locals = [];
      const a = this.pickAddress(details);
      if (a !== undefined) locals.push({ addr: a, prefixLength: this.prefixFor(a, details) });
    }

    const groups = new Set<number>();
    for (const l of locals) for (const g of this.addrs.get(l.addr)?.groups ?? []) groups.add(g);
    const itf: Record<string, unknown> = { name: iface, addrs: locals.map((l) => cidrToString(l.addr, l.prefixLength)) };
    if (index !== undefined && index !== 2) itf.index = index;
    if (groups.size > 0) {
      itf.mcast_groups = [...groups].sort((x, y) => x - y).map(ipToString);
      details.push(`joined ${(itf.mcast_groups as string[]).join(', ')} (the host sends to ${groups.size > 1 ? 'them' : 'it'})`);
    }
    const file: Record<string, unknown> = { interfaces: [itf], forward: false, routes: [{ dst: 'default', dev: iface }] };
    const who = locals.length === 0 ? 'a host without IPv4 address' : `host ${locals.map((l) => ipToString(l.addr)).join(', ')}`;
    return { host: hostFromJson(file, 'inferred host'), file, message: `assuming ${who} on ${iface}; use --host to set`, details };
  }

  private pickAddress(details: string[]): number | undefined {
    if (this.ipv4 === 0 || this.addrs.size === 0) {
      details.push('no IPv4 packets to infer the host address from');
      return undefined;
    }
    const ranked = [...this.addrs.entries()].sort((x, y) => y[1].packets - x[1].packets || x[0] - y[0]);
    const share = (s: AddrStats): string => `${((100 * s.packets) / this.ipv4).toFixed(1)}%`;
    const candidates = ranked.filter(([, s]) => s.packets >= INFER_THRESHOLD * this.ipv4);
    if (candidates.length === 0) {
      const [a, s] = ranked[0]!;
      details.push(`no address is in ${INFER_THRESHOLD * 100}% of the ${this.ipv4} IPv4 packets; ${ipToString(a)} is the most frequent (${share(s)})`);
      return a;
    }
    // Two addresses in nearly every packet: one conversation. The host is the one seen
    // sending out, else the one receiving connections.
    candidates.sort((x, y) => y[1].outgoing - x[1].outgoing || y[1].opened - x[1].opened || y[1].packets - x[1].packets || x[0] - y[0]);
    const [a, s] = candidates[0]!;
    details.push(`${ipToString(a)} is in ${share(s)} of the ${this.ipv4} IPv4 packets`);
    for (const [b, t] of candidates.slice(1)) {
      const why = s.outgoing > t.outgoing ? 'is seen sending out' : s.opened > t.opened ? 'receives the connections' : 'comes first';
      details.push(`${ipToString(b)} is in ${share(t)} too; ${ipToString(a)} ${why}`);
    }
    return a;
  }

  /** The subnet whose broadcast address the capture shows broadcasts to, or 32. */
  private prefixFor(a: number, details: string[]): number {
    let best = 32;
    let bestCount = 0;
    for (const [b, n] of this.broadcasts) {
      // Trailing ones of the destination give the prefix; the network must be a's.
      let ones = 0;
      while (ones < 31 && ((b >>> ones) & 1) === 1) ones++;
      const len = 32 - ones;
      if (len < 8 || len > 30 || ((a ^ b) & prefixMask(len)) !== 0 || b === a) continue;
      if (n > bestCount) {
        best = len;
        bestCount = n;
      }
    }
    if (best < 32) details.push(`subnet ${cidrToString((a & prefixMask(best)) >>> 0, best)} from ${bestCount} broadcast${bestCount > 1 ? 's' : ''} to its broadcast address`);
    else details.push('no subnet broadcast seen: the address is taken as a /32 behind a default route');
    return best;
  }

  private ifaceName(interfaces: readonly CaptureInterface[]): string {
    let best: string | undefined;
    let bestCount = -1;
    for (const [id, n] of this.perInterface) {
      const name = interfaces[id]?.name;
      if (name === undefined || name === 'lo' || name === 'any' || badName(name)) continue;
      if (n > bestCount) {
        best = name;
        bestCount = n;
      }
    }
    return best ?? 'eth0';
  }

  private ifindex(): number | undefined {
    let best: number | undefined;
    let bestCount = 0;
    for (const [i, n] of this.perIfindex) {
      if (n > bestCount) {
        best = i;
        bestCount = n;
      }
    }
    return best;
  }
}

function opensConnection(view: PacketView): boolean {
  switch (view.protocol) {
    case 6:
      return view.tcpFlags >= 0 && (view.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    case 1:
      return view.icmpType === 8;
    case 17:
      return view.dstPort >= 0 && view.dstPort < 1024;
    default:
      return false;
  }
}

function badName(name: string): boolean {
  return name.length === 0 || Buffer.byteLength(name) > 15 || name === '.' || name === '..' || /[/:\s]/.test(name);
}

function checkIface(name: string): string {
  if (badName(name) || name === 'lo') throw new HostError(`"${name}" is not a usable interface name`, '--iface', 0, 0);
  return name;
}

/** --local-ip A[,B]: addresses, each optionally with a prefix length. */
export function parseLocalIps(v: string | readonly string[]): { addr: number; prefixLength: number }[] {
  const items = (typeof v === 'string' ? [v] : v).flatMap((s) => s.split(',')).map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new HostError('expected addresses, A[,B...]', '--local-ip', 0, 0);
  const seen = new Set<number>();
  return items.map((s) => {
    const c = parseCidr(s);
    if (typeof c === 'string') throw new HostError(c, '--local-ip', 0, 0);
    if (isZeronet(c.addr) || isLbcast(c.addr) || isMulticast(c.addr) || isLoopback(c.addr))
      throw new HostError(`${ipToString(c.addr)} cannot be the host's address`, '--local-ip', 0, 0);
    if (seen.has(c.addr)) throw new HostError(`${ipToString(c.addr)} is given twice`, '--local-ip', 0, 0);
    seen.add(c.addr);
    return c;
  });
}

/** Infers the host from decoded packets: `add` each, then `result`. */
export function inferHost(
  packets: Iterable<{ view: PacketView; rec: RecordMeta }>,
  interfaces: readonly CaptureInterface[] = [],
  opts: InferOptions = {},
): HostInference {
  const inf = new HostInferrer();
  for (const p of packets) inf.add(p.view, p.rec);
  return inf.result(interfaces, opts);
}

/** Reads up to `sample` packets of a capture and infers its host. */
export async function inferHostFromCapture(capture: string | Uint8Array, opts: InferOptions & { sample?: number } = {}): Promise<HostInference> {
  const reader = await openCapture(capture);
  const view = new PacketView();
  const events = new DecodeEvents();
  const inf = new HostInferrer();
  const limit = opts.sample ?? INFER_SAMPLE;
  let n = 0;
  const STOP = Symbol('stop');
  try {
    await reader.forEach((rec) => {
      if (n++ >= limit) throw STOP;
      if (decode(rec, view, events) === DecodeResult.IPV4) inf.add(view, rec);
    });
  } catch (e) {
    if (e !== STOP) throw e;
  }
  return inf.result(reader.interfaces, opts);
}
