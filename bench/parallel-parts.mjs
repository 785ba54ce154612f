// What a part costs, apart from the parallel replay's reading and scheduling: the
// ClassBench-style workload of bench/workloads.mjs (its --packets capture, made once),
// replayed by replayCapture() over the whole file, and cut as the parallel replay cuts it
// (parts of --part bytes of whole records, held in memory) with one replayCapture() call per
// part, all in one thread, then by one worker thread, by two worker threads at once (each
// all the parts) and by two processes at once. Per packet: the median over the parts after
// the first four (the JIT's warm-up), ns; the whole file's is its whole time. Medians of --runs.
//
//   npm run build && node bench/parallel-parts.mjs [--runs=3] [--packets=2000000] [--part=8388608]
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { machine, median, printTable, ROOT } from './lib.mjs';
import { prepareWorkloads, replayWorkloads, workloadFiles } from './workloads.mjs';

const { replayCapture } = await import(join(ROOT, 'dist', 'engine', 'replay.js'));
const { loadRulesetFile } = await import(join(ROOT, 'dist', 'rules', 'index.js'));
const { createClassifier, hostFromJson } = await import(join(ROOT, 'dist', 'netfilter', 'index.js'));
const { ReplayContext } = await import(join(ROOT, 'dist', 'engine', 'context.js'));
const { rulesetRunners } = await import(join(ROOT, 'dist', 'engine', 'setup.js'));

const SELF = fileURLToPath(import.meta.url);

/** The capture's parts: its file header and whole records, up to `partBytes` of them each. */
function cut(file, partBytes) {
  const all = readFileSync(file);
  const parts = [];
  let p = 24;
  let first = 1;
  while (p < all.length) {
    let q = p;
    let records = 0;
    while (q + 16 <= all.length && q - p < partBytes) {
      const caplen = all.readUInt32LE(q + 8);
      if (q + 16 + caplen > all.length) break;
      q += 16 + caplen;
      records++;
    }
    const bytes = new Uint8Array(24 + q - p);
    bytes.set(all.subarray(0, 24), 0);
    bytes.set(all.subarray(p, q), 24);
    parts.push({ bytes, first, records });
    first += records;
    p = q;
  }
  return parts;
}

/** A replayer of the workload's ruleset on its host, built once (as a replay thread keeps it). */
function replayer({ rulesPath, hostPath }) {
  const { ruleset } = loadRulesetFile(rulesPath);
  const host = hostFromJson(JSON.parse(readFileSync(hostPath, 'utf8')), hostPath);
  const context = new ReplayContext({ host, seed: 1 });
  const runner = rulesetRunners(ruleset, { unmodelled: 'refuse' }).runner(context);
  const classify = createClassifier(host);
  return (capture, extra = {}) => replayCapture({ capture, ruleset, tracksConnections: false, host, classify, runner: () => runner, context, ...extra });
}

/** Steady ns per packet of one pass over the parts (after the first four parts). */
async function partsPass(job) {
  const replay = replayer(job);
  const parts = cut(job.file, job.partBytes);
  const perPacket = [];
  for (const [i, part] of parts.entries()) {
    const t0 = process.hrtime.bigint();
    await replay(part.bytes, { captureInPlace: true, firstPacket: part.first });
    if (i >= 4) perPacket.push(Number(process.hrtime.bigint() - t0) / part.records);
  }
  return median(perPacket);
}

async function wholePass(job) {
  const replay = replayer(job);
  const t0 = process.hrtime.bigint();
  const s = await replay(job.file);
  return Number(process.hrtime.bigint() - t0) / s.packetsRead;
}

function inWorkers(job, n) {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(SELF, { workerData: job });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
}

function inProcesses(job, n) {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) =>
          execFile(process.execPath, [SELF, `--child=${JSON.stringify(job)}`], (e, out) => (e ? reject(e) : resolve(Number(out)))),
        ),
    ),
  );
}

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s)));
if (!isMainThread) {
  parentPort.postMessage(await partsPass(workerData));
} else if (args.child !== undefined) {
  process.stdout.write(String(await partsPass(JSON.parse(args.child))));
} else {
  const runs = Number(args.runs ?? 3);
  const packets = Number(args.packets ?? 2_000_000);
  const partBytes = Number(args.part ?? 8 << 20);
  const [w] = replayWorkloads({ seed: 1, containers: 100, services: [], classbench: 10_000 }).filter((x) => x.name.startsWith('ClassBench'));
  await prepareWorkloads([w], { packets, interpPackets: 1000, interpPacketsLarge: 1000 });
  const job = { ...workloadFiles(w), file: w.file, partBytes };
  const measures = [
    ['whole file, this thread', async () => [await wholePass(job)]],
    ['parts, this thread', async () => [await partsPass(job)]],
    ['parts, 1 worker thread', () => inWorkers(job, 1)],
    ['parts, 2 worker threads at once', () => inWorkers(job, 2)],
    ['parts, 2 processes at once', () => inProcesses(job, 2)],
  ];
  const times = measures.map(() => []);
  for (let r = 0; r < runs; r++) for (const [i, [, fn]] of measures.entries()) times[i].push(...(await fn()));
  const whole = median(times[0]);
  const rows = measures.map(([how], i) => ({ how, 'ns per packet': median(times[i]).toFixed(0), 'vs whole file': `${(median(times[i]) / whole).toFixed(2)}x` }));
  printTable(`${w.name}, ${packets.toLocaleString('en-US')} packets, parts of ${(partBytes / 2 ** 20).toFixed(0)} MiB, median of ${runs} runs (${machine()})`, rows, Object.keys(rows[0]));
}
