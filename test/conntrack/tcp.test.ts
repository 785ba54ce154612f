/**
 * TCP conntrack (src/conntrack/tcp.ts) against the behaviour of Linux 6.18's
 * nf_conntrack_proto_tcp.c, one scenario per test: the outcome of every packet is asserted
 * as states, verdicts and timeouts in seconds.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultTcpSysctls,
  newTcpResult,
  TCP_STATE_NAMES,
  TCP_TIMEOUT_RETRANS,
  TCP_TIMEOUT_UNACK,
  TcpConn,
  TcpCtFlag,
  tcpError,
  tcpNew,
  tcpPacket,
  TcpState,
  tcpSysctlsFrom,
  TcpVerdict,
  type TcpResult,
  type TcpSegment,
  type TcpSysctls,
} from '../../src/conntrack/tcp.js';
import { SYSCTL_DEFAULTS } from '../../src/netfilter/sysctl-defaults.js';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

/** MSS 1460, SACK permitted, window scale `ws`, NOP padding: a Linux SYN's options. */
function synOptions(ws: number | null, sackPerm = true): number[] {
  const o = [2, 4, 0x05, 0xb4];
  if (sackPerm) o.push(4, 2);
  if (ws !== null) o.push(3, 3, ws);
  while (o.length % 4) o.push(1);
  return o;
}

/** A SACK option with one block [left, right). */
function sackOption(left: number, right: number): number[] {
  const be = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return [1, 1, 5, 10, ...be(left), ...be(right)];
}

interface SegOpts { win?: number; len?: number; options?: number[] }

function seg(flags: number, seq: number, ack: number, o: SegOpts = {}): TcpSegment {
  const options = o.options ?? [];
  return {
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags,
    window: o.win ?? 502,
    dataOffset: 5 + options.length / 4,
    payloadLength: o.len ?? 0,
    data: Uint8Array.from(options),
    optionsOffset: 0,
    optionsLength: options.length,
  };
}

/** What nf_conntrack_core does around tcp_packet: status bits, timer, deletion. */
class Entry {
  readonly conn = new TcpConn();
  seenReply = false;
  assured = false;
  /** Seconds left on the timer. */
  remaining = 0;
  killed = false;
  private readonly out = newTcpResult();

  constructor(readonly sys: TcpSysctls = defaultTcpSysctls()) {}

  /** tcp_new and the first tcp_packet; null when no entry may be created. */
  static open(first: TcpSegment, sys: TcpSysctls = defaultTcpSysctls()): { e: Entry; r: TcpResult } | null {
    const e = new Entry(sys);
    if (!tcpNew(e.conn, first, sys)) return null;
    return { e, r: e.packet(0, first) };
  }

  packet(dir: 0 | 1, s: TcpSegment): TcpResult {
    const r = tcpPacket(this.conn, dir, s, this.sys, this.seenReply, this.assured, this.out, this.remaining);
    if (r.refresh) this.remaining = r.timeoutSeconds;
    if (r.kill) this.killed = true;
    if (r.verdict === TcpVerdict.ACCEPT) {
      if (r.setAssured) this.assured = true;
      if (dir === 1) this.seenReply = true;
    }
    return r;
  }

  get state(): string {
    return TCP_STATE_NAMES[this.conn.state]!;
  }
}

const C = 1000; // client ISN
const S = 5000; // server ISN

/** SYN, SYN/ACK, ACK with window scaling 7 on both sides. */
function established(sys: TcpSysctls = defaultTcpSysctls(), wsServer: number | null = 7, sackServer = true): Entry {
  const { e } = Entry.open(seg(SYN, C, 0, { win: 64240, options: synOptions(7) }), sys)!;
  e.packet(1, seg(SYN | ACK, S, C + 1, { win: 65160, options: synOptions(wsServer, sackServer) }));
  e.packet(0, seg(ACK, C + 1, S + 1));
  expect(e.state).toBe('ESTABLISHED');
  return e;
}

