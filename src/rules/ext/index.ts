/**
 * The extension registry: every match and target module, looked up by the name given to
 * -m / -j. One line per module; a conformance test fails if a module has no table in
 * test/conformance/ext/.
 */
import type { Extension, MatchExtension, TargetExtension } from './types.js';
import { tcp } from './tcp.js';
import { REJECT } from './REJECT.js';
import { LOG } from './LOG.js';
import { NFLOG } from './NFLOG.js';
import { MARK } from './MARK.js';
import { CONNMARK } from './CONNMARK.js';
import { TRACE } from './TRACE.js';
import { CLASSIFY } from './CLASSIFY.js';
import { TTL } from './TTL.js';
import { TOS } from './TOS.js';
import { DSCP } from './DSCP.js';
// @registry-imports (keep this marker: add one import line above it)

export const EXTENSIONS: readonly Extension[] = [
  tcp,
  REJECT,
  LOG,
  NFLOG,
  MARK,
  CONNMARK,
  TRACE,
  CLASSIFY,
  TTL,
  TOS,
  DSCP,
  // @registry-entries (keep this marker: add one entry above it)
];

const matches = new Map<string, MatchExtension<unknown>>();
const targets = new Map<string, TargetExtension<unknown>>();
for (const ext of EXTENSIONS) {
  if (ext.kind === 'match') matches.set(ext.name, ext);
  else targets.set(ext.name, ext);
}

export function findMatch(name: string): MatchExtension<unknown> | undefined {
  return matches.get(name);
}

export function findTarget(name: string): TargetExtension<unknown> | undefined {
  return targets.get(name);
}
