/**
 * `nfreplay calibrate`: what one rule and one packet cost the kernel of this machine, for
 * `nfreplay capacity`'s CPU estimates. Measured, not assumed:
 *
 * - two network namespaces joined by a veth pair (192.0.2.1 and 192.0.2.2), made for the run
 *   and deleted after it, on error and on SIGINT too; nothing touches the host's interfaces;
 * - in the receiving namespace, filter INPUT holds N rules the datagrams do not match (each
 *   a different destination address, as kube-proxy's service rules differ), then one that
 *   drops them: every datagram has N + 1 rules evaluated, and its path ends at the verdict
 *   (no socket lookup, no ICMP error);
 * - a sender in the other namespace (calibrate-sender.ts) sends UDP datagrams as fast as it
 *   can for a fixed time. On veth the receiving side runs in the sender's context (its
 *   softirq), so the sender's system CPU time per datagram is the kernel's work for it: the
 *   send path, veth, IP receive and the rule walk;
 * - each N several times, in an order that alternates between repetitions; a least-squares
 *   line through (rules evaluated, system ns per datagram) gives ns per rule (the slope) and
 *   the rest of the path (the intercept), with R² and the spread over repetitions.
 *
 * Commands run with fixed argument vectors (execFile/spawn), never through a shell.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { HostError } from '../netfilter/errors.js';
import { parseJson } from '../netfilter/json.js';

/** What `nfreplay capacity` reads from a calibration file. */
export interface Calibration {
  format: typeof FORMAT;
  version: 1;
  /** When it was measured (ISO 8601). */
  date: string;
  kernel: string;
  cpu: { model: string; count: number };
  iptables: { version: string; backend: 'nf_tables' | 'legacy'; command: string };
  method: CalibrationMethod;
  /** The N values (no-match rules in front of the dropping one). */
  rules: number[];
  runs: CalibrationRun[];
  /** Kernel time per rule evaluated (the fit's slope). */
  nsPerRule: number;
  /** Kernel time per datagram with no rule evaluated (the fit's intercept): the rest of the calibration's path. */
  nsPerPacket: number;
  fit: CalibrationFit;
}

export interface CalibrationMethod {
  description: string;
  hook: string;
  /** One of the N rules, as iptables-save prints it (the address differs from rule to rule). */
  noMatchRule: string;
  /** The rule that drops the datagrams, after the N. */
  lastRule: string;
  /** IP total length of the datagrams. */
  packetBytes: number;
  secondsPerRun: number;
  repetitions: number;
}

export interface CalibrationRun {
  rules: number;
  /** Rules evaluated per datagram: rules + 1. */
  evaluated: number;
  repetition: number;
  sent: number;
  /** Datagrams the dropping rule counted (all of them, unless the receive path lost some). */
  received: number;
  seconds: number;
  userSeconds: number;
  systemSeconds: number;
  packetsPerSecond: number;
  /** systemSeconds per datagram sent, in ns. */
  kernelNsPerPacket: number;
}

export interface CalibrationFit {
  /** Least squares over every run: kernelNsPerPacket = nsPerPacket + nsPerRule × evaluated. */
  r2: number;
  /** The slope fitted to each repetition's runs alone. */
  slopePerRepetition: number[];
  /** Per N: the mean, lowest and highest kernel ns per datagram over the repetitions. */
  perRules: Array<{ rules: number; mean: number; min: number; max: number }>;
}

export const FORMAT = 'nfreplay-calibration';

/** A problem that stops the calibration, or a calibration file that cannot be used. */
export class CalibrationError extends Error {
  readonly code = 'NFR_ERR_CALIBRATION';
}

export interface CalibrateOptions {
  /** The N values. */
  rules: number[];
  repetitions: number;
  secondsPerRun: number;
  backend: 'auto' | 'nft' | 'legacy';
  /** Progress lines (one per run). */
  onRun?: (run: CalibrationRun) => void;
  /** Stops between runs (and kills a running sender); the namespaces are deleted either way. */
  signal?: AbortSignal;
}

