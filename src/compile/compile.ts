/**
 * The compiled matcher: every chain of a table becomes a specialised JavaScript function,
 * written only through the code builder (rule text reaches the code as escaped literals
 * only; per-rule data — extension states, instances, indexes — comes in as parameters).
 *
 * Mirrors ipt_do_table (net/ipv4/netfilter/ip_tables.c) with the jump stack turned into the
 * JavaScript call stack:
 *  - a chain function returns a terminal verdict (ACCEPT, DROP, QUEUE) or RETURN (it fell
 *    off its end or hit a RETURN rule);
 *  - `-j CHAIN` calls the chain's function and goes on with the next rule on RETURN;
 *  - `-g CHAIN` returns the callee's result: its RETURN ends the goto'ing chain too, which
 *    is the kernel's "back to the last -j, or the policy";
 *  - the hook entry applies the built-in chain's policy when its function returns RETURN.
 * The generic part (ip_packet_match) is inlined with constants folded and absent tests
 * left out; matches with a compileMatch are inlined, the others called through their
 * matchPacket. A match that fails with pkt.hotdrop set ends the traversal with DROP, the
 * rule not counted (the kernel's `while (!acpar.hotdrop)`). Long runs of similar rules go
 * through a hash index (runs.ts). Chains, and rules of long runs, that share a structure
 * with many others share one template function reading their values from a data array
 * (emit.ts): kube-proxy's thousands of per-service chains become a few hot functions.
 *
 * Rules evaluated (lastEvaluated) are counted at the exits only: a chain left at its rule
 * k (0-based) by a verdict, RETURN or goto has had rules 0…k tested, one that falls off its
 * end all of them, whatever an index skipped.
 */
import { L4State } from '../decode/view.js';
import { Verdict, type PacketState } from '../engine/packet.js';
import type { ReplayRuntime } from '../engine/runtime.js';
import type { CompileContext } from '../rules/ext/types.js';
import { HOOKS, type Hook, type IpEntry, type Ruleset, type TableName } from '../rules/model.js';
import { code, join, Scope, type Code } from './builder.js';
import {
  hookChain,
  MatchMode,
  prepare,
  type CounterStore,
  type PreparedChain,
  type PreparedRule,
  type PreparedTable,
  type RunnerOptions,
  type TableRunner,
} from './prepare.js';
import { SlotEmit, SpecialisedEmit, type ChainRef, type ChainSlot, type Emit } from './emit.js';
import { AddrIndex, findRuns, groupByKey, IntPairTable, isPure, numericKey, RunKind, type AddrRunOptions, type Grouped, type Run } from './runs.js';

export interface CompileOptions extends RunnerOptions {
  /** false: no hash indexes, every chain tested rule by rule (to check the indexes). */
  index?: boolean;
  /**
   * When rules share template functions (emit.ts): 'auto' for chains whose structure at
   * least TEMPLATE_MIN chains share and for the rules of runs of at least RUN_TEMPLATE_MIN,
   * 'always' wherever possible, 'never'. Verdicts and counters never depend on it.
   */
  templates?: 'auto' | 'always' | 'never';
  /** Where address runs go (runs.ts ADDR_RUNS unless given; small values are for tests). */
  addrRuns?: AddrRunOptions;
}

export type CompiledRunner = TableRunner & {
  /** The generated source of every compiled table, for --dump-compiled. */
  source(): string;
};

/** A chain of at most this many rules (and no indexed run) is one function. */
const INLINE_MAX = 64;
/** Longer chains are cut into functions of this many rules, small enough for the optimiser. */
const SEGMENT = 32;
/** Chains sharing a structure share a template from this many on. */
const TEMPLATE_MIN = 8;
/** The rules of an indexed run this long go through templates. */
const RUN_TEMPLATE_MIN = 32;

const FULL = 0xffffffff;

const STANDARD: Readonly<Record<'ACCEPT' | 'DROP' | 'QUEUE', Verdict>> = {
  ACCEPT: Verdict.ACCEPT,
  DROP: Verdict.DROP,
  QUEUE: Verdict.QUEUE,
};

/** A generic test that can never pass: the rule is never matched (it is still walked). */
const NEVER = null;

/** What the factory of a table returns. */
interface Built {
  entry: (hook: number, pkt: PacketState) => Verdict;
  /** The function of each chain, in PreparedTable.chains order. */
  chains: unknown[];
  /** The rule templates of the runs, by template number. */
  templates: unknown[];
}

