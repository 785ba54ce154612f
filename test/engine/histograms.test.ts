/**
 * Histograms of a replay: rules evaluated per packet as the kernel's linear walk tests
 * them (whatever the compiled index skips), engine time per sampled packet, the
 * HdrHistogram outputs of --histograms and the JSON.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { PcapWriter } from '../../src/capture/index.js';
import { compileRuleset, interpretRuleset } from '../../src/compile/index.js';
import { ReplayHistograms, SAMPLE_EVERY } from '../../src/engine/histograms.js';
import { replayCapture } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText } from '../../src/rules/index.js';
import { udpDatagram } from '../support/checksum.js';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nfr-hist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOST = { interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] };

/** INPUT accepts UDP ports 1..5 one rule each; port 6 falls to the policy. A user chain for port 7. */
const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':SEVEN - [0:0]',
  ...[1, 2, 3, 4, 5].map((p) => `-A INPUT -p udp -m udp --dport ${p} -j ACCEPT`),
  '-A INPUT -p udp -m udp --dport 7 -j SEVEN',
  '-A SEVEN -p udp -m udp --sport 9 -j RETURN',
  '-A SEVEN -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

/** `n` packets to each of the ports 1..7, in turn. */
function capture(file: string, n: number): string {
  const w = PcapWriter.open(file, { linktype: 101 });
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let port = 1; port <= 7; port++) {
      const b = udpDatagram('198.51.100.20', '198.51.100.1', 1000 + i, port);
      w.write({ data: b, offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: 1000 * t++ });
    }
  }
  w.close();
  return file;
}

describe('replay histograms', () => {
  let file: string;
  beforeAll(() => {
    file = capture(join(dir, 'ports.pcap'), 50);
  });

  for (const kind of ['compiled', 'interpreter'] as const) {
    it(`counts the rules the kernel's walk tests per packet (${kind})`, async () => {
      const { ruleset } = loadRulesetText(RULES, { source: 'rules' });
      const host = hostFromJson(HOST);
      const histograms = new ReplayHistograms();
      await replayCapture({
        capture: file,
        ruleset,
        host,
        classify: createClassifier(host),
        runner: (rt) => (kind === 'compiled' ? compileRuleset(ruleset, rt) : interpretRuleset(ruleset, rt)),
        histograms,
      });
      const h = histograms.rulesEvaluated;
      // Port k: rules 1..k. Port 6: all six INPUT rules, then the policy. Port 7: six INPUT
      // rules, SEVEN's two (sport 1000+i is not 9).
      for (const [value, count] of [[1, 50], [2, 50], [3, 50], [4, 50], [5, 50], [6, 50], [8, 50]]) {
        expect(h.getCountAtValue(value!), `value ${value}`).toBe(count);
      }
      expect(h.totalCount).toBe(350);
      // One packet in SAMPLE_EVERY timed, each a positive number of ns.
      expect(histograms.engineNs.totalCount).toBe(Math.ceil(350 / SAMPLE_EVERY));
      expect(histograms.engineNs.minNonZeroValue).toBeGreaterThan(0);
    });
  }

  it('merges another replay\'s histograms, and its JSON decodes back', () => {
    const a = new ReplayHistograms();
    const b = new ReplayHistograms();
    a.recordRules(3);
    b.recordRules(3);
    b.recordRules(40);
    b.recordEngine(0.001);
    a.add(b);
    expect(a.rulesEvaluated.totalCount).toBe(3);
    expect(a.rulesEvaluated.getCountAtValue(3)).toBe(2);
    const j = a.json();
    expect(j.rulesEvaluated).toMatchObject({ count: 3, p50: 3, max: 40 });
    expect(j.engineNs.count).toBe(1);
    const decoded = hdr.decodeFromCompressedBase64(j.rulesEvaluated.encoded, 32, false);
    expect(decoded.totalCount).toBe(3);
    expect(decoded.getCountAtValue(40)).toBe(1);
  });

  it('--histograms writes HdrHistogram percentile text; --output json carries the percentiles', () => {
    const rules = join(dir, 'rules.v4');
    const host = join(dir, 'host.json');
    writeFileSync(rules, RULES);
    writeFileSync(host, JSON.stringify(HOST));
    const prefix = join(dir, 'h');
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', file, '--rules', rules, '--host', host, ...args], { encoding: 'utf8' });
    const r = cli('--histograms', prefix);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('nfreplay: rules evaluated per packet (mean 4.143): p50 4, p90 8, p99 8, p99.9 8, max 8');
    expect(r.stderr).toMatch(/engine time per packet \(ns, 1 in 16 timed\): p50 \d+/);
    // INPUT: 1+2+3+4+5+6+6 rules for every 7 packets; SEVEN: 2 for one packet in 7.
    expect(r.stderr).toContain('nfreplay: rules evaluated per packet by chain: filter INPUT 3.8571, filter SEVEN 0.2857 (all in --output json)\n');
    const text = readFileSync(`${prefix}.rules-evaluated.hgrm`, 'utf8');
    expect(text).toMatch(/^ {7}Value {5}Percentile TotalCount 1\/\(1-Percentile\)\n/);
    expect(text).toMatch(/#\[Max {5}= +8\.000, Total count {4}= +350\]/);
    expect(readFileSync(`${prefix}.engine-ns.hgrm`, 'utf8')).toMatch(/Total count {4}= +22\]/);
    const json = JSON.parse(cli('--output', 'json', '-q').stdout) as { summary: { histograms: { rulesEvaluated: { count: number; p99: number }; engineNs: { sampleEvery: number }; chains: unknown[] } } };
    expect(json.summary.histograms.rulesEvaluated).toMatchObject({ count: 350, p99: 8 });
    expect(json.summary.histograms.engineNs.sampleEvery).toBe(16);
    expect(json.summary.histograms.chains).toEqual([
      { table: 'filter', chain: 'INPUT', evaluated: 1350, perPacket: 3.8571 },
      { table: 'filter', chain: 'FORWARD', evaluated: 0, perPacket: 0 },
      { table: 'filter', chain: 'OUTPUT', evaluated: 0, perPacket: 0 },
      { table: 'filter', chain: 'SEVEN', evaluated: 100, perPacket: 0.2857 },
    ]);
  });
});
