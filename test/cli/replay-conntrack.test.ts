/**
 * The conntrack and NAT outputs of `nfreplay replay`: --conntrack (the table at the end, as
 * `conntrack -L`), --conntrack-events (`conntrack -E` lines with capture times) and
 * --egress-dir (what left each interface), on a differential case the kernel recorded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/reader.js';

const ROOT = join(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'differential', 'cases', 'dnat-forward');
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-ct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expected = JSON.parse(readFileSync(join(CASE, 'expected.json'), 'utf8')) as { conntrackEntries: string[]; egress: Record<string, string[]> };

describe('nfreplay replay: conntrack and egress outputs', () => {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'dist', 'cli', 'main.js'),
      'replay',
      join(CASE, 'capture.pcap'),
      '--rules',
      join(CASE, 'rules.v4'),
      '--host',
      join(CASE, 'host.json'),
      '--conntrack',
      join(dir, 'ct.txt'),
      '--conntrack-events',
      join(dir, 'events.txt'),
      '--egress-dir',
      join(dir, 'egress'),
      '-q',
    ],
    { encoding: 'utf8' },
  );

  it('exits 0', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('--conntrack lists the table as the kernel had it (timeouts aside)', () => {
    const lines = readFileSync(join(dir, 'ct.txt'), 'utf8').trim().split('\n');
    const withoutTimeout = lines.map((l) => l.split(/\s+/).filter((_, i) => i !== 2).join(' ')).sort();
    expect(withoutTimeout).toEqual(expected.conntrackEntries);
    expect(lines[0]).toMatch(/^(tcp|udp|icmp) +\d+ \d+ /);
  });

  it('--conntrack-events has one [NEW] per confirmed entry, with capture times', () => {
    const events = readFileSync(join(dir, 'events.txt'), 'utf8').trim().split('\n');
    expect(events.filter((l) => l.includes('[NEW]')).length).toBeGreaterThanOrEqual(expected.conntrackEntries.length);
    expect(events[0]).toMatch(/^\[1700000000\.000000\]\t +\[NEW\] tcp +6 120 SYN_SENT /);
    expect(events.some((l) => / \[UPDATE\] tcp +6 432000 ESTABLISHED .*\[ASSURED\]/.test(l))).toBe(true);
  });

  it('--egress-dir holds, per interface, the datagrams the kernel sent', async () => {
    const files = readdirSync(join(dir, 'egress')).sort();
    expect(files).toEqual(Object.keys(expected.egress).sort().map((i) => `egress-${i}.pcap`));
    for (const [iface, frames] of Object.entries(expected.egress)) {
      const got: string[] = [];
      const reader = await openCapture(join(dir, 'egress', `egress-${iface}.pcap`));
      await reader.forEach((rec) => {
        const skip = rec.linktype === 1 ? 14 : 0;
        got.push(Buffer.from(rec.data.subarray(rec.offset + skip, rec.offset + rec.caplen)).toString('hex'));
      });
      expect(got).toEqual(frames.map((h) => h.slice(28, 28 + 2 * parseInt(h.slice(32, 36), 16))));
    }
  });
});
