/**
 * The acceptance core: every differential case replayed offline must give exactly the
 * counters the real kernel gave (expected.json, recorded by kernel.mjs), with the compiled
 * matcher and with the reference interpreter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRuleset, interpretRuleset, UnmodelledError } from '../../src/compile/index.js';
import { replayCapture, replayedTables } from '../../src/engine/replay.js';
import { createClassifier, loadHostFile } from '../../src/netfilter/index.js';
import { loadRulesetFile, saveRuleset } from '../../src/rules/index.js';

const CASES = join(__dirname, 'cases');

async function replayCase(dir: string, runner: 'compiled' | 'interpreter'): Promise<string[]> {
  const { ruleset } = loadRulesetFile(join(dir, 'rules.v4'));
  const host = loadHostFile(join(dir, 'host.json'));
  await replayCapture({
    capture: join(dir, 'capture.pcap'),
    ruleset,
    host,
    classify: createClassifier(host),
    runner: (rt) =>
      runner === 'compiled'
        ? compileRuleset(ruleset, rt, { tables: replayedTables(ruleset) })
        : interpretRuleset(ruleset, rt, { tables: replayedTables(ruleset) }),
  });
  return saveRuleset(ruleset, { counters: true }).split('\n').filter((l) => l !== '');
}

/** Per table, so the comparison does not depend on the order tables were instantiated. */
function byTable(lines: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let table = '';
  for (const l of lines) {
    if (l.startsWith('#')) continue;
    if (l.startsWith('*')) table = l.slice(1);
    (out[table] ??= []).push(l);
  }
  return out;
}

const cases = readdirSync(CASES).sort();

describe('offline replay equals the kernel', () => {
  for (const name of cases) {
    const dir = join(CASES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { saveCounters: string[]; conntrackInUse?: boolean };
    for (const runner of ['compiled', 'interpreter'] as const) {
      if (expected.conntrackInUse) {
        // Until conntrack is modelled the replay must refuse such a ruleset, naming the rules,
        // rather than produce counters that would silently differ from the kernel's.
        it(`${name} (${runner}) is refused: it needs conntrack`, async () => {
          await expect(replayCase(dir, runner)).rejects.toThrow(UnmodelledError);
          await expect(replayCase(dir, runner)).rejects.toThrow(/conntrack/);
        });
        continue;
      }
      it(`${name} (${runner})`, async () => {
        expect(byTable(await replayCase(dir, runner))).toEqual(byTable(expected.saveCounters));
      });
    }
  }
});