describe('defaults', () => {
  it('are the kernel tcp_timeouts[] and nf_conntrack_tcp_init_net values', () => {
    const s = defaultTcpSysctls();
    expect([...s.timeouts]).toEqual([120, 120, 60, 432000, 120, 60, 30, 120, 10, 120, 0, 0, 300, 300]);
    expect(s).toMatchObject({ loose: true, beLiberal: false, maxRetrans: 3, ignoreInvalidRst: false });
    expect(TCP_STATE_NAMES).toEqual(['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2']);
  });

  it('agree with the sysctls recorded on Linux 6.18, and follow changed ones', () => {
    const fromKernel = tcpSysctlsFrom((n) => SYSCTL_DEFAULTS[n]);
    expect([...fromKernel.timeouts]).toEqual([...defaultTcpSysctls().timeouts]);
    const changed = tcpSysctlsFrom((n) => ({
      'net.netfilter.nf_conntrack_tcp_loose': 0,
      'net.netfilter.nf_conntrack_tcp_timeout_established': 7200,
      'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged': 42,
    })[n]);
    expect(changed.loose).toBe(false);
    expect(changed.timeouts[TcpState.ESTABLISHED]).toBe(7200);
    expect(changed.timeouts[TCP_TIMEOUT_UNACK]).toBe(42);
    expect(changed.timeouts[TcpState.SYN_SENT]).toBe(120);
  });
});

describe('tcp_error', () => {
  it('refuses the flag combinations tcp_valid_flags lacks', () => {
    const bad = [0, SYN | FIN, FIN, SYN | RST, SYN | ACK | URG, RST | ACK | URG, FIN | SYN | RST | PSH | ACK | URG, URG, PSH];
    for (const f of bad) expect(tcpError(seg(f, 1, 0), 20), `flags ${f.toString(16)}`).toBe(true);
    const good = [SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK, ACK | URG, SYN | ECE | CWR, ACK | PSH, FIN | ACK | PSH | ECE];
    for (const f of good) expect(tcpError(seg(f, 1, 0), 20), `flags ${f.toString(16)}`).toBe(false);
  });

  it('refuses a bad data offset, a truncated header and a bad checksum', () => {
    const s = seg(ACK, 1, 1, { options: synOptions(7) }); // 32-byte header
    expect(tcpError(s, 32)).toBe(false);
    expect(tcpError(s, 31)).toBe(true);
    expect(tcpError(s, 32, true)).toBe(true);
    s.dataOffset = 4;
    expect(tcpError(s, 32)).toBe(true);
  });
});

describe('three-way handshake', () => {
  it('goes SYN_SENT, SYN_RECV, ESTABLISHED and sets ASSURED on the ACK that completes it', () => {
    const { e, r } = Entry.open(seg(SYN, C, 0, { win: 64240, options: synOptions(7) }))!;
    expect([e.state, r.verdict, r.timeoutSeconds, r.setAssured, r.stateChanged]).toEqual(['SYN_SENT', TcpVerdict.ACCEPT, 120, false, true]);
    expect(e.conn.seen[0].scale).toBe(7);
    expect(e.conn.seen[0].flags & (TcpCtFlag.WINDOW_SCALE | TcpCtFlag.SACK_PERM)).toBe(TcpCtFlag.WINDOW_SCALE | TcpCtFlag.SACK_PERM);

    const synack = e.packet(1, seg(SYN | ACK, S, C + 1, { win: 65160, options: synOptions(9) }));
    expect([e.state, synack.timeoutSeconds, synack.setAssured]).toEqual(['SYN_RECV', 60, false]);
    expect(e.conn.seen[1].scale).toBe(9);

    const ack = e.packet(0, seg(ACK, C + 1, S + 1));
    expect([e.state, ack.timeoutSeconds, ack.setAssured]).toEqual(['ESTABLISHED', 432000, true]);

    const data = e.packet(1, seg(ACK | PSH, S + 1, C + 1, { len: 100 }));
    expect([e.state, data.setAssured, data.timeoutSeconds]).toEqual(['ESTABLISHED', false, 300]); // unacked data
    const acked = e.packet(0, seg(ACK, C + 1, S + 101));
    expect(acked.timeoutSeconds).toBe(432000);
  });

  it('honours window scaling only when both SYNs carry the option', () => {
    const e = established(defaultTcpSysctls(), null);
    expect([e.conn.seen[0].scale, e.conn.seen[1].scale]).toEqual([0, 0]);
  });

  it('does not renew the timer for a retransmitted SYN', () => {
    const { e } = Entry.open(seg(SYN, C, 0))!;
    const r = e.packet(0, seg(SYN, C, 0));
    expect([e.state, r.verdict, r.refresh]).toEqual(['SYN_SENT', TcpVerdict.ACCEPT, false]);
  });

  it('finds an ACK before the SYN/ACK invalid, and a client SYN/ACK too', () => {
    const { e } = Entry.open(seg(SYN, C, 0))!;
    expect(e.packet(0, seg(ACK, C + 1, S + 1)).verdict).toBe(TcpVerdict.INVALID);
    expect(e.packet(0, seg(SYN | ACK, C, S + 1)).verdict).toBe(TcpVerdict.INVALID);
    expect(e.state).toBe('SYN_SENT');
  });

  it('takes a RST with sequence number 0 in SYN_SENT as sent at the expected sequence number', () => {
    const isn = 3_000_000_000; // 0 is then more than 2^31 away
    const { e } = Entry.open(seg(SYN, isn, 0))!;
    const r = e.packet(0, seg(RST, 0, 0, { win: 0 }));
    expect([r.verdict, r.kill, e.state]).toEqual([TcpVerdict.ACCEPT, true, 'CLOSE']);
  });

  it('kills the entry when the only answer is a RST', () => {
    const { e } = Entry.open(seg(SYN, C, 0))!;
    const r = e.packet(1, seg(RST | ACK, 0, C + 1, { win: 0 }));
    expect([r.verdict, r.kill, r.account, e.state]).toEqual([TcpVerdict.ACCEPT, true, true, 'CLOSE']);
  });
});

