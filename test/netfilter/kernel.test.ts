/**
 * The host model against the real kernel. kernel/expected.json was recorded by
 * kernel/record.mjs from network namespaces configured as each layout of
 * kernel/layouts.json says: the local and main routing tables, the address type
 * xt_addrtype saw for each address (with and without --limit-iface-in), and which chains
 * counted each probe packet. Every layout is loaded here from the same host file and the
 * model must answer as the kernel did. As root (always in CI) the recording is made again
 * and must equal the committed file, so the fixture cannot drift from the kernel; so must
 * the sysctl defaults table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PktType } from '../../src/engine/packet.js';
import { cidrToString } from '../../src/netfilter/addr.js';
import { AddrType } from '../../src/netfilter/host.js';
import { hostFromJson } from '../../src/netfilter/hostfile.js';
import type { Host } from '../../src/netfilter/model.js';
import { PathClassifier, type PathDecision } from '../../src/netfilter/path.js';
// @ts-expect-error -- plain ESM module without type declarations
import { compare, preflight, recordAll } from './kernel/record.mjs';
// @ts-expect-error -- plain ESM module without type declarations
import { recordSysctls } from './kernel/sysctls.mjs';
import { SYSCTL_DEFAULTS } from '../../src/netfilter/sysctl-defaults.js';
import { captureIface, hexBytes, ipToInt, LINKTYPE_ETHERNET, LINKTYPE_RAW, viewOf } from './helpers.js';

interface Seen {
  pre: Record<string, number>;
  pkttype: Record<string, number>;
  input: number;
  forward: Record<string, number>;
  post: Record<string, number>;
  output: number;
  out: Record<string, number>;
  opkttype: Record<string, number>;
}
interface Probe {
  dev: string;
  src: string;
  dst: string;
  mac?: string;
  proto?: string;
}
interface Recorded {
  name: string;
  localTable: { type: string; dst: string; dev?: string; via?: string }[];
  mainTable: { type: string; dst: string; dev?: string; via?: string }[];
  addrtype: { addr: string; dev: string; type: string[]; limited: string[] }[];
  paths: { probe: Probe; hex: string; kernel: Seen }[];
  local: { probe: Probe; hex: string; sendError: string | null; kernel: Seen }[];
}
interface Layout {
  name: string;
  host: unknown;
  tun?: string[];
}

const HERE = join(__dirname, 'kernel');
const layouts = (JSON.parse(readFileSync(join(HERE, 'layouts.json'), 'utf8')) as { layouts: Layout[] }).layouts;
const expected = JSON.parse(readFileSync(join(HERE, 'expected.json'), 'utf8')) as { kernel: string; layouts: Recorded[] };

const TYPE_NAMES = Object.fromEntries(Object.entries(AddrType).map(([k, v]) => [v, k])) as Record<number, string>;
const ROUTE_TYPE: Record<number, string> = {
  [AddrType.UNICAST]: 'unicast',
  [AddrType.LOCAL]: 'local',
  [AddrType.BROADCAST]: 'broadcast',
  [AddrType.BLACKHOLE]: 'blackhole',
  [AddrType.UNREACHABLE]: 'unreachable',
  [AddrType.PROHIBIT]: 'prohibit',
};
const PKT_NAME: Record<number, string> = { [PktType.HOST]: 'unicast', [PktType.BROADCAST]: 'broadcast', [PktType.MULTICAST]: 'multicast' };

const sortedJson = (rows: object[]): string[] => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();

function emptySeen(): Seen {
  return { pre: {}, pkttype: {}, input: 0, forward: {}, post: {}, output: 0, out: {}, opkttype: {} };
}

/** The counters the kernel would show if the model's decision were the truth. */
function predictArrival(d: PathDecision): Seen {
  const s = emptySeen();
  if (d.kind === 'otherhost') return s;
  expect(d.kind).toBe('received');
  s.pre[d.inIface] = 1;
  s.pkttype[PKT_NAME[d.pktType]!] = 1;
  if (d.deliver === 'input') s.input = 1;
  if (d.deliver === 'forward') {
    s.forward[d.outIface] = 1;
    s.post[d.outIface] = 1;
  }
  return s;
}

function predictOwn(d: PathDecision, dst: number): Seen {
  const s = emptySeen();
  expect(d.kind).toBe('local');
  if (d.deliver.startsWith('drop-')) return s;
  s.output = 1;
  s.out[d.outIface] = 1;
  s.opkttype.unicast = 1;
  s.post[d.outIface] = d.loopback ? 2 : 1;
  if (d.deliver === 'input') {
    // Through lo and back in.
    s.pre.lo = 1;
    s.pkttype.unicast = 1;
    s.input = 1;
  } else if (d.loopback) {
    // The looped copy is PACKET_LOOPBACK, which -m pkttype calls multicast or broadcast.
    s.pre[d.outIface] = 1;
    s.pkttype[dst >>> 28 === 0xe ? 'multicast' : 'broadcast'] = 1;
    s.input = 1;
  }
  return s;
}

