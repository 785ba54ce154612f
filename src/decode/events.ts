/**
 * Named decode events: every packet that is skipped, malformed or cut short by the
 * snaplen is counted under a stable name (`ipv4.ihl_too_small`), never thrown. The
 * counters live in one typed array indexed by the `Ev` ids below, so counting a packet
 * allocates nothing; names and descriptions are only looked at for the final report.
 */

/**
 * What an event means for the packet:
 * - `skipped`: not IPv4 (ARP, IPv6, another link type or ethertype); not replayed.
 * - `malformed`: broken on the wire where the kernel drops it before PREROUTING
 *   (ip_rcv_core's checks), or a link-layer header shorter than itself.
 * - `truncated`: the capture's snaplen cut the packet. Normal: the packet is still
 *   replayed from its headers unless the cut fell inside the IPv4 header.
 * - `invalid`: replayable, but its layer-4 header is broken on the wire; conntrack marks
 *   it INVALID and the tcp/udp matches may hot-drop it.
 * - `info`: worth counting, nothing wrong (IP fragments).
 */
export type EventKind = 'skipped' | 'malformed' | 'truncated' | 'invalid' | 'info';

interface EventDef {
  name: string;
  kind: EventKind;
  text: string;
}

/** Event ids, indexes into the counter table; `EVENT_DEFS[Ev.X]` describes `Ev.X`. */
export const Ev = {
  SKIP_ARP: 0,
  SKIP_IPV6: 1,
  SKIP_OTHER_ETHERTYPE: 2,
  SKIP_OTHER_FAMILY: 3,
  ETH_TOO_SHORT: 4,
  ETH_TRUNCATED: 5,
  VLAN_TOO_SHORT: 6,
  VLAN_TRUNCATED: 7,
  SLL_TOO_SHORT: 8,
  SLL_TRUNCATED: 9,
  SLL2_TOO_SHORT: 10,
  SLL2_TRUNCATED: 11,
  NULL_TOO_SHORT: 12,
  NULL_TRUNCATED: 13,
  IPV4_TOO_SHORT: 14,
  IPV4_BAD_VERSION: 15,
  IPV4_IHL_TOO_SMALL: 16,
  IPV4_HEADER_BEYOND_PACKET: 17,
  IPV4_BAD_CHECKSUM: 18,
  IPV4_TOTAL_LENGTH_TOO_BIG: 19,
  IPV4_TOTAL_LENGTH_TOO_SMALL: 20,
  IPV4_HEADER_TRUNCATED: 21,
  IPV4_TRUNCATED: 22,
  IPV4_FRAGMENT: 23,
  IPV4_FRAGMENT_LATER: 24,
  TCP_HEADER_TOO_SHORT: 25,
  TCP_DATA_OFFSET_TOO_SMALL: 26,
  TCP_DATA_OFFSET_TOO_BIG: 27,
  TCP_HEADER_TRUNCATED: 28,
  TCP_OPTIONS_TRUNCATED: 29,
  UDP_HEADER_TOO_SHORT: 30,
  UDP_BAD_LENGTH: 31,
  UDP_HEADER_TRUNCATED: 32,
  ICMP_HEADER_TOO_SHORT: 33,
  ICMP_HEADER_TRUNCATED: 34,
  ICMP_INNER_MALFORMED: 35,
  ICMP_INNER_TRUNCATED: 36,
  ICMP_BAD_TYPE: 37,
} as const;