/** Per-table code generation state. */
class TableGen {
  readonly scope = new Scope();
  /** Counters: packets at C[2n], bytes at C[2n + 1]. */
  readonly C: Code;
  readonly RT: Code;
  /** The data of every template instance, at its offset. */
  readonly data: unknown[] = [];
  readonly D: Code;
  /** Throws for a target that returned RETURN (a contract violation). */
  readonly BAD: Code;
  readonly refs = new Map<string, ChainRef>();
  /** Declarations of the factory body: functions and rule-function arrays. */
  readonly decls: Code[] = [];
  /** Chain references in data arrays, resolved once the functions exist. */
  readonly chainSlots: ChainSlot[] = [];
  /** Run rules going through a template: fns[index] = templates[template] after the build. */
  readonly runFills: Array<{ fns: unknown[]; index: number; template: number }> = [];
  readonly templateNames: Code[] = [];
  /** Prepared.chainEvaluated, when rules tested are counted per chain. */
  readonly CE: Code | undefined;
  private readonly spec: SpecialisedEmit;
  private readonly ctx: CompileContext;

  constructor(
    readonly table: PreparedTable,
    counters: CounterStore,
    rt: ReplayRuntime,
    readonly useIndex: boolean,
    readonly templates: 'auto' | 'always' | 'never',
    chainEvaluated: Float64Array | undefined,
    private readonly addrRuns: AddrRunOptions | undefined,
  ) {
    this.C = this.scope.param(counters.counts);
    this.CE = chainEvaluated && this.scope.param(chainEvaluated);
    this.RT = this.scope.param(rt);
    this.D = this.scope.param(this.data);
    this.BAD = this.scope.param((name: string): never => {
      throw new Error(`target ${name} returned RETURN, which only chains return`);
    }, 'f');
    this.ctx = { pkt: code`pkt`, view: code`v`, scope: this.scope };
    this.spec = new SpecialisedEmit(this.scope, this.refs);
  }

  /**
   * The rule's tests: the generic part (NEVER when no packet passes it) and the matches,
   * each to be joined with &&; an empty list always passes. hotdrop: a match may set
   * pkt.hotdrop when it fails.
   */
  condition(pr: PreparedRule, e: Emit): { ip: Code[] | typeof NEVER; matches: Code[]; hotdrop: boolean } {
    const matches: Code[] = [];
    let hotdrop = false;
    for (const m of pr.matches) {
      if (m.mode === MatchMode.EVAL) {
        hotdrop = true;
        if (e.specialised && m.ext.compileMatch) {
          matches.push(code`(${m.ext.compileMatch(m.state, this.ctx)})`);
        } else {
          matches.push(code`${e.extension(m.ext)}.matchPacket(${e.object(m.state)}, pkt, ${this.RT}, ${e.object(m.inst)})`);
        }
      } else {
        matches.push(code`(${this.RT}.note(${e.value(m.note)}), ${m.mode === MatchMode.ASSUME_MATCH})`);
      }
    }
    return { ip: ipTests(pr.rule.ip, e), matches, hotdrop };
  }

  /**
   * `body` guarded by the rule's tests. The generic part is tested first and alone, as
   * ip_packet_match is: only when a match fails can hotdrop be set, which ends the
   * traversal with `hotdropped` (DROP, the rule not counted).
   */
  guarded(pr: PreparedRule, body: Code, hotdropped: Code, e: Emit): Code | typeof NEVER {
    const { ip, matches, hotdrop } = this.condition(pr, e);
    if (ip === NEVER) return NEVER;
    let inner = body;
    if (matches.length > 0) {
      inner = code`if (${join(matches, ' && ')}) { ${body} }`;
      if (hotdrop) inner = code`${inner} else if (pkt.hotdrop) { ${hotdropped} }`;
    }
    return ip.length === 0 ? code`{ ${inner} }` : code`if (${join(ip, ' && ')}) { ${inner} }`;
  }

  count(pr: PreparedRule, e: Emit): Code {
    if (e.specialised) return code`${this.C}[${2 * pr.num}] += 1; ${this.C}[${2 * pr.num + 1}] += pkt.length;`;
    const n = e.value(2 * pr.num);
    return code`${this.C}[${n}] += 1; ${this.C}[${n} + 1] += pkt.length;`;
  }

