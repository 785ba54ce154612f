/**
 * Whole rulesets (restore files and scripts of iptables commands) recorded from the real
 * binaries: same verdict, the error on the same line, and byte-identical iptables-save
 * (with and without counters), -S, -S -v and every -L listing of every table.
 */
import { describe, expect, it } from 'vitest';
import { listRules, listTable, saveRuleset } from '../../src/rules/index.js';
import { iptablesErrorLine, isDeliberateHostnameDivergence, listFlags, loadCase, readFileGoldens } from './golden.js';

function lines(text: string): string[] {
  return text.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

describe('conformance files', () => {
  for (const { name, input, golden } of readFileGoldens()) {
    it(`${golden.source} ${golden.ok ? 'loads' : 'is rejected'}`, () => {
      const plain = loadCase(input, golden.source, false);
      if (isDeliberateHostnameDivergence(plain)) return;
      if (!golden.ok) {
        expect(plain.ok, `iptables rejected it: ${golden.stderr ?? golden.commands?.at(-1)?.stderr}`).toBe(false);
        if (plain.ok) return;
        expect(plain.error.column).toBeGreaterThan(0);
        if (golden.kind === 'sh') {
          expect(plain.error.line).toBe(golden.failedLine);
        } else {
          const blamed = iptablesErrorLine(golden.stderr ?? '');
          if (blamed?.exact) expect(plain.error.line).toBe(blamed.line);
          else if (blamed) expect(plain.error.line).toBeLessThanOrEqual(blamed.line);
        }
        return;
      }
      if (!plain.ok) throw new Error(`nfreplay rejected what iptables accepts (${name}): ${plain.error.message}`);
      expect(lines(saveRuleset(plain.ruleset))).toEqual(golden.save);

      const counted = loadCase(input, golden.source, true);
      if (golden.restoreCounters && !golden.restoreCounters.ok) {
        expect(counted.ok, `iptables-restore -c rejected it: ${golden.restoreCounters.stderr}`).toBe(false);
        const blamed = iptablesErrorLine(golden.restoreCounters.stderr);
        if (!counted.ok && blamed?.exact) expect(counted.error.line).toBe(blamed.line);
        return;
      }
      if (!counted.ok) throw new Error(`nfreplay rejected it with counters: ${counted.error.message}`);
      expect(lines(saveRuleset(counted.ruleset, { counters: true }))).toEqual(golden.saveCounters);
      for (const [tableName, dump] of Object.entries(golden.tables)) {
        const table = counted.ruleset.tables.find((t) => t.name === tableName);
        expect(table, `table ${tableName}`).toBeDefined();
        expect(listRules(table!), `iptables -t ${tableName} -S`).toBe(dump.S);
        expect(listRules(table!, { verbose: true }), `iptables -t ${tableName} -S -v`).toBe(dump.Sv);
        for (const [flags, expected] of Object.entries(dump.L)) {
          expect(listTable(table!, listFlags(flags)), `iptables -t ${tableName} -L ${flags}`).toBe(expected);
        }
      }
    });
  }
});
