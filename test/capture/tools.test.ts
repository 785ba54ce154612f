/**
 * The writer and the rewrite helpers against the real tools: packets rewritten in place
 * (addresses, ports, MSS, TTL, ICMP identifiers, the header an ICMP error quotes) and written
 * with PcapWriter must be read by `tcpdump -r -vv` and `tshark -r` with every checksum
 * reported correct; the same packets with a checksum broken on purpose must be reported
 * bad, so the check cannot pass by not checking.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PcapWriter,
  rewriteDstPort,
  rewriteIcmpId,
  rewriteIcmpInnerDst,
  rewriteIcmpInnerSrc,
  rewriteIcmpInnerSrcPort,
  rewriteIpv4Dst,
  rewriteIpv4Src,
  rewriteSrcPort,
  rewriteTcpMss,
  rewriteTtl,
} from '../../src/capture/index.js';
import { etherFrame, ipv4Bytes, type Ipv4Spec } from './packets.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const ip4 = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const CLIENT = ip4('10.0.0.2');
const SERVER = ip4('203.0.113.10');
const ROUTER = ip4('198.51.100.1');

const udpQuery: Ipv4Spec = { src: CLIENT, dst: SERVER, ttl: 64, id: 7, l4: { proto: 17, sport: 40001, dport: 53, payload: text('\x12\x34 query') } };
const tcpSyn: Ipv4Spec = {
  src: CLIENT,
  dst: SERVER,
  ttl: 64,
  id: 8,
  l4: { proto: 6, sport: 40002, dport: 80, tcpOptions: [1, 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0], payload: new Uint8Array(0) },
};

/** Each case: a packet and the rewrites a NAT or mangle rule would make to it. */
const CASES: { name: string; spec: Ipv4Spec; rewrite: (b: Uint8Array, ip: number, end: number) => boolean[] }[] = [
  {
    name: 'TCP SYN, SNAT + port + MSS (at an odd offset) + TTL',
    spec: tcpSyn,
    rewrite: (b, ip, end) => [
      rewriteIpv4Src(b, ip, end, ip4('198.51.100.7')),
      rewriteSrcPort(b, ip, end, 61000),
      rewriteTcpMss(b, ip, end, 1400),
      rewriteTtl(b, ip, end, 63),
    ],
  },
  {
    name: 'TCP data with IP options, DNAT + port',
    spec: {
      src: SERVER,
      dst: CLIENT,
      ttl: 50,
      id: 9,
      options: [1, 1, 1, 0],
      l4: { proto: 6, sport: 80, dport: 40002, tcpOptions: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], payload: text('HTTP/1.1 200 OK\r\n\r\n') },
    },
    rewrite: (b, ip, end) => [rewriteIpv4Dst(b, ip, end, ip4('192.0.2.55')), rewriteDstPort(b, ip, end, 8080)],
  },
  {
    name: 'UDP with a checksum, both addresses and ports',
    spec: udpQuery,
    rewrite: (b, ip, end) => [
      rewriteIpv4Src(b, ip, end, ip4('198.51.100.7')),
      rewriteIpv4Dst(b, ip, end, ip4('192.0.2.53')),
      rewriteSrcPort(b, ip, end, 1024),
      rewriteDstPort(b, ip, end, 5353),
    ],
  },
  {
    name: 'UDP without a checksum',
    spec: { src: CLIENT, dst: SERVER, ttl: 64, id: 10, l4: { proto: 17, sport: 123, dport: 123, payload: new Uint8Array(48), noChecksum: true } },
    rewrite: (b, ip, end) => [rewriteIpv4Src(b, ip, end, ip4('198.51.100.7')), rewriteSrcPort(b, ip, end, 40123)],
  },
  {
    name: 'ICMP echo, SNAT + identifier',
    spec: { src: CLIENT, dst: SERVER, ttl: 64, id: 11, l4: { proto: 1, type: 8, code: 0, id: 0x1234, seq: 1, payload: text('abcdefghijklmnopqrstuvw') } },
    rewrite: (b, ip, end) => [rewriteIpv4Src(b, ip, end, ip4('198.51.100.7')), rewriteIcmpId(b, ip, end, 0x4321)],
  },
  {
    name: 'ICMP port unreachable quoting a whole UDP datagram, reply-direction NAT',
    spec: { src: SERVER, dst: ip4('198.51.100.7'), ttl: 64, id: 12, l4: { proto: 1, type: 3, code: 3, inner: { ...udpQuery, src: ip4('198.51.100.7') }, quote: 1000 } },
    rewrite: (b, ip, end) => [
      rewriteIpv4Dst(b, ip, end, CLIENT),
      rewriteIcmpInnerSrc(b, ip, end, CLIENT),
      rewriteIcmpInnerSrcPort(b, ip, end, 40001 + 7),
    ],
  },
  {
    name: 'ICMP time exceeded quoting a whole TCP segment',
    spec: { src: ROUTER, dst: CLIENT, ttl: 255, id: 13, l4: { proto: 1, type: 11, code: 0, inner: tcpSyn, quote: 1000 } },
    rewrite: (b, ip, end) => [
      rewriteIpv4Src(b, ip, end, ip4('192.0.2.1')),
      rewriteIcmpInnerDst(b, ip, end, ip4('192.0.2.80')),
      rewriteIcmpInnerSrcPort(b, ip, end, 50000),
    ],
  },
];