  private applyTarget(pr: PreparedRule, e: Emit): Code {
    const t = pr.target!;
    return code`${e.extension(t.ext)}.applyTarget(${e.object(t.state)}, pkt, ${this.RT}, ${e.object(t.inst)})`;
  }

  /** Leaving chain `chainNum` after `tested` rules: into ev, and its chain's total when kept. */
  private exitCount(chainNum: number, tested: Code | number, e: Emit): Code {
    if (this.CE === undefined) return code`ev += ${tested};`;
    return code`ev += ${tested}; ${this.CE}[${e.value(chainNum)}] += ${tested};`;
  }

  /**
   * The target of a rule at chain position k inside a chain or segment function: exits
   * add k + 1 to the rules evaluated; going on is falling through to the next rule.
   */
  frameTarget(pr: PreparedRule, k: number, e: Emit): Code {
    const t = pr.rule.target;
    const exit = this.exitCount(pr.chainNum, k + 1, e);
    switch (t.kind) {
      case 'none':
        return code``;
      case 'verdict':
        return code`${exit} return ${t.verdict === 'RETURN' ? Verdict.RETURN : STANDARD[t.verdict]};`;
      case 'jump':
        if (pr.rule.ip.goto) return code`${exit} return ${e.callChain(t.chain)};`;
        return code`r = ${e.callChain(t.chain)}; if (r !== ${Verdict.RETURN}) { ${exit} return r; }`;
      case 'ext':
        if (!pr.target!.evaluable) return code`${this.RT}.note(${e.value(pr.target!.note)});`;
        return code`r = ${this.applyTarget(pr, e)}; if (r !== ${Verdict.CONTINUE}) { ${exit} return r === ${Verdict.RETURN} ? ${this.BAD}(${e.value(t.instance.ext.name)}) : r; }`;
    }
  }

  /** The target inside a run's rule function: returns CONTINUE to go on, else the exit. */
  ruleFnTarget(pr: PreparedRule, e: Emit): Code {
    const t = pr.rule.target;
    switch (t.kind) {
      case 'none':
        return code`return ${Verdict.CONTINUE};`;
      case 'verdict':
        return code`return ${t.verdict === 'RETURN' ? Verdict.RETURN : STANDARD[t.verdict]};`;
      case 'jump':
        if (pr.rule.ip.goto) return code`return ${e.callChain(t.chain)};`;
        return code`const r = ${e.callChain(t.chain)}; return r === ${Verdict.RETURN} ? ${Verdict.CONTINUE} : r;`;
      case 'ext':
        if (!pr.target!.evaluable) return code`${this.RT}.note(${e.value(pr.target!.note)}); return ${Verdict.CONTINUE};`;
        return code`const r = ${this.applyTarget(pr, e)}; return r === ${Verdict.RETURN} ? ${this.BAD}(${e.value(t.instance.ext.name)}) : r;`;
    }
  }

  /** A rule in line in a chain or segment function. */
  frameRule(pr: PreparedRule, k: number, e: Emit): Code {
    const body = code`${this.count(pr, e)} ${this.frameTarget(pr, k, e)}`;
    const rule = this.guarded(pr, body, code`${this.exitCount(pr.chainNum, k + 1, e)} return ${Verdict.DROP};`, e);
    if (!e.specialised) return rule === NEVER ? code`// #${k + 1} never matches` : rule;
    const note = code`// #${k + 1}, line ${pr.rule.origin.line}`;
    return rule === NEVER ? code`${note}: never matches` : code`${note}\n${rule}`;
  }

  /** The body of a run rule's function (pkt, v[, o]) => Verdict: CONTINUE when it does not decide. */
  ruleFnBody(pr: PreparedRule, e: Emit): Code {
    const head = e.specialised ? code`// #${pr.position + 1}, line ${pr.rule.origin.line}\n` : code``;
    const rule = this.guarded(pr, code`${this.count(pr, e)} ${this.ruleFnTarget(pr, e)}`, code`return ${Verdict.DROP};`, e);
    return rule === NEVER ? code`${head}return ${Verdict.CONTINUE};` : code`${head}${rule}\nreturn ${Verdict.CONTINUE};`;
  }

