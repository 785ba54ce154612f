/**
 * The matches that keep state between packets, on the capture's clock (jiffies at HZ 250
 * from the first packet): limit, hashlimit, recent, statistic, quota; and time, which
 * reads the capture timestamp.
 */
import { describe, expect, it } from 'vitest';
import type { PacketState } from '../../../src/engine/packet.js';
import { HZ } from '../../../src/rules/ext/common/kernel.js';
import { hotdropped, matcher, TestRuntime, tcpPacket, udpPacket } from './helpers.js';

const MS = 1e6;
const JIFFY = 1e9 / HZ;

function at(pkt: PacketState, nowNs: number): PacketState {
  pkt.nowNs = nowNs;
  return pkt;
}

function udpFrom(src: string, nowNs = 0, o: { dport?: number; payload?: number; dst?: string; ttl?: number } = {}): PacketState {
  return at(udpPacket({ dport: o.dport ?? 53, payload: o.payload ?? 0 }, { src, dst: o.dst ?? '198.51.100.1', ttl: o.ttl }), nowNs);
}

describe('limit (limit_mt)', () => {
  it('starts with the burst, then refills one cost per average interval', () => {
    const m = matcher('-m limit --limit 1/sec --limit-burst 3');
    const hits = [0, 0, 0, 0].map(() => m(udpFrom('192.0.2.1', 0)));
    expect(hits).toEqual([true, true, true, false]);
    // 249 jiffies of 128 credits are 31872, short of the 32000 one packet costs.
    expect(m(udpFrom('192.0.2.1', 249 * JIFFY))).toBe(false);
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY))).toBe(true);
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY))).toBe(false);
  });

  it('caps the refill at the burst', () => {
    const m = matcher('-m limit --limit 10/sec --limit-burst 2');
    expect([m(udpFrom('192.0.2.1', 0)), m(udpFrom('192.0.2.1', 0)), m(udpFrom('192.0.2.1', 0))]).toEqual([true, true, false]);
    const later = [0, 0, 0].map(() => m(udpFrom('192.0.2.1', 3600e9)));
    expect(later).toEqual([true, true, false]);
  });

  it('wraps the 32-bit credit increase after 2^25 idle jiffies, as the kernel does', () => {
    const m = matcher('-m limit --limit 1/sec --limit-burst 1');
    expect(m(udpFrom('192.0.2.1', 0))).toBe(true);
    expect(m(udpFrom('192.0.2.1', 0))).toBe(false);
    const wrap = 2 ** 25 * JIFFY;
    expect(m(udpFrom('192.0.2.1', wrap))).toBe(false);
    expect(m(udpFrom('192.0.2.1', wrap + 250 * JIFFY))).toBe(true);
  });

  it('gives every rule its own bucket', () => {
    const rt = new TestRuntime();
    const a = matcher('-m limit --limit 1/hour --limit-burst 1', rt);
    const b = matcher('-m limit --limit 1/hour --limit-burst 1', rt);
    expect([a(udpFrom('192.0.2.1')), b(udpFrom('192.0.2.1')), a(udpFrom('192.0.2.1'))]).toEqual([true, true, false]);
  });
});

