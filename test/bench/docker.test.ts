/**
 * bench/gen/docker.mjs, the Docker-style workload: its text is what iptables-legacy-save
 * prints after restoring it, and the stateless filter part counts, on a capture generated to
 * the published ports, what an independent reading of the same packets says each rule sees.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { generateCapture } from '../../bench/gen/capture.mjs';
// @ts-expect-error: a plain .mjs script without type declarations
import { DOCKER_HOST, dockerContainers, dockerFilterRuleset, generateDocker } from '../../bench/gen/docker.mjs';
import { openCapture } from '../../src/capture/reader.js';
import { compileRuleset, interpretRuleset } from '../../src/compile/index.js';
import { decode, DecodeEvents, DecodeResult, PacketView } from '../../src/decode/index.js';
import { ReplayContext } from '../../src/engine/context.js';
import { replayCapture } from '../../src/engine/replay.js';
import { createClassifier, hostFromJson } from '../../src/netfilter/index.js';
import { loadRulesetText } from '../../src/rules/index.js';
import type { Ruleset } from '../../src/rules/model.js';
import { which } from '../support/tools.mjs';

interface Container {
  addr: string;
  proto: 'tcp' | 'udp';
  port: number;
  hostPort: number;
}

const CONTAINERS = 12;
const dir = mkdtempSync(join(tmpdir(), 'nfr-docker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tables of iptables-save text, each its lines, keyed by table name. */
function tables(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('*')) out.set(line.slice(1), (current = []));
    current.push(line.replace(/ \[\d+:\d+\]$/, ' [0:0]'));
  }
  return out;
}

const num = (dotted: string) => dotted.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;

describe('Docker-style rulesets', () => {
  it('are deterministic, one published port per container on the default bridge', () => {
    expect(generateDocker({ containers: CONTAINERS })).toBe(generateDocker({ containers: CONTAINERS }));
    const list = dockerContainers(CONTAINERS) as Container[];
    expect(list[0]).toEqual({ addr: '172.17.0.2', proto: 'tcp', port: 80, hostPort: 10000 });
    expect(list.filter((c) => c.proto === 'udp')).toEqual([{ addr: '172.17.0.11', proto: 'udp', port: 53, hostPort: 10009 }]);
    expect(() => dockerContainers(65534)).toThrow(/1 to 65533 containers/);
    const text = generateDocker({ containers: CONTAINERS }) as string;
    expect(text).toContain('-A DOCKER -d 172.17.0.11/32 ! -i docker0 -o docker0 -p udp -m udp --dport 53 -j ACCEPT\n');
    expect(text).toContain('-A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:80\n');
    // The stateless part: the filter table without its one conntrack rule, and nothing else.
    const stateless = tables(dockerFilterRuleset(CONTAINERS) as string);
    expect([...stateless.keys()]).toEqual(['filter']);
    const filter = tables(text).get('filter')!;
    expect(filter.filter((l) => l.includes('conntrack'))).toEqual(['-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']);
    expect(stateless.get('filter')).toEqual(filter.filter((l) => !l.includes('conntrack')));
  });

  const root = process.getuid?.() === 0;
  const ip = which('ip');
  it.skipIf(!root || !ip || !which('iptables-legacy-restore'))('are what iptables-legacy-save prints after restoring them', () => {
    const text = generateDocker({ containers: CONTAINERS }) as string;
    const ns = `nfr-docker-${process.pid}`;
    expect(spawnSync(ip!, ['netns', 'add', ns]).status).toBe(0);
    try {
      const restore = spawnSync(ip!, ['netns', 'exec', ns, 'iptables-legacy-restore'], { input: text, encoding: 'utf8' });
      expect(restore.status, restore.stderr).toBe(0);
      const save = spawnSync(ip!, ['netns', 'exec', ns, 'iptables-legacy-save'], { encoding: 'utf8' });
      expect(save.status, save.stderr).toBe(0);
      expect(tables(save.stdout)).toEqual(tables(text));
    } finally {
      spawnSync(ip!, ['netns', 'del', ns]);
    }
  });

  it('stateless part: each rule counts what the packets to the published ports and from the bridge are', async () => {
    const list = dockerContainers(CONTAINERS) as Container[];
    const capture = join(dir, 'docker.pcap');
    generateCapture({ out: capture, packets: 20000, seed: 3, services: list });

    // What each packet is, read independently of the rules: to a published port of a
    // container (which DOCKER rule), from the bridge, or neither (FORWARD's policy).
    const byService = new Map(list.map((c, i) => [`${num(c.addr)}/${c.proto === 'tcp' ? 6 : 17}/${c.port}`, i]));
    const bridge = (a: number) => a >>> 16 === (172 << 8) + 17;
    const expected = { docker: new Array<number>(list.length).fill(0), fromBridge: 0, policy: 0 };
    const reader = await openCapture(capture);
    const view = new PacketView();
    const events = new DecodeEvents();
    await reader.forEach((rec) => {
      if (decode(rec, view, events) !== DecodeResult.IPV4) return;
      if (bridge(view.srcAddr)) expected.fromBridge++;
      else {
        const i = byService.get(`${view.dstAddr >>> 0}/${view.protocol}/${view.dstPort}`);
        if (i === undefined) expected.policy++;
        else expected.docker[i]!++;
      }
    });
    expect(expected.docker.every((n) => n > 0)).toBe(true);

    const replay = async (interpreter: boolean) => {
      const ruleset: Ruleset = loadRulesetText(dockerFilterRuleset(CONTAINERS), { source: 'docker.v4' }).ruleset;
      const host = hostFromJson(DOCKER_HOST, 'docker host');
      await replayCapture({
        capture,
        ruleset,
        host,
        classify: createClassifier(host),
        runner: (rt: ReplayContext) => (interpreter ? interpretRuleset(ruleset, rt) : compileRuleset(ruleset, rt)),
      });
      const filter = ruleset.tables.find((t) => t.name === 'filter')!;
      const forward = filter.chains.get('FORWARD')!;
      return {
        docker: filter.chains.get('DOCKER')!.rules.map((r) => Number(r.counters.packets)),
        fromBridge: Number(forward.rules.find((r) => r.ip.iniface === 'docker0' && r.ip.invOut)!.counters.packets),
        policy: Number(forward.policyCounters.packets),
      };
    };
    expect(await replay(false)).toEqual(expected);
    expect(await replay(true)).toEqual(expected);
  });
});
