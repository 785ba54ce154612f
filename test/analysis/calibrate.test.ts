/**
 * `nfreplay calibrate` on this machine's kernel (root, network namespaces, iptables): a
 * short run writes a calibration whose kernel time per datagram grows with the rules, the
 * namespaces it made are gone afterwards (after Ctrl-C too), `nfreplay capacity` uses the
 * file and says so, and a machine without root, `ip` or iptables gets a clear refusal.
 * Also the least-squares fit on figures worked out by hand.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitLine, type Calibration } from '../../src/analysis/calibrate.js';
import { which } from '../support/tools.mjs';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The calibration's namespaces of process `pid` still there. */
function namespacesOf(pid: number): string[] {
  const out = spawnSync(which('ip')!, ['netns', 'list'], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.startsWith(`nfrcal${pid}`));
}

describe('fitLine', () => {
  it('least squares with R²', () => {
    expect(fitLine([1, 2, 3], [12, 14, 16])).toEqual({ slope: 2, intercept: 10, r2: 1 });
    // y = 1, 3, 2 at x = 0, 1, 2: means 1 and 2, Sxy = 1, Sxx = 2, Syy = 2: slope 0.5,
    // intercept 2 - 0.5 = 1.5, R² = 1² / (2 × 2).
    const f = fitLine([0, 1, 2], [1, 3, 2]);
    expect(f.slope).toBeCloseTo(0.5, 12);
    expect(f.intercept).toBeCloseTo(1.5, 12);
    expect(f.r2).toBeCloseTo(0.25, 12);
  });
});

describe('nfreplay calibrate --quick, live', () => {
  const output = join(dir, 'calibration.json');
  const r = spawnSync(process.execPath, [CLI, 'calibrate', '--quick', '--output', output], { encoding: 'utf8' });

  it('exits 0 and writes the calibration', () => {
    expect(r.stderr).toMatch(/^nfreplay: +0 rules, run 1: \d+ datagrams/);
    expect(r.status).toBe(0);
    expect(existsSync(output)).toBe(true);
    expect(r.stdout).toContain(`calibration written to ${output}`);
  });

  it('kernel time per datagram grows with the rules: slope above 0, every datagram through the rules', () => {
    const c = JSON.parse(readFileSync(output, 'utf8')) as Calibration;
    expect(c.format).toBe('nfreplay-calibration');
    expect(c.rules).toEqual([0, 500, 1000]);
    expect(c.runs.length).toBe(6);
    expect(c.nsPerRule).toBeGreaterThan(0);
    expect(c.fit.slopePerRepetition.every((s) => s > 0)).toBe(true);
    for (const run of c.runs) {
      expect(run.evaluated).toBe(run.rules + 1);
      expect(run.received).toBeGreaterThanOrEqual(0.99 * run.sent);
    }
    // 1000 rules cost more than none in every repetition.
    for (const rep of [1, 2]) {
      const of = (n: number) => c.runs.find((x) => x.rules === n && x.repetition === rep)!.kernelNsPerPacket;
      expect(of(1000)).toBeGreaterThan(of(0));
    }
    expect(c.kernel).toBe(spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim());
    expect(['nf_tables', 'legacy']).toContain(c.iptables.backend);
  });

  it('leaves no namespace behind', () => {
    expect(namespacesOf(r.pid!)).toEqual([]);
  });

  it('nfreplay capacity uses it and says which', () => {
    const c = JSON.parse(readFileSync(output, 'utf8')) as Calibration;
    const cap = spawnSync(process.execPath, [CLI, 'capacity', join(ROOT, 'captures', 'demo.pcap'), '--rules', join(ROOT, 'captures', 'demo.rules'), '--calibration', output], { encoding: 'utf8' });
    expect(cap.status).toBe(0);
    expect(cap.stdout).toContain(`calibration: ${output}, measured ${c.date} on kernel ${c.kernel}`);
    expect(cap.stdout).toContain(`${c.nsPerRule < 100 ? Number(c.nsPerRule.toPrecision(3)) : c.nsPerRule.toFixed(0)} ns per rule evaluated`);
    expect(cap.stdout).toMatch(/kernel CPU: [\d.e-]+ of one core at the peak second/);
  });
});

describe('nfreplay calibrate: what it needs', () => {
  it('refuses without root, saying so', () => {
    const r = spawnSync(process.execPath, [CLI, 'calibrate', '--quick', '--output', join(dir, 'x.json')], { encoding: 'utf8', uid: 65534, gid: 65534 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('nfreplay: calibrate: needs root (network namespaces and iptables need it): run as root [NFR_ERR_CALIBRATION]\n');
  });

  it('refuses without ip and iptables, naming both', () => {
    const r = spawnSync(process.execPath, [CLI, 'calibrate', '--quick', '--output', join(dir, 'x.json')], { encoding: 'utf8', env: { PATH: join(dir, 'nothing-here') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("nfreplay: calibrate: needs the 'ip' command (iproute2); 'iptables' (the iptables package) [NFR_ERR_CALIBRATION]\n");
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });

  it('its error code is documented in README.md', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('| `NFR_ERR_CALIBRATION` |');
  });

  it('bad options are usage errors', () => {
    for (const args of [['--rules', '1000'], ['--repetitions', '0'], ['--seconds', '100'], ['--backend', 'ebpf']]) {
      const r = spawnSync(process.execPath, [CLI, 'calibrate', ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
    }
  });

  it('Ctrl-C stops it and deletes its namespaces', async () => {
    const child = spawn(process.execPath, [CLI, 'calibrate', '--output', join(dir, 'stopped.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Once the first run is reported the namespaces exist.
    await new Promise<void>((resolve) => child.stderr.on('data', () => resolve()));
    expect(namespacesOf(child.pid!).length).toBe(2);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('nfreplay: calibrate: interrupted [NFR_ERR_CALIBRATION]');
    expect(namespacesOf(child.pid!)).toEqual([]);
    expect(existsSync(join(dir, 'stopped.json'))).toBe(false);
  });
});
