/**
 * u32 match (libxt_u32 / kernel xt_u32): tests on 32-bit words read at computed packet
 * offsets. Parsed and printed exactly, not evaluated by the replay.
 */
import { ParamError } from '../errors.js';
import { hex, isCSpace, strtoulPrefix } from '../values.js';
import { defineMatch } from './types.js';

/** How a location step combines the running value with its operand (XT_U32_AND...). */
export type U32Op = 'and' | 'shl' | 'shr' | 'at';

export interface U32Location {
  /** The first number, then each operator applied with its operand, left to right. */
  start: number;
  steps: Array<{ op: U32Op; operand: number }>;
}

export interface U32Test {
  location: U32Location;
  /** Inclusive ranges; the test holds when the value is in any of them (min > max never holds). */
  values: Array<{ min: number; max: number }>;
}

export interface U32State {
  invert: boolean;
  /** All must hold. */
  tests: U32Test[];
}

/** XT_U32_MAXSIZE: the most tests, location numbers and value ranges the kernel struct holds. */
const MAX = 10;

const OP_TEXT: Readonly<Record<U32Op, string>> = { and: '&', shl: '<<', shr: '>>', at: '@' };

const fail = (message: string): never => {
  throw new ParamError(`u32: ${message}`);
};

/**
 * u32_parse: a hand-written two-state scanner (location, then values). Positions in the
 * messages are iptables' own, counted from the start of the argument.
 */
export function parseU32(text: string): U32Test[] {
  const tests: U32Test[] = [];
  let numbers: number[] = [];
  let ops: U32Op[] = [];
  let values: Array<{ min: number; max: number }> = [];
  let readingValues = false;
  let i = 0;

  // xtables_strtoui with an end pointer: base 0, leading blanks, 32 bits.
  const number = (): number => {
    const at = i;
    const r = strtoulPrefix(text.slice(i));
    if (r === undefined || r.value > 0xffffffff) fail(`at char ${at}: not a number or out of range`);
    i += r!.end;
    return r!.value;
  };
  const finishTest = (): void => {
    const [start, ...operands] = numbers;
    tests.push({ location: { start: start!, steps: operands.map((operand, k) => ({ op: ops[k]!, operand })) }, values });
  };

  for (;;) {
    while (isCSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) {
      if (!readingValues) fail('abrupt end of input after location specifier');
      if (values.length === 0) fail('test ended with no value specified');
      finishTest();
      if (tests.length > MAX) fail(`at char ${i}: too many "&&"s`);
      return tests;
    }
    if (!readingValues) {
      if (text[i] === '=') {
        if (numbers.length === 0) fail(`at char ${i}: location spec missing`);
        i++;
        readingValues = true;
        continue;
      }
      if (numbers.length > 0) {
        const c = text[i];
        if (c === '&') ops.push('and');
        else if (c === '@') ops.push('at');
        else if (c === '<' || c === '>') {
          if (text[++i] !== c) fail(`at char ${i}: a second '${c}' was expected`);
          ops.push(c === '<' ? 'shl' : 'shr');
        } else fail(`at char ${i}: operator expected`);
        i++;
      }
      numbers.push(number());
      if (numbers.length > MAX) fail(`at char ${i}: too many operators`);
      continue;
    }
    if (text[i] === '&') {
      if (text[++i] !== '&') fail(`at char ${i}: a second '&' was expected`);
      if (values.length === 0) fail(`at char ${i}: value spec missing`);
      finishTest();
      if (tests.length > MAX) fail(`at char ${i}: too many "&&"s`);
      i++;
      readingValues = false;
      numbers = [];
      ops = [];
      values = [];
      continue;
    }
    if (values.length > 0) {
      if (text[i] !== ',') fail(`at char ${i}: expected "," or "&&"`);
      i++;
    }
    const min = number();
    while (isCSpace(text.charCodeAt(i))) i++;
    let max = min;
    if (text[i] === ':') {
      i++;
      max = number();
    }
    values.push({ min, max });
    if (values.length > MAX) fail(`at char ${i}: too many ","s`);
  }
}

/** u32_dump: every number in lowercase hex, no blanks, in quotes. */
function u32Text(tests: readonly U32Test[]): string {
  const body = tests
    .map((t) => {
      const loc = hex(t.location.start) + t.location.steps.map((s) => OP_TEXT[s.op] + hex(s.operand)).join('');
      const vals = t.values.map((v) => (v.min === v.max ? hex(v.min) : `${hex(v.min)}:${hex(v.max)}`)).join(',');
      return `${loc}=${vals}`;
    })
    .join('&&');
  return ` "${body}"`;
}

export const u32 = defineMatch<U32State>({
  name: 'u32',
  modelled: false,
  needs: 'evaluator',
  options: [{ name: 'u32', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ invert: false, tests: [] }),
  parse(s, call) {
    s.invert = call.invert;
    s.tests = parseU32(call.arg ?? '');
  },
  save: (s) => (s.invert ? ' !' : '') + ' --u32' + u32Text(s.tests),
  print: (s) => ' u32' + (s.invert ? ' !' : '') + u32Text(s.tests),
});
