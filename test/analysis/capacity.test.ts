/**
 * `nfreplay capacity` on captures built with known rates, every expected figure worked out
 * by hand in the comments: the traffic profile (peak, p99, mean, size mix), the conntrack
 * table against nf_conntrack_max, the projections at ×N (when the table would be full,
 * early drops of entries not ASSURED, connections refused when every entry is ASSURED) and
 * the CPU estimate from a calibration file, which the report names. Bad calibration files
 * and bad options fail with a clear message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapacityReport } from '../../src/analysis/capacity.js';
import { percentile, rateOf } from '../../src/analysis/capacity.js';
import { ACK, filterRules, serverHost, SYN, writeCapture, type Pkt } from './packets.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

function nfreplay(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A calibration as nfreplay calibrate writes it, with round figures. */
function calibration(nsPerRule: number, nsPerPacket: number): string {
  return JSON.stringify({
    format: 'nfreplay-calibration',
    version: 1,
    date: '2026-01-02T03:04:05.000Z',
    kernel: '6.18.44-test',
    cpu: { model: 'Test CPU', count: 2 },
    iptables: { version: '1.8.9', backend: 'nf_tables', command: 'iptables-restore' },
    method: {},
    rules: [0, 1000],
    runs: [],
    nsPerRule,
    nsPerPacket,
    fit: { r2: 0.999, slopePerRepetition: [], perRules: [] },
  });
}

describe('percentile and rates', () => {
  it('p99 is the nearest rank over every bin, idle ones included', () => {
    expect(percentile([5, 1, 3], 99)).toBe(5);
    // 200 values: rank ceil(198) = 198th smallest.
    const values = [...Array<number>(197).fill(1), 10, 20, 30];
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([], 99)).toBe(0);
  });

  it('rates divide by the bin width', () => {
    const r = rateOf({ binSeconds: 2, points: [[0, 4, 0, 0], [2, 10, 0, 0], [4, 0, 0, 0]] }, 1);
    expect(r).toEqual({ peak: 5, peakAt: 2, p99: 5, mean: 2.333 });
  });
});

