// Generator of Docker-style rulesets: what `iptables-save` shows on a host where Docker 20.10
// to 27 (bridge driver, iptables backend, default daemon options) runs N containers on the
// default bridge docker0 (172.17.0.0/16), each publishing a port on every host address
// (`-p HOSTPORT:PORT`). The layout is the one libnetwork programs:
//   - filter: FORWARD (policy DROP, which dockerd sets when it enables forwarding) jumps to
//     DOCKER-USER (a lone RETURN: dropped only in Docker 28) and DOCKER-ISOLATION-STAGE-1/2,
//     accepts RELATED,ESTABLISHED towards the bridge, hands what goes to the bridge to DOCKER
//     (one ACCEPT per published port: the container's address and port, arriving from
//     outside the bridge), and accepts what leaves the bridge;
//   - nat: PREROUTING and OUTPUT jump to DOCKER for local destinations (OUTPUT not for
//     127.0.0.0/8: the userland proxy is on by default, so no hairpin NAT), POSTROUTING
//     masquerades the bridge's subnet leaving it and each published port's hairpin, DOCKER
//     returns what comes from the bridge and DNATs each host port to its container.
// Chains in libiptc's order (built-in, then user chains by name), rules in the order dockerd
// adds them; checked against iptables-legacy-save by test/bench/docker.test.ts.
// Deterministic: the same options give the same bytes.
//
//   node bench/gen/docker.mjs [--containers=100] [--out=FILE]
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const BRIDGE = 'docker0';
const SUBNET = '172.17.0.0/16';
const SUBNET_BASE = (172 << 24) | (17 << 16);
/** The ports containers listen on, in turn; every tenth container is a DNS server (UDP). */
const TCP_PORTS = [80, 443, 8080, 3000, 5432, 6379, 9000, 8000, 27017];
const DNS_EVERY = 10;
/** First host port: container i is published on HOST_PORT_BASE + i. */
const HOST_PORT_BASE = 10000;

function ip(n) {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * The host such a ruleset runs on: it forwards between the outside (eth0, default route)
 * and the bridge, which holds the subnet's first address as dockerd sets it.
 */
export const DOCKER_HOST = {
  interfaces: [
    { name: 'eth0', addr: '203.0.113.1/24' },
    { name: BRIDGE, addr: '172.17.0.1/16' },
  ],
  forward: true,
  routes: [{ dst: '0.0.0.0/0', dev: 'eth0', via: '203.0.113.254' }],
};

/**
 * The containers of a generated ruleset: bridge address (IPAM hands them out in order from
 * .2, .1 being the bridge's own), protocol, container port and host port.
 */
export function dockerContainers(containers) {
  if (!(Number.isInteger(containers) && containers >= 1 && containers <= 65533)) throw new Error(`dockerContainers: 1 to 65533 containers on a /16, not ${containers}`);
  return Array.from({ length: containers }, (_, i) => {
    const dns = i % DNS_EVERY === DNS_EVERY - 1;
    return { addr: ip((SUBNET_BASE + 2 + i) >>> 0), proto: dns ? 'udp' : 'tcp', port: dns ? 53 : TCP_PORTS[i % TCP_PORTS.length], hostPort: HOST_PORT_BASE + i };
  });
}

/** The ruleset (filter and nat) as iptables-save prints it, without its comment lines. */
export function generateDocker({ containers = 100 } = {}) {
  const list = dockerContainers(containers);
  const filterDocker = list.map((c) => `-A DOCKER -d ${c.addr}/32 ! -i ${BRIDGE} -o ${BRIDGE} -p ${c.proto} -m ${c.proto} --dport ${c.port} -j ACCEPT`);
  const natHairpin = list.map((c) => `-A POSTROUTING -s ${c.addr}/32 -d ${c.addr}/32 -p ${c.proto} -m ${c.proto} --dport ${c.port} -j MASQUERADE`);
  const natDnat = list.map((c) => `-A DOCKER ! -i ${BRIDGE} -p ${c.proto} -m ${c.proto} --dport ${c.hostPort} -j DNAT --to-destination ${c.addr}:${c.port}`);
  const filter = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    `-A FORWARD -o ${BRIDGE} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A FORWARD -o ${BRIDGE} -j DOCKER`,
    `-A FORWARD -i ${BRIDGE} ! -o ${BRIDGE} -j ACCEPT`,
    `-A FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT`,
  ].concat(filterDocker, [
    `-A DOCKER-ISOLATION-STAGE-1 -i ${BRIDGE} ! -o ${BRIDGE} -j DOCKER-ISOLATION-STAGE-2`,
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    `-A DOCKER-ISOLATION-STAGE-2 -o ${BRIDGE} -j DROP`,
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -j RETURN',
    'COMMIT',
  ]);
  const nat = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    `-A POSTROUTING -s ${SUBNET} ! -o ${BRIDGE} -j MASQUERADE`,
  ].concat(natHairpin, [`-A DOCKER -i ${BRIDGE} -j RETURN`], natDnat, ['COMMIT']);
  return filter.concat(nat, ['']).join('\n');
}

/**
 * The stateless part of a generated ruleset, for replays whose packets must be independent
 * (parallel replay): its filter table without the RELATED,ESTABLISHED rule, and no nat table.
 * What it sees is what FORWARD sees after DOCKER's DNAT: traffic to the containers' bridge
 * addresses and ports; unlike the whole ruleset, every packet of a connection (not only its
 * first) walks the DOCKER chain.
 */
export function dockerFilterRuleset(containers) {
  const text = generateDocker({ containers });
  const filter = text.slice(0, text.indexOf('COMMIT\n') + 'COMMIT\n'.length);
  const stateful = `-A FORWARD -o ${BRIDGE} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n`;
  if (!filter.includes(stateful)) throw new Error('dockerFilterRuleset: the RELATED,ESTABLISHED rule is not where it was');
  return filter.replace(stateful, '');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const text = generateDocker({ containers: Number(args.containers ?? 100) });
  if (args.out) writeFileSync(args.out, text);
  else process.stdout.write(text);
}