describe('simultaneous open', () => {
  it('goes through SYN_SENT2 and SYN_RECV to ESTABLISHED on the reply ACK', () => {
    const { e } = Entry.open(seg(SYN, C, 0, { options: synOptions(7) }))!;
    const syn2 = e.packet(1, seg(SYN, S, 0, { options: synOptions(7) }));
    // Seen as a SYN retransmission while no reply was seen: the timer is left alone.
    expect([e.state, syn2.verdict, syn2.refresh]).toEqual(['SYN_SENT2', TcpVerdict.ACCEPT, false]);
    expect(e.conn.lastFlags & TcpCtFlag.SIMULTANEOUS_OPEN).toBe(TcpCtFlag.SIMULTANEOUS_OPEN);
    const synack = e.packet(0, seg(SYN | ACK, C, S + 1));
    expect([e.state, synack.timeoutSeconds, synack.setAssured]).toEqual(['SYN_RECV', 60, false]);
    const ack = e.packet(1, seg(ACK, S + 1, C + 1));
    expect([e.state, ack.timeoutSeconds, ack.setAssured]).toEqual(['ESTABLISHED', 432000, true]);
  });
});

describe('close', () => {
  it('FIN, ACK, FIN, ACK: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT with their timeouts', () => {
    const e = established();
    const steps: [0 | 1, TcpSegment, string, number][] = [
      [0, seg(FIN | ACK, C + 1, S + 1), 'FIN_WAIT', 120],
      [1, seg(ACK, S + 1, C + 2), 'CLOSE_WAIT', 60],
      [1, seg(FIN | ACK, S + 1, C + 2), 'LAST_ACK', 30],
      [0, seg(ACK, C + 2, S + 2), 'TIME_WAIT', 120],
    ];
    for (const [dir, s, state, timeout] of steps) {
      const r = e.packet(dir, s);
      expect([r.verdict, e.state, r.timeoutSeconds]).toEqual([TcpVerdict.ACCEPT, state, timeout]);
    }
    expect(e.conn.seen[0].flags & TcpCtFlag.CLOSE_INIT).toBe(TcpCtFlag.CLOSE_INIT);
    expect(e.conn.seen[1].flags & TcpCtFlag.CLOSE_INIT).toBe(0);
  });

  it('a SYN in TIME_WAIT after a FIN close reopens: REPEAT (the old entry is killed)', () => {
    const e = established();
    e.packet(0, seg(FIN | ACK, C + 1, S + 1));
    e.packet(1, seg(FIN | ACK, S + 1, C + 2));
    e.packet(0, seg(ACK, C + 2, S + 2));
    expect(e.state).toBe('TIME_WAIT');
    const r = e.packet(0, seg(SYN, 90000, 0));
    expect([r.verdict, r.kill]).toEqual([TcpVerdict.REPEAT, true]);
    // Handled again as new, it opens a fresh entry in SYN_SENT.
    const again = Entry.open(seg(SYN, 90000, 0))!;
    expect(again.e.state).toBe('SYN_SENT');
  });

  it('a SYN in CLOSE reopens after a RST from the same side, and is ignored after one from the other', () => {
    const e = established();
    e.packet(0, seg(RST, C + 1, 0, { win: 0 }));
    expect(e.state).toBe('CLOSE');
    expect(e.packet(0, seg(SYN, 90000, 0)).verdict).toBe(TcpVerdict.REPEAT);
    const f = established();
    f.packet(1, seg(RST, S + 1, 0, { win: 0 }));
    expect(f.state).toBe('CLOSE');
    const r = f.packet(0, seg(SYN, 90000, 0));
    expect([r.verdict, r.refresh, r.kill, f.state]).toEqual([TcpVerdict.ACCEPT, false, false, 'CLOSE']);
  });

  it('in LAST_ACK, an ACK answering a SYN we let through is a challenge ACK, not the last ACK', () => {
    const e = established();
    e.packet(0, seg(FIN | ACK, C + 1, S + 1));
    e.packet(1, seg(FIN | ACK, S + 1, C + 2));
    expect(e.state).toBe('LAST_ACK');
    e.packet(0, seg(SYN, 90000, 0)); // ignored: sIG
    const challenge = e.packet(1, seg(ACK, S + 2, C + 2));
    expect([challenge.verdict, challenge.refresh, e.state]).toEqual([TcpVerdict.ACCEPT, false, 'LAST_ACK']);
    const last = e.packet(0, seg(ACK, C + 2, S + 2));
    expect([e.state, last.timeoutSeconds]).toEqual(['TIME_WAIT', 120]);
  });

  it('a SYN in ESTABLISHED is ignored: accepted, no state change, no timer refresh', () => {
    const e = established();
    const r = e.packet(0, seg(SYN, 90000, 0));
    expect([r.verdict, r.refresh, e.state]).toEqual([TcpVerdict.ACCEPT, false, 'ESTABLISHED']);
  });

  it('a SYN/ACK answering that ignored SYN resynchronises to the new connection', () => {
    const e = established();
    e.packet(0, seg(SYN, 90000, 0, { options: synOptions(5) }));
    const r = e.packet(1, seg(SYN | ACK, 70000, 90001, { options: synOptions(6) }));
    expect([r.verdict, e.state, r.timeoutSeconds]).toEqual([TcpVerdict.ACCEPT, 'SYN_RECV', 60]);
    expect([e.conn.seen[0].end, e.conn.seen[0].scale, e.conn.seen[1].scale]).toEqual([90001, 5, 6]);
    expect(e.packet(0, seg(ACK, 90001, 70001)).timeoutSeconds).toBe(432000);
    expect(e.state).toBe('ESTABLISHED');
  });

  it('the resynchronising SYN/ACK counts as a change from SYN_SENT even when the entry was in SYN_RECV', () => {
    const { e } = Entry.open(seg(SYN, C, 0))!;
    e.packet(1, seg(SYN | ACK, S, C + 1));
    expect(e.state).toBe('SYN_RECV');
    expect(e.packet(0, seg(SYN, 90000, 0)).refresh).toBe(false); // ignored
    const r = e.packet(1, seg(SYN | ACK, 70000, 90001));
    expect([e.state, r.stateChanged, r.timeoutSeconds]).toEqual(['SYN_RECV', true, 60]);
  });
});

