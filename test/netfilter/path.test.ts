/**
 * The path decision: placement in the prescribed order (ingress rules, then the capture's
 * metadata, then the source address), the packet type on arrival, routing outcomes not
 * covered by the kernel fixtures, real captures end to end, the placements the
 * differential suite recorded, (allocation has its own file, alloc.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/reader.js';
import type { CaptureInterface } from '../../src/capture/record.js';
import { decode, DecodeEvents, DecodeResult, PacketView } from '../../src/decode/index.js';
import { PktType } from '../../src/engine/packet.js';
import { hostFromJson, loadHostFile } from '../../src/netfilter/hostfile.js';
import type { Host } from '../../src/netfilter/model.js';
import { createClassifier, PathClassifier, type PathDecision } from '../../src/netfilter/path.js';
import { captureIface, ethPacket, ipPacket, LINKTYPE_ETHERNET, LINKTYPE_RAW, sll2Packet, viewOf } from './helpers.js';

const ROOT = join(__dirname, '..', '..');
const CAPTURES = join(ROOT, 'captures');

const router = (): Host =>
  hostFromJson({
    interfaces: [
      { name: 'eth0', addr: '198.51.100.1/24', mac: '02:00:00:00:00:01' },
      { name: 'eth1', addrs: ['203.0.113.1/24', '203.0.113.129/25'], mac: '02:00:00:00:00:02', index: 5 },
      { name: 'eth2', addr: '10.0.0.1/8' },
    ],
    forward: true,
    routes: [
      { dst: '0.0.0.0/0', dev: 'eth0', via: '198.51.100.254' },
      { dst: '192.0.2.0/24', via: '203.0.113.254' },
    ],
    ingress_rules: [
      { src: '192.0.2.0/25', dev: 'eth2' },
      { dst: '198.51.100.77/32', dev: 'local' },
      { src: '192.0.2.0/24', dev: 'eth0' },
    ],
  });

/** A copy of the fields a test looks at (the decision object itself is reused). */
function snap(d: PathDecision): Partial<PathDecision> {
  return { kind: d.kind, inIface: d.inIface, outIface: d.outIface, deliver: d.deliver, pktType: d.pktType, placedBy: d.placedBy, reason: d.reason, loopback: d.loopback };
}

function classifyEth(host: Host, spec: Parameters<typeof ethPacket>[0], direction: 0 | 1 | 2 = 0, ifaces: CaptureInterface[] = [], id = -1): Partial<PathDecision> {
  const c = new PathClassifier(host);
  return snap(c.classify(viewOf(ethPacket(spec), LINKTYPE_ETHERNET, direction), { interfaceId: id, direction, linktype: LINKTYPE_ETHERNET }, ifaces));
}

