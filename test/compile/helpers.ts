/**
 * Shared pieces of the runner tests: a replay runtime that records what it is told, packets
 * built field by field, rulesets built by hand, small extensions with both a matchPacket and
 * a compileMatch (some named like the kernel's tcp, udp and comment so the indexes
 * recognise them), and a way to read a runner's counters.
 */
import { mulberry32 } from '../../src/engine/random.js';
import { code, type Code } from '../../src/compile/builder.js';
import type { TableRunner } from '../../src/compile/index.js';
import { L4State, PacketView } from '../../src/decode/view.js';
import { PacketState, Verdict } from '../../src/engine/packet.js';
import type { ReplayRuntime } from '../../src/engine/runtime.js';
import type { HostModel } from '../../src/netfilter/host.js';
import type { CompileContext, MatchExtension, TargetExtension } from '../../src/rules/ext/types.js';
import {
  emptyIpEntry,
  newTable,
  newChain,
  sortedChains,
  zeroCounters,
  type Hook,
  type IpEntry,
  type MatchInstance,
  type Rule,
  type RuleTarget,
  type Ruleset,
  type TableName,
} from '../../src/rules/model.js';
import type { TcpState } from '../../src/rules/ext/tcp.js';
import type { UdpState } from '../../src/rules/ext/udp.js';
import { hotdrop } from '../../src/rules/ext/common/hotdrop.js';

export class TestRuntime implements ReplayRuntime {
  readonly host = {} as HostModel;
  readonly notes = new Map<string, number>();
  readonly logs: string[] = [];
  private readonly tables = new Map<string, unknown>();

  private readonly next: () => number;

  constructor(seed = 1) {
    this.next = mulberry32(seed);
  }

  /** REJECT's reply is only noted here: the replay decides it (engine/host-replies.ts). */
  reject(): void {
    this.note('reject.reply');
  }

  random32(): number {
    return this.next();
  }

  shared<T>(kind: string, name: string, create: () => T): T {
    const key = `${kind}/${name}`;
    if (!this.tables.has(key)) this.tables.set(key, create());
    return this.tables.get(key) as T;
  }

  log(level: number, line: string): void {
    this.logs.push(`<${level}>${line}`);
  }

  nflog(group: number, prefix: string): void {
    this.logs.push(`nflog ${group} ${prefix}`);
  }

  note(event: string): void {
    this.notes.set(event, (this.notes.get(event) ?? 0) + 1);
  }
}

export interface PacketFields {
  src?: number;
  dst?: number;
  proto?: number;
  sport?: number;
  dport?: number;
  fragOffset?: number;
  l4State?: L4State;
  /** Layer-4 bytes in the capture (default: all of them; 4 for PARTIAL). */
  l4Captured?: number;
  tcpFlags?: number;
  length?: number;
  inIface?: string;
  outIface?: string;
  hook?: Hook;
  mark?: number;
}

const EMPTY = new Uint8Array(0);

/** One reusable packet, overwritten by set() like the engine's. */
export class TestPacket {
  readonly view = new PacketView();
  readonly pkt = new PacketState();

