/**
 * tshark as an independent oracle: the fields it prints for a frame against the decoder's
 * view of the same frame. Only fields tshark shows are compared, except that a replayable
 * packet must have its IPv4 header and, when whole, its layer-4 header in both.
 */
import { DecodeResult, L4Checksum, L4State, type PacketView, l4ChecksumStatus } from '../../src/decode/index.js';
import { addrOf, macOf } from './helpers.js';

export const TSHARK_FIELDS = [
  'frame.number',
  'eth.src',
  'eth.dst',
  'vlan.id',
  'vlan.priority',
  'vlan.dei',
  'ieee8021ad.id',
  'ieee8021ad.priority',
  'ieee8021ad.dei',
  'sll.pkttype',
  'sll.hatype',
  'sll.ifindex',
  'ip.version',
  'ip.hdr_len',
  'ip.dsfield.dscp',
  'ip.dsfield.ecn',
  'ip.len',
  'ip.id',
  'ip.flags.rb',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.frag_offset',
  'ip.ttl',
  'ip.proto',
  'ip.checksum',
  'ip.checksum.status',
  'ip.src',
  'ip.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.hdr_len',
  'tcp.flags',
  'tcp.window_size_value',
  'tcp.checksum',
  'tcp.urgent_pointer',
  'tcp.options.mss_val',
  'tcp.checksum.status',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum',
  'udp.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmp.checksum',
  'icmp.ident',
  'icmp.seq',
  'icmp.checksum.status',
] as const;

type Field = (typeof TSHARK_FIELDS)[number];

/** tshark's checksum status (0 bad, 1 good, 2 unverified, 3 not present) as l4ChecksumStatus says it. */
const CHECKSUM_STATUS: Record<string, number> = {
  '0': L4Checksum.INVALID,
  '1': L4Checksum.VALID,
  '2': L4Checksum.UNKNOWN,
  '3': L4Checksum.NONE,
};

const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