describe('placement order', () => {
  it('the first matching ingress rule wins, before any metadata', () => {
    const h = router();
    // 192.0.2.5 matches the first rule (eth2) and the third (eth0).
    expect(classifyEth(h, { src: '192.0.2.5', dst: '10.9.9.9' })).toMatchObject({ kind: 'received', inIface: 'eth2', placedBy: 'ingress-rule', deliver: 'forward', outIface: 'eth2' });
    expect(classifyEth(h, { src: '192.0.2.200', dst: '198.51.100.1' })).toMatchObject({ kind: 'received', inIface: 'eth0', placedBy: 'ingress-rule', deliver: 'input' });
    // Even a capture saying "eth1, outgoing" does not override a rule.
    const ifaces = [captureIface(0, 'eth1')];
    expect(classifyEth(h, { src: '192.0.2.5', dst: '198.51.100.1' }, 2, ifaces, 0)).toMatchObject({ inIface: 'eth2', placedBy: 'ingress-rule' });
    // dev "local": the host's own packet whatever its source.
    expect(classifyEth(h, { src: '8.8.8.8', dst: '198.51.100.77' })).toMatchObject({ kind: 'local', placedBy: 'ingress-rule', deliver: 'output', outIface: 'eth0' });
  });

  it('then the pcapng interface name', () => {
    const h = router();
    const ifaces = [captureIface(0, 'eth1'), captureIface(1, 'wlan9'), captureIface(2, 'lo')];
    const c = new PathClassifier(h);
    const at = (id: number, src: string, dst: string, dir: 0 | 1 | 2 = 0, dstMac = '02:00:00:00:00:02'): Partial<PathDecision> =>
      snap(c.classify(viewOf(ethPacket({ src, dst, dstMac }), LINKTYPE_ETHERNET, dir), { interfaceId: id, direction: dir, linktype: 1 }, ifaces));
    // Source 8.8.8.8 would be placed on eth0 by its route; the capture says eth1.
    expect(at(0, '8.8.8.8', '203.0.113.1')).toMatchObject({ kind: 'received', inIface: 'eth1', placedBy: 'capture', deliver: 'input' });
    // An interface the host does not have: placed by source, with a warning said once.
    expect(at(1, '8.8.8.8', '198.51.100.1', 0, '02:00:00:00:00:01')).toMatchObject({ kind: 'received', inIface: 'eth0', placedBy: 'source' });
    at(1, '8.8.8.8', '198.51.100.1', 0, '02:00:00:00:00:01');
    expect(c.warnings).toEqual(['capture interface "wlan9" is not an interface of the host; its packets are placed by their source address']);
    // lo: the host's own, delivered back to itself.
    expect(at(2, '127.0.0.1', '127.0.0.1', 1)).toMatchObject({ kind: 'local', placedBy: 'capture', deliver: 'input', outIface: 'lo' });
    // No direction on the host's interface, source a host address: sent by the host.
    expect(at(0, '203.0.113.1', '203.0.113.9')).toMatchObject({ kind: 'local', placedBy: 'capture', deliver: 'output', outIface: 'eth1' });
    // Direction "in" with the host's own address as source: a spoofed arrival, a martian.
    expect(at(0, '203.0.113.1', '198.51.100.1', 1)).toMatchObject({ kind: 'received', inIface: 'eth1', deliver: 'drop-martian', reason: 'own-source' });
  });

  it('packets seen leaving are the host\'s own or only observed', () => {
    const h = router();
    const ifaces = [captureIface(0, 'eth0')];
    expect(classifyEth(h, { src: '198.51.100.1', dst: '8.8.8.8' }, 2, ifaces, 0)).toMatchObject({ kind: 'local', placedBy: 'capture', deliver: 'output', outIface: 'eth0' });
    expect(classifyEth(h, { src: '10.1.1.1', dst: '8.8.8.8' }, 2, ifaces, 0)).toMatchObject({ kind: 'outgoing-observed', outIface: 'eth0', deliver: 'none' });
    const observe = new PathClassifier(h, { outgoingFromHost: 'observed' });
    const d = observe.classify(viewOf(ethPacket({ src: '198.51.100.1', dst: '8.8.8.8' }), 1, 2), { interfaceId: 0, direction: 2, linktype: 1 }, ifaces);
    expect(d.kind).toBe('outgoing-observed');
  });

  it('SLL2 interface indexes name host interfaces, SLL packet types give direction and type', () => {
    const h = router();
    const c = new PathClassifier(h);
    const run = (ifindex: number, pktType: number, src: string, dst: string): Partial<PathDecision> => {
      const bytes = sll2Packet({ src, dst }, ifindex, pktType);
      return snap(c.classify(viewOf(bytes, 276), { interfaceId: 0, direction: 0, linktype: 276 }, [captureIface(0, 'any', 276)]));
    };
    expect(run(5, 0, '8.8.8.8', '203.0.113.1')).toMatchObject({ kind: 'received', inIface: 'eth1', placedBy: 'capture', pktType: PktType.HOST, deliver: 'input' });
    expect(run(5, 1, '8.8.8.8', '203.0.113.255')).toMatchObject({ inIface: 'eth1', pktType: PktType.BROADCAST, deliver: 'input' });
    expect(run(5, 4, '10.7.7.7', '8.8.8.8')).toMatchObject({ kind: 'outgoing-observed', outIface: 'eth1' });
    expect(run(5, 4, '203.0.113.1', '8.8.8.8')).toMatchObject({ kind: 'local', outIface: 'eth0' });
    expect(run(1, 0, '127.0.0.1', '127.0.0.1')).toMatchObject({ kind: 'local', deliver: 'input', outIface: 'lo' });
    // A frame the capture saw as for another host: dropped before PREROUTING.
    expect(run(5, 3, '8.8.8.8', '203.0.113.1')).toMatchObject({ kind: 'otherhost', deliver: 'drop-otherhost' });
    // An index no interface has: placed by source.
    expect(run(42, 0, '203.0.113.9', '198.51.100.1')).toMatchObject({ inIface: 'eth1', placedBy: 'source' });
    expect(c.warnings).toEqual(['capture interface index 42 is not the index of a host interface; its packets are placed by their source address']);
  });

  it('then the source: host address, connected subnet (longest prefix), route', () => {
    const h = router();
    expect(classifyEth(h, { src: '198.51.100.1', dst: '8.8.8.8' })).toMatchObject({ kind: 'local', placedBy: 'source', outIface: 'eth0', deliver: 'output' });
    expect(classifyEth(h, { src: '203.0.113.200', dst: '198.51.100.7', dstMac: '02:00:00:00:00:02' })).toMatchObject({ inIface: 'eth1', placedBy: 'source', deliver: 'forward', outIface: 'eth0' });
    expect(classifyEth(h, { src: '10.20.30.40', dst: '198.51.100.1' })).toMatchObject({ inIface: 'eth2', placedBy: 'source' });
    // No connected subnet: the route to the source (192.0.2.128/25 is not in a rule).
    expect(classifyEth(h, { src: '8.8.8.8', dst: '198.51.100.1' })).toMatchObject({ inIface: 'eth0', placedBy: 'source' });
    // 127/8 is lo's subnet, yet nothing arrives from outside on lo: the default route places it.
    expect(classifyEth(h, { src: '127.0.0.2', dst: '198.51.100.1' })).toMatchObject({ inIface: 'eth0', deliver: 'drop-martian', reason: 'martian-source' });
    const noDefault = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    expect(classifyEth(noDefault, { src: '8.8.8.8', dst: '198.51.100.1' })).toMatchObject({ kind: 'unroutable', placedBy: 'none', deliver: 'none' });
  });
});

