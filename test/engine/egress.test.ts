/**
 * The capture's outgoing packets against the replay's decisions (egress-compare.ts): the
 * comparer on its own with made-up decisions, then captures/router-any.pcap, which a real
 * router without rules recorded with `tcpdump -i any` (every forwarded packet in on one
 * interface, out on the other with its TTL one lower, as the kernel forwarded it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRuleset } from '../../src/compile/index.js';
import { EgressComparer } from '../../src/engine/egress-compare.js';
import { replayCapture } from '../../src/engine/replay.js';
import { PacketView } from '../../src/decode/view.js';
import { createClassifier, loadHostFile } from '../../src/netfilter/index.js';
import { loadRulesetText } from '../../src/rules/index.js';

const ROOT = join(__dirname, '..', '..');
const CAPTURE = join(ROOT, 'captures', 'router-any.pcap');
const HOST = join(ROOT, 'captures', 'router-any.host.json');

function view(p: { src: number; dst: number; id: number; ttl: number; len?: number; proto?: number }): PacketView {
  const v = new PacketView();
  v.srcAddr = p.src;
  v.dstAddr = p.dst;
  v.ipId = p.id;
  v.ttl = p.ttl;
  v.totalLength = p.len ?? 60;
  v.protocol = p.proto ?? 6;
  v.df = true;
  v.mf = false;
  v.fragOffset = 0;
  return v;
}

const ACCEPTED = { verdict: 'ACCEPT' };
const FORWARD_DROP = { verdict: 'DROP', droppedAt: { hook: 'FORWARD', table: 'filter' } };

describe('EgressComparer', () => {
  const a = { src: 0xc6336414, dst: 0xcb007114, ttl: 64 };

  it('pairs each copy seen leaving with the decision for its arrival', () => {
    const c = new EgressComparer();
    c.decided(view({ ...a, id: 1 }), 1, true, 'eth1', 63, 60, ACCEPTED);
    c.observed(view({ ...a, id: 1, ttl: 63 }), 2, 'eth1');
    c.decided(view({ ...a, id: 2 }), 3, false, 'eth1', 63, 60, FORWARD_DROP);
    c.observed(view({ ...a, id: 2, ttl: 63 }), 4, 'eth1');
    c.decided(view({ ...a, id: 3 }), 5, true, 'eth0', 63, 60, ACCEPTED);
    c.observed(view({ ...a, id: 3, ttl: 63 }), 6, 'eth1');
    c.decided(view({ ...a, id: 4 }), 7, true, 'eth1', 62, 60, ACCEPTED);
    c.observed(view({ ...a, id: 4, ttl: 63 }), 8, 'eth1');
    c.observed(view({ ...a, id: 99, ttl: 63 }), 9, 'eth1');
    const r = c.finish();
    expect(r).toMatchObject({ observed: 5, matched: 1, predictedDropped: 1, differs: 2, unexplained: 1, notObserved: 0, interfaces: ['eth1'] });
    expect(r.examples.map((e) => [e.kind, e.packet, e.arrival])).toEqual([
      ['predicted-dropped', 4, 3],
      ['differs', 6, 5],
      ['differs', 8, 7],
      ['unexplained', 9, 0],
    ]);
    expect(r.examples[0]!.detail).toContain('DROP in filter FORWARD');
    expect(r.examples[1]!.detail).toContain('out of eth0');
  });

  it('counts forwarded packets never seen leaving only on interfaces the capture watched', () => {
    const c = new EgressComparer();
    c.decided(view({ ...a, id: 1 }), 1, true, 'eth1', 63, 60, ACCEPTED);
    c.observed(view({ ...a, id: 1, ttl: 63 }), 2, 'eth1');
    c.decided(view({ ...a, id: 2 }), 3, true, 'eth1', 63, 60, ACCEPTED);
    // eth2 never shows a packet leaving: the capture did not watch it.
    c.decided(view({ ...a, id: 3 }), 4, true, 'eth2', 63, 60, ACCEPTED);
    const r = c.finish();
    expect(r).toMatchObject({ observed: 1, matched: 1, notObserved: 1 });
    expect(r.examples).toEqual([expect.objectContaining({ kind: 'not-observed', arrival: 3 })]);
  });

  it('pairs retransmissions with the same identification in order, and forgets decisions past its window', () => {
    const c = new EgressComparer();
    c.decided(view({ ...a, id: 7 }), 1, true, 'eth1', 63, 60, ACCEPTED);
    c.decided(view({ ...a, id: 7 }), 2, false, 'eth1', 63, 60, FORWARD_DROP);
    c.observed(view({ ...a, id: 7, ttl: 63 }), 3, 'eth1');
    c.observed(view({ ...a, id: 7, ttl: 63 }), 4, 'eth1');
    expect(c.finish()).toMatchObject({ matched: 1, predictedDropped: 1 });

    const d = new EgressComparer();
    d.decided(view({ ...a, id: 1 }), 1, true, 'eth1', 63, 60, ACCEPTED);
    for (let i = 0; i < 1024; i++) d.decided(view({ ...a, id: 1000 + i }), 2 + i, false, 'eth1', 63, 60, FORWARD_DROP);
    d.observed(view({ ...a, id: 1, ttl: 63 }), 5000, 'eth1');
    expect(d.finish()).toMatchObject({ unexplained: 1, notObserved: 1, matched: 0 });
  });
});

describe('EgressComparer with re-fragmented datagrams', () => {
  const a = { src: 0xc6336414, dst: 0xcb007114, ttl: 64 };
  const frag = (offset: number, mf: boolean, len: number): PacketView => {
    const v = view({ ...a, id: 9, ttl: 63, len, proto: 17 });
    v.df = false;
    v.mf = mf;
    v.fragOffset = offset;
    return v;
  };

  it('pairs every fragment seen leaving with the decision for the datagram conntrack reassembled', () => {
    const c = new EgressComparer();
    const whole = view({ ...a, id: 9, len: 3028, proto: 17 });
    whole.df = false;
    c.decided(whole, 3, true, 'eth1', 63, 3028, ACCEPTED, true);
    c.observed(frag(0, true, 1276), 4, 'eth1');
    c.observed(frag(1256, true, 1276), 5, 'eth1');
    c.observed(frag(2512, false, 516), 6, 'eth1');
    expect(c.finish()).toMatchObject({ observed: 3, matched: 3, unexplained: 0, notObserved: 0, differs: 0 });
  });

  it('still reports a re-fragmented datagram never seen leaving, and fragments leaving by another interface', () => {
    const c = new EgressComparer();
    c.decided(view({ ...a, id: 9, len: 3028, proto: 17 }), 3, true, 'eth1', 63, 3028, ACCEPTED, true);
    c.decided(view({ ...a, id: 10, len: 3028, proto: 17 }), 4, true, 'eth1', 63, 3028, ACCEPTED, true);
    c.observed(frag(0, true, 1276), 5, 'eth2');
    const r = c.finish();
    expect(r).toMatchObject({ observed: 1, differs: 1, notObserved: 0 });
    // eth1 was never seen carrying anything: its datagrams are not counted as missing.
    expect(r.interfaces).toEqual(['eth2']);
  });
});

async function replayRouter(rules: string) {
  const ruleset = loadRulesetText(rules, { source: 'rules' }).ruleset;
  const host = loadHostFile(HOST);
  return replayCapture({ capture: CAPTURE, ruleset, host, classify: createClassifier(host), runner: (rt) => compileRuleset(ruleset, rt) });
}

const filter = (...rules: string[]): string => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');

describe('a router capture (tcpdump -i any on the forwarding host)', () => {
  it('without rules, every copy seen leaving is what the replay forwarded (interface, TTL, length)', async () => {
    const s = await replayRouter(filter());
    expect(s.skipped).toEqual({ 'outgoing-observed': 21 });
    expect(s.egress).toMatchObject({ observed: 21, matched: 21, differs: 0, predictedDropped: 0, unexplained: 0, notObserved: 0, interfaces: ['eth0', 'eth1'] });
  });

  it('a rule the capture contradicts shows as packets seen leaving that the replay dropped', async () => {
    const s = await replayRouter(filter('-A FORWARD -p tcp -m tcp --dport 7 -j DROP'));
    // The client's TCP segments to port 7: 8 of the 11 forwarded TCP packets.
    expect(s.egress).toMatchObject({ observed: 21, matched: 13, predictedDropped: 8, unexplained: 0, notObserved: 0 });
    expect(s.egress!.examples.every((e) => e.kind === 'predicted-dropped' && e.packet === e.arrival + 1)).toBe(true);
  });

  it('the CLI prints the comparison and the first mismatches on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-egress-'));
    const rules = join(dir, 'rules.v4');
    writeFileSync(rules, filter('-A FORWARD -p icmp -j DROP'));
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', CAPTURE, '--rules', rules, '--host', HOST], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toContain('nfreplay: egress: 21 forwarded packets seen leaving (eth0, eth1), 15 as the replay forwarded them, 6 the replay did not forward\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/nfreplay: {3}#2 predicted-dropped: seen leaving eth1; the replay did not forward #1: DROP in filter FORWARD\n/);
  });
});