// From ../analysis: this module is also bundled into dist/cli/main.js.
const SENDER = fileURLToPath(new URL('../analysis/calibrate-sender.js', import.meta.url));
const SENDER_ADDR = '192.0.2.1';
const RECEIVER_ADDR = '192.0.2.2';
const PORT = 9;
const PACKET_BYTES = 46;

/** `file` with `args`; its standard output. Rejects with the command and its error output. */
function run(file: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new CalibrationError(`${file}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new CalibrationError(`${[file, ...args].join(' ')} failed (exit ${code}): ${err.trim()}`));
    });
    // A command that exits without reading all of it (an error) is reported by its exit status.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** Whether `file` can be run (it answers `args`); its output when it can. */
function probe(file: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => execFile(file, args, (e, stdout, stderr) => resolve(e !== null && (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `${stdout}${stderr}`)));
}

/** The iptables commands of a backend. */
function commands(backend: CalibrateOptions['backend']): { iptables: string; restore: string; save: string } {
  const suffix = backend === 'auto' ? '' : `-${backend}`;
  return { iptables: `iptables${suffix}`, restore: `iptables${suffix}-restore`, save: `iptables${suffix}-save` };
}

/** What the calibration needs and this machine lacks; the iptables version and backend when present. */
async function preconditions(backend: CalibrateOptions['backend']): Promise<{ version: string; backend: 'nf_tables' | 'legacy' }> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces and iptables need it): run as root');
  if ((await probe('ip', ['-V'])) === undefined) missing.push("the 'ip' command (iproute2)");
  const cmd = commands(backend);
  const version = await probe(cmd.iptables, ['-V']);
  const restore = await probe(cmd.restore, ['-V']);
  if (version === undefined || restore === undefined) missing.push(`'${version === undefined ? cmd.iptables : cmd.restore}' (the iptables package)`);
  if (missing.length > 0) throw new CalibrationError(`needs ${missing.join('; ')}`);
  const m = /v(\d[\w.]*)\s*(?:\((nf_tables|legacy)\))?/.exec(version!);
  if (m === null) throw new CalibrationError(`cannot read the iptables version from '${cmd.iptables} -V': ${version!.trim()}`);
  return { version: m[1]!, backend: m[2] === 'nf_tables' ? 'nf_tables' : 'legacy' };
}

/** The two namespaces of one run of the calibration, and their deletion. */
class Namespaces {
  readonly sender: string;
  readonly receiver: string;
  private made = false;
  private readonly onExit = (): void => this.deleteNow();

  constructor() {
    // Per process: two calibrations at once do not meet.
    this.sender = `nfrcal${process.pid}s`;
    this.receiver = `nfrcal${process.pid}r`;
  }

  async create(): Promise<void> {
    // A crash past every finally still leaves nothing behind.
    process.once('exit', this.onExit);
    this.made = true;
    const [s, r] = [this.sender, this.receiver];
    await run('ip', ['netns', 'add', s]);
    await run('ip', ['netns', 'add', r]);
    // Made inside the namespaces: the pair never exists in the host's.
    await run('ip', ['link', 'add', 'veth0', 'netns', s, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', r]);
    await run('ip', ['-n', s, 'addr', 'add', `${SENDER_ADDR}/24`, 'dev', 'veth0']);
    await run('ip', ['-n', r, 'addr', 'add', `${RECEIVER_ADDR}/24`, 'dev', 'veth0']);
    for (const ns of [s, r]) {
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', ns, 'link', 'set', 'veth0', 'up']);
    }
  }

  /** Deletes both (the veth pair goes with them); synchronous, so it also runs at exit. */
  deleteNow(): void {
    if (!this.made) return;
    this.made = false;
    process.removeListener('exit', this.onExit);
    for (const ns of [this.sender, this.receiver]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Not made (creation failed before it): nothing to delete.
      }
    }
  }
}

/** The receiving namespace's filter table: `n` rules that do not match, then the dropping one. */
function rulesetText(n: number): string {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < n; i++) lines.push(`-A INPUT -d ${noMatchAddress(i)}/32 -p udp -m udp --dport ${PORT} -j DROP`);
  lines.push(lastRule(), 'COMMIT', '');
  return lines.join('\n');
}

/** The i-th no-match rule's destination: 10.128.0.1 upwards, never the receiver's address. */
function noMatchAddress(i: number): string {
  const a = (10 << 24) + (128 << 16) + 1 + i;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function lastRule(): string {
  return `-A INPUT -s ${SENDER_ADDR}/32 -p udp -m udp --dport ${PORT} -j DROP`;
}

/** The dropping rule's packet counter, from `iptables-save -c` in the receiving namespace. */
async function droppedCount(ns: Namespaces, save: string): Promise<number> {
  const text = await run('ip', ['netns', 'exec', ns.receiver, save, '-c', '-t', 'filter']);
  const rule = lastRule();
  for (const line of text.split('\n')) {
    const m = /^\[(\d+):\d+\] (.*)$/.exec(line);
    if (m !== null && m[2] === rule) return Number(m[1]);
  }
  throw new CalibrationError(`the dropping rule is missing from ${save} -c in the receiving namespace`);
}

/** One run of the sender; its figures. */
function send(ns: Namespaces, seconds: number, signal: AbortSignal | undefined): Promise<{ sent: number; seconds: number; userSeconds: number; systemSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('ip', ['netns', 'exec', ns.sender, process.execPath, SENDER, RECEIVER_ADDR, String(PORT), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', stop, { once: true });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new CalibrationError(`the sender did not start: ${e.message}`)));
    child.on('close', (code) => {
      signal?.removeEventListener('abort', stop);
      if (signal?.aborted) return reject(new CalibrationError('interrupted'));
      if (code !== 0) return reject(new CalibrationError(`the sender failed (exit ${code}): ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as { sent: number; seconds: number; userSeconds: number; systemSeconds: number });
      } catch {
        reject(new CalibrationError(`the sender printed no figures: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

/** Least squares y = a + b x; with R². */
export function fitLine(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}

/** The fit of every run, and per repetition, and the spread per N. */
function fitRuns(runs: readonly CalibrationRun[], rules: readonly number[], repetitions: number): { nsPerRule: number; nsPerPacket: number; fit: CalibrationFit } {
  const all = fitLine(
    runs.map((r) => r.evaluated),
    runs.map((r) => r.kernelNsPerPacket),
  );
  const slopePerRepetition: number[] = [];
  for (let k = 1; k <= repetitions; k++) {
    const mine = runs.filter((r) => r.repetition === k);
    slopePerRepetition.push(
      round(
        fitLine(
          mine.map((r) => r.evaluated),
          mine.map((r) => r.kernelNsPerPacket),
        ).slope,
        3,
      ),
    );
  }
  const perRules = rules.map((n) => {
    const ys = runs.filter((r) => r.rules === n).map((r) => r.kernelNsPerPacket);
    return { rules: n, mean: round(ys.reduce((s, y) => s + y, 0) / ys.length, 1), min: round(Math.min(...ys), 1), max: round(Math.max(...ys), 1) };
  });
  return { nsPerRule: round(all.slope, 3), nsPerPacket: round(all.intercept, 1), fit: { r2: round(all.r2, 5), slopePerRepetition, perRules } };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Measures this machine's kernel (see the module's comment). Needs root, `ip` and iptables. */
export async function calibrate(opts: CalibrateOptions): Promise<Calibration> {
  if (opts.rules.length < 2) throw new CalibrationError('a line needs at least two rule counts');
  const iptables = await preconditions(opts.backend);
  const cmd = commands(opts.backend);
  const ns = new Namespaces();
  const runs: CalibrationRun[] = [];
  try {
    await ns.create();
    for (let rep = 1; rep <= opts.repetitions; rep++) {
      // Alternating order: a drift in the machine's load does not line up with N.
      const order = rep % 2 === 1 ? opts.rules : [...opts.rules].reverse();
      for (const n of order) {
        if (opts.signal?.aborted) throw new CalibrationError('interrupted');
        await run('ip', ['netns', 'exec', ns.receiver, cmd.restore], rulesetText(n));
        const s = await send(ns, opts.secondsPerRun, opts.signal);
        const received = await droppedCount(ns, cmd.save);
        const r: CalibrationRun = {
          rules: n,
          evaluated: n + 1,
          repetition: rep,
          sent: s.sent,
          received,
          seconds: round(s.seconds, 6),
          userSeconds: s.userSeconds,
          systemSeconds: s.systemSeconds,
          packetsPerSecond: Math.round(s.sent / s.seconds),
          kernelNsPerPacket: round((s.systemSeconds * 1e9) / s.sent, 1),
        };
        runs.push(r);
        opts.onRun?.(r);
      }
    }
  } finally {
    ns.deleteNow();
  }
  const lost = runs.filter((r) => r.received < 0.99 * r.sent);
  if (lost.length > 0) {
    const r = lost[0]!;
    throw new CalibrationError(`the receiving side lost datagrams (${r.rules} rules: ${r.sent} sent, ${r.received} reached the rules): its work did not all run in the sender's context, so the sender's CPU time does not measure it`);
  }
  const { nsPerRule, nsPerPacket, fit } = fitRuns(runs, opts.rules, opts.repetitions);
  if (!(nsPerRule > 0)) throw new CalibrationError(`the kernel time per datagram did not grow with the rules (slope ${nsPerRule} ns per rule): no calibration can be drawn from these runs`);
  return {
    format: FORMAT,
    version: 1,
    date: new Date().toISOString(),
    kernel: release(),
    cpu: { model: cpus()[0]?.model.trim() ?? 'unknown', count: cpus().length },
    iptables: { version: iptables.version, backend: iptables.backend, command: cmd.restore },
    method: {
      description:
        'UDP datagrams sent as fast as one thread can from one network namespace over a veth pair to another, whose filter INPUT holds N rules they do not match and then one that drops them; the sender\'s system CPU time per datagram (the receive path runs in its context) against the rules evaluated (N + 1), fitted by least squares',
      hook: 'filter INPUT',
      noMatchRule: `-A INPUT -d ${noMatchAddress(0)}/32 -p udp -m udp --dport ${PORT} -j DROP`,
      lastRule: lastRule(),
      packetBytes: PACKET_BYTES,
      secondsPerRun: opts.secondsPerRun,
      repetitions: opts.repetitions,
    },
    rules: [...opts.rules],
    runs,
    nsPerRule,
    nsPerPacket,
    fit,
  };
}

/** Reads and checks a calibration file; CalibrationError says what is wrong and where. */
export function readCalibration(path: string): Calibration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CalibrationError(`${path}: cannot read the calibration file: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseJson(text, path).value;
  } catch (e) {
    if (!(e instanceof HostError)) throw e;
    throw new CalibrationError(`${path}:${e.line}:${e.column}: not JSON: ${e.detail}`);
  }
  const c = data as Partial<Calibration> | null;
  const bad = (what: string): never => {
    throw new CalibrationError(`${path}: not a calibration written by nfreplay calibrate: ${what}`);
  };
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return bad('expected a JSON object');
  if (c.format !== FORMAT) return bad(`expected "format": "${FORMAT}"`);
  if (c.version !== 1) return bad('expected "version": 1');
  for (const key of ['nsPerRule', 'nsPerPacket'] as const) {
    if (typeof c[key] !== 'number' || !Number.isFinite(c[key]) || c[key] < 0) bad(`expected "${key}" to be a number of ns, 0 or more`);
  }
  if (!(c.nsPerRule! > 0)) bad('expected "nsPerRule" above 0');
  for (const key of ['date', 'kernel'] as const) if (typeof c[key] !== 'string') bad(`expected "${key}" to be a string`);
  if (typeof c.cpu?.model !== 'string') bad('expected "cpu": {"model": ...}');
  if (typeof c.iptables?.version !== 'string' || (c.iptables.backend !== 'nf_tables' && c.iptables.backend !== 'legacy')) bad('expected "iptables": {"version": ..., "backend": "nf_tables" or "legacy"}');
  if (typeof c.fit?.r2 !== 'number') bad('expected "fit": {"r2": ...}');
  return c as Calibration;
}