describe('packet type on arrival', () => {
  const h = router();
  it('from the destination MAC against the interface MAC', () => {
    expect(classifyEth(h, { src: '198.51.100.7', dst: '198.51.100.1', dstMac: '02:00:00:00:00:01' }).pktType).toBe(PktType.HOST);
    expect(classifyEth(h, { src: '198.51.100.7', dst: '198.51.100.255', dstMac: 'ff:ff:ff:ff:ff:ff' }).pktType).toBe(PktType.BROADCAST);
    expect(classifyEth(h, { src: '198.51.100.7', dst: '224.0.0.1', dstMac: '01:00:5e:00:00:01' }).pktType).toBe(PktType.MULTICAST);
    expect(classifyEth(h, { src: '198.51.100.7', dst: '198.51.100.1', dstMac: '02:00:00:00:00:99' })).toMatchObject({ kind: 'otherhost', pktType: PktType.OTHERHOST, deliver: 'drop-otherhost' });
  });
  it('a frame an ingress rule places is never for another host', () => {
    // Captured on eth0's link (eth0's MAC), modelled as arriving on eth1 (another MAC).
    const h2 = hostFromJson({
      interfaces: [
        { name: 'eth0', addr: '198.51.100.1/24', mac: '02:00:00:00:00:01' },
        { name: 'eth1', addr: '203.0.113.1/24', mac: '02:00:00:00:00:02' },
      ],
      ingress_rules: [{ src: '203.0.113.0/24', dev: 'eth1' }],
    });
    expect(classifyEth(h2, { src: '203.0.113.9', dst: '198.51.100.1', dstMac: '02:00:00:00:00:01' })).toMatchObject({ kind: 'received', inIface: 'eth1', pktType: PktType.HOST, deliver: 'input' });
    expect(classifyEth(h2, { src: '203.0.113.9', dst: '203.0.113.255', dstMac: 'ff:ff:ff:ff:ff:ff' }).pktType).toBe(PktType.BROADCAST);
  });
  it('an interface without a known MAC takes every unicast frame as its own', () => {
    expect(classifyEth(h, { src: '10.1.1.1', dst: '10.0.0.1', dstMac: '02:00:00:00:00:99' })).toMatchObject({ kind: 'received', inIface: 'eth2', pktType: PktType.HOST, deliver: 'input' });
  });
  it('raw IP (a layer-3 device) is always PACKET_HOST', () => {
    const c = new PathClassifier(h);
    const d = c.classify(viewOf(ipPacket({ src: '198.51.100.7', dst: '255.255.255.255' }), LINKTYPE_RAW), { interfaceId: -1, direction: 0, linktype: LINKTYPE_RAW });
    expect(snap(d)).toMatchObject({ inIface: 'eth0', pktType: PktType.HOST, deliver: 'input' });
  });
});

