/**
 * NETMAP target (libipt_NETMAP / kernel xt_NETMAP): maps a whole network onto another,
 * keeping the host bits (1:1 NAT). Source or destination is chosen by the hook.
 */
import { ErrorCodes, ParamError } from '../errors.js';
import { defineTarget } from './types.js';
import { netmap } from './common/nat.js';
import { emptyNatRange, NAT_MAP_IPS, type NatRange } from './natrange.js';
import { ipToString, maskToCidr } from '../values.js';
import { inetAtonExact, parseXtPlenMask } from './common/addresses.js';

/**
 * xtopt_parse_host for an IPv4 literal; names would need the resolver nfreplay never uses.
 * Unlike parseXtHost, text that could only be a malformed number gets the message
 * getaddrinfo() gives iptables for it.
 */
function parseHost(text: string): number {
  const addr = inetAtonExact(text);
  if (addr !== undefined) return addr;
  if (/^([0-9][0-9a-fA-FxX.]*)?$/.test(text)) throw new ParamError('getaddrinfo: Name or service not known');
  throw new ParamError(
    `host/network \`${text}' is not a numeric address; nfreplay does not resolve names (use the address)`,
    ErrorCodes.HOSTNAME,
  );
}

/** __NETMAP_print: network and prefix length (dotted when the bits have holes). */
function netmapText(r: NatRange): string {
  const mask = ~(r.minAddr ^ r.maxAddr) >>> 0;
  const bits = maskToCidr(mask);
  return ipToString(r.minAddr) + '/' + (bits < 0 ? ipToString(mask) : String(bits));
}

export const NETMAP = defineTarget<NatRange>({
  name: 'NETMAP',
  modelled: true,
  applyTarget: netmap,
  options: [{ name: 'to', arg: 'required', mandatory: true }],
  // xt_NETMAP: nat table, every NAT hook.
  tables: ['nat'],
  hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  create: emptyNatRange,
  parse(r, call) {
    const text = call.arg ?? '';
    const slash = text.indexOf('/');
    const addr = parseHost(slash >= 0 ? text.slice(0, slash) : text);
    // XTTYPE_HOSTMASK's mask part (xtopt_parse_plenmask).
    const mask = slash >= 0 ? parseXtPlenMask('NETMAP', call.name, text.slice(slash + 1)) : 0xffffffff;
    r.flags |= NAT_MAP_IPS;
    r.minAddr = (addr & mask) >>> 0;
    r.maxAddr = (r.minAddr | ~mask) >>> 0;
  },
  save: (r) => ' --to ' + netmapText(r),
  print: (r) => ' to:' + netmapText(r),
});