  set(f: PacketFields): PacketState {
    const v = this.view;
    v.reset();
    v.ipVersion = 4;
    v.ihl = 5;
    v.srcAddr = (f.src ?? ip('192.0.2.10')) >>> 0;
    v.dstAddr = (f.dst ?? ip('198.51.100.1')) >>> 0;
    v.protocol = f.proto ?? 6;
    v.fragOffset = f.fragOffset ?? 0;
    v.totalLength = f.length ?? 60;
    const l4 = v.fragOffset === 0 && (v.protocol === 6 || v.protocol === 17);
    v.l4State = f.l4State ?? (l4 ? L4State.OK : L4State.NONE);
    if (v.fragOffset === 0) {
      // As the decoder fills them: a first fragment or whole datagram has a layer 4.
      v.l4Length = v.totalLength - 20;
      v.l4Captured = f.l4Captured ?? (v.l4State === L4State.PARTIAL ? 4 : v.l4Length);
    }
    if (v.l4State !== L4State.NONE) {
      v.srcPort = f.sport ?? 40000;
      v.dstPort = f.dport ?? 80;
      if (v.protocol === 6 && v.l4State === L4State.OK) {
        v.tcpDataOffset = 5;
        v.tcpFlags = f.tcpFlags ?? 0x02;
      }
      if (v.protocol === 17 && v.l4State === L4State.OK) v.udpLength = v.l4Length;
    }
    const p = this.pkt;
    p.resetFor(v, EMPTY);
    p.hook = f.hook ?? 'INPUT';
    p.inIface = f.inIface ?? (p.hook === 'OUTPUT' ? '' : 'eth0');
    p.outIface = f.outIface ?? (p.hook === 'INPUT' || p.hook === 'PREROUTING' ? '' : 'eth1');
    p.mark = f.mark ?? 0;
    return p;
  }
}

