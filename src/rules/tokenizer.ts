/**
 * Splitting lines into argument words, with the column each word starts at.
 *
 * Two dialects:
 *  - iptables-restore (add_param_to_argv): only double quotes group, a backslash escapes
 *    only inside double quotes, single quotes are ordinary characters, and a closing quote
 *    ends the word even when a letter follows ("a"b is two words).
 *  - shell command lines for scripts of `iptables ...` commands: POSIX-style single and
 *    double quotes, backslash escapes, words glued across quotes, `#` comments. Anything
 *    that would need a real shell (variables, substitutions, pipes) is refused by the
 *    script loader, never evaluated.
 */

export interface Word {
  text: string;
  /** 1-based column of the first character of the word in its line. */
  column: number;
  /** True when any part of the word was quoted. */
  quoted: boolean;
  /** Shell list operators (`||`, `&&`, `;`) in script lines. */
  operator?: boolean;
}

export class TokenizeError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

/** iptables' parameter buffer is 1024 bytes ("Parameter too long!"). */
const MAX_PARAM = 1023;

const PLAIN_WORD = /[^ \t\n]+/g;

/**
 * Words of `line` from index `from` on (columns count from the start of the line). The
 * line is given without its newline; iptables reads it with the newline, which only
 * matters inside an unterminated quote, where it becomes part of the last word.
 */
export function splitRestoreLine(line: string, from = 0): Word[] {
  // Most lines have no quotes: plain blank-separated words, found without the state machine.
  if (line.indexOf('"', from) < 0) {
    const plain: Word[] = [];
    PLAIN_WORD.lastIndex = from;
    for (let m = PLAIN_WORD.exec(line); m !== null; m = PLAIN_WORD.exec(line)) {
      if (m[0].length > MAX_PARAM) throw new TokenizeError('Parameter too long!', 1 + m.index);
      plain.push({ text: m[0], column: 1 + m.index, quoted: false });
    }
    return plain;
  }
  const startColumn = 1;
  const words: Word[] = [];
  let buf = '';
  let wordStart = -1;
  let quoted = false;
  const flush = (): void => {
    if (buf.length > MAX_PARAM) throw new TokenizeError('Parameter too long!', startColumn + wordStart);
    words.push({ text: buf, column: startColumn + wordStart, quoted });
    buf = '';
    wordStart = -1;
    quoted = false;
  };
  let i = from;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 34 /* " */) {
      // Inside quotes a backslash escapes the next character; the closing quote ends the
      // word even when a letter follows.
      if (wordStart < 0) wordStart = i;
      quoted = true;
      i++;
      let closed = false;
      while (i < n) {
        const q = line.charCodeAt(i);
        if (q === 92 /* \ */) {
          if (i + 1 < n) buf += line[i + 1];
          i += 2;
          continue;
        }
        if (q === 34) {
          closed = true;
          i++;
          break;
        }
        let j = i + 1;
        while (j < n && line.charCodeAt(j) !== 34 && line.charCodeAt(j) !== 92) j++;
        buf += line.slice(i, j);
        i = j;
      }
      if (closed) flush();
      else buf += '\n';
      continue;
    }
    if (c === 32 || c === 9 || c === 10) {
      if (buf.length > 0) flush();
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n) {
      const d = line.charCodeAt(j);
      if (d === 32 || d === 9 || d === 10 || d === 34) break;
      j++;
    }
    if (wordStart < 0) wordStart = i;
    buf += line.slice(i, j);
    i = j;
  }
  // An unterminated quote keeps what it collected, like iptables.
  if (buf.length > 0) {
    if (buf.length > MAX_PARAM) throw new TokenizeError('Parameter too long!', startColumn + wordStart);
    words.push({ text: buf, column: startColumn + wordStart, quoted: false });
  }
  return words;
}

/**
 * Shell-like split for script lines: an empty array for a blank or comment-only line;
 * `||`, `&&` and `;` come back as operator words (the script loader runs command lists
 * such as kube-proxy's `iptables -C ... || iptables -A ...`). Throws TokenizeError for
 * constructs that need a shell to evaluate.
 */
export function splitShellLine(line: string): Word[] {
  const words: Word[] = [];
  let buf = '';
  let inWord = false;
  let wordStart = 0;
  let quoted = false;
  let i = 0;
  const start = (): void => {
    if (!inWord) {
      inWord = true;
      wordStart = i;
    }
  };
  const end = (): void => {
    if (inWord) words.push({ text: buf, column: wordStart + 1, quoted });
    buf = '';
    inWord = false;
    quoted = false;
  };
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      end();
      i++;
      continue;
    }
    if (ch === '#' && !inWord) break;
    if (ch === "'") {
      start();
      quoted = true;
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new TokenizeError('unterminated single quote', i + 1);
      buf += line.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      start();
      quoted = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new TokenizeError('unterminated double quote', wordStart + 1);
        const c = line[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1]!)) {
          buf += line[i + 1];
          i += 2;
          continue;
        }
        if (c === '$' || c === '`') throw new TokenizeError(`shell expansion (${c}) is not supported`, i + 1);
        buf += c;
        i++;
      }
      continue;
    }
    if (ch === '\\') {
      start();
      if (i + 1 < line.length) buf += line[i + 1];
      i += 2;
      continue;
    }
    const pair = line.slice(i, i + 2);
    if (pair === '||' || pair === '&&' || ch === ';') {
      end();
      words.push({ text: ch === ';' ? ';' : pair, column: i + 1, quoted: false, operator: true });
      i += ch === ';' ? 1 : 2;
      continue;
    }
    if ('$`|&<>(){}'.includes(ch)) {
      throw new TokenizeError(`shell syntax '${ch}' is not supported in a rules script`, i + 1);
    }
    start();
    buf += ch;
    i++;
  }
  end();
  return words;
}
