/**
 * V8's tiering thresholds for a replay. The compiled matcher of a large ruleset is hundreds
 * of generated functions, and V8 hands a function to its optimising compiler only once the
 * function has spent an "interrupt budget" of bytecode in the slower tiers, so with the
 * defaults a replay through a large ruleset runs its first packets mostly unoptimised.
 * Smaller thresholds make V8 optimise the hot functions sooner: `node bench/jit.mjs`, a
 * fresh `nfreplay replay` of the first 200,000 packets through 10,000 ClassBench-style
 * rules, 4.62 s with V8's thresholds and 1.89 s with these (1.64x faster at 1,000,000
 * packets; the light rulesets unchanged within a few per cent). The flags are the process's
 * (every worker thread shares them), so the command line sets them when it starts, and the
 * library leaves them to the program that embeds it (tuneJit() is exported).
 *
 * The flags' names and meaning belong to a V8 version: they are set only on the versions
 * they were measured on (V8 11, Node 20): on another, an unknown flag would print an error.
 */
import { setFlagsFromString } from 'node:v8';

const MEASURED_V8_MAJOR = 11;
const FLAGS = ['--interrupt-budget=4096', '--invocation-count-for-osr=20'];

/** Sets the tiering flags; false (nothing set) on a V8 version they were not measured on. */
export function tuneJit(v8Version: string = process.versions.v8): boolean {
  if (Number(v8Version.split('.')[0]) !== MEASURED_V8_MAJOR) return false;
  for (const flag of FLAGS) setFlagsFromString(flag);
  return true;
}