export function ip(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

export function prefix(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

// ---- extensions --------------------------------------------------------------------------

function matchExt<S>(ext: Omit<MatchExtension<S>, 'kind' | 'options' | 'create' | 'parse' | 'save' | 'print'>): MatchExtension<unknown> {
  return {
    kind: 'match',
    options: [],
    create: () => ({}) as S,
    parse: () => undefined,
    save: () => '',
    print: () => '',
    ...ext,
  } as MatchExtension<unknown>;
}

function targetExt<S>(ext: Omit<TargetExtension<S>, 'kind' | 'options' | 'create' | 'parse' | 'save' | 'print'>): TargetExtension<unknown> {
  return {
    kind: 'target',
    options: [],
    create: () => ({}) as S,
    parse: () => undefined,
    save: () => '',
    print: () => '',
    ...ext,
  } as TargetExtension<unknown>;
}

function inRange(port: number, r: { min: number; max: number; invert: boolean }): boolean {
  return (port >= r.min && port <= r.max) !== r.invert;
}

function rangeCode(port: Code, r: { min: number; max: number; invert: boolean }): Code {
  const inside = code`(${port} >= ${r.min} && ${port} <= ${r.max})`;
  return r.invert ? code`!${inside}` : inside;
}

/**
 * Like tcp_mt (xt_tcpudp.c): later fragments never match and the one at offset 8 is
 * hotdropped; here a header that is not whole (PARTIAL) is hotdropped too.
 */
export const fakeTcp = matchExt<TcpState>({
  name: 'tcp',
  modelled: true,
  matchPacket(s, pkt) {
    const v = pkt.view;
    if (v.fragOffset !== 0) return v.fragOffset === 8 ? hotdrop(pkt) : false;
    if (v.l4State !== L4State.OK) return v.l4State === L4State.PARTIAL ? hotdrop(pkt) : false;
    return (
      inRange(v.srcPort, s.sport) &&
      inRange(v.dstPort, s.dport) &&
      ((v.tcpFlags & s.flagMask) === s.flagCmp) !== s.invFlags
    );
  },
  compileMatch(s, c: CompileContext) {
    const v = c.view;
    const slow = c.scope.param((pkt: PacketState) => fakeTcp.matchPacket!(s, pkt, undefined as never, undefined));
    return code`(${v}.fragOffset === 0 && ${v}.l4State === ${L4State.OK} ? ${rangeCode(code`${v}.srcPort`, s.sport)} && ${rangeCode(code`${v}.dstPort`, s.dport)} && ((${v}.tcpFlags & ${s.flagMask}) === ${s.flagCmp}) !== ${s.invFlags} : ${slow}(${c.pkt}))`;
  },
});

export const fakeUdp = matchExt<UdpState>({
  name: 'udp',
  modelled: true,
  matchPacket(s, pkt) {
    const v = pkt.view;
    if (v.fragOffset !== 0 || v.l4State !== L4State.OK) return false;
    return inRange(v.srcPort, s.sport) && inRange(v.dstPort, s.dport);
  },
  compileMatch(s, c) {
    const v = c.view;
    return code`${v}.fragOffset === 0 && ${v}.l4State === ${L4State.OK} && ${rangeCode(code`${v}.srcPort`, s.sport)} && ${rangeCode(code`${v}.dstPort`, s.dport)}`;
  },
});

export const fakeComment = matchExt<{ text: string }>({
  name: 'comment',
  modelled: true,
  matchPacket: () => true,
  compileMatch: () => code`true`,
});

/** xt_mark-like: (mark & mask) == value, maybe inverted; inlined. */
export const fakeMark = matchExt<{ value: number; mask: number; invert: boolean }>({
  name: 'fmark',
  modelled: true,
  matchPacket: (s, pkt) => (((pkt.mark & s.mask) >>> 0 === s.value) !== s.invert),
  compileMatch: (s, c) => code`(((${c.pkt}.mark & ${s.mask | 0}) >>> 0 === ${s.value}) !== ${s.invert})`,
});

/** statistic --mode nth-like: stateful per rule, counts each evaluation; called, never inlined. */
export const fakeNth = matchExt<{ every: number }>({
  name: 'fnth',
  modelled: true,
  instantiate: () => ({ n: 0 }),
  matchPacket(s, _pkt, _rt, inst) {
    const st = inst as { n: number };
    st.n++;
    return st.n % s.every === 0;
  },
});

/** A match on the input interface name that inlines the name from its state as a literal. */
export const fakeIfname = matchExt<{ name: string }>({
  name: 'fifname',
  modelled: true,
  matchPacket: (s, pkt) => pkt.inIface === s.name,
  compileMatch: (s, c) => code`${c.pkt}.inIface === ${s.name}`,
});

/** Length-parity test through the call path (no compileMatch). */
export const fakeOdd = matchExt<{ odd: boolean }>({
  name: 'fodd',
  modelled: true,
  matchPacket: (s, pkt) => (pkt.length % 2 === 1) === s.odd,
});

export const fakeUnmodelled = matchExt<object>({ name: 'fu32', modelled: false });

/** MARK --set-xmark: continues. */
export const fakeMarkTarget = targetExt<{ value: number; mask: number }>({
  name: 'FMARK',
  modelled: true,
  applyTarget(s, pkt) {
    pkt.mark = ((pkt.mark & ~s.mask) ^ s.value) >>> 0;
    return Verdict.CONTINUE;
  },
});

/** TCPMSS-like: grows the packet by 4 bytes and continues, so later rules count more bytes. */
export const fakeGrow = targetExt<object>({
  name: 'FGROW',
  modelled: true,
  applyTarget(_s, pkt) {
    pkt.length += 4;
    return Verdict.CONTINUE;
  },
});

/** A terminal extension target (REJECT-like returns DROP). */
export const fakeVerdict = targetExt<{ verdict: Verdict }>({
  name: 'FVERDICT',
  modelled: true,
  applyTarget: (s) => s.verdict,
});

/** LOG-like: records its prefix, continues. */
export const fakeLog = targetExt<{ prefix: string }>({
  name: 'FLOG',
  modelled: true,
  applyTarget(s, pkt, rt) {
    rt.log(4, `${s.prefix}IN=${pkt.inIface}`, pkt);
    return Verdict.CONTINUE;
  },
});

export const fakeUnmodelledTarget = targetExt<object>({ name: 'FSYNPROXY', modelled: false });

/** The stand-in for a kernel extension the replay does not implement yet (tests only). */
const STAND_INS: ReadonlyMap<string, MatchExtension<unknown>> = new Map([
  ['tcp', fakeTcp],
  ['udp', fakeUdp],
  ['comment', fakeComment],
]);

/**
 * Gives tcp, udp and comment matches of a loaded ruleset a matchPacket when their module
 * has none yet; the state objects are the modules' own.
 */
export function withStandIns(ruleset: Ruleset): Ruleset {
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        for (const m of r.matches) {
          const stand = STAND_INS.get(m.ext.name);
          if (stand && !m.ext.matchPacket) m.ext = stand;
        }
      }
    }
  }
  return ruleset;
}

