/**
 * Scripts of `iptables ...` command lines as they are pasted from tutorials and shell
 * scripts. Each command takes effect at once, as it would on a live system: positions
 * (-I INPUT 3, -D INPUT 1) refer to the rules as they are at that line, and a command
 * that iptables would refuse stops the load with its line and column. Nothing is handed
 * to a shell; constructs that need one are refused.
 */
import { LocatedParamError, parseCommandLine } from './argparse.js';
import { kernelCheckTable, kernelError } from './check.js';
import { applyCommand } from './commands.js';
import { ErrorCodes, ParamError, RulesetError, type SourcePosition } from './errors.js';
import type { Ruleset, Table } from './model.js';
import { newTable } from './model.js';
import type { LoadOptions, LoadResult } from './restore.js';
import { splitShellLine, TokenizeError, type Word } from './tokenizer.js';

const IPTABLES_COMMANDS = ['iptables', 'iptables-legacy', 'iptables-nft'];
const SKIPPED_COMMANDS = ['ip6tables', 'ip6tables-legacy', 'ip6tables-nft'];

function commandName(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}

/** True when the first command of the text is an iptables invocation. */
export function looksLikeScript(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
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
      body = body.slice(0, -1) + ' ' + lines[i]!.replace(/\r$/, '');
    }
    out.push({ line: start + 1, text: body });
  }
  return out;
}

export function loadScript(text: string, opts: LoadOptions = {}): LoadResult {
  const source = opts.source ?? '<input>';
  const ruleset: Ruleset = { tables: [] };
  const warnings: string[] = [];
  const tableFor = (name: Table['name']): Table => {
    let t = ruleset.tables.find((x) => x.name === name);
    if (!t) {
      t = newTable(name);
      ruleset.tables.unshift(t);
    }
    return t;
  };

  for (const { line, text: body } of logicalLines(text)) {
    const pos = (column: number): SourcePosition => ({ source, line, column });
    let words: Word[];
    try {
      words = splitShellLine(body);
    } catch (e) {
      if (e instanceof TokenizeError) throw new RulesetError(ErrorCodes.SYNTAX, e.message, pos(e.column));
      throw e;
    }
    if (words.length === 0) continue;
    if (words[0]!.text === 'sudo') words = words.slice(1);
    const cmdWord = words[0];
    if (!cmdWord) throw new RulesetError(ErrorCodes.SYNTAX, 'sudo without a command', pos(1));
    const name = commandName(cmdWord.text);
    if (SKIPPED_COMMANDS.includes(name)) {
      warnings.push(`${source}:${line}:${cmdWord.column}: ${name} command skipped: nfreplay models IPv4 only`);
      continue;
    }
    if (!IPTABLES_COMMANDS.includes(name)) {
      throw new RulesetError(ErrorCodes.SYNTAX, `not an iptables command: \`${cmdWord.text}' (a rules script holds only iptables command lines)`, pos(cmdWord.column));
    }
    const args = words.slice(1);
    try {
      const cmd = parseCommandLine(args, { table: 'filter', restore: false });
      if (cmd === undefined || cmd.command === 'L' || cmd.command === 'S') continue;
      const table = tableFor(cmd.table);
      const where = pos(cmd.commandWord.column);
      const result = applyCommand(table, cmd, where);
      for (const w of result.warnings) warnings.push(`${source}:${line}:${where.column}: ${w}`);
      // Each iptables command replaces the whole table in the kernel, which checks it.
      const rejection = kernelCheckTable(table);
      if (rejection) {
        const err = kernelError(rejection);
        throw new RulesetError(err.code, err.message, rejection.rule?.origin ?? where);
      }
    } catch (e) {
      if (e instanceof LocatedParamError) {
        throw new RulesetError(e.inner.code, e.inner.message.trim(), pos(e.word?.column ?? cmdWord.column));
      }
      if (e instanceof ParamError) throw new RulesetError(e.code, e.message.trim(), pos(cmdWord.column));
      throw e;
    }
  }
  return { ruleset, warnings };
}
