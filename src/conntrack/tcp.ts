/**
 * TCP connection tracking, ported from Linux 6.18 net/netfilter/nf_conntrack_proto_tcp.c
 * (facts from the kernel, code our own). The state machine is the kernel's table
 * `tcp_conntracks`, the window check is `tcp_in_window` (Guido van Rooij's "Real Stateful
 * TCP Packet Filtering", as the kernel adapted it), and `tcpPacket` follows
 * `nf_conntrack_tcp_packet` step by step: the special cases around the table (ignored
 * packets, reopening from TIME_WAIT, RST checks), the window check, then the timeout.
 *
 * Allocation-free per packet: the per-connection state is a `TcpConn` the caller owns, the
 * segment is read through a `TcpSegment` the caller fills once per packet, and the outcome
 * is written into a reused `TcpResult`. Sequence numbers are uint32 held in JS numbers;
 * comparisons are the kernel's before()/after() (signed 32-bit difference).
 *
 * What stays with the caller (nf_conntrack_core's business, not this file's): the entry's
 * status bits (IPS_SEEN_REPLY is set after the packet that first travels in the reply
 * direction has been handled, IPS_ASSURED when `setAssured` says so), timers, counters,
 * deleting the entry, and the IPS_FIXED_TIMEOUT bit (a fixed-timeout entry ignores
 * `refresh`). Not modelled: NAT sequence adjustment (nf_ct_seq_offset is 0 without a
 * helper that mangles payloads), SYN proxy, cttimeout policies (pass other timeouts in
 * `TcpSysctls` instead), and log messages.
 */
import { TcpFlag } from '../decode/view.js';

/** enum tcp_conntrack, in the kernel's order; TCP_STATE_NAMES has the names conntrack -L prints. */
export const TcpState = {
  NONE: 0,
  SYN_SENT: 1,
  SYN_RECV: 2,
  ESTABLISHED: 3,
  FIN_WAIT: 4,
  CLOSE_WAIT: 5,
  LAST_ACK: 6,
  TIME_WAIT: 7,
  CLOSE: 8,
  /** TCP_CONNTRACK_SYN_SENT2 (the obsolete LISTEN slot): SYN seen in both directions. */
  SYN_SENT2: 9,
} as const;

/** tcp_conntrack_names[]: what /proc/net/nf_conntrack and conntrack -L print. */
export const TCP_STATE_NAMES: readonly string[] = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT',
  'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
];

/** Indexes into `TcpSysctls.timeouts` past the states (TCP_CONNTRACK_RETRANS, _UNACK). */
export const TCP_TIMEOUT_RETRANS = 12;
export const TCP_TIMEOUT_UNACK = 13;
/** TCP_CONNTRACK_TIMEOUT_MAX: length of the timeouts array. */
export const TCP_TIMEOUT_MAX = 14;

/** Per-direction flags (ip_ct_tcp_state.flags) and ip_ct_tcp.last_flags bits. */
export const TcpCtFlag = {
  WINDOW_SCALE: 0x01,
  SACK_PERM: 0x02,
  /** This direction sent the first FIN. */
  CLOSE_INIT: 0x04,
  BE_LIBERAL: 0x08,
  DATA_UNACKNOWLEDGED: 0x10,
  MAXACK_SET: 0x20,
  /** last_flags only: an RFC 5961 challenge ACK may answer the SYN we let through. */
  EXP_CHALLENGE_ACK: 0x40,
  /** last_flags only: a SYN came from both sides. */
  SIMULTANEOUS_OPEN: 0x80,
} as const;

/** enum tcp_bit_set: the row of the table, from get_conntrack_index. */
export const TcpIndex = { SYN: 0, SYNACK: 1, FIN: 2, ACK: 3, RST: 4, NONE: 5 } as const;

export interface TcpSysctls {
  /** net.netfilter.nf_conntrack_tcp_loose: pick up connections from mid-stream packets. */
  loose: boolean;
  /** nf_conntrack_tcp_be_liberal: accept out-of-window packets. */
  beLiberal: boolean;
  /** nf_conntrack_tcp_max_retrans. */
  maxRetrans: number;
  /** nf_conntrack_tcp_ignore_invalid_rst: skip the RST sequence-number check. */
  ignoreInvalidRst: boolean;
  /** Seconds, indexed by TcpState, TCP_TIMEOUT_RETRANS and TCP_TIMEOUT_UNACK. */
  timeouts: Float64Array;
}

/** tcp_timeouts[] and nf_conntrack_tcp_init_net(). */
export function defaultTcpSysctls(): TcpSysctls {
  const t = new Float64Array(TCP_TIMEOUT_MAX);
  t[TcpState.SYN_SENT] = 120;
  t[TcpState.SYN_RECV] = 60;
  t[TcpState.ESTABLISHED] = 5 * 24 * 3600;
  t[TcpState.FIN_WAIT] = 120;
  t[TcpState.CLOSE_WAIT] = 60;
  t[TcpState.LAST_ACK] = 30;
  t[TcpState.TIME_WAIT] = 120;
  t[TcpState.CLOSE] = 10;
  t[TcpState.SYN_SENT2] = 120;
  t[TCP_TIMEOUT_RETRANS] = 300;
  t[TCP_TIMEOUT_UNACK] = 300;
  // timeouts[0] is unused; the kernel makes it SYN_SENT's so it reads as the "new" timeout.
  t[TcpState.NONE] = t[TcpState.SYN_SENT];
  return { loose: true, beLiberal: false, maxRetrans: 3, ignoreInvalidRst: false, timeouts: t };
}

