/**
 * sctp match (libxt_sctp / kernel xt_sctp): source and destination port ranges and the
 * chunk types present in the packet (all of / any of / only these), with optional tests
 * of chunk flags. Loaded implicitly by `-p sctp`; the kernel accepts it only for -p sctp.
 *
 * The state is struct xt_sctp_info as the kernel evaluates it, including libxt_sctp's
 * quirk of recording flag tests under the chunk's position in its name table rather than
 * under the chunk type (the two differ from I_DATA on).
 */
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { Header, header, thoff, u16At, u8At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { rangeOptionText } from './common/numbers.js';
import { parsePortRange, printPortRange } from './common/ports.js';
import { defineMatch } from './types.js';

/** XT_SCTP_* bits of flags/invflags. */
export const SCTP = { SRC_PORTS: 0x01, DEST_PORTS: 0x02, CHUNK_TYPES: 0x04 } as const;
/** SCTP_CHUNK_MATCH_* */
export const SCTP_CHUNK_MATCH = { ANY: 0x01, ALL: 0x02, ONLY: 0x04 } as const;

/** __u32 chunkmap[256 / sizeof(__u32)]: 64 words, although chunk types only reach 255. */
export const SCTP_CHUNKMAP_WORDS = 64;
/** XT_NUM_SCTP_FLAGS */
const MAX_FLAG_INFO = 4;

export interface SctpFlagInfo {
  /** Position in CHUNK_NAMES (not the chunk type), as libxt_sctp stores it. */
  chunktype: number;
  flag: number;
  flagMask: number;
}

export interface SctpState {
  /** SCTP bits of the tests made. */
  flags: number;
  /** SCTP bits of the negated tests. */
  invflags: number;
  spts: [number, number];
  dpts: [number, number];
  /** SCTP_CHUNK_MATCH */
  chunkMatchType: number;
  /** Bit n of word n>>5 set when chunk type n is listed. */
  chunkmap: number[];
  flagInfo: SctpFlagInfo[];
}

/** sctp_chunk_names: name, type and the letters of its flag bits (bit 7 first). */
const CHUNK_NAMES: ReadonlyArray<readonly [string, number, string]> = [
  ['DATA', 0, '----IUBE'],
  ['INIT', 1, '--------'],
  ['INIT_ACK', 2, '--------'],
  ['SACK', 3, '--------'],
  ['HEARTBEAT', 4, '--------'],
  ['HEARTBEAT_ACK', 5, '--------'],
  ['ABORT', 6, '-------T'],
  ['SHUTDOWN', 7, '--------'],
  ['SHUTDOWN_ACK', 8, '--------'],
  ['ERROR', 9, '--------'],
  ['COOKIE_ECHO', 10, '--------'],
  ['COOKIE_ACK', 11, '--------'],
  ['ECN_ECNE', 12, '--------'],
  ['ECN_CWR', 13, '--------'],
  ['SHUTDOWN_COMPLETE', 14, '-------T'],
  ['I_DATA', 64, '----IUBE'],
  ['RE_CONFIG', 130, '--------'],
  ['PAD', 132, '--------'],
  ['ASCONF', 193, '--------'],
  ['ASCONF_ACK', 128, '--------'],
  ['FORWARD_TSN', 192, '--------'],
  ['I_FORWARD_TSN', 194, '--------'],
];

const MATCH_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['any', SCTP_CHUNK_MATCH.ANY],
  ['all', SCTP_CHUNK_MATCH.ALL],
  ['only', SCTP_CHUNK_MATCH.ONLY],
];

export function chunkIsSet(map: readonly number[], type: number): boolean {
  return ((map[type >>> 5]! >>> (type & 31)) & 1) === 1;
}

function isUpper(ch: string): boolean {
  return ch >= 'A' && ch <= 'Z';
}

