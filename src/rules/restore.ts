/**
 * iptables-restore files (ip46tables_restore_main): `*table` sections, `:CHAIN POLICY
 * [p:b]` lines, rule commands with optional `[p:b]` counters, `COMMIT`. Line handling
 * is iptables' to the byte: only an empty line or a line starting with '#' is skipped,
 * "COMMIT" must be exactly that, and each command line is parsed as
 * `iptables -t <table> <words>`. Loading is all-or-nothing: the first error aborts.
 */
import { LocatedParamError, parseCommandLine } from './argparse.js';
import { kernelCheckTable, kernelError } from './check.js';
import { applyCommand } from './commands.js';
import { ErrorCodes, ParamError, RulesetError, type ErrorCode, type SourcePosition } from './errors.js';
import type { Chain, Policy, Ruleset, Table, TableName } from './model.js';
import { isBuiltinChain, isTableName, newChain, newTable } from './model.js';
import { splitRestoreLine, TokenizeError, type Word } from './tokenizer.js';

export interface LoadOptions {
  /** Name used in error positions (file path, or "<stdin>"). */
  source?: string;
  /** iptables-restore -c: take rule and policy counters from the file. */
  counters?: boolean;
}

export interface LoadResult {
  ruleset: Ruleset;
  /** Messages iptables would print on stderr without failing, with their position. */
  warnings: string[];
}

const BUILTIN_LABELS = ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'];

/** strtok(" \t\n") fields of a chain line. */
const FIELD = /[^ \t]+/g;

/** fgets(buffer, 10240): at most 10239 bytes per read, the newline included. */
const MAX_LINE = 10239;
/** MAX_ARGC in iptables' xshared.h: argv[0], "-t", the table and the words must stay below it. */
const MAX_ARGC = 255;

export function cloneTableForFlush(table: Table): Table {
  // A new *table section flushes every chain and deletes user chains; policies stay.
  const fresh = newTable(table.name);
  for (const [name, chain] of table.chains) {
    if (!chain.builtin) continue;
    const c = fresh.chains.get(name)!;
    c.policy = chain.policy;
    c.policyCounters = { ...chain.policyCounters };
  }
  return fresh;
}

/** sscanf("[%llu:%llu]") */
function parseBracketCounters(text: string): { packets: bigint; bytes: bigint } | undefined {
  const m = /^\[\s*\+?(\d+):\s*\+?(\d+)\]/.exec(text);
  return m ? { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) } : undefined;
}

class RestoreLoader {
  private readonly source: string;
  private readonly counters: boolean;
  private readonly ruleset: Ruleset = { tables: [] };
  private readonly warnings: string[] = [];
  private table: Table | undefined;
  private lineNo = 0;

  constructor(opts: LoadOptions) {
    this.source = opts.source ?? '<input>';
    this.counters = opts.counters ?? false;
  }

  private pos(column: number): SourcePosition {
    return { source: this.source, line: this.lineNo, column };
  }

  private error(code: ErrorCode, message: string, column = 1): never {
    throw new RulesetError(code, message, this.pos(column));
  }

  load(text: string): LoadResult {
    const lines = text.split('\n');
    // A final newline does not start another line; without one, the last line is read
    // without its newline, and "COMMIT" no longer equals "COMMIT\n" for iptables-restore.
    const terminated = lines.length > 0 && lines[lines.length - 1] === '';
    if (terminated) lines.pop();
    for (const [i, line] of lines.entries()) {
      this.lineNo++;
      this.checkLength(line);
      if (line === 'COMMIT' && this.table && i === lines.length - 1 && !terminated) {
        this.error(ErrorCodes.SYNTAX, 'COMMIT must end with a newline: iptables-restore reads "COMMIT" without one as a rule and fails ("Bad argument `COMMIT\'")');
      }
      this.line(line);
    }
    if (this.table) {
      this.lineNo++;
      this.error(ErrorCodes.SYNTAX, `COMMIT expected at line ${this.lineNo} (table ${this.table.name} is not committed)`);
    }
    return { ruleset: this.ruleset, warnings: this.warnings };
  }

