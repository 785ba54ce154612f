/**
 * `nfreplay capture info` as a user runs it: real process, standard input, gzip, and the
 * exit codes 0 (read whole), 3 (damaged or truncated, read up to the damage), 1 (unreadable).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapFile, pcapngFile, pseudoBytes } from '../capture/build.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nfreplay(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const PCAP = pcapFile(
  [
    { tsSec: 1700000000, tsFrac: 5, data: pseudoBytes(60, 1) },
    { tsSec: 1700000002, tsFrac: 250000, data: pseudoBytes(54, 2), origlen: 1514 },
  ],
  { snaplen: 54 + 10 },
);

describe('nfreplay capture info', () => {
  it('describes a pcap file', () => {
    const r = nfreplay(['capture', 'info', file('a.pcap', PCAP)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `file: ${join(dir, 'a.pcap')}`,
        'format: pcap 2.4, little-endian',
        'interface: EN10MB (1), snaplen 64, timestamps in microseconds',
        'packets: 2 (114 bytes captured, 1574 bytes on the wire)',
        'first: 2023-11-14 22:13:20.000005000 UTC (1700000000.000005000)',
        'last: 2023-11-14 22:13:22.250000000 UTC (1700000002.250000000)',
        '',
      ].join('\n'),
    );
  });

  it('describes pcapng interfaces and sections, read from gzip on standard input', () => {
    const ng = pcapngFile([
      { le: true, blocks: [{ kind: 'idb', linktype: 276, name: 'any', tsresol: 9 }, { kind: 'epb', ifid: 0, ts: 1700000000_000000001n, data: pseudoBytes(40, 3) }] },
      { le: false, blocks: [{ kind: 'idb', linktype: 1, snaplen: 128, name: 'eth0', tsresol: 0x80 | 10, tsoffset: 60n }] },
    ]);
    const r = nfreplay(['capture', 'info', '-'], gzipSync(ng));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'file: standard input',
        'format: pcapng 1.0, little-endian, 2 sections, gzip-compressed',
        'interface 0: any LINUX_SLL2 (276), snaplen 262144, timestamps in nanoseconds',
        'interface 1: eth0 EN10MB (1), snaplen 128, timestamps in 2^-10 s, timestamp offset 60 s',
        'packets: 1 (40 bytes captured, 40 bytes on the wire)',
        'first: 2023-11-14 22:13:20.000000001 UTC (1700000000.000000001)',
        'last: 2023-11-14 22:13:20.000000001 UTC (1700000000.000000001)',
        '',
      ].join('\n'),
    );
  });

  it('exits 3 on a truncated capture, after what it could read', () => {
    const path = file('cut.pcap', PCAP.subarray(0, PCAP.length - 10));
    const r = nfreplay(['capture', 'info', path]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('packets: 1 (60 bytes captured, 60 bytes on the wire)\n');
    expect(r.stdout).toContain('damage: at byte 100: truncated dump file; tried to read 54 captured bytes, only got 44\n');
    expect(r.stderr).toBe(
      `nfreplay: ${path}: truncated dump file; tried to read 54 captured bytes, only got 44 (at byte 100; the 1 packets before it were read) [NFR_ERR_CAPTURE_DAMAGED]\n`,
    );
  });

  it('exits 1 on what cannot be read at all', () => {
    const notCapture = nfreplay(['capture', 'info', file('rules.v4', new TextEncoder().encode('*filter\nCOMMIT\n'))]);
    expect(notCapture.code).toBe(1);
    expect(notCapture.stdout).toBe('');
    expect(notCapture.stderr).toMatch(/unknown file format .* \[NFR_ERR_CAPTURE_FORMAT\]\n$/);
    const missing = nfreplay(['capture', 'info', join(dir, 'missing.pcap')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`nfreplay: ${join(dir, 'missing.pcap')}: No such file or directory [NFR_ERR_IO]\n`);
    const empty = nfreplay(['capture', 'info', '-'], new Uint8Array(0));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('nfreplay: standard input: truncated dump file; tried to read 4 file header bytes, only got 0 [NFR_ERR_CAPTURE_FORMAT]\n');
  });

  it('exits 2 on a wrong command line', () => {
    expect(nfreplay(['capture', 'info']).code).toBe(2);
  });
});