/** save_chunk_flag_info: tests of one chunk accumulate in a single entry. */
function addFlagTest(s: SctpState, index: number, bit: number, set: boolean): void {
  let entry = s.flagInfo.find((f) => f.chunktype === index);
  if (!entry) {
    if (s.flagInfo.length === MAX_FLAG_INFO) {
      throw new ParamError(
        'Number of chunk types with flags exceeds currently allowed limit. Increasing this limit involves ' +
          'changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space and user space modules',
      );
    }
    entry = { chunktype: index, flag: 0, flagMask: 0 };
    s.flagInfo.push(entry);
  }
  entry.flagMask |= 1 << bit;
  if (set) entry.flag |= 1 << bit;
}

/** parse_sctp_chunk: "ALL", "NONE" or NAME[:flags],... (names case-insensitive). */
function parseChunks(s: SctpState, text: string): void {
  s.chunkmap = new Array<number>(SCTP_CHUNKMAP_WORDS).fill(0);
  if (text.toUpperCase() === 'ALL') {
    s.chunkmap.fill(0xffffffff);
    return;
  }
  if (text.toUpperCase() === 'NONE') return;
  for (const item of text.split(',')) {
    if (item === '') continue; // strtok skips empty tokens
    const colon = item.indexOf(':');
    const name = colon >= 0 ? item.slice(0, colon) : item;
    const index = CHUNK_NAMES.findIndex(([n]) => n === name.toUpperCase());
    if (index < 0) throw new ParamError(`Unknown sctp chunk \`${name}'`);
    const [, type, letters] = CHUNK_NAMES[index]!;
    s.chunkmap[type >>> 5] = (s.chunkmap[type >>> 5]! | (1 << (type & 31))) >>> 0;
    if (colon < 0) continue;
    for (const ch of item.slice(colon + 1)) {
      // The '-' placeholders are letters too: "DATA:-" tests bit 7 for being clear.
      const pos = letters.indexOf(ch.toUpperCase());
      if (pos < 0) throw new ParamError(`Invalid flags for chunk type ${index}`);
      addFlagTest(s, index, 7 - pos, isUpper(ch));
    }
  }
}

/** print_chunk_flags: set bits in upper case, tested-clear bits in lower case. */
function flagText(type: number, info: SctpFlagInfo): string {
  if (info.flagMask === 0) return '';
  const letters = CHUNK_NAMES[type]![2];
  let out = ':';
  for (let bit = 7; bit >= 0; bit--) {
    if ((info.flagMask & (1 << bit)) === 0) continue;
    const letter = letters[7 - bit]!;
    out += (info.flag & (1 << bit)) !== 0 ? letter : letter.toLowerCase();
  }
  return out;
}

/** print_chunks: match type, then NONE, ALL or the listed types in numeric order. */
function chunksText(s: SctpState, numeric: boolean): string {
  const kind = MATCH_TYPES.find(([, v]) => v === s.chunkMatchType)![0];
  if (s.chunkmap.every((w) => w === 0)) return ` ${kind} NONE`;
  if (s.chunkmap.every((w) => w === 0xffffffff)) return ` ${kind} ALL`;
  const items: string[] = [];
  for (let type = 0; type < 256; type++) {
    if (!chunkIsSet(s.chunkmap, type)) continue;
    let item = numeric
      ? '0x' + type.toString(16).toUpperCase().padStart(4, '0')
      : (CHUNK_NAMES.find(([, t]) => t === type)?.[0] ?? '');
    for (const info of s.flagInfo) if (info.chunktype === type) item += flagText(type, info);
    items.push(item);
  }
  return ` ${kind} ${items.join(',')}`;
}

function printPorts(label: string, [min, max]: [number, number], invert: boolean, numeric: boolean): string {
  return printPortRange(label, { min, max, invert }, 'sctp', numeric);
}

/** sctp_save writes the range even when it is 0:65535. */
function savePorts(option: string, [min, max]: [number, number], invert: boolean): string {
  return rangeOptionText(option, min, max, invert);
}

/** sizeof(struct sctphdr) and of struct sctp_chunkhdr. */
const SCTP_HLEN = 12;
const CHUNK_HLEN = 4;

