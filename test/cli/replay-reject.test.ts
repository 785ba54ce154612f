/**
 * `nfreplay replay --reject-replies` on the differential case the kernel recorded with its
 * replies let through: the replies' verdict lines, the summary line, the egress files, and
 * the one-thread replay it asks for.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/reader.js';

const ROOT = join(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'differential', 'cases', 'reject-replies');
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-reject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(CASE, 'capture.pcap'), '--rules', join(CASE, 'rules.v4'), '--host', join(CASE, 'host.json'), ...args], {
    encoding: 'utf8',
  });

describe('nfreplay replay --reject-replies', () => {
  const r = run('--reject-replies', '--verdicts', join(dir, 'v.jsonl'), '--egress-dir', join(dir, 'egress'), '--workers', '2', '--output', 'save');

  it('exits 0 and says what REJECT sent, and why it ran on one thread', () => {
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('nfreplay: replies sent: icmp-unreachable 7, tcp-reset 5; their verdicts: ACCEPT 9, DROP 3; not sent: answers-a-rst 1, bad-checksum 1, icmp-ratelimit-host 2\n');
    expect(r.stderr).toContain("nfreplay: replayed on one thread: --reject-replies: ICMP errors' rate limits count every packet's\n");
  });

  it('counts the replies in OUTPUT', () => {
    expect(r.stdout).toContain('[1:66] -A OUTPUT -p icmp -m icmp --icmp-type 3/13 -j DROP');
    expect(r.stdout).toContain('[4:160] -A OUTPUT -p tcp -m tcp --tcp-flags RST RST -j ACCEPT');
  });

  it('writes a verdict line per reply after its packet', () => {
    const lines = readFileSync(join(dir, 'v.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { packet: number; reply?: string; verdict: string; hooks: string[] });
    const replies = lines.filter((l) => l.reply !== undefined);
    expect(replies.length).toBe(12);
    expect(lines.findIndex((l) => l.packet === 3 && l.reply !== undefined)).toBe(lines.findIndex((l) => l.packet === 3) + 1);
    expect(replies.find((l) => l.packet === 3)).toMatchObject({ reply: 'icmp-unreachable', verdict: 'DROP', hooks: ['OUTPUT'] });
    expect(replies.find((l) => l.packet === 4)).toMatchObject({ reply: 'tcp-reset', verdict: 'ACCEPT', hooks: ['OUTPUT', 'POSTROUTING'] });
    // Packet 7's RST is rejected in OUTPUT in turn: its port unreachable goes to the host through lo.
    expect(replies.filter((l) => l.packet === 7).map((l) => [l.reply, l.verdict, l.hooks.join(',')])).toEqual([
      ['tcp-reset', 'DROP', 'OUTPUT'],
      ['icmp-unreachable', 'DROP', 'OUTPUT,POSTROUTING,PREROUTING,INPUT'],
    ]);
  });

  it('writes the replies that leave to the egress files', async () => {
    let frames = 0;
    const reader = await openCapture(join(dir, 'egress', 'egress-eth0.pcap'));
    await reader.forEach(() => frames++);
    expect(frames).toBe(9);
  });

  it('is refused with --statistic expected', () => {
    const bad = run('--reject-replies', '--statistic', 'expected');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--statistic expected does not replay the host's replies");
  });

  it('without it, only notes them', () => {
    const off = run('--output', 'save');
    expect(off.status).toBe(0);
    expect(off.stderr).toContain('nfreplay: not modelled, counted: reject.reply 15\n');
    expect(off.stderr).not.toContain('replies sent');
    expect(off.stdout).toContain('[0:0] -A OUTPUT -p tcp -m tcp --tcp-flags RST RST -j ACCEPT');
  });
});

describe('nfreplay replay --icmp-errors', () => {
  const dir2 = join(ROOT, 'test', 'differential', 'cases', 'icmp-errors-forward');
  const run2 = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(dir2, 'capture.pcap'), '--rules', join(dir2, 'rules.v4'), '--host', join(dir2, 'host.json'), '--output', 'save', ...args], {
      encoding: 'utf8',
    });

  it('sends forwarding\'s errors through OUTPUT, on one thread', () => {
    const r = run2('--icmp-errors', '--workers', '2');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('nfreplay: replies sent: icmp-frag-needed 3, icmp-time-exceeded 7; their verdicts: ACCEPT 10; not sent: icmp-ratelimit-host 2\n');
    expect(r.stderr).toContain("nfreplay: replayed on one thread: --icmp-errors: ICMP errors' rate limits count every packet's\n");
    expect(r.stdout).toContain('[7:436] -A OUTPUT -p icmp -m icmp --icmp-type 11 -m conntrack --ctstate RELATED -j ACCEPT');
  });

  it('without it, only notes them', () => {
    const r = run2();
    expect(r.stderr).toContain('nfreplay: not modelled, counted: icmp.frag_needed_sent 3, icmp.time_exceeded_sent 9\n');
    expect(r.stdout).toContain('[0:0] -A OUTPUT -p icmp -m icmp --icmp-type 11 -m conntrack --ctstate RELATED -j ACCEPT');
  });
});
