/**
 * The per-packet outputs of a part of a capture replayed on a thread (parallel-worker.ts):
 * verdict JSON lines, LOG and trace text, NFLOG, egress and drops pcap records, made by the
 * same code as the one-thread replay's (output-lines.ts, trace-nflog.ts, egress-pcaps.ts,
 * drops.ts) into memory, and returned as bytes whose buffers are transferred to the main
 * thread. The part's packets carry their numbers in the whole capture; only the drops'
 * frames (their places in the drops pcap) depend on the parts before, so FILE.json's lines
 * come without their start, which the main thread writes (dropLineHead).
 */
import { PcapRecords } from '../capture/writer.js';
import type { HostModel } from '../netfilter/host.js';
import type { LogLine } from './context.js';
import { DropFrames, dropLine, dropLineHead, dropRecord } from './drops.js';
import { EgressPcaps } from './egress-pcaps.js';
import { logLine, traceLine, verdictLine } from './output-lines.js';
import type { PacketState } from './packet.js';
import type { ReplayOptions } from './replay.js';
import { traceSelection } from './trace.js';
import { NflogPcaps } from './trace-nflog.js';

/** The per-packet outputs asked of a part. */
export interface PartOutputRequest {
  verdicts: boolean;
  log: boolean;
  /** --trace, with --trace-packets and --trace-filter as given. */
  trace?: { packets?: string; filter?: string };
  nflog: boolean;
  egress: boolean;
  drops: boolean;
}

/** A file's records from one part. */
export interface PcapPart<K> {
  key: K;
  records: Uint8Array;
  packets: number;
}

/** --drops from one part. */
export interface DropsPart {
  /** The pcap's link type (-1: the part dropped nothing). */
  linktype: number;
  records: Uint8Array;
  packets: number;
  unwritten: number;
  /** Per drop: its packet number, and its frame in the part's records (-1: not written). */
  numbers: Float64Array;
  /** Per drop: its FILE.json line after dropLineHead, newline included. */
  tails: Uint8Array;
}

/** One part's outputs, in packet order, numbered as in the whole capture. */
export interface PartOutputs {
  verdicts?: Uint8Array;
  log?: Uint8Array;
  trace?: Uint8Array;
  nflog: Array<PcapPart<number>>;
  egress: Array<PcapPart<string>>;
  drops?: DropsPart;
}

const encoder = new TextEncoder();

/** UTF-8 text in a buffer that grows. */
class TextBytes {
  private buf = new Uint8Array(1 << 16);
  private used = 0;

  write(text: string): void {
    // At most 3 bytes per UTF-16 code unit.
    const most = this.used + 3 * text.length;
    if (most > this.buf.length) {
      const grown = new Uint8Array(Math.max(most, 2 * this.buf.length));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    this.used += encoder.encodeInto(text, this.buf.subarray(this.used)).written;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }
}

const inMemory = (_path: string, opts: ConstructorParameters<typeof PcapRecords>[0]): PcapRecords => new PcapRecords(opts);

/** A part's outputs as they are made: the replay's hooks, then the bytes. */
export class PartOutputCollector {
  private readonly verdicts: TextBytes | undefined;
  private readonly log: TextBytes | undefined;
  private readonly trace: TextBytes | undefined;
  private readonly nflog: NflogPcaps<PcapRecords> | undefined;
  private readonly egress: EgressPcaps<PcapRecords> | undefined;
  private readonly drops: DropFrames<PcapRecords> | undefined;
  private readonly dropTails: TextBytes | undefined;
  private readonly dropNumbers: number[] = [];
  private readonly select: ((pkt: PacketState) => boolean) | undefined;

  constructor(request: PartOutputRequest, host: HostModel) {
    const text = (asked: unknown): TextBytes | undefined => (asked ? new TextBytes() : undefined);
    this.verdicts = text(request.verdicts);
    this.log = text(request.log);
    this.trace = text(request.trace);
    this.select = request.trace && traceSelection(request.trace.packets, request.trace.filter);
    this.nflog = request.nflog ? new NflogPcaps('', inMemory) : undefined;
    this.egress = request.egress ? new EgressPcaps('', host, inMemory) : undefined;
    this.drops = request.drops ? new DropFrames((linktype) => new PcapRecords({ linktype, precision: 'nanosecond' })) : undefined;
    this.dropTails = text(request.drops);
  }

  /** LOG and TRACE lines (the thread's runtime calls it). */
  readonly onLog = (l: LogLine): void => this.log?.write(logLine(l));

  /** NFLOG copies (the thread's runtime calls it). */
  readonly onNflog = (group: number, _prefix: string, pkt: PacketState, size?: number): void => this.nflog?.write(group, pkt, size);

  /** The replay's hooks for the outputs asked, as the one-thread replay sets them. */
  hooks(): Pick<ReplayOptions, 'paths' | 'trace' | 'onLog' | 'onNflog' | 'onEgress' | 'onDrop' | 'onVerdict'> {
    const { verdicts, trace, select, egress, drops, dropTails, dropNumbers } = this;
    return {
      // --drops names the rule that dropped each packet: every packet's path is recorded.
      paths: verdicts !== undefined || drops !== undefined,
      trace: trace && select ? { select, onLine: (p, line) => trace.write(traceLine(p, line)) } : undefined,
      onLog: this.log && this.onLog,
      onNflog: this.nflog && this.onNflog,
      onEgress: egress ? (p, iface) => egress.write(p, iface) : undefined,
      onDrop:
        drops && dropTails
          ? (d) => {
              const r = dropRecord(d);
              r.frame = drops.write(d);
              dropNumbers.push(r.packet, r.frame ?? -1);
              dropTails.write(dropLine(r).slice(dropLineHead(r.packet, r.frame).length));
            }
          : undefined,
      onVerdict: verdicts ? (o) => verdicts.write(verdictLine(o)) : undefined,
    };
  }

  /** The outputs, and the buffers to transfer with them. */
  finish(): { outputs: PartOutputs; transfer: ArrayBuffer[] } {
    const transfer: ArrayBuffer[] = [];
    const take = (b: Uint8Array): Uint8Array => {
      transfer.push(b.buffer as ArrayBuffer);
      return b;
    };
    const pcaps = <K>(files: Iterable<[K, PcapRecords]>): Array<PcapPart<K>> => [...files].map(([key, r]) => ({ key, records: take(r.bytes()), packets: r.packets }));
    const outputs: PartOutputs = {
      verdicts: this.verdicts && take(this.verdicts.bytes()),
      log: this.log && take(this.log.bytes()),
      trace: this.trace && take(this.trace.bytes()),
      nflog: this.nflog ? pcaps(this.nflog.files()) : [],
      egress: this.egress ? pcaps(this.egress.files()) : [],
    };
    if (this.drops !== undefined && this.dropTails !== undefined) {
      const linktype = this.drops.fileLinktype;
      const file = linktype >= 0 ? this.drops.file(linktype) : undefined;
      const numbers = new Float64Array(this.dropNumbers);
      transfer.push(numbers.buffer);
      outputs.drops = {
        linktype,
        records: take(file?.bytes() ?? new Uint8Array(0)),
        packets: file?.packets ?? 0,
        unwritten: this.drops.unwritten,
        numbers,
        tails: take(this.dropTails.bytes()),
      };
    }
    return { outputs, transfer };
  }
}
