/**
 * NFLOG target (libxt_NFLOG / kernel xt_NFLOG): hands the packet to nfnetlink_log group
 * listeners (ulogd, tcpdump nflog:N) and continues with the next rule.
 */
import { Verdict } from '../../engine/packet.js';
import { saveString } from '../values.js';
import { parseXtUint } from './common/numbers.js';
import { truncateBytes } from './common/strings.js';
import { checkLogPrefix } from './LOG.js';
import { defineTarget } from './types.js';

/** xt_nflog_info.prefix is char[64]. */
const NFLOG_PREFIX_MAX = 63;

export interface NflogState {
  group: number;
  /** '' = none. */
  prefix: string;
  /** Bytes to copy; only honoured by the kernel when copyLen is set (--nflog-size). */
  len: number;
  /** XT_NFLOG_F_COPY_LEN: len came from --nflog-size (--nflog-range never had an effect). */
  copyLen: boolean;
  /** Packets queued in the kernel before a netlink message is sent; 0 is the default. */
  threshold: number;
}

export const NFLOG = defineTarget<NflogState>({
  name: 'NFLOG',
  modelled: true,
  options: [
    { name: 'nflog-group', arg: 'required' },
    { name: 'nflog-prefix', arg: 'required' },
    { name: 'nflog-range', arg: 'required', excl: ['nflog-size'] },
    { name: 'nflog-size', arg: 'required', excl: ['nflog-range'] },
    { name: 'nflog-threshold', arg: 'required' },
  ],
  create: () => ({ group: 0, prefix: '', len: 0, copyLen: false, threshold: 0 }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'nflog-group':
        s.group = parseXtUint('NFLOG', call.name, arg, 0, 0xffff);
        return;
      case 'nflog-prefix':
        checkLogPrefix(arg);
        s.prefix = truncateBytes(arg, NFLOG_PREFIX_MAX);
        return;
      case 'nflog-range':
      case 'nflog-size':
        s.len = parseXtUint('NFLOG', call.name, arg, 0, 0xffffffff);
        return;
      case 'nflog-threshold':
        s.threshold = parseXtUint('NFLOG', call.name, arg, 0, 0xffff);
        return;
    }
  },
  finalCheck(s, ctx) {
    if (ctx.seen.has('nflog-range')) {
      ctx.warn('warn: --nflog-range has never worked and is no longer supported, please use --nflog-size instead');
    }
    if (ctx.seen.has('nflog-size')) s.copyLen = true;
  },
  save: (s) => nflogText(s, '--'),
  print: (s) => nflogText(s, ''),
  // nflog_tg: a copy to the netlink group, and the packet goes on. nfulnl_log_packet cuts
  // the copy to len only with NF_LOG_F_COPY_LEN (--nflog-size).
  applyTarget(s, pkt, rt) {
    rt.nflog(s.group, s.prefix, pkt, s.copyLen ? s.len : undefined);
    return Verdict.CONTINUE;
  },
});

/** nflog_print: the listing is the save text without the dashes. */
function nflogText(s: NflogState, dashes: string): string {
  let out = '';
  if (s.prefix !== '') out += ` ${dashes}nflog-prefix` + saveString(s.prefix);
  if (s.group !== 0) out += ` ${dashes}nflog-group ${s.group}`;
  if (s.copyLen) out += ` ${dashes}nflog-size ${s.len}`;
  else if (s.len !== 0) out += ` ${dashes}nflog-range ${s.len}`;
  if (s.threshold !== 0) out += ` ${dashes}nflog-threshold ${s.threshold}`;
  return out;
}
