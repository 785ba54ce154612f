/**
 * The traffic series (summary.traffic): packets, bytes and new connections per bin of
 * capture time from the first replayed packet, bins doubling to stay within the bound, the
 * size mix, and the same series from a replay on threads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Traffic } from '../../src/engine/traffic.js';
import { filterRules, serverHost, writeCapture, type Pkt } from '../analysis/packets.js';

/** A packet at `ns` since the first (what Traffic.add reads of one). */
const at = (ns: number): { nowNs: number } => ({ nowNs: ns });

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-traffic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

type Series = { binSeconds: number; points: Array<[number, number, number, number]> };

function replayTraffic(capture: string, rules: string, host: string): Series | undefined {
  const r = spawnSync(process.execPath, [CLI, 'replay', capture, '--rules', rules, '--host', host, '--output', 'json', '-q'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return (JSON.parse(r.stdout) as { summary: { traffic?: Series } }).summary.traffic;
}

describe('Traffic', () => {
  it('counts packets, bytes and the increase of confirmed entries per one-second bin', () => {
    const t = new Traffic();
    t.add(at(0), 100, 1);
    t.add(at(0.999e9), 60, 2);
    t.add(at(2.5e9), 1500, 2);
    // A packet stamped before the first one counts in the first bin.
    t.add(at(-3e9), 40, 5);
    expect(t.series()).toEqual({
      binSeconds: 1,
      points: [
        [0, 3, 200, 5],
        [1, 0, 0, 0],
        [2, 1, 1500, 0],
      ],
    });
  });

  it('doubles the bins past the bound, each wider bin the sum of two', () => {
    const t = new Traffic(4);
    for (const s of [0, 1.5, 3.2]) t.add(at(s * 1e9), 10, 0);
    expect(t.series().binSeconds).toBe(1);
    t.add(at(4.5e9), 10, 0);
    expect(t.series()).toEqual({
      binSeconds: 2,
      points: [
        [0, 2, 20, 0],
        [2, 1, 10, 0],
        [4, 1, 10, 0],
      ],
    });
    // Past 4 bins of 2 s: 4 s bins at once, again every count kept.
    t.add(at(9e9), 10, 3);
    t.add(at(1e9), 10, 3);
    expect(t.series()).toEqual({
      binSeconds: 4,
      points: [
        [0, 4, 40, 0],
        [4, 1, 10, 0],
        [8, 1, 10, 3],
      ],
    });
  });

  it('sorts sizes into ≤64, ≤128, ≤256, ≤512, ≤1024, ≤1500 and larger', () => {
    const t = new Traffic();
    for (const size of [20, 64, 65, 128, 129, 256, 257, 512, 513, 1024, 1025, 1500, 1501, 65535]) t.add(at(0), size, 0);
    expect(t.sizeMix()).toEqual([2, 2, 2, 2, 2, 2, 2]);
  });

  it('adds a series with the same origin and wider bins as if its packets were added', () => {
    const a = new Traffic(8);
    const b = new Traffic(8);
    const whole = new Traffic(8);
    const times = [0, 0.5, 3, 7.9, 12, 20.1];
    times.forEach((s, i) => {
      (s < 8 ? a : b).add(at(s * 1e9), 100 + i, 0);
      whole.add(at(s * 1e9), 100 + i, 0);
    });
    expect(b.series().binSeconds).toBe(4);
    a.addSeries(b.series(), b.sizeMix());
    expect(a.series()).toEqual(whole.series());
    expect(a.sizeMix()).toEqual(whole.sizeMix());
  });
});

describe('summary.traffic in nfreplay replay --output json', () => {
  // Bins start at the first replayed packet (0.2 s); the IPv6 record before it is not replayed.
  const pkts: Pkt[] = [
    { t: 0.2, src: '198.51.100.10', dst: '192.0.2.1', proto: 'udp', sport: 1000 },
    { t: 0.5, src: '192.0.2.1', dst: '198.51.100.10', proto: 'udp', sport: 53, dport: 1000 },
    { t: 1.1, src: '198.51.100.11', dst: '192.0.2.1', proto: 'udp', sport: 1000 },
    { t: 1.3, src: '198.51.100.10', dst: '192.0.2.1', proto: 'udp', sport: 1000 },
    { t: 3.7, src: '198.51.100.12', dst: '192.0.2.1', proto: 'udp', sport: 1000 },
    { t: 3.9, src: '198.51.100.12', dst: '192.0.2.1', proto: 'udp', sport: 1000, size: 300 },
  ];
  const capture = writeCapture(join(dir, 'udp.pcap'), pkts, 0.1);
  const host = file('host.json', serverHost());

  it('per second from the first replayed packet: packets, IP bytes, connections confirmed', () => {
    const tracked = replayTraffic(capture, file('tracked.rules', filterRules('-A INPUT -m conntrack --ctstate NEW -j ACCEPT')), host);
    // 0.2 + [0, 1): A, the reply to A, B (2 new); [1, 2): A again; [3, 4): C twice (1 new).
    expect(tracked).toEqual({
      binSeconds: 1,
      points: [
        [0, 3, 84, 2],
        [1, 1, 28, 0],
        [2, 0, 0, 0],
        [3, 2, 328, 1],
      ],
    });
  });

  it('new connections are 0 when nothing is tracked', () => {
    const stateless = replayTraffic(capture, file('stateless.rules', filterRules('-A INPUT -p udp -j ACCEPT')), host);
    expect(stateless!.points.map((p) => p[3])).toEqual([0, 0, 0, 0]);
    expect(stateless!.points.map((p) => p[1])).toEqual([3, 1, 0, 2]);
  });

  it('over more than 10,000 s: 4-second bins, at most 10,000 of them', () => {
    const long = writeCapture(join(dir, 'long.pcap'), [
      { t: 0, src: '198.51.100.10', dst: '192.0.2.1', proto: 'udp' },
      { t: 25000.5, src: '198.51.100.11', dst: '192.0.2.1', proto: 'udp' },
    ]);
    const s = replayTraffic(long, file('long.rules', filterRules('-A INPUT -p udp -j ACCEPT')), host)!;
    expect(s.binSeconds).toBe(4);
    expect(s.points.length).toBe(6251);
    expect(s.points[0]).toEqual([0, 1, 28, 0]);
    expect(s.points.at(-1)).toEqual([25000, 1, 28, 0]);
    expect(s.points.slice(1, -1).every((p) => p[1] === 0)).toBe(true);
  });
});

describe('summary.traffic of a replay on threads', () => {
  it('is the one-thread series: every part binned from the whole capture\'s first replayed packet', async () => {
    const { replayParallel } = await import('../../dist/engine/parallel.js');
    const { replayCapture } = await import('../../dist/engine/replay.js');
    const { Traffic: BuiltTraffic } = await import('../../dist/engine/traffic.js');
    const { compileRuleset } = await import('../../dist/compile/index.js');
    const { loadRulesetText } = await import('../../dist/rules/index.js');
    const { createClassifier, hostFromJson } = await import('../../dist/netfilter/index.js');
    const { ReplayContext } = await import('../../dist/engine/context.js');
    const text = filterRules('-A INPUT -p udp -m udp --dport 53 -j ACCEPT', '-A INPUT -p udp -j DROP');
    const rules = file('threads.rules', text);
    // 3,000 datagrams over 30 s, sizes varying, after a record that is not replayed.
    const pkts: Pkt[] = Array.from({ length: 3000 }, (_, i) => ({ t: 0.3 + i * 0.01003, src: '198.51.100.20', dst: '192.0.2.1', proto: 'udp', sport: 1024 + i, dport: i % 7 === 0 ? 54 : 53, size: 28 + (i % 97) * 13 }));
    const capture = writeCapture(join(dir, 'threads.pcap'), pkts, 0.05);
    const host = hostFromJson(JSON.parse(serverHost()) as object);
    const parallel = new BuiltTraffic();
    const result = await replayParallel({ capture, rulesPath: rules, task: { hostSpec: host.spec, unmodelled: 'refuse', interpreter: false, histograms: false }, workers: 2, partBytes: 20_000, traffic: parallel });
    if ('sequential' in result) throw new Error(`expected a parallel replay: ${result.sequential}`);
    const ruleset = loadRulesetText(text, { source: 'threads' }).ruleset;
    const one = new BuiltTraffic();
    const sequential = await replayCapture({ capture, ruleset, host, classify: createClassifier(host), runner: (rt: InstanceType<typeof ReplayContext>) => compileRuleset(ruleset, rt), traffic: one });
    expect(result.summary.traffic).toEqual(sequential.traffic);
    expect(parallel.sizeMix()).toEqual(one.sizeMix());
    expect(sequential.traffic!.points.length).toBe(31);
    expect(sequential.traffic!.points.reduce((n, p) => n + p[1], 0)).toBe(3000);
  });
});
