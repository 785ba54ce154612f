/**
 * The unified diff against the real tools: GNU `diff -u` prints the same bytes when lines do
 * not repeat (one longest common subsequence then), the same number of changed lines when
 * they do (both minimal), and `patch` turns the first text into the second either way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/report/unified-diff.js';
import { which } from '../support/tools.mjs';

const dir = mkdtempSync(join(tmpdir(), 'nfr-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIFF = which('diff');
const PATCH = which('patch');

function gnuDiff(a: string, b: string): string {
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  const r = spawnSync(DIFF!, ['-u', '--label', 'before', '--label', 'after', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  return r.stdout;
}

function patched(a: string, diff: string): string {
  writeFileSync(join(dir, 'target'), a);
  writeFileSync(join(dir, 'd.patch'), diff);
  const r = spawnSync(PATCH!, ['-s', '-o', join(dir, 'out'), join(dir, 'target'), join(dir, 'd.patch')], { encoding: 'utf8' });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return readFileSync(join(dir, 'out'), 'utf8');
}

const text = (lines: readonly string[]): string => lines.map((l) => `${l}\n`).join('');
const changed = (d: string): number => d.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l)).length;

/** Lines edited at random: some dropped, some changed, some added, some moved. */
function edited(lines: readonly string[], ops: ReadonlyArray<readonly [number, number, number]>): string[] {
  const out = [...lines];
  for (const [kind, at, other] of ops) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 0 && out.length > 0) out.splice(i, 1);
    else if (kind === 1 && out.length > 0) out[i] = `${out[i]} changed`;
    else if (kind === 2) out.splice(i, 0, `added ${other}`);
    else if (out.length > 0) out.splice(other % out.length, 0, ...out.splice(i, 1));
  }
  return out;
}

const ops = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.nat()), { maxLength: 8 });

describe('unified diff', () => {
  it('is "" for equal texts and has the diff -u headers otherwise', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
    expect(unifiedDiff('a\n', 'b\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -1 +1 @@\n-a\n+b\n');
    expect(unifiedDiff('', 'b\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -0,0 +1 @@\n+b\n');
  });

  it('is byte for byte what diff -u prints when no line repeats, and patch applies it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), ops, (n, edits) => {
        const a = Array.from({ length: n }, (_, i) => `-A FORWARD rule ${i}`);
        const before = text(a);
        const after = text(edited(a, edits));
        const d = unifiedDiff(before, after, 'before', 'after');
        expect(d).toBe(gnuDiff(before, after));
        if (d !== '') expect(patched(before, d)).toBe(after);
      }),
      { numRuns: 150 },
    );
  });

  it('is minimal and applies when lines repeat', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('COMMIT', ':INPUT ACCEPT [0:0]', '-A X -j ACCEPT', 'a', 'b'), { maxLength: 40 }), ops, (a, edits) => {
        const before = text(a);
        const after = text(edited(a, edits));
        const d = unifiedDiff(before, after, 'before', 'after');
        expect(changed(d)).toBe(changed(gnuDiff(before, after)));
        if (d !== '') expect(patched(before, d)).toBe(after);
      }),
      { numRuns: 150 },
    );
  });
});
