/**
 * Per-packet paths (--verdicts), --trace lines with why the rules before did not match,
 * TRACE target lines (prefixes recorded from the kernel) and NFLOG pcaps (payloads recorded
 * from the kernel), with the traced runner sharing per-rule state and counters with the
 * compiled one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/reader.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { compileRuleset, interpretRuleset, prepare, type Prepared, type RunnerOptions } from '../../src/compile/index.js';
import type { LogLine } from '../../src/engine/context.js';
import { replayCapture, replayedTables, type PacketOutcome, type ReplayOptions } from '../../src/engine/replay.js';
import { parsePacketRanges, parseTraceFilter, traceSelection, TraceSelectionError } from '../../src/engine/trace.js';
import { NflogPcaps } from '../../src/engine/trace-nflog.js';
import { PacketView } from '../../src/decode/view.js';
import { createClassifier, loadHostFile } from '../../src/netfilter/index.js';
import { loadRulesetFile, loadRulesetText, saveRuleset, type Ruleset } from '../../src/rules/index.js';

const DIFF = join(__dirname, '..', 'differential', 'cases');
const CASES = join(__dirname, 'trace-cases');
const tmp = mkdtempSync(join(tmpdir(), 'nfr-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  outcomes: Array<Required<Pick<PacketOutcome, 'packet' | 'verdict'>> & { path: unknown }>;
  trace: string[];
  log: string[];
  save: string[];
}

type Extra = Partial<Pick<ReplayOptions, 'onNflog' | 'paths'>> & { select?: (n: number) => boolean; log?: boolean };

async function run(dir: string, main: 'compiled' | 'interpreter', extra: Extra = {}, ruleset?: Ruleset): Promise<Run> {
  const rs = ruleset ?? loadRulesetFile(join(dir, 'rules.v4')).ruleset;
  const host = loadHostFile(join(dir, 'host.json'));
  const out: Run = { outcomes: [], trace: [], log: [], save: [] };
  let prepared: Prepared | undefined;
  const select = extra.select;
  await replayCapture({
    capture: join(dir, 'capture.pcap'),
    ruleset: rs,
    host,
    classify: createClassifier(host),
    runner: (rt) => {
      const o: RunnerOptions = { tables: replayedTables(rs) };
      o.prepared = prepared = prepare(rs, rt, o.tables, o);
      return main === 'compiled' ? compileRuleset(rs, rt, o) : interpretRuleset(rs, rt, o);
    },
    tracedRunner: (rt) => interpretRuleset(rs, rt, { tables: replayedTables(rs), prepared }),
    paths: extra.paths,
    trace: select ? { select: (p) => select(p.number), onLine: (p, text) => out.trace.push(`${p.number} ${text}`) } : undefined,
    onLog: extra.log ? (l: LogLine) => out.log.push(l.text) : undefined,
    onNflog: extra.onNflog,
    onVerdict: (o) => out.outcomes.push({ packet: o.packet, verdict: o.verdict, path: o.path }),
  });
  out.save = saveRuleset(rs, { counters: true }).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return out;
}

const step = (chain: string, rule: number, target: string, extra: object = {}) => ({ hook: 'INPUT', table: 'filter', chain, rule, target, ...extra });
const ret = (chain: string) => ({ hook: 'INPUT', table: 'filter', chain, return: true });
const policy = (p: string) => ({ hook: 'INPUT', table: 'filter', chain: 'INPUT', policy: p });

describe('verdict paths', () => {
  for (const main of ['compiled', 'interpreter'] as const) {
    it(`hoge-chains: jumps, goto, RETURN, falling off and policies (${main})`, async () => {
      const r = await run(join(DIFF, 'hoge-chains'), main, { paths: true });
      const by = new Map(r.outcomes.map((o) => [o.packet, o]));
      // Packet 1: HOGE1 > HOGE2 RETURN > back in HOGE1, which falls off > INPUT ACCEPT.
      expect(by.get(1)).toEqual({
        packet: 1,
        verdict: 'ACCEPT',
        path: [step('INPUT', 1, 'HOGE1'), step('HOGE1', 1, 'LOG'), step('HOGE1', 2, 'HOGE2'), step('HOGE2', 1, 'LOG'), step('HOGE2', 2, 'RETURN'), ret('HOGE1'), step('INPUT', 4, 'ACCEPT')],
      });
      // Packet 6: HOGE2 -g HOGE4, which falls off back to HOGE1 (the -j caller), not HOGE2.
      expect(by.get(6)!.path).toEqual([
        step('INPUT', 1, 'HOGE1'),
        step('HOGE1', 1, 'LOG'),
        step('HOGE1', 2, 'HOGE2'),
        step('HOGE2', 1, 'LOG'),
        step('HOGE2', 3, 'HOGE4', { goto: true }),
        step('HOGE4', 3, ''),
        ret('HOGE4'),
        step('HOGE1', 3, ''),
        ret('HOGE1'),
        step('INPUT', 4, 'ACCEPT'),
      ]);
      // Packet 8: no rule matches; the policy decides.
      expect(by.get(8)).toEqual({ packet: 8, verdict: 'DROP', path: [policy('DROP')] });
      // Packet 9: INPUT -g HOGE3, RETURN with nothing to return to: the policy.
      expect(by.get(9)!.path).toEqual([step('INPUT', 2, 'HOGE3', { goto: true }), step('HOGE3', 1, 'LOG'), step('HOGE3', 4, 'RETURN'), policy('DROP')]);
    });
  }

  it('records the paths of the packets a selector chooses only, the others on the compiled runner', async () => {
    const all = await run(join(DIFF, 'hoge-chains'), 'compiled', { paths: true });
    const some = await run(join(DIFF, 'hoge-chains'), 'compiled', { paths: (p) => p.number % 3 === 0 });
    expect(some.outcomes.map((o) => [o.packet, o.verdict, o.path])).toEqual(all.outcomes.map((o) => [o.packet, o.verdict, o.packet % 3 === 0 ? o.path : undefined]));
    expect(some.outcomes.filter((o) => o.path !== undefined).length).toBeGreaterThan(0);
    // The counters are the kernel's whichever runner counted each packet.
    expect(some.save).toEqual(all.save);
  });

  it('the last step of every path agrees with the verdict, on every differential case', async () => {
    for (const name of ['hoge-chains', 'builtin-return', 'docker-filter', 'iface-match', 'forward', 'mark']) {
      const r = await run(join(DIFF, name), 'compiled', { paths: true });
      for (const o of r.outcomes) {
        const path = o.path as Array<{ target?: string; policy?: string }>;
        if (o.verdict === 'DROP' && path.length > 0) {
          const last = path[path.length - 1]!;
          expect([last.target, last.policy], `${name} packet ${o.packet}`).toContain('DROP');
        }
      }
    }
  });
});

describe('the traced runner is the real evaluation', () => {
  const expectedOf = (name: string): string[] =>
    (JSON.parse(readFileSync(join(DIFF, name, 'expected.json'), 'utf8')) as { saveCounters: string[] }).saveCounters.filter((l) => !l.startsWith('#'));
  const sorted = (l: string[]): string[] => [...l].sort();

  it('counters equal the kernel with every other packet traced and all paths recorded', async () => {
    for (const name of ['hoge-chains', 'builtin-return', 'docker-filter', 'log-counting', 'tcp-flags']) {
      const r = await run(join(DIFF, name), 'compiled', { paths: true, select: (n) => n % 2 === 1 });
      expect(sorted(r.save), name).toEqual(sorted(expectedOf(name)));
    }
  });

  it('stateful matches advance once per packet whichever runner evaluates it', async () => {
    const text = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -m statistic --mode nth --every 3 --packet 0 -j ACCEPT',
      '-A INPUT -m limit --limit 1/hour --limit-burst 2 -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    const dir = join(DIFF, 'hoge-chains');
    const plain = await run(dir, 'compiled', {}, loadRulesetText(text).ruleset);
    const traced = await run(dir, 'compiled', { select: (n) => n % 2 === 0 }, loadRulesetText(text).ruleset);
    expect(traced.save).toEqual(plain.save);
    expect(plain.save.some((l) => l.startsWith('[0:0] -A INPUT -m statistic'))).toBe(false);
  });
});

describe('--trace lines', () => {
  it('hoge-chains packet 1: kernel-style lines, and why the rules before each did not match', async () => {
    const r = await run(join(DIFF, 'hoge-chains'), 'compiled', { select: (n) => n === 1 });
    const heads = r.trace.map((l) => l.replace(/ IN=.*$/, ''));
    expect(heads).toEqual([
      '1 TRACE: filter:INPUT:rule:1',
      '1 TRACE: filter:HOGE1:rule:1',
      '1 TRACE: filter:HOGE1:rule:2',
      '1 TRACE: filter:HOGE2:rule:1',
      '1 TRACE: filter:HOGE2:rule:2',
      '1 TRACE: filter:HOGE1:return:6',
      '1   not matched: filter:HOGE1:rule:3: match tcp',
      '1   not matched: filter:HOGE1:rule:4: protocol (-p udp; packet tcp)',
      '1   not matched: filter:HOGE1:rule:5: protocol (-p udp; packet tcp)',
      '1 TRACE: filter:INPUT:rule:4',
      '1   not matched: filter:INPUT:rule:2: protocol (-p icmp; packet tcp)',
      '1   not matched: filter:INPUT:rule:3: protocol (-p udp; packet tcp)',
    ]);
    expect(r.trace[0]).toBe(
      '1 TRACE: filter:INPUT:rule:1 IN=eth0 OUT= MAC=02:00:00:00:00:01:02:00:00:00:ff:01:08:00 SRC=192.0.2.10 DST=198.51.100.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22222 SEQ=1000 ACK=0 WINDOW=8192 RES=0x00 SYN URGP=0 ',
    );
  });

  it('the policy line lists every rule of the chain that was tested', async () => {
    const r = await run(join(DIFF, 'hoge-chains'), 'interpreter', { select: (n) => n === 8 });
    expect(r.trace.map((l) => l.replace(/ IN=.*$/, ''))).toEqual([
      '8 TRACE: filter:INPUT:policy:6',
      '8   not matched: filter:INPUT:rule:1: match tcp',
      '8   not matched: filter:INPUT:rule:2: protocol (-p icmp; packet tcp)',
      '8   not matched: filter:INPUT:rule:3: protocol (-p udp; packet tcp)',
      '8   not matched: filter:INPUT:rule:4: match tcp',
      '8   not matched: filter:INPUT:rule:5: protocol (-p udp; packet tcp)',
    ]);
  });

  it('names the generic field that failed: addresses and interfaces', async () => {
    const text = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -s 10.0.0.0/8 -j DROP',
      '-A INPUT ! -d 198.51.100.1 -j DROP',
      '-A INPUT -i eth1 -j DROP',
      '-A INPUT -f -j DROP',
      'COMMIT',
      '',
    ].join('\n');
    const r = await run(join(DIFF, 'hoge-chains'), 'compiled', { select: (n) => n === 1 }, loadRulesetText(text).ruleset);
    expect(r.trace.map((l) => l.replace(/ IN=.*$/, ''))).toEqual([
      '1 TRACE: filter:INPUT:policy:5',
      '1   not matched: filter:INPUT:rule:1: source (-s 10.0.0.0/8; packet 192.0.2.10)',
      '1   not matched: filter:INPUT:rule:2: destination (! -d 198.51.100.1/32; packet 198.51.100.1)',
      '1   not matched: filter:INPUT:rule:3: in-interface (-i eth1; packet eth0)',
      '1   not matched: filter:INPUT:rule:4: fragment (-f; packet offset 0)',
    ]);
  });
});

describe('TRACE target', () => {
  const dir = join(CASES, 'trace-target');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { prefixes: string[] };
  for (const main of ['compiled', 'interpreter'] as const) {
    it(`writes the kernel's trace_packet lines for the rest of the traversal (${main})`, async () => {
      const r = await run(dir, main, { log: true });
      expect(r.log.map((l) => l.slice(0, l.indexOf(' IN=') + 1))).toEqual(expected.prefixes);
      expect(r.log[0]).toMatch(/^TRACE: raw:PREROUTING:policy:4 IN=nfrtrb OUT= MAC=\S+ SRC=192\.0\.2\.1 DST=192\.0\.2\.2 LEN=84 .* PROTO=ICMP TYPE=8 CODE=0 /);
    });
  }

  it('writes nothing without a log sink, and counters are unchanged', async () => {
    const a = await run(dir, 'compiled', {});
    const b = await run(dir, 'compiled', { log: true });
    expect(a.log).toEqual([]);
    expect(a.save).toEqual(b.save);
  });
});

describe('NFLOG pcaps', () => {
  const dir = join(CASES, 'nflog');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { groups: Record<string, string[]> };
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

  it('one pcap per group with the payloads the kernel sent, --nflog-size applied', async () => {
    const out = join(tmp, 'nflog');
    mkdirSync(out);
    const pcaps = new NflogPcaps(out, PcapWriter.open);
    await run(dir, 'compiled', { onNflog: (g, _p, pkt, size) => pcaps.write(g, pkt, size) });
    pcaps.close();
    for (const [group, payloads] of Object.entries(expected.groups)) {
      const path = join(out, `nflog-${group}.pcap`);
      const reader = await openCapture(path);
      const got: string[] = [];
      const orig: number[] = [];
      await reader.forEach((rec) => {
        expect(rec.linktype).toBe(228);
        got.push(hex(rec.data.subarray(rec.offset, rec.offset + rec.caplen)));
        orig.push(rec.origlen);
      });
      expect(got).toEqual(payloads);
      expect(orig).toEqual([84, 84]);
      const td = execFileSync('tcpdump', ['-nr', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(td.trim().split('\n')).toHaveLength(2);
      expect(td).toContain('IP 192.0.2.1 > 192.0.2.2');
    }
  });
});

describe('trace selection', () => {
  it('packet ranges', () => {
    const sel = parsePacketRanges('1, 5-9,12');
    expect([1, 2, 4, 5, 9, 10, 12].map(sel)).toEqual([true, false, false, true, true, false, true]);
    for (const bad of ['', '0', '3-1', 'a', '1-', '1,,2']) expect(() => parsePacketRanges(bad), bad).toThrow(TraceSelectionError);
  });

  it('filters', () => {
    const v = new PacketView();
    v.srcAddr = 0xc000020a; // 192.0.2.10
    v.dstAddr = 0xc6336401; // 198.51.100.1
    v.protocol = 6;
    v.srcPort = 1234;
    v.dstPort = 22;
    expect(parseTraceFilter('src 192.0.2.10 and proto tcp and port 22')(v)).toBe(true);
    expect(parseTraceFilter('src 192.0.2.0/24 and dport 22')(v)).toBe(true);
    expect(parseTraceFilter('host 198.51.100.1 and sport 22')(v)).toBe(false);
    expect(parseTraceFilter('dst 192.0.2.10')(v)).toBe(false);
    expect(parseTraceFilter('proto udp')(v)).toBe(false);
    expect(parseTraceFilter('proto 6')(v)).toBe(true);
    const errors: Array<[string, RegExp]> = [
      ['', /empty filter/],
      ['src', /"src" needs a value/],
      ['src 300.1.1.1', /IPv4 address/],
      ['proto foo', /unknown protocol "foo"/],
      ['port 70000', /port 0-65535/],
      ['src 1.2.3.4 or dst 1.2.3.4', /expected "and"/],
      ['src 1.2.3.4 and', /missing after "and"/],
      ['ttl 5', /unknown term "ttl"/],
      ['src 1.2.3.4; rm -rf /', /IPv4 address/],
    ];
    for (const [expr, msg] of errors) expect(() => parseTraceFilter(expr), expr).toThrow(msg);
  });

  it('numbers and filter together', async () => {
    const select = traceSelection('1-9', 'proto icmp');
    // Only packet 9 is both in 1-9 and ICMP.
    const picked: number[] = [];
    const rs = loadRulesetFile(join(DIFF, 'hoge-chains', 'rules.v4')).ruleset;
    const host = loadHostFile(join(DIFF, 'hoge-chains', 'host.json'));
    let prepared: Prepared | undefined;
    await replayCapture({
      capture: join(DIFF, 'hoge-chains', 'capture.pcap'),
      ruleset: rs,
      host,
      classify: createClassifier(host),
      runner: (rt) => compileRuleset(rs, rt, { prepared: (prepared = prepare(rs, rt, undefined, {})) }),
      tracedRunner: (rt) => interpretRuleset(rs, rt, { prepared }),
      trace: { select, onLine: (p) => void (picked.includes(p.number) || picked.push(p.number)) },
    });
    expect(picked).toEqual([9]);
  });
});
