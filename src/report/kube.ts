/**
 * Per-service endpoint balance of a kube-proxy (iptables mode) ruleset after a replay.
 * kube-proxy writes, for each service port, a chain KUBE-SVC-* whose rules jump to one
 * KUBE-SEP-* chain per endpoint, all but the last behind `-m statistic --mode random
 * --probability p`, each commented "ns/svc:port -> ip:port"; the endpoint chain ends in
 * the DNAT. The nat table is traversed once per connection, so the DNAT rule's packet
 * counter is the number of connections that endpoint got. The share a connection has of
 * reaching each endpoint follows from the ladder: p1, (1 - p1) p2, ..., the rest.
 */
import { targetName, type Chain, type Rule, type Ruleset } from '../rules/model.js';
import { fractionText, type CounterValues } from '../rules/values.js';
import { STATISTIC_MODE, type StatisticState } from '../rules/ext/statistic.js';
import type { PathStep } from '../engine/trace.js';

export interface EndpointBalance {
  /** "ip:port" from the rule's comment (or the KUBE-SEP chain name without one). */
  endpoint: string;
  chain: string;
  /** Probability a new connection reaches it, from the statistic ladder. */
  probability: number;
  /** Connections it got in the replay (its DNAT rule's packet counter; fractional when expected). */
  connections: number;
}

export interface ServiceBalance {
  /** "ns/svc:port" from the comments. */
  service: string;
  chain: string;
  connections: number;
  endpoints: EndpointBalance[];
}

const ARROW = / -> /;

function commentOf(rule: Rule): string {
  for (const m of rule.matches) if (m.ext.name === 'comment') return (m.state as { text: string }).text;
  return '';
}

/** The probability a `-m statistic --mode random` match lets through (1 without one). */
function probabilityOf(rule: Rule): number {
  let p = 1;
  for (const m of rule.matches) {
    if (m.ext.name !== 'statistic') continue;
    const s = m.state as StatisticState;
    if (s.mode !== STATISTIC_MODE.RANDOM) return NaN;
    const q = Math.min(1, s.probability / 2 ** 31);
    p *= s.invert ? 1 - q : q;
  }
  return p;
}

/** Connections the endpoint chain's DNAT rule counted (in `values` when given). */
function dnatCount(chain: Chain | undefined, values: CounterValues | undefined): number {
  if (chain === undefined) return 0;
  for (const r of chain.rules) {
    if (r.target.kind !== 'ext' || r.target.instance.ext.name !== 'DNAT') continue;
    return values !== undefined ? values(r.counters)[0] : Number(r.counters.packets);
  }
  return 0;
}

/**
 * Every KUBE-SVC-* chain of the nat table with its endpoints; [] for a ruleset without
 * them. `values`: the counters to read instead of the model's (expected ones).
 */
export function kubeBalance(ruleset: Ruleset, values?: CounterValues): ServiceBalance[] {
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  if (nat === undefined) return [];
  const out: ServiceBalance[] = [];
  for (const chain of nat.chains.values()) {
    if (!chain.name.startsWith('KUBE-SVC-')) continue;
    let remaining = 1;
    const endpoints: EndpointBalance[] = [];
    let service = '';
    for (const rule of chain.rules) {
      const target = targetName(rule.target);
      if (rule.target.kind !== 'jump' || !target.startsWith('KUBE-SEP-')) continue;
      const text = commentOf(rule);
      const [name, endpoint] = ARROW.test(text) ? text.split(ARROW) : [text, target];
      if (service === '') service = name!;
      const p = probabilityOf(rule);
      endpoints.push({ endpoint: endpoint!, chain: target, probability: remaining * p, connections: dnatCount(nat.chains.get(target), values) });
      remaining *= 1 - p;
    }
    if (endpoints.length === 0) continue;
    out.push({ service: service || chain.name, chain: chain.name, connections: endpoints.reduce((n, e) => n + e.connections, 0), endpoints });
  }
  return out.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** One line per service, then one per endpoint: expected share and what the replay gave. */
export function kubeBalanceText(services: readonly ServiceBalance[]): string {
  const lines: string[] = [];
  for (const s of services) {
    lines.push(`${s.service} (${s.chain}): ${fractionText(s.connections)} connection${s.connections === 1 ? '' : 's'}`);
    for (const e of s.endpoints) {
      const share = s.connections > 0 ? ((100 * e.connections) / s.connections).toFixed(1) : '-';
      lines.push(`  ${e.endpoint} (${e.chain}): ${fractionText(e.connections)} (${share}%), expected ${(100 * e.probability).toFixed(1)}%`);
    }
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

/** A connection that entered a service's endpoint ladder: where the seeded draw sent it. */
export interface ServiceConnection {
  packet: number;
  /** The KUBE-SVC-* chain it entered and the KUBE-SEP-* chain drawn ('' when none was). */
  service: string;
  endpoint: string;
}

/**
 * From a packet's path (the rules it hit, `--verdicts`' path), the service ladders its
 * connection went through in the nat table: one per KUBE-SVC-* chain entered.
 */
export function serviceConnections(packet: number, path: readonly PathStep[], out: ServiceConnection[]): void {
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    if (step.table !== 'nat' || step.target === undefined || !step.target.startsWith('KUBE-SVC-')) continue;
    const service = step.target;
    let endpoint = '';
    for (let j = i + 1; j < path.length; j++) {
      const s = path[j]!;
      if (s.chain === service && s.target !== undefined && s.target.startsWith('KUBE-SEP-')) {
        endpoint = s.target;
        break;
      }
    }
    out.push({ packet, service, endpoint });
  }
}

/**
 * `--statistic enumerate`: every connection that entered a service, with every endpoint it
 * could have reached (and the ladder's chance of each) and the one the seeded draw chose.
 */
export function enumerateText(services: readonly ServiceBalance[], connections: readonly ServiceConnection[]): string {
  const byChain = new Map(services.map((s) => [s.chain, s]));
  const lines: string[] = [];
  for (const c of connections) {
    const s = byChain.get(c.service);
    if (s === undefined) continue;
    const could = s.endpoints.map((e) => `${e.endpoint} (${(100 * e.probability).toFixed(1)}%)`).join(', ');
    const drawn = s.endpoints.find((e) => e.chain === c.endpoint)?.endpoint ?? 'none';
    lines.push(`packet ${c.packet}: ${s.service} could reach ${could}; drawn ${drawn}`);
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}
