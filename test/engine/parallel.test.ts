/**
 * Parallel replay: the same counters, summary and histograms of rules evaluated for 1 and
 * several threads on every differential and golden case (the ones with state replay on one
 * thread, and say why), parts cut small so that several threads share a capture, and a
 * thread that fails fails the run with its packets named. Runs the built code (dist/): the
 * threads load dist/engine/parallel-worker.js.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { udpDatagram } from '../support/checksum.js';

const ROOT = join(__dirname, '..', '..');
const CASE_DIRS = [join(ROOT, 'test', 'differential', 'cases'), join(ROOT, 'test', 'engine', 'trace-cases')];
const cases = CASE_DIRS.flatMap((d) => readdirSync(d).map((name) => join(d, name))).filter((d) => existsSync(join(d, 'capture.pcap')));
const dir = mkdtempSync(join(tmpdir(), 'nfr-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The replay's JSON output without what varies from run to run (times, engine ns). */
function replayJson(caseDir: string, workers: number): { json: Record<string, unknown>; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(caseDir, 'capture.pcap'), '--rules', join(caseDir, 'rules.v4'), '--host', join(caseDir, 'host.json'), '--output', 'json', '--workers', String(workers), '--unmodelled', 'assume-match'],
    { encoding: 'utf8' },
  );
  expect(r.status, `${caseDir}: ${r.stderr}`).toBe(0);
  const json = JSON.parse(r.stdout) as { summary: Record<string, unknown> & { histograms: Record<string, unknown> } };
  const { seconds: _s, threads: _t, ...summary } = json.summary;
  const { engineNs: _e, ...histograms } = json.summary.histograms;
  return { json: { ...json, summary: { ...summary, histograms } }, stderr: r.stderr };
}

