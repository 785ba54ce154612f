/**
 * compileMatch against matchPacket: for random rules of every compiled match and random
 * packet views (fields chosen around the rules' bounds, fragments, short and cut headers,
 * any packet type and mark), the inlined expression built through Scope gives the same
 * answer and the same hotdrop as the kernel function.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L4State, PacketView } from '../../../src/decode/view.js';
import { PacketState } from '../../../src/engine/packet.js';
import { compiled, hotdropped, matchOf, TestRuntime } from './helpers.js';

const port = fc.oneof(fc.constantFrom(0, 1, 22, 53, 79, 80, 81, 1023, 1024, 8080, 65534, 65535), fc.integer({ min: 0, max: 65535 }));
const byte = fc.integer({ min: 0, max: 255 });
const addr = fc.oneof(
  fc.constantFrom(0, 0xc0000201, 0xc0000280, 0xc00002ff, 0xc6336401, 0xe00000fb, 0xffffffff, 0x0a000001),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const inv = fc.constantFrom('', '! ');

function range(p: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return fc.oneof(p.map(String), fc.tuple(p, p).map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`));
}

const tcpRule = fc
  .record({
    sport: fc.option(fc.tuple(inv, range(port)), { nil: undefined }),
    dport: fc.option(fc.tuple(inv, range(port)), { nil: undefined }),
    flags: fc.option(
      fc.oneof(
        fc.tuple(inv, fc.constant('--syn')).map(([i, s]) => `${i}${s}`),
        fc
          .tuple(inv, fc.subarray(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG']), fc.subarray(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG']))
          .map(([i, m, c]) => `${i}--tcp-flags ${m.join(',') || 'NONE'} ${c.join(',') || 'NONE'}`),
      ),
      { nil: undefined },
    ),
    option: fc.option(fc.tuple(inv, fc.integer({ min: 1, max: 255 })), { nil: undefined }),
  })
  .map((r) => {
    let t = '-p tcp -m tcp';
    if (r.sport) t += ` ${r.sport[0]}--sport ${r.sport[1]}`;
    if (r.dport) t += ` ${r.dport[0]}--dport ${r.dport[1]}`;
    if (r.flags) t += ` ${r.flags}`;
    if (r.option) t += ` ${r.option[0]}--tcp-option ${r.option[1]}`;
    return t;
  });

const udpRule = fc
  .tuple(fc.option(fc.tuple(inv, range(port)), { nil: undefined }), fc.option(fc.tuple(inv, range(port)), { nil: undefined }))
  .map(([s, d]) => `-p udp -m udp${s ? ` ${s[0]}--sport ${s[1]}` : ''}${d ? ` ${d[0]}--dport ${d[1]}` : ''}`);

const icmpRule = fc
  .tuple(
    inv,
    fc.oneof(
      fc.constantFrom('any', 'echo-request', 'destination-unreachable', 'port-unreachable', 'time-exceeded', 'redirect'),
      fc.tuple(fc.integer({ min: 0, max: 20 }), fc.option(range(fc.integer({ min: 0, max: 255 })), { nil: undefined })).map(([t, c]) => (c ? `${t}/${c}` : `${t}`)),
    ),
  )
  .map(([i, t]) => `-p icmp -m icmp ${i}--icmp-type ${t}`);

const multiportRule = fc
  .tuple(
    fc.constantFrom('tcp', 'udp', 'sctp'),
    inv,
    fc.constantFrom('--sports', '--dports', '--ports'),
    fc.array(fc.oneof(port.map(String), fc.tuple(port, port).filter(([a, b]) => a !== b).map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`)), { minLength: 1, maxLength: 7 }),
  )
  .map(([p, i, o, items]) => `-p ${p} -m multiport ${i}${o} ${items.join(',')}`);

const markRule = fc
  .tuple(inv, fc.integer({ min: 0, max: 0xffffffff }), fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }))
  .map(([i, v, m]) => `-m mark ${i}--mark 0x${v.toString(16)}${m === undefined ? '' : `/0x${m.toString(16)}`}`);

const ipText = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
const iprangeRule = fc
  .tuple(
    fc.option(fc.tuple(inv, addr, addr), { nil: undefined }),
    fc.option(fc.tuple(inv, addr, addr), { nil: undefined }),
  )
  .filter(([s, d]) => s !== undefined || d !== undefined)
  .map(([s, d]) => {
    let t = '-m iprange';
    if (s) t += ` ${s[0]}--src-range ${ipText(s[1])}-${ipText(s[2])}`;
    if (d) t += ` ${d[0]}--dst-range ${ipText(d[1])}-${ipText(d[2])}`;
    return t;
  });

const lengthRule = fc
  .tuple(inv, fc.integer({ min: 0, max: 1600 }), fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }))
  .map(([i, a, b]) => `-m length ${i}--length ${a}${b === undefined ? '' : `:${b}`}`);

const ttlRule = fc
  .tuple(fc.constantFrom('--ttl-eq', '! --ttl-eq', '--ttl-lt', '--ttl-gt'), byte)
  .map(([o, n]) => `-m ttl ${o} ${n}`);

const pkttypeRule = fc
  .tuple(inv, fc.constantFrom('unicast', 'broadcast', 'multicast', 'otherhost'))
  .map(([i, t]) => `-m pkttype ${i}--pkt-type ${t}`);

const commentRule = fc.string({ maxLength: 20 }).map((s) => `-m comment --comment "${s.replace(/["\\\n]/g, '')}"`);

/** A packet as the compiled code sees it, fields set directly (not necessarily a consistent packet). */
const packetState = fc
  .record({
    fragOffset: fc.constantFrom(0, 0, 0, 8, 16, 1480),
    ihl: fc.constantFrom(5, 5, 6, 15),
    l4Length: fc.integer({ min: 0, max: 80 }),
    cut: fc.integer({ min: 0, max: 80 }),
    truncated: fc.boolean(),
    srcPort: port,
    dstPort: port,
    tcpFlags: byte,
    tcpDataOffset: fc.integer({ min: 0, max: 15 }),
    icmpType: fc.oneof(fc.integer({ min: 0, max: 20 }), byte),
    icmpCode: fc.oneof(fc.integer({ min: 0, max: 5 }), byte),
    srcAddr: addr,
    dstAddr: addr,
    ttl: byte,
    mark: fc.oneof(fc.constantFrom(0, 1, 0xc, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })),
    length: fc.oneof(fc.integer({ min: 20, max: 1600 }), fc.integer({ min: 0, max: 65535 })),
    pktType: fc.integer({ min: 0, max: 5 }),
    bytes: fc.uint8Array({ minLength: 140, maxLength: 140 }),
  })
  .map((r) => {
    const v = new PacketView();
    v.l3Offset = 2;
    v.ihl = r.ihl;
    v.fragOffset = r.fragOffset;
    v.totalLength = r.ihl * 4 + r.l4Length;
    v.truncated = r.truncated;
    if (r.fragOffset === 0) {
      v.l4Length = r.l4Length;
      v.l4Captured = r.truncated ? Math.min(r.cut, r.l4Length) : r.l4Length;
      v.l4Offset = v.l3Offset + r.ihl * 4;
      v.l4State = L4State.PARTIAL;
    }
    // What the decoder fills in depends on how much of the header it had.
    const captured = r.fragOffset === 0 ? v.l4Captured : -1;
    v.srcPort = captured >= 4 ? r.srcPort : -1;
    v.dstPort = captured >= 4 ? r.dstPort : -1;
    v.tcpFlags = captured >= 20 ? r.tcpFlags : -1;
    v.tcpDataOffset = captured >= 20 ? r.tcpDataOffset : -1;
    v.icmpType = captured >= 2 ? r.icmpType : -1;
    v.icmpCode = captured >= 2 ? r.icmpCode : -1;
    v.srcAddr = r.srcAddr;
    v.dstAddr = r.dstAddr;
    v.ttl = r.ttl;
    const pkt = new PacketState();
    pkt.view = v;
    pkt.data = r.bytes;
    pkt.mark = r.mark;
    pkt.length = r.length;
    pkt.pktType = r.pktType;
    pkt.ttl = r.ttl;
    return pkt;
  });

