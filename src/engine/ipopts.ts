/**
 * IPv4 options as a received packet's options are checked after PREROUTING
 * (ip_rcv_finish_core → ip_rcv_options → ip_options_compile, net/ipv4/ip_options.c): a
 * malformed option makes the host answer parameter-problem and drop the packet, and a
 * source-route option is dropped too while accept_source_route is 0 (the default).
 */

const IPOPT_END = 0;
const IPOPT_NOOP = 1;
const IPOPT_RR = 7;
const IPOPT_TIMESTAMP = 68;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;
const IPOPT_RA = 148;
const IPOPT_TS_TSANDADDR = 1;
const IPOPT_TS_PRESPEC = 3;

/** '' when the options are acceptable, else why the kernel drops the packet. */
export function checkReceivedOptions(data: Uint8Array, optionsStart: number, optionsLength: number, acceptSourceRoute: boolean): string {
  let p = optionsStart;
  let l = optionsLength;
  let rr = false;
  let ts = false;
  let srr = false;
  while (l > 0) {
    const type = data[p]!;
    if (type === IPOPT_END) break;
    if (type === IPOPT_NOOP) {
      p++;
      l--;
      continue;
    }
    if (l < 2) return 'ip-options';
    const optlen = data[p + 1]!;
    if (optlen < 2 || optlen > l) return 'ip-options';
    const ptr = optlen >= 3 ? data[p + 2]! : 0;
    switch (type) {
      case IPOPT_SSRR:
      case IPOPT_LSRR:
        if (optlen < 3 || ptr < 4 || srr) return 'ip-options';
        srr = true;
        break;
      case IPOPT_RR:
        if (rr || optlen < 3 || ptr < 4) return 'ip-options';
        if (ptr <= optlen && ptr + 3 > optlen) return 'ip-options';
        rr = true;
        break;
      case IPOPT_TIMESTAMP: {
        if (ts || optlen < 4 || ptr < 5) return 'ip-options';
        const flags = data[p + 3]!;
        if (ptr <= optlen) {
          if (ptr + 3 > optlen) return 'ip-options';
          const kind = flags & 0xf;
          if ((kind === IPOPT_TS_TSANDADDR || kind === IPOPT_TS_PRESPEC) && ptr + 7 > optlen) return 'ip-options';
        } else if ((flags & 0xf) !== IPOPT_TS_PRESPEC && flags >> 4 === 15) {
          return 'ip-options';
        }
        ts = true;
        break;
      }
      case IPOPT_RA:
        if (optlen < 4) return 'ip-options';
        break;
      default:
        // Unknown options, security and CIPSO (whose label check is not modelled) pass for a received packet.
        break;
    }
    p += optlen;
    l -= optlen;
  }
  if (srr && !acceptSourceRoute) return 'source-route';
  return '';
}
