/**
 * Parallel replay: the same counters, summary, histograms of rules evaluated and per-packet
 * output files, byte for byte, for 1 and several threads on every differential and golden
 * case (the ones with state replay on one thread, and say why), with the capture cut into
 * parts of about one record so that every thread has parts and outputs come back from each;
 * a thread that fails fails the run with its packets named. Runs the built code (dist/):
 * the threads load dist/engine/parallel-worker.js.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { udpDatagram } from '../support/checksum.js';

const ROOT = join(__dirname, '..', '..');
const CASE_DIRS = [join(ROOT, 'test', 'differential', 'cases'), join(ROOT, 'test', 'engine', 'trace-cases')];
const cases = CASE_DIRS.flatMap((d) => readdirSync(d).map((name) => join(d, name))).filter((d) => existsSync(join(d, 'capture.pcap')));
const dir = mkdtempSync(join(tmpdir(), 'nfr-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root`, by path relative to it. */
function filesUnder(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return files;
}

interface CaseRun {
  /** The JSON output without what varies from run to run (times, engine ns, threads). */
  json: Record<string, unknown>;
  stderr: string;
  /** Every per-packet output file, by name. */
  files: Map<string, Buffer>;
}

/** What a replay reads: the capture, the ruleset and the host file. */
interface ReplayInput {
  capture: string;
  rules: string;
  host: string;
}

/** The port ACL of these tests (`before` first): UDP ports 1-200 accepted, every third dropped, the rest to the DROP policy. */
function portAcl(before: string[] = []): string {
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...before];
  for (let p = 1; p <= 200; p++) lines.push(`-A INPUT -p udp -m udp --dport ${p} -j ${p % 3 === 0 ? 'DROP' : 'ACCEPT'}`);
  return [...lines, 'COMMIT', ''].join('\n');
}

/**
 * `packets` UDP datagrams to the port ACL's host, to ports 1-250 in turn, with `payload(i)`
 * bytes after the UDP header; the bytes of the file's records (headers included).
 */
function writePortCapture(path: string, packets: number, payload: (i: number) => number = () => 0): number {
  const w = PcapWriter.open(path, { linktype: 101 });
  let bytes = 0;
  for (let i = 0; i < packets; i++) {
    const data = udpDatagram('198.51.100.20', '198.51.100.1', 1024 + i, 1 + (i % 250), 0, payload(i));
    w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: 1700000000, tsNsec: i });
    bytes += 16 + data.length;
  }
  w.close();
  return bytes;
}

/**
 * What replayParallel rejects with ('resolved' if it does not) on 100 UDP datagrams in
 * 1,000-byte parts on two threads, with these rules and thread module.
 */
async function parallelFailure(name: string, extra: { rulesPath: string; threadEntry?: string }): Promise<string> {
  const { replayParallel } = await import('../../dist/engine/parallel.js');
  const { hostFromJson } = await import('../../dist/netfilter/index.js');
  const capture = join(dir, `${name}.pcap`);
  const w = PcapWriter.open(capture, { linktype: 101 });
  for (let i = 0; i < 100; i++) w.write({ data: udpDatagram('198.51.100.20', '198.51.100.1', 1024 + i, 53), offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000, tsNsec: i });
  w.close();
  const host = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
  const task = { hostSpec: host.spec, unmodelled: 'refuse' as const, interpreter: false, histograms: false };
  return replayParallel({ capture, task, workers: 2, partBytes: 1000, ...extra }).then(
    () => 'resolved',
    (e: Error) => e.message,
  );
}

const caseInput = (caseDir: string): ReplayInput => ({ capture: join(caseDir, 'capture.pcap'), rules: join(caseDir, 'rules.v4'), host: join(caseDir, 'host.json') });

