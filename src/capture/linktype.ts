/**
 * Names of link-layer header types (tcpdump.org/linktypes.html) as pcap file headers and
 * pcapng interface description blocks carry them, spelled as libpcap's
 * pcap_datalink_val_to_name spells them, for reports.
 */
const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NULL'],
  [1, 'EN10MB'],
  [12, 'RAW'],
  [14, 'RAW'],
  [101, 'RAW'],
  [105, 'IEEE802_11'],
  [108, 'LOOP'],
  [113, 'LINUX_SLL'],
  [127, 'IEEE802_11_RADIO'],
  [228, 'IPV4'],
  [229, 'IPV6'],
  [276, 'LINUX_SLL2'],
]);

/** "EN10MB", or "LINKTYPE_n" for a type nfreplay has no name for. */
export function linktypeName(linktype: number): string {
  return NAMES.get(linktype) ?? `LINKTYPE_${linktype}`;
}
