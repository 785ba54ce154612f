/**
 * The kernel side of the differential suite. The cases must be well-formed without root
 * (host model valid, every packet placed on an interface, captures reproducible from their
 * scripts, rulesets loadable by nfreplay), and where this runs as root with the tools
 * present (always in CI) every case is replayed through the real kernel again and must
 * reproduce its committed expected.json exactly: that is what shows the oracle is
 * deterministic. Elsewhere the kernel part is skipped with the reason; in CI a missing
 * prerequisite is a failure, never a skip.
 */
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulesetFile } from '../../src/index.js';
// @ts-expect-error -- plain ESM module without type declarations
import * as oracle from './kernel.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const cases: string[] = oracle.listCases();
const caseDir = (name: string) => join(HERE, 'cases', name);
const FILES = ['README.md', 'rules.v4', 'host.json', 'make-capture.py', 'capture.pcap', 'expected.json'];

describe('differential cases: structure', () => {
  it('has at least 15 conntrack-free cases, each listed in the README', () => {
    const readme = readFileSync(join(HERE, 'README.md'), 'utf8');
    for (const name of cases) expect(readme, name).toContain(`| \`${name}\` |`);
    const free = cases.filter((n) => !oracle.rulesUseConntrack(readFileSync(join(caseDir(n), 'rules.v4'), 'utf8')));
    expect(free.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s: files, placement and expected.json agree', (name) => {
    const dir = caseDir(name);
    for (const f of FILES) expect(existsSync(join(dir, f)), `${name}/${f}`).toBe(true);
    const plan = oracle.planCase(dir);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8').trimEnd();
    expect(readme.split('\n'), 'the case README is one line').toHaveLength(1);
    expect(readme).toMatch(plan.conntrack ? /Conntrack: IN USE/ : /Conntrack: not in use\.$/);
    const expected = oracle.readExpected(dir);
    expect(expected.case).toBe(name);
    expect(expected.conntrackInUse).toBe(plan.conntrack);
    expect(expected.packets).toBe(plan.frames.length);
    expect(expected.ingress).toEqual(plan.ingress);
    if (!plan.conntrack) expect(expected.conntrackEntries, 'no conntrack entry without a conntrack user').toEqual([]);
    // Events are recorded exactly where conntrack is in use; replay.test.ts compares them.
    if (plan.conntrack) expect(expected.conntrackEvents, 'conntrack -E lines recorded').toBeInstanceOf(Array);
    else expect(expected.conntrackEvents).toBeUndefined();
    expect(expected.saveCounters.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s: rules.v4 loads in nfreplay', (name) => {
    expect(() => loadRulesetFile(join(caseDir(name), 'rules.v4'))).not.toThrow();
  });
});

describe('differential cases: captures', () => {
  const py: string | null = oracle.scapyPython();
  if (!py && !inCi) {
    it.skip('skipped: no python3 with scapy (apt-get install python3-scapy)', () => {});
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'nfr-diff-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.each(cases)('%s: make-capture.py reproduces capture.pcap byte for byte', (name) => {
    expect(py, 'CI must check the captures (python3-scapy is required)').not.toBeNull();
    const out = join(tmp, `${name}.pcap`);
    oracle.makeCapture(caseDir(name), out, py);
    expect(readFileSync(out).equals(readFileSync(join(caseDir(name), 'capture.pcap')))).toBe(true);
  });
});

describe('differential cases: the kernel reproduces expected.json', () => {
  const problem: string | null = oracle.preflight();
  if (problem && !inCi) {
    it.skip(`skipped: ${problem}`, () => {});
    return;
  }
  // Every case by default (about half a second each); NFR_DIFF_SAMPLE=N takes N of them.
  const sample = Number(process.env.NFR_DIFF_SAMPLE ?? cases.length);
  const picked = cases.filter((_, i) => i % Math.max(1, Math.round(cases.length / sample)) === 0).slice(0, sample);

  it.each(picked)('%s', async (name) => {
    expect(problem, 'CI must replay through the kernel (root, iproute2, iptables, nftables, tcpdump, conntrack, ethtool, python3)').toBeNull();
    const diffs: string[] = await oracle.checkCase(name);
    expect(diffs).toEqual([]);
  }, 60_000);
});
