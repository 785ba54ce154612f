/**
 * What matches and targets may use besides the packet: the host model, the replay's
 * seeded randomness, shared named tables (recent lists, hashlimit tables exist once per
 * network namespace in the kernel, by name), and the outputs side effects go to (LOG
 * lines, NFLOG packets, TRACE lines, notes about what could not be modelled).
 */
import type { HostModel } from '../netfilter/host.js';
import type { PacketState } from './packet.js';
import type { NatRange } from '../rules/ext/natrange.js';
import type { RejectReply } from '../rules/ext/REJECT.js';

/** What the NAT targets call: nf_nat_setup_info() for the packet's connection. */
export interface NatService {
  /** Maps the packet's connection within `range` (addresses already resolved); manip 0 source, 1 destination. */
  setup(pkt: PacketState, range: NatRange, manip: 0 | 1): void;
}

export interface ReplayRuntime {
  readonly host: HostModel;
  /** Uniform 32-bit unsigned integers from the replay's seed (NAT's random port offsets). */
  random32(): number;
  /**
   * statistic --mode random's draw for `pkt`: whether a match with fixed-point
   * `probability` (of 2^31) and `invert` matches. A seeded draw, or the decision
   * --statistic expected forces.
   */
  statisticRandom(pkt: PacketState, probability: number, invert: boolean): boolean;
  /** A table shared by every rule that names it (kind "recent", "hashlimit"...). */
  shared<T>(kind: string, name: string, create: () => T): T;
  /** A kernel log line (LOG target) for the packet, without the syslog timestamp. */
  log(level: number, line: string, pkt: PacketState): void;
  /**
   * A packet copy for NFLOG group `group`; `size` is the copy length (--nflog-size), absent
   * when the whole packet is copied.
   */
  nflog(group: number, prefix: string, pkt: PacketState, size?: number): void;
  /** REJECT's answer to `pkt` at its current hook: what the kernel sends, and what that does (host-replies.ts). */
  reject(pkt: PacketState, reply: RejectReply): void;
  /** Counts an effect nfreplay does not model for this packet (reported in the summary). */
  note(event: string): void;
  /** NAT, present when the ruleset has a nat table (and so conntrack). */
  readonly nat?: NatService;
}
