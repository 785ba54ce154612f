/**
 * Every modelled match against the kernel at once: fixtures/match-kernel.json holds a chain
 * of counting rules (mangle PREROUTING), the frames sent through it and the counters the
 * kernel kept (recorded by fixtures/record-matches.sh). The chain is walked here as
 * ipt_do_table walks it: a rule's matches in order up to the first that fails, the rule
 * counted when all match, and a hotdrop ending the packet after the rule it happened in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PktType } from '../../../src/engine/packet.js';
import { hexBytes } from '../../decode/helpers.js';
import { hostOf, hotdropped, packetOf, ruleOf, TestRuntime } from './helpers.js';

interface Matrix {
  inMac: string;
  tsSec: number;
  rules: string[];
  frames: Array<{ name: string; hex: string }>;
  counts: Array<[number, number]>;
  policy: [number, number];
}

const m = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'match-kernel.json'), 'utf8')) as Matrix;

function pktTypeOf(frame: Uint8Array, inMac: string): number {
  const dst = [...frame.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  if (dst === 'ff:ff:ff:ff:ff:ff') return PktType.BROADCAST;
  if (frame[0]! & 1) return PktType.MULTICAST;
  return dst === inMac ? PktType.HOST : PktType.OTHERHOST;
}

describe('match matrix against the kernel counters', () => {
  const rt = new TestRuntime(
    hostOf([
      { name: 'lo', addr: '127.0.0.1', len: 8 },
      { name: 'vb', addr: '198.51.100.1', len: 24 },
      { name: 'd0', addr: '203.0.113.1', len: 24 },
    ]),
  );
  const rules = m.rules.map((text) => ruleOf(`-i vb ${text}`, 'mangle', 'PREROUTING'));
  const insts = rules.map((r) => ({
    matches: r.matches.map((x) => x.ext.instantiate?.(x.state, rt)),
    target: r.target.kind === 'ext' ? r.target.instance.ext.instantiate?.(r.target.instance.state, rt) : undefined,
  }));
  const counts = rules.map(() => [0, 0] as [number, number]);
  const policy: [number, number] = [0, 0];
  m.frames.forEach((f, i) => {
    const bytes = hexBytes(f.hex);
    const pkt = packetOf(bytes, { hook: 'PREROUTING', inIface: 'vb', pktType: pktTypeOf(bytes, m.inMac), tsSec: m.tsSec, nowNs: i * 10e6 });
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const ip = rule.ip;
      if (ip.proto !== 0 && (pkt.view.protocol === ip.proto) === ip.invProto) continue;
      const ok = rule.matches.every((x, k) => x.ext.matchPacket!(x.state, pkt, rt, insts[r]!.matches[k]));
      if (ok) {
        counts[r]![0]++;
        counts[r]![1] += pkt.length;
        if (rule.target.kind === 'ext') rule.target.instance.ext.applyTarget!(rule.target.instance.state, pkt, rt, insts[r]!.target);
      }
      if (hotdropped(pkt)) return;
    }
    policy[0]++;
    policy[1] += pkt.length;
  });

  m.rules.forEach((text, r) => {
    it(`${r + 1}: ${text}`, () => {
      expect(counts[r]).toEqual(m.counts[r]);
    });
  });
  it('policy', () => expect(policy).toEqual(m.policy));
});
