/**
 * Synthetic kube-proxy services (iptables mode) added to a kube-proxy ruleset, for the
 * capacity report's question "what would this traffic cost with S services": the same
 * capture replayed through the ruleset grown to S services, the added ones in kube-proxy's
 * own rule shapes and at addresses and ports the capture does not use, so that only the
 * rules the traffic walks past (KUBE-SERVICES, KUBE-NODEPORTS) grow.
 *
 * The shapes are those kube-proxy writes for a ClusterIP service port (pkg/proxy/iptables
 * proxier.go): a KUBE-SERVICES rule per service port jumping to KUBE-SVC-<hash>, that chain
 * marking traffic from outside the cluster CIDR for masquerade and choosing an endpoint by a
 * `statistic --mode random` ladder, one KUBE-SEP-<hash> chain per endpoint (masquerade mark
 * for hairpin, DNAT); every fourth service also a NodePort (KUBE-NODEPORTS rule jumping to
 * KUBE-EXT-<hash>). Chain names are kube-proxy's: the prefix and 16 base32 characters of a
 * SHA-256 of the service port name and protocol.
 *
 * Position: kube-proxy writes KUBE-SERVICES in the order it iterates its service map, which
 * carries no meaning; the added rules are spread evenly between the existing service rules,
 * so each existing one has on average as many added rules before it as in a random order
 * (half of them), and the NodePort jump stays last, as kube-proxy requires.
 */
import { createHash } from 'node:crypto';
import { loadRulesetText } from '../rules/index.js';
import { targetName, type Rule, type Ruleset, type Table } from '../rules/model.js';
import { ruleSpec } from '../rules/save.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** kube-proxy's default service CIDR, 10.96.0.0/12: added services take its addresses from the top down. */
const SERVICE_CIDR_TOP = ((10 << 24) | (111 << 16) | (255 << 8) | 254) >>> 0;
const SERVICE_CIDR_BOTTOM = ((10 << 24) | (96 << 16)) >>> 0;
/** Pods of the added services' endpoints (never addressed: nothing reaches their chains). */
const POD_BASE = ((10 << 24) | (244 << 16)) >>> 0;
const CLUSTER_CIDR = '10.244.0.0/16';
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
/** Comment text that tells the NodePort jump, the last rule of KUBE-SERVICES. */
const NODEPORTS_NOTE = 'this must be the last rule in this chain';

/** kube-proxy's chain-name hash: base32 of SHA-256, first 16 characters. */
function hash16(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 16) break;
  }
  return out;
}

