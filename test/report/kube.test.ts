/**
 * The kube-proxy endpoint balance: the statistic ladder's expected shares, and the
 * connections each endpoint got (its DNAT rule counts each connection once).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { udpDatagram } from '../support/checksum.js';
import { kubeBalance, kubeBalanceText } from '../../src/report/kube.js';
import { loadRulesetText } from '../../src/rules/index.js';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nfr-kube-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const THREE = [
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':POSTROUTING ACCEPT [0:0]',
  ':KUBE-SVC-AAAA - [0:0]',
  ':KUBE-SEP-1 - [0:0]',
  ':KUBE-SEP-2 - [0:0]',
  ':KUBE-SEP-3 - [0:0]',
  '-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-AAAA',
  '-A KUBE-SVC-AAAA -m comment --comment "ns/web:http -> 10.244.0.2:8080" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1',
  '-A KUBE-SVC-AAAA -m comment --comment "ns/web:http -> 10.244.0.3:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2',
  '-A KUBE-SVC-AAAA -m comment --comment "ns/web:http -> 10.244.0.4:8080" -j KUBE-SEP-3',
  '-A KUBE-SEP-1 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.2:8080',
  '-A KUBE-SEP-2 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.3:8080',
  '-A KUBE-SEP-3 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.4:8080',
  'COMMIT',
  '',
].join('\n');

describe('kube-proxy endpoint balance', () => {
  it('gives each endpoint of a three-way ladder a third, and counts its DNAT rule', () => {
    const { ruleset } = loadRulesetText(THREE, { source: 'kube' });
    const dnat = ruleset.tables[0]!.chains.get('KUBE-SEP-2')!.rules[0]!;
    dnat.counters.packets = 7n;
    const [svc] = kubeBalance(ruleset);
    expect(svc!.service).toBe('ns/web:http');
    expect(svc!.endpoints.map((e) => e.endpoint)).toEqual(['10.244.0.2:8080', '10.244.0.3:8080', '10.244.0.4:8080']);
    for (const e of svc!.endpoints) expect(e.probability).toBeCloseTo(1 / 3, 6);
    expect(svc!.endpoints.map((e) => e.connections)).toEqual([0, 7, 0]);
    expect(kubeBalanceText([svc!])).toBe(
      'ns/web:http (KUBE-SVC-AAAA): 7 connections\n' +
        '  10.244.0.2:8080 (KUBE-SEP-1): 0 (0.0%), expected 33.3%\n' +
        '  10.244.0.3:8080 (KUBE-SEP-2): 7 (100.0%), expected 33.3%\n' +
        '  10.244.0.4:8080 (KUBE-SEP-3): 0 (0.0%), expected 33.3%\n',
    );
  });

  it('--services reports the kube-proxy-nat case the kernel recorded: one connection per single-endpoint service', () => {
    const c = join(ROOT, 'test', 'differential', 'cases', 'kube-proxy-nat');
    const out = join(dir, 'services.txt');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(c, 'capture.pcap'), '--rules', join(c, 'rules.v4'), '--host', join(c, 'host.json'), '--services', out, '-q'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    // Every endpoint line carries a count and the expected 100% of a single endpoint.
    const endpoints = text.split('\n').filter((l) => l.startsWith('  '));
    expect(endpoints.length).toBeGreaterThan(0);
    for (const l of endpoints) expect(l).toMatch(/^ {2}\S+ \(KUBE-SEP-\w+\): \d+ \((100\.0|-)%?\)?.*expected 100\.0%$/);
    // Counts agree with the DNAT rules' counters in the kernel's own iptables-save -c.
    const kernel = JSON.parse(readFileSync(join(c, 'expected.json'), 'utf8')) as { saveCounters: string[] };
    const dnat = kernel.saveCounters.filter((l) => / -j DNAT /.test(l)).reduce((n, l) => n + Number(/^\[(\d+):/.exec(l)![1]), 0);
    const got = endpoints.reduce((n, l) => n + Number(/: (\d+) \(/.exec(l)![1]), 0);
    expect(dnat).toBeGreaterThan(0);
    expect(got).toBe(dnat);
    // The same figures in --output json.
    const j = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', join(c, 'capture.pcap'), '--rules', join(c, 'rules.v4'), '--host', join(c, 'host.json'), '--output', 'json', '-q'], { encoding: 'utf8' });
    const services = (JSON.parse(j.stdout) as { services: { connections: number }[] }).services;
    expect(services.reduce((n, s) => n + s.connections, 0)).toBe(dnat);
  });
});

describe('--statistic enumerate', () => {
  const rules = join(dir, 'k3.rules');
  const host = join(dir, 'k3.json');
  const capture = join(dir, 'k3.pcap');

  /** 60 DNS queries from distinct ports to a ClusterIP with three endpoints. */
  function setup(): void {
    writeFileSync(
      rules,
      THREE.replace(/tcp/g, 'udp').replace('--dport 80', '--dport 53').replaceAll(':8080', ':53').replaceAll('ns/web:http', 'ns/dns:dns'),
    );
    writeFileSync(
      host,
      JSON.stringify({
        interfaces: [
          { name: 'eth0', addr: '198.51.100.1/24' },
          { name: 'eth1', addr: '10.96.0.1/12' },
        ],
        forward: true,
        routes: [{ dst: '10.244.0.0/16', dev: 'eth1' }],
      }),
    );
    const w = PcapWriter.open(capture, { linktype: 101 });
    for (let i = 0; i < 60; i++) {
      const b = udpDatagram('198.51.100.20', '10.96.0.10', 30000 + i, 53);
      w.write({ data: b, offset: 0, caplen: 28, origlen: 28, tsSec: 1700000000 + i, tsNsec: 0 });
    }
    w.close();
  }

  const replay = (seed: number, out: string) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', capture, '--rules', rules, '--host', host, '--services', out, '--statistic', 'enumerate', '--seed', String(seed), '-q'], { encoding: 'utf8' });

  it('lists, for every connection, every endpoint it could reach and the one drawn; the draw is plausible and seeded', () => {
    setup();
    const a = join(dir, 'a.txt');
    expect(replay(1, a).status).toBe(0);
    const text = readFileSync(a, 'utf8');
    const lines = text.split('\n').filter((l) => l.startsWith('packet '));
    expect(lines).toHaveLength(60);
    for (const l of lines) expect(l).toMatch(/^packet \d+: ns\/dns:dns could reach 10\.244\.0\.2:53 \(33\.3%\), 10\.244\.0\.3:53 \(33\.3%\), 10\.244\.0\.4:53 \(33\.3%\); drawn 10\.244\.0\.[234]:53$/);
    // Binomial(60, 1/3) per endpoint: 5 to 40 is more than four standard deviations either way.
    const counts = [2, 3, 4].map((h) => lines.filter((l) => l.endsWith(`drawn 10.244.0.${h}:53`)).length);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(60);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(5);
    for (const c of counts) expect(c).toBeLessThanOrEqual(40);
    // The balance lines agree with the draws.
    expect(text).toContain(`10.244.0.2:53 (KUBE-SEP-1): ${counts[0]} (`);
    // Same seed, same file; another seed, another draw.
    const b = join(dir, 'b.txt');
    expect(replay(1, b).status).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe(text);
    const c = join(dir, 'c.txt');
    expect(replay(2, c).status).toBe(0);
    expect(readFileSync(c, 'utf8')).not.toBe(text);
  });

  it('needs --services', () => {
    setup();
    const r1 = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', capture, '--rules', rules, '--host', host, '--statistic', 'enumerate'], { encoding: 'utf8' });
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('give --services FILE');

  });
});
