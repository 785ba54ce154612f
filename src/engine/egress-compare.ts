/**
 * What the capture shows leaving the host, compared with what the replay says leaves it.
 *
 * A capture taken on the host with directions (`tcpdump -i any`, pcapng with epb_flags)
 * holds every forwarded packet twice: arriving on one interface, then leaving another with
 * its TTL one lower. The replay decides the arrival; the copy seen leaving is not replayed
 * (it would be counted twice) but checked against that decision:
 *   - matched: the replay forwarded the arrival out of the interface the copy was seen on,
 *     with the same TTL and length;
 *   - differs: forwarded, but out of another interface, or with another TTL or length;
 *   - predicted-dropped: the capture shows it leaving, the replay dropped the arrival (a
 *     rule, routing, ip_forward's checks): the ruleset does not describe the host the
 *     capture was taken on, or the host model is wrong;
 *   - unexplained: seen leaving with no arrival in the capture to account for it;
 *   - not-observed: forwarded by the replay out of an interface on which the capture saw
 *     other packets leave, but never seen there.
 *
 * A copy is paired with its arrival by the IPv4 fields forwarding leaves alone (addresses as
 * NAT left them, protocol, identification, fragment offset and flags); a datagram conntrack
 * reassembled leaves as fragments, each of which pairs with the decision for the whole
 * (any fragment field, any number of them, each with its own length). The copy is written within
 * microseconds of the arrival, so only the last WINDOW forwarding decisions are searched;
 * the oldest unpaired one wins, as a retransmission with the same identification would be
 * paired in order. Decisions live in a ring of typed arrays: recording one allocates
 * nothing.
 */
import type { PacketView } from '../decode/view.js';

/** Forwarding decisions kept for pairing; older ones are final. */
const WINDOW = 1024;
/** Mismatches listed by example; the counts cover them all. */
const MAX_EXAMPLES = 20;

const EMPTY = 0;
const LEFT = 1;
const DROPPED = 2;
const PAIRED = 3;
/** A datagram conntrack reassembled: its copies leave as fragments, any number of them. */
const LEFT_WHOLE = 4;
const LEFT_WHOLE_SEEN = 5;
/** Fragment word of a whole-datagram decision: matches any fragment of that datagram. */
const ANY_FRAGMENT = 0xffff;

export type EgressMismatchKind = 'differs' | 'predicted-dropped' | 'unexplained' | 'not-observed';

export interface EgressMismatch {
  kind: EgressMismatchKind;
  /** The packet seen leaving (0 for not-observed). */
  packet: number;
  /** The arrival the replay decided (0 for unexplained). */
  arrival: number;
  detail: string;
}

/** What stopped an arrival (a PacketOutcome has these). */
export interface EgressStop {
  verdict: string;
  droppedAt?: { hook: string; table: string };
  reason?: string;
}

export interface EgressComparison {
  /** Packets the capture shows leaving that the host did not send itself. */
  observed: number;
  matched: number;
  differs: number;
  predictedDropped: number;
  unexplained: number;
  notObserved: number;
  /** Interfaces the capture saw forwarded packets leave by. */
  interfaces: string[];
  /** The first mismatches, in capture order of discovery. */
  examples: EgressMismatch[];
}

export class EgressComparer {
  private readonly src = new Int32Array(WINDOW);
  private readonly dst = new Int32Array(WINDOW);
  /** protocol << 16 | fragment word (flags and offset). */
  private readonly protoFrag = new Int32Array(WINDOW);
  private readonly ipId = new Int32Array(WINDOW);
  private readonly state = new Uint8Array(WINDOW);
  private readonly arrival = new Float64Array(WINDOW);
  private readonly ttl = new Int32Array(WINDOW);
  private readonly length = new Int32Array(WINDOW);
  private readonly out = new Int32Array(WINDOW);
  /** Why a DROPPED arrival did not leave: its verdict, where, and routing's reason (constant strings). */
  private readonly stopVerdict: string[] = new Array<string>(WINDOW).fill('');
  private readonly stopHook: string[] = new Array<string>(WINDOW).fill('');
  private readonly stopTable: string[] = new Array<string>(WINDOW).fill('');
  private readonly stopReason: string[] = new Array<string>(WINDOW).fill('');
  private next = 0;
  /** Interface names by number (`out` holds the numbers). */
  private readonly ifaceNames: string[] = [];
  private readonly ifaceNumbers = new Map<string, number>();
  /** Per interface number: forwarded by the replay, never seen leaving (decided when final). */
  private notObservedBy: number[] = [];
  private readonly firstNotObserved: { arrival: number; out: number }[] = [];
  private readonly watched = new Set<number>();
  private readonly result: EgressComparison = {
    observed: 0,
    matched: 0,
    differs: 0,
    predictedDropped: 0,
    unexplained: 0,
    notObserved: 0,
    interfaces: [],
    examples: [],
  };

