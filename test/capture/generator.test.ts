/**
 * bench/gen/capture.mjs, the benchmark's capture generator: deterministic, the packet count
 * asked for, and traffic tshark finds consistent (every checksum right, no TCP sequence
 * anomaly), so the benchmark reads packets like a real capture's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { generateCapture } from '../../bench/gen/capture.mjs';

const dir = mkdtempSync(join(tmpdir(), 'nfr-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
const PACKETS = 20000;

const make = (name: string, opts: Record<string, unknown>) => {
  const out = join(dir, name);
  const r = generateCapture({ out, packets: PACKETS, ...opts });
  return { out, ...r };
};
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const tsharkLines = (path: string, args: string[]) => {
  const r = spawnSync('tshark', ['-n', '-r', path, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
};

describe('capture generator', () => {
  const a = make('a.pcap', { seed: 7 });

  it('writes the packets asked for, the same bytes for the same seed and others for another', () => {
    expect(a.packets).toBe(PACKETS);
    const b = make('b.pcap', { seed: 7 });
    const c = make('c.pcap', { seed: 8 });
    expect(sha(b.out)).toBe(sha(a.out));
    expect(sha(c.out)).not.toBe(sha(a.out));
    expect(a.tcpFlows).toBeGreaterThan(0);
    expect(a.tcpRefused + a.tcpReset).toBeGreaterThan(0);
    expect(a.udpFlows).toBeGreaterThan(0);
    expect(a.icmpErrors).toBeGreaterThan(0);
    expect(a.echoFlows).toBeGreaterThan(0);
  });

  it('stops at a file size', () => {
    const s = generateCapture({ out: join(dir, 's.pcap'), bytes: 1_000_000 });
    expect(s.bytes).toBeGreaterThanOrEqual(1_000_000);
    expect(s.bytes).toBeLessThan(1_000_000 + 70_000);
  });

  it.skipIf(!tshark)('has correct IPv4, TCP, UDP and ICMP checksums', () => {
    const opts = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
    const fields = ['-T', 'fields', '-e', 'frame.number'];
    // Quoted datagrams inside ICMP errors are cut at 576 bytes: not verifiable, left out.
    const bad = tsharkLines(a.out, [...opts, ...fields, '-Y', 'ip.checksum.status==2 || tcp.checksum.status==2 || icmp.checksum.status==2 || (udp.checksum.status==2 && !icmp)']);
    expect(bad).toEqual([]);
    const good = tsharkLines(a.out, [...opts, ...fields, '-Y', 'ip.checksum.status==1']);
    expect(good.length).toBeGreaterThan(PACKETS * 0.99);
    const nano = make('n.pcap', { seed: 7, nano: true, packets: 2000 });
    expect(tsharkLines(nano.out, [...opts, ...fields, '-Y', 'ip.checksum.status==2 || tcp.checksum.status==2']).length).toBe(0);
  });

  it.skipIf(!tshark)('has consistent TCP sequence numbers', () => {
    const anomalies = tsharkLines(a.out, [
      '-Y',
      'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment || tcp.analysis.retransmission || tcp.analysis.out_of_order || tcp.analysis.duplicate_ack || tcp.analysis.zero_window',
    ]);
    expect(anomalies).toEqual([]);
  });
});