describe('parallel replay', () => {
  it.each(cases.map((c) => [c.split('/').slice(-1)[0], c]))('%s: the same results on 1 and 3 threads', (_name, caseDir) => {
    const one = replayJson(caseDir!, 1);
    const three = replayJson(caseDir!, 3);
    expect(three.json).toEqual(one.json);
    expect(three.stderr).toMatch(/replayed on (3 threads|one thread: .+)\n/);
  });

  it('cuts a capture into parts several threads share, and sums them as one thread counts', async () => {
    const { replayParallel, rulesetObstacle } = await import('../../dist/engine/parallel.js');
    const { loadRulesetText } = await import('../../dist/rules/index.js');
    const { hostFromJson } = await import('../../dist/netfilter/index.js');
    const rules = join(dir, 'acl.rules');
    const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let p = 1; p <= 200; p++) lines.push(`-A INPUT -p udp -m udp --dport ${p} -j ${p % 3 === 0 ? 'DROP' : 'ACCEPT'}`);
    writeFileSync(rules, [...lines, 'COMMIT', ''].join('\n'));
    const capture = join(dir, 'ports.pcap');
    const w = PcapWriter.open(capture, { linktype: 101 });
    for (let i = 0; i < 3000; i++) w.write({ data: udpDatagram('198.51.100.20', '198.51.100.1', 1024 + i, 1 + (i % 250)), offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: i });
    w.close();
    const { ruleset } = loadRulesetText([...lines, 'COMMIT', ''].join('\n'), { source: 'acl' });
    expect(rulesetObstacle(ruleset)).toBeUndefined();
    const host = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    const run = (workers: number, partBytes: number) =>
      replayParallel({ capture, rulesPath: rules, task: { hostSpec: host.spec, unmodelled: 'refuse', interpreter: false, histograms: true }, workers, partBytes });
    // Two ways of cutting the capture: 26 larger parts on 2 threads, 132 small ones on 3.
    const whole = await run(2, 5000);
    const parts = await run(3, 1000);
    if ('sequential' in whole || 'sequential' in parts) throw new Error('expected a parallel replay');
    expect(whole.histograms.length).toBe(Math.ceil((3000 * 44) / 5000));
    // 44-byte records (with their headers) in parts of 1,000 bytes read: 132 parts, 3 threads.
    expect(parts.histograms.length).toBe(Math.ceil((3000 * 44) / 1000));
    expect(Array.from(parts.counts)).toEqual(Array.from(whole.counts));
    expect(parts.summary.verdicts).toEqual(whole.summary.verdicts);
    // Every 250 packets: ports 1-200, a third of them DROP rules; 201-250 the DROP policy.
    expect(parts.summary.verdicts).toEqual({ ACCEPT: 12 * 134, DROP: 12 * (66 + 50) });
    expect(Array.from(parts.chainEvaluated!)).toEqual(Array.from(whole.chainEvaluated!));
    // The first packet of the first part and the last of the last: 2999 ns later, which a µs pcap holds as 2 µs.
    expect(parts.summary.window).toEqual({ firstSec: 1700000000, lastSec: 1700000000.000002 });
    expect(whole.summary.window).toEqual(parts.summary.window);
  });

  it('fails the run when a thread fails, naming its packets', async () => {
    const { replayParallel } = await import('../../dist/engine/parallel.js');
    const { hostFromJson } = await import('../../dist/netfilter/index.js');
    const capture = join(dir, 'fail.pcap');
    const w = PcapWriter.open(capture, { linktype: 101 });
    for (let i = 0; i < 100; i++) w.write({ data: udpDatagram('198.51.100.20', '198.51.100.1', 1024 + i, 53), offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: i });
    w.close();
    const host = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    const failure = await replayParallel({ capture, rulesPath: join(dir, 'no-such.rules'), task: { hostSpec: host.spec, unmodelled: 'refuse', interpreter: false, histograms: false }, workers: 2, partBytes: 1000 }).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/^a replay thread failed on packets 1 to 22: .*no-such\.rules.*ENOENT/);
  });

  it('replays a capture of one part on one thread', async () => {
    const { replayParallel } = await import('../../dist/engine/parallel.js');
    const { hostFromJson } = await import('../../dist/netfilter/index.js');
    const host = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    const r = await replayParallel({ capture: join(dir, 'ports.pcap'), rulesPath: join(dir, 'acl.rules'), task: { hostSpec: host.spec, unmodelled: 'refuse', interpreter: false, histograms: false }, workers: 4 });
    expect(r).toEqual({ sequential: 'the capture is one part (8 MB) or less' });
  });

  it('says why a ruleset with state or a capture that is not a plain pcap replays on one thread', async () => {
    const { rulesetObstacle } = await import('../../dist/engine/parallel.js');
    const { loadRulesetText } = await import('../../dist/rules/index.js');
    const ruleset = (extra: string) => loadRulesetText(`*filter\n:INPUT ACCEPT [0:0]\n${extra}\nCOMMIT\n`, { source: 'r' }).ruleset;
    expect(rulesetObstacle(ruleset('-A INPUT -m conntrack --ctstate NEW'))).toBe('the ruleset tracks connections');
    expect(rulesetObstacle(ruleset('-A INPUT -m limit --limit 1/s'))).toBe('the ruleset uses limit, whose state every packet shares');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(ROOT, 'captures', 'ping.pcapng'), '--rules', join(ROOT, 'captures', 'demo.rules'), '--workers', '2', '-q'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const q = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(ROOT, 'captures', 'ping.pcapng'), '--rules', join(ROOT, 'captures', 'demo.rules'), '--workers', '2'], { encoding: 'utf8' });
    expect(q.stderr).toMatch(/replayed on one thread: (the capture is not a plain pcap file \(pcapng or gzip\)|the ruleset .*)\n/);
    const bad = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(ROOT, 'captures', 'demo.pcap'), '--rules', join(ROOT, 'captures', 'demo.rules'), '--workers', '0'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--workers must be a number of threads from 1');
  });
});
