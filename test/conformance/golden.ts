/**
 * Readers for the goldens recorded from the real iptables binaries by generate.mjs, and
 * the nfreplay side of each comparison.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRules, listTable, loadRulesetText, RulesetError, saveRuleset, type Ruleset } from '../../src/rules/index.js';
import { setSystemDatabaseDir } from '../../src/rules/sysdb.js';

export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));

// The goldens were recorded with these files bind-mounted over /etc (generate.mjs).
setSystemDatabaseDir(join(CONFORMANCE_DIR, 'etc'));

export const LIST_FLAG_SETS = ['', '-n', '-v', '-n -v', '-n -v -x --line-numbers'] as const;

export interface ExtCase {
  line: number;
  table: string;
  chain: string;
  userChains: string[];
  rule: string;
  ok: boolean;
  stderr: string;
  save?: string[];
  S?: string;
  L?: Record<string, string>;
}

export interface ExtGolden {
  source: string;
  cases: ExtCase[];
}

export function readExtGoldens(): Array<{ name: string; golden: ExtGolden }> {
  const dir = join(CONFORMANCE_DIR, 'golden', 'ext');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), golden: JSON.parse(readFileSync(join(dir, f), 'utf8')) as ExtGolden }));
}

export function listFlags(flags: string): { numeric: boolean; verbose: boolean; exact: boolean; lineNumbers: boolean } {
  const words = flags.split(' ');
  return {
    numeric: words.includes('-n'),
    verbose: words.includes('-v'),
    exact: words.includes('-x'),
    lineNumbers: words.includes('--line-numbers'),
  };
}

/** The restore file generate.mjs feeds iptables for an extension case. */
export function extCaseFile(c: ExtCase): string {
  const chains = c.userChains.map((u) => `:${u} - [0:0]\n`).join('');
  return `*${c.table}\n${chains}-A ${c.chain} ${c.rule}\nCOMMIT\n`;
}

export type Outcome =
  | { ok: true; ruleset: Ruleset }
  | { ok: false; error: RulesetError };

export function loadCase(text: string, source: string, counters = false): Outcome {
  try {
    return { ok: true, ruleset: loadRulesetText(text, { source, counters }).ruleset };
  } catch (e) {
    if (e instanceof RulesetError) return { ok: false, error: e };
    throw e;
  }
}

export function saveLines(ruleset: Ruleset, table: string): string[] {
  return saveRuleset(ruleset, { table })
    .split('\n')
    .filter((l) => l.startsWith('-A '));
}

export function listChain(ruleset: Ruleset, table: string, chain: string, flags: string): string | undefined {
  const t = ruleset.tables.find((x) => x.name === table);
  return t ? listTable(t, { ...listFlags(flags), chain }) : undefined;
}

export function specChain(ruleset: Ruleset, table: string, chain: string): string | undefined {
  const t = ruleset.tables.find((x) => x.name === table);
  return t ? listRules(t, { chain }) : undefined;
}

/** iptables resolves names through DNS; nfreplay refuses them on purpose. */
export function isDeliberateHostnameDivergence(outcome: Outcome): boolean {
  return !outcome.ok && outcome.error.code === 'NFR_ERR_HOSTNAME';
}