/** The sysctl behind each timeout (SYN_SENT2 has none: fixed at 120 s). */
const TIMEOUT_SYSCTLS: readonly (readonly [string, number])[] = [
  ['syn_sent', TcpState.SYN_SENT], ['syn_recv', TcpState.SYN_RECV],
  ['established', TcpState.ESTABLISHED], ['fin_wait', TcpState.FIN_WAIT],
  ['close_wait', TcpState.CLOSE_WAIT], ['last_ack', TcpState.LAST_ACK],
  ['time_wait', TcpState.TIME_WAIT], ['close', TcpState.CLOSE],
  ['max_retrans', TCP_TIMEOUT_RETRANS], ['unacknowledged', TCP_TIMEOUT_UNACK],
];

/**
 * Settings from the `net.netfilter.nf_conntrack_tcp_*` sysctls (timeouts in seconds):
 * `sysctl` maps a full name to its value, or undefined to keep the kernel default.
 */
export function tcpSysctlsFrom(sysctl: (name: string) => number | undefined): TcpSysctls {
  const s = defaultTcpSysctls();
  const get = (name: string): number | undefined => sysctl(`net.netfilter.nf_conntrack_tcp_${name}`);
  s.loose = (get('loose') ?? 1) !== 0;
  s.beLiberal = (get('be_liberal') ?? 0) !== 0;
  s.maxRetrans = get('max_retrans') ?? 3;
  s.ignoreInvalidRst = (get('ignore_invalid_rst') ?? 0) !== 0;
  for (const [name, i] of TIMEOUT_SYSCTLS) s.timeouts[i] = get(`timeout_${name}`) ?? s.timeouts[i]!;
  return s;
}

/**
 * A direction's struct ip_ct_tcp_state in TcpConn.n, from its base (dir * TD_SIZE): td_end,
 * td_maxend, td_maxwin, td_maxack, td_scale and flags.
 */
const TD_END = 0, TD_MAXEND = 1, TD_MAXWIN = 2, TD_MAXACK = 3, TD_SCALE = 4, TD_FLAGS = 5, TD_SIZE = 6;
/** TcpConn.n past the two directions: struct ip_ct_tcp's last_seq, last_ack, last_end. */
const LAST_SEQ = 2 * TD_SIZE, LAST_ACK = LAST_SEQ + 1, LAST_END = LAST_SEQ + 2, N_SIZE = LAST_SEQ + 3;

/** One direction's window data (struct ip_ct_tcp_state), read from its connection's numbers. */
export class TcpWindow {
  constructor(
    private readonly n: Uint32Array,
    private readonly base: number,
  ) {}

  /** td_end: highest seq + len sent. */
  get end(): number {
    return this.n[this.base + TD_END]!;
  }

  /** td_maxend: highest ack + window the other side advertised. */
  get maxend(): number {
    return this.n[this.base + TD_MAXEND]!;
  }

  /** td_maxwin: largest window (plus SACKed bytes) advertised. 0: not initialised yet. */
  get maxwin(): number {
    return this.n[this.base + TD_MAXWIN]!;
  }

  /** td_maxack: highest ack sent (valid with MAXACK_SET). */
  get maxack(): number {
    return this.n[this.base + TD_MAXACK]!;
  }

  /** td_scale: window scale factor. */
  get scale(): number {
    return this.n[this.base + TD_SCALE]!;
  }

  get flags(): number {
    return this.n[this.base + TD_FLAGS]!;
  }
}

/** Per-connection TCP data: struct ip_ct_tcp. */
export class TcpConn {
  state = 0;
  /** Direction and table row of the last packet that counted (u8 in the kernel). */
  lastDir = 0;
  lastIndex = 0;
  /** Raw (unscaled) window of the last ACK (u16). */
  lastWin = 0;
  /** Options of a SYN we let through while out of sync. */
  lastWscale = 0;
  lastFlags = 0;
  /** Identical ACKs in a row (u8: wraps at 256). */
  retrans = 0;

  /**
   * Where its uint32s are: from `base` in `n`, both directions' ip_ct_tcp_state (from
   * base + dir * TD_SIZE), then last_seq, last_ack and last_end. An array (its entry's
   * record in the table's EntryStore, shared with other connections) rather than fields: a field holding a number past 2^30
   * is a heap number of its own, and the dozen objects of a connection, read one after the
   * other at each packet, were cache misses in a replay that streams its capture through
   * the cache, and garbage collector work (bench/replay-conntrack.mjs).
   */
  constructor(
    readonly n: Uint32Array = new Uint32Array(N_SIZE),
    readonly base = 0,
  ) {}

  /** Both directions' window data, for reading (made on each call: tracking reads `n`). */
  get seen(): readonly [TcpWindow, TcpWindow] {
    return [new TcpWindow(this.n, this.base), new TcpWindow(this.n, this.base + TD_SIZE)];
  }

  /** The memset(&ct->proto.tcp, 0) of tcp_new. */
  reset(): void {
    this.state = this.lastDir = this.lastIndex = 0;
    this.lastWin = this.lastWscale = this.lastFlags = this.retrans = 0;
    this.n.fill(0, this.base, this.base + N_SIZE);
  }
}

/** The segment, filled by the caller from the decoded packet once per packet. */
export interface TcpSegment {
  seq: number;
  ack: number;
  /** Byte 13 of the header, ECE and CWR included (TcpFlag bits). */
  flags: number;
  /** Raw window field. */
  window: number;
  /** The header's data offset field, in 32-bit words (header length / 4). */
  dataOffset: number;
  /** Bytes after the header as the IP length says (skb->len - dataoff - doff * 4). */
  payloadLength: number;
  /** Bytes holding the options: `optionsLength` of them from `optionsOffset`. */
  data: Uint8Array;
  optionsOffset: number;
  /** Option bytes available: dataOffset * 4 - 20, or fewer when the capture cut them. */
  optionsLength: number;
}

