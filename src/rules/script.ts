/**
 * Scripts of `iptables ...` command lines as they are pasted from tutorials and shell
 * scripts. Each command takes effect at once, as it would on a live system: positions
 * (-I INPUT 3, -D INPUT 1) refer to the rules as they are at that line, and a command
 * that iptables would refuse stops the load with its line and column. Shell command lists
 * (`a || b`, `a && b`, `a; b`) are followed, so the check-then-add idiom works; nothing is
 * handed to a shell, and constructs that need one are refused.
 */
import { LocatedParamError, parseCommandLine } from './argparse.js';
import { kernelCheckTable, kernelError } from './check.js';
import { applyCommand } from './commands.js';
import { ErrorCodes, ParamError, RulesetError, type SourcePosition } from './errors.js';
import type { Rule, Ruleset, Table } from './model.js';
import { newTable } from './model.js';
import type { LoadOptions, LoadResult } from './restore.js';
import { splitShellLine, TokenizeError, type Word } from './tokenizer.js';

const IPTABLES_COMMANDS = ['iptables', 'iptables-legacy', 'iptables-nft'];
const SKIPPED_COMMANDS = ['ip6tables', 'ip6tables-legacy', 'ip6tables-nft'];
/** Commands that only print the state: they change nothing, so they are accepted and ignored. */
const READ_ONLY_COMMANDS = ['iptables-save', 'iptables-legacy-save', 'iptables-nft-save'];

function commandName(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}

/** True when the first command of the text is an iptables invocation. */
export function looksLikeScript(text: string): boolean {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    const first = line.split(/\s+/)[0]!;
    const name = commandName(first === 'sudo' ? (line.split(/\s+/)[1] ?? '') : first);
    return IPTABLES_COMMANDS.includes(name) || SKIPPED_COMMANDS.includes(name);
  }
  return false;
}

/** Physical lines joined where a line ends with a backslash, keeping the first line number. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let body = lines[i]!.replace(/\r$/, '');
    while (body.endsWith('\\') && i + 1 < lines.length) {
      i++;
      body = body.slice(0, -1) + lines[i]!.replace(/\r$/, '');
    }
    out.push({ line: start + 1, text: body });
  }
  return out;
}

/** Splits a line's words at shell list operators. */
function commandList(words: Word[]): Array<{ op: string | undefined; words: Word[] }> {
  const out: Array<{ op: string | undefined; words: Word[] }> = [{ op: undefined, words: [] }];
  for (const w of words) {
    if (w.operator) out.push({ op: w.text, words: [] });
    else out[out.length - 1]!.words.push(w);
  }
  return out.filter((c) => c.words.length > 0);
}

class ScriptLoader {
  private readonly ruleset: Ruleset = { tables: [] };
  private readonly warnings: string[] = [];

  constructor(private readonly source: string) {}

  private tableFor(name: Table['name']): Table {
    let t = this.ruleset.tables.find((x) => x.name === name);
    if (!t) {
      // The kernel lists the most recently instantiated table first.
      t = newTable(name);
      this.ruleset.tables.unshift(t);
    }
    return t;
  }

  load(text: string): LoadResult {
    for (const { line, text: body } of logicalLines(text)) {
      const pos = (column: number): SourcePosition => ({ source: this.source, line, column });
      let words: Word[];
      try {
        words = splitShellLine(body);
      } catch (e) {
        if (e instanceof TokenizeError) throw new RulesetError(ErrorCodes.SYNTAX, e.message, pos(e.column));
        throw e;
      }
      let status: RulesetError | undefined;
      for (const [i, cmd] of commandList(words).entries()) {
        if (i > 0 && cmd.op === '&&' && status) continue;
        if (i > 0 && cmd.op === '||' && !status) continue;
        status = this.run(cmd.words, pos);
      }
      if (status) throw status;
    }
    return { ruleset: this.ruleset, warnings: this.warnings };
  }

  /** Runs one command; returns its error instead of throwing so `||` can recover. */
  private run(words: Word[], pos: (column: number) => SourcePosition): RulesetError | undefined {
    if (words[0]!.text === 'sudo') words = words.slice(1);
    const cmdWord = words[0];
    if (!cmdWord) return new RulesetError(ErrorCodes.SYNTAX, 'sudo without a command', pos(1));
    const name = commandName(cmdWord.text);
    if (READ_ONLY_COMMANDS.includes(name)) return undefined;
    if (SKIPPED_COMMANDS.includes(name)) {
      this.warnings.push(`${this.source}:${pos(cmdWord.column).line}:${cmdWord.column}: ${name} command skipped: nfreplay models IPv4 only`);
      return undefined;
    }
    if (!IPTABLES_COMMANDS.includes(name)) {
      return new RulesetError(ErrorCodes.SYNTAX, `not an iptables command: \`${cmdWord.text}' (a rules script holds only iptables command lines)`, pos(cmdWord.column));
    }
    try {
      this.apply(words.slice(1), pos);
      return undefined;
    } catch (e) {
      if (e instanceof RulesetError) return e;
      if (e instanceof LocatedParamError) return new RulesetError(e.inner.code, e.inner.message.trim(), pos(e.word?.column ?? cmdWord.column));
      if (e instanceof ParamError) return new RulesetError(e.code, e.message.trim(), pos(cmdWord.column));
      throw e;
    }
  }

  private apply(args: Word[], pos: (column: number) => SourcePosition): void {
    const cmd = parseCommandLine(args, { table: 'filter', restore: false });
    if (cmd === undefined || cmd.command === 'L' || cmd.command === 'S') return;
    const table = this.tableFor(cmd.table);
    const where = pos(cmd.commandWord.column);
    const chain = cmd.chain === undefined ? undefined : table.chains.get(cmd.chain);
    const before: Rule[] | undefined = chain?.rules.slice();
    const result = applyCommand(table, cmd, where);
    for (const w of result.warnings) this.warnings.push(`${this.source}:${where.line}:${where.column}: ${w}`);
    if (cmd.command !== 'A' && cmd.command !== 'I' && cmd.command !== 'R') return;
    // Each iptables command replaces the table in the kernel, which checks it whole; a
    // refused command leaves the table as it was.
    const rejection = kernelCheckTable(table);
    if (rejection) {
      chain!.rules = before!;
      const err = kernelError(rejection);
      throw new RulesetError(err.code, err.message, rejection.rule?.origin ?? where);
    }
  }
}

export function loadScript(text: string, opts: LoadOptions = {}): LoadResult {
  return new ScriptLoader(opts.source ?? '<input>').load(text);
}
