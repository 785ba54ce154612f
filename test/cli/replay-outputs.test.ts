/**
 * `nfreplay replay` outputs: --conntrack-format (conntrack-tools' default and `-o extended`
 * listings and events, checked against lines the real conntrack 1.4.7 printed on Linux
 * 6.18), --at TIME (the table in the middle of the capture), summary.conntrack in
 * --output json (peak, final, occupancy over time) and --drops FILE (the dropped packets as
 * a pcap, and a JSON line each).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DropRecord } from '../../src/engine/drops.js';
import { datagram, T0, type Pkt } from '../analysis/packets.js';
import { ip, sum16 } from '../support/checksum.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, PcapWriter } from '../../src/capture/index.js';
import { ConnEntry, CtEvent, Status } from '../../src/conntrack/entry.js';
import { conntrackEventLine, conntrackLine } from '../../src/conntrack/listing.js';
import { TcpConn, TcpState } from '../../src/conntrack/tcp.js';
import { which } from '../support/tools.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfr-cli-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nfreplay(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


const ETH_HEADER = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x00];
const UDP_PAYLOAD = Uint8Array.from([0x61, 0x62, 0x63, 0x64]);

/** An Ethernet frame holding an IPv4 packet with correct checksums (unless asked otherwise). */
function frame(p: Pkt): Uint8Array {
  const d = datagram({ id: 7, payload: p.proto === 'udp' ? UDP_PAYLOAD : undefined, ...p });
  const b = new Uint8Array(ETH_HEADER.length + d.length);
  b.set(ETH_HEADER);
  b.set(d, ETH_HEADER.length);
  return b;
}

