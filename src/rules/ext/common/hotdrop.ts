/**
 * xt_action_param.hotdrop: a match that cannot examine a packet it was asked about (a
 * header shorter than the match needs, TCP's "evil" fragment at offset 8) sets it and
 * fails; ipt_do_table then stops at the end of that rule and returns NF_DROP — no later
 * rule or policy sees the packet. The flag lives on the packet state (pkt.hotdrop, false
 * at the start of each traversal).
 *
 * It is checked at the end of every rule, not only after a failed match: sctp_mt with a
 * negated chunk test sets it and still matches (the rule is then counted, its target
 * runs if it continues, and the packet is dropped).
 */
import type { PacketState } from '../../../engine/packet.js';

/** Sets the flag and returns the match's answer (false), as the kernel's matches do. */
export function hotdrop(pkt: PacketState): false {
  pkt.hotdrop = true;
  return false;
}
