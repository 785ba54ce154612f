// Every benchmark, one after the other: ruleset parsing (parse.mjs), capture reading
// (capture.mjs), rule traversal (replay-rules.mjs), end-to-end replay (replay.mjs), connection
// tracking (replay-conntrack.mjs). Arguments go to each
// (each reads the options it knows, e.g. --runs=3).
//
//   npm run build && npm run bench [-- --runs=3]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR } from './lib.mjs';

for (const script of ['parse.mjs', 'capture.mjs', 'replay-rules.mjs', 'replay.mjs', 'replay-conntrack.mjs']) {
  const r = spawnSync(process.execPath, [join(BENCH_DIR, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