/** What nf_conntrack_tcp_packet returns. */
export const TcpVerdict = {
  /** NF_ACCEPT: the packet belongs to the entry (it may still have been ignored: see `refresh`). */
  ACCEPT: 0,
  /** -NF_ACCEPT: the packet is INVALID; it goes on without a conntrack entry. */
  INVALID: 1,
  /** -NF_REPEAT: kill the entry and handle the packet again, as a new connection. */
  REPEAT: 2,
  /** NF_DROP: the kill for REPEAT failed (entry already dying). Never returned here. */
  DROP: 3,
} as const;

export interface TcpResult {
  verdict: number;
  /**
   * Re-arm the entry's timer to now + timeoutSeconds (unless it has a fixed timeout). Also
   * set with INVALID when nf_tcp_handle_invalid shortens the timer of a dying connection.
   * False for ignored packets: they leave the timer (and the counters) alone.
   */
  refresh: boolean;
  timeoutSeconds: number;
  /** Count the packet in the entry's counters (nf_ct_refresh_acct, nf_ct_kill_acct). */
  account: boolean;
  /** Delete the entry: after this packet (a RST while no reply was seen: nf_ct_kill_acct), or before handling it again (REPEAT). */
  kill: boolean;
  /** Set IPS_ASSURED. */
  setAssured: boolean;
  /** The TCP state changed (an IPCT_PROTOINFO event). */
  stateChanged: boolean;
}

export function newTcpResult(): TcpResult {
  return { verdict: 0, refresh: false, timeoutSeconds: 0, account: false, kill: false, setAssured: false, stateChanged: false };
}

// Table cells: the states plus the two pseudo-states of the kernel table.
const sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7, sCL = 8, sS2 = 9;
/** TCP_CONNTRACK_MAX: the packet is invalid. */
const sIV = 10;
/** TCP_CONNTRACK_IGNORE: let it through without touching the state (we may be out of sync). */
const sIG = 11;

/**
 * tcp_conntracks[dir][index][state], flattened: (dir * 6 + index) * 10 + state.
 * Rows are get_conntrack_index's; see the kernel's comments for each transition's reason.
 */
// prettier-ignore
const TABLE = Uint8Array.from([
  // ORIGINAL  sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
  /* syn    */ sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2,
  /* synack */ sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR,
  /* fin    */ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
  /* ack    */ sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV,
  /* rst    */ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* none   */ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
  // REPLY     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
  /* syn    */ sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2,
  /* synack */ sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR,
  /* fin    */ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
  /* ack    */ sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG,
  /* rst    */ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* none   */ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
]);

/** The table's next state for a packet (sIV 10, sIG 11 included). */
export function tcpNextState(dir: 0 | 1, index: number, state: number): number {
  return TABLE[(dir * 6 + index) * 10 + state]!;
}

/** get_conntrack_index: RST wins, then SYN (with or without ACK), FIN, ACK. */
export function tcpConntrackIndex(flags: number): number {
  if (flags & TcpFlag.RST) return TcpIndex.RST;
  if (flags & TcpFlag.SYN) return flags & TcpFlag.ACK ? TcpIndex.SYNACK : TcpIndex.SYN;
  if (flags & TcpFlag.FIN) return TcpIndex.FIN;
  if (flags & TcpFlag.ACK) return TcpIndex.ACK;
  return TcpIndex.NONE;
}

/** before(a, b) of include/net/tcp.h: a precedes b modulo 2^32. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** segment_seq_plus_len: the sequence number after the segment (SYN and FIN count one). */
function segmentEnd(seg: TcpSegment): number {
  const f = seg.flags;
  return (seg.seq + seg.payloadLength + (f & TcpFlag.SYN ? 1 : 0) + (f & TcpFlag.FIN ? 1 : 0)) >>> 0;
}

/** tcp_valid_flags[]: the allowed combinations of FIN, SYN, RST, ACK, URG (PSH, ECE, CWR never matter). */
const VALID_FLAGS = new Uint8Array(0x40);
for (const f of [0x02, 0x22, 0x12, 0x04, 0x14, 0x11, 0x31, 0x10, 0x30]) VALID_FLAGS[f] = 1;

/**
 * tcp_error: true when the packet is invalid before any state is looked at: a header
 * shorter than 20 bytes or longer than the segment (`l4Length`: the IP payload length),
 * a bad checksum (`badChecksum`: the caller decides; the kernel checks only with
 * nf_conntrack_checksum=1 in PRE_ROUTING), or a flag combination tcp_valid_flags refuses
 * (no flags, FIN without ACK, SYN+FIN, SYN+RST…).
 */
export function tcpError(seg: TcpSegment, l4Length: number, badChecksum = false): boolean {
  if (seg.dataOffset < 5 || l4Length < seg.dataOffset * 4) return true;
  if (badChecksum) return true;
  return VALID_FLAGS[seg.flags & ~(TcpFlag.ECE | TcpFlag.CWR | TcpFlag.PSH) & 0x3f] === 0;
}

/** How many option bytes the walks may read: the header's, within what was captured. */
function optionsLength(seg: TcpSegment): number {
  const len = seg.dataOffset * 4 - 20;
  return len < seg.optionsLength ? len : seg.optionsLength;
}

/**
 * tcp_options: window scale (capped at 14) and SACK-permitted into the ip_ct_tcp_state at
 * `w` in `n`. With any option bytes at all, the old scale and flags (but BE_LIBERAL) are
 * cleared first; a header without options leaves them as they were.
 */
