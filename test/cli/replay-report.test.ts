/**
 * `nfreplay replay --report FILE.html`: written with the other outputs (and only when the
 * replay succeeds), alongside --output list/save/json, with the expected counters under
 * --statistic expected; and summary.window, the capture times the header shows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const KUBE = join(ROOT, 'test', 'differential', 'cases', 'kube-random');
const KUBE_ARGS = [join(KUBE, 'capture.pcap'), '--rules', join(KUBE, 'rules.v4'), '--host', join(KUBE, 'host.json')];
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nfreplay(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** data-v of every number shown for `field` in rows of `table` `chain` rule `rule`. */
function ruleValue(page: string, table: string, chain: string, rule: string, field: string): number {
  const row = new RegExp(`<tr[^>]* data-table="${table}" data-chain="${chain}" data-rule="${rule}"[^>]*>(.*?)</tr>`).exec(page);
  expect(row, `${table} ${chain} ${rule}`).not.toBeNull();
  return Number(new RegExp(`data-field="${field}" data-v="([^"]*)"`).exec(row![1]!)![1]);
}

/** A little-endian pcap's header and first `n` records. */
function firstRecords(pcap: Buffer, n: number): Buffer {
  let end = 24;
  for (let i = 0; i < n; i++) end += 16 + pcap.readUInt32LE(end + 8);
  return pcap.subarray(0, end);
}

interface Json {
  summary: { window?: { firstSec: number; lastSec: number }; histograms?: unknown };
  tables: Array<{ table: string; chains: Array<{ chain: string; policyPackets: number; rules: Array<{ rulenum: number; packets: number; bytes: number }> }> }>;
  services?: Array<{ endpoints: Array<{ endpoint: string; connections: number }> }>;
}

describe('replay --report', () => {
  it('writes the page beside the listing, with the counters the listing shows', () => {
    const report = join(dir, 'list.html');
    const r = nfreplay(['replay', 'captures/demo.pcap', '--rules', 'captures/demo.rules', '-x', '--report', report, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('# iptables -t filter');
    const page = readFileSync(report, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>\n')).toBe(true);
    // The listing's line for rule 7 of INPUT (the final LOG): "     256    15155 LOG ...".
    const log = /^\s+(\d+)\s+(\d+) LOG .*prefix "drop: "$/m.exec(r.stdout)!;
    expect(ruleValue(page, 'filter', 'INPUT', '7', 'packets')).toBe(Number(log[1]));
    expect(ruleValue(page, 'filter', 'INPUT', '7', 'bytes')).toBe(Number(log[2]));
    for (const id of ['summary', 'rules', 'histograms', 'chain-cost', 'conntrack']) expect(page).toContain(`<section id="${id}">`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('works with --output save, and gives the capture window of the JSON', () => {
    const report = join(dir, 'save.html');
    const r = nfreplay(['replay', ...KUBE_ARGS, '--output', 'save', '--report', report, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('COMMIT');
    const json = JSON.parse(nfreplay(['replay', ...KUBE_ARGS, '--output', 'json', '-q']).stdout) as Json;
    // make-capture.py: 63 packets 1 ms apart from 1700000000.
    expect(json.summary.window).toEqual({ firstSec: 1700000000, lastSec: 1700000000.062 });
    const page = readFileSync(report, 'utf8');
    expect(page).toContain('2023-11-14T22:13:20.000000Z → 2023-11-14T22:13:20.062000Z');
    expect(page).toContain('<section id="services">');
  });

  it('shows the expected (fractional) counters under --statistic expected, and says histograms need a sampled replay', () => {
    // The case's first 5 packets: the endpoints' 3 datagrams and 2 queries, 2/3 of a connection to each endpoint.
    const capture = join(dir, 'kube-5.pcap');
    writeFileSync(capture, firstRecords(readFileSync(join(KUBE, 'capture.pcap')), 5));
    const report = join(dir, 'expected.html');
    const r = nfreplay(['replay', capture, ...KUBE_ARGS.slice(1), '--statistic', 'expected', '--output', 'json', '--report', report, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    const page = readFileSync(report, 'utf8');
    const svc = json.tables.find((t) => t.table === 'nat')!.chains.find((c) => c.chain.startsWith('KUBE-SVC-'))!;
    const fractional = svc.rules.filter((x) => !Number.isInteger(x.packets));
    expect(fractional.length).toBeGreaterThan(0);
    for (const rule of svc.rules) {
      expect(ruleValue(page, 'nat', svc.chain, String(rule.rulenum), 'packets')).toBe(rule.packets);
      expect(ruleValue(page, 'nat', svc.chain, String(rule.rulenum), 'bytes')).toBe(rule.bytes);
    }
    expect(fractional[0]!.packets).toBe(0.666667);
    expect(page).toContain('data-v="0.666667">0.67<');
    for (const e of json.services![0]!.endpoints) expect(page).toContain(`data-field="connections" data-v="${e.connections}"`);
    expect(page).toContain('expected values');
    expect(page).toContain('--statistic sample');
    expect(page).not.toContain('<section id="histograms">');
  });

  it('leaves no page when the replay fails', () => {
    const report = join(dir, 'failed.html');
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture');
    const r = nfreplay(['replay', bad, '--rules', 'captures/demo.rules', '--local-ip', '192.0.2.10', '--report', report]);
    expect(r.code).toBe(1);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('failed.html'))).toEqual([]);
  });
});
