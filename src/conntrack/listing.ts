/**
 * `conntrack -L` text (conntrack-tools' default output) of an entry:
 *   tcp      6 431999 ESTABLISHED src=… dst=… sport=… dport=… src=… dst=… sport=… dport=… [ASSURED] mark=0 use=1
 * protocol name padded to 8 columns, protocol number, seconds left, the TCP state, the
 * original tuple, [UNREPLIED] until a reply was seen, the reply tuple, [ASSURED], the mark,
 * the zone when not 0, and the reference count (1: only the table holds it).
 */
import { ipToString } from '../rules/values.js';
import { ConnEntry, Status, type Tuple } from './entry.js';
import { TCP_STATE_NAMES } from './tcp.js';

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 132: 'sctp', 136: 'udplite' };

function tupleText(t: Tuple): string {
  const addrs = `src=${ipToString(t.src >>> 0)} dst=${ipToString(t.dst >>> 0)}`;
  if (t.proto === 6 || t.proto === 17) return `${addrs} sport=${t.sport} dport=${t.dport}`;
  if (t.proto === 1) return `${addrs} type=${t.dport >>> 8} code=${t.dport & 0xff} id=${t.sport}`;
  return addrs;
}

/** One `conntrack -L` line; without `timeout` the seconds-left field is left out. */
export function conntrackLine(e: ConnEntry, nowNs: number, timeout = true): string {
  const [orig, repl] = e.tuple;
  const name = PROTO_NAMES[orig.proto] ?? 'unknown';
  const fields = [`${name.padEnd(8)} ${orig.proto}`];
  if (timeout) fields.push(String(Math.max(0, Math.floor((e.expiresNs - nowNs) / 1e9))));
  if (orig.proto === 6 && e.tcp !== null) fields.push(TCP_STATE_NAMES[e.tcp.state]!);
  fields.push(tupleText(orig));
  if (!(e.status & Status.SEEN_REPLY)) fields.push('[UNREPLIED]');
  fields.push(tupleText(repl));
  if (e.status & Status.ASSURED) fields.push('[ASSURED]');
  fields.push(`mark=${e.mark >>> 0}`);
  if (e.zone !== 0) fields.push(`zone=${e.zone}`);
  fields.push('use=1');
  return fields.join(' ');
}
