/**
 * Evaluating matches and targets allocates nothing per packet: after a warm-up, hundreds
 * of thousands of evaluations over a mix of packets (fragments, short and cut headers
 * included) leave the young generation as it was, with no scavenge. LOG is left out (a
 * log line is a new string), and so are the stateful matches' first sightings of a key
 * (the kernel allocates an entry too); the packets repeat, so every key exists.
 */
import { measureAllocation } from '../../support/alloc.js';
import { describe, expect, it } from 'vitest';
import type { PacketState } from '../../../src/engine/packet.js';
import { ether, icmpHeader, ipv4, matchOf, packetOf, targetOf, tcpHeader, tcpPacket, TestRuntime, udpPacket } from './helpers.js';

/** A runtime that keeps nothing per event (the recording one grows arrays). */
class QuietRuntime extends TestRuntime {
  noted = 0;
  private readonly state = Uint32Array.of(2463534242);
  override note(): void {
    this.noted++;
  }
  override random32(): number {
    const s = this.state;
    s[0] ^= s[0]! << 13;
    s[0] ^= s[0]! >>> 17;
    s[0] ^= s[0]! << 5;
    return s[0]!;
  }
}



const MATCHES = [
  '-p tcp -m tcp --sport 1024: --dport 22 --tcp-flags SYN,ACK SYN --tcp-option 2',
  '-p udp -m udp ! --dport 53',
  '-p icmp -m icmp --icmp-type echo-request',
  '-p tcp -m multiport --dports 22,80,8000:8080',
  '-p sctp -m multiport --sports 5000:6000',
  '-m mark --mark 0x4/0x4',
  '-m length ! --length 40:100',
  '-m ttl --ttl-gt 10',
  '-m pkttype ! --pkt-type unicast',
  '-m mac ! --mac-source 02:11:22:33:44:55',
  '-m iprange --src-range 192.0.2.0-192.0.2.127',
  '-p tcp -m tcpmss --mss 1000:1500',
  '-m dscp ! --dscp 0',
  '-m tos --tos 0x10/0x3f',
  '-p tcp -m ecn --ecn-tcp-ece',
  '-p sctp -m sctp --dport 7 --chunk-types all DATA,SACK',
  '-p esp -m esp --espspi 256',
  '-m comment --comment x',
  '-m statistic --mode nth --every 3 --packet 1',
  '-m statistic --mode random --probability 0.5',
  '-m quota --quota 100000000000',
  '-m limit --limit 100/sec --limit-burst 5',
  '-m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip,dstport --hashlimit-name a',
  '-m hashlimit --hashlimit-upto 1kb/s --hashlimit-name b',
  '-m recent --update --seconds 60 --hitcount 2 --name r',
  '-m time --timestart 01:00 --timestop 23:00 --weekdays Mon,Tue,Wed --monthdays 1,2,3',
];

const TARGETS = ['-j MARK --set-xmark 0x5/0xf', '-j TTL --ttl-dec 1', '-j TOS --set-tos 0x10', '-j DSCP --set-dscp 10', '-p tcp -j TCPMSS --set-mss 1200'];

describe('extension allocation', () => {
  it('evaluates 300k packets without allocating', async () => {
    const rt = new QuietRuntime();
    const matches = MATCHES.map((t) => {
      const { ext, state } = matchOf(t);
      return { ext, state, inst: ext.instantiate?.(state, rt) };
    });
    const targets = TARGETS.map((t) => {
      const { ext, state } = targetOf(t.includes('TCPMSS') ? `--syn ${t}`.replace('--syn -p tcp', '-p tcp --syn') : t, 'mangle', 'FORWARD');
      return { ext, state, inst: ext.instantiate?.(state, rt) };
    });
    const sctp = [0x13, 0x88, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 17, ...new Array(16).fill(0), 3, 0, 0, 16, ...new Array(12).fill(0)];
    const pkts: PacketState[] = [
      tcpPacket({ dport: 22, options: [2, 4, 5, 0xb4] }, { tos: 0x10 }, { mark: 4 }),
      tcpPacket({ dport: 80, flags: 0x52 }),
      tcpPacket({ doff: 4 }),
      udpPacket({ dport: 53 }, { src: '192.0.2.200' }),
      packetOf(ether(ipv4({ proto: 1, l4: icmpHeader() }))),
      packetOf(ether(ipv4({ proto: 6, frag: 1, l4: new Uint8Array(16) }))),
      packetOf(ether(ipv4({ proto: 6, l4: tcpHeader({ dport: 22 }) })), { caplen: 14 + 20 + 8 }),
      packetOf(ether(ipv4({ proto: 132, l4: Uint8Array.from(sctp) }))),
      packetOf(ether(ipv4({ proto: 50, l4: Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 1]) }))),
    ];
    for (const p of pkts) p.tsSec = 1709251200;
    const run = (count: number): number => {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const p = pkts[i % pkts.length]!;
        p.hotdrop = false;
        for (let k = 0; k < matches.length; k++) {
          const m = matches[k]!;
          if (m.ext.matchPacket!(m.state, p, rt, m.inst)) sum++;
        }
        for (let k = 0; k < targets.length; k++) {
          const t = targets[k]!;
          sum += t.ext.applyTarget!(t.state, p, rt, t.inst);
        }
      }
      return sum;
    };
    const result = await measureAllocation(run, 100_000, 300_000);
    expect(result.grown).toBeLessThan(256 * 1024);
    expect(result.scavenges).toBe(0);
  });
});
