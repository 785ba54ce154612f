/**
 * pkttype match (libxt_pkttype / kernel xt_pkttype): the link-layer packet type the
 * kernel assigned on reception (skb->pkt_type): to this host, broadcast, multicast or to
 * another host.
 */
import { code } from '../../compile/builder.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { defineMatch } from './types.js';

/** linux/if_packet.h PACKET_* values. */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;

/** libxt_pkttype's supported_types: canonical names first, then aliases. */
const PKT_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['unicast', PACKET_HOST],
  ['broadcast', PACKET_BROADCAST],
  ['multicast', PACKET_MULTICAST],
  ['otherhost', PACKET_OTHERHOST],
  ['bcast', PACKET_BROADCAST],
  ['mcast', PACKET_MULTICAST],
  ['host', PACKET_HOST],
];

export interface PkttypeState {
  pktType: number;
  invert: boolean;
}

/** print_pkttype: the first name with that value (every parsable value has one). */
function pktTypeName(type: number): string {
  return PKT_TYPES.find(([, v]) => v === type)![0];
}

/** PACKET_LOOPBACK: multicast and broadcast looped back to the sending host. */
const PACKET_LOOPBACK = 5;

/**
 * pkttype_mt: skb->pkt_type, except that a looped-back packet counts as multicast when
 * its destination is a multicast address and as broadcast otherwise.
 */
function packetType(pkt: PacketState): number {
  if (pkt.pktType !== PACKET_LOOPBACK) return pkt.pktType;
  return pkt.view.dstAddr >>> 28 === 0xe ? PACKET_MULTICAST : PACKET_BROADCAST;
}

export const pkttype = defineMatch<PkttypeState>({
  name: 'pkttype',
  modelled: true,
  options: [{ name: 'pkt-type', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ pktType: PACKET_HOST, invert: false }),
  parse(s, call) {
    const text = call.arg ?? '';
    const entry = PKT_TYPES.find(([name]) => name === text.toLowerCase());
    if (!entry) throw new ParamError(`Bad packet type '${text}'`);
    s.pktType = entry[1];
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --pkt-type ${pktTypeName(s.pktType)}`,
  print: (s) => ` PKTTYPE ${s.invert ? '!' : ''}= ${pktTypeName(s.pktType)}`,
  matchPacket: (s, pkt) => (packetType(pkt) === s.pktType) !== s.invert,
  compileMatch(s, c) {
    const p = c.pkt;
    const type = code`(${p}.pktType !== ${PACKET_LOOPBACK} ? ${p}.pktType : ${c.view}.dstAddr >>> 28 === 14 ? ${PACKET_MULTICAST} : ${PACKET_BROADCAST})`;
    return s.invert ? code`${type} !== ${s.pktType}` : code`${type} === ${s.pktType}`;
  },
});
