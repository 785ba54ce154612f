/**
 * One iptables command line → a parsed command, mirroring iptables 1.8.9's do_parse():
 * getopt_long over a merged option table (generic options, then the options of every
 * loaded extension, most recently loaded first), "!" as a word that inverts the next
 * option, implicit loading of the protocol match (`-p tcp --dport 22`), abbreviations of
 * long options, and the final cross-option checks. Chain-level semantics (does the chain
 * exist, rule numbers) belong to commands.ts.
 */
import { ErrorCodes, ParamError } from './errors.js';
import { findMatch, findTarget } from './ext/index.js';
import type { FinalContext, MatchExtension, OptionDef, ParseContext, TargetExtension } from './ext/types.js';
import type { IpEntry, MatchInstance, StandardVerdict, TableName } from './model.js';
import { emptyIpEntry, isTableName } from './model.js';
import type { Word } from './tokenizer.js';
import { parseAddressList, parseProtocol, protoToName, strtoul, type AddressMask } from './values.js';

export type CommandKind = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'E' | 'P';

export interface ParsedTarget {
  /** What followed -j / -g ('' when absent or CONTINUE). */
  name: string;
  goto: boolean;
  ext: { ext: TargetExtension<unknown>; state: unknown } | undefined;
}

export interface ParsedCommand {
  command: CommandKind;
  table: TableName;
  chain: string | undefined;
  /** -I/-R/-D/-Z/-L/-S rule number (1-based) when given. */
  rulenum: number | undefined;
  newName: string | undefined;
  policy: string | undefined;
  /** Rule commands: the generic part and matches; one entry per -s × -d address pair. */
  ips: IpEntry[];
  matches: MatchInstance[];
  target: ParsedTarget;
  counters: { packets: bigint; bytes: bigint } | undefined;
  /** List/print flags for -L / -S. */
  flags: { numeric: boolean; verbose: boolean; exact: boolean; lineNumbers: boolean };
  warnings: string[];
  /** The word to blame for semantic errors found later (the command's chain word). */
  commandWord: Word;
}

/** A ParamError tied to the word being parsed. */
export class LocatedParamError extends Error {
  constructor(
    readonly inner: ParamError,
    readonly word: Word | undefined,
  ) {
    super(inner.message);
  }
}

// ---------------------------------------------------------------------------------------
// The option table

type Owner = { kind: 'generic' } | { kind: 'match'; ext: MatchExtension<unknown> } | { kind: 'target' };

interface LongOpt {
  name: string;
  arg: 'none' | 'required' | 'optional';
  /** Equal keys are synonyms for getopt's ambiguity rule (same has_arg/val). */
  key: string;
  owner: Owner;
  def?: OptionDef;
  short?: string;
}

const GENERIC_LONG: ReadonlyArray<readonly [string, 'none' | 'required' | 'optional', string]> = [
  ['append', 'required', 'A'],
  ['delete', 'required', 'D'],
  ['check', 'required', 'C'],
  ['insert', 'required', 'I'],
  ['replace', 'required', 'R'],
  ['list', 'optional', 'L'],
  ['list-rules', 'optional', 'S'],
  ['flush', 'optional', 'F'],
  ['zero', 'optional', 'Z'],
  ['new-chain', 'required', 'N'],
  ['delete-chain', 'optional', 'X'],
  ['rename-chain', 'required', 'E'],
  ['policy', 'required', 'P'],
  ['source', 'required', 's'],
  ['destination', 'required', 'd'],
  ['src', 'required', 's'],
  ['dst', 'required', 'd'],
  ['protocol', 'required', 'p'],
  ['in-interface', 'required', 'i'],
  ['jump', 'required', 'j'],
  ['table', 'required', 't'],
  ['match', 'required', 'm'],
  ['numeric', 'none', 'n'],
  ['out-interface', 'required', 'o'],
  ['verbose', 'none', 'v'],
  ['wait', 'optional', 'w'],
  ['wait-interval', 'optional', 'W'],
  ['exact', 'none', 'x'],
  ['fragments', 'none', 'f'],
  ['version', 'none', 'V'],
  ['help', 'optional', 'h'],
  ['line-numbers', 'none', '0'],
  ['modprobe', 'required', 'M'],
  ['set-counters', 'required', 'c'],
  ['goto', 'required', 'g'],
  ['ipv4', 'none', '4'],
  ['ipv6', 'none', '6'],
];