function tcpOptions(seg: TcpSegment, n: Uint32Array, w: number): void {
  let length = optionsLength(seg);
  if (length <= 0) return;
  const d = seg.data;
  let p = seg.optionsOffset;
  n[w + TD_SCALE] = 0;
  n[w + TD_FLAGS]! &= TcpCtFlag.BE_LIBERAL;
  while (length > 0) {
    const opcode = d[p++]!;
    if (opcode === 0) return; // EOL
    if (opcode === 1) { // NOP
      length--;
      continue;
    }
    if (length < 2) return;
    const opsize = d[p++]!;
    if (opsize < 2 || opsize > length) return; // silly or partial option
    if (opcode === 4 && opsize === 2) n[w + TD_FLAGS]! |= TcpCtFlag.SACK_PERM;
    else if (opcode === 3 && opsize === 3) {
      n[w + TD_SCALE] = Math.min(d[p]!, 14); // TCP_MAX_WSCALE (RFC 7323)
      n[w + TD_FLAGS]! |= TcpCtFlag.WINDOW_SCALE;
    }
    p += opsize - 2;
    length -= opsize;
  }
}

/**
 * The segment's numbers as tcp_in_window works on them (uint32): seq, ack, the highest
 * SACKed edge, the window (scaled once checked) and seq + len. Its helpers read them here
 * rather than take them as arguments: V8 boxes a number past 2^30 in a new heap number
 * when it crosses a call it did not inline, which was an allocation per packet or more.
 */
const NUM = new Uint32Array(5);
const SEQ = 0, ACK = 1, SACK = 2, WIN = 3, END = 4;

/** tcp_sack: the highest right edge among the first SACK option's blocks, into NUM[SACK] if after it. */
function tcpSack(seg: TcpSegment): void {
  let length = optionsLength(seg);
  if (length <= 0) return;
  const d = seg.data;
  let p = seg.optionsOffset;
  // Fast path: only an aligned timestamp option (NOP, NOP, TS, 10).
  if (length === 12 && d[p] === 1 && d[p + 1] === 1 && d[p + 2] === 8 && d[p + 3] === 10) return;
  while (length > 0) {
    const opcode = d[p++]!;
    if (opcode === 0) return;
    if (opcode === 1) {
      length--;
      continue;
    }
    if (length < 2) return;
    const opsize = d[p++]!;
    if (opsize < 2 || opsize > length) return;
    if (opcode === 5 && opsize >= 10 && (opsize - 2) % 8 === 0) {
      for (let i = 0; i < opsize - 2; i += 8) {
        const q = p + i + 4; // right edge of the block
        const edge = ((d[q]! << 24) | (d[q + 1]! << 16) | (d[q + 2]! << 8) | d[q + 3]!) >>> 0;
        if (after(edge, NUM[SACK]!)) NUM[SACK] = edge;
      }
      return;
    }
    p += opsize - 2;
    length -= opsize;
  }
}

/**
 * tcp_new: may this packet create an entry? A SYN starts one in SYN_SENT; with
 * nf_conntrack_tcp_loose any other packet the table lets through from NONE (an ACK, as FIN,
 * RST and flagless packets are invalid there) picks up a connection mid-stream, assuming
 * SACK and liberal window checking since the handshake's options were missed. On true,
 * `conn` is initialised; the caller then runs tcpPacket in the original direction.
 */
export function tcpNew(conn: TcpConn, seg: TcpSegment, sys: TcpSysctls): boolean {
  const next = tcpNextState(0, tcpConntrackIndex(seg.flags), sNO);
  if (next >= sIV) return false;
  if (next !== TcpState.SYN_SENT && !sys.loose) return false;
  conn.reset();
  const n = conn.n;
  const w = conn.base;
  n[w + TD_END] = segmentEnd(seg);
  n[w + TD_MAXWIN] = seg.window === 0 ? 1 : seg.window;
  if (next === TcpState.SYN_SENT) {
    n[w + TD_MAXEND] = n[w + TD_END]!;
    tcpOptions(seg, n, w);
  } else {
    n[w + TD_MAXEND] = n[w + TD_END]! + n[w + TD_MAXWIN]!;
    n[w + TD_FLAGS] = n[w + TD_SIZE + TD_FLAGS] = TcpCtFlag.SACK_PERM | TcpCtFlag.BE_LIBERAL;
  }
  conn.lastIndex = TcpIndex.NONE; // tcp_packet sets the rest
  return true;
}

/** enum nf_ct_tcp_action. */
const WIN_IGNORE = 0, WIN_INVALID = 1, WIN_ACCEPT = 2;

/** nf_tcp_log_invalid: a liberal sender (or sysctl) turns any failed check into ACCEPT. */
function failed(n: Uint32Array, sender: number, sys: TcpSysctls, action: number): number {
  return n[sender + TD_FLAGS]! & TcpCtFlag.BE_LIBERAL || sys.beLiberal ? WIN_ACCEPT : action;
}

/**
 * tcp_init_sender: a SYN/ACK answering the SYN, or the reply SYN of a simultaneous open,
 * (re)starts this direction's window. Scaling holds only if both SYNs carried the option.
 */
function initSender(n: Uint32Array, sender: number, receiver: number, seg: TcpSegment, dir: 0 | 1): void {
  n[sender + TD_END] = n[sender + TD_MAXEND] = NUM[END]!;
  n[sender + TD_MAXWIN] = seg.window === 0 ? 1 : seg.window;
  tcpOptions(seg, n, sender);
  if (dir === 1 && !(n[sender + TD_FLAGS]! & n[receiver + TD_FLAGS]! & TcpCtFlag.WINDOW_SCALE)) {
    n[sender + TD_SCALE] = n[receiver + TD_SCALE] = 0;
  }
}

