/**
 * The host inferred from a capture when no host file is given, and the --local-ip /
 * --iface overrides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/netfilter/errors.js';
import { AddrType } from '../../src/netfilter/host.js';
import { HostInferrer, inferHost, inferHostFromCapture, parseLocalIps } from '../../src/netfilter/infer.js';
import { PathClassifier } from '../../src/netfilter/path.js';
import { captureIface, ethPacket, ipToInt, sll2Packet, viewOf } from './helpers.js';

const CAPTURES = join(__dirname, '..', '..', 'captures');

describe('inference from the bundled captures', () => {
  it('demo.pcap: the server 192.0.2.10 (captures/README.md) on eth0', async () => {
    expect(readFileSync(join(CAPTURES, 'README.md'), 'utf8')).toContain('server `srv` 192.0.2.10 (eth0)');
    const r = await inferHostFromCapture(join(CAPTURES, 'demo.pcap'));
    expect(r.message).toBe('assuming host 192.0.2.10 on eth0; use --host to set');
    expect(r.details[0]).toMatch(/^192\.0\.2\.10 is in 99\.\d% of the \d+ IPv4 packets$/);
    expect(r.file).toEqual({ interfaces: [{ name: 'eth0', addrs: ['192.0.2.10/32'] }], forward: false, routes: [{ dst: 'default', dev: 'eth0' }] });
    expect(r.host.isHostAddress(ipToInt('192.0.2.10'))).toBe(true);
    expect(r.host.route(ipToInt('198.51.100.20'))?.dev).toBe('eth0');
  });

  it('http-any.pcap (SLL2): the same server; lo traffic does not count', async () => {
    const r = await inferHostFromCapture(join(CAPTURES, 'http-any.pcap'));
    expect(r.message).toBe('assuming host 192.0.2.10 on eth0; use --host to set');
    expect(r.details[0]).toBe('192.0.2.10 is in 100.0% of the 24 IPv4 packets');
  });

  it('any-sll.pcap: two addresses in every packet; the one seen sending out is the host', async () => {
    const r = await inferHostFromCapture(join(CAPTURES, 'any-sll.pcap'));
    expect(r.message).toBe('assuming host 192.0.2.10 on eth0; use --host to set');
    expect(r.details).toContain('198.51.100.20 is in 100.0% too; 192.0.2.10 is seen sending out');
  });

  it('ns.pcap: one conversation without direction; the side receiving the connections is taken', async () => {
    const r = await inferHostFromCapture(join(CAPTURES, 'ns.pcap'));
    expect(r.message).toBe('assuming host 198.51.100.2 on eth0; use --host to set');
    expect(r.details).toContain('198.51.100.1 is in 100.0% too; 198.51.100.2 receives the connections');
  });

  it('the overrides replace the guess', async () => {
    const r = await inferHostFromCapture(join(CAPTURES, 'demo.pcap'), { localIps: '192.0.2.10/24,192.0.2.11', iface: 'ens3' });
    expect(r.message).toBe('assuming host 192.0.2.10, 192.0.2.11 on ens3; use --host to set');
    expect(r.file.interfaces).toEqual([{ name: 'ens3', addrs: ['192.0.2.10/24', '192.0.2.11/32'] }]);
    expect(r.host.addressType(ipToInt('192.0.2.255'))).toBe(AddrType.BROADCAST);
  });
});

describe('inference rules', () => {
  const feed = (packets: { bytes: Buffer; linktype?: number; dir?: 0 | 1 | 2; id?: number }[], ifaces = [captureIface(0, undefined)], opts = {}) =>
    inferHost(
      packets.map((p) => ({ view: viewOf(p.bytes, p.linktype ?? 1, p.dir ?? 0), rec: { interfaceId: p.id ?? -1, direction: p.dir ?? 0, linktype: p.linktype ?? 1 } })),
      ifaces,
      opts,
    );

  it('the subnet comes from broadcasts to the address\'s subnet broadcast', () => {
    const r = feed([
      { bytes: ethPacket({ src: '10.1.2.3', dst: '10.1.2.255', dstMac: 'ff:ff:ff:ff:ff:ff' }) },
      { bytes: ethPacket({ src: '10.1.2.3', dst: '10.9.255.255', dstMac: 'ff:ff:ff:ff:ff:ff' }) },
      ...Array.from({ length: 20 }, () => ({ bytes: ethPacket({ src: '10.1.2.9', dst: '10.1.2.3' }) })),
    ]);
    expect(r.message).toBe('assuming host 10.1.2.3 on eth0; use --host to set');
    expect(r.file.interfaces).toEqual([{ name: 'eth0', addrs: ['10.1.2.3/24'] }]);
    expect(r.details).toContain('subnet 10.1.2.0/24 from 1 broadcast to its broadcast address');
  });

  it('groups the host sends to are joined', () => {
    const r = feed([
      ...Array.from({ length: 10 }, () => ({ bytes: ethPacket({ src: '10.1.2.9', dst: '10.1.2.3' }) })),
      { bytes: ethPacket({ src: '10.1.2.3', dst: '224.0.0.251', dstMac: '01:00:5e:00:00:fb' }) },
    ]);
    expect(r.file.interfaces).toEqual([{ name: 'eth0', addrs: ['10.1.2.3/32'], mcast_groups: ['224.0.0.251'] }]);
    const c = new PathClassifier(r.host);
    const d = c.classify(viewOf(ethPacket({ src: '10.1.2.9', dst: '224.0.0.251', dstMac: '01:00:5e:00:00:fb' }), 1), { interfaceId: -1, direction: 0, linktype: 1 });
    expect(d.deliver).toBe('input');
  });

  it('no address in 90% of the packets: the most frequent, said so', () => {
    const r = feed([
      ...Array.from({ length: 6 }, () => ({ bytes: ethPacket({ src: '10.0.0.1', dst: '10.0.0.2' }) })),
      ...Array.from({ length: 4 }, () => ({ bytes: ethPacket({ src: '10.0.0.3', dst: '10.0.0.4' }) })),
    ]);
    expect(r.message).toBe('assuming host 10.0.0.1 on eth0; use --host to set');
    expect(r.details[0]).toBe('no address is in 90% of the 10 IPv4 packets; 10.0.0.1 is the most frequent (60.0%)');
  });

  it('no IPv4 at all', () => {
    const r = feed([]);
    expect(r.message).toBe('assuming a host without IPv4 address on eth0; use --host to set');
    expect(r.host.interfaceByName('eth0')?.addrs).toEqual([]);
  });

  it('the interface name and index come from the capture', () => {
    const named = feed([{ bytes: ethPacket({ src: '10.0.0.9', dst: '10.0.0.1', proto: 'tcp-syn' }), id: 1 }], [captureIface(0, 'lo'), captureIface(1, 'enp3s0')]);
    expect(named.message).toBe('assuming host 10.0.0.1 on enp3s0; use --host to set');
    const sll2 = feed([{ bytes: sll2Packet({ src: '10.0.0.9', dst: '10.0.0.1' }, 7, 0), linktype: 276, id: 0 }], [captureIface(0, 'any', 276)]);
    expect(sll2.file.interfaces).toEqual([{ name: 'eth0', addrs: ['10.0.0.1/32'], index: 7 }]);
    expect(sll2.host.interfaceByIndex(7)?.name).toBe('eth0');
  });

  it('the accumulator skips what is not IPv4 and counts what it saw', () => {
    const inf = new HostInferrer();
    inf.add(viewOf(ethPacket({ src: '127.0.0.1', dst: '127.0.0.1' }), 1), { interfaceId: -1, direction: 0, linktype: 1 });
    inf.add(viewOf(ethPacket({ src: '10.0.0.9', dst: '10.0.0.1' }), 1), { interfaceId: -1, direction: 0, linktype: 1 });
    expect(inf.packets).toBe(1);
  });
});

describe('--local-ip and --iface', () => {
  it('parses A[,B] with optional prefix lengths', () => {
    expect(parseLocalIps('192.0.2.10')).toEqual([{ addr: ipToInt('192.0.2.10'), prefixLength: 32 }]);
    expect(parseLocalIps(['192.0.2.10/24', '198.51.100.1'])).toHaveLength(2);
  });
  it.each([
    ['', '--local-ip: expected addresses, A[,B...]'],
    ['192.0.2.10,', '--local-ip: expected addresses, A[,B...]'],
    ['example.com', '--local-ip: "example.com" is not a numeric IPv4 address (host names are never resolved)'],
    ['127.0.0.1', "--local-ip: 127.0.0.1 cannot be the host's address"],
    ['192.0.2.1,192.0.2.1', '--local-ip: 192.0.2.1 is given twice'],
  ])('refuses %j', (arg, message) => {
    expect(() => parseLocalIps(arg)).toThrow(HostError);
    expect(() => parseLocalIps(arg)).toThrow(message);
  });
  it('refuses a bad interface name', () => {
    expect(() => inferHost([], [], { iface: 'eth0:1' })).toThrow('--iface: "eth0:1" is not a usable interface name');
  });
});