/** IPT_OPTSTRING without the leading "-:" flags: letter → argument kind. */
const SHORT_OPTS: Readonly<Record<string, 'none' | 'required' | 'optional'>> = (() => {
  const spec = 'A:C:D:E:F::I:L::M:N:P:R:S::VX::Z::c:d:i:j:o:p:s:t:vW::46fg:h::m:nw::x';
  const out: Record<string, 'none' | 'required' | 'optional'> = {};
  for (let i = 0; i < spec.length; ) {
    const letter = spec[i]!;
    if (spec[i + 1] === ':' && spec[i + 2] === ':') {
      out[letter] = 'optional';
      i += 3;
    } else if (spec[i + 1] === ':') {
      out[letter] = 'required';
      i += 2;
    } else {
      out[letter] = 'none';
      i += 1;
    }
  }
  return out;
})();

const GENERIC_OPTS: readonly LongOpt[] = GENERIC_LONG.map(([name, arg, short]) => ({
  name,
  arg,
  key: 'g:' + short,
  owner: { kind: 'generic' },
  short,
}));
const GENERIC_BY_NAME = new Map(GENERIC_OPTS.map((o) => [o.name, o]));

const extOptsCache = new WeakMap<MatchExtension<unknown> | TargetExtension<unknown>, { list: LongOpt[]; byName: Map<string, LongOpt> }>();

function extensionEntry(ext: MatchExtension<unknown> | TargetExtension<unknown>) {
  let entry = extOptsCache.get(ext);
  if (!entry) {
    const prefix = ext.kind === 'match' ? 'm' : 't';
    const owner: Owner = ext.kind === 'match' ? { kind: 'match', ext } : { kind: 'target' };
    const list = ext.options.map((def) => ({ name: def.name, arg: def.arg, key: `${prefix}:${ext.name}:${def.name}`, owner, def }));
    const byName = new Map<string, LongOpt>();
    for (const o of list) if (!byName.has(o.name)) byName.set(o.name, o);
    entry = { list, byName };
    extOptsCache.set(ext, entry);
  }
  return entry;
}

function extensionOpts(ext: MatchExtension<unknown> | TargetExtension<unknown>): readonly LongOpt[] {
  return extensionEntry(ext).list;
}

function extensionOptsByName(ext: MatchExtension<unknown> | TargetExtension<unknown>): ReadonlyMap<string, LongOpt> {
  return extensionEntry(ext).byName;
}

// ---------------------------------------------------------------------------------------

interface LoadedMatch {
  ext: MatchExtension<unknown>;
  state: unknown;
  seen: Set<string>;
  completed: boolean;
  /** Set once one of its options was parsed (for the implicit protocol match). */
}

interface LoadedTarget {
  ext: TargetExtension<unknown>;
  state: unknown;
  seen: Set<string>;
}

export interface ParseOptions {
  /** The table in effect (-t in a script, the *table section in a restore file). */
  table: TableName;
  /** Inside iptables-restore: -t is already given and -w/-W are refused. */
  restore: boolean;
}

const OPT = {
  numeric: 'n',
  source: 's',
  destination: 'd',
  protocol: 'p',
  jump: 'j',
  verbose: 'v',
  exact: 'x',
  inIface: 'i',
  outIface: 'o',
  lineNumbers: '0',
  counters: 'c',
  fragment: 'f',
} as const;

/** 1.8.9 names generic options by their letter in messages ("multiple -p flags not allowed"). */
const OPTION_NAMES: Readonly<Record<string, string>> = {
  n: '-n',
  s: '-s',
  d: '-d',
  p: '-p',
  j: '-j',
  v: '-v',
  x: '-x',
  i: '-i',
  o: '-o',
  '0': '--line-numbers',
  c: '-c',
  f: '-f',
};

const RULE_COMMANDS: readonly CommandKind[] = ['I', 'D', 'R', 'A', 'C'];
/** options_v_commands: which commands each generic option is legal with. */
const OPTION_COMMANDS: Readonly<Record<string, readonly CommandKind[] | 'any'>> = {
  n: ['L'],
  s: RULE_COMMANDS,
  d: RULE_COMMANDS,
  p: RULE_COMMANDS,
  j: RULE_COMMANDS,
  v: 'any',
  x: ['L'],
  i: RULE_COMMANDS,
  o: RULE_COMMANDS,
  '0': ['L'],
  c: ['I', 'R', 'A', 'P'],
  f: RULE_COMMANDS,
};

const CMD_FOR_LETTER: Readonly<Record<string, CommandKind>> = {
  A: 'A',
  C: 'C',
  D: 'D',
  I: 'I',
  R: 'R',
  L: 'L',
  S: 'S',
  F: 'F',
  Z: 'Z',
  N: 'N',
  X: 'X',
  E: 'E',
  P: 'P',
};

