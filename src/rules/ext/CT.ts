/**
 * CT target (libxt_CT, revision 2 / kernel xt_CT): sets up the conntrack entry a packet
 * will create: no tracking at all, a helper, a timeout policy, event masks, a zone.
 * NOTRACK is the same kernel target with the alias flag set (see NOTRACK.ts).
 */
import { ParamError } from '../errors.js';
import { strtoul } from '../values.js';
import { truncateBytes } from './common/strings.js';
import { defineTarget, type KernelContext } from './types.js';
import { Verdict, type PacketState } from '../../engine/packet.js';
import type { ReplayRuntime } from '../../engine/runtime.js';
import { CtInfo } from '../../conntrack/entry.js';

/** XT_CT_* flag bits (include/uapi/linux/netfilter/xt_CT.h). */
export const CT_NOTRACK = 0x01;
export const CT_NOTRACK_ALIAS = 0x02;
export const CT_ZONE_DIR_ORIG = 0x04;
export const CT_ZONE_DIR_REPL = 0x08;
export const CT_ZONE_MARK = 0x10;

export interface CtState {
  /** CT_* bits. */
  flags: number;
  /** Conntrack helper name, '' for none (at most 15 bytes, as the kernel struct holds). */
  helper: string;
  /** nfct timeout policy name, '' for none (at most 31 bytes). */
  timeout: string;
  /** Bit n set = conntrack event n (IPCT_NEW = 0 ... IPCT_SECMARK = 9). */
  ctEvents: number;
  /** Bit 0 = IPEXP_NEW. */
  expEvents: number;
  /** Zone id; with CT_ZONE_MARK the zone comes from the packet mark instead. */
  zone: number;
}

/** ct_event_tbl: names in printing order with their IPCT_* bit. */
const CT_EVENTS: ReadonlyArray<readonly [string, number]> = [
  ['new', 0],
  ['related', 1],
  ['destroy', 2],
  ['reply', 3],
  ['assured', 4],
  ['protoinfo', 5],
  ['helper', 6],
  ['mark', 7],
  ['natseqinfo', 8],
  ['secmark', 9],
];

const EXP_EVENTS: ReadonlyArray<readonly [string, number]> = [['new', 0]];

/**
 * The conntrack helpers the kernel has (all built in) and the layer-4 protocols each is
 * registered for; __nf_conntrack_helper_find matches name (case-sensitive) and protocol.
 */
const HELPERS: Readonly<Record<string, readonly number[]>> = {
  amanda: [17],
  ftp: [6],
  'H.245': [17],
  irc: [6],
  'netbios-ns': [17],
  pptp: [6],
  'Q.931': [6],
  RAS: [17],
  sane: [6],
  sip: [6, 17],
  snmp: [17],
  snmp_trap: [17],
  tftp: [17],
};

/**
 * What iptables reads back of the timeout name: the kernel copies only the first 32
 * bytes of the revision-1 struct to user space (xt_CT's usersize is the revision-0
 * offset of its private pointer), and the name starts at byte 28.
 */
const TIMEOUT_SHOWN = 4;

/** ct_parse_events: comma-separated names, each exactly as in the table. */
function parseEvents(table: ReadonlyArray<readonly [string, number]>, text: string): number {
  let mask = 0;
  for (const name of text.split(',')) {
    const entry = table.find(([n]) => n === name);
    if (!entry) throw new ParamError(`Unknown event type "${name}"`);
    mask |= 1 << entry[1];
  }
  return mask;
}

function eventsText(table: ReadonlyArray<readonly [string, number]>, mask: number): string {
  return table
    .filter(([, bit]) => mask & (1 << bit))
    .map(([n]) => n)
    .join(',');
}

/** ct_print_zone_id: "-orig"/"-reply" only when exactly one direction is set. */
function zoneText(label: string, s: CtState): string {
  let out = ` ${label}`;
  const dirs = s.flags & (CT_ZONE_DIR_ORIG | CT_ZONE_DIR_REPL);
  if (dirs === CT_ZONE_DIR_ORIG) out += '-orig';
  if (dirs === CT_ZONE_DIR_REPL) out += '-reply';
  return out + (s.flags & CT_ZONE_MARK ? ' mark' : ` ${s.zone}`);
}

