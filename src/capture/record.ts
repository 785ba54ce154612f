/** One captured packet as the reader hands it out. A single object per reader, overwritten for every packet: consumers copy what they keep. */
export interface PacketRecord {
  /** 1-based position in the capture (across pcapng sections). */
  number: number;
  /** Bytes of the current chunk; the packet is data[offset, offset + caplen). Valid only until the callback returns. */
  data: Uint8Array;
  offset: number;
  caplen: number;
  /** Length on the wire. */
  origlen: number;
  /** Timestamp: whole seconds since the epoch and nanoseconds within the second. */
  tsSec: number;
  tsNsec: number;
  /** LINKTYPE_* of the packet's interface. */
  linktype: number;
  /** pcapng interface id (or -1 for pcap); see reader.interfaces for names. */
  interfaceId: number;
  /** 0 unknown, 1 inbound, 2 outbound (pcapng epb_flags, or from SLL/SLL2 packet type by the decoder). */
  direction: 0 | 1 | 2;
}
export interface CaptureInterface { id: number; name: string | undefined; linktype: number; snaplen: number; /** ticks per second */ tsResolution: bigint | number; tsOffsetSec: number }
