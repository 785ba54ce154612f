/**
 * The goldens must not drift from the real binaries: where this runs as root with
 * iptables installed (always in CI), a sample of the corpus is recorded again from
 * iptables-legacy-restore/-save in a fresh network namespace and compared with the
 * committed goldens. The sample rotates daily (seed printed) so, over runs, every case
 * gets re-checked. Elsewhere the test is skipped with the reason; in CI a missing
 * prerequisite is a failure, never a skip.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM module without type declarations
import { check, preflight } from './generate.mjs';

const problem: string | undefined = preflight() ?? undefined;
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const seed = Number(process.env.NFR_LIVE_SEED ?? Math.floor(Date.now() / 86_400_000));
const sample = Number(process.env.NFR_LIVE_SAMPLE ?? 150);

describe('goldens against the live iptables binaries', () => {
  if (problem && !inCi) {
    it.skip(`skipped: ${problem}`, () => {});
    return;
  }

  it(`a sample of ${sample} corpus cases (seed ${seed}) records exactly as committed`, async () => {
    expect(problem, 'CI must run the live comparison (root and iptables are required)').toBeUndefined();
    const diffs: string[] = await check({ sample, seed });
    expect(diffs, `seed ${seed}: rerun with NFR_LIVE_SEED=${seed}`).toEqual([]);
  }, 600_000);
});
