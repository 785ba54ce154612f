/**
 * Readers for the goldens recorded from the real iptables binaries by generate.mjs, and
 * the nfreplay side of each comparison.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRules, listTable, loadRulesetText, RulesetError, saveRuleset, type Ruleset } from '../../src/rules/index.js';
import { configureSystemDatabases } from '../../src/rules/sysdb.js';

export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));

// The goldens were recorded with etc/hosts bind-mounted over /etc/hosts (generate.mjs);
// services, protocols, passwd and group were the machine's own (Debian netbase/base-files).
configureSystemDatabases({ hosts: join(CONFORMANCE_DIR, 'etc', 'hosts') });

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

export interface TableDump {
  S: string;
  Sv: string;
  L: Record<string, string>;
}

export interface FileGolden {
  source: string;
  kind: 'v4' | 'sh';
  ok: boolean;
  stderr?: string;
  /** .sh: the line of the first command that failed. */
  failedLine?: number | null;
  commands?: Array<{ line: number; cmd: string; rc: number; stderr: string }>;
  save: string[];
  /** .v4: iptables-restore -c can refuse what plain iptables-restore accepts. */
  restoreCounters?: { ok: boolean; stderr: string };
  saveCounters: string[];
  tables: Record<string, TableDump>;
}

export function readFileGoldens(): Array<{ name: string; input: string; golden: FileGolden }> {
  const dir = join(CONFORMANCE_DIR, 'golden', 'files');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const golden = JSON.parse(readFileSync(join(dir, f), 'utf8')) as FileGolden;
      const input = readFileSync(join(CONFORMANCE_DIR, golden.source), 'utf8');
      return { name: f.replace(/\.json$/, ''), input, golden };
    });
}

/** The line iptables blamed: "Error occurred at line: N" (exact) or "line N failed" (COMMIT). */
export function iptablesErrorLine(stderr: string): { line: number; exact: boolean } | undefined {
  const exact = /Error occurred at line: (\d+)/.exec(stderr);
  if (exact) return { line: Number(exact[1]), exact: true };
  const commit = /line (\d+) failed/.exec(stderr);
  if (commit) return { line: Number(commit[1]), exact: false };
  const expected = /COMMIT expected at line (\d+)/.exec(stderr);
  if (expected) return { line: Number(expected[1]), exact: true };
  return undefined;
}