/** match_flags: the first flag test recorded under this number decides; none means true. */
function flagsMatch(s: SctpState, type: number, flags: number): boolean {
  for (let i = 0; i < s.flagInfo.length; i++) {
    const f = s.flagInfo[i]!;
    if (f.chunktype === type) return (flags & f.flagMask) === f.flag;
  }
  return true;
}

/** What match_packet found: its answer, or that it could not walk the chunks. */
const Chunks = { NO: 0, YES: 1, HOTDROP: 2, CUT: 3 } as const;

/**
 * match_packet (xt_sctp.c): walks every chunk header from `offset` to the end of the
 * packet. A chunk header the packet does not hold, or a zero length, drops the packet.
 * "all" clears listed types from a copy of the map as they are seen and needs the whole
 * 64-word map clear at the end: the words past type 255 that "ALL" sets never clear.
 */
function chunksMatch(s: SctpState, pkt: PacketState, copy: Uint32Array): number {
  const v = pkt.view;
  const kind = s.chunkMatchType;
  if (kind === SCTP_CHUNK_MATCH.ALL) for (let i = 0; i < SCTP_CHUNKMAP_WORDS; i++) copy[i] = s.chunkmap[i]!;
  let offset = thoff(v) + SCTP_HLEN;
  do {
    const h = header(v, offset, CHUNK_HLEN);
    if (h === Header.SHORT) return Chunks.HOTDROP;
    if (h === Header.CUT) return Chunks.CUT;
    const type = u8At(pkt, offset);
    const flags = u8At(pkt, offset + 1);
    const length = u16At(pkt, offset + 2);
    if (length === 0) return Chunks.HOTDROP;
    offset += (length + 3) & ~3;
    if (chunkIsSet(s.chunkmap, type)) {
      if (kind === SCTP_CHUNK_MATCH.ANY) {
        if (flagsMatch(s, type, flags)) return Chunks.YES;
      } else if (kind === SCTP_CHUNK_MATCH.ALL) {
        if (flagsMatch(s, type, flags)) copy[type >>> 5] = copy[type >>> 5]! & ~(1 << (type & 31));
      } else if (kind === SCTP_CHUNK_MATCH.ONLY) {
        if (!flagsMatch(s, type, flags)) return Chunks.NO;
      }
    } else if (kind === SCTP_CHUNK_MATCH.ONLY) {
      return Chunks.NO;
    }
  } while (offset < v.totalLength);
  if (kind === SCTP_CHUNK_MATCH.ALL) return isClear(copy) ? Chunks.YES : Chunks.NO;
  return kind === SCTP_CHUNK_MATCH.ONLY ? Chunks.YES : Chunks.NO;
}

/** SCCHECK: a test not given holds; a given one is its condition XOR its negation. */
function sccheck(s: SctpState, bit: number, cond: boolean): boolean {
  return (s.flags & bit) === 0 || ((s.invflags & bit) !== 0) !== cond;
}

function isClear(map: Uint32Array): boolean {
  for (let i = 0; i < map.length; i++) if (map[i] !== 0) return false;
  return true;
}

/**
 * sctp_mt: not a later fragment; the 12-byte common header must be there (else the
 * packet is dropped); then each test given (SCCHECK), the chunk walk last. A walk that
 * drops the packet answers false, which a negated chunk test turns into a match: the rule
 * then matches and the packet is still dropped.
 */
export function sctpMatch(s: SctpState, pkt: PacketState, copy: Uint32Array): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return false;
  const off = thoff(v);
  const h = header(v, off, SCTP_HLEN);
  if (h === Header.SHORT) return hotdrop(pkt);
  if (h === Header.CUT) return false;
  const sport = u16At(pkt, off);
  const dport = u16At(pkt, off + 2);
  if (!sccheck(s, SCTP.SRC_PORTS, sport >= s.spts[0] && sport <= s.spts[1])) return false;
  if (!sccheck(s, SCTP.DEST_PORTS, dport >= s.dpts[0] && dport <= s.dpts[1])) return false;
  if ((s.flags & SCTP.CHUNK_TYPES) === 0) return true;
  const r = chunksMatch(s, pkt, copy);
  if (r === Chunks.CUT) return false;
  if (r === Chunks.HOTDROP) hotdrop(pkt);
  return sccheck(s, SCTP.CHUNK_TYPES, r === Chunks.YES);
}

