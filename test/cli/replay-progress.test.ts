/**
 * Long replays: the progress line's text, no progress off a terminal, and Ctrl-C (SIGINT)
 * stopping a replay cleanly with what it did printed and marked partial.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { PROGRESS_EVERY } from '../../src/engine/replay.js';
import { progressText } from '../../src/cli/progress.js';
import { udpDatagram } from '../support/checksum.js';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nfr-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('progress line', () => {
  it('gives packets, the share of the file, the rate and the time left', () => {
    expect(progressText(1_200_000, 450_000_000, 1_000_000_000, 3)).toBe('nfreplay: 1200000 packets, 45.0% of 1.0 GB, 400.0 k packets/s, ETA 0:04');
    expect(progressText(5_000_000, 100, 400, 1)).toBe('nfreplay: 5000000 packets, 25.0% of 400 B, 5.00 M packets/s, ETA 0:03');
    expect(progressText(90, 1000, 4000, 7200)).toMatch(/ETA 6:00:00$/);
  });

  it('without a size (standard input): the bytes read and no ETA', () => {
    expect(progressText(4096, 2_500_000, undefined, 2)).toBe('nfreplay: 4096 packets, 2.5 MB read, 2.0 k packets/s');
  });
});

describe('Ctrl-C', () => {
  it('stops between packets, prints the counters so far, says so and exits 130', async () => {
    // Every packet walks 10,000 rules of the reference interpreter: several seconds for 150,000 packets.
    const rules = join(dir, 'slow.rules');
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < 10_000; i++) lines.push(`-A INPUT -s 203.0.113.${i % 250}/32 -p udp -m udp --dport ${1 + i} -j DROP`);
    writeFileSync(rules, [...lines, 'COMMIT', ''].join('\n'));
    const host = join(dir, 'host.json');
    writeFileSync(host, JSON.stringify({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] }));
    const capture = join(dir, 'many.pcap');
    const w = PcapWriter.open(capture, { linktype: 101 });
    for (let i = 0; i < 150_000; i++) w.write({ data: udpDatagram('198.51.100.20', '198.51.100.1', 1024 + (i % 60000), 9), offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: i });
    w.close();
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', capture, '--rules', rules, '--host', host, '--interpreter', '-x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((r) => child.on('close', r));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await closed;
    expect(code).toBe(130);
    // Off a terminal no progress line is drawn.
    expect(stderr).not.toContain('\r');
    const read = Number(/interrupted: the results cover the first (\d+) packets read only/.exec(stderr)?.[1]);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(150_000);
    expect(read % PROGRESS_EVERY).toBe(0);
    // The listing covers exactly those packets: all fell to the ACCEPT policy.
    expect(stdout).toContain(`Chain INPUT (policy ACCEPT ${read} packets, ${28 * read} bytes)`);
    expect(stderr).toContain(`nfreplay: ${read} packets read, ${read} replayed`);
  }, 30_000);
});