let captures = 0;
function capture(pkts: Pkt[]): { path: string; frames: Uint8Array[] } {
  const path = join(dir, `c${captures++}.pcap`);
  const w = PcapWriter.open(path, { linktype: 1, precision: 'nanosecond' });
  const frames = pkts.map(frame);
  pkts.forEach((p, i) => {
    const ns = Math.round(p.t * 1e9);
    w.write({ data: frames[i]!, offset: 0, caplen: frames[i]!.length, origlen: frames[i]!.length, tsSec: T0 + Math.floor(ns / 1e9), tsNsec: ns % 1e9 });
  });
  w.close();
  return { path, frames };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const filterRules = (...rules: string[]): string => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
let hosts = 0;
/** A server: 192.0.2.1/24 on eth0. */
const serverHost = (sysctls: Record<string, number> = {}): string =>
  file(`host-${hosts++}.json`, JSON.stringify({ interfaces: [{ name: 'eth0', addr: '192.0.2.1/24' }], sysctls }));

// ---------------------------------------------------------------------------------------
// What conntrack-tools 1.4.7 printed on Linux 6.18, in a network namespace: `conntrack -I`
// entries listed with `conntrack -L` and `conntrack -L -o extended`, and events a veth pair's (or
// loopback UDP through CONNMARK rules) packets made, seen with `conntrack -E` and `-E -o extended`.

/** An entry as conntrack -I made it: `tuple` the original direction, the reply its inverse. */
function entry(o: { proto: number; src: string; dst: string; sport?: number; dport?: number; icmp?: [number, number, number]; status?: number; mark?: number; zone?: number; tcp?: number; events?: number; left: number }): ConnEntry {
  const e = new ConnEntry();
  if (o.icmp) {
    const [type, code, id] = o.icmp;
    e.tuple[0].set(ip(o.src), ip(o.dst), id, (type << 8) | code, 1);
    e.tuple[1].set(ip(o.dst), ip(o.src), id, ((type === 8 ? 0 : type) << 8) | code, 1);
  } else {
    e.tuple[0].set(ip(o.src), ip(o.dst), o.sport ?? 0, o.dport ?? 0, o.proto);
    e.tuple[1].set(ip(o.dst), ip(o.src), o.dport ?? 0, o.sport ?? 0, o.proto);
  }
  e.status = (o.status ?? 0) | Status.CONFIRMED;
  e.mark = o.mark ?? 0;
  e.zone = o.zone ?? 0;
  e.events = o.events ?? 0;
  if (o.tcp !== undefined) {
    e.tcp = new TcpConn();
    e.tcp.state = o.tcp;
  }
  e.expiresNs = o.left * 1e9 + 0.5e9;
  return e;
}

const LISTED = [
  {
    e: () => entry({ proto: 6, src: '192.0.2.10', dst: '203.0.113.10', sport: 40000, dport: 80, status: Status.SEEN_REPLY | Status.ASSURED, tcp: TcpState.ESTABLISHED, left: 431998 }),
    plain: 'tcp      6 431998 ESTABLISHED src=192.0.2.10 dst=203.0.113.10 sport=40000 dport=80 src=203.0.113.10 dst=192.0.2.10 sport=80 dport=40000 [ASSURED] mark=0 use=1',
    extended: 'ipv4     2 tcp      6 431998 ESTABLISHED src=192.0.2.10 dst=203.0.113.10 sport=40000 dport=80 src=203.0.113.10 dst=192.0.2.10 sport=80 dport=40000 [ASSURED] mark=0 use=1',
  },
  {
    e: () => entry({ proto: 17, src: '192.0.2.11', dst: '198.51.100.5', sport: 5353, dport: 53, mark: 42, zone: 7, left: 29 }),
    plain: 'udp      17 29 src=192.0.2.11 dst=198.51.100.5 sport=5353 dport=53 [UNREPLIED] src=198.51.100.5 dst=192.0.2.11 sport=53 dport=5353 mark=42 zone=7 use=1',
    extended: 'ipv4     2 udp      17 29 src=192.0.2.11 dst=198.51.100.5 sport=5353 dport=53 [UNREPLIED] src=198.51.100.5 dst=192.0.2.11 sport=53 dport=5353 mark=42 zone=7 use=1',
  },
  {
    e: () => entry({ proto: 17, src: '192.0.2.11', dst: '198.51.100.5', sport: 5353, dport: 53, mark: 4294967295, zone: 65535, left: 29 }),
    plain: 'udp      17 29 src=192.0.2.11 dst=198.51.100.5 sport=5353 dport=53 [UNREPLIED] src=198.51.100.5 dst=192.0.2.11 sport=53 dport=5353 mark=4294967295 zone=65535 use=1',
    extended: 'ipv4     2 udp      17 29 src=192.0.2.11 dst=198.51.100.5 sport=5353 dport=53 [UNREPLIED] src=198.51.100.5 dst=192.0.2.11 sport=53 dport=5353 mark=4294967295 zone=65535 use=1',
  },
  {
    e: () => entry({ proto: 1, src: '192.0.2.12', dst: '198.51.100.6', icmp: [8, 0, 77], left: 29 }),
    plain: 'icmp     1 29 src=192.0.2.12 dst=198.51.100.6 type=8 code=0 id=77 [UNREPLIED] src=198.51.100.6 dst=192.0.2.12 type=0 code=0 id=77 mark=0 use=1',
    extended: 'ipv4     2 icmp     1 29 src=192.0.2.12 dst=198.51.100.6 type=8 code=0 id=77 [UNREPLIED] src=198.51.100.6 dst=192.0.2.12 type=0 code=0 id=77 mark=0 use=1',
  },
  {
    e: () => entry({ proto: 50, src: '192.0.2.14', dst: '198.51.100.8', left: 599 }),
    plain: 'unknown  50 599 src=192.0.2.14 dst=198.51.100.8 [UNREPLIED] src=198.51.100.8 dst=192.0.2.14 mark=0 use=1',
    extended: 'ipv4     2 unknown  50 599 src=192.0.2.14 dst=198.51.100.8 [UNREPLIED] src=198.51.100.8 dst=192.0.2.14 mark=0 use=1',
  },
];

/** Kernel-made events (`conntrack -E -o extended`; the plain lines are the same without "ipv4     2 "). */
const EVENTS: Array<{ kind: 'NEW' | 'UPDATE' | 'DESTROY'; e: () => ConnEntry; nowNs: number; extended: string }> = [
  {
    kind: 'NEW',
    e: () => entry({ proto: 17, src: '192.0.2.1', dst: '192.0.2.2', sport: 47000, dport: 7000, zone: 9, left: 30 }),
    nowNs: 0.5e9,
    extended: '    [NEW] ipv4     2 udp      17 30 src=192.0.2.1 dst=192.0.2.2 sport=47000 dport=7000 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=7000 dport=47000 zone=9',
  },
  {
    kind: 'NEW',
    e: () => entry({ proto: 17, src: '192.0.2.1', dst: '192.0.2.2', sport: 46000, dport: 6000, mark: 5, left: 30 }),
    nowNs: 0.5e9,
    extended: '    [NEW] ipv4     2 udp      17 30 src=192.0.2.1 dst=192.0.2.2 sport=46000 dport=6000 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=6000 dport=46000 mark=5',
  },
  {
    // CONNMARK set the mark to 7 and then to 0 on the first packet: IPCT_MARK shows the 0.
    kind: 'NEW',
    e: () => entry({ proto: 17, src: '127.0.0.1', dst: '127.0.0.1', sport: 4000, dport: 10, events: CtEvent.MARK, left: 30 }),
    nowNs: 0.5e9,
    extended: '    [NEW] ipv4     2 udp      17 30 src=127.0.0.1 dst=127.0.0.1 sport=4000 dport=10 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=10 dport=4000 mark=0',
  },
  {
    // A later packet's CONNMARK set the mark from 5 to 0: an [UPDATE] with only IPCT_MARK.
    kind: 'UPDATE',
    e: () => entry({ proto: 17, src: '127.0.0.1', dst: '127.0.0.1', sport: 4000, dport: 9, events: CtEvent.MARK, left: 30 }),
    nowNs: 0.5e9,
    extended: ' [UPDATE] ipv4     2 udp      17 30 src=127.0.0.1 dst=127.0.0.1 sport=4000 dport=9 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=9 dport=4000 mark=0',
  },
  {
    // The handshake's last ACK: the state changed (IPCT_PROTOINFO) and ASSURED was set.
    kind: 'UPDATE',
    e: () => entry({ proto: 6, src: '192.0.2.1', dst: '192.0.2.2', sport: 57338, dport: 8080, status: Status.SEEN_REPLY | Status.ASSURED, tcp: TcpState.ESTABLISHED, mark: 3, zone: 4, events: CtEvent.PROTOINFO | CtEvent.STATUS, left: 432000 }),
    nowNs: 0.5e9,
    extended:
      ' [UPDATE] ipv4     2 tcp      6 432000 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=57338 dport=8080 src=192.0.2.2 dst=192.0.2.1 sport=8080 dport=57338 [ASSURED] mark=3 zone=4',
  },
  {
    // Expired (the gc worker): no seconds left.
    kind: 'DESTROY',
    e: () => entry({ proto: 6, src: '192.0.2.1', dst: '192.0.2.2', sport: 57338, dport: 8080, status: Status.SEEN_REPLY | Status.ASSURED, tcp: TcpState.TIME_WAIT, mark: 3, zone: 4, left: 1 }),
    nowNs: 1.5e9,
    extended: '[DESTROY] ipv4     2 tcp      6 TIME_WAIT src=192.0.2.1 dst=192.0.2.2 sport=57338 dport=8080 src=192.0.2.2 dst=192.0.2.1 sport=8080 dport=57338 [ASSURED] mark=3 zone=4',
  },
  {
    kind: 'DESTROY',
    e: () => entry({ proto: 17, src: '192.0.2.1', dst: '192.0.2.2', sport: 45000, dport: 5000, left: 2 }),
    nowNs: 2.5e9,
    extended: '[DESTROY] ipv4     2 udp      17 src=192.0.2.1 dst=192.0.2.2 sport=45000 dport=5000 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=5000 dport=45000',
  },
  {
    // Killed with time left (here by conntrack -D): the seconds are shown.
    kind: 'DESTROY',
    e: () => entry({ proto: 6, src: '192.0.2.1', dst: '192.0.2.2', sport: 60860, dport: 8080, status: Status.SEEN_REPLY | Status.ASSURED, tcp: TcpState.TIME_WAIT, left: 116 }),
    nowNs: 0.5e9,
    extended: '[DESTROY] ipv4     2 tcp      6 116 TIME_WAIT src=192.0.2.1 dst=192.0.2.2 sport=60860 dport=8080 src=192.0.2.2 dst=192.0.2.1 sport=8080 dport=60860 [ASSURED]',
  },
];

describe('conntrack listings as conntrack-tools prints them', () => {
  it.each(LISTED.map((l) => [l.plain.slice(0, 24), l] as const))('conntrack -L and -L -o extended: %s', (_, l) => {
    expect(conntrackLine(l.e(), 0)).toBe(l.plain);
    expect(conntrackLine(l.e(), 0, true, 'extended')).toBe(l.extended);
  });

  it.each(EVENTS.map((ev) => [ev.extended.slice(0, 40), ev] as const))('conntrack -E and -E -o extended: %s', (_, ev) => {
    expect(conntrackEventLine(ev.kind, ev.e(), ev.nowNs, 'extended')).toBe(ev.extended);
    expect(conntrackEventLine(ev.kind, ev.e(), ev.nowNs)).toBe(ev.extended.replace('ipv4     2 ', ''));
  });

  // The same entries inserted into a live kernel's table, listed by the real tool (as root).
  const tools = { ip: which('ip'), conntrack: which('conntrack') };
  const root = process.getuid?.() === 0;
  it.skipIf(!root || !tools.ip || !tools.conntrack)('match what the live conntrack -L prints for the same entries (timeouts aside)', () => {
    const ns = `nfr-out-${process.pid}`;
    const run = (...args: string[]) => spawnSync(tools.ip!, ['netns', 'exec', ns, tools.conntrack!, ...args], { encoding: 'utf8' });
    expect(spawnSync(tools.ip!, ['netns', 'add', ns]).status).toBe(0);
    try {
      const inserts = [
        ['-p', 'tcp', '-s', '192.0.2.10', '-d', '203.0.113.10', '--sport', '40000', '--dport', '80', '-r', '203.0.113.10', '-q', '192.0.2.10', '--reply-port-src', '80', '--reply-port-dst', '40000', '--state', 'ESTABLISHED', '-t', '431999', '-u', 'SEEN_REPLY,ASSURED'],
        ['-p', 'udp', '-s', '192.0.2.11', '-d', '198.51.100.5', '--sport', '5353', '--dport', '53', '-t', '30', '--mark', '42', '--zone', '7'],
        ['-p', 'icmp', '-s', '192.0.2.12', '-d', '198.51.100.6', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '77', '-t', '30'],
        ['-p', '50', '-s', '192.0.2.14', '-d', '198.51.100.8', '-t', '600'],
      ];
      for (const args of inserts) expect(run('-I', ...args).status).toBe(0);
      const withoutTimeout = (text: string, at: number): string[] =>
        text
          .trim()
          .split('\n')
          .map((l) => l.split(' ').filter((w) => w !== '').filter((_, i) => i !== at).join(' '))
          .sort();
      const ours = [LISTED[0]!, LISTED[1]!, LISTED[3]!, LISTED[4]!].map((l) => l.e());
      expect(withoutTimeout(run('-L').stdout, 2)).toEqual(withoutTimeout(ours.map((e) => conntrackLine(e, 0)).join('\n'), 2));
      expect(withoutTimeout(run('-L', '-o', 'extended').stdout, 4)).toEqual(withoutTimeout(ours.map((e) => conntrackLine(e, 0, true, 'extended')).join('\n'), 4));
      // And the padding, which splitting on spaces hides.
      expect(run('-L', '-o', 'extended', '-p', 'udp').stdout).toMatch(/^ipv4 {5}2 udp {6}17 \d+ src=/);
    } finally {
      spawnSync(tools.ip!, ['netns', 'del', ns]);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('--conntrack-format', () => {
  // A UDP flow CONNMARKed, one in zone 9, a TCP handshake with the host; the UDP ones expire at 30 s.
  const rules = [
    '*raw',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A PREROUTING -p udp -m udp --dport 7000 -j CT --zone 9',
    'COMMIT',
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    '-A PREROUTING -p udp -m udp --dport 53 -j CONNMARK --set-mark 5',
    'COMMIT',
    filterRules('-A INPUT -m conntrack --ctstate NEW'),
  ].join('\n');
  const C = '192.0.2.10';
  const H = '192.0.2.1';
  const cap = capture([
    { t: 0, src: C, dst: H, proto: 'udp', sport: 40000, dport: 53 },
    { t: 0.5, src: C, dst: H, proto: 'udp', sport: 40001, dport: 7000 },
    { t: 1, src: '192.0.2.11', dst: H, proto: 'tcp', sport: 41000, dport: 22, flags: 0x02, seq: 1000 },
    { t: 1.25, src: H, dst: '192.0.2.11', proto: 'tcp', sport: 22, dport: 41000, flags: 0x12, seq: 5000, ack: 1001 },
    { t: 1.5, src: '192.0.2.11', dst: H, proto: 'tcp', sport: 41000, dport: 22, flags: 0x10, seq: 1001, ack: 5001 },
    { t: 40, src: '192.0.2.11', dst: H, proto: 'tcp', sport: 41000, dport: 22, flags: 0x10, seq: 1001, ack: 5001 },
  ]);
  const args = ['replay', cap.path, '--rules', file('fmt.rules', rules), '--host', serverHost(), '-q'];
  const out = (format: string) => {
    const ct = join(dir, `ct-${format}.txt`);
    const ev = join(dir, `ev-${format}.txt`);
    const r = nfreplay([...args, '--conntrack', ct, '--conntrack-events', ev, ...(format === 'default' ? [] : ['--conntrack-format', format])]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return { ct: readFileSync(ct, 'utf8').trim().split('\n'), ev: readFileSync(ev, 'utf8').trim().split('\n') };
  };
  const plain = out('plain');
  const extended = out('extended');

  it('plain is the default', () => {
    expect(out('default')).toEqual(plain);
  });

  it('--conntrack: conntrack -L and conntrack -L -o extended lines', () => {
    expect(plain.ct).toEqual([
      'tcp      6 432000 ESTABLISHED src=192.0.2.11 dst=192.0.2.1 sport=41000 dport=22 src=192.0.2.1 dst=192.0.2.11 sport=22 dport=41000 [ASSURED] mark=0 use=1',
    ]);
    expect(extended.ct).toEqual(plain.ct.map((l) => `ipv4     2 ${l}`));
  });

  it('--conntrack-events: conntrack -E -o timestamp lines, extended with -o extended', () => {
    expect(plain.ev).toEqual([
      '[1700000000.000000]\t    [NEW] udp      17 30 src=192.0.2.10 dst=192.0.2.1 sport=40000 dport=53 [UNREPLIED] src=192.0.2.1 dst=192.0.2.10 sport=53 dport=40000 mark=5',
      '[1700000000.500000]\t    [NEW] udp      17 30 src=192.0.2.10 dst=192.0.2.1 sport=40001 dport=7000 [UNREPLIED] src=192.0.2.1 dst=192.0.2.10 sport=7000 dport=40001 zone=9',
      '[1700000001.000000]\t    [NEW] tcp      6 120 SYN_SENT src=192.0.2.11 dst=192.0.2.1 sport=41000 dport=22 [UNREPLIED] src=192.0.2.1 dst=192.0.2.11 sport=22 dport=41000',
      '[1700000001.250000]\t [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.11 dst=192.0.2.1 sport=41000 dport=22 src=192.0.2.1 dst=192.0.2.11 sport=22 dport=41000',
      '[1700000001.500000]\t [UPDATE] tcp      6 432000 ESTABLISHED src=192.0.2.11 dst=192.0.2.1 sport=41000 dport=22 src=192.0.2.1 dst=192.0.2.11 sport=22 dport=41000 [ASSURED]',
      '[1700000030.000000]\t[DESTROY] udp      17 src=192.0.2.10 dst=192.0.2.1 sport=40000 dport=53 [UNREPLIED] src=192.0.2.1 dst=192.0.2.10 sport=53 dport=40000 mark=5',
      '[1700000030.500000]\t[DESTROY] udp      17 src=192.0.2.10 dst=192.0.2.1 sport=40001 dport=7000 [UNREPLIED] src=192.0.2.1 dst=192.0.2.10 sport=7000 dport=40001 zone=9',
    ]);
    expect(extended.ev).toEqual(plain.ev.map((l) => l.replace(/\] (udp|tcp) /, '] ipv4     2 $1 ')));
  });

  it('refuses another format, or a format without a conntrack output', () => {
    let r = nfreplay([...args, '--conntrack', join(dir, 'x.txt'), '--conntrack-format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--conntrack-format must be plain or extended');
    r = nfreplay([...args, '--conntrack-format', 'extended']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--conntrack-format needs --conntrack FILE or --conntrack-events FILE');
    expect(existsSync(join(dir, 'x.txt'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------

// UDP flows from four clients at 0, 10, 20 and 45 s; each entry lives 30 s.
const flows = capture([
  { t: 0, src: '192.0.2.10', dst: '192.0.2.1', proto: 'udp' },
  { t: 10, src: '192.0.2.11', dst: '192.0.2.1', proto: 'udp' },
  { t: 20, src: '192.0.2.12', dst: '192.0.2.1', proto: 'udp' },
  { t: 45, src: '192.0.2.13', dst: '192.0.2.1', proto: 'udp' },
]);
const flowArgs = ['replay', flows.path, '--rules', file('flows.rules', filterRules('-A INPUT -m conntrack --ctstate NEW')), '--host', serverHost(), '-q'];
const udpLine = (client: string, left: number): string =>
  `udp      17 ${left} src=${client} dst=192.0.2.1 sport=40000 dport=53 [UNREPLIED] src=192.0.2.1 dst=${client} sport=53 dport=40000 mark=0 use=1`;

describe('--at TIME', () => {
  let n = 0;
  const at = (time: string, extra: string[] = []) => {
    const ct = join(dir, `at-${n++}.txt`);
    const r = nfreplay([...flowArgs, '--conntrack', ct, '--at', time, ...extra]);
    return { ...r, lines: existsSync(ct) ? readFileSync(ct, 'utf8').split('\n').filter((l) => l !== '') : undefined };
  };

  it('lists the table as it was then, with the seconds left then', () => {
    const r = at('+15');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([udpLine('192.0.2.10', 15), udpLine('192.0.2.11', 25)]);
  });

  it('leaves out entries expired by then, even those the tracker has not removed yet', () => {
    expect(at('+35').lines).toEqual([udpLine('192.0.2.11', 5), udpLine('192.0.2.12', 15)]);
  });

  it('takes a capture timestamp, or an RFC 3339 time, for the same moment', () => {
    const expected = [udpLine('192.0.2.11', 5), udpLine('192.0.2.12', 15)];
    expect(at('1700000035').lines).toEqual(expected);
    expect(at('1700000035.0').lines).toEqual(expected);
    expect(at('2023-11-14T22:13:55Z').lines).toEqual(expected);
    expect(at('2023-11-14T23:13:55+01:00').lines).toEqual(expected);
    expect(at('2023-11-14T22:13:54.999999999Z').lines).toEqual([udpLine('192.0.2.11', 5), udpLine('192.0.2.12', 15)]);
  });

  it('is before the packet that arrives at that time', () => {
    expect(at('+10').lines).toEqual([udpLine('192.0.2.10', 20)]);
    expect(at('+9.999999999').lines).toEqual([udpLine('192.0.2.10', 20)]);
    expect(at('+10.000000001').lines).toEqual([udpLine('192.0.2.10', 19), udpLine('192.0.2.11', 29)]);
    expect(at('+0').lines).toEqual([]);
    expect(at('1600000000').lines).toEqual([]);
  });

  it('past the end is the end, as without --at', () => {
    const end = [udpLine('192.0.2.12', 5), udpLine('192.0.2.13', 30)];
    expect(at('+1000').lines).toEqual(end);
    expect(at('+45.5').lines).toEqual(end);
    const ct = join(dir, 'no-at.txt');
    expect(nfreplay([...flowArgs, '--conntrack', ct]).code).toBe(0);
    expect(readFileSync(ct, 'utf8').trim().split('\n')).toEqual(end);
  });

  it('the whole capture is still replayed for the counters', () => {
    const r = at('+15', ['--output', 'save']);
    expect(r.stdout).toContain('[4:128] -A INPUT -m conntrack --ctstate NEW');
  });

  it.each([
    ['yesterday', 'is not a capture time'],
    ['-5', 'is not a capture time'],
    ['+', 'is not a capture time'],
    ['+1.1234567891', 'is not a capture time'],
    ['2023-02-30T00:00:00Z', 'is not a capture time'],
    ['2023-11-14T22:13:55', 'is not a capture time'],
    ['2023-11-14T25:13:55Z', 'is not a capture time'],
    ['1969-12-31T23:59:59Z', 'is before 1970'],
  ])('--at %s: exit 2, %s, no file', (time, message) => {
    const r = at(time);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--at: "${time}" ${message}`);
    expect(r.lines).toBeUndefined();
  });

  it('needs --conntrack', () => {
    const r = nfreplay([...flowArgs, '--at', '+5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--at needs --conntrack FILE');
  });
});

// ---------------------------------------------------------------------------------------

interface JsonSummary {
  summary: { conntrack?: { peak: number; final: number; occupancy: Array<[number, number]> } };
}

describe('summary.conntrack in --output json', () => {
  it('peak, final and the live entries each second, after the first and the last packet', () => {
    const r = nfreplay([...flowArgs, '--output', 'json']);
    expect(r.code).toBe(0);
    const ct = (JSON.parse(r.stdout) as JsonSummary).summary.conntrack!;
    // Live at second s: the flows started before s (a boundary is sampled before the packet
    // arriving then) and not expired by s (30 s each).
    const starts = [0, 10, 20, 45];
    const live = (s: number): number => starts.filter((t) => t < s && t + 30 > s).length;
    const expected: Array<[number, number]> = [[0, 1]];
    for (let s = 1; s <= 45; s++) expected.push([s, live(s)]);
    expected.push([45, 2]);
    expect(ct.occupancy).toEqual(expected);
    expect(ct.occupancy[30]).toEqual([30, 2]);
    expect(ct.peak).toBe(3);
    expect(ct.final).toBe(2);
  });

  it('a packet every second: an entry expiring exactly on a second is gone at that second', () => {
    // Client .10 at 0 s (expires at 30 s exactly), then a new client at k + 0.5 s.
    const pkts: Pkt[] = [{ t: 0, src: '192.0.2.10', dst: '192.0.2.1', proto: 'udp' }];
    for (let k = 0; k <= 34; k++) pkts.push({ t: k + 0.5, src: `192.0.2.${100 + k}`, dst: '192.0.2.1', proto: 'udp' });
    const dense = capture(pkts);
    const r = nfreplay(['replay', dense.path, ...flowArgs.slice(2), '--output', 'json']);
    expect(r.code).toBe(0);
    const ct = (JSON.parse(r.stdout) as JsonSummary).summary.conntrack!;
    const live = (s: number): number => pkts.filter((p) => p.t < s && p.t + 30 > s).length;
    const expected: Array<[number, number]> = [[0, 1]];
    for (let s = 1; s <= 34; s++) expected.push([s, live(s)]);
    expected.push([34.5, 30]);
    expect(ct.occupancy).toEqual(expected);
    // At 30 s the first entry is gone and the 31st client not there yet.
    expect(ct.occupancy[30]).toEqual([30, 30]);
    expect(ct.occupancy[31]).toEqual([31, 30]);
    // The table held the first entry until the sweep after 30 s.
    expect(ct.peak).toBeGreaterThanOrEqual(31);
    expect(ct.final).toBe(30);
  });

  it('over more than 10,000 s, at a coarser regular interval', () => {
    const long = capture([
      { t: 0, src: '192.0.2.10', dst: '192.0.2.1', proto: 'udp' },
      { t: 25000.5, src: '192.0.2.11', dst: '192.0.2.1', proto: 'udp' },
    ]);
    const r = nfreplay(['replay', long.path, ...flowArgs.slice(2), '--output', 'json']);
    expect(r.code).toBe(0);
    const occ = (JSON.parse(r.stdout) as JsonSummary).summary.conntrack!.occupancy;
    expect(occ.length).toBeLessThanOrEqual(10_001);
    expect(occ.length).toBeGreaterThan(5_000);
    const step = occ[2]![0] - occ[1]![0];
    expect(step).toBe(4);
    for (let i = 1; i < occ.length - 1; i++) expect(occ[i]![0]).toBe(occ[0]![0] + i * step);
    expect(occ.find(([s]) => s === 28)).toEqual([28, 1]);
    expect(occ.find(([s]) => s === 32)).toEqual([32, 0]);
    expect(occ.at(-2)).toEqual([25000, 0]);
    expect(occ.at(-1)).toEqual([25000.5, 1]);
  });

  it('is absent when nothing is tracked', () => {
    const r = nfreplay(['replay', flows.path, '--rules', file('stateless.rules', filterRules('-A INPUT -p udp')), '--host', serverHost(), '-q', '--output', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as JsonSummary).summary.conntrack).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------

type DropLine = DropRecord;

async function readPcap(path: string): Promise<Array<{ linktype: number; sec: number; nsec: number; bytes: Uint8Array; origlen: number }>> {
  const out: Array<{ linktype: number; sec: number; nsec: number; bytes: Uint8Array; origlen: number }> = [];
  const reader = await openCapture(path);
  await reader.forEach((rec) => {
    out.push({ linktype: rec.linktype, sec: rec.tsSec, nsec: rec.tsNsec, bytes: rec.data.slice(rec.offset, rec.offset + rec.caplen), origlen: rec.origlen });
  });
  return out;
}

describe('--drops FILE', () => {
  const router = file(
    'router.json',
    JSON.stringify({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }, { name: 'eth1', addr: '203.0.113.1/24' }], forward: true }),
  );
  const rules = file(
    'router.rules',
    [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -d 198.51.100.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 203.0.113.10:80',
      'COMMIT',
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -p tcp -m tcp --dport 23 -j REJECT',
      '-A FORWARD -p udp -m udp --dport 53 -j ACCEPT',
      '-A FORWARD -p tcp -m tcp --dport 80 -j DROP',
      'COMMIT',
      '',
    ].join('\n'),
  );
  const C = '198.51.100.20';
  const cap = capture([
    { t: 0, src: C, dst: '198.51.100.1', proto: 'tcp', sport: 40000, dport: 8080 }, // DNAT, then FORWARD rule 2
    { t: 0.25, src: C, dst: '203.0.113.20', proto: 'udp', sport: 40001, dport: 9 }, // FORWARD policy
    { t: 0.5, src: C, dst: '198.51.100.1', proto: 'tcp', sport: 40002, dport: 23 }, // INPUT REJECT
    { t: 0.75, src: C, dst: '203.0.113.20', proto: 'udp', sport: 40003, dport: 53, ttl: 1 }, // TTL
    { t: 1, src: C, dst: '192.0.2.99', proto: 'udp', sport: 40004, dport: 53 }, // no route
    { t: 1.25, src: C, dst: '203.0.113.20', proto: 'udp', sport: 40005, dport: 53, badIpChecksum: true }, // malformed
    { t: 1.5, src: C, dst: '203.0.113.20', proto: 'udp', sport: 40006, dport: 53 }, // forwarded
  ]);
  const drops = join(dir, 'drops.pcap');
  const r = nfreplay(['replay', cap.path, '--rules', rules, '--host', router, '--output', 'save', '--drops', drops, '-q']);

  it('exits 0 and leaves the counters as without it', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plain = nfreplay(['replay', cap.path, '--rules', rules, '--host', router, '--output', 'save', '-q']);
    expect(r.stdout).toBe(plain.stdout);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('FILE.json: a line per drop with the deciding rule, or why', () => {
    const lines = readFileSync(`${drops}.json`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DropLine);
    const none = { hook: null, table: null, chain: null, rule: null, target: null };
    expect(lines).toEqual([
      { packet: 1, frame: 1, verdict: 'DROP', hook: 'FORWARD', table: 'filter', chain: 'FORWARD', rule: 2, target: 'DROP', reason: 'rule' },
      { packet: 2, frame: 2, verdict: 'DROP', hook: 'FORWARD', table: 'filter', chain: 'FORWARD', rule: null, target: 'DROP', reason: 'policy' },
      { packet: 3, frame: 3, verdict: 'DROP', hook: 'INPUT', table: 'filter', chain: 'INPUT', rule: 1, target: 'REJECT', reason: 'rule' },
      { packet: 4, frame: 4, verdict: 'TTL-EXCEEDED', ...none, reason: 'ttl-exceeded' },
      { packet: 5, frame: 5, verdict: 'ROUTING-DROP', ...none, reason: 'no-route' },
      { packet: 6, frame: 6, verdict: 'MALFORMED', ...none, reason: 'ipv4.bad_checksum' },
    ]);
  });

  it('the pcap: each dropped frame as it was when dropped, with its capture time and link type', async () => {
    const recs = await readPcap(drops);
    expect(recs.map((x) => [x.linktype, x.sec - T0, x.nsec])).toEqual([
      [1, 0, 0],
      [1, 0, 250_000_000],
      [1, 0, 500_000_000],
      [1, 0, 750_000_000],
      [1, 1, 0],
      [1, 1, 250_000_000],
    ]);
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    for (const x of recs) expect(hex(x.bytes.subarray(0, 14))).toBe(hex(new Uint8Array(ETH_HEADER)));
    // 1: DNATed to 203.0.113.10:80, dropped in FORWARD after the TTL decrement; checksums still right.
    const d = recs[0]!.bytes.subarray(14);
    expect([...d.subarray(16, 20)]).toEqual([203, 0, 113, 10]);
    expect((d[22]! << 8) | d[23]!).toBe(80);
    expect(d[8]).toBe(63);
    expect(sum16(d, 0, 20)).toBe(0xffff);
    expect(sum16(d, 20, d.length, sum16(d, 12, 20, 6 + (d.length - 20)))).toBe(0xffff);
    // 2: forwarded, so one hop less; otherwise the captured bytes.
    const two = recs[1]!.bytes;
    expect(two[14 + 8]).toBe(63);
    expect(sum16(two.subarray(14), 0, 20)).toBe(0xffff);
    expect(hex(two.subarray(14 + 12))).toBe(hex(cap.frames[1]!.subarray(14 + 12)));
    // 3-6: as captured (INPUT, TTL check, routing, and the malformed one before PREROUTING).
    for (const i of [2, 3, 4, 5]) expect(hex(recs[i]!.bytes)).toBe(hex(cap.frames[i]!));
  });

  it('a full conntrack table: the packet nf_conntrack_in refused', async () => {
    const H = '192.0.2.1';
    const full = capture([
      { t: 0, src: '192.0.2.10', dst: H, proto: 'udp', sport: 40000, dport: 53 },
      { t: 0.1, src: H, dst: '192.0.2.10', proto: 'udp', sport: 53, dport: 40000 },
      { t: 2.5, src: '192.0.2.10', dst: H, proto: 'udp', sport: 40000, dport: 53 }, // a stream: ASSURED, never early-dropped
      { t: 3, src: '192.0.2.11', dst: H, proto: 'udp', sport: 40000, dport: 53 },
    ]);
    const out = join(dir, 'full.pcap');
    const res = nfreplay(['replay', full.path, '--rules', file('full.rules', filterRules('-A INPUT -m conntrack --ctstate NEW')), '--host', serverHost({ 'net.netfilter.nf_conntrack_max': 1 }), '--drops', out, '-q']);
    expect(res.code).toBe(0);
    expect(readFileSync(`${out}.json`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DropLine)).toEqual([
      { packet: 4, frame: 1, verdict: 'DROP', hook: 'PREROUTING', table: null, chain: null, rule: null, target: null, reason: 'conntrack-table-full' },
    ]);
    expect((await readPcap(out)).map((x) => Buffer.from(x.bytes).toString('hex'))).toEqual([Buffer.from(full.frames[3]!).toString('hex')]);
  });

  it('without drops: an empty capture and an empty FILE.json', async () => {
    const out = join(dir, 'none.pcap');
    const res = nfreplay([...flowArgs, '--drops', out]);
    expect(res.code).toBe(0);
    expect(await readPcap(out)).toEqual([]);
    expect(readFileSync(`${out}.json`, 'utf8')).toBe('');
  });
});