function clone(p: PacketState): PacketState {
  const q = new PacketState();
  Object.assign(q, p);
  return q;
}

const CASES: ReadonlyArray<readonly [string, fc.Arbitrary<string>]> = [
  ['tcp', tcpRule],
  ['udp', udpRule],
  ['icmp', icmpRule],
  ['multiport', multiportRule],
  ['mark', markRule],
  ['iprange', iprangeRule],
  ['length', lengthRule],
  ['ttl', ttlRule],
  ['pkttype', pkttypeRule],
  ['comment', commentRule],
];

describe('compiled matches agree with matchPacket', () => {
  for (const [name, rule] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(rule, fc.array(packetState, { minLength: 1, maxLength: 12 }), (text, pkts) => {
          const { ext, state } = matchOf(text, name);
          const fn = compiled(ext, state).fn;
          const rt = new TestRuntime();
          for (const p of pkts) {
            const a = clone(p);
            const b = clone(p);
            const want = ext.matchPacket!(state, a, rt, undefined);
            const got = fn(b);
            expect(got, `${text}`).toBe(want);
            expect(hotdropped(b)).toBe(hotdropped(a));
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('writes rule values only as literals', () => {
    const { ext, state } = matchOf('-p tcp -m tcp ! --dport 80:90 --tcp-flags SYN,ACK SYN', 'tcp');
    const { source } = compiled(ext, state);
    expect(source).toContain('v1.dstPort < 80 || v1.dstPort > 90');
    expect(source).toContain('(v1.tcpFlags & 18) === 2');
  });
});
