/**
 * LOG target (libxt_LOG / kernel xt_LOG): writes a kernel log line for the packet and
 * continues with the next rule.
 */
import { Verdict } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { ipv4LogLine } from './common/syslog.js';
import { saveString, strtoul } from '../values.js';
import { checkMinLength, truncateBytes } from './common/strings.js';
import { defineTarget } from './types.js';

/** XT_LOG_* bits of xt_log_info.logflags (0x10 is unused by LOG). */
export const LOG_FLAGS = {
  TCPSEQ: 0x01,
  TCPOPT: 0x02,
  IPOPT: 0x04,
  UID: 0x08,
  MACDECODE: 0x20,
} as const;

/** LOG_WARNING: what the kernel uses when --log-level is not given. */
export const LOG_DEFAULT_LEVEL = 4;

/** xt_log_info.prefix is char[30]: longer prefixes are cut to 29 bytes without a word. */
const LOG_PREFIX_MAX = 29;

export interface LogState {
  /** Syslog level 0 (emerg) to 7 (debug). */
  level: number;
  /** LOG_FLAGS bits. */
  flags: number;
  /** '' = none. */
  prefix: string;
}

/** Option name → flag bit, in the order save and the listing print them. */
const FLAG_OPTIONS: ReadonlyArray<readonly [string, number, string]> = [
  ['log-tcp-sequence', LOG_FLAGS.TCPSEQ, 'tcp-sequence'],
  ['log-tcp-options', LOG_FLAGS.TCPOPT, 'tcp-options'],
  ['log-ip-options', LOG_FLAGS.IPOPT, 'ip-options'],
  ['log-uid', LOG_FLAGS.UID, 'uid'],
  ['log-macdecode', LOG_FLAGS.MACDECODE, 'macdecode'],
];

/** Names XTTYPE_SYSLOGLEVEL accepts (exact, case-sensitive), including deprecated ones. */
const LEVEL_NAMES: ReadonlyMap<string, number> = new Map([
  ['alert', 1],
  ['crit', 2],
  ['debug', 7],
  ['emerg', 0],
  ['error', 3],
  ['info', 6],
  ['notice', 5],
  ['panic', 0],
  ['warning', 4],
]);

/** priority2name: the first name glibc's prioritynames table has for each level 0-7. */
const LEVEL_LISTING_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** xtopt_parse_sysloglevel: a number 0-7, else one of the names. */
export function parseSyslogLevel(text: string): number {
  const n = strtoul(text, 0, 7) ?? LEVEL_NAMES.get(text);
  if (n === undefined) throw new ParamError(`log level "${text}" unknown`);
  return n;
}

/**
 * The checks LOG_parse and NFLOG_parse make on a prefix (XTTYPE_STRING with .min 1, no
 * newline); NFLOG's message names --log-prefix too.
 */
export function checkLogPrefix(text: string): void {
  checkMinLength(text, 1);
  if (text.includes('\n')) throw new ParamError('Newlines not allowed in --log-prefix');
}

export const LOG = defineTarget<LogState>({
  name: 'LOG',
  modelled: true,
  options: [
    { name: 'log-level', arg: 'required' },
    { name: 'log-prefix', arg: 'required' },
    ...FLAG_OPTIONS.map(([name]) => ({ name, arg: 'none' as const })),
  ],
  create: () => ({ level: LOG_DEFAULT_LEVEL, flags: 0, prefix: '' }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'log-level':
        s.level = parseSyslogLevel(arg);
        return;
      case 'log-prefix':
        checkLogPrefix(arg);
        s.prefix = truncateBytes(arg, LOG_PREFIX_MAX);
        return;
      default:
        s.flags |= FLAG_OPTIONS.find(([name]) => name === call.name)![1];
    }
  },
  save(s) {
    let out = s.prefix !== '' ? ' --log-prefix' + saveString(s.prefix) : '';
    if (s.level !== LOG_DEFAULT_LEVEL) out += ` --log-level ${s.level}`;
    for (const [name, bit] of FLAG_OPTIONS) if (s.flags & bit) out += ` --${name}`;
    return out;
  },
  print(s, _ip, numeric) {
    let out = ' LOG';
    if (numeric) {
      out += ` flags ${s.flags} level ${s.level}`;
    } else {
      out += ` level ${LEVEL_LISTING_NAMES[s.level]}`;
      for (const [, bit, word] of FLAG_OPTIONS) if (s.flags & bit) out += ` ${word}`;
    }
    // Listed raw between double quotes, unlike save's escaping.
    if (s.prefix !== '') out += ` prefix "${s.prefix}"`;
    return out;
  },
  // log_tg: one kernel log line at the rule's level, and the packet goes on.
  applyTarget(s, pkt, rt) {
    rt.log(s.level, ipv4LogLine(pkt, s.prefix, s.flags, rt), pkt);
    return Verdict.CONTINUE;
  },
});
