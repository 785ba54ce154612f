/**
 * An independent reader agrees with ours packet by packet (count, timestamps, captured and
 * original lengths, bytes) on every capture in captures/ and on generated ones: pcap-parser
 * (npm) for pcap; it reads only uncompressed microsecond pcap, so gzip is inflated by zlib,
 * and nanosecond pcap and pcapng are first converted with `editcap -F pcap` (which
 * truncates the nanoseconds, as our comparison does).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/index.js';
import { etherFrame, ipv4Bytes } from './packets.js';
import { pcapFile, pcapngFile, pseudoBytes, readAll, type NgBlock } from './build.js';

interface ParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface Parser {
  on(event: 'packet', cb: (p: ParserPacket) => void): Parser;
  on(event: 'end', cb: () => void): Parser;
  on(event: 'error', cb: (e: Error) => void): Parser;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: string): Parser };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAPTURES = join(ROOT, 'captures');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

interface Packet {
  tsSec: number;
  tsUsec: number;
  caplen: number;
  origlen: number;
  bytes: Uint8Array;
}

function parseWithPcapParser(path: string): Promise<Packet[]> {
  return new Promise((resolve, reject) => {
    const out: Packet[] = [];
    pcapParser
      .parse(path)
      .on('packet', (p) =>
        out.push({
          tsSec: p.header.timestampSeconds,
          tsUsec: p.header.timestampMicroseconds,
          caplen: p.header.capturedLength,
          origlen: p.header.originalLength,
          bytes: new Uint8Array(p.data),
        }),
      )
      .on('error', reject)
      .on('end', () => resolve(out));
  });
}

async function parseWithOurs(path: string): Promise<Packet[]> {
  const { summary, packets } = await readAll(path, { chunkSize: 4096 });
  expect(summary.damage).toBeUndefined();
  return packets.map((p) => ({ tsSec: p.tsSec, tsUsec: Math.floor(p.tsNsec / 1000), caplen: p.caplen, origlen: p.origlen, bytes: p.bytes }));
}

/** Whether pcap-parser can read the file as it is: microsecond pcap, either byte order. */
function microsecondPcap(path: string): boolean {
  const m = readFileSync(path).subarray(0, 4).toString('hex');
  return m === 'd4c3b2a1' || m === 'a1b2c3d4';
}

