/**
 * The replay contract of the extension registry: an extension is `modelled` exactly when
 * it has the kernel function the engine calls (matchPacket for a match, applyTarget for
 * a target); one that is not says what it would need; compiled forms exist only beside a
 * matchPacket.
 */
import { describe, expect, it } from 'vitest';
import { EXTENSIONS } from '../../../src/rules/ext/index.js';

describe('extension replay contract', () => {
  for (const ext of EXTENSIONS) {
    it(`${ext.kind} ${ext.name}`, () => {
      const impl = ext.kind === 'match' ? typeof ext.matchPacket === 'function' : typeof ext.applyTarget === 'function';
      expect(impl, `${ext.name}: modelled ${ext.modelled}, implementation ${impl}`).toBe(ext.modelled);
      if (ext.modelled) expect(ext.needs).toBeUndefined();
      else expect(ext.needs, `${ext.name} does not say what it needs`).toBeDefined();
      if (ext.kind === 'match' && ext.compileMatch) expect(ext.matchPacket).toBeDefined();
      if (ext.kind === 'target') expect((ext as { matchPacket?: unknown }).matchPacket).toBeUndefined();
    });
  }

  it('models the stateless matches and targets a capture can evaluate', () => {
    const modelled = EXTENSIONS.filter((e) => e.modelled).map((e) => e.name);
    for (const name of ['tcp', 'udp', 'icmp', 'multiport', 'mark', 'comment', 'length', 'ttl', 'pkttype', 'mac', 'iprange', 'tcpmss', 'addrtype']) {
      expect(modelled).toContain(name);
    }
    for (const name of ['statistic', 'limit', 'hashlimit', 'recent', 'quota', 'time', 'dscp', 'tos', 'ecn', 'sctp', 'esp', 'ah', 'ipcomp']) {
      expect(modelled).toContain(name);
    }
    for (const name of ['REJECT', 'LOG', 'NFLOG', 'MARK', 'TCPMSS', 'TRACE', 'CLASSIFY', 'TTL', 'TOS', 'DSCP']) {
      expect(modelled).toContain(name);
    }
  });

  it('evaluates the conntrack and NAT extensions with the tracker, and leaves the rest to later stages', () => {
    const byName = new Map(EXTENSIONS.map((e) => [`${e.kind}:${e.name}`, e]));
    for (const name of ['match:conntrack', 'match:state', 'match:connmark', 'target:CONNMARK', 'target:CT', 'target:NOTRACK',
      'target:DNAT', 'target:SNAT', 'target:MASQUERADE', 'target:REDIRECT', 'target:NETMAP']) {
      const ext = byName.get(name)!;
      expect(ext.modelled, name).toBe(true);
      expect(ext.kind === 'match' ? typeof ext.matchPacket : typeof (ext as { applyTarget?: unknown }).applyTarget, name).toBe('function');
    }
    for (const name of ['match:connlimit', 'match:connbytes', 'match:helper']) {
      const ext = byName.get(name)!;
      expect(ext.modelled, name).toBe(false);
      expect(ext.needs, name).toBe('conntrack');
    }
  });

  it('has compiled forms for the hot matches', () => {
    const compiled = EXTENSIONS.filter((e) => e.kind === 'match' && e.compileMatch).map((e) => e.name).sort();
    expect(compiled).toEqual(['comment', 'icmp', 'iprange', 'length', 'mark', 'multiport', 'pkttype', 'tcp', 'ttl', 'udp']);
  });
});