// ---- rulesets by hand --------------------------------------------------------------------

export function rule(ip: Partial<IpEntry>, matches: MatchInstance[], target: RuleTarget, line = 1): Rule {
  return {
    ip: { ...emptyIpEntry(), ...ip },
    matches,
    target,
    counters: zeroCounters(),
    origin: { source: 'test', line, column: 1 },
  };
}

export function m(ext: MatchExtension<unknown>, state: unknown): MatchInstance {
  return { ext, state };
}

export const T = {
  none: { kind: 'none' } as RuleTarget,
  accept: { kind: 'verdict', verdict: 'ACCEPT' } as RuleTarget,
  drop: { kind: 'verdict', verdict: 'DROP' } as RuleTarget,
  queue: { kind: 'verdict', verdict: 'QUEUE' } as RuleTarget,
  ret: { kind: 'verdict', verdict: 'RETURN' } as RuleTarget,
  jump: (chain: string): RuleTarget => ({ kind: 'jump', chain }),
  ext: (ext: TargetExtension<unknown>, state: unknown): RuleTarget => ({ kind: 'ext', instance: { ext, state } }),
};

/**
 * A one-table ruleset: `chains` maps chain names to rules (built-ins by their hook name,
 * every other name a user chain); `policies` sets built-in policies.
 */
export function buildRuleset(name: TableName, chains: Record<string, Rule[]>, policies: Partial<Record<Hook, 'ACCEPT' | 'DROP'>> = {}): Ruleset {
  const table = newTable(name);
  for (const [chain, rules] of Object.entries(chains)) {
    let c = table.chains.get(chain);
    if (!c) table.chains.set(chain, (c = newChain(chain, false)));
    c.rules = rules;
  }
  for (const [hook, policy] of Object.entries(policies)) table.chains.get(hook)!.policy = policy;
  return { tables: [table] };
}

/** "chain#n" (1-based) and "chain:policy" → [packets, bytes], for every counter that is not zero. */
export type CounterMap = Record<string, [number, number]>;

/** Sets every counter of the model to zero, in place (the runners hold the counter objects). */
function zeroModel(ruleset: Ruleset): void {
  for (const t of ruleset.tables) {
    for (const c of t.chains.values()) {
      c.policyCounters.packets = 0n;
      c.policyCounters.bytes = 0n;
      for (const r of c.rules) {
        r.counters.packets = 0n;
        r.counters.bytes = 0n;
      }
    }
  }
}

/** Reads what the runner counted (through writeCounters) and leaves the model's counters at zero. */
export function readCounters(runner: TableRunner, ruleset: Ruleset): CounterMap {
  zeroModel(ruleset);
  runner.writeCounters();
  const out: CounterMap = {};
  for (const t of ruleset.tables) {
    const prefix = ruleset.tables.length > 1 ? `${t.name}:` : '';
    for (const c of sortedChains(t)) {
      if (c.policyCounters.packets !== 0n || c.policyCounters.bytes !== 0n) {
        out[`${prefix}${c.name}:policy`] = [Number(c.policyCounters.packets), Number(c.policyCounters.bytes)];
      }
      c.rules.forEach((r, i) => {
        if (r.counters.packets !== 0n || r.counters.bytes !== 0n) out[`${prefix}${c.name}#${i + 1}`] = [Number(r.counters.packets), Number(r.counters.bytes)];
      });
    }
  }
  zeroModel(ruleset);
  return out;
}
