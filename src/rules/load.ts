/**
 * Entry point for loading a ruleset from text, a file or standard input, whichever of
 * the two accepted forms it is in (iptables-save/restore, or a script of iptables
 * commands). Detection looks at the first command line only.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, RulesetError } from './errors.js';
import { loadRestore, type LoadOptions, type LoadResult } from './restore.js';
import { loadScript, looksLikeScript } from './script.js';

export type RulesetFormat = 'restore' | 'script';

export interface LoadTextOptions extends LoadOptions {
  /** Force a format instead of detecting it. */
  format?: RulesetFormat;
}

export function detectFormat(text: string): RulesetFormat {
  return looksLikeScript(text) ? 'script' : 'restore';
}

export function loadRulesetText(text: string, opts: LoadTextOptions = {}): LoadResult & { format: RulesetFormat } {
  const format = opts.format ?? detectFormat(text);
  const result = format === 'script' ? loadScript(text, opts) : loadRestore(text, opts);
  return { ...result, format };
}

/** Reads a path, or standard input for "-", as bytes → latin1-safe text. */
export function readRulesetSource(path: string): { text: string; source: string } {
  const source = path === '-' ? '<stdin>' : path;
  try {
    const buf = readFileSync(path === '-' ? 0 : path);
    return { text: buf.toString('utf8'), source };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new RulesetError(ErrorCodes.IO, `cannot read ruleset: ${reason}`, { source, line: 0, column: 0 });
  }
}

export function loadRulesetFile(path: string, opts: LoadTextOptions = {}): LoadResult & { format: RulesetFormat } {
  const { text, source } = readRulesetSource(path);
  return loadRulesetText(text, { ...opts, source: opts.source ?? source });
}
