/**
 * Long replays: the progress line's text, no progress off a terminal, and Ctrl-C (SIGINT)
 * stopping a replay cleanly with what it did printed and marked partial.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
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

/**
 * A replay of `packets` UDP packets, each walking 10,000 rules of the reference interpreter
 * to the ACCEPT policy (several seconds), stopped by SIGINT after 1.5 s: its exit code,
 * stdout, stderr and the packets it says its results cover.
 */
async function interruptedReplay(name: string, packets: number, extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string; read: number }> {
  const rules = join(dir, `${name}.rules`);
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 10_000; i++) lines.push(`-A INPUT -s 203.0.113.${i % 250}/32 -p udp -m udp --dport ${1 + i} -j DROP`);
  writeFileSync(rules, [...lines, 'COMMIT', ''].join('\n'));
  const host = join(dir, 'host.json');
  writeFileSync(host, JSON.stringify({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] }));
  const capture = join(dir, `${name}.pcap`);
  const w = PcapWriter.open(capture, { linktype: 101 });
  for (let i = 0; i < packets; i++) w.write({ data: udpDatagram('198.51.100.20', '198.51.100.1', 1024 + (i % 60000), 9), offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: i });
  w.close();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', capture, '--rules', rules, '--host', host, '--interpreter', '-x', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise<number | null>((r) => child.on('close', r));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  const code = await closed;
  const read = Number(/interrupted: the results cover the first (\d+) packets read only/.exec(stderr)?.[1]);
  return { code, stdout, stderr, read };
}

describe('Ctrl-C', () => {
  it('stops between packets, prints the counters so far, says so and exits 130', async () => {
    const { code, stdout, stderr, read } = await interruptedReplay('one', 150_000, []);
    expect(code).toBe(130);
    // Off a terminal no progress line is drawn.
    expect(stderr).not.toContain('\r');
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(150_000);
    // The listing covers exactly those packets: all fell to the ACCEPT policy.
    expect(stdout).toContain(`Chain INPUT (policy ACCEPT ${read} packets, ${28 * read} bytes)`);
    expect(stderr).toContain(`nfreplay: ${read} packets read, ${read} replayed`);
  }, 30_000);

  it('on two threads, stops both and counts a prefix of the capture: the parts before the first stopped', async () => {
    // 44-byte records: 13.2 MB, more than one part.
    const verdicts = join(dir, 'two.verdicts');
    const { code, stdout, stderr, read } = await interruptedReplay('two', 300_000, ['--workers', '2', '--verdicts', verdicts]);
    expect(code).toBe(130);
    expect(stderr).toContain('nfreplay: replayed on 2 threads\n');
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(300_000);
    expect(stdout).toContain(`Chain INPUT (policy ACCEPT ${read} packets, ${28 * read} bytes)`);
    expect(stderr).toContain(`nfreplay: ${read} packets read, ${read} replayed`);
    // The verdicts are those of packets 1 to `read`, in order: a prefix, whichever thread stopped where.
    const numbers = readFileSync(verdicts, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { packet: number }).packet);
    expect(numbers).toEqual(Array.from({ length: read }, (_, i) => i + 1));
  }, 60_000);
});
