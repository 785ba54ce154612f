/**
 * Rule text never becomes code. Chain names, comments, LOG prefixes, interface names and
 * strings an extension inlines, full of quotes, backslashes, `${…}`, `*\/`, newlines and
 * U+2028: the generated source still parses, behaves as the interpreter does, and outside
 * string literals and comments holds none of that text (checked by scanning the source).
 */
import { describe, expect, it } from 'vitest';
import { compileRuleset, interpretRuleset } from '../../src/compile/index.js';
import { comment } from '../../src/rules/ext/comment.js';
import type { MatchExtension } from '../../src/rules/ext/types.js';
import type { Rule } from '../../src/rules/model.js';
import { buildRuleset, fakeIfname, fakeLog, m, readCounters, rule, T, TestPacket, TestRuntime } from './helpers.js';

const MARK = 'EVILMARK';
const HOSTILE = [
  `a"b${MARK}`,
  `c'd${MARK}`,
  `back\\slash${MARK}\\`,
  `\${process.exit(1)}${MARK}`,
  `*/ throw 1; /*${MARK}`,
  `line\nbreak${MARK}`,
  `para\u2028graph${MARK}\u2029`,
  `\`tick${MARK}\``,
  `</script>${MARK}`,
  `--> ${MARK} <!--`,
];

/**
 * The source with string literals and comments removed: what is left is code. Handles
 * what the generator writes (no regular expressions, no template literals, which are
 * refused).
 */
function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const lineEnd = (c: string): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (source[i] !== c) {
        if (i >= source.length || lineEnd(source[i]!)) throw new Error(`unterminated string at ${i}`);
        i += source[i] === '\\' ? 2 : 1;
      }
      i++;
      out += '""';
    } else if (c === '`') {
      throw new Error(`template literal at ${i}`);
    } else if (source.startsWith('//', i)) {
      while (i < source.length && !lineEnd(source[i]!)) i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

describe('hostile rule text', () => {
  const chains: Record<string, Rule[]> = { INPUT: [], FORWARD: [] };
  HOSTILE.forEach((text, i) => {
    chains.INPUT!.push(rule({ iniface: text }, [m(comment as MatchExtension<unknown>, { text })], T.jump(text)));
    chains.INPUT!.push(rule({ iniface: `${text}+` }, [], T.ext(fakeLog, { prefix: text })));
    chains[text] = [
      rule({}, [m(fakeIfname, { name: text })], T.ext(fakeLog, { prefix: text })),
      rule({ outiface: text, invOut: true }, [m(comment as MatchExtension<unknown>, { text })], i % 2 ? T.ret : T.accept),
    ];
  });
  // Enough chains alike for a shared template, and an indexed run of -i rules.
  for (let i = 0; i < 10; i++) chains[`${HOSTILE[i % HOSTILE.length]}#${i}`] = [rule({}, [m(fakeIfname, { name: HOSTILE[i]! })], T.drop)];
  chains.FORWARD = HOSTILE.map((text) => rule({ iniface: text }, [], T.jump(`${text}#${HOSTILE.indexOf(text)}`)));
  const rs = buildRuleset('filter', chains);

  it('never reaches the code outside string literals and comments', () => {
    for (const templates of ['auto', 'always', 'never'] as const) {
      const source = compileRuleset(rs, new TestRuntime(), { templates }).source();
      // Specialised code does carry the text, as escaped literals (templates read it from data).
      if (templates !== 'always') expect(source).toContain(JSON.stringify(HOSTILE[0]));
      const code = codeOnly(source);
      expect(code).not.toContain(MARK);
      // Text a JSON string literal must escape never appears as it is.
      for (const text of HOSTILE) {
        if (/["\\\n\u2028\u2029]/.test(text)) expect(source).not.toContain(text);
      }
      // It parses: each table is one parenthesised factory expression.
      expect(() => new Function(source)).not.toThrow();
    }
  });

  it('behaves as the interpreter does on packets with those interface names', () => {
    const outcomes = [
      (rt: TestRuntime) => interpretRuleset(rs, rt),
      (rt: TestRuntime) => compileRuleset(rs, rt),
      (rt: TestRuntime) => compileRuleset(rs, rt, { templates: 'always' }),
      (rt: TestRuntime) => compileRuleset(rs, rt, { templates: 'never' }),
    ].map((make) => {
      const rt = new TestRuntime();
      const runner = make(rt);
      const tp = new TestPacket();
      const verdicts: number[] = [];
      for (const inIface of [...HOSTILE, 'eth0', `${HOSTILE[3]}x`]) {
        for (const hook of ['INPUT', 'FORWARD'] as const) {
          verdicts.push(runner.traverse('filter', tp.set({ hook, inIface, outIface: hook === 'FORWARD' ? HOSTILE[5] : '' })));
        }
      }
      return { verdicts, logs: rt.logs, counters: readCounters(runner, rs) };
    });
    for (const o of outcomes.slice(1)) expect(o).toEqual(outcomes[0]);
    expect(outcomes[0]!.logs.length).toBeGreaterThan(HOSTILE.length);
  });
});