export const EVENT_DEFS: readonly EventDef[] = [
  { name: 'skip.arp', kind: 'skipped', text: 'ARP' },
  { name: 'skip.ipv6', kind: 'skipped', text: 'IPv6 (not replayed by an iptables ruleset)' },
  { name: 'skip.other_ethertype', kind: 'skipped', text: 'an ethertype other than IPv4, IPv6, ARP or VLAN' },
  { name: 'skip.other_family', kind: 'skipped', text: 'a NULL/LOOP address family other than IPv4 or IPv6' },
  { name: 'eth.too_short', kind: 'malformed', text: 'Ethernet frame shorter than its 14-byte header' },
  { name: 'eth.truncated', kind: 'truncated', text: 'snaplen cut the Ethernet header' },
  { name: 'vlan.too_short', kind: 'malformed', text: 'frame ends inside a VLAN tag' },
  { name: 'vlan.truncated', kind: 'truncated', text: 'snaplen cut a VLAN tag' },
  { name: 'sll.too_short', kind: 'malformed', text: 'packet shorter than its 16-byte Linux cooked (SLL) header' },
  { name: 'sll.truncated', kind: 'truncated', text: 'snaplen cut the Linux cooked (SLL) header' },
  { name: 'sll2.too_short', kind: 'malformed', text: 'packet shorter than its 20-byte Linux cooked v2 (SLL2) header' },
  { name: 'sll2.truncated', kind: 'truncated', text: 'snaplen cut the Linux cooked v2 (SLL2) header' },
  { name: 'null.too_short', kind: 'malformed', text: 'packet shorter than its 4-byte NULL/LOOP header' },
  { name: 'null.truncated', kind: 'truncated', text: 'snaplen cut the NULL/LOOP header' },
  { name: 'ipv4.too_short', kind: 'malformed', text: 'IPv4 packet shorter than 20 bytes' },
  { name: 'ipv4.bad_version', kind: 'malformed', text: 'IPv4 version field is not 4' },
  { name: 'ipv4.ihl_too_small', kind: 'malformed', text: 'IPv4 header length (IHL) below 5 words' },
  { name: 'ipv4.header_beyond_packet', kind: 'malformed', text: 'IPv4 header length (IHL) beyond the end of the packet' },
  { name: 'ipv4.bad_checksum', kind: 'malformed', text: 'IPv4 header checksum is wrong' },
  { name: 'ipv4.total_length_too_big', kind: 'malformed', text: 'IPv4 total length larger than the packet on the wire' },
  { name: 'ipv4.total_length_too_small', kind: 'malformed', text: 'IPv4 total length smaller than its header' },
  { name: 'ipv4.header_truncated', kind: 'truncated', text: 'snaplen cut the IPv4 header (packet not replayable)' },
  { name: 'ipv4.truncated', kind: 'truncated', text: 'snaplen cut the IPv4 payload (replayed from its headers)' },
  { name: 'ipv4.fragment', kind: 'info', text: 'first IPv4 fragment (MF set, offset 0)' },
  { name: 'ipv4.fragment_later', kind: 'info', text: 'IPv4 fragment with a non-zero offset (no layer-4 header)' },
  { name: 'tcp.header_too_short', kind: 'invalid', text: 'IP payload shorter than a 20-byte TCP header' },
  { name: 'tcp.data_offset_too_small', kind: 'invalid', text: 'TCP data offset below 5 words' },
  { name: 'tcp.data_offset_too_big', kind: 'invalid', text: 'TCP data offset beyond the end of the IP payload' },
  { name: 'tcp.header_truncated', kind: 'truncated', text: 'snaplen cut the fixed TCP header' },
  { name: 'tcp.options_truncated', kind: 'truncated', text: 'snaplen cut the TCP options' },
  { name: 'udp.header_too_short', kind: 'invalid', text: 'IP payload shorter than an 8-byte UDP header' },
  { name: 'udp.bad_length', kind: 'invalid', text: 'UDP length field below 8 or beyond the IP payload' },
  { name: 'udp.header_truncated', kind: 'truncated', text: 'snaplen cut the UDP header' },
  { name: 'icmp.header_too_short', kind: 'invalid', text: 'IP payload shorter than an 8-byte ICMP header' },
  { name: 'icmp.header_truncated', kind: 'truncated', text: 'snaplen cut the ICMP header' },
  { name: 'icmp.inner_malformed', kind: 'invalid', text: 'ICMP error whose quoted packet yields no conntrack tuple' },
  { name: 'icmp.inner_truncated', kind: 'truncated', text: 'snaplen cut the packet quoted by an ICMP error' },
  { name: 'icmp.bad_type', kind: 'invalid', text: 'ICMP type above 18 (NR_ICMP_TYPES)' },
];

export interface EventCount {
  name: string;
  kind: EventKind;
  text: string;
  count: number;
}

const KIND_ORDER: readonly EventKind[] = ['skipped', 'malformed', 'truncated', 'invalid', 'info'];
const LINKTYPE_EVENT = /^skip\.linktype_(\d+)$/;

export class DecodeEvents {
  private counts: Float64Array;
  private readonly defs: EventDef[] = [...EVENT_DEFS];
  private readonly byName = new Map<string, number>();
  private readonly byLinktype = new Map<number, number>();

  constructor() {
    this.counts = new Float64Array(EVENT_DEFS.length + 16);
    this.defs.forEach((d, i) => this.byName.set(d.name, i));
  }

  /**
   * Counts one occurrence. The decoder passes `Ev` ids (no lookup, no allocation); a name
   * is accepted for callers outside the hot path.
   */
  count(event: number | string): void {
    this.counts[typeof event === 'number' ? event : this.id(event)]++;
  }

  /** Current count of an event (0 for one never seen). */
  get(name: string): number {
    const id = this.byName.get(name);
    return id === undefined ? 0 : this.counts[id];
  }

  /** Id of a named event; throws for a name that is neither static nor `skip.linktype_<n>`. */
  id(name: string): number {
    const id = this.byName.get(name) ?? this.linktypeIdFromName(name);
    if (id === undefined) throw new TypeError(`unknown decode event '${name}'`);
    return id;
  }

  name(id: number): string {
    return this.defs[id]?.name ?? `event#${id}`;
  }

  /**
   * Id of `skip.linktype_<n>`: the table grows the first time a link type is seen (once
   * per link type, not per packet).
   */
  linktype(linktype: number): number {
    const id = this.byLinktype.get(linktype);
    return id === undefined ? this.register(linktype) : id;
  }

  /** Sum of the counts of one kind (e.g. every skipped packet). */
  total(kind: EventKind): number {
    let n = 0;
    for (let i = 0; i < this.defs.length; i++) if (this.defs[i].kind === kind) n += this.counts[i];
    return n;
  }

  /** The events seen so far, by kind then name: what the final report prints. */
  snapshot(): EventCount[] {
    const out: EventCount[] = [];
    this.defs.forEach((d, i) => {
      if (this.counts[i] > 0) out.push({ name: d.name, kind: d.kind, text: d.text, count: this.counts[i] });
    });
    return out.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
  }

  reset(): void {
    this.counts.fill(0);
  }

  private linktypeIdFromName(name: string): number | undefined {
    const m = LINKTYPE_EVENT.exec(name);
    return m ? this.linktype(Number(m[1])) : undefined;
  }

  private register(linktype: number): number {
    const id = this.defs.length;
    const name = `skip.linktype_${linktype}`;
    this.defs.push({ name, kind: 'skipped', text: `link type ${linktype} (not decoded)` });
    this.byName.set(name, id);
    this.byLinktype.set(linktype, id);
    if (id >= this.counts.length) {
      const grown = new Float64Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return id;
  }
}