/** MAXACKWINDOW: how far below the receiver's end an ack may lag. */
function maxAckWindow(n: Uint32Array, sender: number): number {
  const maxwin = n[sender + TD_MAXWIN]!;
  return maxwin > 66000 ? maxwin : 66000;
}

/**
 * tcp_in_window, returning WIN_*. Bounds (sender sends seq..end, acks up to sack):
 * I. seq <= sender.maxend; II. end >= sender.end - receiver.maxwin;
 * III. sack <= receiver.end; IV. sack >= receiver.end - MAXACKWINDOW.
 * The checks run on the old data; only an accepted packet updates it.
 */
function tcpInWindow(conn: TcpConn, dir: 0 | 1, index: number, seg: TcpSegment, sys: TcpSysctls): number {
  const n = conn.n;
  const sender = conn.base + dir * TD_SIZE;
  const receiver = conn.base + (1 - dir) * TD_SIZE;
  const f = seg.flags;
  const num = NUM;
  num[SEQ] = seg.seq;
  num[ACK] = num[SACK] = seg.ack;
  if (n[receiver + TD_FLAGS]! & TcpCtFlag.SACK_PERM) tcpSack(seg);
  num[WIN] = seg.window;
  num[END] = segmentEnd(seg);

  if (n[sender + TD_MAXWIN] === 0) {
    if (f & TcpFlag.SYN) {
      initSender(n, sender, receiver, seg, dir);
      if (!(f & TcpFlag.ACK)) return WIN_ACCEPT; // simultaneous open
    } else {
      pickUpSender(n, sender, receiver);
    }
  } else if (f & TcpFlag.SYN && after(num[END]!, n[sender + TD_END]!) &&
             (conn.state === TcpState.SYN_SENT || conn.state === TcpState.SYN_RECV)) {
    // RFC 793: a reinitialised TCP uses higher sequence numbers; start this direction over.
    initSender(n, sender, receiver, seg, dir);
    if (dir === 1 && !(f & TcpFlag.ACK)) return WIN_ACCEPT;
  }

  // No ACK, or a RST+ACK with ack 0 from a broken stack: pretend it acked what was sent.
  if (!(f & TcpFlag.ACK) || (f & TcpFlag.RST && num[ACK] === 0)) num[ACK] = num[SACK] = n[receiver + TD_END]!;
  // A RST with seq 0 answering a SYN.
  if (f & TcpFlag.RST && num[SEQ] === 0 && conn.state === TcpState.SYN_SENT) num[SEQ] = num[END] = n[sender + TD_END]!;

  if (!before(num[SEQ]!, n[sender + TD_MAXEND]! + 1)) return overUpperBound(n, sender, receiver, sys);
  if (!before(num[SACK]!, n[receiver + TD_END]! + 1)) return failed(n, sender, sys, WIN_INVALID); // acks unseen data
  if (n[receiver + TD_MAXWIN] !== 0 && !after(num[END]!, n[sender + TD_END]! - n[receiver + TD_MAXWIN]! - 1)) {
    return failed(n, sender, sys, WIN_IGNORE); // already-acked data retransmitted
  }
  if (!after(num[SACK]!, n[receiver + TD_END]! - maxAckWindow(n, sender) - 1)) {
    return failed(n, sender, sys, WIN_IGNORE); // overly delayed ACK
  }

  if (!(f & TcpFlag.SYN)) num[WIN] = num[WIN]! << n[sender + TD_SCALE]!; // stored as uint32
  updateWindows(n, sender, receiver, f);
  if (index === TcpIndex.ACK) countRetransmission(conn, dir, seg.window);
  return WIN_ACCEPT;
}

/** tcp_in_window's first packet of a direction that is not a SYN: take its word for it. */
function pickUpSender(n: Uint32Array, sender: number, receiver: number): void {
  const end = NUM[END]!;
  const sack = NUM[SACK]!;
  n[sender + TD_END] = end;
  const swin = (NUM[WIN]! << n[sender + TD_SCALE]!) >>> 0;
  n[sender + TD_MAXWIN] = swin === 0 ? 1 : swin;
  n[sender + TD_MAXEND] = end + n[sender + TD_MAXWIN]!;
  if (n[receiver + TD_MAXWIN] === 0) {
    // Nothing seen the other way yet: make III and IV pass until it is.
    n[receiver + TD_END] = n[receiver + TD_MAXEND] = sack;
  } else if (sack === ((n[receiver + TD_END]! + 1) >>> 0)) {
    n[receiver + TD_END]!++; // likely the answer to a keepalive
  }
}

/**
 * Bound I failed. Data overshooting the receiver's window by no more than its size, with
 * an acceptable ack, is remembered (td_end moves) so that the peer's ACK of it is not
 * out of window later; the packet itself is ignored. Anything else is invalid.
 */
function overUpperBound(n: Uint32Array, sender: number, receiver: number, sys: TcpSysctls): number {
  const end = NUM[END]!;
  const sack = NUM[SACK]!;
  const recvEnd = n[receiver + TD_END]!;
  const recvMaxwin = n[receiver + TD_MAXWIN]!;
  const overshot = (end - n[sender + TD_MAXEND]! + 1) >>> 0;
  const ackOk = after(sack, recvEnd - maxAckWindow(n, sender) - 1);
  const inRecvWin = recvMaxwin !== 0 && after(end, n[sender + TD_END]! - recvMaxwin - 1);
  if (inRecvWin && ackOk && overshot <= recvMaxwin && before(sack, recvEnd + 1)) {
    n[sender + TD_END] = end;
    n[sender + TD_FLAGS]! |= TcpCtFlag.DATA_UNACKNOWLEDGED;
    return failed(n, sender, sys, WIN_IGNORE);
  }
  return failed(n, sender, sys, WIN_INVALID);
}