const STANDARD_VERDICTS: readonly string[] = ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'];

export function isStandardVerdict(name: string): name is StandardVerdict {
  return STANDARD_VERDICTS.includes(name);
}

/** XT_EXTENSION_MAXNAMELEN - 1 */
const MAX_NAME = 28;

function fail(message: string, code: (typeof ErrorCodes)[keyof typeof ErrorCodes] = ErrorCodes.PARAM): never {
  throw new ParamError(message, code);
}

/** assert_valid_chain_name */
export function assertValidChainName(name: string): void {
  if (name.length > MAX_NAME) fail(`chain name \`${name}' too long (must be under ${MAX_NAME + 1} chars)`);
  if (name.startsWith('-') || name.startsWith('!')) fail(`chain name not allowed to start with \`${name[0]}'`);
  if (findTarget(name) !== undefined || isStandardVerdict(name)) fail('chain name may not clash with target name');
  if (/\s/.test(name)) fail(`Invalid chain name \`${name}'`);
}

/** xt_parse_target */
function checkTargetName(name: string): string {
  if (name.length < 1) fail('Invalid target name (too short)');
  if (name.length > MAX_NAME) fail(`Invalid target name \`${name}' (${MAX_NAME} chars max)`);
  if (/\s/.test(name)) fail(`Invalid target name \`${name}'`);
  return name;
}

/** parse_interface + check_empty_interface */
function parseInterface(name: string, warnings: string[]): string {
  if (name.length === 0) fail('Empty interface is likely to be undesired');
  if (name.length >= 16) fail(`interface name \`${name}' must be shorter than 16 characters`);
  if (name.includes('/') || name.includes(' ')) {
    warnings.push(`Warning: weird character in interface \`${name}' ('/' and ' ' are not allowed by the kernel).`);
  }
  return name;
}

function parseRuleNumber(text: string): number {
  const n = strtoul(text, 1, 2147483647);
  if (n === undefined) fail(`Invalid rule number \`${text}'`);
  return n;
}

/** xs_has_arg: the next word exists and does not look like an option or "!". */
function hasArg(words: Word[], index: number): boolean {
  const w = words[index];
  return w !== undefined && !w.text.startsWith('-') && !w.text.startsWith('!');
}

const U64 = 1n << 64n;

/** sscanf("%llu"): leading blanks, a sign (negative values wrap), saturation on overflow. */
export function parseU64(text: string): bigint | undefined {
  const m = /^\s*([+-]?)(\d+)/.exec(text);
  if (!m) return undefined;
  let v = BigInt(m[2]!);
  if (v >= U64) v = U64 - 1n;
  return m[1] === '-' ? (U64 - v) % U64 : v;
}

function counterValue(text: string, what: string): bigint {
  const v = parseU64(text);
  if (v === undefined) fail(`-c ${what} counter not numeric`);
  return v;
}

/**
 * Parses one command line (without the program name). `words` are the argument words;
 * errors are thrown as LocatedParamError pointing at the offending word.
 */
export function parseCommandLine(words: Word[], opts: ParseOptions): ParsedCommand | undefined {
  const p = new CommandParser(words, opts);
  try {
    return p.run();
  } catch (e) {
    if (e === SKIP_LINE) return undefined;
    if (e instanceof ParamError) throw new LocatedParamError(e, p.blame());
    throw e;
  }
}

/** iptables-restore ignores the rest of a line at -6 (a rule meant for ip6tables-restore). */
const SKIP_LINE = Symbol('skip line');

/** The ParseContext handed to extensions: a view on the parser's position in argv. */
class ArgCursor implements ParseContext {
  table: TableName;
  chain = '';
  seen: ReadonlySet<string> = EMPTY_SET;

  constructor(private readonly parser: CommandParser) {
    this.table = parser.tableName;
  }

  get ip(): IpEntry {
    return this.parser.ipEntry;
  }

  // Arrow properties: extensions may pass these around unbound.
  readonly peekArg = (): string | undefined => this.parser.peekWord();
  readonly takeArg = (): string | undefined => this.parser.takeWord();
  readonly warn = (message: string): void => this.parser.addWarning(message);
}

const EMPTY_SET: ReadonlySet<string> = new Set();