  /** A chain small enough to be one function, without its function header. */
  chainBody(pc: PreparedChain, e: Emit): Code {
    const rules = pc.rules.map((pr, k) => this.frameRule(pr, k, e));
    return code`const v = pkt.view;\nlet r;\n${join(rules, '\n')}\n${this.exitCount(pc.num, pc.rules.length, e)}\nreturn ${Verdict.RETURN};`;
  }

  /**
   * Decides how every chain is called: chains of a structure shared by enough others go
   * through one template; the others get their own function, written by chain().
   */
  plan(): void {
    const groups = new Map<string, Array<{ pc: PreparedChain; text: Code; emit: SlotEmit }>>();
    for (const pc of this.table.chains) {
      const eligible =
        this.templates !== 'never' && pc.rules.length <= INLINE_MAX && (!this.useIndex || findRuns(pc.rules, this.addrRuns).length === 0);
      if (!eligible) continue;
      const emit = new SlotEmit(this.D);
      const text = this.chainBody(pc, emit);
      const key = emit.key(text);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ pc, text, emit });
    }
    for (const g of groups.values()) {
      if (this.templates === 'auto' && g.length < TEMPLATE_MIN) continue;
      const fn = this.scope.name('t');
      this.decls.push(code`// template of ${g.length} chains, the first ${g[0]!.pc.chain.name}\nfunction ${fn}(pkt, o) {\n${g[0]!.text}\n}`);
      for (const { pc, emit } of g) this.refs.set(pc.chain.name, { fn, base: emit.place(this.data, this.chainSlots) });
    }
    for (const pc of this.table.chains) {
      if (!this.refs.has(pc.chain.name)) this.refs.set(pc.chain.name, { fn: this.scope.name('c'), base: undefined });
    }
  }

  /** Adds a specialised chain's function (and its segment and run functions) to decls. */
  chain(pc: PreparedChain): void {
    const ref = this.refs.get(pc.chain.name)!;
    if (ref.base !== undefined) return;
    const fn = ref.fn;
    const n = pc.rules.length;
    const head = code`// chain ${pc.chain.name}, ${n} rules\nfunction ${fn}(pkt) {`;
    const runs = this.useIndex ? findRuns(pc.rules, this.addrRuns) : [];
    if (runs.length === 0 && n <= INLINE_MAX) {
      this.decls.push(code`${head}\n${this.chainBody(pc, this.spec)}\n}`);
      return;
    }
    const calls: Code[] = [];
    const linear = (from: number, to: number): void => {
      for (let s = from; s < to; s += SEGMENT) calls.push(this.segment(pc, s, Math.min(to, s + SEGMENT)));
    };
    let at = 0;
    for (const run of runs) {
      linear(at, run.start);
      calls.push(this.run(pc, run));
      at = run.end;
    }
    linear(at, n);
    const body = calls.map((call) => code`r = ${call}(pkt, v); if (r !== ${Verdict.CONTINUE}) return r;`);
    this.decls.push(code`${head}\nconst v = pkt.view;\nlet r;\n${join(body, '\n')}\n${this.exitCount(pc.num, n, this.spec)}\nreturn ${Verdict.RETURN};\n}`);
  }

  /** Rules from..to-1 in line in a function (pkt, v) that returns CONTINUE at its end. */
  private segment(pc: PreparedChain, from: number, to: number): Code {
    const name = this.scope.name('f');
    const rules = pc.rules.slice(from, to).map((pr, i) => this.frameRule(pr, from + i, this.spec));
    this.decls.push(code`function ${name}(pkt, v) {\nlet r;\n${join(rules, '\n')}\nreturn ${Verdict.CONTINUE};\n}`);
    return name;
  }

  /**
   * The run's rule functions, as expressions calling the one of rule q: `fast` for the
   * candidates a lookup found (a pure rule only counts and applies its target), `full`
   * for walking the run rule by rule.
   */
  private runRules(kind: RunKind, rules: readonly PreparedRule[]): { fast: (q: Code) => Code; full: (q: Code) => Code } {
    const pure = rules.map((pr) => isPure(kind, pr));
    const targetOnly = (pr: PreparedRule, e: Emit): Code => code`${this.count(pr, e)} ${this.ruleFnTarget(pr, e)}`;
    if (this.templates === 'never' || (this.templates === 'auto' && rules.length < RUN_TEMPLATE_MIN)) {
      const array = (body: (pr: PreparedRule, q: number) => Code): ((q: Code) => Code) => {
        const fns = this.scope.name('f');
        const bodies = rules.map((pr, q) => code`function (pkt, v) {\n${body(pr, q)}\n}`);
        this.decls.push(code`const ${fns} = [\n${join(bodies, ',\n')}\n];`);
        return (q) => code`${fns}[${q}](pkt, v)`;
      };
      const mixed = (pr: PreparedRule, q: number): Code => (pure[q] ? targetOnly(pr, this.spec) : this.ruleFnBody(pr, this.spec));
      if (kind !== RunKind.DPORT) {
        const fast = array(mixed);
        return { fast, full: fast };
      }
      const full = array((pr) => this.ruleFnBody(pr, this.spec));
      return { fast: pure.some((p) => p) ? array(mixed) : full, full };
    }
    const templates = new Map<string, number>();
    // [function, data offset] per rule, side by side: one cache line for both.
    const array = (body: (pr: PreparedRule, q: number, e: Emit) => Code): ((q: Code) => Code) => {
      const fns: unknown[] = new Array(2 * rules.length).fill(0);
      rules.forEach((pr, q) => {
        const emit = new SlotEmit(this.D);
        const text = body(pr, q, emit);
        const key = emit.key(text);
        let template = templates.get(key);
        if (template === undefined) {
          template = this.templateNames.length;
          templates.set(key, template);
          const name = this.scope.name('t');
          this.templateNames.push(name);
          this.decls.push(code`function ${name}(pkt, v, o) {\n${text}\n}`);
        }
        this.runFills.push({ fns, index: 2 * q, template });
        fns[2 * q + 1] = emit.place(this.data, this.chainSlots);
      });
      const F = this.scope.param(fns);
      return (q) => code`${F}[2 * ${q}](pkt, v, ${F}[2 * ${q} + 1])`;
    };
    const fast = array((pr, q, e) => (pure[q] ? targetOnly(pr, e) : this.ruleFnBody(pr, e)));
    const full = kind === RunKind.DPORT ? array((pr, _q, e) => this.ruleFnBody(pr, e)) : fast;
    return { fast, full };
  }

  /**
   * An indexed run: the key's candidates, in order, through their fast functions; rules
   * skipped still count as evaluated through the exit positions.
   */
  private run(pc: PreparedChain, run: Run): Code {
    const rules = pc.rules.slice(run.start, run.end);
    const { fast, full } = this.runRules(run.kind, rules);
    const name = this.scope.name('f');
    const exit = run.start + 1;
    const attempt = (call: (q: Code) => Code): Code =>
      code`const r = ${call(code`q`)}; if (r !== ${Verdict.CONTINUE}) { ${this.exitCount(pc.num, code`${exit} + q`, this.spec)} return r; }`;
    if (run.kind === RunKind.ADDR) {
      this.decls.push(code`// address run: rules #${run.start + 1} to #${run.end}\nfunction ${name}(pkt, v) {\n${this.addrScan(rules, attempt(full))}\n}`);
      return name;
    }
    let lookup: Code;
    let grouped: Grouped<unknown>;
    if (run.kind === RunKind.IN) {
      const g = groupByKey(
        rules.map((pr) => pr.rule.ip.iniface),
        (k) => k,
      );
      grouped = g;
      const map = new Map(g.keys.map((iface, i) => [iface, g.values[i]!]));
      lookup = code`const h = ${this.scope.param(map)}.get(pkt.inIface);\nif (h === undefined) return ${Verdict.CONTINUE};`;
    } else {
      const g = groupByKey(
        rules.map((pr) => numericKey(run.kind, pr)),
        (k) => `${k[0]},${k[1]}`,
      );
      grouped = g;
      const table = this.scope.param(new IntPairTable(g.keys.map(([a, b], i) => [a, b, g.values[i]!] as const)));
      const key =
        run.kind === RunKind.SRC ? code`v.srcAddr, 0` : run.kind === RunKind.DST ? code`v.dstAddr, 0` : code`v.dstAddr, (pr << 16) | v.dstPort`;
      lookup = code`const h = ${table}.get(${key});\nif (h < 0) return ${Verdict.CONTINUE};`;
    }
    const single = code`${lookup}\nif ((h & 1) === 0) { const q = h >> 1; ${attempt(fast)} return ${Verdict.CONTINUE}; }`;
    let candidates = single;
    if (grouped.members.length > 0) {
      const S = this.scope.param(grouped.starts);
      const M = this.scope.param(grouped.members);
      candidates = code`${single}\nfor (let j = ${S}[h >> 1], e = ${S}[(h >> 1) + 1]; j < e; j++) { const q = ${M}[j]; ${attempt(fast)} }\nreturn ${Verdict.CONTINUE};`;
    }
    let body: Code;
    if (run.kind === RunKind.DPORT) {
      // Only first fragments with a whole header reduce tcp/udp to a port comparison.
      body = code`const pr = v.protocol;
if (pr !== 6 && pr !== 17) return ${Verdict.CONTINUE};
if (v.fragOffset === 0 && v.l4State === ${L4State.OK}) {
${candidates}
}
for (let q = 0; q < ${rules.length}; q++) { ${attempt(full)} }
return ${Verdict.CONTINUE};`;
    } else {
      body = candidates;
    }
    this.decls.push(code`// indexed run: rules #${run.start + 1} to #${run.end}\nfunction ${name}(pkt, v) {\n${body}\n}`);
    return name;
  }

  /**
   * An address run's body: the AND of the packet's rows, word by word; each set bit, lowest
   * first (chain order), is a candidate q to `attempt`.
   */
  private addrScan(rules: readonly PreparedRule[], attempt: Code): Code {
    const ix = new AddrIndex(rules);
    const IX = this.scope.param(ix);
    return code`${IX}.locate(v.srcAddr, v.dstAddr, v.protocol);
const sb = ${IX}.srcBits, db = ${IX}.dstBits, pb = ${IX}.protoBits, s = ${IX}.s, d = ${IX}.d, p = ${IX}.p;
for (let w = 0; w < ${ix.words}; w++) {
let x = sb[s + w] & db[d + w] & pb[p + w];
while (x !== 0) {
const low = x & -x;
x ^= low;
const q = (w << 5) | (31 - Math.clz32(low));
${attempt}
}
}
return ${Verdict.CONTINUE};`;
  }

  /** The factory body: declarations, then what the factory returns (Built). */
  body(ev: Code): Code {
    const cases: Code[] = [];
    for (const hook of HOOKS) {
      const pc = hookChain(this.table, hook);
      if (!pc) continue;
      const verdict = pc.chain.policy === 'DROP' ? Verdict.DROP : Verdict.ACCEPT;
      cases.push(
        code`case ${HOOKS.indexOf(hook)}:\nr = ${this.spec.callChain(hook)};\nif (r === ${Verdict.RETURN}) { ${this.C}[${2 * pc.policyNum}] += 1; ${this.C}[${2 * pc.policyNum + 1}] += pkt.length; r = ${verdict}; }\nbreak;`,
      );
    }
    const chains = this.table.chains.map((pc) => this.refs.get(pc.chain.name)!.fn);
    return code`let ev = 0;
${join(this.decls, '\n')}
const entry = function (hook, pkt) {
ev = 0;
let r = ${Verdict.ACCEPT};
switch (hook) {
${join(cases, '\n')}
}
${ev}[0] = ev;
return r;
};
return { entry, chains: [${join(chains, ', ')}], templates: [${join(this.templateNames, ', ')}] };`;
  }
}