/** tcp_in_window's updates after the checks passed (NUM[WIN] is scaled by then). */
function updateWindows(n: Uint32Array, sender: number, receiver: number, f: number): void {
  const ack = NUM[ACK]!;
  const sack = NUM[SACK]!;
  const win = NUM[WIN]!;
  const end = NUM[END]!;
  const swin = (win + sack - ack) >>> 0;
  if (n[sender + TD_MAXWIN]! < swin) n[sender + TD_MAXWIN] = swin;
  if (after(end, n[sender + TD_END]!)) {
    n[sender + TD_END] = end;
    n[sender + TD_FLAGS]! |= TcpCtFlag.DATA_UNACKNOWLEDGED;
  }
  if (f & TcpFlag.ACK) {
    if (!(n[sender + TD_FLAGS]! & TcpCtFlag.MAXACK_SET)) {
      n[sender + TD_MAXACK] = ack;
      n[sender + TD_FLAGS]! |= TcpCtFlag.MAXACK_SET;
    } else if (after(ack, n[sender + TD_MAXACK]!)) {
      n[sender + TD_MAXACK] = ack;
    }
  }
  if (n[receiver + TD_MAXWIN] !== 0 && after(end, n[sender + TD_MAXEND]!)) {
    n[receiver + TD_MAXWIN] = n[receiver + TD_MAXWIN]! + end - n[sender + TD_MAXEND]!;
  }
  if (after(sack + win, n[receiver + TD_MAXEND]! - 1)) {
    n[receiver + TD_MAXEND] = sack + win + (win === 0 ? 1 : 0);
  }
  if (ack === n[receiver + TD_END]) n[receiver + TD_FLAGS]! &= ~TcpCtFlag.DATA_UNACKNOWLEDGED;
}

/** An ACK identical to the previous one (same direction, seq, ack, end, raw window) is a retransmission. */
function countRetransmission(conn: TcpConn, dir: 0 | 1, winRaw: number): void {
  const seq = NUM[SEQ]!;
  const ack = NUM[ACK]!;
  const end = NUM[END]!;
  const n = conn.n;
  const b = conn.base;
  if (conn.lastDir === dir && n[b + LAST_SEQ] === seq && n[b + LAST_ACK] === ack &&
      n[b + LAST_END] === end && conn.lastWin === winRaw) {
    conn.retrans = (conn.retrans + 1) & 0xff;
    return;
  }
  conn.lastDir = dir;
  n[b + LAST_SEQ] = seq;
  n[b + LAST_ACK] = ack;
  n[b + LAST_END] = end;
  conn.lastWin = winRaw;
  conn.retrans = 0;
}

/** nf_ct_tcp_state_reset: the ip_ct_tcp_state at `w` cleared but for its BE_LIBERAL flag. */
function resetKeepLiberal(n: Uint32Array, w: number): void {
  n[w + TD_END] = n[w + TD_MAXEND] = n[w + TD_MAXWIN] = n[w + TD_MAXACK] = n[w + TD_SCALE] = 0;
  n[w + TD_FLAGS]! &= TcpCtFlag.BE_LIBERAL;
}

/** Scratch for the options of an ignored SYN (the kernel's on-stack ip_ct_tcp_state), at 0. */
const synOptions = new Uint32Array(TD_SIZE);

/**
 * The sIG case of nf_conntrack_tcp_packet. A SYN/ACK answering the SYN we ignored last
 * means both ends are in sync and we are not: restart from that SYN's annotations and
 * return true (the packet then goes through the window check as SYN_SENT -> SYN_RECV).
 * Otherwise annotate the packet and return false: it is accepted, state and timer untouched.
 */
function ignoredPacket(conn: TcpConn, dir: 0 | 1, index: number, seg: TcpSegment, oldState: number): boolean {
  const n = conn.n;
  const b = conn.base;
  if (index === TcpIndex.SYNACK && conn.lastIndex === TcpIndex.SYN &&
      conn.lastDir !== dir && seg.ack === n[b + LAST_END]) {
    const w = b + conn.lastDir * TD_SIZE;
    n[w + TD_END] = n[w + TD_MAXEND] = n[b + LAST_END]!;
    n[w + TD_MAXWIN] = conn.lastWin === 0 ? 1 : conn.lastWin;
    n[w + TD_SCALE] = conn.lastWscale;
    conn.lastFlags &= ~TcpCtFlag.EXP_CHALLENGE_ACK;
    n[w + TD_FLAGS] = conn.lastFlags;
    resetKeepLiberal(n, b + dir * TD_SIZE);
    return true;
  }
  conn.lastIndex = index;
  conn.lastDir = dir;
  n[b + LAST_SEQ] = seg.seq;
  n[b + LAST_END] = segmentEnd(seg);
  conn.lastWin = seg.window;
  if (index === TcpIndex.SYN && dir === 0) {
    // A SYN the peers may be in sync about: keep its options in case a SYN/ACK follows.
    synOptions.fill(0);
    tcpOptions(seg, synOptions, 0);
    conn.lastFlags = synOptions[TD_FLAGS]! & (TcpCtFlag.WINDOW_SCALE | TcpCtFlag.SACK_PERM);
    conn.lastWscale = synOptions[TD_FLAGS]! & TcpCtFlag.WINDOW_SCALE ? synOptions[TD_SCALE]! : 0;
    // An RFC 5961 challenge ACK to it would look like the ACK of our last FIN.
    if (oldState === TcpState.LAST_ACK) conn.lastFlags |= TcpCtFlag.EXP_CHALLENGE_ACK;
  }
  // Possibly a challenge ACK answering the SYN.
  if (oldState === TcpState.SYN_SENT && index === TcpIndex.ACK && dir === 1) n[b + LAST_ACK] = seg.ack;
  return false;
}