  /**
   * iptables-restore reads lines with fgets() into a 10240-byte buffer: a longer line is
   * cut into pieces parsed as separate lines, which is never what the author meant.
   */
  private checkLength(line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > MAX_LINE) {
      this.error(ErrorCodes.SYNTAX, `line is ${bytes} bytes long; iptables-restore reads at most ${MAX_LINE} bytes per line and would split it`, MAX_LINE + 1);
    }
  }

  private line(line: string): void {
    if (line === '' || line.startsWith('#')) return;
    if (line === 'COMMIT' && this.table) return this.commit();
    if (line.startsWith('*') && !this.table) return this.startTable(line);
    if (line.startsWith(':') && this.table) return this.chainLine(line);
    if (this.table) return this.commandLine(line);
    if (line === 'COMMIT') this.error(ErrorCodes.SYNTAX, 'COMMIT outside of a table section');
    this.error(ErrorCodes.SYNTAX, `expected a table header such as "*filter" before this line`);
  }

  private startTable(line: string): void {
    const name = line.slice(1).split(/[ \t]/).find((w) => w.length > 0);
    if (name === undefined) this.error(ErrorCodes.SYNTAX, 'table name invalid', 2);
    if (!isTableName(name)) {
      this.error(ErrorCodes.SYNTAX, `can't initialize iptables table \`${name}': Table does not exist (known: filter, nat, mangle, raw, security)`, 2);
    }
    const existing = this.ruleset.tables.find((t) => t.name === name);
    if (existing) {
      this.table = cloneTableForFlush(existing);
    } else {
      // The kernel lists the most recently instantiated table first.
      const created = newTable(name);
      this.ruleset.tables.unshift(created);
      this.table = cloneTableForFlush(created);
    }
  }

  private chainLine(line: string): void {
    const table = this.table!;
    const fields: Array<{ text: string; column: number }> = [];
    FIELD.lastIndex = 1;
    for (let m = FIELD.exec(line); m !== null; m = FIELD.exec(line)) fields.push({ text: m[0], column: m.index + 1 });
    const chainField = fields[0];
    if (!chainField) this.error(ErrorCodes.SYNTAX, 'chain name invalid', 2);
    const chainName = chainField.text;
    if (chainName.length >= 29) this.error(ErrorCodes.CHAIN, `Invalid chain name \`${chainName}' (28 chars max)`, chainField.column);
    let chain: Chain;
    if (isBuiltinChain(table.name, chainName)) {
      chain = table.chains.get(chainName)!;
    } else {
      if (table.chains.has(chainName) || BUILTIN_LABELS.includes(chainName)) {
        this.error(ErrorCodes.CHAIN, `error creating chain '${chainName}': Chain already exists`, chainField.column);
      }
      chain = newChain(chainName, false, this.pos(chainField.column));
      table.chains.set(chainName, chain);
    }
    const policyField = fields[1];
    if (!policyField) this.error(ErrorCodes.SYNTAX, `policy invalid: expected ACCEPT, DROP or - after :${chainName}`, line.length + 1);
    if (policyField.text === '-') return;
    // iptables 1.8.9 reads the policy counters only with -c, and then requires them.
    const ctrField = fields[2];
    const counters = this.counters && ctrField ? parseBracketCounters(ctrField.text) : undefined;
    if (this.counters && !counters) {
      this.error(ErrorCodes.SYNTAX, `invalid policy counters for chain '${chainName}' (expected [packets:bytes])`, ctrField?.column ?? line.length + 1);
    }
    if (!chain.builtin) {
      this.error(ErrorCodes.CHAIN, `Can't set policy \`${policyField.text}' on \`${chainName}': Bad built-in chain name (user chains have policy -)`, policyField.column);
    }
    if (policyField.text !== 'ACCEPT' && policyField.text !== 'DROP') {
      this.error(ErrorCodes.VALUE, `Can't set policy \`${policyField.text}' on \`${chainName}': Bad policy name (ACCEPT or DROP)`, policyField.column);
    }
    chain.policy = policyField.text as Policy;
    if (counters) chain.policyCounters = counters;
  }

  private commandLine(line: string): void {
    const table = this.table!;
    let offset = 0;
    let injected: Word[] = [];
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      if (close < 0) this.error(ErrorCodes.SYNTAX, 'Bad counters: need ]', 1);
      const inner = line.slice(1, close);
      const colon = inner.indexOf(':');
      if (colon < 0) this.error(ErrorCodes.SYNTAX, 'Bad counters: need :', 2);
      const pcnt = inner.slice(0, colon);
      const bcnt = inner.slice(colon + 1);
      if (pcnt === '' || bcnt === '') this.error(ErrorCodes.SYNTAX, `Bad counters: need ${pcnt === '' ? ':' : ']'}`, 2);
      if (this.counters) {
        injected = [
          { text: '--set-counters', column: 1, quoted: false },
          { text: pcnt, column: 2, quoted: false },
          { text: bcnt, column: colon + 3, quoted: false },
        ];
      }
      offset = close + 1;
    }
    let words: Word[];
    try {
      words = splitRestoreLine(line, offset);
    } catch (e) {
      if (e instanceof TokenizeError) this.error(ErrorCodes.SYNTAX, e.message, e.column);
      throw e;
    }
    if (words.length > 0 && injected.length > 0) words = [...injected, ...words];
    const room = MAX_ARGC - 1 - 3;
    if (words.length > room) {
      this.error(ErrorCodes.SYNTAX, `Parser cannot handle more arguments: iptables-restore takes at most ${room} words per line`, words[room]!.column);
    }
    try {
      const cmd = parseCommandLine(words, { table: table.name as TableName, restore: true });
      if (cmd === undefined || cmd.command === 'L' || cmd.command === 'S') return;
      const where = this.pos(cmd.commandWord.column);
      const result = applyCommand(table, cmd, where);
      for (const w of result.warnings) this.warnings.push(`${this.source}:${this.lineNo}:${where.column}: ${w}`);
    } catch (e) {
      if (e instanceof LocatedParamError) this.error(e.inner.code, e.inner.message.trim(), e.word?.column ?? 1);
      if (e instanceof ParamError) this.error(e.code, e.message.trim(), words[0]?.column ?? 1);
      throw e;
    }
  }

  private commit(): void {
    const table = this.table!;
    const rejection = kernelCheckTable(table);
    if (rejection) {
      const where = rejection.rule?.origin ?? rejection.chain.origin ?? this.pos(1);
      const err = kernelError(rejection);
      throw new RulesetError(err.code, `${err.message} (iptables-restore reports "line ${this.lineNo} failed" at this COMMIT)`, where);
    }
    const index = this.ruleset.tables.findIndex((t) => t.name === table.name);
    this.ruleset.tables[index] = table;
    this.table = undefined;
  }
}

export function loadRestore(text: string, opts: LoadOptions = {}): LoadResult {
  return new RestoreLoader(opts).load(text);
}
