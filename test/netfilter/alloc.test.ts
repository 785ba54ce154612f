/**
 * The path decision allocates nothing per packet: after a warm-up, half a million
 * classifications of a mix of placements and routing outcomes run without the young
 * generation growing and without a scavenge. (Alone in its file: other tests' pending
 * I/O would allocate during the measurement.)
 */
import { measureAllocation } from '../support/alloc.js';
import { describe, expect, it } from 'vitest';
import type { PacketView } from '../../src/decode/index.js';
import { hostFromJson } from '../../src/netfilter/hostfile.js';
import { PathClassifier } from '../../src/netfilter/path.js';
import { captureIface, ethPacket, viewOf } from './helpers.js';


describe('allocation', () => {
  it('classifies 500k packets without allocating', async () => {
    const h = hostFromJson({
      interfaces: [
        { name: 'eth0', addr: '198.51.100.1/24', mac: '02:00:00:00:00:01' },
        { name: 'eth1', addrs: ['203.0.113.1/24'], mac: '02:00:00:00:00:02', index: 5 },
        { name: 'eth2', addr: '10.0.0.1/8' },
      ],
      forward: true,
      routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '198.51.100.254' }],
      ingress_rules: [{ src: '192.0.2.0/25', dev: 'eth2' }],
    });
    const c = new PathClassifier(h);
    const ifaces = [captureIface(0, 'eth1'), captureIface(1, 'lo')];
    const samples: { view: PacketView; id: number; dir: 0 | 1 | 2 }[] = [
      { view: viewOf(ethPacket({ src: '192.0.2.5', dst: '10.9.9.9' }), 1), id: -1, dir: 0 },
      { view: viewOf(ethPacket({ src: '8.8.8.8', dst: '203.0.113.1', dstMac: '02:00:00:00:00:02' }), 1, 1), id: 0, dir: 1 },
      { view: viewOf(ethPacket({ src: '198.51.100.7', dst: '203.0.113.9' }), 1), id: -1, dir: 0 },
      { view: viewOf(ethPacket({ src: '198.51.100.1', dst: '8.8.8.8' }), 1, 2), id: 0, dir: 2 },
      { view: viewOf(ethPacket({ src: '127.0.0.1', dst: '127.0.0.1' }), 1), id: 1, dir: 0 },
      { view: viewOf(ethPacket({ src: '198.51.100.7', dst: '224.0.0.1', dstMac: '01:00:5e:00:00:01' }), 1), id: -1, dir: 0 },
      { view: viewOf(ethPacket({ src: '8.8.8.8', dst: '127.0.0.1' }), 1), id: -1, dir: 0 },
    ];
    const meta = { interfaceId: 0, direction: 0 as 0 | 1 | 2, linktype: 1 };
    const run = (count: number): number => {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const s = samples[i % samples.length]!;
        meta.interfaceId = s.id;
        meta.direction = s.dir;
        sum += c.classify(s.view, meta, ifaces).pktType;
      }
      return sum;
    };
    const result = await measureAllocation(run, 200_000, 500_000);
    expect(result.grown).toBeLessThan(256 * 1024);
    expect(result.scavenges).toBe(0);
  });
});