describe('routing outcomes', () => {
  it('forwarding off drops what is not local', () => {
    const h = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }], routes: [{ dst: 'default', via: '198.51.100.254' }] });
    expect(classifyEth(h, { src: '198.51.100.7', dst: '8.8.8.8' })).toMatchObject({ deliver: 'drop-no-forward', reason: 'not-forwarding' });
  });
  it('per-interface forwarding overrides the global switch', () => {
    const h = hostFromJson({
      interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }, { name: 'eth1', addr: '203.0.113.1/24' }],
      forward: true,
      sysctls: { 'net.ipv4.conf.eth1.forwarding': 0 },
    });
    expect(classifyEth(h, { src: '198.51.100.7', dst: '203.0.113.9' })).toMatchObject({ deliver: 'forward', outIface: 'eth1' });
    expect(classifyEth(h, { src: '203.0.113.9', dst: '198.51.100.7' })).toMatchObject({ inIface: 'eth1', deliver: 'drop-no-forward' });
  });
  it('route_localnet on lets 127/8 in from outside', () => {
    const on = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }], sysctls: { 'net.ipv4.conf.all.route_localnet': 1 } });
    expect(classifyEth(on, { src: '198.51.100.7', dst: '127.0.0.1' })).toMatchObject({ deliver: 'input' });
    const off = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    expect(classifyEth(off, { src: '198.51.100.7', dst: '127.0.0.1' })).toMatchObject({ deliver: 'drop-martian', reason: 'martian-destination' });
  });
  it('forwarded packets carry the route and the next hop', () => {
    const c = new PathClassifier(router());
    const d = c.classify(viewOf(ethPacket({ src: '198.51.100.7', dst: '192.0.2.200' }), 1), { interfaceId: -1, direction: 0, linktype: 1 });
    expect(d.deliver).toBe('forward');
    expect(d.outIface).toBe('eth1');
    expect(d.nextHop).toBe(0xcb0071fe);
    expect(d.route?.via).toBe(0xcb0071fe);
  });
  it('the function form has the replay\'s signature and shares warnings', () => {
    const fn = createClassifier(router());
    const d = fn(viewOf(ethPacket({ src: '198.51.100.7', dst: '198.51.100.1' }), 1), { interfaceId: 0, direction: 0, linktype: 1 }, [captureIface(0, 'nope0')]);
    expect(d.inIface).toBe('eth0');
    expect(fn.warnings).toHaveLength(1);
  });
});

/** Reads every packet of a capture and tallies its placement with the classifier. */
async function tally(host: Host, file: string): Promise<{ counts: Record<string, number>; decisions: string[] }> {
  const reader = await openCapture(file);
  const view = new PacketView();
  const events = new DecodeEvents();
  const c = new PathClassifier(host);
  const counts: Record<string, number> = {};
  const decisions: string[] = [];
  await reader.forEach((rec) => {
    if (decode(rec, view, events) !== DecodeResult.IPV4) return;
    const d = c.classify(view, rec, reader.interfaces);
    const key = `${d.kind}:${d.kind === 'local' ? d.outIface : d.inIface}:${d.deliver}`;
    counts[key] = (counts[key] ?? 0) + 1;
    decisions.push(key);
  });
  return { counts, decisions };
}

