/**
 * The text of the replay's per-packet outputs, one line per event, the same whether the
 * replay writes them itself or a replay thread makes a part of them: --verdicts (JSON
 * lines), --log (LOG and TRACE target lines with the capture time) and --trace.
 */
import type { LogLine } from './context.js';
import type { PacketState } from './packet.js';
import type { PacketOutcome } from './replay.js';

/** A capture time as RFC 3339 UTC, to the microsecond. */
function isoTime(sec: number, nsec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z`);
}

/** --verdicts: a packet's outcome as a JSON line. */
export function verdictLine(o: PacketOutcome): string {
  return JSON.stringify({ packet: o.packet, reply: o.reply, verdict: o.verdict, path: o.path, hooks: o.hooks, droppedAt: o.droppedAt, reason: o.reason }) + '\n';
}

/** --log: a LOG or TRACE target's line, as the kernel log shows it, at the packet's capture time. */
export function logLine(l: LogLine): string {
  return `${isoTime(l.tsSec, l.tsNsec)} kernel: ${l.text}\n`;
}

/** --trace: a traced packet's line. */
export function traceLine(p: PacketState, text: string): string {
  return `${isoTime(p.tsSec, p.tsNsec)} packet ${p.number} ${text}\n`;
}
