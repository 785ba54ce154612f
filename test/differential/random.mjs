// What of a kernel recording, or of a replay's result, stays comparable when a case's rules
// draw at random (`-m statistic --mode random`): the case's random.json names the chains
// whose counters are the draw. Their rule counters are left out, and replaced by the draws'
// total and whether every DNAT of them got some; the reply source of conntrack entries and
// events (the endpoint drawn) and, in egress datagrams, the destination address and the checksums
// covering it are masked.
import fs from 'node:fs';
import path from 'node:path';

/** The case's random.json, or null. */
export function readRandom(caseDir) {
  const f = path.join(caseDir, 'random.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null;
}

/** `[p:b] -A CHAIN …` lines of the random chains get `[?:?]`; returns the lines and the draws. */
function maskCounters(lines, chains) {
  const drawn = [];
  const out = lines.map((l) => {
    const m = /^\[(\d+):\d+\] -A (\S+) /.exec(l);
    if (!m || !chains.includes(m[2])) return l;
    if (/ -j DNAT /.test(l)) drawn.push(Number(m[1]));
    return l.replace(/^\[\d+:\d+\]/, '[?:?]');
  });
  return { lines: out, draws: { total: drawn.reduce((a, b) => a + b, 0), everyEndpointDrawn: drawn.length > 0 && drawn.every((n) => n > 0) } };
}

/** The second `src=` of a conntrack line is the reply's source: the endpoint drawn. */
const maskReplySource = (line) => {
  let n = 0;
  return line.replace(/src=\S+/g, (s) => (++n === 2 ? 'src=?' : s));
};

/** An IPv4 datagram (hex) at byte `ip` with its destination and the checksums over it zeroed. */
function maskDatagram(hex, ip) {
  const b = Buffer.from(hex, 'hex');
  if (b.length < ip + 20 || b[ip] >> 4 !== 4) return hex;
  const ihl = (b[ip] & 15) * 4;
  b.fill(0, ip + 10, ip + 12);
  b.fill(0, ip + 16, ip + 20);
  const proto = b[ip + 9];
  const l4 = ip + ihl;
  if (proto === 17 && b.length >= l4 + 8) b.fill(0, l4 + 6, l4 + 8);
  if (proto === 6 && b.length >= l4 + 18) b.fill(0, l4 + 16, l4 + 18);
  return b.toString('hex');
}

/**
 * `rec` ({saveCounters, conntrackEntries, conntrackEvents?, egress}) as comparable under `random`; `ipOffset`
 * is where the IPv4 header starts in the egress entries (14 for the recorder's Ethernet
 * frames, 0 for datagrams). Without random.json, `rec` unchanged.
 */
export function derandomize(rec, random, ipOffset) {
  if (!random) return rec;
  const { lines, draws } = maskCounters(rec.saveCounters ?? [], random.chains);
  const egress = Object.fromEntries(Object.entries(rec.egress ?? {}).map(([k, v]) => [k, v.map((h) => maskDatagram(h, ipOffset)).sort()]));
  const masked = { ...rec, saveCounters: lines, randomDraws: draws, conntrackEntries: (rec.conntrackEntries ?? []).map(maskReplySource).sort(), egress };
  // Events stay in their order: which endpoint was drawn does not change when they happen.
  if (rec.conntrackEvents) masked.conntrackEvents = rec.conntrackEvents.map(maskReplySource);
  return masked;
}
