/**
 * Every extension-table case recorded from the real iptables binaries: nfreplay must
 * accept exactly what iptables-restore accepts and print the same save line, -S text and
 * -L listings with every flag set.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENSIONS } from '../../src/rules/index.js';
import {
  CONFORMANCE_DIR,
  extCaseFile,
  isDeliberateHostnameDivergence,
  LIST_FLAG_SETS,
  listChain,
  loadCase,
  readExtGoldens,
  saveLines,
  specChain,
} from './golden.js';

describe('extension registry', () => {
  it.each(EXTENSIONS.map((e) => [e.name]))('%s has a conformance table', (name) => {
    expect(existsSync(join(CONFORMANCE_DIR, 'ext', `${name}.t`))).toBe(true);
  });
});

for (const { name, golden } of readExtGoldens()) {
  describe(`ext ${name}`, () => {
    for (const c of golden.cases) {
      const title = `${name}.t:${c.line} ${c.ok ? 'accepts' : 'rejects'} ${c.rule}`;
      it(title, () => {
        const outcome = loadCase(extCaseFile(c), `${name}.t`);
        if (isDeliberateHostnameDivergence(outcome)) return;
        if (!c.ok) {
          expect(outcome.ok, `iptables rejected it: ${c.stderr.trim()}`).toBe(false);
          if (!outcome.ok) {
            expect(outcome.error.line).toBeGreaterThan(0);
            expect(outcome.error.column).toBeGreaterThan(0);
          }
          return;
        }
        if (!outcome.ok) throw new Error(`nfreplay rejected a rule iptables accepts: ${outcome.error.message}`);
        expect(saveLines(outcome.ruleset, c.table)).toEqual(c.save);
        expect(specChain(outcome.ruleset, c.table, c.chain)).toBe(c.S);
        for (const flags of LIST_FLAG_SETS) {
          expect(listChain(outcome.ruleset, c.table, c.chain, flags), `iptables -L ${flags}`).toBe(c.L?.[flags]);
        }
      });
    }
  });
}