function dotted(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The service count of a kube-proxy ruleset (its KUBE-SVC-* chains), or undefined when it is none. */
export function kubeServiceCount(ruleset: Ruleset): number | undefined {
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  if (nat === undefined || !nat.chains.has('KUBE-SERVICES')) return undefined;
  let n = 0;
  for (const name of nat.chains.keys()) if (name.startsWith('KUBE-SVC-')) n++;
  return n;
}

/** What growRuleset added: rules to check for hits (the capture must not reach them). */
export interface AddedServices {
  services: number;
  rules: Rule[];
}

/**
 * Adds `count` services to the kube-proxy ruleset `ruleset` (changed in place), each with
 * `endpoints` endpoints. Throws when the ruleset has no nat KUBE-SERVICES chain.
 */
export function addServices(ruleset: Ruleset, count: number, endpoints: number): AddedServices {
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  const services = nat?.chains.get('KUBE-SERVICES');
  if (nat === undefined || services === undefined) throw new Error('not a kube-proxy ruleset: no nat KUBE-SERVICES chain');
  if (count <= 0) return { services: 0, rules: [] };
  const used = usedValues(nat);
  const text = servicesText(count, endpoints, used, nat.chains.has('KUBE-NODEPORTS'));
  const added = loadRulesetText(text, { source: 'synthetic kube-proxy services', format: 'restore' }).ruleset.tables.find((t) => t.name === 'nat')!;
  const rules: Rule[] = [];
  for (const chain of added.chains.values()) {
    if (chain.builtin) continue;
    rules.push(...chain.rules);
    const mine = nat.chains.get(chain.name);
    if (mine === undefined) nat.chains.set(chain.name, chain);
    else if (chain.name === 'KUBE-SERVICES') mine.rules = interleave(mine.rules, chain.rules);
    else mine.rules.push(...chain.rules);
  }
  return { services: count, rules };
}

/** The addresses, node ports and chain names the ruleset's nat table already uses. */
function usedValues(nat: Table): { addresses: Set<number>; ports: Set<number>; chains: Set<string> } {
  const addresses = new Set<number>();
  const ports = new Set<number>();
  for (const chain of nat.chains.values()) {
    for (const rule of chain.rules) {
      if (rule.ip.dmsk === 0xffffffff) addresses.add(rule.ip.dst >>> 0);
      if (chain.name === 'KUBE-NODEPORTS') {
        const m = /--dport (\d+)/.exec(ruleSpec(rule));
        if (m !== null) ports.add(Number(m[1]));
      }
    }
  }
  return { addresses, ports, chains: new Set(nat.chains.keys()) };
}

/** The added services as an iptables-restore nat table (every chain declared). */
function servicesText(count: number, endpoints: number, used: ReturnType<typeof usedValues>, nodePorts: boolean): string {
  const chains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ'];
  const rules: string[] = [];
  let vip = SERVICE_CIDR_TOP;
  let nodePort = NODE_PORT_MAX;
  for (let s = 0; s < count; s++) {
    while (used.addresses.has(vip)) vip--;
    if (vip < SERVICE_CIDR_BOTTOM) throw new Error('no service addresses left in 10.96.0.0/12');
    const addr = dotted(vip--);
    const name = `nfreplay-synthetic/svc-${s}:port`;
    const proto = s % 5 === 4 ? 'udp' : 'tcp';
    const port = proto === 'udp' ? 53 : [80, 443, 8080][s % 3]!;
    const svc = uniqueChain(`KUBE-SVC-${hash16(name + proto)}`, used.chains);
    chains.push(svc);
    rules.push(`-A KUBE-SERVICES -d ${addr}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j ${svc}`);
    rules.push(`-A ${svc} ! -s ${CLUSTER_CIDR} -d ${addr}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`);
    if (nodePorts && s % 4 === 0) {
      while (used.ports.has(nodePort)) nodePort--;
      if (nodePort >= NODE_PORT_MIN) {
        const ext = uniqueChain(`KUBE-EXT-${hash16(name + proto)}`, used.chains);
        chains.push(ext);
        rules.push(`-A KUBE-NODEPORTS -p ${proto} -m comment --comment "${name}" -m ${proto} --dport ${nodePort--} -j ${ext}`);
        rules.push(`-A ${ext} -m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`);
        rules.push(`-A ${ext} -j ${svc}`);
      }
    }
    const seps: string[] = [];
    for (let e = 0; e < endpoints; e++) {
      const pod = dotted(POD_BASE + ((s * endpoints + e) % 65000) + 2);
      const sep = uniqueChain(`KUBE-SEP-${hash16(`${name}${proto}${pod}:${port}`)}`, used.chains);
      chains.push(sep);
      const left = endpoints - e;
      const ladder = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      rules.push(`-A ${svc} -m comment --comment "${name} -> ${pod}:${port}"${ladder} -j ${sep}`);
      seps.push(`-A ${sep} -s ${pod}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`, `-A ${sep} -p ${proto} -m comment --comment "${name}" -m ${proto} -j DNAT --to-destination ${pod}:${port}`);
    }
    rules.push(...seps);
  }
  return ['*nat', ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
}

/** `name`, or it with a suffix when the ruleset has that chain already (never in practice). */
function uniqueChain(name: string, taken: Set<string>): string {
  let out = name;
  for (let k = 2; taken.has(out); k++) out = `${name.slice(0, 24)}-${k}`;
  taken.add(out);
  return out;
}

/** The NodePort jump: KUBE-SERVICES' last rule, jumping to KUBE-NODEPORTS. */
function isNodePortsJump(rule: Rule): boolean {
  return targetName(rule.target) === 'KUBE-NODEPORTS' || ruleSpec(rule).includes(NODEPORTS_NOTE);
}

/**
 * The existing KUBE-SERVICES rules with the added ones spread among them: before the i-th
 * of the S existing service rules, ⌊(i+1)·K/(S+1)⌋ added ones in all; the rest after the
 * last, then the NodePort jump and whatever followed it.
 */
function interleave(existing: Rule[], added: Rule[]): Rule[] {
  const cut = existing.findIndex(isNodePortsJump);
  const head = cut < 0 ? existing : existing.slice(0, cut);
  const tail = cut < 0 ? [] : existing.slice(cut);
  const out: Rule[] = [];
  let k = 0;
  head.forEach((rule, i) => {
    const before = Math.floor(((i + 1) * added.length) / (head.length + 1));
    while (k < before) out.push(added[k++]!);
    out.push(rule);
  });
  while (k < added.length) out.push(added[k++]!);
  return out.concat(tail);
}

/** Rules of every chain of the ruleset. */
export function ruleCount(ruleset: Ruleset): number {
  let n = 0;
  for (const t of ruleset.tables) for (const c of t.chains.values()) n += c.rules.length;
  return n;
}

/** Endpoints per service of the ruleset (its KUBE-SEP-* jumps per KUBE-SVC-* chain), rounded; 3 without services. */
export function endpointsPerService(ruleset: Ruleset): number {
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  let services = 0;
  let endpoints = 0;
  for (const chain of nat?.chains.values() ?? []) {
    if (!chain.name.startsWith('KUBE-SVC-')) continue;
    services++;
    endpoints += chain.rules.filter((r: Rule) => targetName(r.target).startsWith('KUBE-SEP-')).length;
  }
  return services === 0 ? 3 : Math.max(1, Math.round(endpoints / services));
}