function eq(inv: boolean, left: Code, right: Code): Code {
  return inv ? code`${left} !== ${right}` : code`${left} === ${right}`;
}

/** ip_packet_match as inline tests, constants folded; NEVER when no packet can pass. */
function ipTests(ip: IpEntry, e: Emit): Code[] | typeof NEVER {
  const parts: Code[] = [];
  const addr = (field: Code, addr: number, mask: number, inv: boolean): boolean => {
    mask >>>= 0;
    addr >>>= 0;
    // (a & 0) !== addr is constant: the test passes for every packet or for none.
    if (mask === 0) return (addr !== 0) === inv;
    // Both sides as int32 (small integers to V8: never a heap number in a data array).
    if (mask === FULL) parts.push(eq(inv, code`(${field} | 0)`, e.value(addr | 0)));
    else parts.push(eq(inv, code`(${field} & ${e.value(mask | 0)})`, e.value(addr | 0)));
    return true;
  };
  // ifname_compare_aligned: "" compares nothing, "eth+" the bytes before the '+', "eth0" all.
  const iface = (field: Code, name: string, inv: boolean): boolean => {
    const prefix = name.endsWith('+') ? name.slice(0, -1) : undefined;
    if (name === '' || prefix === '') return !inv;
    if (prefix === undefined) parts.push(eq(inv, field, e.value(name)));
    else parts.push(inv ? code`!${field}.startsWith(${e.value(prefix)})` : code`${field}.startsWith(${e.value(prefix)})`);
    return true;
  };
  if (!addr(code`v.srcAddr`, ip.src, ip.smsk, ip.invSrc)) return NEVER;
  if (!addr(code`v.dstAddr`, ip.dst, ip.dmsk, ip.invDst)) return NEVER;
  if (!iface(code`pkt.inIface`, ip.iniface, ip.invIn)) return NEVER;
  if (!iface(code`pkt.outIface`, ip.outiface, ip.invOut)) return NEVER;
  if (ip.proto !== 0) parts.push(eq(ip.invProto, code`v.protocol`, e.value(ip.proto)));
  // -f matches non-first fragments; "! -f" the others; the inversion flag alone never matches.
  if (ip.fragment) parts.push(ip.invFrag ? code`v.fragOffset === 0` : code`v.fragOffset !== 0`);
  else if (ip.invFrag) return NEVER;
  return parts;
}

