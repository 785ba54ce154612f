/**
 * Synthetic kube-proxy services for the capacity report: added in kube-proxy's shapes and
 * chain names, spread among the existing KUBE-SERVICES rules with the NodePort jump kept
 * last, accepted by the real iptables-restore; and `nfreplay capacity` replaying a
 * kube-proxy capture at larger service counts, none of the added rules hit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapacityReport } from '../../src/analysis/capacity.js';
import { addServices, endpointsPerService, kubeServiceCount, ruleCount } from '../../src/analysis/kube-services.js';
import { loadRulesetText, saveRuleset, targetName } from '../../src/rules/index.js';
import { which } from '../support/tools.mjs';

const ROOT = join(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'differential', 'cases', 'kube-proxy-nat');
const TEXT = readFileSync(join(CASE, 'rules.v4'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'nfr-kube-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = () => loadRulesetText(TEXT, { source: 'rules.v4' }).ruleset;

describe('addServices', () => {
  it('adds services in kube-proxy shapes, spread among the existing ones, the NodePort jump last', () => {
    const ruleset = load();
    expect(kubeServiceCount(ruleset)).toBe(2);
    expect(endpointsPerService(ruleset)).toBe(1);
    const before = ruleCount(ruleset);
    const added = addServices(ruleset, 98, 3);
    expect(kubeServiceCount(ruleset)).toBe(100);
    // Per service: KUBE-SERVICES, the masquerade mark, 3 ladder rules, 2 per endpoint chain;
    // every fourth (25) also a NodePort rule and its 2-rule KUBE-EXT chain.
    expect(added.rules.length).toBe(98 * (1 + 1 + 3 + 6) + 25 * 3);
    expect(ruleCount(ruleset)).toBe(before + added.rules.length);
    const nat = ruleset.tables.find((t) => t.name === 'nat')!;
    const services = nat.chains.get('KUBE-SERVICES')!.rules;
    expect(services.length).toBe(2 + 98 + 1);
    expect(targetName(services.at(-1)!.target)).toBe('KUBE-NODEPORTS');
    // ⌊98/3⌋ = 32 added before the first existing rule, ⌊196/3⌋ = 65 before the second.
    expect(targetName(services[32]!.target)).toBe('KUBE-SVC-TCOU7JCQXEZGVUNU');
    expect(targetName(services[66]!.target)).toBe('KUBE-SVC-CDGGSHYLG3RE2FKL');
    for (const name of nat.chains.keys()) if (/^KUBE-(SVC|SEP|EXT)-/.test(name)) expect(name).toMatch(/^KUBE-(SVC|SEP|EXT)-[A-Z2-7]{16}$/);
    expect(nat.chains.get('KUBE-NODEPORTS')!.rules.length).toBe(1 + 25);
  });

  it('the grown ruleset is one the real iptables-restore accepts', () => {
    const ruleset = load();
    addServices(ruleset, 300, 2);
    const path = join(dir, 'grown.v4');
    writeFileSync(path, saveRuleset(ruleset));
    // In a network namespace of its own: --test parses and checks, and nothing is loaded anyway.
    const r = spawnSync(which('unshare')!, ['--net', which('iptables-restore')!, '--test', path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('nfreplay capacity on a kube-proxy ruleset', () => {
  const cal = join(dir, 'cal.json');
  writeFileSync(
    cal,
    JSON.stringify({ format: 'nfreplay-calibration', version: 1, date: '2026-01-02T03:04:05.000Z', kernel: 'k', cpu: { model: 'c', count: 1 }, iptables: { version: '1.8.9', backend: 'legacy' }, nsPerRule: 10, nsPerPacket: 1000, fit: { r2: 1 } }),
  );
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'cli', 'main.js'), 'capacity', join(CASE, 'capture.pcap'), '--rules', join(CASE, 'rules.v4'), '--host', join(CASE, 'host.json'), '--kube-services', '1,50,500', '--calibration', cal, '--output', 'json'],
    { encoding: 'utf8' },
  );
  const report = JSON.parse(r.stdout || '{}') as CapacityReport;

  it('replays the capture at the ruleset\'s own count and each larger one', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const k = report.kube!;
    expect(k.services).toBe(2);
    expect(k.skipped).toEqual([1]);
    expect(k.rows.map((row) => row.services)).toEqual([2, 50, 500]);
    expect(k.rows.every((row) => row.addedRuleHits === 0)).toBe(true);
    // More services, more rules walked past: strictly more per packet, and CPU with them.
    for (let i = 1; i < k.rows.length; i++) {
      expect(k.rows[i]!.rules).toBeGreaterThan(k.rows[i - 1]!.rules);
      expect(k.rows[i]!.rulesEvaluated.mean).toBeGreaterThan(k.rows[i - 1]!.rulesEvaluated.mean);
      expect(k.rows[i]!.cpu!.peakCores).toBeGreaterThan(k.rows[i - 1]!.cpu!.peakCores);
    }
    // The ruleset as given is the report's own replay.
    expect(k.rows[0]!.rulesEvaluated.mean).toBe(report.rulesEvaluated.mean);
    const peak = report.traffic.packetsPerSecond.peak;
    // To 4 significant digits, as the report gives a share of a core.
    expect(k.rows[2]!.cpu!.peakCores).toBe(Number(((peak * (1000 + k.rows[2]!.rulesEvaluated.mean * 10)) / 1e9).toPrecision(4)));
  });

  it('is not a kube-proxy report for other rulesets', () => {
    const other = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'capacity', join(ROOT, 'captures', 'demo.pcap'), '--rules', join(ROOT, 'captures', 'demo.rules'), '--output', 'json'], { encoding: 'utf8' });
    expect((JSON.parse(other.stdout) as CapacityReport).kube).toBeNull();
  });
});
