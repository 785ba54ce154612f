/**
 * LOG lines against the kernel: every case of fixtures/log-kernel.json is a frame and the
 * line the reference kernel wrote for it (recorded by fixtures/record-log.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Verdict } from '../../../src/engine/packet.js';
import type { LogState } from '../../../src/rules/ext/LOG.js';
import { hexBytes } from '../../decode/helpers.js';
import { packetOf, targetOf, TestRuntime } from './helpers.js';

interface LogCase {
  frame: string;
  hex: string;
  prefix: string;
  level: number;
  flags: number;
  hook: 'PREROUTING' | 'FORWARD' | 'POSTROUTING';
  inIface: string;
  outIface: string;
  mark: number;
  line: string;
}

const { cases } = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'log-kernel.json'), 'utf8')) as { cases: LogCase[] };

const FLAG_OPTIONS: ReadonlyArray<readonly [number, string]> = [
  [0x01, '--log-tcp-sequence'],
  [0x02, '--log-tcp-options'],
  [0x04, '--log-ip-options'],
  [0x08, '--log-uid'],
  [0x20, '--log-macdecode'],
];

function logRule(c: LogCase): string {
  const opts = FLAG_OPTIONS.filter(([bit]) => c.flags & bit).map(([, o]) => o);
  return `-j LOG --log-prefix "${c.prefix}" --log-level ${c.level} ${opts.join(' ')}`;
}

describe('LOG target against lines the kernel wrote', () => {
  it('has cases for every kind of packet recorded', () => {
    expect(new Set(cases.map((c) => c.frame)).size).toBeGreaterThanOrEqual(25);
  });

  for (const c of cases) {
    it(`${c.prefix.trim()} ${c.frame}`, () => {
      const { ext, state } = targetOf<LogState>(logRule(c), 'mangle', c.hook);
      const pkt = packetOf(hexBytes(c.hex), { hook: c.hook, inIface: c.inIface, outIface: c.outIface, mark: c.mark });
      // ip_forward decrements the TTL before the FORWARD hook; the engine shows it so.
      if (c.hook !== 'PREROUTING') pkt.ttl--;
      const rt = new TestRuntime();
      expect(ext.applyTarget!(state, pkt, rt, undefined)).toBe(Verdict.CONTINUE);
      expect(rt.logs).toEqual([{ level: c.level, line: c.line }]);
      expect(rt.notes).toEqual([]);
    });
  }
});