function hookIndex(hook: Hook): number {
  switch (hook) {
    case 'PREROUTING':
      return 0;
    case 'INPUT':
      return 1;
    case 'FORWARD':
      return 2;
    case 'OUTPUT':
      return 3;
    case 'POSTROUTING':
      return 4;
  }
}

type HookEntry = (hook: number, pkt: PacketState) => Verdict;

class Compiled implements CompiledRunner {
  private readonly entries = new Map<TableName, HookEntry>();
  private readonly sources: string[] = [];
  private readonly counters: CounterStore;
  private readonly requested: ReadonlySet<TableName> | undefined;
  /** [0]: rules evaluated by the last traverse (an int32 array: reading it boxes nothing). */
  private readonly ev = new Int32Array(1);

  constructor(ruleset: Ruleset, rt: ReplayRuntime, options: CompileOptions) {
    const prepared = prepare(ruleset, rt, options.tables, options);
    this.counters = prepared.counters;
    this.requested = options.tables && new Set(options.tables);
    for (const [name, table] of prepared.tables) {
      const gen = new TableGen(table, prepared.counters, rt, options.index !== false, options.templates ?? 'auto', prepared.chainEvaluated, options.addrRuns);
      const ev = gen.scope.param(this.ev);
      gen.plan();
      for (const pc of table.chains) gen.chain(pc);
      const body = gen.body(ev);
      const built = gen.scope.build<Built>(body);
      // Now that the functions exist, the data arrays of templates get their chain calls.
      const position = new Map(table.chains.map((pc, i) => [pc.chain.name, i]));
      for (const slot of gen.chainSlots) {
        gen.data[slot.index] = built.chains[position.get(slot.chain)!];
        gen.data[slot.index + 1] = gen.refs.get(slot.chain)!.base;
      }
      for (const fill of gen.runFills) fill.fns[fill.index] = built.templates[fill.template];
      this.entries.set(name, built.entry);
      this.sources.push(`// table ${name}\n${gen.scope.source(body)}\n`);
    }
  }

  get lastEvaluated(): number {
    return this.ev[0]!;
  }

  traverse(table: TableName, pkt: PacketState): Verdict {
    pkt.table = table;
    pkt.hotdrop = false;
    const entry = this.entries.get(table);
    if (entry === undefined) {
      if (this.requested && !this.requested.has(table)) throw new Error(`table ${table} was not compiled`);
      this.ev[0] = 0;
      return Verdict.ACCEPT;
    }
    return entry(hookIndex(pkt.hook), pkt);
  }

  stepFor(table: TableName, hook: Hook): ((pkt: PacketState) => Verdict) | undefined {
    const entry = this.entries.get(table);
    if (entry === undefined) return undefined;
    const h = hookIndex(hook);
    return (pkt) => {
      pkt.table = table;
      pkt.hotdrop = false;
      return entry(h, pkt);
    };
  }

  writeCounters(): void {
    this.counters.write();
  }

  source(): string {
    return this.sources.join('\n');
  }
}

/** The compiled runner for `ruleset` (all tables, or options.tables). */
export function compileRuleset(ruleset: Ruleset, rt: ReplayRuntime, options: CompileOptions = {}): CompiledRunner {
  return new Compiled(ruleset, rt, options);
}