class CommandParser {
  private optind = 0;
  private current: Word | undefined;
  private command: CommandKind | undefined;
  private commandWord: Word | undefined;
  private chain: string | undefined;
  private rulenum: number | undefined;
  private newName: string | undefined;
  private policy: string | undefined;
  private table: TableName;
  private options = new Set<string>();
  private ip: IpEntry = emptyIpEntry();
  private protocol: string | undefined;
  private protoUsed = false;
  private srcText: string | undefined;
  private dstText: string | undefined;
  private srcWord: Word | undefined;
  private dstWord: Word | undefined;
  private matches: LoadedMatch[] = [];
  /** Extensions in the order their options were merged into the getopt table. */
  private loadOrder: Array<MatchExtension<unknown> | TargetExtension<unknown>> = [];
  private target: LoadedTarget | undefined;
  private jumpto = '';
  private counters: { packets: bigint; bytes: bigint } | undefined;
  private verbose = 0;
  private warnings: string[] = [];
  /**
   * iptables 1.8.9 reads the value of -s -d -p -i -o -j -g from argv[optind-1], the last
   * word getopt consumed: for an attached value ("-ptcp", "--protocol=tcp") that is the
   * whole word, which then fails as a protocol, address or target name.
   */
  private lastWord = '';
  private lastWordRef: Word | undefined;
  /** Characters left of a short-option cluster ("-nvL" → "vL"). */
  private cluster: { word: Word; rest: string } | undefined;

  /** One context object per command line, updated before each extension call. */
  private readonly parseContext: ArgCursor;

  constructor(
    private readonly words: Word[],
    private readonly opts: ParseOptions,
  ) {
    this.table = opts.table;
    this.parseContext = new ArgCursor(this);
  }

  get tableName(): TableName {
    return this.table;
  }

  get ipEntry(): IpEntry {
    return this.ip;
  }

  peekWord(): string | undefined {
    return this.words[this.optind]?.text;
  }

  takeWord(): string | undefined {
    return this.words[this.optind++]?.text;
  }

  addWarning(message: string): void {
    this.warnings.push(message);
  }

  blame(): Word | undefined {
    return this.current ?? this.words[this.words.length - 1];
  }

  run(): ParsedCommand {
    let invert = false;
    for (;;) {
      const got = this.nextOption();
      if (got === undefined) break;
      if (got.kind === 'nonopt') {
        if (got.word.text === '!') {
          if (invert) fail('multiple consecutive ! not allowed');
          invert = true;
          continue;
        }
        fail(`Bad argument \`${got.word.text}'`);
      }
      if (got.kind === 'unknown' || got.kind === 'missing') {
        if (this.tryLoadProto()) {
          this.rewind();
          continue;
        }
        if (got.kind === 'missing') fail(`option "${got.text}" requires an argument`);
        fail(`unknown option "${got.text}"`);
      }
      this.dispatch(got.opt, got.arg, invert);
      invert = false;
    }
    return this.finish(invert);
  }

  // -------------------------------------------------------------------------------------
  // getopt_long emulation

  /**
   * getopt_long's table in order: the generic options, then each loaded extension's
   * options, most recently loaded first (xtables_merge_options puts new ones ahead).
   */
  private *longOptions(): Generator<LongOpt> {
    yield* GENERIC_OPTS;
    for (let i = this.loadOrder.length - 1; i >= 0; i--) yield* extensionOpts(this.loadOrder[i]!);
  }

  private findLong(name: string): LongOpt | 'ambiguous' | undefined {
    const generic = GENERIC_BY_NAME.get(name);
    if (generic) return generic;
    for (let i = this.loadOrder.length - 1; i >= 0; i--) {
      const exact = extensionOptsByName(this.loadOrder[i]!).get(name);
      if (exact) return exact;
    }
    let first: LongOpt | undefined;
    for (const o of this.longOptions()) {
      if (!o.name.startsWith(name)) continue;
      if (!first) first = o;
      else if (o.key !== first.key || o.arg !== first.arg) return 'ambiguous';
    }
    return first;
  }

  private lastOptionStart = 0;

  private rewind(): void {
    this.optind = this.lastOptionStart;
    this.cluster = undefined;
  }

  private nextOption():
    | undefined
    | { kind: 'nonopt'; word: Word }
    | { kind: 'unknown'; text: string }
    | { kind: 'missing'; text: string }
    | { kind: 'opt'; opt: LongOpt; arg: string | undefined } {
    if (this.cluster) return this.nextShort();
    this.lastOptionStart = this.optind;
    const word = this.words[this.optind];
    if (word === undefined) return undefined;
    this.current = word;
    const text = word.text;
    this.lastWord = text;
    this.lastWordRef = word;
    if (text === '--') {
      this.optind = this.words.length;
      return undefined;
    }
    if (!text.startsWith('-') || text === '-') {
      this.optind++;
      return { kind: 'nonopt', word };
    }
    this.optind++;
    if (text.startsWith('--')) return this.nextLong(text);
    this.cluster = { word, rest: text.slice(1) };
    return this.nextShort();
  }