/** ct_print_v1 / ct_save_v1 with the option words given by `prefix` ("" or "--"). */
function ctText(s: CtState, prefix: string): string {
  let out = '';
  if (s.flags & CT_NOTRACK) out += ` ${prefix}notrack`;
  if (s.helper !== '') out += ` ${prefix}helper ${s.helper}`;
  if (s.timeout !== '') out += ` ${prefix}timeout ${truncateBytes(s.timeout, TIMEOUT_SHOWN)}`;
  if (s.ctEvents) out += ` ${prefix}ctevents ${eventsText(CT_EVENTS, s.ctEvents)}`;
  if (s.expEvents) out += ` ${prefix}expevents ${eventsText(EXP_EVENTS, s.expEvents)}`;
  if (s.flags & CT_ZONE_MARK || s.zone) out += zoneText(`${prefix}zone`, s);
  return out;
}

export function emptyCtState(): CtState {
  return { flags: 0, helper: '', timeout: '', ctEvents: 0, expEvents: 0, zone: 0 };
}

/**
 * xt_ct_tg_check: with notrack nothing else is looked at; otherwise the helper must
 * exist for the rule's (non-inverted) protocol, and a timeout policy must have been
 * created with nfct beforehand, which never holds for a ruleset loaded on its own.
 */
export function ctKernelCheck(s: CtState, ctx: KernelContext): string | undefined {
  if (s.flags & CT_NOTRACK) return undefined;
  if (s.helper !== '') {
    const proto = ctx.ip.invProto ? 0 : ctx.ip.proto;
    if (proto === 0) return 'CT target: a helper needs -p with a layer-4 protocol, not inverted';
    if (!HELPERS[s.helper]?.includes(proto)) return `CT target: no helper "${s.helper}" for protocol ${proto}`;
  }
  if (s.timeout !== '') return `CT target: timeout policy "${s.timeout}" does not exist (nfct creates them at run time)`;
  return undefined;
}

/**
 * xt_ct_target(): a packet that already has conntrack state (one coming back through lo)
 * is left alone; otherwise NOTRACK makes it UNTRACKED, and a zone is what its entry will
 * be created in. Helpers, timeout policies and event masks have no effect the replay
 * shows: they are counted as not modelled.
 */
export function applyCt(s: CtState, pkt: PacketState, rt: ReplayRuntime): Verdict {
  if (pkt.ct !== null || pkt.ctinfo === CtInfo.UNTRACKED) return Verdict.CONTINUE;
  if (s.flags & CT_NOTRACK) {
    pkt.ctinfo = CtInfo.UNTRACKED;
    return Verdict.CONTINUE;
  }
  // The zone applies to the entry whatever its direction flags say about which tuple it keys.
  pkt.ctZone = s.flags & CT_ZONE_MARK ? pkt.mark & 0xffff : s.zone;
  if (s.helper !== '') rt.note('ct.helper_not_modelled');
  if (s.timeout !== '') rt.note('ct.timeout_policy_not_modelled');
  return Verdict.CONTINUE;
}

export const CT = defineTarget<CtState>({
  name: 'CT',
  modelled: true,
  applyTarget: applyCt,
  options: [
    { name: 'notrack', arg: 'none' },
    { name: 'helper', arg: 'required' },
    { name: 'timeout', arg: 'required' },
    { name: 'ctevents', arg: 'required' },
    { name: 'expevents', arg: 'required' },
    { name: 'zone-orig', arg: 'required' },
    { name: 'zone-reply', arg: 'required' },
    { name: 'zone', arg: 'required' },
  ],
  // xt_CT: raw table only.
  tables: ['raw'],
  create: emptyCtState,
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'notrack':
        s.flags |= CT_NOTRACK;
        return;
      case 'helper':
        // XTOPT_PUT into char helper[16].
        s.helper = truncateBytes(arg, 15);
        return;
      case 'timeout':
        // XTOPT_PUT into char timeout[32].
        s.timeout = truncateBytes(arg, 31);
        return;
      case 'ctevents':
        s.ctEvents = parseEvents(CT_EVENTS, arg);
        return;
      case 'expevents':
        s.expEvents = parseEvents(EXP_EVENTS, arg);
        return;
      default: {
        // ct_parse_zone_id: direction flags accumulate, the id is replaced each time.
        if (call.name === 'zone-orig') s.flags |= CT_ZONE_DIR_ORIG;
        if (call.name === 'zone-reply') s.flags |= CT_ZONE_DIR_REPL;
        s.zone = 0;
        if (arg.toLowerCase() === 'mark') {
          s.flags |= CT_ZONE_MARK;
          return;
        }
        const id = strtoul(arg, 0, 0xffff);
        if (id === undefined) throw new ParamError(`Cannot parse ${arg} as a zone ID`);
        s.zone = id;
      }
    }
  },
  kernelCheck: ctKernelCheck,
  save: (s) => ctText(s, '--'),
  print: (s) => ' CT' + ctText(s, ''),
});