export function compareWithTshark(row: string[], view: PacketView, data: Uint8Array, linktype: number): string[] {
  const bad: string[] = [];
  const all = (f: Field): string[] => {
    const v = row[TSHARK_FIELDS.indexOf(f)] ?? '';
    return v === '' ? [] : v.split(',');
  };
  const nth = (f: Field, i: number): string | undefined => all(f)[i];
  const num = (s: string): number => (s === 'True' ? 1 : s === 'False' ? 0 : Number(s));
  /** Compares occurrence i of field f when tshark shows it (or always when `required`). */
  const check = (f: Field, i: number, got: number | boolean, map: (s: string) => number = num, required = false): void => {
    const s = nth(f, i);
    if (s === undefined) {
      if (required) bad.push(`${f}[${i}]: tshark has none, decoder ${got}`);
      return;
    }
    const want = map(s);
    const g = typeof got === 'boolean' ? Number(got) : got;
    if (want !== g) bad.push(`${f}[${i}]: tshark ${s}, decoder ${got}`);
  };

  if (view.dstMac >= 0 && linktype === 1) {
    check('eth.src', 0, view.srcMac, macOf, true);
    check('eth.dst', 0, view.dstMac, macOf, true);
  }
  // tshark dissects 802.1ad (0x88a8) tags as ieee8021ad, the others as vlan, each in order.
  const tags = [
    [view.vlanOuterTpid, view.vlanOuterId, view.vlanOuterPcp, view.vlanOuterDei],
    [view.vlanInnerTpid, view.vlanInnerId, view.vlanInnerPcp, view.vlanInnerDei],
  ].slice(0, Math.min(view.vlanCount, 2));
  let vlans = 0;
  let ads = 0;
  for (const [tpid, id, pcp, dei] of tags) {
    if (tpid === 0x88a8) {
      check('ieee8021ad.id', ads, id, num, true);
      check('ieee8021ad.priority', ads, pcp);
      check('ieee8021ad.dei', ads++, dei);
    } else {
      check('vlan.id', vlans, id, num, true);
      check('vlan.priority', vlans, pcp);
      check('vlan.dei', vlans++, dei);
    }
  }
  if (view.vlanCount === 0 && all('vlan.id').length + all('ieee8021ad.id').length > 0) bad.push('tshark shows a VLAN tag, decoder none');
  if (view.pktType >= 0) {
    check('sll.pkttype', 0, view.pktType, num, true);
    check('sll.hatype', 0, view.arphrd, num, true);
    if (view.ifindex >= 0) check('sll.ifindex', 0, view.ifindex, num, true);
  }
  if (view.result !== DecodeResult.IPV4) return bad;

  const req = true;
  check('ip.version', 0, view.ipVersion, num, req);
  check('ip.hdr_len', 0, view.ihl * 4, num, req);
  check('ip.dsfield.dscp', 0, view.dscp, num, req);
  check('ip.dsfield.ecn', 0, view.ecn, num, req);
  check('ip.len', 0, view.totalLength, num, req);
  check('ip.id', 0, view.ipId, num, req);
  check('ip.flags.rb', 0, view.rf, num, req);
  check('ip.flags.df', 0, view.df, num, req);
  check('ip.flags.mf', 0, view.mf, num, req);
  check('ip.frag_offset', 0, view.fragOffset, (s) => num(s) * 8, req);
  check('ip.ttl', 0, view.ttl, num, req);
  check('ip.proto', 0, view.protocol, num, req);
  check('ip.checksum', 0, view.ipChecksum, num, req);
  check('ip.checksum.status', 0, view.ipChecksumOk, num, req);
  check('ip.src', 0, view.srcAddr, addrOf, req);
  check('ip.dst', 0, view.dstAddr, addrOf, req);

  const whole = view.l4State === L4State.OK;
  const inner = view.protocol === 1 && ERROR_TYPES.has(view.icmpType) && view.innerState === L4State.OK;
  if (inner && all('ip.src').length > 1) {
    check('ip.src', 1, view.innerSrcAddr, addrOf);
    check('ip.dst', 1, view.innerDstAddr, addrOf);
    check('ip.proto', 1, view.innerProtocol);
    check('ip.id', 1, view.innerId);
    check('ip.ttl', 1, view.innerTtl);
  }
  if (view.protocol === 6 && view.l4State !== L4State.NONE) {
    if (view.srcPort >= 0) {
      check('tcp.srcport', 0, view.srcPort, num, whole);
      check('tcp.dstport', 0, view.dstPort, num, whole);
    }
    if (whole) {
      check('tcp.seq_raw', 0, view.tcpSeq, num, req);
      check('tcp.ack_raw', 0, view.tcpAck, num, req);
      check('tcp.hdr_len', 0, view.tcpDataOffset * 4, num, req);
      check('tcp.flags', 0, view.tcpFlags, (s) => num(s) & 0xff, req);
      check('tcp.window_size_value', 0, view.tcpWindow, num, req);
      check('tcp.checksum', 0, view.l4Checksum, num, req);
      check('tcp.urgent_pointer', 0, view.tcpUrgent, num, req);
      check('tcp.options.mss_val', 0, view.tcpMss, num, view.tcpMss >= 0);
      check('tcp.checksum.status', 0, l4ChecksumStatus(data, view), (s) => CHECKSUM_STATUS[s]);
    }
  }
  if (view.protocol === 17 && view.l4State !== L4State.NONE) {
    if (view.srcPort >= 0) {
      check('udp.srcport', 0, view.srcPort, num, whole);
      check('udp.dstport', 0, view.dstPort, num, whole);
    }
    if (whole) {
      check('udp.length', 0, view.udpLength, num, req);
      check('udp.checksum', 0, view.l4Checksum, num, req);
      check('udp.checksum.status', 0, l4ChecksumStatus(data, view), (s) => CHECKSUM_STATUS[s]);
    }
  }
  if (view.protocol === 1 && whole) {
    check('icmp.type', 0, view.icmpType, num, req);
    check('icmp.code', 0, view.icmpCode, num, req);
    check('icmp.checksum', 0, view.l4Checksum, num, req);
    // tshark verifies an ICMP checksum only over a whole message; so does the decoder.
    check('icmp.checksum.status', 0, l4ChecksumStatus(data, view), (s) => CHECKSUM_STATUS[s]);
    if (view.icmpId >= 0) {
      check('icmp.ident', 0, view.icmpId, num, req);
      check('icmp.seq', 0, view.icmpSeq, num, req);
    }
    if (inner) {
      // The quoted packet's own layer-4 fields are the first tcp/udp/icmp-ident occurrences.
      if (view.innerProtocol === 6) {
        check('tcp.srcport', 0, view.innerSrcPort);
        check('tcp.dstport', 0, view.innerDstPort);
      } else if (view.innerProtocol === 17) {
        check('udp.srcport', 0, view.innerSrcPort);
        check('udp.dstport', 0, view.innerDstPort);
      } else if (view.innerProtocol === 1) {
        check('icmp.type', 1, view.innerIcmpType);
        check('icmp.code', 1, view.innerIcmpCode);
        if (view.innerIcmpType === 0 || view.innerIcmpType === 8) {
          check('icmp.ident', 0, view.innerIcmpId);
          check('icmp.seq', 0, view.innerIcmpSeq);
        }
      }
    }
  }
  return bad;
}
