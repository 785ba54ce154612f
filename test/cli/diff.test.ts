/**
 * `nfreplay diff CAPTURE --rules A --rules B`: the report, --output json, and the exit
 * status CI relies on (0 the same, 1 different, 2 trouble, 3 a damaged capture).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { pcapFile } from '../capture/build.js';
import { udpDatagram } from '../support/checksum.js';

const dir = mkdtempSync(join(tmpdir(), 'nfr-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function nfreplay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), exit: (c) => void (code = c) };
  await main(args, io);
  return { code, stdout, stderr };
}

const HOST = file('host.json', JSON.stringify({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }], routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '198.51.100.254' }] }));

/** DNS from two source ports (3 packets, then 1), NTP (2). */
const packets = [
  [40000, 53],
  [40000, 53],
  [40000, 53],
  [5000, 123],
  [5000, 123],
  [40001, 53],
].map(([sport, dport], i) => ({ tsSec: 1700000000 + i, tsFrac: 0, data: udpDatagram('192.0.2.1', '198.51.100.1', sport!, dport!, i + 1) }));
const bytes = pcapFile(packets, { linktype: 101 });
const CAPTURE = file('capture.pcap', bytes);

const ruleset = (...input: string[]): string => ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...input, 'COMMIT', ''].join('\n');
const DNS = '-A INPUT -p udp -m udp --dport 53 -j ACCEPT';
const NTP = '-A INPUT -p udp -m udp --dport 123 -j ACCEPT';
const OLD = file('old.v4', ruleset(DNS, NTP));
const NEW = file('new.v4', ruleset(NTP));
const SAME = file('same.v4', ruleset(DNS, NTP));

describe('nfreplay diff', () => {
  it('exits 0 when the rulesets do the same to every packet', async () => {
    const r = await nfreplay(['diff', CAPTURE, '--rules', OLD, '--rules', SAME, '--host', HOST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 packets replayed of 6 read: the same under both rulesets');
    expect(r.stdout).not.toContain('[1]');
  });

  it('exits 1 and lists the connections a deleted rule changes, grouped by the rules responsible', async () => {
    const r = await nfreplay(['diff', CAPTURE, '--rules', OLD, '--rules', NEW, '--host', HOST]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`A: ${OLD}\nB: ${NEW}\n`);
    expect(r.stdout).toContain('6 packets replayed of 6 read: 4 differ (verdict 4), in 2 connections; the final conntrack tables are the same\n');
    expect(r.stdout).toContain(
      [
        '[1] 2 connections, 4 packets: verdict',
        '  only under A:',
        `    filter INPUT rule 1: ${DNS}`,
        '  only under B:',
        '    filter INPUT policy: -P INPUT DROP',
        '  udp 192.0.2.1:40000 -> 198.51.100.1:53: 3 packets differ, the first #1',
        '    verdict: A ACCEPT, delivered as udp 192.0.2.1:40000 -> 198.51.100.1:53',
        '             B DROP at filter INPUT',
        '  udp 192.0.2.1:40001 -> 198.51.100.1:53: 1 packet differs, the first #6',
      ].join('\n'),
    );
    // The cost: A tests 1 rule for DNS, 2 for NTP (8 / 6); B 1 for each.
    expect(r.stdout).toContain("rules evaluated per packet (the kernel's linear walk): A mean 1.333 (p50 1, p99 2, max 2); B mean 1 (p50 1, p99 1, max 1)\n");
    expect(r.stdout).toContain('verdicts: A ACCEPT 6; B ACCEPT 2, DROP 4\n');
  });

  it('gives the comparison as JSON', async () => {
    const r = await nfreplay(['diff', CAPTURE, '--rules', OLD, '--rules', NEW, '--host', HOST, '--output', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ a: OLD, b: NEW, identical: false, differing: { packets: 4, connections: 2 } });
    expect(j.groups[0].examples.map((e: { connection: string }) => e.connection)).toEqual(['udp 192.0.2.1:40000 -> 198.51.100.1:53', 'udp 192.0.2.1:40001 -> 198.51.100.1:53']);
  });

  it('refuses --rules given other than twice, and other bad options (exit 2)', async () => {
    for (const [args, message] of [
      [['--rules', OLD], '--rules must be given exactly twice (the ruleset in use, then the new one), not once'],
      [['--rules', OLD, '--rules', NEW, '--rules', SAME], 'not 3 times'],
      [[], 'not 0 times'],
      [['--rules', OLD, '--rules', NEW, '--output', 'list'], '--output must be text or json'],
      [['--rules', OLD, '--rules', NEW, '--seed', 'x'], '--seed must be a number'],
      [['--rules', OLD, '--rules', NEW, '--unmodelled', 'maybe'], '--unmodelled must be'],
    ] as const) {
      const r = await nfreplay(['diff', CAPTURE, ...args, '--host', HOST]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    const stdin = await nfreplay(['diff', '-', '--rules', OLD, '--rules', NEW, '--host', HOST]);
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('give a file, not -');
  });

  it('names the line and column of a bad ruleset, and a capture that is not one (exit 2)', async () => {
    const bad = file('bad.v4', ruleset(DNS, '-A INPUT -p udp -m udp --dport 123 -j ACCPT'));
    const r = await nfreplay(['diff', CAPTURE, '--rules', OLD, '--rules', bad, '--host', HOST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:6:1: Couldn't load target \`ACCPT'`);
    const notCapture = await nfreplay(['diff', OLD, '--rules', OLD, '--rules', NEW, '--host', HOST]);
    expect(notCapture.code).toBe(2);
    expect(notCapture.stderr).toContain(`${OLD}: unknown file format`);
  });

  it('compares a damaged capture up to the damage, says so and exits 3', async () => {
    // The header (24 bytes), four records (16 + 28 each) and part of the fifth.
    const damaged = file('damaged.pcap', bytes.subarray(0, 24 + 4 * 44 + 20));
    const r = await nfreplay(['diff', damaged, '--rules', OLD, '--rules', NEW, '--host', HOST]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^partial: the capture is damaged at byte 200 \(.*\); 4 packets replayed of 4 read: 3 differ/m);
    expect(r.stderr).toContain('capture damaged at byte 200');
  });
});