  /**
   * The replay's decision for a received packet routed to be forwarded: `left` true when it
   * left by `outIface` with `ttl` and `length`; else `stop` says what stopped it (read now,
   * nothing kept of the object itself).
   */
  decided(view: PacketView, arrival: number, left: boolean, outIface: string, ttl: number, length: number, stop: EgressStop, reassembled = false): void {
    const i = this.next;
    this.next = (i + 1) % WINDOW;
    this.retire(i);
    this.src[i] = view.srcAddr | 0;
    this.dst[i] = view.dstAddr | 0;
    this.protoFrag[i] = (view.protocol << 16) | (reassembled ? ANY_FRAGMENT : fragWord(view));
    this.ipId[i] = view.ipId;
    this.state[i] = left ? (reassembled ? LEFT_WHOLE : LEFT) : DROPPED;
    this.arrival[i] = arrival;
    this.ttl[i] = ttl;
    this.length[i] = length;
    this.out[i] = this.ifaceNumber(outIface);
    this.stopVerdict[i] = stop.verdict;
    this.stopHook[i] = stop.droppedAt?.hook ?? '';
    this.stopTable[i] = stop.droppedAt?.table ?? '';
    this.stopReason[i] = stop.reason ?? '';
  }

  /** A packet the capture shows leaving by `outIface` that the host did not send. */
  observed(view: PacketView, packet: number, outIface: string): void {
    const r = this.result;
    r.observed++;
    const out = this.ifaceNumber(outIface);
    this.watched.add(out);
    const i = this.find(view);
    if (i < 0) {
      r.unexplained++;
      this.example('unexplained', packet, 0, `seen leaving ${outIface || '(unknown interface)'}; no arrival in the capture accounts for it`);
      return;
    }
    const arrival = this.arrival[i]!;
    if (this.state[i] === DROPPED) {
      this.state[i] = PAIRED;
      r.predictedDropped++;
      this.example('predicted-dropped', packet, arrival, `seen leaving ${outIface}; the replay did not forward #${arrival}: ${this.why(i)}`);
      return;
    }
    const whole = this.state[i] === LEFT_WHOLE || this.state[i] === LEFT_WHOLE_SEEN;
    // A fragment of a re-fragmented datagram: its siblings may follow; its length is its own.
    this.state[i] = whole ? LEFT_WHOLE_SEEN : PAIRED;
    const wantOut = this.ifaceNames[this.out[i]!]!;
    const ttl = this.ttl[i]!;
    const length = whole ? view.totalLength : this.length[i]!;
    if (this.out[i] === out && ttl === view.ttl && length === view.totalLength) {
      r.matched++;
      return;
    }
    r.differs++;
    this.example(
      'differs',
      packet,
      arrival,
      `seen leaving ${outIface} with TTL ${view.ttl}, length ${view.totalLength}; the replay sent #${arrival} out of ${wantOut} with TTL ${ttl}, length ${length}`,
    );
  }

  /** The comparison, once every packet is in. */
  finish(): EgressComparison {
    for (let i = 0; i < WINDOW; i++) this.retire(i);
    const r = this.result;
    r.interfaces = [...this.watched].map((n) => this.ifaceNames[n] || '(unknown)').sort();
    r.notObserved = 0;
    for (const n of this.watched) r.notObserved += this.notObservedBy[n] ?? 0;
    for (const f of this.firstNotObserved) {
      if (!this.watched.has(f.out)) continue;
      this.example('not-observed', 0, f.arrival, `the replay forwarded #${f.arrival} out of ${this.ifaceNames[f.out]}; the capture never shows it leaving`);
    }
    return r;
  }

  /** The oldest unpaired decision for the packet's IPv4 identity among the kept ones, or -1. */
  private find(view: PacketView): number {
    const src = view.srcAddr | 0;
    const dst = view.dstAddr | 0;
    const pf = (view.protocol << 16) | fragWord(view);
    const id = view.ipId;
    let found = -1;
    for (let k = 1; k <= WINDOW; k++) {
      const i = (this.next - k + WINDOW) % WINDOW;
      const s = this.state[i];
      if (s === EMPTY) break;
      if (s === PAIRED) continue;
      const frag = this.protoFrag[i]!;
      const same = frag === pf || ((frag & 0xffff) === ANY_FRAGMENT && frag >>> 16 === pf >>> 16);
      if (this.src[i] === src && this.dst[i] === dst && same && this.ipId[i] === id) found = i;
    }
    return found;
  }

  /** "DROP in filter FORWARD", "ROUTING-DROP (not-forwarding)". */
  private why(i: number): string {
    if (this.stopTable[i] !== '') return `${this.stopVerdict[i]} in ${this.stopTable[i]} ${this.stopHook[i]}`;
    return `${this.stopVerdict[i]}${this.stopReason[i] ? ` (${this.stopReason[i]})` : ''}`;
  }

  /** Makes slot `i` final: a forwarded packet never seen leaving is counted. */
  private retire(i: number): void {
    if (this.state[i] === LEFT || this.state[i] === LEFT_WHOLE) {
      const out = this.out[i]!;
      this.notObservedBy[out] = (this.notObservedBy[out] ?? 0) + 1;
      if (this.firstNotObserved.length < MAX_EXAMPLES) this.firstNotObserved.push({ arrival: this.arrival[i]!, out });
    }
    this.state[i] = EMPTY;
  }

  private ifaceNumber(name: string): number {
    let n = this.ifaceNumbers.get(name);
    if (n === undefined) {
      n = this.ifaceNames.length;
      this.ifaceNames.push(name);
      this.ifaceNumbers.set(name, n);
    }
    return n;
  }

  private example(kind: EgressMismatchKind, packet: number, arrival: number, detail: string): void {
    if (this.result.examples.length < MAX_EXAMPLES) this.result.examples.push({ kind, packet, arrival, detail });
  }
}

/** The IPv4 flags and fragment offset word as on the wire. */
function fragWord(view: PacketView): number {
  return (view.df ? 0x4000 : 0) | (view.mf ? 0x2000 : 0) | (view.fragOffset >>> 3);
}