/** `nfreplay replay` (in this process, on dist/) with every per-packet output into a directory `name` of its own. */
async function replayCase(input: ReplayInput, workers: number, partBytes: number | undefined, name: string, trace: { tracePackets?: string; traceFilter?: string } = {}): Promise<CaseRun> {
  const { runReplay } = await import('../../dist/cli/replay.js');
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t), exit: (c: number) => void (code = c) };
  await runReplay(
    input.capture,
    {
      rules: input.rules,
      host: input.host,
      output: 'json',
      unmodelled: 'assume-match',
      seed: '1',
      workers: String(workers),
      partBytes,
      verdicts: join(out, 'verdicts.jsonl'),
      log: join(out, 'log.txt'),
      trace: join(out, 'trace.txt'),
      ...trace,
      nflogDir: join(out, 'nflog'),
      egressDir: join(out, 'egress'),
      drops: join(out, 'drops.pcap'),
      conntrack: join(out, 'conntrack.txt'),
      conntrackEvents: join(out, 'events.txt'),
    },
    io,
  );
  expect(code, `${input.capture}: ${stderr}`).toBe(0);
  const json = JSON.parse(stdout) as { summary: Record<string, unknown> & { histograms: Record<string, unknown> } };
  const { seconds: _s, threads: _t, ...summary } = json.summary;
  const { engineNs: _e, ...histograms } = json.summary.histograms;
  return { json: { ...json, summary: { ...summary, histograms } }, stderr, files: filesUnder(out) };
}

/** The same files with the same bytes (compared one by one, so that a difference names its file). */
function expectSameFiles(got: Map<string, Buffer>, want: Map<string, Buffer>): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, bytes] of want) expect(got.get(name)!.equals(bytes), `${name} differs`).toBe(true);
}

