// Replay memory: the peak resident set of a replay with connection tracking does not grow
// with the capture, only with the connections alive at once. The generator (bench/gen/
// capture.mjs) writes captures of each --sizes to a pipe, never to disk, and a fresh
// process replays them from standard input with the seed-style rules and a
// `--ctstate RELATED,ESTABLISHED` rule first (bench/replay-conntrack.mjs' short connections),
// then prints its own VmHWM (peak RSS since exec), packets, peak conntrack entries and time.
//
//   npm run build && node bench/replay-rss.mjs [--sizes=1G,10G] [--seed=1]
//   (child: node bench/replay-rss.mjs --child [--rules=FILE --host=HOST.json --capture=FILE]:
//   the compiled replay of that capture with those rules and host instead, as
//   bench/suite.mjs measures each workload's)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSize } from './gen/capture.mjs';
import { BENCH_DIR, machine, printTable, ROOT } from './lib.mjs';
import { SEED_RULES_STATEFUL } from './replay-rules.mjs';
import { SERVER_HOST } from './workloads.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const SERVER = { ...SERVER_HOST, sysctls: { 'net.netfilter.nf_conntrack_checksum': 0 } };

/** The child: replays standard input (or --capture), prints what it measured as one JSON line. */
async function child() {
  const { replayCapture } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
  const { compileRuleset } = await import(join(ROOT, 'dist', 'compile', 'index.js'));
  const { loadRulesetText } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
  const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
  const ruleset = args.rules ? loadRulesetText(readFileSync(args.rules, 'utf8'), { source: args.rules }).ruleset : loadRulesetText(SEED_RULES_STATEFUL, { source: 'stateful' }).ruleset;
  const host = args.host ? hostFromJson(JSON.parse(readFileSync(args.host, 'utf8')), args.host) : hostFromJson(SERVER, 'host');
  const t0 = process.hrtime.bigint();
  const summary = await replayCapture({ capture: args.capture ?? '-', ruleset, host, classify: createClassifier(host), runner: (rt) => compileRuleset(ruleset, rt) });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // VmHWM starts afresh at exec (getrusage's ru_maxrss would include the parent's).
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  console.log(JSON.stringify({ packets: summary.packetsRead, seconds, peakEntries: summary.conntrack?.peak ?? 0, maxRssKb: Number(hwm?.[1] ?? 0) }));
}

/** Generator | child for a capture of `bytes`; resolves with the child's figures. */
function measure(bytes, seed) {
  return new Promise((resolve, reject) => {
    const gen = spawn(process.execPath, [join(BENCH_DIR, 'gen', 'capture.mjs'), `--bytes=${bytes}`, `--seed=${seed}`, '--out=-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const replay = spawn(process.execPath, [join(BENCH_DIR, 'replay-rss.mjs'), '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    gen.stdout.pipe(replay.stdin);
    let out = '';
    replay.stdout.on('data', (d) => (out += d));
    replay.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`replay child exited ${code}`))));
  });
}

if ('child' in args) {
  await child();
} else {
  const seed = Number(args.seed ?? 1);
  const rows = [];
  for (const size of (args.sizes ?? '1G,10G').split(',')) {
    const r = await measure(parseSize(size), seed);
    rows.push({
      capture: size,
      packets: r.packets.toLocaleString('en-US'),
      'peak conntrack entries': r.peakEntries.toLocaleString('en-US'),
      'peak RSS MB': (r.maxRssKb / 1024).toFixed(0),
      // Piped from the generator, the replay goes at the generator's pace: not a speed figure.
      'pkt/s (generator-bound)': Math.round(r.packets / r.seconds).toLocaleString('en-US'),
    });
  }
  printTable(`replay memory: peak RSS of a fresh process replaying a piped capture, conntrack on (${machine()})`, rows, Object.keys(rows[0]));
  const worst = Math.max(...rows.map((r) => Number(r['peak RSS MB'])));
  console.log(`\ngoal: a 10 GB capture under 500 MB peak RSS: ${worst} MB ${worst < 500 ? 'met' : 'NOT MET'}`);
}
