/**
 * Small pieces the replay side of several matches shares: the kernel's range tests and
 * their compiled forms. Compiled tests are built only through the code builder; a test
 * that is always true is left out (undefined) so the generated expression stays short.
 */
import { code, join, type Code } from '../../../compile/builder.js';

/** port_match / spi_match: (min <= value <= max) XOR invert. */
export function inRange(min: number, max: number, value: number, invert: boolean): boolean {
  return (value >= min && value <= max) !== invert;
}

/**
 * inRange as an expression over `value`, which always lies in [0, top]; undefined when
 * the test holds for every such value.
 */
export function rangeCode(value: Code, min: number, max: number, invert: boolean, top: number): Code | undefined {
  const all = min <= 0 && max >= top;
  const none = min > max || min > top || max < 0;
  if (all) return invert ? code`false` : undefined;
  if (none) return invert ? undefined : code`false`;
  if (min === max) return invert ? code`${value} !== ${min}` : code`${value} === ${min}`;
  if (min <= 0) return invert ? code`${value} > ${max}` : code`${value} <= ${max}`;
  if (max >= top) return invert ? code`${value} < ${min}` : code`${value} >= ${min}`;
  return invert ? code`(${value} < ${min} || ${value} > ${max})` : code`(${value} >= ${min} && ${value} <= ${max})`;
}

/** The conjunction of the tests given, `true` when there are none. */
export function allOf(tests: ReadonlyArray<Code | undefined>): Code {
  const parts = tests.filter((t): t is Code => t !== undefined);
  if (parts.length === 0) return code`true`;
  return code`(${join(parts, ' && ')})`;
}
