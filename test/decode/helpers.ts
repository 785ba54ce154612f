/** Shared by the decoder tests: scapy-built cases, records, tshark as an oracle. */
import { mulberry32Unit } from '../../src/engine/random.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PacketRecord } from '../../src/capture/record.js';

export interface Case {
  name: string;
  linktype: number;
  hex: string;
  caplen: number;
  origlen: number;
  result: 'IPV4' | 'SKIPPED' | 'MALFORMED' | 'TRUNCATED';
  events: string[];
  fields: Record<string, number | boolean | string>;
  tshark: boolean;
  file: string;
  frame: number;
}

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Elsewhere a missing tool skips the tests that need it; in CI it is a failure, never a skip. */
function requiredInCi(found: boolean, what: string): void {
  if (!found && inCi) throw new Error(`CI must run these tests: ${what} is missing (.ci/run installs it)`);
}

/** A python3 that has scapy: Debian's python3-scapy lives under /usr/bin/python3, which a pyenv shim on PATH may hide. */
export function scapyPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import scapy'], { stdio: 'ignore' }).status === 0) return py;
  }
  requiredInCi(false, 'python3 with scapy');
  return undefined;
}

export function have(cmd: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  requiredInCi(found, cmd);
  return found;
}

/** Runs packets.py into a fresh temp dir: one pcap per link type and the case list. */
export function generateCases(py: string): { dir: string; cases: Case[] } {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-decode-'));
  execFileSync(py, [join(__dirname, 'packets.py'), dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, cases: JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[] };
}

/**
 * A record whose packet sits `pad` bytes into a larger buffer, as in a reader's chunk, so
 * offsets in the view are checked as absolute.
 */
export function recordOf(bytes: Uint8Array, linktype: number, origlen = bytes.length, pad = 0, direction: 0 | 1 | 2 = 0): PacketRecord {
  const data = new Uint8Array(pad + bytes.length).fill(0xee);
  data.set(bytes, pad);
  return {
    number: 1,
    data,
    offset: pad,
    caplen: bytes.length,
    origlen,
    tsSec: 0,
    tsNsec: 0,
    linktype,
    interfaceId: -1,
    direction,
  };
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Rows of `tshark -T fields`, every occurrence of a field joined by ','. */
export function tsharkFields(file: string, fields: string[]): string[][] {
  const out = execFileSync(
    'tshark',
    [
      '-r', file,
      '-o', 'ip.check_checksum:TRUE',
      '-o', 'tcp.check_checksum:TRUE',
      '-o', 'udp.check_checksum:TRUE',
      // Each fragment on its own, as the decoder sees it.
      '-o', 'ip.defragment:FALSE',
      '-T', 'fields',
      '-E', 'separator=\t',
      '-E', 'occurrence=a',
      '-E', 'aggregator=,',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 },
  );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** Walks a classic pcap file (either byte order, µs or ns) and yields its records. */
export function* pcapRecords(buf: Uint8Array): Generator<PacketRecord> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && dv.getUint32(0, false) !== 0xa1b2c3d4 && dv.getUint32(0, false) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  let off = 24;
  let n = 0;
  while (off + 16 <= buf.length) {
    const caplen = dv.getUint32(off + 8, le);
    const origlen = dv.getUint32(off + 12, le);
    if (off + 16 + caplen > buf.length) return;
    yield {
      number: ++n,
      data: buf,
      offset: off + 16,
      caplen,
      origlen,
      tsSec: dv.getUint32(off, le),
      tsNsec: 0,
      linktype,
      interfaceId: -1,
      direction: 0,
    };
    off += 16 + caplen;
  }
}

export function macOf(text: string): number {
  return parseInt(text.replace(/:/g, ''), 16);
}

export function addrOf(text: string): number {
  return text.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

export interface Sample {
  bytes: Uint8Array;
  linktype: number;
  origlen: number;
}

/** Every packet of the classic pcaps in captures/ (copied out of the file). */
export function captureSamples(): Sample[] {
  const dir = join(__dirname, '..', '..', 'captures');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.pcap'));
  } catch {
    return [];
  }
  const out: Sample[] = [];
  for (const f of files.sort()) {
    for (const r of pcapRecords(readFileSync(join(dir, f)))) {
      out.push({ bytes: r.data.slice(r.offset, r.offset + r.caplen), linktype: r.linktype, origlen: r.origlen });
    }
  }
  return out;
}

/** Deterministic fractions (mulberry32) so a failing fuzz case can be replayed from its seed. */
export const prng = mulberry32Unit;