describe('real captures', () => {
  const server = (): Host =>
    hostFromJson({
      interfaces: [{ name: 'eth0', addr: '192.0.2.10/24', mac: '02:00:00:00:00:0a' }],
      routes: [{ dst: 'default', via: '192.0.2.1' }],
    });

  it('demo.pcap: the server\'s packets are its own, everything else arrives on eth0', async () => {
    const macOf = await serverMac();
    const h = hostFromJson({ interfaces: [{ name: 'eth0', addr: '192.0.2.10/24', mac: macOf }], routes: [{ dst: 'default', via: '192.0.2.1' }] });
    const { counts } = await tally(h, join(CAPTURES, 'demo.pcap'));
    // Nothing unplaced, nothing for another MAC; the rest is input or the server's output.
    expect(Object.keys(counts).every((k) => /^(received:eth0:(input|drop-martian)|local:eth0:output)$/.test(k)), JSON.stringify(counts)).toBe(true);
    expect(counts['local:eth0:output']).toBeGreaterThan(100);
    expect(counts['received:eth0:input']).toBeGreaterThan(100);
  });

  it('http-any.pcap (SLL2, -i any): In on eth0 arrives, Out from the server is its own, lo loops back', async () => {
    const { counts } = await tally(server(), join(CAPTURES, 'http-any.pcap'));
    // tshark: 13 packets In from the clients, 11 Out from 192.0.2.10, 14 on lo.
    expect(counts).toEqual({ 'received:eth0:input': 13, 'local:eth0:output': 11, 'local:lo:input': 14 });
  });

  it('any-sll.pcap (SLL, no interface index): placed by direction and source', async () => {
    const { counts } = await tally(server(), join(CAPTURES, 'any-sll.pcap'));
    expect(counts).toEqual({ 'received:eth0:input': 7, 'local:eth0:output': 6, 'local:lo:input': 13 });
  });

  it('ping.pcapng: interfaces named eth0 and lo by the capture', async () => {
    const h = hostFromJson({ interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }] });
    const { counts } = await tally(h, join(CAPTURES, 'ping.pcapng'));
    // tshark: 11 packets from 198.51.100.1 and 8 from .2 on eth0, 4 on lo; no direction flags.
    expect(counts).toEqual({ 'local:eth0:output': 11, 'received:eth0:input': 8, 'local:lo:input': 4 });
  });

  it('raw.pcap (link type 101): placed by source on the TUN interface', async () => {
    const h = hostFromJson({ interfaces: [{ name: 'tun0', addr: '203.0.113.6/30' }] });
    const { counts } = await tally(h, join(CAPTURES, 'raw.pcap'));
    expect(Object.keys(counts).sort()).toEqual(['local:tun0:output', 'received:tun0:input']);
  });
});

/** The server's MAC in demo.pcap, from the frames it sent. */
async function serverMac(): Promise<string> {
  const reader = await openCapture(join(CAPTURES, 'demo.pcap'));
  const view = new PacketView();
  const events = new DecodeEvents();
  let mac = -1;
  await reader.forEach((rec) => {
    if (mac < 0 && decode(rec, view, events) === DecodeResult.IPV4 && view.srcAddr >>> 0 === 0xc000020a) mac = view.srcMac;
  });
  return mac.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

const DIFF = join(ROOT, 'test', 'differential', 'cases');
const diffCases = existsSync(DIFF) ? readdirSync(DIFF).filter((c) => existsSync(join(DIFF, c, 'expected.json'))) : [];

describe.skipIf(diffCases.length === 0)('placements recorded by the differential suite', () => {
  it.each(diffCases)('%s', async (name) => {
    const dir = join(DIFF, name);
    const host = loadHostFile(join(dir, 'host.json'));
    const expectedIngress = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { ingress: string[] }).ingress;
    const reader = await openCapture(join(dir, 'capture.pcap'));
    const view = new PacketView();
    const events = new DecodeEvents();
    const c = new PathClassifier(host);
    const got: string[] = [];
    await reader.forEach((rec) => {
      // Malformed IPv4 is placed too: the kernel's ingress does not look at the header's validity.
      const r = decode(rec, view, events);
      if (view.srcAddr < 0) {
        got.push('?');
        return;
      }
      const d = c.classify(view, rec, reader.interfaces);
      got.push(d.kind === 'local' ? 'local' : d.inIface || `(${d.kind}, ${r})`);
    });
    expect(got).toEqual(expectedIngress);
  });
});

