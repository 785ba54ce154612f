/**
 * `nfreplay replay` with --verdicts, --trace (--trace-packets, --trace-filter), TRACE lines
 * in --log and --nflog-dir, as a user runs it: a real process, files written whole or not
 * at all, usage errors with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const HOGE = join(ROOT, 'test', 'differential', 'cases', 'hoge-chains');
const TRACE = join(ROOT, 'test', 'engine', 'trace-cases', 'trace-target');
const NFLOG = join(ROOT, 'test', 'engine', 'trace-cases', 'nflog');
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nfreplay(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const caseArgs = (d: string): string[] => ['replay', join(d, 'capture.pcap'), '--rules', join(d, 'rules.v4'), '--host', join(d, 'host.json'), '-q'];

describe('nfreplay replay --verdicts / --trace', () => {
  it('writes one JSON line per packet with its path', () => {
    const out = join(dir, 'v.jsonl');
    const r = nfreplay([...caseArgs(HOGE), '--verdicts', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { packet: number; verdict: string; path: unknown[] });
    expect(lines.length).toBeGreaterThanOrEqual(12);
    expect(lines[7]).toMatchObject({ packet: 8, verdict: 'DROP', path: [{ hook: 'INPUT', table: 'filter', chain: 'INPUT', policy: 'DROP' }] });
    expect(lines[0]!.path[4]).toEqual({ hook: 'INPUT', table: 'filter', chain: 'HOGE2', rule: 2, target: 'RETURN' });
  });

  it('traces the selected packets only', () => {
    const out = join(dir, 't.txt');
    const r = nfreplay([...caseArgs(HOGE), '--trace', out, '--trace-packets', '3,9-10', '--trace-filter', 'proto icmp']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => l.split(' ')[2]))).toEqual(new Set(['9', '10']));
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z packet 9 TRACE: filter:INPUT:rule:2 IN=eth0 OUT= /);
    expect(lines.some((l) => l.endsWith('packet 9   not matched: filter:INPUT:rule:1: protocol (-p tcp; packet icmp)'))).toBe(true);
  });

  it('rejects a bad selection before reading anything, and leaves no file', () => {
    const out = join(dir, 'bad.txt');
    let r = nfreplay([...caseArgs(HOGE), '--trace', out, '--trace-filter', 'src 192.0.2.1 or dst 192.0.2.2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trace-filter: expected "and" before "or"');
    r = nfreplay([...caseArgs(HOGE), '--trace', out, '--trace-packets', '5-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trace-packets');
    r = nfreplay([...caseArgs(HOGE), '--trace-packets', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('need --trace FILE');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('TRACE rules write kernel trace lines to --log', () => {
    const out = join(dir, 'log.txt');
    const r = nfreplay([...caseArgs(TRACE), '--log', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ kernel: (TRACE: \S+) .*$/, '$1'))).toEqual([
      'TRACE: raw:PREROUTING:policy:4',
      'TRACE: filter:INPUT:rule:2',
      'TRACE: filter:U:return:2',
      'TRACE: filter:INPUT:rule:3',
      'TRACE: filter:V:return:1',
      'TRACE: filter:INPUT:policy:4',
    ]);
  });

  it('--nflog-dir writes one pcap per group', () => {
    const out = join(dir, 'nflog');
    const r = nfreplay([...caseArgs(NFLOG), '--nflog-dir', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['nflog-5.pcap', 'nflog-6.pcap']);
    const info = nfreplay(['capture', 'info', join(out, 'nflog-5.pcap')]);
    expect(info.code).toBe(0);
  });
});