  private nextLong(text: string) {
    const eq = text.indexOf('=');
    const name = eq >= 0 ? text.slice(2, eq) : text.slice(2);
    const inline = eq >= 0 ? text.slice(eq + 1) : undefined;
    const found = this.findLong(name);
    if (found === undefined || found === 'ambiguous') return { kind: 'unknown' as const, text };
    if (found.arg === 'none') {
      if (inline !== undefined) return { kind: 'unknown' as const, text };
      return { kind: 'opt' as const, opt: found, arg: undefined };
    }
    if (inline !== undefined) return { kind: 'opt' as const, opt: found, arg: inline };
    if (found.arg === 'optional') return { kind: 'opt' as const, opt: found, arg: undefined };
    const next = this.words[this.optind];
    if (next === undefined) return { kind: 'missing' as const, text };
    this.optind++;
    this.lastWord = next.text;
    this.lastWordRef = next;
    return { kind: 'opt' as const, opt: found, arg: next.text };
  }

  private nextShort() {
    const c = this.cluster!;
    const letter = c.rest[0]!;
    const rest = c.rest.slice(1);
    const kind = SHORT_OPTS[letter];
    const text = '-' + letter;
    if (kind === undefined) {
      this.cluster = rest.length > 0 ? { word: c.word, rest } : undefined;
      return { kind: 'unknown' as const, text };
    }
    const opt: LongOpt = {
      name: letter,
      arg: kind,
      key: 'g:' + letter,
      owner: { kind: 'generic' },
      short: letter,
    };
    if (kind === 'none') {
      this.cluster = rest.length > 0 ? { word: c.word, rest } : undefined;
      return { kind: 'opt' as const, opt, arg: undefined };
    }
    this.cluster = undefined;
    if (rest.length > 0) return { kind: 'opt' as const, opt, arg: rest };
    if (kind === 'optional') return { kind: 'opt' as const, opt, arg: undefined };
    const next = this.words[this.optind];
    if (next === undefined) return { kind: 'missing' as const, text };
    this.optind++;
    this.lastWord = next.text;
    this.lastWordRef = next;
    return { kind: 'opt' as const, opt, arg: next.text };
  }

  // -------------------------------------------------------------------------------------
  // do_parse's switch

  private dispatch(opt: LongOpt, arg: string | undefined, invert: boolean): void {
    if (opt.owner.kind === 'match') return this.matchOption(opt, arg, invert);
    if (opt.owner.kind === 'target') return this.targetOption(opt, arg, invert);
    const letter = opt.short!;
    if (letter in CMD_FOR_LETTER) return this.commandOption(CMD_FOR_LETTER[letter]!, arg, invert);
    if ('sdpiojg'.includes(letter)) arg = this.lastWord;
    switch (letter) {
      case 'p':
        this.setOption(OPT.protocol, invert);
        this.protocol = arg!.toLowerCase();
        this.ip.proto = parseProtocol(this.protocol);
        if (this.ip.proto === 0 && this.ip.invProto) fail('rule would never match protocol');
        return;
      case 's':
        this.setOption(OPT.source, invert);
        this.srcText = arg!;
        this.srcWord = this.lastWordRef;
        return;
      case 'd':
        this.setOption(OPT.destination, invert);
        this.dstText = arg!;
        this.dstWord = this.lastWordRef;
        return;
      case 'g':
        this.setOption(OPT.jump, invert);
        this.ip.goto = true;
        this.jumpto = checkTargetName(arg!);
        return;
      case 'j':
        this.setOption(OPT.jump, invert);
        if (arg !== 'CONTINUE') this.commandJump(arg!);
        return;
      case 'i':
        if (arg === '') fail('Empty interface is likely to be undesired');
        this.setOption(OPT.inIface, invert);
        this.ip.iniface = parseInterface(arg!, this.warnings);
        return;
      case 'o':
        if (arg === '') fail('Empty interface is likely to be undesired');
        this.setOption(OPT.outIface, invert);
        this.ip.outiface = parseInterface(arg!, this.warnings);
        return;
      case 'f':
        this.setOption(OPT.fragment, invert);
        this.ip.fragment = true;
        return;
      case 'v':
        if (this.verbose === 0) this.setOption(OPT.verbose, invert);
        this.verbose++;
        return;
      case 'm':
        if (invert) fail('unexpected ! flag before --match');
        this.commandMatch(arg!);
        return;
      case 'n':
        this.setOption(OPT.numeric, invert);
        return;
      case 't':
        if (invert) fail('unexpected ! flag before --table');
        if (this.opts.restore) fail('The -t option cannot be used in iptables-restore.\n');
        if (!isTableName(arg!)) {
          fail(`can't initialize iptables table \`${arg}': Table does not exist (do you need to insmod?)`);
        }
        this.table = arg;
        return;
      case 'x':
        this.setOption(OPT.exact, invert);
        return;
      case 'V':
        fail('--version is not a rule');
      case 'h':
        fail('--help is not a rule');
      case 'w':
      case 'W':
        if (this.opts.restore) fail(`You cannot use \`-${letter}' from iptables-restore`);
        // The xtables lock wait only matters to a live system; accepted and ignored.
        if (arg === undefined && hasArg(this.words, this.optind)) this.optind++;
        return;
      case '0':
        this.setOption(OPT.lineNumbers, invert);
        return;
      case 'M':
        return;
      case 'c':
        this.setCounters(arg!, invert);
        return;
      case '4':
        return;
      case '6':
        if (this.opts.restore) throw SKIP_LINE;
        fail('-6 selects IPv6: use ip6tables; nfreplay models IPv4 rules');
    }
    fail(`unknown option "${opt.name}"`);
  }