describe('hashlimit (hashlimit_mt, revision 3)', () => {
  it('keeps a bucket per masked source', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-srcmask 24 --hashlimit-htable-expire 10000 --hashlimit-name t1');
    const a = [0, 0, 0].map(() => m(udpFrom('192.0.2.1')));
    expect(a).toEqual([true, true, false]);
    expect(m(udpFrom('192.0.2.99'))).toBe(false);
    expect(m(udpFrom('198.51.100.7'))).toBe(true);
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY))).toBe(true);
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY))).toBe(false);
  });

  it('answers the other way round with --hashlimit-above', () => {
    const m = matcher('-m hashlimit --hashlimit-above 1/hour --hashlimit-burst 1 --hashlimit-mode dstip,dstport --hashlimit-name t2');
    expect(m(udpFrom('192.0.2.1', 0, { dport: 53 }))).toBe(false);
    expect(m(udpFrom('192.0.2.2', 0, { dport: 53 }))).toBe(true);
    expect(m(udpFrom('192.0.2.2', 0, { dport: 54 }))).toBe(false);
  });

  it('forgets idle entries at the garbage collection after their expiry', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-htable-expire 1000 --hashlimit-name t3');
    expect([0, 0, 0, 0].map(() => m(udpFrom('192.0.2.1', 0)))).toEqual([true, true, true, false]);
    // Every packet puts the expiry one second ahead: still there, almost nothing refilled.
    expect(m(udpFrom('192.0.2.1', 500 * MS))).toBe(false);
    // Expired at 1.5 s, collected by the run at 2 s: a new, full bucket at 2.1 s.
    expect([0, 0, 0, 0].map(() => m(udpFrom('192.0.2.1', 2100 * MS)))).toEqual([true, true, true, false]);
    // A longer expiry keeps the empty bucket.
    const k = matcher('-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-htable-expire 10000 --hashlimit-name t3b');
    expect([0, 0, 0, 0].map(() => k(udpFrom('192.0.2.1', 0)))).toEqual([true, true, true, false]);
    expect(k(udpFrom('192.0.2.1', 2100 * MS))).toBe(false);
  });

  it('drops the packet when the table is full', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcip --hashlimit-htable-size 2 --hashlimit-htable-max 2 --hashlimit-name t4');
    expect(m(udpFrom('192.0.2.1'))).toBe(true);
    expect(m(udpFrom('192.0.2.2'))).toBe(true);
    const third = udpFrom('192.0.2.3');
    expect(m(third)).toBe(false);
    expect(hotdropped(third)).toBe(true);
  });

  it('drops a packet too short for the ports it hashes', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcport --hashlimit-name t5');
    const p = tcpPacket({}, { src: '192.0.2.1' });
    // The IP header says 2 bytes of TCP follow.
    p.view.totalLength = 22;
    p.view.l4Length = 2;
    p.view.l4Captured = 2;
    expect(m(p)).toBe(false);
    expect(hotdropped(p)).toBe(true);
  });

  it('shares a named table, with the configuration of the rule that created it', () => {
    const rt = new TestRuntime();
    const a = matcher('-m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name shared', rt);
    const b = matcher('-m hashlimit --hashlimit-upto 100/sec --hashlimit-burst 50 --hashlimit-mode dstip --hashlimit-name shared', rt);
    expect(a(udpFrom('192.0.2.1'))).toBe(true);
    // b hashes by source and has a one-packet bucket too.
    expect(b(udpFrom('192.0.2.1', 0, { dst: '198.51.100.9' }))).toBe(false);
    expect(b(udpFrom('192.0.2.2', 0, { dst: '198.51.100.9' }))).toBe(true);
  });

  it('counts bytes in byte mode, with refills for the burst', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-name t6');
    // 972-byte packets cost 61 units of 16 bytes: close to a second of refill each.
    const hits = [0, 0, 0, 0].map(() => m(udpFrom('192.0.2.1', 0, { payload: 944 })));
    expect(hits).toEqual([true, true, true, false]);
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY, { payload: 944 }))).toBe(true);
  });

  it('measures windows with --hashlimit-rate-match', () => {
    const m = matcher('-m hashlimit --hashlimit-upto 2/sec --hashlimit-burst 1 --hashlimit-rate-match --hashlimit-htable-expire 10000 --hashlimit-name t7');
    // rate 2 per 1 s window, plus the burst of 1.
    expect([0, 0, 0, 0].map(() => m(udpFrom('192.0.2.1', 0)))).toEqual([true, true, true, false]);
    // The window that exceeded the rate makes the whole next one fail.
    expect(m(udpFrom('192.0.2.1', 250 * JIFFY))).toBe(false);
    // That window saw 1 packet in 250 jiffies, under the rate: the next one is open again.
    expect(m(udpFrom('192.0.2.1', 500 * JIFFY))).toBe(true);
  });
});