/** tcp_can_early_drop: a closing state. */
function closing(state: number): boolean {
  return state >= TcpState.FIN_WAIT && state <= TcpState.CLOSE;
}

/** RST outcomes of rstCheck (bits). */
const RST_KEEP_STATE = 1, RST_SKIP_WINDOW = 2, RST_INVALID = 4;

/**
 * The CLOSE case for a RST (in-window checks against RFC 5961 blind resets). Returns
 * RST_* bits: invalid (seq below what the peer acked, unless ignore_invalid_rst), keep the
 * old state (a RST in window but not exactly at the acked seq leaves ESTABLISHED, waiting
 * for the challenge ACK), or skip the window check (the RST answers a packet we let
 * through without tracking it, or the entry is closing and its data is stale).
 */
function rstCheck(conn: TcpConn, dir: 0 | 1, seg: TcpSegment, sys: TcpSysctls, seenReply: boolean, assured: boolean): number {
  if (closing(conn.state)) return RST_SKIP_WINDOW;
  const n = conn.n;
  const peer = conn.base + (1 - dir) * TD_SIZE;
  const established = conn.state === TcpState.ESTABLISHED && assured; // nf_conntrack_tcp_established
  if (n[peer + TD_FLAGS]! & TcpCtFlag.MAXACK_SET && conn.lastIndex !== TcpIndex.SYN) {
    const seq = seg.seq;
    // seq 0 outside ESTABLISHED: most likely the answer to a SYN we let through.
    if (seq === 0 && !established) return 0;
    if (before(seq, n[peer + TD_MAXACK]!) && !sys.ignoreInvalidRst) return RST_INVALID;
    if (!established || seq === n[peer + TD_MAXACK]) return 0;
    // Part of a train: data then RST at its end, as a server closing hard.
    if (conn.lastIndex === TcpIndex.ACK && conn.lastDir === dir && seq === n[conn.base + LAST_END]) return 0;
    return rstAnswersIgnored(conn, seg, seenReply, assured, true);
  }
  return rstAnswersIgnored(conn, seg, seenReply, assured, false);
}

function rstAnswersIgnored(conn: TcpConn, seg: TcpSegment, seenReply: boolean, assured: boolean, keep: boolean): number {
  const keepBit = keep ? RST_KEEP_STATE : 0;
  // RST to a SYN we let through (a), or to the ACK of a half-open connection we hold (c).
  if (((seenReply && conn.lastIndex === TcpIndex.SYN) || (!assured && conn.lastIndex === TcpIndex.ACK)) &&
      seg.ack === conn.n[conn.base + LAST_END]) {
    return keepBit | RST_SKIP_WINDOW;
  }
  // RST answering a challenge ACK we let through in SYN_SENT.
  if (conn.state === TcpState.SYN_SENT && conn.lastIndex === TcpIndex.ACK &&
      conn.lastDir === 1 && seg.seq === conn.n[conn.base + LAST_ACK]) {
    return keepBit | RST_SKIP_WINDOW;
  }
  return keepBit;
}

/**
 * nf_tcp_handle_invalid: an out-of-window FIN or RST on an assured entry, answering the
 * other side's FIN or RST, shortens the timer to the unacknowledged timeout (if more
 * than 120 s and more than that timeout remain), so that dead entries go away.
 */
function handleInvalid(conn: TcpConn, dir: 0 | 1, index: number, sys: TcpSysctls, assured: boolean, remaining: number, out: TcpResult): void {
  if (!assured || (index !== TcpIndex.RST && index !== TcpIndex.FIN)) return;
  if (conn.lastDir !== dir && (conn.lastIndex === TcpIndex.FIN || conn.lastIndex === TcpIndex.RST)) {
    const timeout = sys.timeouts[TCP_TIMEOUT_UNACK]!;
    if (remaining < 120 || remaining <= timeout) return;
    out.refresh = true;
    out.timeoutSeconds = timeout;
  } else {
    conn.lastIndex = index;
    conn.lastDir = dir;
  }
}

/** Both directions' ip_ct_tcp_state flags, or-ed. */
function bothFlags(conn: TcpConn): number {
  return conn.n[conn.base + TD_FLAGS]! | conn.n[conn.base + TD_SIZE + TD_FLAGS]!;
}

/** The timer for the new state: retransmissions, RST, unacked data and zero windows shorten it. */
function stateTimeout(conn: TcpConn, index: number, newState: number, sys: TcpSysctls): number {
  const t = sys.timeouts;
  const normal = t[newState]!;
  const retrans = t[TCP_TIMEOUT_RETRANS]!;
  const unack = t[TCP_TIMEOUT_UNACK]!;
  if (conn.retrans >= sys.maxRetrans && normal > retrans) return retrans;
  if (index === TcpIndex.RST) return t[TcpState.CLOSE]!;
  if (bothFlags(conn) & TcpCtFlag.DATA_UNACKNOWLEDGED && normal > unack) return unack;
  if (conn.lastWin === 0 && normal > retrans) return retrans;
  return normal;
}