  private commandOption(cmd: CommandKind, arg: string | undefined, invert: boolean): void {
    if (invert) fail("unexpected '!' flag");
    if (this.command !== undefined) {
      const pair = new Set([this.command, cmd]);
      const compatible = pair.size === 2 && pair.has('Z') && (pair.has('L') || pair.has('S'));
      if (!compatible) fail(`Cannot use -${cmd} with -${this.command}`);
    }
    const word = this.current!;
    // -L -Z lists then zeroes: the listing is what a ruleset loader cares about.
    this.command = this.command !== undefined && cmd === 'Z' ? this.command : cmd;
    this.commandWord = word;
    switch (cmd) {
      case 'A':
      case 'C':
        this.chain = arg;
        return;
      case 'D':
        this.chain = arg;
        if (hasArg(this.words, this.optind)) this.rulenum = this.parseRange(this.words[this.optind++]!.text);
        return;
      case 'R':
        this.chain = arg;
        if (!hasArg(this.words, this.optind)) fail('-R requires a rule number');
        this.rulenum = parseRuleNumber(this.words[this.optind++]!.text);
        return;
      case 'I':
        this.chain = arg;
        this.rulenum = hasArg(this.words, this.optind) ? parseRuleNumber(this.words[this.optind++]!.text) : 1;
        return;
      case 'L':
      case 'S':
      case 'Z':
        if (arg !== undefined) this.chain = arg;
        else if (hasArg(this.words, this.optind)) this.chain = this.words[this.optind++]!.text;
        if (hasArg(this.words, this.optind)) this.rulenum = parseRuleNumber(this.words[this.optind++]!.text);
        return;
      case 'F':
      case 'X':
        if (arg !== undefined) this.chain = arg;
        else if (hasArg(this.words, this.optind)) this.chain = this.words[this.optind++]!.text;
        return;
      case 'N':
        assertValidChainName(arg!);
        this.chain = arg;
        return;
      case 'E':
        this.chain = arg;
        if (!hasArg(this.words, this.optind)) fail('-E requires old-chain-name and new-chain-name');
        this.newName = this.words[this.optind++]!.text;
        assertValidChainName(this.newName);
        return;
      case 'P':
        if (!hasArg(this.words, this.optind)) fail('-P requires a chain and a policy');
        this.chain = arg;
        this.policy = this.words[this.optind++]!.text;
        return;
    }
  }

  /** parse_rule_range: -D takes a single number (ranges are an ebtables feature). */
  private parseRange(text: string): number {
    if (text.includes(':')) fail('Rule ranges are not supported');
    const m = /^[+-]?\d+$/.exec(text.trim());
    const n = m ? Number(text) : NaN;
    if (!Number.isInteger(n) || n === 0) fail(`Invalid rule number \`${text}'`);
    return n;
  }