describe('RST', () => {
  it('at the sequence number the peer acked: CLOSE with the 10 s timeout', () => {
    const e = established();
    const r = e.packet(0, seg(RST, C + 1, 0, { win: 0 }));
    expect([r.verdict, e.state, r.timeoutSeconds, r.kill]).toEqual([TcpVerdict.ACCEPT, 'CLOSE', 10, false]);
  });

  it('in window but not exact: stays ESTABLISHED (awaiting the challenge ACK), timer cut to 10 s', () => {
    const e = established();
    const r = e.packet(0, seg(RST, C + 501, 0, { win: 0 }));
    expect([r.verdict, e.state, r.timeoutSeconds]).toEqual([TcpVerdict.ACCEPT, 'ESTABLISHED', 10]);
  });

  it('below what the peer acked: INVALID, unless nf_conntrack_tcp_ignore_invalid_rst', () => {
    const e = established();
    expect(e.packet(0, seg(RST, C - 100, 0, { win: 0 })).verdict).toBe(TcpVerdict.INVALID);
    expect(e.state).toBe('ESTABLISHED');
    const sys = defaultTcpSysctls();
    sys.ignoreInvalidRst = true;
    const f = established(sys);
    const r = f.packet(0, seg(RST, C - 100, 0, { win: 0 }));
    expect([r.verdict, f.state, r.timeoutSeconds]).toEqual([TcpVerdict.ACCEPT, 'ESTABLISHED', 10]);
  });

  it('after data ending exactly where the RST starts (a RST train): CLOSE', () => {
    const e = established();
    e.packet(1, seg(ACK | PSH, S + 1, C + 1, { len: 19 }));
    const r = e.packet(1, seg(RST | ACK, S + 20, C + 1, { win: 0 }));
    expect([r.verdict, e.state]).toEqual([TcpVerdict.ACCEPT, 'CLOSE']);
  });
});

