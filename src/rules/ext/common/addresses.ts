/**
 * IPv4 address parsing for extension options, which libxtables does through the C
 * library rather than its own dotted-quad parser (xtables_numeric_to_ipaddr, numericToIp,
 * where "10.1" is 10.1.0.0): glibc's inet_aton and inet_pton, and the x6 option types
 * built on getaddrinfo() — XTTYPE_HOST, XTTYPE_HOSTMASK, XTTYPE_PLEN and
 * XTTYPE_PLENMASK. No name is ever resolved.
 */
import { ErrorCodes, ParamError } from '../../errors.js';
import { digitValue, maskToCidr, prefixMask, strtoul } from '../../values.js';

/**
 * glibc's __inet_aton_exact, which getaddrinfo() tries first for AF_INET: one to four
 * parts, each decimal, 0x-hex or 0-octal; the last part fills the remaining bytes
 * ("10.1" is 10.0.0.1, "167772161" is 10.0.0.1); nothing may follow.
 */
export function inetAtonExact(text: string): number | undefined {
  const parts: number[] = [];
  let i = 0;
  for (;;) {
    const ch = text[i];
    if (ch === undefined || ch < '0' || ch > '9') return undefined;
    let base = 10;
    let digits = 0;
    if (ch === '0') {
      i++;
      if (text[i] === 'x' || text[i] === 'X') {
        base = 16;
        i++;
      } else {
        base = 8;
        digits = 1;
      }
    }
    let value = 0;
    for (; i < text.length; i++) {
      const d = digitValue(text.charCodeAt(i));
      if (d >= base) break;
      value = value * base + d;
      if (value > 0xffffffff) return undefined;
      digits++;
    }
    // "0x" with no hex digit after it is no number (strtoul would read the 0 and stop).
    if (digits === 0) return undefined;
    if (text[i] === '.') {
      if (parts.length >= 3 || value > 0xff) return undefined;
      parts.push(value);
      i++;
      continue;
    }
    if (i !== text.length) return undefined;
    const limits = [0xffffffff, 0xffffff, 0xffff, 0xff];
    if (value > limits[parts.length]!) return undefined;
    let addr = 0;
    parts.forEach((p, k) => {
      addr += p * 2 ** (24 - 8 * k);
    });
    return (addr + value) >>> 0;
  }
}

/**
 * inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros, nothing else.
 * Stricter than the -s/-d parser: "10.1" or "010.0.0.1" are refused.
 */
export function inetPton4(text: string): number | undefined {
  const m = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * XTTYPE_HOST (xtopt_parse_host): getaddrinfo() accepts the numeric forms of
 * inetAtonExact and would otherwise resolve a name; names are refused so a replay never
 * depends on a resolver.
 */
export function parseXtHost(text: string): number {
  const addr = inetAtonExact(text);
  if (addr !== undefined) return addr;
  throw new ParamError(
    `host \`${text}' is not a numeric address; nfreplay does not resolve names (use the address)`,
    ErrorCodes.HOSTNAME,
  );
}

/** The prefix length iptables keeps for a netmask that is not a CIDR prefix (uint8_t -1). */
export const NON_CIDR_PLEN = 255;

/**
 * XTTYPE_PLEN (xtopt_parse_plen): a base-0 prefix length 0-32, or else any numeric
 * address taken as a netmask; a non-contiguous mask yields NON_CIDR_PLEN.
 */
export function parseXtPlen(ext: string, option: string, text: string): number {
  const bits = strtoul(text, 0, 32);
  if (bits !== undefined) return bits;
  const mask = inetAtonExact(text);
  if (mask === undefined) {
    throw new ParamError(
      `${ext}: bad value for option "--${option}", neither a valid network mask nor valid CIDR (0-32).\n`,
    );
  }
  const cidr = maskToCidr(mask);
  return cidr < 0 ? NON_CIDR_PLEN : cidr;
}

/**
 * XTTYPE_PLENMASK (xtopt_parse_plenmask): xtopt_parse_plen turned into a netmask. In
 * iptables 1.8.9 a prefix length above 32 (a non-CIDR netmask) becomes all ones, so
 * "/255.0.255.0" (or "/33", read as the address 0.0.0.33) means /32.
 */
export function parseXtPlenMask(ext: string, option: string, text: string): number {
  const plen = parseXtPlen(ext, option, text);
  return plen > 32 ? 0xffffffff : prefixMask(plen);
}

export interface HostMask {
  addr: number;
  mask: number;
}

/**
 * XTTYPE_HOSTMASK (xtopt_parse_hostmask): "address[/plen-or-mask]", the mask as
 * XTTYPE_PLENMASK reads it. The address keeps its host bits.
 */
export function parseXtHostMask(ext: string, option: string, text: string): HostMask {
  const slash = text.indexOf('/');
  if (slash < 0) return { addr: parseXtHost(text), mask: 0xffffffff };
  const addr = parseXtHost(text.slice(0, slash));
  return { addr, mask: parseXtPlenMask(ext, option, text.slice(slash + 1)) };
}