describe('parallel replay', () => {
  it.each(cases.map((c) => [c.split('/').slice(-1)[0], c]))('%s: the same results and output files on 1 and 3 threads', async (name, caseDir) => {
    const { rulesetObstacle } = await import('../../dist/engine/parallel.js');
    const { loadRulesetFile } = await import('../../dist/rules/index.js');
    const one = await replayCase(caseInput(caseDir!), 1, undefined, `${name}-1`);
    // A capture of one 8 MB part or less: one thread.
    const three = await replayCase(caseInput(caseDir!), 3, undefined, `${name}-3`);
    // Parts of 64 bytes read: about one record each, on 3 threads.
    const cut = await replayCase(caseInput(caseDir!), 3, 64, `${name}-3-cut`);
    for (const run of [three, cut]) {
      expect(run.json).toEqual(one.json);
      expectSameFiles(run.files, one.files);
    }
    const obstacle = rulesetObstacle(loadRulesetFile(join(caseDir!, 'rules.v4')).ruleset);
    if (obstacle !== undefined) {
      for (const run of [three, cut]) expect(run.stderr).toContain(`replayed on one thread: ${obstacle}\n`);
      return;
    }
    expect(three.stderr).toContain('replayed on one thread: the capture is one part (8 MB) or less\n');
    // Fragments send the replay back to one thread once parts have been written: the files start again.
    if (name === 'fragments') expect(cut.stderr).toContain('replayed on one thread: the capture has fragments, whose datagrams parts may split\n');
    else expect(cut.stderr).toContain('replayed on 3 threads\n');
  });

  it('cuts a capture into parts several threads share, and sums them as one thread counts', async () => {
    const { replayParallel, rulesetObstacle } = await import('../../dist/engine/parallel.js');
    const { loadRulesetText } = await import('../../dist/rules/index.js');
    const { hostFromJson } = await import('../../dist/netfilter/index.js');
    const rules = join(dir, 'acl.rules');
    writeFileSync(rules, portAcl());
    const capture = join(dir, 'ports.pcap');
    writePortCapture(capture, 3000);
    const { ruleset } = loadRulesetText(portAcl(), { source: 'acl' });
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

  it('reads a part in steps whose record headers it walks as they come: records across a step count once', async () => {
    const { replayParallel } = await import('../../dist/engine/parallel.js');
    const { hostFromJson } = await import('../../dist/netfilter/index.js');
    const rules = join(dir, 'steps.rules');
    writeFileSync(rules, portAcl());
    // 3,000 records of 244 to 1,443 bytes, about 2.5 MB: parts of 700,000 bytes are read in
    // steps of 256 KiB, and records fall across the steps' ends.
    const capture = join(dir, 'steps.pcap');
    const bytes = writePortCapture(capture, 3000, (i) => 200 + ((i * 37) % 1200));
    const host = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    const outputs = { verdicts: true, log: false, nflog: false, egress: false, drops: false };
    const run = (partBytes: number, verdicts: string[]) =>
      replayParallel({
        capture,
        rulesPath: rules,
        task: { hostSpec: host.spec, unmodelled: 'refuse', interpreter: false, histograms: true, outputs },
        workers: 2,
        partBytes,
        onPart: (part) => verdicts.push(new TextDecoder().decode(part.verdicts)),
      });
    const verdictLines: string[] = [];
    const stepped = await run(700_000, verdictLines);
    const small = await run(100_000, []);
    if ('sequential' in stepped || 'sequential' in small) throw new Error('expected a parallel replay');
    expect(stepped.histograms.length).toBe(Math.ceil(bytes / 700_000));
    expect(stepped.summary.packetsRead).toBe(3000);
    // Each part's packets numbered as in the whole capture: 1 to 3,000, in order.
    const numbers = verdictLines.join('').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { packet: number }).packet);
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(stepped.summary.verdicts).toEqual({ ACCEPT: 12 * 134, DROP: 12 * (66 + 50) });
    expect(Array.from(stepped.counts)).toEqual(Array.from(small.counts));
  });

  it('numbers the packets of every part as in the whole capture: the outputs and the traced packets are those of one thread', async () => {
    const rules = join(dir, 'logged.rules');
    writeFileSync(rules, portAcl(['-A INPUT -p udp -m udp --dport 7 -j LOG --log-prefix "seven "', '-A INPUT -p udp -m udp --dport 9 -j NFLOG --nflog-group 3']));
    const host = join(dir, 'ports-host.json');
    writeFileSync(host, JSON.stringify({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] }));
    const input = { capture: join(dir, 'ports.pcap'), rules, host };
    for (const [name, trace] of [
      ['packets', { tracePackets: '5-9,1500-1520,2999' }],
      ['filter', { traceFilter: 'port 7' }],
    ] as const) {
      const one = await replayCase(input, 1, undefined, `ports-${name}-1`, trace);
      // 44-byte records (with their headers) in parts of 1,000 bytes read: 132 parts on 3 threads.
      const three = await replayCase(input, 3, 1000, `ports-${name}-3`, trace);
      expect(three.stderr).toContain('replayed on 3 threads\n');
      expect(three.json).toEqual(one.json);
      expectSameFiles(three.files, one.files);
      const traced = new Set(three.files.get('trace.txt')!.toString().split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[2])));
      // Port 7 is packet 7 + 250k: the filter picks 12 of them, the numbers the packets listed.
      expect([...traced]).toEqual(name === 'packets' ? [5, 6, 7, 8, 9, ...Array.from({ length: 21 }, (_, i) => 1500 + i), 2999] : Array.from({ length: 12 }, (_, k) => 7 + 250 * k));
    }
    const one = filesUnder(join(dir, 'ports-packets-1'));
    expect(one.get('log.txt')!.toString().split('\n').filter((l) => l.includes('seven ')).length).toBe(12);
    // 12 NFLOG copies of 28 bytes, each with a 16-byte record header, behind the 24-byte file header.
    expect(one.get('nflog/nflog-3.pcap')!.length).toBe(24 + 12 * (16 + 28));
    expect(one.get('drops.pcap.json')!.toString().trim().split('\n').length).toBe(12 * (66 + 50));
  });

  it('fails the run when a thread fails, naming its packets', async () => {
    const failure = await parallelFailure('fail', { rulesPath: join(dir, 'no-such.rules') });
    expect(failure).toMatch(/^a replay thread failed on packets 1 to 22: .*no-such\.rules.*ENOENT/);
  });

  it('fails the run with the cause when a thread cannot start, instead of waiting for its parts', async () => {
    // Without the race, its parts never settle: the test would time out.
    const failure = await parallelFailure('no-thread', { rulesPath: join(dir, 'never-read.rules'), threadEntry: join(dir, 'no-such-thread.js') });
    expect(failure).toMatch(/^a replay thread failed on packets 1 to 22: a replay thread did not start: .*no-such-thread\.js/);
  }, 20_000);

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
