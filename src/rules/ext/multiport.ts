/**
 * multiport match, revision 1 (libxt_multiport / kernel xt_multiport): up to 15 source,
 * destination or either-side ports, where a range "a:b" takes two of the 15 slots, the
 * whole list optionally negated. Only for -p tcp, udp, udplite, sctp or dccp.
 */
import { code, join, type Code } from '../../compile/builder.js';
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import type { IpEntry } from '../model.js';
import { Header, header, thoff, u16At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { parsePort, portName } from '../values.js';
import { defineMatch } from './types.js';

/** XT_MULTI_PORTS: slots in struct xt_multiport_v1. */
const MAX_SLOTS = 15;

export type MultiportDirection = 'source' | 'destination' | 'either';

export interface PortItem {
  /** A single port has min === max; a range always has min < max and uses two slots. */
  min: number;
  max: number;
}

export interface MultiportState {
  direction: MultiportDirection;
  items: PortItem[];
  invert: boolean;
}

/** The protocols multiport accepts, with the name its ports are looked up under. */
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [6, 'tcp'],
  [17, 'udp'],
  [136, 'udplite'],
  [132, 'sctp'],
  [33, 'dccp'],
]);

/** check_proto: run when an option is parsed, so -p must come before it. */
function protoName(ip: IpEntry): string {
  const name = ip.invProto ? undefined : PROTO_NAMES.get(ip.proto);
  if (name !== undefined) return name;
  if (ip.proto === 0 && !ip.invProto) {
    throw new ParamError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
  }
  throw new ParamError('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
}

/**
 * parse_multi_ports_v1: comma-separated ports or "a:b" ranges (xtables_parse_port: a
 * base-0 number or a service name of the rule's protocol). The slot limit is checked as
 * the list is read, so an invalid port before the 16th slot is reported first.
 */
function parsePortList(text: string, proto: string): PortItem[] {
  const items: PortItem[] = [];
  const parts = text.split(',');
  let slots = 0;
  for (const part of parts) {
    if (slots === MAX_SLOTS) throw new ParamError('too many ports specified');
    const colon = part.indexOf(':');
    if (colon < 0) {
      const port = parsePort(part, proto);
      items.push({ min: port, max: port });
      slots++;
      continue;
    }
    if (slots === MAX_SLOTS - 1) throw new ParamError('too many ports specified');
    const min = parsePort(part.slice(0, colon), proto);
    const max = parsePort(part.slice(colon + 1), proto);
    if (min >= max) throw new ParamError('invalid portrange specified');
    items.push({ min, max });
    slots += 2;
  }
  return items;
}

/** Option ids in id order; "sports" etc. share their long form's id and messages. */
const ID_NAMES = ['source-ports', 'destination-ports', 'ports'] as const;
const DIRECTIONS: readonly MultiportDirection[] = ['source', 'destination', 'either'];
const ID_OF: Readonly<Record<string, number>> = {
  'source-ports': 0,
  sports: 0,
  'destination-ports': 1,
  dports: 1,
  ports: 2,
};

const SAVE_OPTION: Readonly<Record<MultiportDirection, string>> = {
  source: 'sports',
  destination: 'dports',
  either: 'ports',
};

function itemsText(items: readonly PortItem[], name: (port: number) => string): string {
  return items.map((it) => (it.min === it.max ? name(it.min) : `${name(it.min)}:${name(it.max)}`)).join(',');
}

/** ports_match_v1: the first item that contains the port (or either port) decides. */
function portsMatch(s: MultiportState, src: number, dst: number): boolean {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i]!;
    const hitSrc = s.direction !== 'destination' && src >= it.min && src <= it.max;
    const hitDst = s.direction !== 'source' && dst >= it.min && dst <= it.max;
    if (hitSrc || hitDst) return !s.invert;
  }
  return s.invert;
}

/**
 * multiport_mt (xt_multiport.c): not a later fragment; the two 16-bit ports at the start
 * of the layer-4 header (TCP, UDP, UDP-Lite, SCTP and DCCP all put them there), the
 * packet dropped when they are not there.
 */
export function multiportMatch(s: MultiportState, pkt: PacketState): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return false;
  // The decoder has the ports of TCP and UDP; the other protocols are read here.
  if (v.srcPort >= 0) return portsMatch(s, v.srcPort, v.dstPort);
  const off = thoff(v);
  const h = header(v, off, 4);
  if (h === Header.SHORT) return hotdrop(pkt);
  if (h === Header.CUT) return false;
  return portsMatch(s, u16At(pkt, off), u16At(pkt, off + 2));
}

function itemCode(field: Code, it: PortItem): Code {
  return it.min === it.max ? code`${field} === ${it.min}` : code`(${field} >= ${it.min} && ${field} <= ${it.max})`;
}

export const multiport = defineMatch<MultiportState>({
  name: 'multiport',
  modelled: true,
  // Every entry excludes all ids including its own (.excl = F_ANY): the checks are done
  // here, by id, because an alias reports its long form's name.
  options: [
    { name: 'source-ports', arg: 'required', invert: true, custom: true },
    { name: 'sports', arg: 'required', invert: true, custom: true },
    { name: 'destination-ports', arg: 'required', invert: true, custom: true },
    { name: 'dports', arg: 'required', invert: true, custom: true },
    { name: 'ports', arg: 'required', invert: true, custom: true },
  ],
  create: () => ({ direction: 'source', items: [], invert: false }),
  parse(s, call, ctx) {
    const id = ID_OF[call.name]!;
    if ([...ctx.seen].some((name) => ID_OF[name] === id)) {
      throw new ParamError(`multiport: option "--${ID_NAMES[id]}" can only be used once.`);
    }
    s.items = parsePortList(call.arg ?? '', protoName(ctx.ip));
    s.direction = DIRECTIONS[id]!;
    s.invert = call.invert;
  },
  finalCheck(_s, ctx) {
    const given = [0, 1, 2].filter((id) => [...ctx.seen].some((name) => ID_OF[name] === id));
    if (given.length === 0) throw new ParamError('multiport expection an option');
    if (given.length > 1) {
      throw new ParamError(
        `multiport: option "--${ID_NAMES[given[0]!]}" cannot be used together with "--${ID_NAMES[given[1]!]}".`,
      );
    }
  },
  save(s) {
    return `${s.invert ? ' !' : ''} --${SAVE_OPTION[s.direction]} ${itemsText(s.items, String)}`;
  },
  print(s, ip, numeric) {
    const proto = PROTO_NAMES.get(ip.proto)!;
    const list = itemsText(s.items, (port) => portName(port, proto, numeric));
    // __multiport_print_v1 ends the direction with a space and prints " !" after it.
    return ` multiport ${SAVE_OPTION[s.direction]} ${s.invert ? ' !' : ''}${list}`;
  },
  matchPacket: (s, pkt) => multiportMatch(s, pkt),
  compileMatch(s, c) {
    const v = c.view;
    const tests: Code[] = [];
    for (const it of s.items) {
      if (s.direction !== 'destination') tests.push(itemCode(code`${v}.srcPort`, it));
      if (s.direction !== 'source') tests.push(itemCode(code`${v}.dstPort`, it));
    }
    const any = join(tests, ' || ');
    const test = s.invert ? code`!(${any})` : code`(${any})`;
    const slow = c.scope.param((p: PacketState) => multiportMatch(s, p), 'f');
    return code`(${v}.fragOffset === 0 && ${v}.srcPort >= 0 ? ${test} : ${slow}(${c.pkt}))`;
  },
});