  private setOption(letter: string, invert: boolean): void {
    if (this.options.has(letter)) fail(`multiple ${OPTION_NAMES[letter]} flags not allowed`);
    this.options.add(letter);
    if (!invert) return;
    switch (letter) {
      case OPT.source:
        this.ip.invSrc = true;
        return;
      case OPT.destination:
        this.ip.invDst = true;
        return;
      case OPT.protocol:
        this.ip.invProto = true;
        return;
      case OPT.inIface:
        this.ip.invIn = true;
        return;
      case OPT.outIface:
        this.ip.invOut = true;
        return;
      case OPT.fragment:
        this.ip.invFrag = true;
        return;
    }
    fail(`cannot have ! before ${OPTION_NAMES[letter]}`);
  }

  private setCounters(arg: string, invert: boolean): void {
    this.setOption(OPT.counters, invert);
    let pcnt = arg;
    let bcnt: string | undefined;
    const comma = arg.indexOf(',');
    if (comma >= 0) {
      pcnt = arg.slice(0, comma);
      bcnt = arg.slice(comma + 1);
    } else if (hasArg(this.words, this.optind)) {
      bcnt = this.words[this.optind++]!.text;
    }
    if (bcnt === undefined || pcnt === '' || bcnt === '') fail('-c requires packet and byte counter');
    this.counters = { packets: counterValue(pcnt, 'packet'), bytes: counterValue(bcnt, 'byte') };
  }

  // -------------------------------------------------------------------------------------
  // Extensions

  private commandMatch(name: string): void {
    const ext = findMatch(name);
    if (!ext) fail(`Couldn't load match \`${name}':No such file or directory`);
    // A second instance of the same match takes over its options (xtables_find_match).
    for (const m of this.matches) if (m.ext.name === ext.name) m.completed = true;
    this.matches.push({ ext, state: ext.create(), seen: new Set(), completed: false });
    this.loadOrder.push(ext);
  }

  /** load_proto: `-p tcp` makes an unknown option try the tcp match, once. */
  private tryLoadProto(): boolean {
    if (this.protocol === undefined || this.protoUsed) return false;
    this.protoUsed = true;
    let name: string | undefined = this.protocol;
    const num = strtoul(this.protocol, 0, 255);
    if (num !== undefined) name = protoToName(num, this.options.has(OPT.numeric));
    if (name === undefined) return false;
    const ext = findMatch(name);
    if (!ext) return false;
    for (const m of this.matches) if (m.ext.name === ext.name) m.completed = true;
    this.matches.push({ ext, state: ext.create(), seen: new Set(), completed: false });
    this.loadOrder.push(ext);
    return true;
  }

  private commandJump(name: string): void {
    this.jumpto = checkTargetName(name);
    const ext = isStandardVerdict(name) ? undefined : findTarget(name);
    this.target = ext ? { ext, state: ext.create(), seen: new Set() } : undefined;
    if (ext) this.loadOrder.push(ext);
  }

  private matchOption(opt: LongOpt, arg: string | undefined, invert: boolean): void {
    // Options belong to the newest instance of their extension that is not completed.
    const owner = opt.owner as { ext: MatchExtension<unknown> };
    let inst: LoadedMatch | undefined;
    for (let i = this.matches.length - 1; i >= 0; i--) {
      const m = this.matches[i]!;
      if (m.ext === owner.ext && !m.completed) {
        inst = m;
        break;
      }
    }
    if (!inst) fail(`unknown option "--${opt.name}"`);
    this.callExtension(inst.ext, inst.state, inst.seen, opt.def!, arg, invert);
  }

  private targetOption(opt: LongOpt, arg: string | undefined, invert: boolean): void {
    const t = this.target!;
    this.callExtension(t.ext, t.state, t.seen, opt.def!, arg, invert);
  }

  private callExtension(
    ext: MatchExtension<unknown> | TargetExtension<unknown>,
    state: unknown,
    seen: Set<string>,
    def: OptionDef,
    arg: string | undefined,
    invert: boolean,
  ): void {
    if (!def.custom) {
      if (!def.multi && seen.has(def.name)) fail(`${ext.name}: option "--${def.name}" can only be used once.\n`);
      if (invert && !def.invert) fail(`${ext.name}: option "--${def.name}" cannot be inverted.\n`);
      if (def.arg === 'required' && arg === undefined) fail(`${ext.name}: option "--${def.name}" requires an argument.\n`);
    }
    const ctx = this.parseContext;
    ctx.table = this.table;
    ctx.chain = this.chain ?? '';
    ctx.seen = seen;
    ext.parse(state, { name: def.name, arg, invert }, ctx);
    seen.add(def.name);
  }