describe('the host model against the kernel', () => {
  it('covers every layout', () => {
    expect(expected.layouts.map((l) => l.name)).toEqual(layouts.map((l) => l.name));
  });

  for (const layout of layouts) {
    const rec = expected.layouts.find((l) => l.name === layout.name)!;
    describe(`layout ${layout.name}`, () => {
      const host: Host = hostFromJson(layout.host, layout.name);

      it('derives the local routing table the kernel builds', () => {
        const model = host.localRoutes.map((r) => ({ type: ROUTE_TYPE[r.type!]!, dst: cidrToString(r.dst, r.prefixLength), dev: r.dev }));
        expect(sortedJson(model)).toEqual(sortedJson(rec.localTable));
      });

      it('derives the main routing table the kernel builds', () => {
        const model = host.routes.map((r) => {
          const o: Record<string, string> = { type: ROUTE_TYPE[r.type ?? AddrType.UNICAST]! , dst: cidrToString(r.dst, r.prefixLength) };
          if (r.dev) o.dev = r.dev;
          if (r.via) o.via = [r.via >>> 24, (r.via >>> 16) & 255, (r.via >>> 8) & 255, r.via & 255].join('.');
          return o;
        });
        expect(sortedJson(model)).toEqual(sortedJson(rec.mainTable));
      });

      const typed = rec.addrtype.filter((a) => a.type.length > 0);
      if (typed.length > 0) {
        it.each(typed.map((a) => [a.addr, a.dev, a]))('addrtype of %s arriving on %s', (_addr, _dev, a) => {
          expect(a.type).toHaveLength(1);
          expect(TYPE_NAMES[host.addressType(ipToInt(a.addr))]).toBe(a.type[0]);
          expect(TYPE_NAMES[host.addressType(ipToInt(a.addr), a.dev)]).toBe(a.limited[0]);
        });
      }

      const classifier = new PathClassifier(host);
      const ifaces = host.interfaces.map((i, n) => captureIface(n, i.name, (layout.tun ?? []).includes(i.name) ? LINKTYPE_RAW : LINKTYPE_ETHERNET));

      it.each(rec.paths.map((p) => [`${p.probe.src} → ${p.probe.dst} on ${p.probe.dev}${p.probe.mac ? ` (${p.probe.mac} MAC)` : ''}${p.probe.proto ? ` ${p.probe.proto}` : ''}`, p]))(
        'arrival %s',
        (_name, p) => {
          const tun = (layout.tun ?? []).includes(p.probe.dev);
          const linktype = tun ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
          const view = viewOf(hexBytes(p.hex), linktype, 1);
          const id = ifaces.findIndex((c) => c.name === p.probe.dev);
          const d = classifier.classify(view, { interfaceId: id, direction: 1, linktype }, ifaces);
          expect(d.placedBy).toBe('capture');
          expect(predictArrival(d)).toEqual(p.kernel);
        },
      );

      if (rec.local.length > 0) {
        it.each(rec.local.map((p) => [`${p.probe.src} → ${p.probe.dst}`, p]))('sent by the host %s', (_name, p) => {
          const view = viewOf(hexBytes(p.hex), LINKTYPE_RAW);
          const d = classifier.classify(view, { interfaceId: -1, direction: 0, linktype: LINKTYPE_RAW });
          expect(d.placedBy).toBe('source');
          expect(predictOwn(d, ipToInt(p.probe.dst))).toEqual(p.kernel);
          expect(p.sendError !== null).toBe(d.deliver.startsWith('drop-'));
        });
      }
    });
  }
});

const problem: string | undefined = preflight() ?? undefined;
const inCi = process.env.CI === 'true' || process.env.CI === '1';

describe('the fixtures against the live kernel', () => {
  if (problem && !inCi) {
    it.skip(`skipped: ${problem}`, () => {});
    return;
  }
  it('kernel/expected.json records again exactly', async () => {
    expect(problem, 'CI must record the kernel (root, iproute2 and iptables are required)').toBeUndefined();
    const diffs: string[] = compare(await recordAll(), expected);
    expect(diffs).toEqual([]);
  }, 120_000);

  it('the sysctl defaults table is this kernel\'s', () => {
    // Sized from the machine's memory, not chosen by the kernel version.
    const sized = new Set(['net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets']);
    const live = (recordSysctls() as { values: Record<string, number> }).values;
    const strip = (o: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(o).filter(([k]) => !sized.has(k)));
    expect(strip(live)).toEqual(strip(SYSCTL_DEFAULTS));
  });
});
