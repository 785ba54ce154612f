/**
 * The replay's implementation of ReplayRuntime: seeded randomness (so a replay is
 * reproducible), shared named tables, and the sinks side effects go to. Notes count what
 * could not be modelled, by name, so the summary can say how many packets each affected.
 */
import type { HostModel } from '../netfilter/host.js';
import type { PacketState } from './packet.js';
import { mulberry32 } from './random.js';
import type { NatService, ReplayRuntime } from './runtime.js';
import type { RejectReply } from '../rules/ext/REJECT.js';
import type { HostReplies } from './host-replies.js';

export interface LogLine {
  /** Packet number in the capture. */
  packet: number;
  tsSec: number;
  tsNsec: number;
  level: number;
  text: string;
}

export interface ContextOptions {
  host: HostModel;
  seed: number;
  /** Receives LOG lines as they are produced (in packet order). */
  onLog?: (line: LogLine) => void;
  onNflog?: (group: number, prefix: string, pkt: PacketState, size?: number) => void;
  /** Decides statistic --mode random instead of the seeded draw (--statistic expected). */
  statistic?: (pkt: PacketState, probability: number, invert: boolean) => boolean;
}

export class ReplayContext implements ReplayRuntime {
  readonly host: HostModel;
  /** The replay's seeded generator (mulberry32). */
  private readonly next: () => number;
  private readonly tables = new Map<string, unknown>();
  readonly notes = new Map<string, number>();
  /** Set by the replay when the ruleset has a nat table. */
  nat: NatService | undefined;
  /** Set by the replay: the host's replies (host-replies.ts), REJECT's among them; without it, REJECT is only noted. */
  replies: HostReplies | undefined;
  private readonly onLog: ((line: LogLine) => void) | undefined;
  private readonly onNflog: ((group: number, prefix: string, pkt: PacketState, size?: number) => void) | undefined;
  private readonly decide: ((pkt: PacketState, probability: number, invert: boolean) => boolean) | undefined;

  constructor(opts: ContextOptions) {
    this.host = opts.host;
    this.next = mulberry32(opts.seed);
    this.onLog = opts.onLog;
    this.onNflog = opts.onNflog;
    this.decide = opts.statistic;
  }

  random32(): number {
    return this.next();
  }

  /** statistic_mt's prandom_u32() & 0x7fffffff < probability, from the seeded generator. */
  statisticRandom(pkt: PacketState, probability: number, invert: boolean): boolean {
    if (this.decide !== undefined) return this.decide(pkt, probability, invert);
    return ((this.next() & 0x7fffffff) < probability) !== invert;
  }

  shared<T>(kind: string, name: string, create: () => T): T {
    const key = `${kind}\u0000${name}`;
    let table = this.tables.get(key) as T | undefined;
    if (table === undefined) {
      table = create();
      this.tables.set(key, table);
    }
    return table;
  }

  log(level: number, text: string, pkt: PacketState): void {
    this.onLog?.({ packet: pkt.number, tsSec: pkt.tsSec, tsNsec: pkt.tsNsec, level, text });
  }

  nflog(group: number, prefix: string, pkt: PacketState, size?: number): void {
    this.onNflog?.(group, prefix, pkt, size);
  }

  reject(pkt: PacketState, reply: RejectReply): void {
    if (this.replies !== undefined) this.replies.request(pkt, reply);
    else this.note('reject.reply');
  }

  note(event: string): void {
    this.notes.set(event, (this.notes.get(event) ?? 0) + 1);
  }
}
