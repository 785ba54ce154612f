/**
 * A strict JSON reader (RFC 8259) that remembers where every value and key starts, so a
 * host file's validation errors can name a line and column, not only a path. JSON.parse
 * reports positions differently on every Node version and silently keeps the last of two
 * duplicate keys; a configuration file deserves both fixed.
 */
import { HostError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Position {
  line: number;
  column: number;
}

export interface JsonDocument {
  value: JsonValue;
  /** Where the value at each JSON path starts ('' is the document). */
  valueAt: Map<string, Position>;
  /** Where the key of each object member is (same paths as valueAt). */
  keyAt: Map<string, Position>;
}

const MAX_DEPTH = 32;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function memberPath(parent: string, key: string): string {
  if (IDENT.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

export function parseJson(text: string, source: string): JsonDocument {
  return new Reader(text, source).document();
}

class Reader {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly valueAt = new Map<string, Position>();
  private readonly keyAt = new Map<string, Position>();
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {
    // An editor's byte order mark is not content.
    if (text.charCodeAt(0) === 0xfeff) this.i = this.lineStart = 1;
  }

  document(): JsonDocument {
    this.space();
    if (this.i >= this.text.length) this.fail('empty document: expected a JSON object');
    const value = this.value('');
    this.space();
    if (this.i < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the document`);
    return { value, valueAt: this.valueAt, keyAt: this.keyAt };
  }

  private pos(): Position {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  private fail(message: string, at: Position = this.pos()): never {
    throw new HostError(message, this.source, at.line, at.column);
  }

  private describe(): string {
    if (this.i >= this.text.length) return 'end of file';
    const c = this.text[this.i]!;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return `character U+${code.toString(16).padStart(4, '0')}`;
    return `'${c}'`;
  }

  private space(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x0a) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) this.i++;
      else if (c === 0x2f && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) this.fail('comments are not allowed in JSON');
      else break;
    }
  }

  private value(path: string): JsonValue {
    const at = this.pos();
    this.valueAt.set(path, at);
    const c = this.text[this.i];
    switch (c) {
      case '{':
        return this.object(path);
      case '[':
        return this.array(path);
      case '"':
        return this.string();
      case 't':
        return this.word('true', true);
      case 'f':
        return this.word('false', false);
      case 'n':
        return this.word('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(`expected a value, found ${this.describe()}`);
    }
  }

  private word<T>(w: string, v: T): T {
    if (this.text.startsWith(w, this.i)) {
      this.i += w.length;
      if (!/[A-Za-z0-9_]/.test(this.text[this.i] ?? '')) return v;
    }
    return this.fail(`expected a value, found ${this.describe()}`);
  }

  private number(): number {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) this.fail(`malformed number`);
    const after = this.text[this.i + m[0].length];
    if (after !== undefined && /[0-9.eE+\-A-Za-z]/.test(after)) this.fail('malformed number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    const t = this.text;
    const start = this.pos();
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= t.length) this.fail('unterminated string', start);
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(c === 0x0a ? 'unterminated string (a newline inside a string)' : `control character U+${c.toString(16).padStart(4, '0')} inside a string`);
      if (c === 0x5c) {
        const e = t[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else this.fail('invalid escape in a string');
        continue;
      }
      out += t[this.i];
      this.i++;
    }
  }

  private nest(): void {
    // A host file is three levels deep; a deeper document is a mistake, not a host, and
    // must not exhaust the stack.
    if (++this.depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
  }

  private array(path: string): JsonValue[] {
    this.nest();
    this.i++;
    const out: JsonValue[] = [];
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] === ']') this.fail('trailing comma before ]');
      out.push(this.value(indexPath(path, out.length)));
      this.space();
      const c = this.text[this.i];
      if (c === ',') this.i++;
      else if (c === ']') {
        this.i++;
        this.depth--;
        return out;
      } else this.fail(`expected ',' or ']' after an array element, found ${this.describe()}`);
    }
  }

  private object(path: string): { [key: string]: JsonValue } {
    this.nest();
    this.i++;
    const out: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] === '}') this.fail('trailing comma before }');
      if (this.text[this.i] !== '"') this.fail(`expected a key in double quotes, found ${this.describe()}`);
      const keyPos = this.pos();
      const key = this.string();
      const p = memberPath(path, key);
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate key "${key}"`, keyPos);
      this.keyAt.set(p, keyPos);
      this.space();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after the key "${key}", found ${this.describe()}`);
      this.i++;
      this.space();
      out[key] = this.value(p);
      this.space();
      const c = this.text[this.i];
      if (c === ',') this.i++;
      else if (c === '}') {
        this.i++;
        this.depth--;
        return out;
      } else this.fail(`expected ',' or '}' after a member, found ${this.describe()}`);
    }
  }
}
