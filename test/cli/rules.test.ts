/**
 * The `nfreplay rules` commands as a user runs them: real process, real exit codes,
 * standard input, errors on stderr with file:line:column.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function nfreplay(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const RESTORE = `*filter
:INPUT DROP [10:600]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[4:240] -A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`;

describe('nfreplay rules', () => {
  it('save reads standard input and canonicalises', () => {
    const r = nfreplay(['rules', 'save', '-'], RESTORE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n');
  });

  it('save -c keeps the counters of the file', () => {
    const r = nfreplay(['rules', 'save', '-c', tempFile('r.v4', RESTORE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(':INPUT DROP [10:600]');
    expect(r.stdout).toContain('[4:240] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  });

  it('list -nvx shows the file counters like iptables -nvxL', () => {
    const r = nfreplay(['rules', 'list', '-n', '-v', '-x', tempFile('r.v4', RESTORE), 'INPUT']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Chain INPUT (policy DROP 10 packets, 600 bytes)');
    expect(r.stdout).toMatch(/^ +4 +240 ACCEPT +6 +-- +\* +\* +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +tcp dpt:22$/m);
  });

  it('list -S prints rules like iptables -S', () => {
    const r = nfreplay(['rules', 'list', '-S', tempFile('r.v4', RESTORE)]);
    expect(r.stdout).toBe('-P INPUT DROP\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n');
  });

  it('accepts a script of iptables commands', () => {
    const script = 'sudo iptables -N HOGE\niptables -A INPUT -p tcp --dport 22222 -j HOGE\niptables -I INPUT 1 -i lo -j ACCEPT\n';
    const r = nfreplay(['rules', 'save', '-'], script);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22222 -j HOGE\n');
  });

  it('check exits 0 on a valid file and 1 with file:line:column on an invalid one', () => {
    expect(nfreplay(['rules', 'check', tempFile('ok.v4', RESTORE)]).code).toBe(0);
    const bad = tempFile('bad.v4', '*filter\n-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n');
    const r = nfreplay(['rules', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:17: invalid port/service \`70000' specified [NFR_ERR_VALUE]`);
  });

  it('names a missing file and exits 1', () => {
    const r = nfreplay(['rules', 'save', '/nonexistent/rules.v4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/rules.v4');
    expect(r.stderr).toContain('NFR_ERR_IO');
  });

  it('exits 2 on a usage error', () => {
    expect(nfreplay(['rules', 'list', '-t', 'bogus', '-']).code).toBe(2);
    expect(nfreplay(['rules', 'frobnicate']).code).toBe(2);
  });

  it('refuses hostnames instead of resolving them', () => {
    const r = nfreplay(['rules', 'check', '-'], 'iptables -A INPUT -s example.com -j DROP\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<stdin>:1:22:');
    expect(r.stderr).toContain('NFR_ERR_HOSTNAME');
  });
});

describe('nfreplay rules check and unmodelled extensions', () => {
  it('accepts a u32 rule and names it as not modelled, with its position', () => {
    const file = tempFile('u32.v4', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m u32 --u32 "0>>22&0x3C@4=0x29" -j DROP\nCOMMIT\n');
    const r = nfreplay(['rules', 'check', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`nfreplay: note: ${file}:3:1: filter INPUT rule 1 uses u32, which the replay does not model\n`);
  });
});

describe('nfreplay demo (npm start)', () => {
  it('replays the bundled capture through the seed ruleset and lists the counters', () => {
    const r = nfreplay(['demo']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('assuming host 192.0.2.10 on eth0; use --host to set');
    expect(r.stderr).toMatch(/572 packets read, 561 replayed/);
    expect(r.stdout).toContain('# iptables -t filter\nChain INPUT (policy DROP ');
    // The HOGE tutorial chains: a goto'd chain falling off returns to HOGE1, the last -j caller.
    expect(r.stdout).toMatch(/ +9 +540 HOGE2 +6 +-- /);
    expect(r.stdout).toMatch(/ +47 +2531 RETURN +0 +-- /);
    expect(r.stdout).toMatch(/ +5 +300 ACCEPT .*limit: avg 3\/min burst 5/);
  });
});