describe('window tracking', () => {
  const farSeq = C + 1 + 100_000_000;

  it('an out-of-window segment is INVALID with be_liberal 0 and accepted with be_liberal 1', () => {
    const e = established();
    const r = e.packet(0, seg(ACK | PSH, farSeq, S + 1, { len: 100 }));
    expect([r.verdict, r.refresh, e.state]).toEqual([TcpVerdict.INVALID, false, 'ESTABLISHED']);
    // ACKing data the server never sent (bound III).
    expect(e.packet(0, seg(ACK, C + 1, S + 1_000_000)).verdict).toBe(TcpVerdict.INVALID);

    const sys = defaultTcpSysctls();
    sys.beLiberal = true;
    const f = established(sys);
    const ok = f.packet(0, seg(ACK | PSH, farSeq, S + 1, { len: 100 }));
    expect([ok.verdict, ok.refresh, ok.timeoutSeconds, f.state]).toEqual([TcpVerdict.ACCEPT, true, 432000, 'ESTABLISHED']);
  });

  it('an old retransmission below the window is ignored (accepted, timer untouched)', () => {
    const e = established();
    e.packet(0, seg(ACK | PSH, C + 1, S + 1, { len: 40_000 }));
    e.packet(1, seg(ACK, S + 1, C + 40_001));
    e.packet(0, seg(ACK | PSH, C + 40_001, S + 1, { len: 40_000 }));
    // Ends more than the server's largest window (65160) below what the client sent.
    const r = e.packet(0, seg(ACK | PSH, C + 1, S + 1, { len: 100 }));
    expect([r.verdict, r.refresh]).toEqual([TcpVerdict.ACCEPT, false]);
  });

  it('reads SACK blocks only when the receiver allowed SACK', () => {
    const sackBeyond = sackOption(S + 1000, S + 2000); // the server never sent that far
    const withSack = established();
    expect(withSack.packet(0, seg(ACK, C + 1, S + 1, { options: sackBeyond })).verdict).toBe(TcpVerdict.INVALID);
    const noSack = established(defaultTcpSysctls(), 7, false);
    expect(noSack.packet(0, seg(ACK, C + 1, S + 1, { options: sackBeyond })).verdict).toBe(TcpVerdict.ACCEPT);
  });

  it('an out-of-window FIN answering one from the other side shortens an assured entry to the unacked timeout', () => {
    const e = established();
    e.remaining = 432000;
    expect(e.packet(0, seg(FIN | ACK, farSeq, S + 1)).refresh).toBe(false);
    const r = e.packet(1, seg(FIN | ACK, S + 1 + 100_000_000, C + 1));
    expect([r.verdict, r.refresh, r.timeoutSeconds, r.account]).toEqual([TcpVerdict.INVALID, true, 300, false]);
    // Not when both come from the same side.
    const same = established();
    same.remaining = 432000;
    same.packet(0, seg(FIN | ACK, farSeq, S + 1));
    expect(same.packet(0, seg(FIN | ACK, farSeq + 10, S + 1)).refresh).toBe(false);
    // Never when less than 120 s remain, even above a shorter unacknowledged timeout.
    const sys = defaultTcpSysctls();
    sys.timeouts[TCP_TIMEOUT_UNACK] = 60;
    for (const [remaining, refresh] of [[100, false], [130, true]] as const) {
      const f = established(sys);
      f.remaining = remaining;
      f.packet(0, seg(FIN | ACK, farSeq, S + 1));
      const g = f.packet(1, seg(FIN | ACK, S + 1 + 100_000_000, C + 1));
      expect([g.refresh, g.refresh ? g.timeoutSeconds : 0], `${remaining} s left`).toEqual([refresh, refresh ? 60 : 0]);
    }
  });
});

