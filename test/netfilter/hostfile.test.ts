/**
 * The host file: defaults the kernel would apply, strict validation with positioned
 * errors, the sysctl table, and the model's lookups on hand-built layouts (the kernel
 * comparison is kernel.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/netfilter/errors.js';
import { AddrType } from '../../src/netfilter/host.js';
import { hostFromJson, loadHostFile, loadHostText } from '../../src/netfilter/hostfile.js';
import { parseJson } from '../../src/netfilter/json.js';
import { SYSCTL_DEFAULTS } from '../../src/netfilter/sysctl-defaults.js';
import { ipToInt } from './helpers.js';

const ROOT = join(__dirname, '..', '..');

function errorOf(text: string): HostError {
  try {
    loadHostText(text, 'host.json');
  } catch (e) {
    if (e instanceof HostError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('defaults', () => {
  const h = loadHostText('{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}, {"name": "eth1"}]}');

  it('lo always exists, index 1, 127.0.0.1/8; interfaces follow in file order from index 2', () => {
    expect(h.interfaces.map((i) => [i.name, i.index, i.mtu, i.mac])).toEqual([
      ['lo', 1, 65536, 0],
      ['eth0', 2, 1500, -1],
      ['eth1', 3, 1500, -1],
    ]);
    expect(h.interfaceByIndex(1)?.addrs).toEqual([{ addr: 0x7f000001, prefixLength: 8 }]);
    expect(h.interfaceByName('eth1')?.addrs).toEqual([]);
    expect(h.forward).toBe(false);
  });

  it('connected routes come from the addresses, as the kernel adds them', () => {
    expect(h.routes).toEqual([{ dst: ipToInt('198.51.100.0'), prefixLength: 24, dev: 'eth0', via: 0, type: AddrType.UNICAST, connected: true }]);
    expect(h.route(ipToInt('8.8.8.8'))).toBeUndefined();
    expect(h.route(ipToInt('198.51.100.9'))?.dev).toBe('eth0');
  });

  it('sysctls default to the kernel\'s values', () => {
    expect(h.sysctl('net.netfilter.nf_conntrack_tcp_loose')).toBe(1);
    expect(h.sysctl('net.netfilter.nf_conntrack_tcp_be_liberal')).toBe(0);
    expect(h.sysctl('net.netfilter.nf_conntrack_checksum')).toBe(1);
    expect(h.sysctl('net.netfilter.nf_conntrack_tcp_timeout_established')).toBe(432000);
    expect(h.sysctl('net.netfilter.nf_conntrack_udp_timeout')).toBe(30);
    expect(h.sysctl('net.netfilter.nf_conntrack_max')).toBeGreaterThan(0);
    expect(h.sysctl('net.ipv4.ip_forward')).toBe(0);
    expect(h.sysctl('net.ipv4.conf.eth0.rp_filter')).toBe(SYSCTL_DEFAULTS['net.ipv4.conf.default.rp_filter']);
  });
});

describe('the host file format', () => {
  it('reads the documented example', () => {
    const h = loadHostText(`{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"},
      {"name": "eth1", "addrs": ["203.0.113.1/24"], "mac": "02:00:00:00:00:01", "mtu": 1400, "index": 3}],
     "forward": true,
     "routes": [{"dst": "0.0.0.0/0", "dev": "eth0", "via": "198.51.100.254"}],
     "ingress_rules": [{"src": "192.0.2.0/24", "dev": "eth1"}, {"dst": "198.51.100.7/32", "dev": "local"}],
     "sysctls": {"net.netfilter.nf_conntrack_tcp_loose": 0}}`);
    expect(h.interfaceByName('eth1')).toMatchObject({ index: 3, mtu: 1400, mac: 0x020000000001 });
    expect(h.forward).toBe(true);
    expect(h.sysctl('net.ipv4.ip_forward')).toBe(1);
    expect(h.sysctl('net.ipv4.conf.eth1.forwarding')).toBe(1);
    expect(h.sysctl('net.netfilter.nf_conntrack_tcp_loose')).toBe(0);
    expect(h.route(ipToInt('8.8.8.8'))).toMatchObject({ dev: 'eth0', via: ipToInt('198.51.100.254'), prefixLength: 0 });
    expect(h.ingressRules).toEqual([
      { src: ipToInt('192.0.2.0'), srcPrefixLength: 24, dst: 0, dstPrefixLength: -1, dev: 'eth1' },
      { src: 0, srcPrefixLength: -1, dst: ipToInt('198.51.100.7'), dstPrefixLength: 32, dev: 'local' },
    ]);
  });

  it('routes: "default", a device from the gateway\'s subnet, reject types', () => {
    const h = hostFromJson({
      interfaces: [{ name: 'eth0', addr: '198.51.100.1/24' }, { name: 'eth1', addr: '203.0.113.1/24' }],
      routes: [
        { dst: 'default', via: '203.0.113.254' },
        { dst: '10.0.0.0/8', dev: 'eth0' },
        { dst: '10.1.0.0/16', via: '10.1.2.3' },
        { dst: '172.16.0.0/12', type: 'blackhole' },
      ],
    });
    expect(h.route(ipToInt('8.8.8.8'))?.dev).toBe('eth1');
    // The gateway 10.1.2.3 is reached through the earlier device route 10.0.0.0/8 dev eth0.
    expect(h.route(ipToInt('10.1.9.9'))).toMatchObject({ dev: 'eth0', via: ipToInt('10.1.2.3'), prefixLength: 16 });
    expect(h.route(ipToInt('172.16.5.5'))?.type).toBe(AddrType.BLACKHOLE);
  });

  it('sysctls: ip_forward is "forward"; per-interface settings fall back to conf/default', () => {
    const h = hostFromJson({
      interfaces: [{ name: 'eth0' }, { name: 'eth1' }],
      sysctls: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.default.rp_filter': 2, 'net.ipv4.conf.eth1.rp_filter': 0 },
    });
    expect(h.forward).toBe(true);
    expect(h.sysctl('net.ipv4.conf.eth0.rp_filter')).toBe(2);
    expect(h.sysctl('net.ipv4.conf.eth1.rp_filter')).toBe(0);
    expect(h.sysctl('net.ipv4.conf.all.rp_filter')).toBe(0);
  });

  it('per-interface sysctls of a dotted interface name, in either spelling', () => {
    const h = hostFromJson({
      interfaces: [{ name: 'eth0' }, { name: 'eth0.100' }, { name: 'eth0.200' }],
      sysctls: { 'net.ipv4.conf.eth0.100.rp_filter': 1, 'net.ipv4.conf.eth0/200.rp_filter': 2, 'net.ipv4.conf.eth0.accept_local': 1 },
    });
    expect(h.sysctl('net.ipv4.conf.eth0.100.rp_filter')).toBe(1);
    expect(h.sysctl('net.ipv4.conf.eth0/100.rp_filter')).toBe(1);
    expect(h.sysctl('net.ipv4.conf.eth0.200.rp_filter')).toBe(2);
    expect(h.sysctl('net.ipv4.conf.eth0.rp_filter')).toBe(0);
    expect(h.sysctl('net.ipv4.conf.eth0.accept_local')).toBe(1);
    expect(h.sysctl('net.ipv4.conf.eth0.100.accept_local')).toBe(0);
    expect(() => hostFromJson({ interfaces: [{ name: 'eth0.100' }], sysctls: { 'net.ipv4.conf.eth0.100.rp_filter': 1, 'net.ipv4.conf.eth0/100.rp_filter': 2 } })).toThrow(
      'sysctls["net.ipv4.conf.eth0/100.rp_filter"]: net.ipv4.conf.eth0/100.rp_filter is set twice (as net.ipv4.conf.eth0.100.rp_filter)',
    );
  });

  it('an entry named lo adds addresses (and groups) to the loopback', () => {
    const h = hostFromJson({ interfaces: [{ name: 'lo', addrs: ['192.0.2.80/32'] }, { name: 'eth0', addr: '198.51.100.1/24' }] });
    expect(h.interfaces.map((i) => i.name)).toEqual(['lo', 'eth0']);
    expect(h.interfaceByName('lo')?.addrs.length).toBe(2);
    expect(h.isLocalAddress(ipToInt('192.0.2.80'))).toBe(true);
    expect(h.addressType(ipToInt('192.0.2.80'), 'lo')).toBe(AddrType.LOCAL);
    expect(h.addressType(ipToInt('192.0.2.80'), 'eth0')).toBe(AddrType.UNICAST);
  });

  it('loadHostFile takes a path or the text itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfr-host-'));
    const file = join(dir, 'host.json');
    writeFileSync(file, '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}]}');
    expect(loadHostFile(file).interfaceByName('eth0')?.index).toBe(2);
    expect(loadHostFile('  {"interfaces": [{"name": "wan"}]}').interfaceByName('wan')?.index).toBe(2);
    const e = (() => {
      try {
        loadHostFile(join(dir, 'missing.json'));
      } catch (err) {
        return err as HostError;
      }
    })();
    expect(e?.code).toBe('NFR_ERR_IO');
    expect(e?.message).toBe(`${join(dir, 'missing.json')}: cannot read the host file: no such file`);
  });

  it('loads every host.json of the differential suite', () => {
    const dir = join(ROOT, 'test', 'differential', 'cases');
    let cases: string[] = [];
    try {
      cases = readdirSync(dir);
    } catch {
      return;
    }
    for (const c of cases) expect(() => loadHostText(readFileSync(join(dir, c, 'host.json'), 'utf8'), c)).not.toThrow();
  });
});

describe('errors name the place and the JSON path', () => {
  const cases: [string, string, string][] = [
    // [what, host file, message]
    ['a syntax error', '{"interfaces": [\n  {"name": "eth0",}\n]}', "host.json:2:19: trailing comma before }"],
    ['an unterminated string', '{"interfaces": [{"name": "eth0}]}', 'host.json:1:26: unterminated string'],
    ['a comment', '{\n  // the host\n  "interfaces": []}', 'host.json:2:3: comments are not allowed in JSON'],
    ['a duplicate key', '{"interfaces": [{"name": "eth0", "name": "eth1"}]}', 'host.json:1:34: duplicate key "name"'],
    ['trailing garbage', '{"interfaces": [{"name": "eth0"}]} x', "host.json:1:36: unexpected 'x' after the end of the document"],
    ['an empty file', '', 'host.json:1:1: empty document: expected a JSON object'],
    ['not an object', '[]', 'host.json:1:1: the host file must be a JSON object, not an array'],
    ['no interfaces', '{"forward": true}', `host.json:1:1: the host file needs "interfaces" (a list of the host's network interfaces)`],
    [
      'an unknown top-level key',
      '{"interfaces": [{"name": "eth0"}],\n "forwarding": true}',
      'host.json:2:2: forwarding: unknown key "forwarding" in the host file (expected "interfaces", "forward", "routes", "ingress_rules", "sysctls")',
    ],
    [
      'an unknown interface key',
      '{"interfaces": [{"name": "eth0"},\n  {"name": "eth1", "adress": "198.51.100.1/24"}]}',
      'host.json:2:20: interfaces[1].adress: unknown key "adress" in an interface (expected "name", "addr", "addrs", "mac", "mtu", "index", "peer_mac", "mcast_groups")',
    ],
    [
      'a host name',
      '{"interfaces": [{"name": "eth0", "addr": "gateway.example"}]}',
      'host.json:1:42: interfaces[0].addr: "gateway.example" is not a numeric IPv4 address (host names are never resolved)',
    ],
    ['a bad address', '{"interfaces": [{"name": "eth0", "addrs": ["198.51.100.1/24", "10.0.0.256/8"]}]}', 'host.json:1:63: interfaces[0].addrs[1]: "10.0.0.256" is not an IPv4 address (four decimal bytes, a.b.c.d)'],
    ['a leading zero', '{"interfaces": [{"name": "eth0", "addr": "010.0.0.1/8"}]}', 'host.json:1:42: interfaces[0].addr: "010.0.0.1" is not an IPv4 address (four decimal bytes, a.b.c.d)'],
    ['a bad prefix', '{"interfaces": [{"name": "eth0", "addr": "10.0.0.1/33"}]}', 'host.json:1:42: interfaces[0].addr: "/33" is not a prefix length (0-32)'],
    ['a multicast address', '{"interfaces": [{"name": "eth0", "addr": "224.0.0.1/4"}]}', 'host.json:1:42: interfaces[0].addr: 224.0.0.1 cannot be an interface address (not a unicast address)'],
    [
      'an address twice',
      '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}, {"name": "eth1", "addr": "198.51.100.1/25"}]}',
      'host.json:1:87: interfaces[1].addr: 198.51.100.1 is already an address of interfaces[0] (eth0)',
    ],
    ['lo\'s address', '{"interfaces": [{"name": "eth0", "addr": "127.0.0.1/8"}]}', 'host.json:1:42: interfaces[0].addr: 127.0.0.1 is already an address of interfaces (lo)'],
    ['a long name', '{"interfaces": [{"name": "a-very-long-ifname"}]}', 'host.json:1:26: interfaces[0].name: "a-very-long-ifname" is not a valid interface name: longer than 15 bytes'],
    ['a name with a colon', '{"interfaces": [{"name": "eth0:1"}]}', `host.json:1:26: interfaces[0].name: "eth0:1" is not a valid interface name: it contains '/', ':' or white space`],
    ['a name twice', '{"interfaces": [{"name": "eth0"}, {"name": "eth0"}]}', 'host.json:1:44: interfaces[1].name: interface "eth0" is described twice'],
    ['a number as name', '{"interfaces": [{"name": 0}]}', 'host.json:1:26: interfaces[0].name: "name" must be a string, not the number 0'],
    ['a group MAC', '{"interfaces": [{"name": "eth0", "mac": "01:00:5e:00:00:01"}]}', 'host.json:1:41: interfaces[0].mac: 01:00:5e:00:00:01 is not a unicast MAC address'],
    ['a bad MAC', '{"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00"}]}', 'host.json:1:41: interfaces[0].mac: "02:00:00:00:00" is not a MAC address (xx:xx:xx:xx:xx:xx)'],
    ['a tiny MTU', '{"interfaces": [{"name": "eth0", "mtu": 60}]}', 'host.json:1:41: interfaces[0].mtu: "mtu" 60 is out of range (68-65535)'],
    ['a fractional MTU', '{"interfaces": [{"name": "eth0", "mtu": 1500.5}]}', 'host.json:1:41: interfaces[0].mtu: "mtu" must be an integer, not the number 1500.5'],
    ['index 1', '{"interfaces": [{"name": "eth0", "index": 1}]}', 'host.json:1:43: interfaces[0].index: "index" 1 is out of range (2-2147483647)'],
    [
      'an index clash',
      '{"interfaces": [{"name": "eth0"}, {"name": "eth1"}, {"name": "eth2", "index": 3}]}',
      'host.json:1:79: interfaces[2].index: interface eth2 gets index 3, which eth1 already has (set "index" on one of them)',
    ],
    ['a MAC on lo', '{"interfaces": [{"name": "lo", "mac": "02:00:00:00:00:01"}, {"name": "eth0"}]}', 'host.json:1:39: interfaces[0].mac: lo has no "mac"'],
    ['a non-multicast group', '{"interfaces": [{"name": "eth0", "mcast_groups": ["10.0.0.1"]}]}', 'host.json:1:51: interfaces[0].mcast_groups[0]: 10.0.0.1 is not a multicast group (224.0.0.0/4)'],
    ['forward as a string', '{"interfaces": [{"name": "eth0"}], "forward": "yes"}', 'host.json:1:47: forward: "forward" must be true or false, not the string "yes"'],
    [
      'route host bits',
      '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}],\n "routes": [{"dst": "10.1.2.3/8", "dev": "eth0"}]}',
      'host.json:2:21: routes[0].dst: 10.1.2.3/8 has host bits set (the network is 10.0.0.0/8)',
    ],
    [
      'an unreachable gateway',
      '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}],\n "routes": [{"dst": "default", "via": "203.0.113.1"}]}',
      'host.json:2:39: routes[0].via: gateway 203.0.113.1 is not on a subnet of any interface (the kernel says "Nexthop has invalid gateway")',
    ],
    [
      'a gateway on another interface',
      '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}, {"name": "eth1"}],\n "routes": [{"dst": "default", "via": "198.51.100.254", "dev": "eth1"}]}',
      'host.json:2:39: routes[0].via: gateway 198.51.100.254 is not on a subnet of eth1 (the kernel says "Nexthop has invalid gateway")',
    ],
    [
      'a route to a connected subnet',
      '{"interfaces": [{"name": "eth0", "addr": "198.51.100.1/24"}],\n "routes": [{"dst": "198.51.100.0/24", "dev": "eth0"}]}',
      'host.json:2:21: routes[0].dst: a route to 198.51.100.0/24 already exists (the connected route of eth0); the kernel refuses a second one',
    ],
    ['a route without a way', '{"interfaces": [{"name": "eth0"}],\n "routes": [{"dst": "10.0.0.0/8"}]}', 'host.json:2:13: routes[0]: a route needs "dev", "via" or both'],
    ['an unknown route device', '{"interfaces": [{"name": "eth0"}],\n "routes": [{"dst": "10.0.0.0/8", "dev": "eth9"}]}', 'host.json:2:42: routes[0].dev: no interface "eth9" (interfaces: lo, eth0)'],
    ['a blackhole with a device', '{"interfaces": [{"name": "eth0"}],\n "routes": [{"dst": "10.0.0.0/8", "type": "blackhole", "dev": "eth0"}]}', 'host.json:2:63: routes[0].dev: a blackhole route has no "dev"'],
    ['an unknown route type', '{"interfaces": [{"name": "eth0"}],\n "routes": [{"dst": "10.0.0.0/8", "type": "nat"}]}', 'host.json:2:43: routes[0].type: unknown route type "nat" (expected unicast, blackhole, unreachable, prohibit)'],
    [
      'an unknown ingress device',
      '{"interfaces": [{"name": "eth0"}],\n "ingress_rules": [{"src": "192.0.2.0/24", "dev": "wan"}]}',
      'host.json:2:51: ingress_rules[0].dev: no interface "wan" (expected "local" or one of lo, eth0)',
    ],
    ['an ingress rule without a device', '{"interfaces": [{"name": "eth0"}],\n "ingress_rules": [{"src": "192.0.2.0/24"}]}', 'host.json:2:20: ingress_rules[0]: an ingress rule needs "dev" (an interface name, or "local")'],
    [
      'ingress host bits',
      '{"interfaces": [{"name": "eth0"}],\n "ingress_rules": [{"src": "192.0.2.1/24", "dev": "eth0"}]}',
      'host.json:2:28: ingress_rules[0].src: 192.0.2.1/24 has host bits set (the network is 192.0.2.0/24)',
    ],
    [
      'an unknown sysctl',
      '{"interfaces": [{"name": "eth0"}],\n "sysctls": {"net.netfilter.nf_conntrack_tcp_lose": 0}}',
      'host.json:2:14: sysctls["net.netfilter.nf_conntrack_tcp_lose"]: unknown sysctl net.netfilter.nf_conntrack_tcp_lose; the known ones are the integer settings under net.ipv4 and net.netfilter',
    ],
    [
      'a sysctl of an unknown interface',
      '{"interfaces": [{"name": "eth0"}],\n "sysctls": {"net.ipv4.conf.eth1.rp_filter": 1}}',
      'host.json:2:14: sysctls["net.ipv4.conf.eth1.rp_filter"]: unknown sysctl net.ipv4.conf.eth1.rp_filter (no interface "eth1"); the known ones are the integer settings under net.ipv4 and net.netfilter',
    ],
    [
      'a sysctl that is not a number',
      '{"interfaces": [{"name": "eth0"}],\n "sysctls": {"net.netfilter.nf_conntrack_tcp_loose": true}}',
      'host.json:2:54: sysctls["net.netfilter.nf_conntrack_tcp_loose"]: net.netfilter.nf_conntrack_tcp_loose must be an integer, not true',
    ],
    [
      'ip_forward against forward',
      '{"interfaces": [{"name": "eth0"}], "forward": false,\n "sysctls": {"net.ipv4.ip_forward": 1}}',
      'host.json:2:37: sysctls["net.ipv4.ip_forward"]: net.ipv4.ip_forward = 1 contradicts "forward": false',
    ],
  ];

  it.each(cases)('%s', (_what, text, message) => {
    const e = errorOf(text);
    expect(e.message).toBe(message);
    expect(e.code).toBe('NFR_ERR_HOST');
  });

  it('deep nesting is an error, not a stack overflow', () => {
    expect(errorOf('['.repeat(100000)).message).toBe('host.json:1:33: nested more than 32 levels deep');
  });
});

describe('model lookups', () => {
  const h = hostFromJson({
    interfaces: [
      { name: 'eth0', addrs: ['198.51.100.1/24', '198.51.100.9/24', '203.0.113.5/30'] },
      { name: 'eth1', addr: '10.0.0.1/8' },
      { name: 'dummy0' },
    ],
    routes: [{ dst: 'default', via: '198.51.100.254' }],
  });

  it('isLocalAddress: any address of any interface and all of 127/8; isHostAddress: exact addresses', () => {
    expect(h.isLocalAddress(ipToInt('10.0.0.1'))).toBe(true);
    expect(h.isLocalAddress(ipToInt('127.200.0.1'))).toBe(true);
    expect(h.isLocalAddress(ipToInt('198.51.100.255'))).toBe(false);
    expect(h.isHostAddress(ipToInt('127.200.0.1'))).toBe(false);
    expect(h.isHostAddress(ipToInt('127.0.0.1'))).toBe(true);
    expect(h.isHostAddress(ipToInt('198.51.100.9'))).toBe(true);
  });

  it('addressType never says UNREACHABLE: without a local route an address is UNICAST', () => {
    expect(h.addressType(ipToInt('192.0.2.1'))).toBe(AddrType.UNICAST);
    expect(h.addressType(ipToInt('203.0.113.7'))).toBe(AddrType.BROADCAST);
    expect(h.addressType(ipToInt('203.0.113.7'), 'eth1')).toBe(AddrType.UNICAST);
    expect(h.addressType(0)).toBe(AddrType.BROADCAST);
    expect(h.addressType(0xffffffff, 'eth1')).toBe(AddrType.BROADCAST);
    expect(h.addressType(ipToInt('239.0.0.1'))).toBe(AddrType.MULTICAST);
  });

  it('selectSourceAddress: the primary address on the destination\'s subnet, else the first; borrowed when the device has none', () => {
    expect(h.selectSourceAddress('eth0', ipToInt('203.0.113.6'))).toBe(ipToInt('203.0.113.5'));
    expect(h.selectSourceAddress('eth0', ipToInt('8.8.8.8'))).toBe(ipToInt('198.51.100.1'));
    // .9 is a secondary address: never chosen.
    expect(h.selectSourceAddress('eth0', ipToInt('198.51.100.77'))).toBe(ipToInt('198.51.100.1'));
    expect(h.selectSourceAddress('dummy0', ipToInt('8.8.8.8'))).toBe(ipToInt('198.51.100.1'));
  });
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Host model'), readme.indexOf('\n## ', readme.indexOf('## Host model') + 1));

  it('has a "Host model" section after "Usage" (the commands\' own sections between) that names the error codes', () => {
    expect(section.length).toBeGreaterThan(1000);
    const heads = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(heads.indexOf('Usage')).toBeGreaterThanOrEqual(0);
    expect(heads.indexOf('Host model')).toBeGreaterThan(heads.indexOf('Usage'));
    expect(section).toContain('NFR_ERR_HOST');
    expect(section).toContain('NFR_ERR_IO');
  });

  it('shows error messages the loader really prints', () => {
    const texts = [
      '{\n  "interfaces": [\n    { "name": "eth0", "addr": "198.51.100.1/24" },\n    { "name": "eth1", "addr": "gw.example" }\n  ]\n}\n',
      '{\n  "interfaces": [{ "name": "eth0", "addr": "198.51.100.1/24" }],\n  "routes": [{ "dst": "default", "via": "203.0.113.1" }]\n}\n',
      '{\n  "interfaces": [{ "name": "eth0", }]\n}\n',
    ];
    for (const t of texts) {
      const e = errorOf(t);
      expect(section).toContain(`${e.message} [${e.code}]`);
    }
  });

  it('shows the documented example host file, which loads', () => {
    const json = /```json\n([\s\S]*?)```/.exec(section)![1]!;
    expect(() => loadHostText(json)).not.toThrow();
  });
});

describe('robustness', () => {
  const example = readFileSync(join(ROOT, 'test', 'netfilter', 'kernel', 'layouts.json'), 'utf8');
  const hosts = (JSON.parse(example) as { layouts: { host: unknown }[] }).layouts.map((l) => JSON.stringify(l.host, null, 2));

  it('the JSON reader agrees with JSON.parse on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const text = JSON.stringify(v, null, 1);
        expect(parseJson(text, 't').value).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated host files give a host or a positioned HostError, nothing else', () => {
    const seeds = fc.constantFrom(...hosts);
    const mutation = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', '"', ',', '}', ']', '{', '[', '1', '/', ':', ' ', 'x', '\n', '-', '0', '.', 'lo', 'null', '"eth0"'));
    fc.assert(
      fc.property(seeds, fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, muts) => {
        let t = seed;
        for (const [at, len, ins] of muts) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + ins + t.slice(i + (len % 3));
        }
        try {
          loadHostText(t, 'fuzz.json');
        } catch (e) {
          expect(e).toBeInstanceOf(HostError);
          const he = e as HostError;
          expect(he.line).toBeGreaterThanOrEqual(1);
          expect(he.column).toBeGreaterThanOrEqual(1);
          expect(he.message.startsWith(`fuzz.json:${he.line}:${he.column}: `)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