const work = mkdtempSync(join(tmpdir(), 'nfr-cap-cross-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Captures made here: our writer, hand-built big-endian files, text2pcap, editcap conversions, scapy. */
function generated(): string[] {
  const files: string[] = [];
  const frames = Array.from({ length: 60 }, (_, i) =>
    etherFrame(
      ipv4Bytes({
        src: 0xc0000201 + (i % 5),
        dst: 0xcb007100 + (i % 7),
        ttl: 64,
        id: i,
        l4: i % 3 === 0 ? { proto: 17, sport: 1000 + i, dport: 53, payload: pseudoBytes(i * 7, i) } : { proto: 6, sport: 2000 + i, dport: 443, payload: pseudoBytes(i * 11, i) },
      }),
    ),
  );
  for (const precision of ['microsecond', 'nanosecond'] as const) {
    const path = join(work, `writer-${precision}.pcap`);
    const w = PcapWriter.open(path, { linktype: 1, precision, snaplen: 200 });
    frames.forEach((data, i) => w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: 1700000000 + i, tsNsec: i * 16_666_667 }));
    w.close();
    files.push(path);
  }
  const gz = join(work, 'writer-microsecond.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(files[0]!)));
  files.push(gz);
  const be = join(work, 'big-endian.pcap');
  writeFileSync(be, pcapFile(frames.map((data, i) => ({ tsSec: 1600000000 + i, tsFrac: i * 1000 + 7, data })), { le: false }));
  files.push(be);
  const beNg = join(work, 'big-endian.pcapng');
  writeFileSync(
    beNg,
    pcapngFile([
      { le: false, blocks: [{ kind: 'idb', linktype: 1, tsresol: 9 }, ...frames.slice(0, 30).map((data, i): NgBlock => ({ kind: 'epb', ifid: 0, ts: BigInt(1600000000 + i) * 1_000_000_000n + BigInt(i * 999), data }))] },
      { le: true, blocks: [{ kind: 'idb', linktype: 1 }, ...frames.slice(30).map((data, i): NgBlock => ({ kind: 'epb', ifid: 0, ts: BigInt(1600000100 + i) * 1_000_000n + 5n, data }))] },
    ]),
  );
  files.push(beNg);
  if (have('text2pcap')) {
    const hex = frames
      .slice(0, 20)
      .map((f, i) => `${String(i).padStart(2, '0')}:00:00.${String(i * 37).padStart(6, '0')}\n` + Array.from(f, (b, j) => `${j % 16 === 0 ? `${(j / 16).toString(16).padStart(6, '0')} ` : ''}${b.toString(16).padStart(2, '0')}${j % 16 === 15 || j === f.length - 1 ? '\n' : ' '}`).join(''))
      .join('\n');
    writeFileSync(join(work, 'frames.txt'), hex);
    for (const [name, args] of [
      ['text2pcap.pcap', []],
      ['text2pcap.pcapng', ['-n']],
    ] as const) {
      const r = spawnSync('text2pcap', ['-q', '-t', '%H:%M:%S.', ...args, join(work, 'frames.txt'), join(work, name)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      files.push(join(work, name));
    }
  }
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import scapy']).status === 0);
  if (python) {
    const path = join(work, 'scapy.pcap');
    const script = `
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, Dot1Q, wrpcap
pkts = []
for i in range(40):
    p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    if i % 4 == 0: p = p / Dot1Q(vlan=100)
    p = p / IP(src="192.0.2.%d" % (i % 200 + 1), dst="198.51.100.9")
    p = p / (TCP(sport=1024 + i, dport=80, flags="PA") / Raw(b"x" * i) if i % 2 else UDP(sport=5000, dport=53) / Raw(b"q" * (i + 1)) if i % 3 else ICMP(id=i, seq=i))
    p.time = 1650000000 + i * 0.25
    pkts.append(p)
wrpcap(${JSON.stringify(path)}, pkts)
`;
    const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    files.push(path);
  }
  // Every pcap also as pcapng and as nanosecond pcap, by Wireshark's own writer.
  if (have('editcap')) {
    for (const f of [...files]) {
      if (!f.endsWith('.pcap')) continue;
      for (const [format, ext] of [
        ['pcapng', 'pcapng'],
        ['nsecpcap', 'ns.pcap'],
      ]) {
        const out = join(work, `${basename(f, '.pcap')}.editcap.${ext}`);
        const r = spawnSync('editcap', ['-F', format!, f, out], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        files.push(out);
      }
    }
  }
  return files;
}

const bundled = existsSync(CAPTURES)
  ? readdirSync(CAPTURES)
      .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
      .map((f) => join(CAPTURES, f))
  : [];

describe('our reader and pcap-parser agree packet by packet', () => {
  const cases = [...bundled.map((f) => ['captures', f] as const), ...generated().map((f) => ['generated', f] as const)];

  it('has captures to compare', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases.map(([kind, f]) => [`${kind}/${basename(f)}`, f]))('%s', async (_name, path) => {
    let reference = path;
    if (path.endsWith('.gz')) {
      reference = join(work, `${basename(path)}.gunzipped`);
      writeFileSync(reference, gunzipSync(readFileSync(path)));
    }
    if (!microsecondPcap(reference)) {
      if (!have('editcap')) return;
      const converted = join(work, `${basename(path)}.as-pcap`);
      const r = spawnSync('editcap', ['-F', 'pcap', reference, converted], { encoding: 'utf8' });
      reference = converted;
      expect(r.status, r.stderr).toBe(0);
    }
    const [ours, theirs] = await Promise.all([parseWithOurs(path), parseWithPcapParser(reference)]);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) expect(ours[i], `packet ${i + 1}`).toEqual(theirs[i]);
  });
});
