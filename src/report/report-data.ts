/**
 * What the HTML report shows: one object whose optional sections are present when the
 * command that writes the report has them (a replay has counters, histograms, conntrack
 * occupancy and kube-proxy balance; `order` adds the ordering proposal; `capacity` the
 * traffic profile and projections). A section that is absent is left out of the page.
 */
import type { ReplaySummary } from '../engine/replay.js';
import type { RuleWithText, TableCounters } from './counters.js';
import type { ServiceBalance } from './kube.js';

export type { TrafficSeries } from '../engine/traffic.js';

/** A replay's summary (with `traffic` when the replay kept it). */
export type ReportSummary = ReplaySummary;

/** A rule no packet can reach as it is, with the earlier rules that cover it. */
export interface OrderingAnomaly {
  /** shadowed: earlier rules with another effect take every packet it matches; redundant: with the same effect. */
  kind: 'shadowed' | 'redundant';
  table: string;
  chain: string;
  /** Its number in the chain (1-based). */
  rule: number;
  text: string;
  by: Array<{ rule: number; text: string }>;
}

/** The rule ordering proposed from a capture, and what it saves. */
export interface OrderingReport {
  /** The traffic the costs come from: packets replayed and the capture times (epoch seconds) of the first and last. */
  window: { packets: number; firstSec: number; lastSec: number };
  /** Mean rules evaluated per packet (the kernel's linear walk) with the ruleset as it is. */
  costBefore: number;
  /** The same with the proposed order. */
  costAfter: number;
  /** The capture replayed through both rulesets, every packet's outcome compared (`order`'s proof); absent: not proven on the traffic. */
  proof?: { identical: boolean; replayed: number; differingPackets: number };
  /** Mean rules evaluated per packet in each chain before and after, and the rules moved. */
  chains: Array<{ table: string; chain: string; before: number; after: number; moves: number }>;
  anomalies: OrderingAnomaly[];
}

/** One projection of the capture's traffic at `scale` times its rate. */
export interface CapacityProjection {
  /** The traffic multiplier (1 = the capture as recorded). */
  scale: number;
  /** Peak packets per second over the capture's bins, times the scale. */
  ppsPeak: number;
  /** Peak new connections per second, times the scale. */
  newConnsPeak: number;
  /** Most conntrack entries at once the projected traffic would need (not capped at the table's size). */
  conntrackPeak: number;
  /**
   * Seconds since the first packet at which the table would be full (nf_conntrack_max
   * entries); null when the projected peak stays under it.
   */
  fullAtSec: number | null;
  /**
   * Fraction of one core the kernel would spend at the projected peak second (the
   * calibration's cost per packet plus rules evaluated per packet times its cost per rule);
   * null without a calibration.
   */
  cpuFraction: number | null;
}

/** `nfreplay capacity`: projections of the capture's traffic at several scales. */
export interface CapacityReport {
  /** The conntrack table's size the projections are compared with (net.netfilter.nf_conntrack_max). */
  conntrackMax: number;
  /** The calibration the CPU estimates use: its name (file or machine) and measured ns per rule evaluated; null when none was given. */
  calibration: { name: string; nsPerRule: number } | null;
  projections: CapacityProjection[];
}

export interface ReportData {
  /** The capture and the ruleset as named on the command line. */
  capture: string;
  rules: string;
  /** expected: the counters are expectations over every branch of the random draws (fractional). */
  statistic: 'sample' | 'expected' | 'enumerate';
  summary: ReportSummary;
  /** Every chain's counters with each rule's text, in iptables-save order. */
  tables: Array<TableCounters<RuleWithText>>;
  /** kube-proxy services' endpoint balance (kubeBalance); absent or empty without KUBE-SVC chains. */
  services?: ServiceBalance[];
  ordering?: OrderingReport;
  capacity?: CapacityReport;
}