describe('decision cache', () => {
  // Every input the decision reads is part of the cache key: with it and without it, every
  // packet of every capture and differential case gets the same decision. A tiny cache
  // (4 slots) makes slots collide and be refilled constantly.
  const hosts: [string, () => Host][] = [
    ['router', router],
    ['server', () => hostFromJson({ interfaces: [{ name: 'eth0', addr: '192.0.2.10/24', mac: '02:00:00:00:00:0a' }], routes: [{ dst: 'default', via: '192.0.2.1' }] })],
  ];
  const files = [
    ...readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(CAPTURES, f)),
    ...readdirSync(DIFF).map((d) => join(DIFF, d, 'capture.pcap')).filter((f) => existsSync(f)),
  ];
  it('keys on every input: the same addresses with other arrival metadata', () => {
    const host = hostFromJson({
      interfaces: [
        { name: 'eth0', addr: '198.51.100.1/24', mac: '02:00:00:00:00:01', mcast_groups: ['239.1.2.3'] },
        { name: 'eth1', addr: '203.0.113.1/24', mac: '02:00:00:00:00:02', index: 5 },
      ],
      forward: true,
      routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '198.51.100.254' }],
    });
    const plain = new PathClassifier(host, { cache: false });
    const cached = new PathClassifier(host, { cacheBits: 0 });
    const ifaces = [captureIface(0, 'eth0'), captureIface(1, 'eth1'), captureIface(2, 'any', 276)];
    const cases: [Buffer, number, 0 | 1 | 2, number][] = [];
    for (const [src, dst] of [
      ['203.0.113.9', '198.51.100.1'],
      ['198.51.100.1', '203.0.113.9'],
      ['0.0.0.0', '239.1.2.3'],
    ])
      for (const proto of ['udp', 'igmp'] as const)
        for (const dstMac of ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:77', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:16'])
          for (const id of [-1, 0, 1])
            for (const dir of [0, 1, 2] as const) cases.push([ethPacket({ src, dst, proto, dstMac }), LINKTYPE_ETHERNET, dir, id]);
    for (const ifindex of [2, 5, 9]) for (const t of [0, 1, 3, 4]) cases.push([sll2Packet({ src: '203.0.113.9', dst: '198.51.100.1' }, ifindex, t), 276, 0, 2]);
    const inputs = cases.map(([bytes, linktype, dir, id]) => ({ view: viewOf(bytes, linktype, dir), meta: { interfaceId: id, direction: dir, linktype } }));
    const want = inputs.map((x) => JSON.stringify(snap(plain.classify(x.view, x.meta, ifaces))));
    const kinds = new Set(want);
    // One slot: after any other key, a wrong hit shows as a wrong decision.
    let wrong = 0;
    for (const a of inputs)
      for (let j = 0; j < inputs.length; j++) {
        cached.classify(a.view, a.meta, ifaces);
        if (JSON.stringify(snap(cached.classify(inputs[j]!.view, inputs[j]!.meta, ifaces))) !== want[j]) wrong++;
      }
    expect(wrong).toBe(0);
    expect(kinds.size).toBeGreaterThan(10);
  });

  it.each(files)('%s', async (file) => {
    for (const [, makeHost] of hosts) {
      const host = makeHost();
      const plain = new PathClassifier(host, { cache: false });
      const cached = new PathClassifier(host, { cacheBits: 2 });
      const reader = await openCapture(file);
      const view = new PacketView();
      const events = new DecodeEvents();
      let compared = 0;
      await reader.forEach((rec) => {
        decode(rec, view, events);
        if (view.srcAddr < 0) return;
        const want = snap(plain.classify(view, rec, reader.interfaces));
        // Twice: the first call may fill the slot, the second must hit it.
        expect(snap(cached.classify(view, rec, reader.interfaces))).toEqual(want);
        expect(snap(cached.classify(view, rec, reader.interfaces))).toEqual(want);
        compared++;
      });
      expect(compared).toBeGreaterThan(0);
    }
  });
});