function done(out: TcpResult, verdict: number): TcpResult {
  out.verdict = verdict;
  return out;
}

/**
 * nf_conntrack_tcp_packet after tcp_error and tcp_new: the packet in direction `dir`
 * (0 original, 1 reply) on an entry whose status bits are `seenReply` and `assured`, with
 * `remaining` seconds left on its timer (nf_ct_expires; only nf_tcp_handle_invalid looks
 * at it). Updates `conn` and writes what the caller must do into `out` (from newTcpResult).
 * For a new entry: tcpNew, then this with dir 0, seenReply and assured false.
 */
export function tcpPacket(conn: TcpConn, dir: 0 | 1, seg: TcpSegment, sys: TcpSysctls, seenReply: boolean, assured: boolean, out: TcpResult, remaining: number): TcpResult {
  out.refresh = out.account = out.kill = out.setAssured = out.stateChanged = false;
  out.timeoutSeconds = 0;
  let oldState = conn.state;
  const index = tcpConntrackIndex(seg.flags);
  let newState = tcpNextState(dir, index, oldState);
  let checkWindow = true;

  if (newState === TcpState.SYN_SENT && oldState >= TcpState.TIME_WAIT) {
    // RFC 1122 reopening from TIME_WAIT, or a client aborting and starting again: only
    // when the old connection was closed (a FIN seen) or reset by this side.
    if (bothFlags(conn) & TcpCtFlag.CLOSE_INIT ||
        (conn.lastDir === dir && conn.lastIndex === TcpIndex.RST)) {
      out.kill = true; // nf_ct_kill, without accounting: the packet is counted on the new entry
      return done(out, TcpVerdict.REPEAT);
    }
    newState = sIG;
  }
  switch (newState) {
    case sIG:
      if (!ignoredPacket(conn, dir, index, seg, oldState)) return done(out, TcpVerdict.ACCEPT);
      oldState = TcpState.SYN_SENT;
      newState = TcpState.SYN_RECV;
      break;
    case sIV:
      return done(out, TcpVerdict.INVALID);
    case TcpState.TIME_WAIT:
      // An ACK answering the SYN we let through in LAST_ACK is a challenge ACK, not the last ACK.
      if (oldState === TcpState.LAST_ACK && index === TcpIndex.ACK && conn.lastDir !== dir &&
          conn.lastIndex === TcpIndex.SYN && conn.lastFlags & TcpCtFlag.EXP_CHALLENGE_ACK) {
        conn.lastFlags &= ~TcpCtFlag.EXP_CHALLENGE_ACK;
        return done(out, TcpVerdict.ACCEPT);
      }
      break;
    case TcpState.SYN_SENT2:
      conn.lastFlags |= TcpCtFlag.SIMULTANEOUS_OPEN; // the table cannot follow simultaneous open
      break;
    case TcpState.SYN_RECV:
      if (dir === 1 && index === TcpIndex.ACK && conn.lastFlags & TcpCtFlag.SIMULTANEOUS_OPEN) {
        newState = TcpState.ESTABLISHED;
      }
      break;
    case TcpState.CLOSE: {
      if (index !== TcpIndex.RST) break;
      const r = rstCheck(conn, dir, seg, sys, seenReply, assured);
      if (r & RST_INVALID) return done(out, TcpVerdict.INVALID);
      if (r & RST_KEEP_STATE) newState = oldState;
      if (r & RST_SKIP_WINDOW) checkWindow = false;
      break;
    }
  }

  if (checkWindow) {
    const res = tcpInWindow(conn, dir, index, seg, sys);
    if (res === WIN_IGNORE) return done(out, TcpVerdict.ACCEPT);
    if (res === WIN_INVALID) {
      handleInvalid(conn, dir, index, sys, assured, remaining, out);
      return done(out, TcpVerdict.INVALID);
    }
  }
  return inWindow(conn, dir, index, seg, sys, seenReply, assured, oldState, newState, out);
}

/** The in_window label: commit the state, pick the timeout, decide ASSURED. */
function inWindow(conn: TcpConn, dir: 0 | 1, index: number, seg: TcpSegment, sys: TcpSysctls, seenReply: boolean, assured: boolean, oldState: number, newState: number, out: TcpResult): TcpResult {
  conn.lastIndex = index;
  conn.lastDir = dir;
  conn.state = newState;
  if (oldState !== newState && newState === TcpState.FIN_WAIT) conn.n[conn.base + dir * TD_SIZE + TD_FLAGS]! |= TcpCtFlag.CLOSE_INIT;
  let timeout = stateTimeout(conn, index, newState, sys);
  out.stateChanged = oldState !== newState;
  out.verdict = TcpVerdict.ACCEPT;

  if (!seenReply) {
    // Only a RST came back: no connection was established, drop the entry at once.
    if (seg.flags & TcpFlag.RST) {
      out.kill = out.account = true;
      return out;
    }
    // A retransmitted SYN does not renew the timer, or port reuse could keep it alive forever.
    if (index === TcpIndex.SYN && oldState === TcpState.SYN_SENT) return out;
    // Picked up mid-stream and nothing came back yet: no 5-day timer.
    const unack = sys.timeouts[TCP_TIMEOUT_UNACK]!;
    if (newState === TcpState.ESTABLISHED && timeout > unack) timeout = unack;
  } else if (!assured && (oldState === TcpState.SYN_RECV || oldState === TcpState.ESTABLISHED) &&
             newState === TcpState.ESTABLISHED) {
    // The ACK completing the handshake, or a valid answer on a picked-up connection.
    out.setAssured = true;
  }
  out.refresh = out.account = true;
  out.timeoutSeconds = timeout;
  return out;
}