describe('recent (recent_mt)', () => {
  it('sets, checks within --seconds and forgets with --remove', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name L', rt);
    const check = matcher('-m recent --rcheck --seconds 10 --name L', rt);
    const remove = matcher('-m recent --remove --name L', rt);
    expect(check(udpFrom('192.0.2.1'))).toBe(false);
    expect(set(udpFrom('192.0.2.1'))).toBe(true);
    expect(check(udpFrom('192.0.2.1', 10e9))).toBe(true);
    expect(check(udpFrom('192.0.2.1', 10e9 + JIFFY))).toBe(false);
    expect(check(udpFrom('192.0.2.2'))).toBe(false);
    expect(remove(udpFrom('192.0.2.1'))).toBe(true);
    expect(remove(udpFrom('192.0.2.1'))).toBe(false);
  });

  it('counts hits, and --update refreshes only what matched', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name H', rt);
    const upd = matcher('-m recent --update --seconds 60 --hitcount 3 --name H', rt);
    set(udpFrom('192.0.2.1', 0));
    expect(upd(udpFrom('192.0.2.1', 1e9))).toBe(false);
    set(udpFrom('192.0.2.1', 2e9));
    expect(upd(udpFrom('192.0.2.1', 3e9))).toBe(false);
    set(udpFrom('192.0.2.1', 4e9));
    // Three stamps within 60 s: a match, which adds a fourth.
    expect(upd(udpFrom('192.0.2.1', 5e9))).toBe(true);
    // At 62 s the stamp of 0 s and of 1 s are too old; 2, 4, 5 remain.
    expect(upd(udpFrom('192.0.2.1', 62e9))).toBe(true);
  });

  it('keeps `--hitcount` stamps per address in a ring', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name R', rt);
    const check = matcher('-m recent --rcheck --hitcount 2 --name R', rt);
    for (let i = 0; i < 40; i++) set(udpFrom('192.0.2.1', i * 1e9));
    expect(check(udpFrom('192.0.2.1', 41e9))).toBe(true);
  });

  it('inverts and looks at the destination with --rdest, under the list mask', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name M --mask 255.255.255.0 --rdest', rt);
    const check = matcher('-m recent ! --rcheck --name M', rt);
    set(udpFrom('192.0.2.1', 0, { dst: '198.51.100.77' }));
    // The list holds 198.51.100.0; the second rule looks up sources with the list's mask.
    expect(check(udpFrom('198.51.100.200'))).toBe(false);
    expect(check(udpFrom('203.0.113.1'))).toBe(true);
  });

  it('compares the TTL with --rttl, as it was before forwarding', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name T', rt);
    const check = matcher('-m recent --rcheck --rttl --name T', rt);
    set(udpFrom('192.0.2.1', 0, { ttl: 64 }));
    expect(check(udpFrom('192.0.2.1', 0, { ttl: 64 }))).toBe(true);
    expect(check(udpFrom('192.0.2.1', 0, { ttl: 63 }))).toBe(false);
    const fwd = udpFrom('192.0.2.1', 0, { ttl: 63 });
    fwd.hook = 'FORWARD';
    fwd.outIface = 'eth1';
    expect(check(fwd)).toBe(true);
  });

  it('forgets the least recently used address beyond 100', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name U', rt);
    const check = matcher('-m recent --rcheck --name U', rt);
    for (let i = 1; i <= 101; i++) set(udpFrom(`10.0.0.${i}`, i * MS));
    expect(check(udpFrom('10.0.0.1'))).toBe(false);
    expect(check(udpFrom('10.0.0.2'))).toBe(true);
    expect(check(udpFrom('10.0.0.101'))).toBe(true);
  });

  it('reaps the oldest entry when it is older than --seconds', () => {
    const rt = new TestRuntime();
    const set = matcher('-m recent --set --name P', rt);
    const reap = matcher('-m recent --rcheck --seconds 5 --reap --name P', rt);
    const any = matcher('-m recent --rcheck --name P', rt);
    set(udpFrom('192.0.2.1', 0));
    set(udpFrom('192.0.2.2', 1e9));
    expect(reap(udpFrom('192.0.2.2', 10e9))).toBe(false);
    expect(any(udpFrom('192.0.2.1'))).toBe(false);
    expect(any(udpFrom('192.0.2.2'))).toBe(true);
  });
});