function frames(): Uint8Array[] {
  return CASES.map((c) => {
    const frame = etherFrame(ipv4Bytes(c.spec));
    const applied = c.rewrite(frame, 14, frame.length);
    expect(applied.every(Boolean), c.name).toBe(true);
    return frame;
  });
}

function write(path: string, packets: Uint8Array[], precision: 'microsecond' | 'nanosecond'): void {
  const w = PcapWriter.open(path, { linktype: 1, precision });
  packets.forEach((data, i) => w.write({ data, offset: 0, caplen: data.length, origlen: data.length, tsSec: 1700000000 + i, tsNsec: 123456789 }));
  w.close();
}

function tcpdump(path: string, ...extra: string[]): string {
  const r = spawnSync('tcpdump', ['-r', path, '-n', '-vv', ...extra], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** One line per packet: the checksum status fields (1 good, 0 bad, 2 unverified), outer then quoted. */
function tsharkStatus(path: string): string[] {
  const r = spawnSync(
    'tshark',
    [
      '-r', path, '-T', 'fields', '-E', 'separator=;',
      '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status', '-e', 'icmp.checksum.status',
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

const tools = have('tcpdump') && have('tshark');

describe.skipIf(!tools)('rewritten packets through tcpdump and tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfr-cap-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const precision of ['microsecond', 'nanosecond'] as const) {
    it(`tcpdump -vv reads the ${precision} file and finds every checksum correct`, () => {
      const path = join(dir, `ok-${precision}.pcap`);
      write(path, frames(), precision);
      const out = tcpdump(path, ...(precision === 'nanosecond' ? ['--time-stamp-precision=nano'] : []));
      expect(out).not.toMatch(/bad cksum|incorrect|wrong icmp cksum|bad udp cksum/);
      // The two TCP segments and the one quoted in full by the ICMP error.
      expect(out.match(/cksum 0x[0-9a-f]+ \(correct\)/g)).toHaveLength(3);
      expect(out.match(/\[udp sum ok\]/g)).toHaveLength(2);
      expect(out).toContain('198.51.100.7.61000 > 203.0.113.10.80: Flags [S.]');
      expect(out).toMatch(/mss 1400/);
      expect(out).toContain('198.51.100.7 > 203.0.113.10: ICMP echo request, id 17185');
      expect(out).toContain(precision === 'nanosecond' ? '.123456789 IP' : '.123456 IP');
    });

    it(`tshark reads the ${precision} file and reports every checksum Good`, () => {
      const path = join(dir, `ok-${precision}.pcap`);
      write(path, frames(), precision);
      expect(tsharkStatus(path)).toEqual([
        '1;1;;', // TCP
        '1;1;;',
        '1;;1;', // UDP
        '1;;3;', // UDP without checksum: "not present"
        '1;;;1', // ICMP echo
        '1,1;;1;1', // ICMP error: outer IP, quoted IP, quoted UDP, ICMP
        '1,1;1;;1', // ICMP error quoting TCP
      ]);
    });
  }

  it('the same checks report a broken checksum (the check really checks)', () => {
    const broken = frames();
    broken[0]![14 + 10] ^= 0x01; // IP header checksum
    broken[2]![14 + 20 + 6] ^= 0x01; // UDP checksum
    broken[4]![14 + 20 + 2] ^= 0x01; // ICMP checksum
    broken[6]![14 + 20 + 8 + 10] ^= 0x01; // quoted IP header checksum
    const path = join(dir, 'broken.pcap');
    write(path, broken, 'microsecond');
    const out = tcpdump(path);
    expect(out).toMatch(/bad cksum/);
    expect(out).toMatch(/bad udp cksum/);
    expect(out).toMatch(/wrong icmp cksum/);
    const status = tsharkStatus(path);
    expect(status[0]).toMatch(/^0;/);
    expect(status[2]).toBe('1;;0;');
    expect(status[4]).toBe('1;;;0');
    expect(status[6]).toMatch(/^1,0;/);
  });
});
