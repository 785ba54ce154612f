// Child of bench/capture.mjs: reads one capture with nfreplay's reader and decoder in a
// fresh process and prints its peak resident set size, so the figure is this reading's
// alone. Mode "baseline" only loads the modules.
//
//   node bench/capture-rss.mjs CAPTURE decode|baseline
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const [file, mode] = process.argv.slice(2);
const { openCapture } = await import(join(ROOT, 'dist', 'capture', 'reader.js'));
const { decode, DecodeEvents, PacketView } = await import(join(ROOT, 'dist', 'decode', 'index.js'));

const out = { fileBytes: 0, packets: 0, seconds: 0 };
if (mode === 'decode') {
  const t0 = process.hrtime.bigint();
  const reader = await openCapture(file);
  const view = new PacketView();
  const events = new DecodeEvents();
  const summary = await reader.forEach((rec) => {
    decode(rec, view, events);
  });
  out.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  out.fileBytes = statSync(file).size;
  out.packets = summary.packets;
} else if (mode !== 'baseline') {
  throw new Error(`capture-rss.mjs: unknown mode ${mode}`);
}
// The peak resident set of this process's memory: VmHWM, which starts afresh at exec. Not
// getrusage's ru_maxrss, which a child inherits from its parent at fork.
const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
if (!hwm) throw new Error('capture-rss.mjs: no VmHWM in /proc/self/status');
console.log(JSON.stringify({ ...out, maxRssKb: Number(hwm[1]), heapUsed: process.memoryUsage().heapUsed }));
