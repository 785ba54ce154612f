/**
 * `nfreplay capture info FILE|-`: what a capture holds (format, interfaces, packet count,
 * first and last timestamps) and whether it is damaged, read the way the replay reads it.
 */
import type { Command } from 'commander';
import { CaptureError, CaptureErrorCodes, linktypeName, openCapture, type CaptureInterface, type CaptureReader } from '../capture/index.js';
import { ExitCode, type Io } from './io.js';

/** The capture was read up to a damaged or truncated record; what came before was processed. */
export const EXIT_TRUNCATED = 3;

function resolution(ticks: bigint | number): string {
  const t = BigInt(ticks);
  for (let e = 0n, p = 1n; p <= t; e++, p *= 10n) if (p === t) return e === 6n ? 'microseconds' : e === 9n ? 'nanoseconds' : `10^-${e} s`;
  for (let e = 0n; e < 64n; e++) if (1n << e === t) return `2^-${e} s`;
  return `1/${t} s`;
}

function describeInterface(i: CaptureInterface): string {
  const id = i.id < 0 ? '' : ` ${i.id}`;
  const name = i.name === undefined ? '' : ` ${i.name}`;
  const offset = i.tsOffsetSec === 0 ? '' : `, timestamp offset ${i.tsOffsetSec} s`;
  return `interface${id}:${name} ${linktypeName(i.linktype)} (${i.linktype}), snaplen ${i.snaplen}, timestamps in ${resolution(i.tsResolution)}${offset}`;
}

/** UTC date and time with the nanoseconds, and the raw seconds.nanoseconds. */
function timestamp(sec: number, nsec: number): string {
  const frac = String(nsec).padStart(9, '0');
  const date = new Date(sec * 1000);
  const text = Number.isNaN(date.getTime()) ? '?' : `${date.toISOString().slice(0, 19).replace('T', ' ')}.${frac} UTC`;
  return `${text} (${sec}.${frac})`;
}

function describeFormat(r: CaptureReader): string {
  const parts = [`${r.format} ${r.version}`, r.byteOrder];
  if (r.format === 'pcapng') parts.push(`${r.sections} section${r.sections === 1 ? '' : 's'}`);
  if (r.compressed) parts.push('gzip-compressed');
  return parts.join(', ');
}

async function info(file: string, io: Io): Promise<void> {
  let reader: CaptureReader;
  try {
    reader = await openCapture(file);
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    io.err(`nfreplay: ${e.message} [${e.code}]\n`);
    return io.exit(ExitCode.Invalid);
  }
  let firstSec = 0;
  let firstNsec = 0;
  let lastSec = 0;
  let lastNsec = 0;
  let wire = 0;
  const summary = await reader.forEach((rec) => {
    if (rec.number === 1) {
      firstSec = rec.tsSec;
      firstNsec = rec.tsNsec;
    }
    lastSec = rec.tsSec;
    lastNsec = rec.tsNsec;
    wire += rec.origlen;
  });
  const lines = [`file: ${file === '-' ? 'standard input' : file}`, `format: ${describeFormat(reader)}`];
  for (const i of reader.interfaces) lines.push(describeInterface(i));
  lines.push(`packets: ${summary.packets} (${summary.bytes} bytes captured, ${wire} bytes on the wire)`);
  if (summary.packets > 0) {
    lines.push(`first: ${timestamp(firstSec, firstNsec)}`);
    lines.push(`last: ${timestamp(lastSec, lastNsec)}`);
  }
  if (summary.damage !== undefined) lines.push(`damage: at byte ${summary.damage.offset}: ${summary.damage.message}`);
  io.out(lines.join('\n') + '\n');
  if (summary.damage !== undefined) {
    io.err(
      `nfreplay: ${file === '-' ? 'standard input' : file}: ${summary.damage.message} (at byte ${summary.damage.offset}; ` +
        `the ${summary.packets} packets before it were read) [${CaptureErrorCodes.DAMAGED}]\n`,
    );
    io.exit(EXIT_TRUNCATED);
  }
}

export function registerCaptureCommands(program: Command, io: Io): void {
  const capture = program.command('capture').description('inspect packet captures (pcap, pcapng, gzip-compressed or not)');
  capture
    .command('info')
    .description('print format, interfaces, packet count, first and last timestamps, and any damage')
    .argument('<file>', 'pcap or pcapng file, or - for standard input')
    .action((file: string) => info(file, io));
}