describe('statistic (statistic_mt)', () => {
  it('matches every n-th packet from the given start', () => {
    const m = matcher('-m statistic --mode nth --every 3 --packet 1');
    expect([0, 1, 2, 3, 4, 5, 6].map(() => m(udpFrom('192.0.2.1')))).toEqual([false, true, false, false, true, false, false]);
    const n = matcher('-m statistic --mode nth ! --every 2 --packet 0');
    expect([0, 1, 2, 3].map(() => n(udpFrom('192.0.2.1')))).toEqual([false, true, false, true]);
  });

  it('samples with the replay generator below the fixed-point probability', () => {
    const rt = new TestRuntime(undefined, 7);
    const ref = new TestRuntime(undefined, 7);
    const m = matcher('-m statistic --mode random --probability 0.25', rt);
    const got = Array.from({ length: 200 }, () => m(udpFrom('192.0.2.1')));
    const want = Array.from({ length: 200 }, () => (ref.random32() & 0x7fffffff) < 536870912);
    expect(got).toEqual(want);
    expect(got.filter(Boolean).length).toBeGreaterThan(20);
    const always = matcher('-m statistic --mode random --probability 1');
    const never = matcher('-m statistic --mode random ! --probability 1');
    expect([always(udpFrom('192.0.2.1')), never(udpFrom('192.0.2.1'))]).toEqual([true, false]);
  });
});

describe('quota (quota_mt)', () => {
  it('matches while the packet fits, and empties on the first that does not', () => {
    const m = matcher('-m quota --quota 100');
    const sizes = [60, 50, 30].map((n) => udpFrom('192.0.2.1', 0, { payload: n - 28 }));
    expect(sizes.map((p) => m(p))).toEqual([true, false, false]);
    const inv = matcher('-m quota ! --quota 100');
    expect([60, 50, 30].map((n) => inv(udpFrom('192.0.2.1', 0, { payload: n - 28 })))).toEqual([false, true, true]);
  });

  it('counts a 64-bit quota exactly', () => {
    const m = matcher(`-m quota --quota ${2 ** 32 + 10}`);
    const p = udpFrom('192.0.2.1');
    p.length = 65535;
    let hits = 0;
    for (let i = 0; i < 65540; i++) if (m(p)) hits++;
    expect(hits).toBe(65537);
  });
});

describe('time (time_mt)', () => {
  const ts = (iso: string): number => Date.parse(iso) / 1000;
  const check = (rule: string, iso: string): boolean => {
    const p = udpFrom('192.0.2.1');
    p.tsSec = ts(iso);
    return matcher(rule)(p);
  };

  it('tests the date range, the weekday and the day of the month in UTC', () => {
    expect(check('-m time --datestart 2024-01-01 --datestop 2024-12-31', '2024-02-29T12:00:00Z')).toBe(true);
    expect(check('-m time --datestop 2024-01-01', '2024-02-29T12:00:00Z')).toBe(false);
    expect(check('-m time --weekdays Thu', '2024-02-29T12:00:00Z')).toBe(true);
    expect(check('-m time --weekdays Fri,Sat', '2024-02-29T23:59:59Z')).toBe(false);
    expect(check('-m time --monthdays 29', '2024-02-29T00:00:00Z')).toBe(true);
    expect(check('-m time --monthdays 1', '2024-03-01T00:00:00Z')).toBe(true);
    expect(check('-m time ! --monthdays 1', '2024-03-01T00:00:00Z')).toBe(false);
  });

  it('handles a time of day across midnight, and --contiguous', () => {
    expect(check('-m time --timestart 22:00 --timestop 02:00', '2024-03-04T23:30:00Z')).toBe(true);
    expect(check('-m time --timestart 22:00 --timestop 02:00', '2024-03-05T01:00:00Z')).toBe(true);
    expect(check('-m time --timestart 22:00 --timestop 02:00', '2024-03-05T12:00:00Z')).toBe(false);
    // Monday 2024-03-04: Tuesday 01:00 is still Monday's range only with --contiguous.
    expect(check('-m time --timestart 22:00 --timestop 02:00 --weekdays Mon', '2024-03-05T01:00:00Z')).toBe(false);
    expect(check('-m time --timestart 22:00 --timestop 02:00 --weekdays Mon --contiguous', '2024-03-05T01:00:00Z')).toBe(true);
  });

  it('never matches after the default --datestop, 2038-01-19T03:14:07', () => {
    expect(check('-m time --weekdays Tue', '2038-01-19T03:14:07Z')).toBe(true);
    expect(check('-m time --weekdays Tue', '2038-01-19T03:14:08Z')).toBe(false);
    expect(check('-m time --kerneltz --monthdays 31', '2037-12-31T10:00:00Z')).toBe(true);
  });
});
