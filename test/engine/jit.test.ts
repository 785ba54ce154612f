/** The command's V8 tiering flags: set only on the V8 version they were measured on. */
import { describe, expect, it } from 'vitest';
import { tuneJit } from '../../src/engine/jit.js';

describe('tuneJit', () => {
  it('leaves V8 alone on versions whose flags were not measured', () => {
    expect(tuneJit('12.4.254.21-node.33')).toBe(false);
    expect(tuneJit('10.2.154.26-node.26')).toBe(false);
  });

  it('sets the flags on V8 11 (Node 20), without an error', () => {
    expect(tuneJit(process.versions.v8)).toBe(process.versions.v8.startsWith('11.'));
  });
});
