/**
 * The acceptance core: every differential case replayed offline must give exactly what the
 * real kernel gave (expected.json, recorded by kernel.mjs) — the counters, the conntrack
 * table and the conntrack -E event lines in order (timeouts aside), and the IPv4 datagrams
 * that left each interface — with the compiled matcher and with the reference interpreter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRuleset, interpretRuleset } from '../../src/compile/index.js';
import { replayCapture, replayedTables } from '../../src/engine/replay.js';
import { conntrackEventLine, conntrackLine, type ConntrackEventKind } from '../../src/conntrack/listing.js';
import type { ConnEntry } from '../../src/conntrack/entry.js';
// @ts-expect-error -- plain ESM module without type declarations
import { loadRecorder, normaliseEvent, normaliseIcmpErrorIdIp } from './kernel.mjs';
import { derandomize, readRandom } from './random.mjs';
import { EgressPcaps } from '../../src/engine/egress-pcaps.js';
import { openCapture } from '../../src/capture/reader.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createClassifier, loadHostFile } from '../../src/netfilter/index.js';
import { loadRulesetFile, saveRuleset } from '../../src/rules/index.js';

const CASES = join(__dirname, 'cases');

interface CaseResult {
  save: string[];
  /** Per interface, the IPv4 datagrams (hex) that left the host, in order. */
  egress: Record<string, string[]>;
  /** `conntrack -L` without the seconds left, sorted, as kernel.mjs records it; [] without conntrack. */
  conntrack: string[];
  /** `conntrack -E` lines in order, normalised as kernel.mjs records them. */
  events: string[];
}

async function replayCase(dir: string, runner: 'compiled' | 'interpreter'): Promise<CaseResult> {
  const { ruleset } = loadRulesetFile(join(dir, 'rules.v4'));
  // A case whose recorder let the host's own replies through is replayed with them.
  const rejectReplies = (loadRecorder(dir) as { ownReplies: string }).ownReplies === 'pass';
  const host = loadHostFile(join(dir, 'host.json'));
  let conntrack: string[] = [];
  const out = mkdtempSync(join(tmpdir(), 'nfr-egress-'));
  const pcaps = new EgressPcaps(out, host, PcapWriter.open);
  const events: string[] = [];
  const event = (kind: ConntrackEventKind, e: ConnEntry, nowNs: number): void => {
    events.push(normaliseEvent(conntrackEventLine(kind, e, nowNs)));
  };
  await replayCapture({
    conntrackEvents: {
      onNew: (e, p) => event('NEW', e, p.nowNs),
      onUpdate: (e, p) => event('UPDATE', e, p.nowNs),
      onDestroy: (e, atNs) => event('DESTROY', e, atNs),
    },
    onEgress: (pkt, iface) => pcaps.write(pkt, iface),
    onConntrack: (ct) => {
      conntrack = [...ct.table.entries]
        .filter((e) => e.expiresNs > ct.nowNs)
        .map((e) => conntrackLine(e, ct.nowNs, false).split(/\s+/).join(' '))
        .sort();
    },
    capture: join(dir, 'capture.pcap'),
    rejectReplies,
    icmpErrors: rejectReplies,
    ruleset,
    host,
    classify: createClassifier(host),
    runner: (rt) =>
      runner === 'compiled'
        ? compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) })
        : interpretRuleset(ruleset, rt, { tables: replayedTables(ruleset) }),
  });
  pcaps.close();
  const egress: Record<string, string[]> = {};
  for (const f of readdirSync(out).sort()) {
    const iface = /^egress-(.+)\.pcap$/.exec(f)![1]!;
    const reader = await openCapture(join(out, f));
    const frames: string[] = [];
    await reader.forEach((rec) => {
      const skip = rec.linktype === 1 ? 14 : 0;
      const ip = Buffer.from(rec.data.subarray(rec.offset + skip, rec.offset + rec.caplen)).toString('hex');
      // As the recorder has them (kernel.mjs): an ICMP error's IP id, which the kernel picks, zeroed.
      frames.push(rejectReplies ? (normaliseIcmpErrorIdIp(ip) as string) : ip);
    });
    egress[iface] = frames;
  }
  rmSync(out, { recursive: true, force: true });
  return { save: saveRuleset(ruleset, { counters: true }).split('\n').filter((l) => l !== ''), conntrack, events, egress };
}

/** The kernel's egress frames as IPv4 datagrams: Ethernet header off, padding after the total length off. */
function datagrams(frames: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [iface, list] of Object.entries(frames ?? {})) {
    const ip = list.filter((h) => h.slice(24, 28) === '0800').map((h) => h.slice(28)).map((h) => h.slice(0, 2 * parseInt(h.slice(4, 8), 16)));
    if (ip.length > 0) out[iface] = ip;
  }
  return out;
}

/** Per table, so the comparison does not depend on the order tables were instantiated. */
function byTable(lines: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let table = '';
  for (const l of lines) {
    if (l.startsWith('#')) continue;
    if (l.startsWith('*')) table = l.slice(1);
    (out[table] ??= []).push(l);
  }
  return out;
}

const cases = readdirSync(CASES).sort();

describe('offline replay equals the kernel', () => {
  for (const name of cases) {
    const dir = join(CASES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      saveCounters: string[];
      conntrackInUse?: boolean;
      conntrackEntries?: string[];
      conntrackEvents?: string[];
      egress?: Record<string, string[]>;
    };
    for (const runner of ['compiled', 'interpreter'] as const) {
      it(`${name} (${runner})`, async () => {
        const got = await replayCase(dir, runner);
        // A case whose rules draw at random compares what the draws leave comparable (random.mjs).
        const random = readRandom(dir);
        const kernel = derandomize(
          {
            saveCounters: expected.saveCounters,
            conntrackEntries: expected.conntrackInUse ? expected.conntrackEntries : [],
            conntrackEvents: expected.conntrackInUse ? expected.conntrackEvents : [],
            egress: datagrams(expected.egress),
          },
          random,
          0,
        );
        const replay = derandomize({ saveCounters: got.save, conntrackEntries: got.conntrack, conntrackEvents: got.events, egress: got.egress }, random, 0);
        expect(byTable(replay.saveCounters)).toEqual(byTable(kernel.saveCounters));
        expect(replay.conntrackEntries).toEqual(kernel.conntrackEntries);
        expect(replay.conntrackEvents).toEqual(kernel.conntrackEvents);
        expect(replay.egress).toEqual(kernel.egress);
        expect(replay.randomDraws).toEqual(kernel.randomDraws);
        if (random) expect(replay.randomDraws.everyEndpointDrawn).toBe(true);
      });
    }
  }
});