export const sctp = defineMatch<SctpState>({
  name: 'sctp',
  modelled: true,
  proto: 132,
  // An old-style extension: every check and message is its own.
  options: [
    { name: 'source-port', arg: 'required', invert: true, custom: true },
    { name: 'sport', arg: 'required', invert: true, custom: true },
    { name: 'destination-port', arg: 'required', invert: true, custom: true },
    { name: 'dport', arg: 'required', invert: true, custom: true },
    { name: 'chunk-types', arg: 'required', invert: true, custom: true },
  ],
  create: () => ({
    flags: 0,
    invflags: 0,
    spts: [0, 0],
    dpts: [0, 0],
    chunkMatchType: 0,
    chunkmap: new Array<number>(SCTP_CHUNKMAP_WORDS).fill(0),
    flagInfo: [],
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    const inv = (bit: number): void => {
      s.flags |= bit;
      if (call.invert) s.invflags |= bit;
    };
    switch (call.name) {
      case 'source-port':
      case 'sport': {
        if (s.flags & SCTP.SRC_PORTS) throw new ParamError("Only one `--source-port' allowed");
        const r = parsePortRange(arg, 'sctp');
        s.spts = [r.min, r.max];
        inv(SCTP.SRC_PORTS);
        return;
      }
      case 'destination-port':
      case 'dport': {
        if (s.flags & SCTP.DEST_PORTS) throw new ParamError("Only one `--destination-port' allowed");
        const r = parsePortRange(arg, 'sctp');
        s.dpts = [r.min, r.max];
        inv(SCTP.DEST_PORTS);
        return;
      }
      case 'chunk-types': {
        if (s.flags & SCTP.CHUNK_TYPES) throw new ParamError("Only one `--chunk-types' allowed");
        const list = ctx.peekArg();
        if (list === undefined || list.startsWith('-') || list.startsWith('!')) {
          throw new ParamError('--chunk-types requires two args');
        }
        const kind = MATCH_TYPES.find(([name]) => name === arg.toLowerCase());
        if (!kind) throw new ParamError('Match type has to be one of "ALL", "ANY" or "ONLY"');
        s.chunkMatchType = kind[1];
        parseChunks(s, list);
        ctx.takeArg();
        inv(SCTP.CHUNK_TYPES);
        return;
      }
    }
  },
  save(s) {
    let out = '';
    if (s.flags & SCTP.SRC_PORTS) out += savePorts('sport', s.spts, (s.invflags & SCTP.SRC_PORTS) !== 0);
    if (s.flags & SCTP.DEST_PORTS) out += savePorts('dport', s.dpts, (s.invflags & SCTP.DEST_PORTS) !== 0);
    if (s.flags & SCTP.CHUNK_TYPES) {
      out += `${s.invflags & SCTP.CHUNK_TYPES ? ' !' : ''} --chunk-types${chunksText(s, false)}`;
    }
    return out;
  },
  print(s, _ip, numeric) {
    let out = ' sctp';
    if (s.flags & SCTP.SRC_PORTS) out += printPorts('spt', s.spts, (s.invflags & SCTP.SRC_PORTS) !== 0, numeric);
    if (s.flags & SCTP.DEST_PORTS) out += printPorts('dpt', s.dpts, (s.invflags & SCTP.DEST_PORTS) !== 0, numeric);
    if (s.flags & SCTP.CHUNK_TYPES) {
      out += `${s.invflags & SCTP.CHUNK_TYPES ? ' !' : ''}${chunksText(s, numeric)}`;
    }
    return out;
  },
  // The chunk map copy "all" works on, allocated once per rule.
  instantiate: () => new Uint32Array(SCTP_CHUNKMAP_WORDS),
  matchPacket: (s, pkt, _rt, inst) => sctpMatch(s, pkt, inst as Uint32Array),
});