// ---------------------------------------------------------------------------------------
// UDP queries, each from its own source port (a new entry each), to 192.0.2.1: one a second
// at whole seconds 0..199 (32 bytes), except bursts at 50 s (30 of 100 bytes), 100 s (20 of
// 1000 bytes) and 150 s (10 of 1500 bytes), 10 ms apart. UDP entries kept 1000 s: nothing
// expires; none is ever answered, so none is ASSURED. nf_conntrack_max 1000.
describe('a capture of known rates, nothing expiring', () => {
  const pkts: Pkt[] = [];
  const bursts = new Map([
    [50, { n: 30, size: 100 }],
    [100, { n: 20, size: 1000 }],
    [150, { n: 10, size: 1500 }],
  ]);
  for (let s = 0; s < 200; s++) {
    const b = bursts.get(s);
    for (let i = 0; i < (b?.n ?? 1); i++) pkts.push({ t: s + i * 0.01, src: '198.51.100.10', dst: '192.0.2.1', proto: 'udp', sport: 1000 + pkts.length, size: b?.size ?? 32 });
  }
  const capture = writeCapture(join(dir, 'udp.pcap'), pkts);
  const host = file('udp-host.json', serverHost({ 'net.netfilter.nf_conntrack_udp_timeout': 1000, 'net.netfilter.nf_conntrack_max': 1000 }));
  // Two rules evaluated for every packet.
  const rules = file('udp.rules', filterRules('-A INPUT -m conntrack --ctstate INVALID -j DROP', '-A INPUT -p udp -j ACCEPT'));
  const cal = file('cal.json', calibration(10, 1000));
  const r = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', cal, '--output', 'json']);
  const report = JSON.parse(r.stdout || '{}') as CapacityReport;

  it('exits 0', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('packets and new connections per second: peak, p99 of the 200 one-second bins, mean', () => {
    expect(report.capture).toEqual({ packetsRead: 257, replayed: 257, binSeconds: 1, bins: 200 });
    // 197 bins of 1, then 10, 20, 30: the 198th smallest is 10; 257 packets over 200 s.
    const expected = { peak: 30, peakAt: 50, p99: 10, mean: 1.285 };
    expect(report.traffic.packetsPerSecond).toEqual(expected);
    expect(report.traffic.newConnectionsPerSecond).toEqual(expected);
    // 197 × 32 + 3,000 + 20,000 + 15,000 bytes: peak at 100 s, p99 the 198th smallest.
    expect(report.traffic.bytesPerSecond).toEqual({ peak: 20000, peakAt: 100, p99: 3000, mean: (197 * 32 + 38000) / 200 });
    expect(report.traffic.series.points.length).toBe(200);
    expect(report.traffic.series.points[100]).toEqual([100, 20, 20000, 20]);
  });

  it('the size mix by IP total length', () => {
    expect(report.traffic.sizes).toEqual([
      { upTo: 64, packets: 197, share: 0.7665 },
      { upTo: 128, packets: 30, share: 0.1167 },
      { upTo: 256, packets: 0, share: 0 },
      { upTo: 512, packets: 0, share: 0 },
      { upTo: 1024, packets: 20, share: 0.0778 },
      { upTo: 1500, packets: 10, share: 0.0389 },
      { upTo: null, packets: 0, share: 0 },
    ]);
  });

  it('the table: every entry still there at the end, the host file\'s nf_conntrack_max', () => {
    const { occupancy, ...ct } = report.conntrack!;
    expect(ct).toEqual({ peak: 257, final: 257, sampledPeak: [199, 257], max: 1000, maxFrom: 'host file' });
    // Sampled at each second before its packets: the packets before it.
    expect(occupancy[51]).toEqual([51, 80]);
  });

  it('rules evaluated: 2 per packet; per second 2 × the packets', () => {
    expect(report.rulesEvaluated).toEqual({ mean: 2, p50: 2, p99: 2, max: 2, perSecond: { peak: 60, p99: 20 } });
  });

  it('×2: twice the rates; 514 entries fit in 1000', () => {
    const p = report.projections.find((x) => x.scale === 2)!;
    expect(p.packetsPerSecond).toEqual({ peak: 60, p99: 20 });
    expect(p.newConnectionsPerSecond).toEqual({ peak: 60, p99: 20 });
    expect(p.rulesPerSecond).toEqual({ peak: 120, p99: 40 });
    expect(p.conntrack).toEqual({ peak: 514, max: 1000, fullAt: null, overflow: null });
  });

  it('×2 CPU: packets/s × (1000 ns + 2 rules × 10 ns)', () => {
    const p = report.projections.find((x) => x.scale === 2)!;
    expect(p.cpu).toEqual({ nsPerPacket: 1020, peakCores: (60 * 1020) / 1e9, p99Cores: (20 * 1020) / 1e9, ruleWalkPeakCores: (60 * 2 * 10) / 1e9 });
  });

  it('×5: full once more than 200 entries (first at the 151 s sample: 198 before 150 s, then 10); early_drop makes room', () => {
    const p = report.projections.find((x) => x.scale === 5)!;
    expect(p.conntrack!.peak).toBe(1285);
    expect(p.conntrack!.fullAt).toBe(151);
    // A table of 200: the 57 entries past it each evict the oldest (none is ASSURED); × 5.
    expect(p.conntrack!.overflow).toEqual({
      tableSize: 200,
      earlyDrops: 57 * 5,
      refusedPackets: 0,
      refusedConnections: 0,
      refusedPerSecond: { peak: 0, peakAt: 0 },
      firstRefusedAt: null,
    });
  });

  it('×10: full past 100 entries (72 s: 50 + 30 + 21 packets before it)', () => {
    const p = report.projections.find((x) => x.scale === 10)!;
    expect(p.conntrack!.fullAt).toBe(72);
    expect(p.conntrack!.overflow!.tableSize).toBe(100);
    expect(p.conntrack!.overflow!.earlyDrops).toBe(157 * 10);
  });

  it('names the calibration it used', () => {
    expect(report.calibration).toEqual({ file: cal, date: '2026-01-02T03:04:05.000Z', kernel: '6.18.44-test', cpu: 'Test CPU', iptables: '1.8.9 (nf_tables)', nsPerRule: 10, nsPerPacket: 1000, r2: 0.999 });
    const text = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', cal]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`calibration: ${cal}, measured 2026-01-02T03:04:05.000Z on kernel 6.18.44-test, Test CPU, iptables 1.8.9 (nf_tables): 10 ns per rule evaluated, 1000 ns per packet besides the rules (R² 0.999)`);
    expect(text.stdout).toContain('×5: packets/s peak 150, p99 50;');
    expect(text.stdout).toContain('kernel CPU: 0.000153 of one core at the peak second');
  });

  it('--report: the projections on the HTML page are the JSON report\'s, with the calibration named', () => {
    const page = join(dir, 'capacity.html');
    const run = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', cal, '--report', page]);
    expect(run.code).toBe(0);
    const html = readFileSync(page, 'utf8');
    const shown = (scale: number, field: string): string => {
      const row = new RegExp(`<tr data-scale="${scale}">(.*?)</tr>`).exec(html);
      return new RegExp(`data-field="${field}" data-v="([^"]*)"`).exec(row![1]!)![1]!;
    };
    for (const p of report.projections) {
      expect(Number(shown(p.scale, 'ppsPeak'))).toBe(p.packetsPerSecond.peak);
      expect(Number(shown(p.scale, 'newConnsPeak'))).toBe(p.newConnectionsPerSecond.peak);
      expect(Number(shown(p.scale, 'conntrackPeak'))).toBe(p.conntrack!.peak);
      expect(shown(p.scale, 'fullAtSec')).toBe(p.conntrack!.overflow === null ? 'null' : String(p.conntrack!.fullAt));
      expect(Number(shown(p.scale, 'cpuFraction'))).toBe(p.cpu!.peakCores);
    }
    expect(html).toContain(`data-field="calibration">${cal}</b>`);
    expect(html).toContain('data-field="conntrackMax" data-v="1000"');
    // The replay at ×1 is on the page too: its traffic over time and the rules' hits.
    expect(html).toContain('id="traffic"');
    expect(html).toContain('-p udp -j ACCEPT');
  });

  it('without a calibration: rules evaluated per second only, and no CPU figure', () => {
    const text = nfreplay(['capacity', capture, '--rules', rules, '--host', host]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('calibration: none given: no CPU estimate');
    expect(text.stdout).toContain('kernel CPU: needs a calibration (nfreplay calibrate)');
    expect(text.stdout).not.toMatch(/of one core/);
    const json = JSON.parse(nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--output', 'json']).stdout) as CapacityReport;
    expect(json.calibration).toBeNull();
    expect(json.projections.every((p) => p.cpu === null)).toBe(true);
  });

  it('the same bytes for the same inputs', () => {
    const again = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', cal, '--output', 'json']);
    expect(again.stdout).toBe(r.stdout);
  });
});

// ---------------------------------------------------------------------------------------
// 20 TCP connections to 192.0.2.1:80, one a second: SYN at k s, the server's SYN-ACK at
// k + 0.1 s, the ACK at k + 0.2 s, which makes the entry ESTABLISHED and ASSURED.
// nf_conntrack_max 30: at ×2, a table of 15 holds connections 0-14, all ASSURED, so early_drop
// finds nothing and each packet of connections 15-19 is refused an entry (3 × 5).
describe('a full table of ASSURED connections', () => {
  const pkts: Pkt[] = [];
  for (let k = 0; k < 20; k++) {
    const client = { src: '198.51.100.10', dst: '192.0.2.1', sport: 2000 + k, dport: 80 };
    pkts.push({ t: k, proto: 'tcp', ...client, flags: SYN, seq: 1000 });
    pkts.push({ t: k + 0.1, proto: 'tcp', src: client.dst, dst: client.src, sport: 80, dport: client.sport, flags: SYN | ACK, seq: 5000, ack: 1001 });
    pkts.push({ t: k + 0.2, proto: 'tcp', ...client, flags: ACK, seq: 1001, ack: 5001 });
  }
  const capture = writeCapture(join(dir, 'tcp.pcap'), pkts);
  const host = file('tcp-host.json', serverHost({ 'net.netfilter.nf_conntrack_max': 30 }));
  // SYN: 2 rules; the SYN-ACK goes out through an empty OUTPUT: 0; the ACK: 1. Mean 1.
  const rules = file('tcp.rules', filterRules('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT'));
  const r = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--scale', '2', '--output', 'json']);
  const report = JSON.parse(r.stdout || '{}') as CapacityReport;

  it('the profile: 3 packets and one new connection a second, one rule per packet on average', () => {
    expect(r.code).toBe(0);
    expect(report.traffic.packetsPerSecond).toEqual({ peak: 3, peakAt: 0, p99: 3, mean: 3 });
    expect(report.traffic.newConnectionsPerSecond).toEqual({ peak: 1, peakAt: 0, p99: 1, mean: 1 });
    expect(report.rulesEvaluated.mean).toBe(1);
    expect(report.conntrack!.peak).toBe(20);
  });

  it('×2: 40 entries for 30; the packets that needed one are dropped, connections counted once', () => {
    const p = report.projections[0]!;
    expect(p.scale).toBe(2);
    expect(p.rulesPerSecond).toEqual({ peak: 6, p99: 6 });
    // The sample at 16 s is the first with 16 entries (× 2 > 30).
    expect(p.conntrack!.fullAt).toBe(16);
    expect(p.conntrack!.overflow).toEqual({
      tableSize: 15,
      earlyDrops: 0,
      refusedPackets: 15 * 2,
      refusedConnections: 5 * 2,
      refusedPerSecond: { peak: 3 * 2, peakAt: 15 },
      firstRefusedAt: 15,
    });
  });

  it('says it in text', () => {
    const text = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--scale', '2']);
    expect(text.stdout).toContain('conntrack: peak 40 entries (133% of nf_conntrack_max 30): full from 16 s');
    expect(text.stdout).toContain(
      'then (the capture through a table of 15, × 2): early_drop evicted 0 entries not ASSURED; 10 connections had packets dropped for want of an entry (30 packets, peak 6/s at 15 s, first at 15 s)',
    );
  });
});

describe('errors', () => {
  const capture = writeCapture(join(dir, 'one.pcap'), [{ t: 0, src: '198.51.100.10', dst: '192.0.2.1', proto: 'udp' }]);
  const rules = file('one.rules', filterRules('-A INPUT -p udp -j ACCEPT'));
  const host = file('one-host.json', serverHost());

  it('a calibration file that is not JSON: its position', () => {
    const bad = file('bad.json', '{\n  "format": nope\n}\n');
    const e = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', bad]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(new RegExp(`^nfreplay: ${bad}:2:13: not JSON: `));
    expect(e.stdout).toBe('');
  });

  it('JSON that is not a calibration: what was expected', () => {
    const other = file('other.json', JSON.stringify({ format: 'something-else' }));
    const e = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', other]);
    expect(e.code).toBe(1);
    expect(e.stderr).toBe(`nfreplay: ${other}: not a calibration written by nfreplay calibrate: expected "format": "nfreplay-calibration" [NFR_ERR_CALIBRATION]\n`);
    const negative = file('negative.json', calibration(-1, 1000));
    const n = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', negative]);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('expected "nsPerRule" to be a number of ns, 0 or more');
  });

  it('a missing calibration file', () => {
    const e = nfreplay(['capacity', capture, '--rules', rules, '--host', host, '--calibration', join(dir, 'none.json')]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('none.json: cannot read the calibration file');
  });

  it('bad options are usage errors', () => {
    for (const args of [['--scale', '0'], ['--scale', '2,x'], ['--output', 'xml'], ['--kube-services', '1.5']]) {
      const e = nfreplay(['capacity', capture, '--rules', rules, '--host', host, ...args]);
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.stderr).toMatch(/^nfreplay: --(scale|output|kube-services) must /);
    }
  });
});
