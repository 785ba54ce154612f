/**
 * Entries as conntrack-tools (1.4.7, libnetfilter_conntrack's default output) prints them.
 *
 * `conntrack -L`:
 *   tcp      6 431999 ESTABLISHED src=… dst=… sport=… dport=… src=… dst=… sport=… dport=… [ASSURED] mark=0 use=1
 * protocol name padded to 8 columns, protocol number, seconds left, the TCP state, the
 * original tuple, [UNREPLIED] until a reply was seen, the reply tuple, [ASSURED], the mark,
 * the zone when not 0 (`mark=42 zone=7 use=1`), and the reference count (1: only the
 * table holds it). `-o extended` puts the layer-3 protocol first, its name padded to 8
 * columns and its number: `ipv4     2 tcp      6 431999 ESTABLISHED …`.
 *
 * `conntrack -E` (what ctnetlink_conntrack_event() puts in an event): `[NEW]`, ` [UPDATE]`,
 * `[DESTROY]` right aligned in 9 columns, then the same fields without `use=`; the TCP
 * state in an [UPDATE] only when it changed since the last event (IPCT_PROTOINFO; a
 * [NEW] always has it, the state having changed from none, a [DESTROY] always dumps it);
 * the mark when it is not 0 or, in a [NEW] or [UPDATE], when CONNMARK changed it
 * (IPCT_MARK); for [DESTROY] no seconds left once the entry has expired
 * (ctnetlink_dump_timeout skips 0 in destroy events):
 *       [NEW] udp      17 30 src=… dst=… sport=… dport=… [UNREPLIED] src=… dst=… sport=… dport=… zone=9
 *    [UPDATE] tcp      6 431999 src=… [ASSURED]
 *   [DESTROY] tcp      6 TIME_WAIT src=… [ASSURED] mark=3 zone=4
 * With `-o timestamp` each event line starts with `[seconds.microseconds]` and a tab.
 */
import { ipToString } from '../rules/values.js';
import { ConnEntry, CtEvent, Status, type Tuple } from './entry.js';
import { TCP_STATE_NAMES } from './tcp.js';

/** libnetfilter_conntrack's l4 protocol names; anything else is "unknown". */
const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 132: 'sctp', 136: 'udplite' };

/** `-o extended`'s layer-3 prefix for IPv4 (l3proto name padded to 8, AF_INET). */
const EXTENDED_IPV4 = 'ipv4     2 ';

/** conntrack-tools' output formats: the default, and `-o extended`. */
export type ConntrackFormat = 'plain' | 'extended';

export type ConntrackEventKind = 'NEW' | 'UPDATE' | 'DESTROY';

function tupleText(t: Tuple): string {
  const addrs = `src=${ipToString(t.src >>> 0)} dst=${ipToString(t.dst >>> 0)}`;
  if (t.proto === 6 || t.proto === 17) return `${addrs} sport=${t.sport} dport=${t.dport}`;
  if (t.proto === 1) return `${addrs} type=${t.dport >>> 8} code=${t.dport & 0xff} id=${t.sport}`;
  return addrs;
}

function secondsLeft(e: ConnEntry, nowNs: number): number {
  return Math.max(0, Math.floor((e.expiresNs - nowNs) / 1e9));
}

/** The fields both outputs share, from the protocol to the mark. */
function fieldsOf(e: ConnEntry, timeout: number | undefined, format: ConntrackFormat, withState: boolean, withMark: boolean): string[] {
  const [orig, repl] = e.tuple;
  const name = PROTO_NAMES[orig.proto] ?? 'unknown';
  const fields = [`${format === 'extended' ? EXTENDED_IPV4 : ''}${name.padEnd(8)} ${orig.proto}`];
  if (timeout !== undefined) fields.push(String(timeout));
  if (withState && orig.proto === 6 && e.tcp !== null) fields.push(TCP_STATE_NAMES[e.tcp.state]!);
  fields.push(tupleText(orig));
  if (!(e.status & Status.SEEN_REPLY)) fields.push('[UNREPLIED]');
  fields.push(tupleText(repl));
  if (e.status & Status.ASSURED) fields.push('[ASSURED]');
  if (withMark || e.mark !== 0) fields.push(`mark=${e.mark >>> 0}`);
  if (e.zone !== 0) fields.push(`zone=${e.zone}`);
  return fields;
}

/**
 * One `conntrack -L` line (`-o extended` with format 'extended'); without `timeout` the
 * seconds-left field is left out.
 */
export function conntrackLine(e: ConnEntry, nowNs: number, timeout = true, format: ConntrackFormat = 'plain'): string {
  const fields = fieldsOf(e, timeout ? secondsLeft(e, nowNs) : undefined, format, true, true);
  fields.push('use=1');
  return fields.join(' ');
}

/**
 * One `conntrack -E` line (`-o extended` with format 'extended') for an event at capture
 * time `nowNs` (ns since the first packet), without the `-o timestamp` prefix. A [NEW] or
 * [UPDATE] shows the events cached in the entry, so it is printed from the event hook.
 */
export function conntrackEventLine(kind: ConntrackEventKind, e: ConnEntry, nowNs: number, format: ConntrackFormat = 'plain'): string {
  const left = secondsLeft(e, nowNs);
  const cached = kind === 'DESTROY' ? 0 : e.events;
  const withState = kind !== 'UPDATE' || (cached & CtEvent.PROTOINFO) !== 0;
  const fields = fieldsOf(e, kind === 'DESTROY' && left === 0 ? undefined : left, format, withState, (cached & CtEvent.MARK) !== 0);
  return `${`[${kind}]`.padStart(9)} ${fields.join(' ')}`;
}