  private finalCheck(ext: MatchExtension<unknown> | TargetExtension<unknown>, state: unknown, seen: Set<string>): void {
    // xtables_option_mfcall: the extension's own check runs before the generic
    // mandatory/also/excl checks, which decides which message a user sees first.
    const ctx: FinalContext = {
      ip: this.ip,
      table: this.table,
      chain: this.chain ?? '',
      seen,
      warn: (m) => this.warnings.push(m),
    };
    ext.finalCheck?.(state, ctx);
    for (const def of ext.options) {
      if (def.mandatory && !seen.has(def.name)) fail(`${ext.name}: option "--${def.name}" must be specified\n`);
      if (!seen.has(def.name)) continue;
      for (const other of def.also ?? []) {
        if (!seen.has(other)) fail(`${ext.name}: option "--${def.name}" also requires "--${other}".\n`);
      }
      for (const other of def.excl ?? []) {
        if (seen.has(other)) fail(`${ext.name}: option "--${def.name}" cannot be used together with "--${other}".\n`);
      }
    }
  }

  // -------------------------------------------------------------------------------------
  // After the options

  private finish(invertPending: boolean): ParsedCommand {
    this.current = undefined;
    if (this.table === 'nat' && (this.policy === 'DROP' || this.jumpto === 'DROP')) {
      fail('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
    }
    for (const m of this.matches) this.finalCheck(m.ext, m.state, m.seen);
    if (this.target) this.finalCheck(this.target.ext, this.target.state, this.target.seen);
    if (this.optind < this.words.length) fail('unknown arguments found on commandline');
    if (this.command === undefined) fail('no command specified');
    if (invertPending) fail('nothing appropriate following !');

    const isRuleCommand = RULE_COMMANDS.includes(this.command);
    this.current = this.srcWord;
    const src: AddressMask[] = isRuleCommand ? parseAddressList(this.srcText ?? '0.0.0.0/0') : [];
    this.current = this.dstWord;
    const dst: AddressMask[] = isRuleCommand ? parseAddressList(this.dstText ?? '0.0.0.0/0') : [];
    this.current = undefined;
    if ((src.length > 1 || dst.length > 1) && (this.ip.invSrc || this.ip.invDst)) {
      fail('! not allowed with multiple source or destination IP addresses');
    }

    for (const letter of this.options) {
      const allowed = OPTION_COMMANDS[letter];
      if (allowed === undefined || allowed === 'any') continue;
      if (!allowed.includes(this.command)) fail(`Illegal option \`${OPTION_NAMES[letter]}' with this command\n`);
    }
    if (this.chain !== undefined && this.chain.length > MAX_NAME) {
      fail(`chain name \`${this.chain}' too long (must be under ${MAX_NAME + 1} chars)`);
    }
    if (isRuleCommand) {
      if ((this.chain === 'PREROUTING' || this.chain === 'INPUT') && this.options.has(OPT.outIface)) {
        fail(`Can't use -o with ${this.chain}`);
      }
      if ((this.chain === 'POSTROUTING' || this.chain === 'OUTPUT') && this.options.has(OPT.inIface)) {
        fail(`Can't use -i with ${this.chain}`);
      }
    }

    const ips: IpEntry[] = [];
    if (src.length === 1 && dst.length === 1) {
      // The common case needs no copy: this parser's entry is not used again.
      Object.assign(this.ip, { src: src[0]!.addr, smsk: src[0]!.mask, dst: dst[0]!.addr, dmsk: dst[0]!.mask });
      ips.push(this.ip);
    } else {
      for (const s of src) {
        for (const d of dst) ips.push({ ...this.ip, src: s.addr, smsk: s.mask, dst: d.addr, dmsk: d.mask });
      }
    }
    return {
      command: this.command,
      table: this.table,
      chain: this.chain,
      rulenum: this.rulenum,
      newName: this.newName,
      policy: this.policy,
      ips,
      matches: this.matches.map((m) => ({ ext: m.ext, state: m.state })),
      target: {
        name: this.jumpto,
        goto: this.ip.goto,
        ext: this.target ? { ext: this.target.ext, state: this.target.state } : undefined,
      },
      counters: this.counters,
      flags: {
        numeric: this.options.has(OPT.numeric),
        verbose: this.verbose > 0,
        exact: this.options.has(OPT.exact),
        lineNumbers: this.options.has(OPT.lineNumbers),
      },
      warnings: this.warnings,
      commandWord: this.commandWord ?? this.words[0] ?? { text: '', column: 1, quoted: false },
    };
  }
}
