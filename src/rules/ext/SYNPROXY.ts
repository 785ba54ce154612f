/**
 * SYNPROXY target (libxt_SYNPROXY / kernel ipt_SYNPROXY): answers a client's SYN with
 * syncookies and the TCP options given here, and opens the real connection to the
 * server only once the client completed the handshake. The kernel allows it from INPUT
 * and FORWARD, for -p tcp only.
 */
import { parseXtUint } from './common/numbers.js';
import { defineTarget } from './types.js';

/** XT_SYNPROXY_OPT_* bits. */
export const SYNPROXY_OPT = { MSS: 0x01, WSCALE: 0x02, SACK_PERM: 0x04, TIMESTAMP: 0x08, ECN: 0x10 } as const;

export interface SynproxyState {
  /** SYNPROXY_OPT bits. */
  options: number;
  /** __u8 in struct xt_synproxy_info: the parsed 32-bit value is cut to 8 bits. */
  wscale: number;
  /** __u16: the parsed 32-bit value is cut to 16 bits. */
  mss: number;
}

const FLAG_OPTIONS: Readonly<Record<string, number>> = {
  'sack-perm': SYNPROXY_OPT.SACK_PERM,
  timestamp: SYNPROXY_OPT.TIMESTAMP,
  ecn: SYNPROXY_OPT.ECN,
};

/** SYNPROXY_save order; the listing has the same words without dashes. */
function optionsText(s: SynproxyState, prefix: string, sep: string): string {
  const words: string[] = [];
  if (s.options & SYNPROXY_OPT.SACK_PERM) words.push(`${prefix}sack-perm`);
  if (s.options & SYNPROXY_OPT.TIMESTAMP) words.push(`${prefix}timestamp`);
  if (s.options & SYNPROXY_OPT.WSCALE) words.push(`${prefix}wscale ${s.wscale}`);
  if (s.options & SYNPROXY_OPT.MSS) words.push(`${prefix}mss ${s.mss}`);
  if (s.options & SYNPROXY_OPT.ECN) words.push(`${prefix}ecn`);
  return words.map((w) => (sep === ' ' ? ' ' + w : w + ' ')).join('');
}

export const SYNPROXY = defineTarget<SynproxyState>({
  name: 'SYNPROXY',
  modelled: false,
  needs: 'conntrack',
  hooks: ['INPUT', 'FORWARD'],
  proto: 6,
  options: [
    { name: 'sack-perm', arg: 'none' },
    { name: 'timestamp', arg: 'none' },
    { name: 'wscale', arg: 'required' },
    { name: 'mss', arg: 'required' },
    { name: 'ecn', arg: 'none' },
  ],
  create: () => ({ options: 0, wscale: 0, mss: 0 }),
  parse(s, call) {
    switch (call.name) {
      case 'wscale':
        s.wscale = parseXtUint('SYNPROXY', call.name, call.arg ?? '', 0, 0xffffffff) & 0xff;
        s.options |= SYNPROXY_OPT.WSCALE;
        return;
      case 'mss':
        s.mss = parseXtUint('SYNPROXY', call.name, call.arg ?? '', 0, 0xffffffff) & 0xffff;
        s.options |= SYNPROXY_OPT.MSS;
        return;
      default:
        s.options |= FLAG_OPTIONS[call.name]!;
    }
  },
  save: (s) => optionsText(s, '--', ' '),
  // SYNPROXY_print ends every word with a space, so the listing keeps a trailing one.
  print: (s) => ' SYNPROXY ' + optionsText(s, '', 'after'),
});
