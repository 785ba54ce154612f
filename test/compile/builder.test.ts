/**
 * The code builder: interpolations are literals (never code), Code splices, and a scope
 * passes any number of parameters (past the number a call can spread, through one array).
 */
import { describe, expect, it } from 'vitest';
import { code, join, literal, Scope } from '../../src/compile/builder.js';

describe('code builder', () => {
  it('turns interpolated values into literals that evaluate back to them', () => {
    for (const v of ['a"b', "c'd", 'e\\f', '${x}', '*/', 'g\nh', 'i\u2028j\u2029', '', 0, -1, -0, 1.5, 4294967295, true, false, null, undefined]) {
      const text = code`return ${v};`.text;
      expect(new Function(text)(), text).toBe(v);
      if (typeof v === 'string') expect(text).not.toMatch(/[\n\u2028\u2029]/);
    }
    expect(code`x - ${-1}`.text).toBe('x - (-1)');
    expect(() => literal(Infinity)).toThrow(TypeError);
    expect(() => literal({} as unknown as string)).toThrow(TypeError);
  });

  it('splices Code and joins pieces', () => {
    const a = code`a`;
    expect(code`(${join([a, code`b`, literal('c')], ' && ')})`.text).toBe('(a && b && "c")');
  });

  it('passes thousands of parameters, the later ones through one array', () => {
    const scope = new Scope();
    const names = Array.from({ length: 10000 }, (_, i) => scope.param(i * 3));
    const body = code`return () => ${join(names.filter((_, i) => i % 997 === 0 || i === 9999), ' + ')};`;
    const sum = scope.build<() => number>(body)();
    const expected = names.map((_, i) => i * 3).filter((_, i) => i % 997 === 0 || i === 9999).reduce((a, b) => a + b, 0);
    expect(sum).toBe(expected);
    expect(names[9999]!.text).toMatch(/^\$x\[\d+\]$/);
    const source = scope.source(body);
    expect(source).toMatch(/^\(function \(d0, .*, \$x\) \{/);
    expect(() => new Function(source)).not.toThrow();
  });
});
