/**
 * The only way generated code is written. A tagged template (`code`) turns every
 * interpolated value into a safe JavaScript literal: numbers must be finite, strings go
 * through JSON.stringify, and only values of type Code (built by this module) are spliced
 * as code. Rule text (comments, log prefixes, chain names) therefore reaches generated
 * code only as an escaped literal. Identifiers come from a Scope; data (sets, maps,
 * functions bound to a rule) are passed in as closure parameters, never serialised.
 */

const CODE = Symbol('code');

export interface Code {
  readonly [CODE]: true;
  readonly text: string;
}

export type Interpolation = Code | number | string | boolean | bigint | null | undefined;

function isCode(v: unknown): v is Code {
  return typeof v === 'object' && v !== null && (v as Code)[CODE] === true;
}

function raw(text: string): Code {
  return { [CODE]: true, text };
}

/** A value as a JavaScript literal. */
export function literal(v: Exclude<Interpolation, Code>): Code {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${v}`);
      // Negative zero and negatives in parentheses so `a - ${x}` stays an expression.
      if (Object.is(v, -0)) return raw('(-0)');
      return raw(v < 0 ? `(${v})` : String(v));
    case 'string':
      // JSON.stringify escapes quotes, backslashes and control characters; U+2028/U+2029
      // are valid in JSON but end a line in older JavaScript, so escape them too.
      return raw(JSON.stringify(v).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
    case 'boolean':
      return raw(v ? 'true' : 'false');
    case 'bigint':
      return raw(`${v}n`);
    default:
      if (v === null) return raw('null');
      if (v === undefined) return raw('undefined');
      throw new TypeError(`cannot be a literal: ${typeof v}`);
  }
}

/** code`a === ${x}`: the template's own text is code, every interpolation a literal or Code. */
export function code(strings: TemplateStringsArray, ...values: Interpolation[]): Code {
  let text = strings[0]!;
  values.forEach((v, i) => {
    text += (isCode(v) ? v.text : literal(v).text) + strings[i + 1]!;
  });
  return raw(text);
}

/** Joins pieces with a separator (the separator is code written here, not data). */
export function join(parts: readonly Code[], separator: ', ' | ',\n' | ' && ' | ' || ' | '\n' | '; '): Code {
  return raw(parts.map((p) => p.text).join(separator));
}

/**
 * Parameters passed by name, at most. A factory cannot take many more: calling it spreads
 * every value as an argument, and V8 overflows its stack somewhere past 60,000. Beyond this
 * many, a parameter is an element of one array parameter (OVERFLOW), which generated code
 * reads as `$x[n]`: an expression like a name, for an element load instead of a context
 * slot load.
 */
const MAX_NAMED_PARAMS = 4096;
const OVERFLOW = '$x';

/** Identifiers for generated code: valid, unique, never derived from rule text. */
export class Scope {
  private next = 0;
  private readonly params: Array<{ name: Code; value: unknown }> = [];
  private readonly overflow: unknown[] = [];

  /** A fresh local name with a fixed prefix (letters only). */
  name(prefix: 'r' | 'c' | 'm' | 't' | 'v' | 'k' | 'f' = 'v'): Code {
    return raw(`${prefix}${this.next++}`);
  }

  /**
   * Passes `value` into the generated function as a parameter and returns an expression
   * that reads it (a name, or past MAX_NAMED_PARAMS an array element): use it as a value,
   * never as a binding.
   */
  param(value: unknown, prefix: 'd' | 'f' | 's' = 'd'): Code {
    if (this.params.length >= MAX_NAMED_PARAMS) {
      this.overflow.push(value);
      return raw(`${OVERFLOW}[${this.overflow.length - 1}]`);
    }
    const name = raw(`${prefix}${this.next++}`);
    this.params.push({ name, value });
    return name;
  }

  private paramNames(): string[] {
    const names = this.params.map((p) => p.name.text);
    if (this.overflow.length > 0) names.push(OVERFLOW);
    return names;
  }

  /**
   * Builds the closure: `body` becomes the body of a factory taking the parameters, which
   * returns whatever the body returns (usually a function).
   */
  build<T>(body: Code): T {
    const factory = new Function(...this.paramNames(), `'use strict';\n${body.text}`) as (...args: unknown[]) => T;
    const values = this.params.map((p) => p.value);
    if (this.overflow.length > 0) values.push(this.overflow);
    return factory(...values);
  }

  /** The source the factory would be built from, for --dump-compiled. */
  source(body: Code): string {
    return `(function (${this.paramNames().join(', ')}) {\n'use strict';\n${body.text}\n})`;
  }
}
