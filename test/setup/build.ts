/**
 * Tests that run the command-line program as a process need dist/; build it once before
 * the run (`npm run build`: the compile, then the command bundled into one file, as it
 * ships) so they never test a stale build.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
