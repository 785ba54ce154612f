/**
 * How often a replay looks at its signal and reports progress: spaced by the clock rather
 * than by a fixed number of packets, so that slow packets do not leave Ctrl-C and the
 * progress line waiting for thousands of them, and light ones do not read the clock each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRuleset } from '../../src/compile/index.js';
import { checkInterval, PROGRESS_EVERY, replayCapture, replayedTables } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText } from '../../src/rules/index.js';
import { filterRules, serverHost, writeCapture, type Pkt } from '../analysis/packets.js';

const dir = mkdtempSync(join(tmpdir(), 'nfr-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `n` UDP datagrams from a client to the server, 1 ms apart. */
function capture(name: string, n: number): string {
  const pkts: Pkt[] = Array.from({ length: n }, (_, i) => ({ t: i / 1000, src: '192.0.2.20', dst: '192.0.2.1', proto: 'udp', sport: 1024 + i, dport: 53 }));
  return writeCapture(join(dir, name), pkts);
}

/** Spins for `ms` of wall-clock time: a packet that costs at least that much. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * The packet counts onProgress saw replaying `file`, each packet taking at least `packetMs`
 * (0: as fast as the replay goes), stopped by the signal once `stopAfter` packets are read.
 */
async function progressCounts(file: string, packetMs: number, stopAfter = Infinity): Promise<{ counts: number[]; read: number; interrupted: boolean }> {
  const ruleset = loadRulesetText(filterRules('-A INPUT -p udp --dport 53 -j ACCEPT'), { source: 'rules' }).ruleset;
  const host = hostFromJson(JSON.parse(serverHost()) as object, 'host');
  const counts: number[] = [];
  const signal = { aborted: false };
  const summary = await replayCapture({
    capture: file,
    ruleset,
    host,
    classify: createClassifier(host),
    runner: (rt) => compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) }),
    onVerdict: packetMs > 0 ? () => spin(packetMs) : undefined,
    onProgress: (packets) => {
      counts.push(packets);
      if (packets >= stopAfter) signal.aborted = true;
    },
    signal,
  });
  return { counts, read: summary.packetsRead, interrupted: summary.interrupted === true };
}

describe('checkInterval', () => {
  it('doubles while packets are cheap, up to the bound', () => {
    let n = 1;
    const seen = [n];
    for (let i = 0; i < 15; i++) seen.push((n = checkInterval(n, 0.001 * n, 20, 4096)));
    expect(seen.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(n).toBe(4096);
    // A clock too coarse to see the time pass: the bound's pace too.
    expect(checkInterval(64, 0, 20, 4096)).toBe(128);
  });

  it('scales to the target time when packets are slow, never below one packet', () => {
    // 4,096 packets took 12 s (3 ms each): 20 ms is 6 packets.
    expect(checkInterval(4096, 12_000, 20, 4096)).toBe(6);
    expect(checkInterval(6, 300, 20, 4096)).toBe(1);
    expect(checkInterval(1, 0.5, 20, 4096)).toBe(2);
  });
});

describe('progress and the signal', () => {
  it('look every 20 ms or so when each packet takes a millisecond, from the first packets on', async () => {
    const { counts, read, interrupted } = await progressCounts(capture('slow.pcap', 300), 1);
    expect(interrupted).toBe(false);
    expect(read).toBe(300);
    // The first checks come after 1, 2, 4... packets; none is more than 20 packets (of at least
    // 1 ms each) after the one before: the interval is scaled to 20 ms by the time it took.
    expect(counts.slice(0, 3)).toEqual([1, 3, 7]);
    const gaps = counts.slice(1).map((c, i) => c - counts[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(20);
    expect(counts.length).toBeGreaterThanOrEqual(300 / 20);
  });

  it('stops soon after the signal when packets are slow, with a summary of the packets read', async () => {
    const { counts, read, interrupted } = await progressCounts(capture('stop.pcap', 2000), 1, 100);
    expect(interrupted).toBe(true);
    // Seen at the check after the one that set it: within 20 packets, far from PROGRESS_EVERY.
    const setAt = counts.find((c) => c >= 100)!;
    expect(read).toBeGreaterThan(setAt);
    expect(read).toBeLessThanOrEqual(setAt + 20);
    expect(read).toBeLessThan(PROGRESS_EVERY);
  });

  it('reads the clock at most every PROGRESS_EVERY packets once packets are light', async () => {
    const { counts } = await progressCounts(capture('light.pcap', 100_000), 0);
    const gaps = counts.slice(1).map((c, i) => c - counts[i]!);
    expect(Math.max(...gaps)).toBe(PROGRESS_EVERY);
  });
});
