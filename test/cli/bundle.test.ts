/**
 * `npm run build` ships the command and the replay threads' entry as one module each: the
 * ES module loader going through dist/'s files one at a time was most of the command's start
 * (README, Start-up). The library's modules stay separate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

/** The specifiers of a module's static imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
}

describe('the built command', () => {
  for (const file of ['cli/main.js', 'engine/parallel-thread.js']) {
    it(`dist/${file} imports no module of dist/, only packages and Node's own`, () => {
      const imports = importsOf(file);
      expect(imports.length).toBeGreaterThan(0);
      expect(imports.filter((s) => s.startsWith('.') || s.startsWith('/'))).toEqual([]);
    });
  }

  it('leaves the library as separate modules', () => {
    expect(importsOf('index.js').filter((s) => s.startsWith('./')).length).toBeGreaterThan(5);
  });
});
