/**
 * NETMAP target (libipt_NETMAP / kernel xt_NETMAP): maps a whole network onto another,
 * keeping the host bits (1:1 NAT). Source or destination is chosen by the hook.
 */
import { ErrorCodes, ParamError } from '../errors.js';
import { defineTarget } from './types.js';
import { emptyNatRange, NAT_MAP_IPS, type NatRange } from './natrange.js';
import { ipToString, maskToCidr, prefixMask, strtoul } from '../values.js';

/**
 * inet_aton as glibc's getaddrinfo applies it to a numeric host: one to four parts, each
 * decimal, 0x-hex or 0-octal; the last part fills the remaining bytes ("1.2" is
 * 1.0.0.2); nothing may follow.
 */
export function inetAton(text: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)(?:\.(?=[0-9])|$)/;
  const parts: number[] = [];
  let rest = text;
  while (rest !== '') {
    const p = m.exec(rest);
    if (!p || parts.length === 4) return undefined;
    const digits = p[1]!;
    // "0x" with no hex digit is the number 0 followed by garbage (strtoul).
    if (/^0[xX]$/.test(digits)) return undefined;
    parts.push(/^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10));
    rest = rest.slice(p[0].length);
  }
  if (parts.length === 0) return undefined;
  const last = parts[parts.length - 1]!;
  const leading = parts.slice(0, -1);
  if (leading.some((v) => v > 255) || last >= 2 ** (8 * (5 - parts.length))) return undefined;
  let addr = 0;
  leading.forEach((v, i) => (addr += v * 2 ** (24 - 8 * i)));
  return addr + last;
}

/** xtopt_parse_host for an IPv4 literal; names would need the resolver nfreplay never uses. */
function parseHost(text: string): number {
  const addr = inetAton(text);
  if (addr !== undefined) return addr;
  if (/^([0-9][0-9a-fA-FxX.]*)?$/.test(text)) throw new ParamError('getaddrinfo: Name or service not known');
  throw new ParamError(
    `host/network \`${text}' is not a numeric address; nfreplay does not resolve names (use the address)`,
    ErrorCodes.HOSTNAME,
  );
}

/**
 * xtopt_parse_plenmask: a prefix length 0-32 (base 0), else a dotted mask. A dotted mask
 * that is not contiguous has no prefix length, and iptables then uses all ones, so
 * "/255.0.255.0" (or "/33", read as the address 0.0.0.33) means /32.
 */
function parseMask(text: string): number {
  const bits = strtoul(text, 0, 32);
  if (bits !== undefined) return prefixMask(bits);
  const dotted = inetAton(text);
  if (dotted === undefined) {
    throw new ParamError('NETMAP: bad value for option "--to", neither a valid network mask nor valid CIDR (0-32).');
  }
  const cidr = maskToCidr(dotted);
  return cidr < 0 ? 0xffffffff : prefixMask(cidr);
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
  options: [{ name: 'to', arg: 'required', mandatory: true }],
  // xt_NETMAP: nat table, every NAT hook.
  tables: ['nat'],
  hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  create: emptyNatRange,
  parse(r, call) {
    const text = call.arg ?? '';
    const slash = text.indexOf('/');
    const addr = parseHost(slash >= 0 ? text.slice(0, slash) : text);
    const mask = slash >= 0 ? parseMask(text.slice(slash + 1)) : 0xffffffff;
    r.flags |= NAT_MAP_IPS;
    r.minAddr = (addr & mask) >>> 0;
    r.maxAddr = (r.minAddr | ~mask) >>> 0;
  },
  save: (r) => ' --to ' + netmapText(r),
  print: (r) => ' to:' + netmapText(r),
});
