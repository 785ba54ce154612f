/**
 * The contract every match and target extension implements: one module per extension
 * (src/rules/ext/<name>.ts) holding its option table, parse, canonical save text, listing
 * text and kernel-side checks together, like iptables' extensions/libxt_<name>.c.
 *
 * Conventions copied from iptables so printers compose byte-identically:
 *  - save() returns the text after " -m name" / " -j NAME", each argument with a leading
 *    space (" --dport 22"); print() returns the listing text, also with a leading space
 *    (" tcp dpt:22"). Either may be "".
 *  - parse() is called once per option occurrence, after the generic checks (once-only,
 *    invertibility, argument presence) derived from the OptionDef table.
 *  - Errors are thrown as ParamError with iptables' message; the loader adds the position.
 */
import type { Code, Scope } from '../../compile/builder.js';
import type { PacketState, Verdict } from '../../engine/packet.js';
import type { ReplayRuntime } from '../../engine/runtime.js';
import type { Hook, IpEntry, MatchInstance, TableName } from '../model.js';

export interface OptionDef {
  /** Long option name without the leading "--". */
  name: string;
  /** getopt has_arg: 'required' takes the next word even if it starts with '-'. */
  arg: 'none' | 'required' | 'optional';
  /** "! --name" allowed (XTOPT_INVERT). */
  invert?: boolean;
  /** May be given more than once (XTOPT_MULTI); otherwise "can only be used once". */
  multi?: boolean;
  /** Must be given (XTOPT_MAND): "option "--x" must be specified". */
  mandatory?: boolean;
  /** Options that cannot be used together with this one. */
  excl?: readonly string[];
  /** Options this one requires. */
  also?: readonly string[];
  /**
   * Skip the generic once/invert/argument checks: the extension's own parse() reports
   * them (old-style iptables extensions with their own messages).
   */
  custom?: boolean;
}

export interface OptionCall {
  /** Canonical option name (abbreviations already resolved). */
  name: string;
  /** The argument, or undefined for arg 'none' (or an absent optional argument). */
  arg: string | undefined;
  invert: boolean;
}

export interface ParseContext {
  /** Generic options seen so far on this rule (-p may still come later). */
  readonly ip: IpEntry;
  readonly table: TableName;
  readonly chain: string;
  /** Names of this instance's options already given (before this call). */
  readonly seen: ReadonlySet<string>;
  /** Like argv[optind] for extensions that take more than one word (--tcp-flags). */
  peekArg(): string | undefined;
  /** Consumes and returns argv[optind++]. */
  takeArg(): string | undefined;
  /** iptables prints some warnings and goes on; they are reported, not fatal. */
  warn(message: string): void;
}

export interface FinalContext {
  readonly ip: IpEntry;
  readonly table: TableName;
  readonly chain: string;
  readonly seen: ReadonlySet<string>;
  warn(message: string): void;
}

/** What the kernel's checkentry sees when the table is committed. */
export interface KernelContext {
  readonly ip: IpEntry;
  /** The rule's matches (TCPMSS requires a tcp match with SYN in its flag comparison). */
  readonly matches: readonly MatchInstance[];
  readonly table: TableName;
  /** Hooks from which the rule's chain is reachable (kernel mark_source_chains). */
  readonly hooks: ReadonlySet<Hook>;
}

/**
 * What the replay would need to evaluate an unmodelled extension: connection tracking
 * (a later stage), the local socket of a packet, bridge ports, ipsets, routing or other
 * host state a capture does not carry, a user-space verdict (NFQUEUE), or only an
 * evaluator not written yet (u32, bpf, string, dccp: the bytes are in the capture).
 */
export type ReplayNeed = 'conntrack' | 'socket' | 'bridge' | 'ipset' | 'routing' | 'host' | 'queue' | 'evaluator';

interface ExtensionBase<S> {
  /** The name given to -m / -j (case-sensitive). */
  readonly name: string;
  readonly options: readonly OptionDef[];
  /**
   * false when the replay cannot evaluate it (u32, bpf, string...): the rule still loads
   * and prints exactly, and the replay refuses or accounts for it.
   */
  readonly modelled: boolean;
  /** For an extension not modelled: what the replay lacks to evaluate it (for reports). */
  readonly needs?: ReplayNeed;
  /** Fresh option state (iptables' init()). */
  create(): S;
  parse(state: S, call: OptionCall, ctx: ParseContext): void;
  /** After all options: cross-option checks and defaults (x6_fcheck / final_check). */
  finalCheck?(state: S, ctx: FinalContext): void;
  save(state: S, ip: IpEntry): string;
  print(state: S, ip: IpEntry, numeric: boolean): string;
  /**
   * The kernel's checkentry: returns the reason the kernel would refuse the rule (as
   * dmesg would explain it), or undefined. Table and hook restrictions declared below are
   * checked by the loader before this is called.
   */
  kernelCheck?(state: S, ctx: KernelContext): string | undefined;
  /** Kernel xt_match/xt_target .table restriction. */
  readonly tables?: readonly TableName[];
  /** Kernel .hooks restriction: the rule must only be reachable from these hooks. */
  readonly hooks?: readonly Hook[];
  /** Kernel .proto restriction: the rule needs `-p <proto>`, not inverted. */
  readonly proto?: number;
  /**
   * Per-rule replay state (limit credits, nth counters, a recent table reference),
   * created once per replay for each rule using the extension.
   */
  instantiate?(state: S, rt: ReplayRuntime): unknown;
}

/** Handed to compileMatch: where the packet and the runtime are, and the scope for names. */
export interface CompileContext {
  /** The PacketState variable of the generated function. */
  readonly pkt: Code;
  /** The PacketState's PacketView, already loaded into a local. */
  readonly view: Code;
  readonly scope: Scope;
}

export interface MatchExtension<S = unknown> extends ExtensionBase<S> {
  readonly kind: 'match';
  /**
   * The kernel's match function for the replay (e.g. tcp_mt): required when `modelled`.
   * `inst` is what instantiate() returned for this rule.
   */
  matchPacket?(state: S, pkt: PacketState, rt: ReplayRuntime, inst: unknown): boolean;
  /**
   * The same test as an inline JavaScript expression for the compiled matcher (hot
   * matches only; others are called through matchPacket). Must agree with matchPacket.
   */
  compileMatch?(state: S, c: CompileContext): Code;
  /** Name written after -m when saving if it differs from `name` (iptables' alias()). */
  saveName?(state: S): string;
}

export interface TargetExtension<S = unknown> extends ExtensionBase<S> {
  readonly kind: 'target';
  /**
   * The kernel's name for the target when it differs from the name saved after -j
   * (NOTRACK is CT in the kernel): shown in the target column of listings.
   */
  readonly realName?: string;
  /**
   * The kernel's target function for the replay: a terminal verdict (ACCEPT, DROP,
   * QUEUE) or CONTINUE after a side effect (MARK, LOG...). Required when `modelled`.
   */
  applyTarget?(state: S, pkt: PacketState, rt: ReplayRuntime, inst: unknown): Verdict;
}

export type Extension = MatchExtension<any> | TargetExtension<any>;

/** Typed helpers so each module gets inference for its state type. */
export function defineMatch<S>(ext: Omit<MatchExtension<S>, 'kind'>): MatchExtension<S> {
  return { kind: 'match', ...ext };
}

export function defineTarget<S>(ext: Omit<TargetExtension<S>, 'kind'>): TargetExtension<S> {
  return { kind: 'target', ...ext };
}