describe('mid-stream pickup', () => {
  it('with loose=1 an ACK creates an ESTABLISHED entry with a short timer, ASSURED on the third packet', () => {
    const opened = Entry.open(seg(ACK, 1000, 2000, { win: 500 }));
    expect(opened).not.toBeNull();
    const { e, r } = opened!;
    expect([e.state, r.timeoutSeconds, r.setAssured]).toEqual(['ESTABLISHED', 300, false]);
    expect(e.conn.seen[0].flags & TcpCtFlag.BE_LIBERAL).toBe(TcpCtFlag.BE_LIBERAL);
    const reply = e.packet(1, seg(ACK, 2000, 1000, { win: 500 }));
    expect([reply.timeoutSeconds, reply.setAssured]).toEqual([300, false]); // SEEN_REPLY is set after it
    const third = e.packet(0, seg(ACK, 1000, 2000, { win: 501 }));
    expect([third.timeoutSeconds, third.setAssured]).toEqual([432000, true]);
  });

  it('with loose=0 only a SYN may create an entry', () => {
    const sys = defaultTcpSysctls();
    sys.loose = false;
    expect(Entry.open(seg(ACK, 1000, 2000), sys)).toBeNull();
    expect(Entry.open(seg(SYN, 1000, 0), sys)).not.toBeNull();
  });

  it('FIN, RST and SYN/ACK never create an entry', () => {
    for (const f of [FIN | ACK, RST, RST | ACK, SYN | ACK]) expect(Entry.open(seg(f, 1000, 2000))).toBeNull();
  });
});

describe('retransmissions', () => {
  it('max_retrans identical ACKs switch to the retrans timeout; a new ACK resets the count', () => {
    const sys = defaultTcpSysctls();
    sys.timeouts[TCP_TIMEOUT_RETRANS] = 200;
    sys.timeouts[TCP_TIMEOUT_UNACK] = 250;
    const e = established(sys);
    const data = seg(ACK | PSH, C + 1, S + 1, { len: 100 });
    expect(e.packet(0, data).timeoutSeconds).toBe(250); // unacknowledged data
    const seen: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const r = e.packet(0, data);
      seen.push([e.conn.retrans, r.timeoutSeconds]);
    }
    expect(seen).toEqual([[1, 250], [2, 250], [3, 200]]);
    const ack = e.packet(1, seg(ACK, S + 1, C + 101));
    expect([e.conn.retrans, ack.timeoutSeconds]).toEqual([0, 432000]);
  });

  it('a zero window advertised in the last ACK gives the retrans timeout', () => {
    const sys = defaultTcpSysctls();
    sys.timeouts[TCP_TIMEOUT_RETRANS] = 200;
    const e = established(sys);
    expect(e.packet(1, seg(ACK, S + 1, C + 1, { win: 0 })).timeoutSeconds).toBe(200);
    expect(e.packet(1, seg(ACK, S + 1, C + 1, { win: 100 })).timeoutSeconds).toBe(432000);
  });
});
