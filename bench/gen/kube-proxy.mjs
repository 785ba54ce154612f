// Generator of kube-proxy-style rulesets (iptables mode): N services x M endpoints with
// the real chain layout (KUBE-SERVICES -> KUBE-SVC-* -> statistic ladder -> KUBE-SEP-*
// with KUBE-MARK-MASQ and DNAT, NodePorts, KUBE-POSTROUTING MASQUERADE). Deterministic:
// the same options give the same bytes.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy names chains by a base32 digest of the service port name. */
function chainSuffix(text) {
  const digest = createHash('sha256').update(text).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}

function ip(n) {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** kube-proxy's probability text: 1/(remaining endpoints) with 11 decimals. */
function probability(remaining) {
  return (1 / remaining).toFixed(11);
}

export function generateKubeProxy({ services = 10, endpoints = 3, nodePortEvery = 4 } = {}) {
  const filter = [];
  const natChains = ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES'];
  const clusterBase = (10 << 24) | (96 << 16); // 10.96.0.0/12
  const podBase = (10 << 24) | (244 << 16); // 10.244.0.0/16
  const svcRules = [];
  const nodePortRules = [];
  const perService = [];
  for (let s = 0; s < services; s++) {
    const ns = `ns${s % 50}`;
    const name = `svc${s}`;
    const portName = 'http';
    const proto = s % 5 === 4 ? 'udp' : 'tcp';
    const port = s % 5 === 4 ? 53 : 80 + (s % 3);
    const vip = ip(clusterBase + 10 + s);
    const svcName = `${ns}/${name}:${portName}`;
    const svc = `KUBE-SVC-${chainSuffix(svcName + proto)}`;
    natChains.push(svc);
    svcRules.push(
      `-A KUBE-SERVICES -d ${vip}/32 -p ${proto} -m comment --comment "${svcName} cluster IP" -m ${proto} --dport ${port} -j ${svc}`,
    );
    if (nodePortEvery > 0 && s % nodePortEvery === 0) {
      const nodePort = 30000 + (s % 2768);
      nodePortRules.push(`-A KUBE-NODEPORTS -p ${proto} -m comment --comment "${svcName}" -m ${proto} --dport ${nodePort} -j KUBE-EXT-${chainSuffix(svcName + 'ext')}`);
      natChains.push(`KUBE-EXT-${chainSuffix(svcName + 'ext')}`);
      perService.push(
        `-A KUBE-EXT-${chainSuffix(svcName + 'ext')} -m comment --comment "masquerade traffic for ${svcName} external destinations" -j KUBE-MARK-MASQ`,
        `-A KUBE-EXT-${chainSuffix(svcName + 'ext')} -j ${svc}`,
      );
    }
    perService.push(`-A ${svc} ! -s 10.244.0.0/16 -d ${vip}/32 -p ${proto} -m comment --comment "${svcName} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`);
    const seps = [];
    for (let e = 0; e < endpoints; e++) {
      const podIp = ip(podBase + ((s * endpoints + e) % 65000) + 2);
      const sep = `KUBE-SEP-${chainSuffix(`${svcName}${proto}${podIp}`)}`;
      natChains.push(sep);
      seps.push({ sep, podIp });
      const remaining = endpoints - e;
      const stat = remaining > 1 ? ` -m statistic --mode random --probability ${probability(remaining)}` : '';
      perService.push(`-A ${svc} -m comment --comment "${svcName} -> ${podIp}:${port}"${stat} -j ${sep}`);
    }
    for (const { sep, podIp } of seps) {
      perService.push(
        `-A ${sep} -s ${podIp}/32 -m comment --comment "${svcName}" -j KUBE-MARK-MASQ`,
        `-A ${sep} -p ${proto} -m comment --comment "${svcName}" -m ${proto} -j DNAT --to-destination ${podIp}:${port}`,
      );
    }
  }
  filter.push(
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':KUBE-FIREWALL - [0:0]',
    ':KUBE-FORWARD - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    '-A INPUT -j KUBE-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT',
  );
  // concat, not push(...): spreading 100k lines overflows the call stack.
  const natHead = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
  ];
  const natMid = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ];
  const nodePortsJump =
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS';
  const nat = natHead.concat(
    natChains.map((c) => `:${c} - [0:0]`),
    natMid,
    svcRules,
    [nodePortsJump],
    nodePortRules,
    perService,
    ['COMMIT'],
  );
  return filter.concat(nat, ['']).join('\n');
}

/** Number of -A lines in a generated ruleset. */
export function countRules(text) {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('-A ')) n++;
  return n;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const text = generateKubeProxy({ services: Number(args.services ?? 10), endpoints: Number(args.endpoints ?? 3) });
  if (args.out) writeFileSync(args.out, text);
  else process.stdout.write(text);
  process.stderr.write(`${countRules(text)} rules\n`);
}
