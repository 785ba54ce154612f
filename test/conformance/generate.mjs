#!/usr/bin/env node
// Conformance-corpus generator: records what the real iptables 1.8.9 binaries
// print for every input in ext/*.t and files/*, so the TypeScript
// implementation can be checked byte for byte without root or a kernel.
//
// Everything runs inside private network namespaces; the host's own ruleset is
// never read or written.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { findTools, SEARCH_PATH } from '../support/tools.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXT_DIR = path.join(HERE, 'ext');
export const FILES_DIR = path.join(HERE, 'files');
export const GOLDEN_DIR = path.join(HERE, 'golden');
export const ETC_DIR = path.join(HERE, 'etc');
const README = path.join(HERE, 'README.md');

export const L_FLAG_SETS = ['', '-n', '-v', '-n -v', '-n -v -x --line-numbers'];

export const BUILTIN_CHAINS = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

const TOOL_NAMES = {
  ip: 'ip',
  legacy: 'iptables-legacy',
  legacyRestore: 'iptables-legacy-restore',
  legacySave: 'iptables-legacy-save',
  nftRestore: 'iptables-nft-restore',
  nftSave: 'iptables-nft-save',
};

// The children get a fixed, minimal environment: locale or a user's PATH must
// not leak into recorded output.
const CHILD_ENV = { PATH: SEARCH_PATH, LC_ALL: 'C', LANG: 'C' };

// ---------------------------------------------------------------------------
// Environment checks

let toolsCache = null;
function tools() {
  toolsCache ??= findTools(TOOL_NAMES);
  return toolsCache;
}

/** Returns null when recording is possible, otherwise a human-readable reason. */
export function preflight() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'must run as root (network namespaces and iptables need CAP_NET_ADMIN)';
  }
  const missing = Object.entries(tools())
    .filter(([, p]) => !p)
    .map(([k]) => TOOL_NAMES[k]);
  if (missing.length) return `missing binaries: ${missing.join(', ')}`;
  return null;
}

function assertReady() {
  const why = preflight();
  if (why) throw new Error(`conformance generator cannot run: ${why}`);
}

let versionCache = null;
export function iptablesVersion() {
  if (versionCache === null) {
    const r = spawnSync(tools().legacy, ['--version'], { encoding: 'utf8', env: CHILD_ENV });
    versionCache = (r.stdout || '').trim();
  }
  return versionCache;
}

// ---------------------------------------------------------------------------
// Namespaces

const liveNamespaces = new Set();
let nsCounter = 0;
let cleanupInstalled = false;
let binDir = null;

function removeNamespace(ns) {
  spawnSync(tools().ip, ['netns', 'delete', ns], { env: CHILD_ENV, stdio: 'ignore' });
  fs.rmSync(path.join('/etc/netns', ns), { recursive: true, force: true });
  liveNamespaces.delete(ns);
}

function cleanupAll() {
  for (const ns of [...liveNamespaces]) removeNamespace(ns);
  try {
    // /etc/netns may have been created just for us; an empty one is clutter.
    fs.rmdirSync('/etc/netns');
  } catch {
    /* not empty or not there: leave it */
  }
  if (binDir) {
    fs.rmSync(binDir, { recursive: true, force: true });
    binDir = null;
  }
}

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', cleanupAll);
  // Worker threads (e.g. a test runner's pool) never receive signals.
  if (!isMainThread) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(128 + (os.constants.signals[sig] || 1));
    });
  }
}

// A crashed or killed earlier run can leave namespaces behind; only those whose
// owning process is gone are removed.
function reapStaleNamespaces() {
  const r = spawnSync(tools().ip, ['netns', 'list'], { encoding: 'utf8', env: CHILD_ENV });
  for (const line of (r.stdout || '').split('\n')) {
    const m = /^(nfr-conf-(\d+)(?:-\d+)?)\b/.exec(line);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (!alive) removeNamespace(m[1]);
  }
}

let reaped = false;

function createNamespace() {
  assertReady();
  installCleanup();
  if (!reaped) {
    reaped = true;
    reapStaleNamespaces();
  }
  const ns = `nfr-conf-${process.pid}-${++nsCounter}`;
  // `ip netns exec` bind-mounts /etc/netns/NS/* over /etc, which pins name
  // resolution for `-L` without `-n` (and hostnames given to -s/-d) to the
  // corpus' own hosts file instead of whatever the recording machine has.
  const etc = path.join('/etc/netns', ns);
  fs.mkdirSync(etc, { recursive: true });
  for (const f of fs.readdirSync(ETC_DIR)) fs.copyFileSync(path.join(ETC_DIR, f), path.join(etc, f));
  liveNamespaces.add(ns);
  const r = spawnSync(tools().ip, ['netns', 'add', ns], { encoding: 'utf8', env: CHILD_ENV });
  if (r.status !== 0) {
    removeNamespace(ns);
    throw new Error(`ip netns add ${ns} failed: ${r.stderr}`);
  }
  return ns;
}

/**
 * Runs fn(nsName) inside a freshly created network namespace and always
 * deletes the namespace afterwards (also when fn throws or returns a rejected
 * promise).
 */
export function withNamespace(fn) {
  const ns = createNamespace();
  let result;
  try {
    result = fn(ns);
  } catch (e) {
    removeNamespace(ns);
    throw e;
  }
  if (result && typeof result.then === 'function') {
    return result.finally(() => removeNamespace(ns));
  }
  removeNamespace(ns);
  return result;
}

function run(ns, argv, { input, env } = {}) {
  const r = spawnSync(tools().ip, ['netns', 'exec', ns, ...argv], {
    input: input ?? '',
    encoding: 'utf8',
    env: env ?? CHILD_ENV,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`running ${argv.join(' ')} in ${ns}: ${r.error.message}`);
  // Ctrl-C reaches the whole foreground process group, so a child dying of it
  // is how an interrupt shows up while this process is busy in spawnSync.
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') {
    const e = new Error(`interrupted (${r.signal})`);
    e.interrupted = true;
    throw e;
  }
  return { rc: r.status ?? 128 + (os.constants.signals[r.signal] || 0), stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------
// Output normalisation

const DATE_LINE = /^# (Generated by|Completed on) /;

/** iptables-save output without the timestamped comment lines, as lines. */
function saveLines(stdout) {
  return stdout.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === '') && !DATE_LINE.test(l));
}

function stripDateLines(text) {
  if (!text.includes('# Generated by') && !text.includes('# Completed on')) return text;
  return text
    .split('\n')
    .filter((l) => !DATE_LINE.test(l))
    .join('\n');
}

function tablesOf(lines) {
  return lines.filter((l) => l.startsWith('*')).map((l) => l.slice(1));
}

function listings(ns, table, chain) {
  const chainArg = chain ? [chain] : [];
  const L = {};
  for (const flags of L_FLAG_SETS) {
    const extra = flags ? flags.split(' ') : [];
    L[flags] = run(ns, [tools().legacy, '-t', table, '-L', ...chainArg, ...extra]).stdout;
  }
  return L;
}

function tableDump(ns, table) {
  return {
    S: run(ns, [tools().legacy, '-t', table, '-S']).stdout,
    Sv: run(ns, [tools().legacy, '-t', table, '-v', '-S']).stdout,
    L: listings(ns, table, null),
  };
}

// ---------------------------------------------------------------------------
// Extension tables (ext/*.t)

/** Parses an ext .t file into case descriptors (no iptables involved). */
export function parseExtTable(text) {
  const cases = [];
  const userChainsByTable = new Map();
  let table = 'filter';
  let chain = 'INPUT';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const trimmed = raw.trim();
    const lineNo = i + 1;
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (raw.startsWith('*')) {
      table = raw.slice(1).trim();
      if (!BUILTIN_CHAINS[table]) throw new Error(`line ${lineNo}: unknown table ${table}`);
      // raw has no INPUT chain; every other table does.
      chain = table === 'raw' ? 'PREROUTING' : 'INPUT';
      continue;
    }
    if (raw.startsWith(':')) {
      chain = raw.slice(1).trim();
      if (!chain) throw new Error(`line ${lineNo}: empty chain name`);
      continue;
    }
    const userChains = userChainsByTable.get(table) ?? [];
    if (/^-N\s/.test(raw)) {
      const name = raw.slice(2).trim();
      if (!userChains.includes(name)) userChains.push(name);
      userChainsByTable.set(table, userChains);
      continue;
    }
    const declared = [...userChains];
    // A case addressed to a user chain needs that chain to exist, even if the
    // author only wrote `:CHAIN`.
    if (!BUILTIN_CHAINS[table].includes(chain) && !declared.includes(chain)) declared.push(chain);
    cases.push({ line: lineNo, table, chain, userChains: declared, rule: raw });
  }
  return cases;
}

function restoreTextFor(c) {
  return (
    `*${c.table}\n` + c.userChains.map((u) => `:${u} - [0:0]\n`).join('') + `-A ${c.chain} ${c.rule}\nCOMMIT\n`
  );
}

function ruleLines(stdout) {
  return saveLines(stdout).filter((l) => l.startsWith('-A '));
}

function flushTable(ns, table) {
  // Restoring an empty table flushes every chain and deletes user chains in a
  // single call; policies are never changed by ext cases.
  run(ns, [tools().legacyRestore], { input: `*${table}\nCOMMIT\n` });
  run(ns, [tools().nftRestore], { input: `*${table}\nCOMMIT\n` });
}

function runExtCase(ns, c) {
  const t = tools();
  const input = restoreTextFor(c);
  const r = run(ns, [t.legacyRestore], { input });
  const out = {
    line: c.line,
    table: c.table,
    chain: c.chain,
    userChains: c.userChains,
    rule: c.rule,
    ok: r.rc === 0,
    rc: r.rc,
    stderr: r.stderr,
  };
  if (out.ok) {
    out.save = ruleLines(run(ns, [t.legacySave, '-t', c.table]).stdout);
    out.S = run(ns, [t.legacy, '-t', c.table, '-S', c.chain]).stdout;
    out.L = listings(ns, c.table, c.chain);
  }
  const n = run(ns, [t.nftRestore], { input });
  const nft = { ok: n.rc === 0, rc: n.rc, stderr: n.stderr };
  if (nft.ok) nft.save = ruleLines(run(ns, [t.nftSave, '-t', c.table]).stdout);
  const differs = nft.ok !== out.ok || (nft.ok && JSON.stringify(nft.save) !== JSON.stringify(out.save));
  if (differs) out.nft = nft;
  flushTable(ns, c.table);
  return out;
}

function extSourcePath(name) {
  return path.join(EXT_DIR, `${name}.t`);
}

export function listExtTables() {
  if (!fs.existsSync(EXT_DIR)) return [];
  return fs
    .readdirSync(EXT_DIR)
    .filter((f) => f.endsWith('.t'))
    .map((f) => f.slice(0, -2))
    .sort();
}

function runExtCases(name, cases, ns) {
  if (!ns) return withNamespace((fresh) => runExtCases(name, cases, fresh));
  return cases.map((c) => runExtCase(ns, c));
}

/**
 * Records the golden for ext/<name>.t. Uses `ns` when given (the caller owns
 * it), otherwise a namespace of its own.
 */
export function generateExtTable(name, ns) {
  assertReady();
  const cases = parseExtTable(fs.readFileSync(extSourcePath(name), 'utf8'));
  return {
    source: `ext/${name}.t`,
    iptables: iptablesVersion(),
    cases: runExtCases(name, cases, ns),
  };
}

// ---------------------------------------------------------------------------
// Whole-file cases (files/*.v4, files/*.sh)

export function listFileCases() {
  if (!fs.existsSync(FILES_DIR)) return [];
  const seen = new Map();
  for (const f of fs.readdirSync(FILES_DIR).sort()) {
    const m = /^(.*)\.(v4|sh)$/.exec(f);
    if (!m) continue;
    if (seen.has(m[1])) throw new Error(`files/${f} and files/${seen.get(m[1])} share a golden name`);
    seen.set(m[1], f);
  }
  return [...seen.keys()].sort();
}

function fileCaseSource(name) {
  for (const ext of ['v4', 'sh']) {
    const p = path.join(FILES_DIR, `${name}.${ext}`);
    if (fs.existsSync(p)) return { path: p, kind: ext, rel: `files/${name}.${ext}` };
  }
  throw new Error(`no file case named ${name} (looked for files/${name}.v4 and files/${name}.sh)`);
}

function normaliseFileCaseName(name) {
  return name.replace(/\.(v4|sh|json)$/, '');
}

function verdict(r) {
  // stdout matters too: a restore file may contain listing commands.
  return { ok: r.rc === 0, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
}

function generateV4(src) {
  const t = tools();
  // Bytes, not text: odd encodings and stray \r must reach iptables unchanged.
  const input = fs.readFileSync(src.path);
  const out = { source: src.rel, iptables: iptablesVersion(), kind: 'v4' };
  // Save order depends on which tables the namespace has instantiated, so the
  // plain restore gets a namespace that has seen nothing else.
  withNamespace((ns) => {
    Object.assign(out, verdict(run(ns, [t.legacyRestore], { input })));
    out.save = saveLines(run(ns, [t.legacySave]).stdout);
  });
  withNamespace((ns) => {
    out.test = verdict(run(ns, [t.legacyRestore, '--test'], { input }));
  });
  withNamespace((ns) => {
    out.restoreCounters = verdict(run(ns, [t.legacyRestore, '-c'], { input }));
    out.saveCounters = saveLines(run(ns, [t.legacySave, '-c']).stdout);
    out.tables = {};
    for (const table of tablesOf(out.saveCounters)) out.tables[table] = tableDump(ns, table);
  });
  return out;
}

/** Splits a tutorial-style script into the commands it runs, one per line. */
export function parseShScript(text) {
  const cmds = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/\r$/, '');
    const first = i + 1;
    // Tutorials wrap long rules with a trailing backslash.
    while (/\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/\r$/, '');
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    cmds.push({ line: first, cmd: trimmed.replace(/^sudo\s+/, '') });
  }
  return cmds;
}

function shimDir() {
  // Scripts say `iptables`; the shim makes that the legacy backend while argv[0]
  // stays `iptables`, so messages read exactly as a user of such a system sees.
  if (binDir) return binDir;
  installCleanup();
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfr-conf-bin-'));
  const t = tools();
  fs.symlinkSync(t.legacy, path.join(binDir, 'iptables'));
  fs.symlinkSync(t.legacySave, path.join(binDir, 'iptables-save'));
  fs.symlinkSync(t.legacyRestore, path.join(binDir, 'iptables-restore'));
  return binDir;
}

function generateSh(src) {
  const t = tools();
  const cmds = parseShScript(fs.readFileSync(src.path, 'utf8'));
  const env = { ...CHILD_ENV, PATH: `${shimDir()}:${SEARCH_PATH}` };
  const out = { source: src.rel, iptables: iptablesVersion(), kind: 'sh' };
  out.ok = true;
  out.failedLine = null;
  out.commands = [];
  withNamespace((ns) => {
    for (const c of cmds) {
      const r = run(ns, ['sh', '-c', c.cmd], { env });
      out.commands.push({ line: c.line, cmd: c.cmd, rc: r.rc, stdout: stripDateLines(r.stdout), stderr: r.stderr });
      if (r.rc !== 0) {
        out.ok = false;
        out.failedLine = c.line;
        break;
      }
    }
    out.save = saveLines(run(ns, [t.legacySave]).stdout);
    out.saveCounters = saveLines(run(ns, [t.legacySave, '-c']).stdout);
    out.tables = {};
    for (const table of tablesOf(out.save)) out.tables[table] = tableDump(ns, table);
  });
  return out;
}

/** Records the golden for files/<name>.v4 or files/<name>.sh. */
export function generateFileCase(name) {
  assertReady();
  const src = fileCaseSource(normaliseFileCaseName(name));
  return src.kind === 'v4' ? generateV4(src) : generateSh(src);
}

// ---------------------------------------------------------------------------
// Goldens on disk

function goldenPath(kind, name) {
  return path.join(GOLDEN_DIR, kind, `${name}.json`);
}

function serialise(obj) {
  return JSON.stringify(obj, null, 2) + '\n';
}

export function readGolden(kind, name) {
  const p = goldenPath(kind, name);
  if (!fs.existsSync(p)) return null;
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

function writeGolden(kind, name, obj) {
  const p = goldenPath(kind, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, serialise(obj));
}

/** Structural differences between two JSON values, as readable lines. */
export function diffJson(expected, actual, where = '') {
  const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? '(absent)' : s.length > 400 ? s.slice(0, 400) + '…' : s;
  };
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const bothObjects =
    expected && actual && typeof expected === 'object' && typeof actual === 'object' && Array.isArray(expected) === Array.isArray(actual);
  if (!bothObjects) return [`${where || '(root)'}: expected ${show(expected)}, got ${show(actual)}`];
  const keys = Array.isArray(expected)
    ? [...Array(Math.max(expected.length, actual.length)).keys()]
    : [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  return keys.flatMap((k) => diffJson(expected[k], actual[k], Array.isArray(expected) ? `${where}[${k}]` : `${where}.${k}`));
}

export function corpusCounts() {
  const counts = { extTables: 0, extCases: 0, extAccepted: 0, extRejected: 0, fileCases: 0, fileAccepted: 0, fileRejected: 0 };
  for (const name of listExtTables()) {
    const g = readGolden('ext', name);
    if (!g) continue;
    counts.extTables++;
    for (const c of g.cases) {
      counts.extCases++;
      if (c.ok) counts.extAccepted++;
      else counts.extRejected++;
    }
  }
  for (const name of listFileCases()) {
    const g = readGolden('files', name);
    if (!g) continue;
    counts.fileCases++;
    if (g.ok) counts.fileAccepted++;
    else counts.fileRejected++;
  }
  return counts;
}

function countsText(c) {
  return (
    `- extension tables: ${c.extTables} files, ${c.extCases} cases (${c.extAccepted} accepted, ${c.extRejected} rejected)\n` +
    `- whole-file cases: ${c.fileCases} (${c.fileAccepted} accepted, ${c.fileRejected} rejected)\n`
  );
}

function updateReadmeCounts(text) {
  if (!fs.existsSync(README)) return;
  const readme = fs.readFileSync(README, 'utf8');
  const re = /(<!-- counts:start -->\n)[\s\S]*?(<!-- counts:end -->)/;
  if (!re.test(readme)) return;
  const next = readme.replace(re, (_, a, b) => a + text + b);
  if (next !== readme) fs.writeFileSync(README, next);
}

// ---------------------------------------------------------------------------
// Check mode

// Lets pending signal handlers run between units of work; everything else in
// this file is synchronous.
const tick = () => new Promise((resolve) => setImmediate(resolve));

// mulberry32: tiny, seedable, and identical on every Node version.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministically picks `n` units (ext cases or whole files) from the corpus. */
export function sampleUnits(n, seed = 1, { ext = listExtTables(), files = listFileCases() } = {}) {
  const units = [];
  for (const name of ext) {
    const cases = parseExtTable(fs.readFileSync(extSourcePath(name), 'utf8'));
    cases.forEach((_, index) => units.push({ kind: 'ext', name, index }));
  }
  for (const name of files) units.push({ kind: 'files', name });
  const rnd = prng(seed);
  for (let i = units.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [units[i], units[j]] = [units[j], units[i]];
  }
  return units.slice(0, Math.min(n, units.length));
}

/**
 * Regenerates in memory and compares with the goldens on disk. Resolves to a
 * list of human-readable differences (empty when everything matches).
 */
export async function check({ ext = listExtTables(), files = listFileCases(), sample = null, seed = 1, log = () => {} } = {}) {
  const diffs = [];
  const version = iptablesVersion();
  if (sample !== null) {
    const units = sampleUnits(sample, seed, { ext, files });
    const byExt = new Map();
    for (const u of units) {
      if (u.kind === 'ext') {
        if (!byExt.has(u.name)) byExt.set(u.name, []);
        byExt.get(u.name).push(u.index);
      }
    }
    for (const [name, indices] of [...byExt].sort()) {
      await tick();
      const golden = readGolden('ext', name);
      const cases = parseExtTable(fs.readFileSync(extSourcePath(name), 'utf8'));
      indices.sort((a, b) => a - b);
      const fresh = runExtCases(name, indices.map((i) => cases[i]));
      log(`check ext/${name}.t: ${indices.length} sampled case(s)`);
      if (!golden) {
        diffs.push(`golden/ext/${name}.json: missing`);
        continue;
      }
      if (golden.iptables !== version) diffs.push(`golden/ext/${name}.json .iptables: expected ${golden.iptables}, got ${version}`);
      indices.forEach((idx, k) => {
        const want = golden.cases.find((c) => c.line === fresh[k].line);
        diffs.push(...diffJson(want, fresh[k], `.cases[line ${fresh[k].line}]`).map((d) => `golden/ext/${name}.json ${d}`));
      });
    }
    for (const u of units.filter((x) => x.kind === 'files').sort((a, b) => a.name.localeCompare(b.name))) {
      await tick();
      log(`check files/${u.name}`);
      const golden = readGolden('files', u.name);
      if (!golden) diffs.push(`golden/files/${u.name}.json: missing`);
      else diffs.push(...diffJson(golden, generateFileCase(u.name)).map((d) => `golden/files/${u.name}.json ${d}`));
    }
    return diffs;
  }
  for (const name of ext) {
    await tick();
    log(`check ext/${name}.t`);
    const golden = readGolden('ext', name);
    if (!golden) diffs.push(`golden/ext/${name}.json: missing`);
    else diffs.push(...diffJson(golden, generateExtTable(name)).map((d) => `golden/ext/${name}.json ${d}`));
  }
  for (const name of files) {
    await tick();
    log(`check files/${name}`);
    const golden = readGolden('files', name);
    if (!golden) diffs.push(`golden/files/${name}.json: missing`);
    else diffs.push(...diffJson(golden, generateFileCase(name)).map((d) => `golden/files/${name}.json ${d}`));
  }
  return diffs;
}

// ---------------------------------------------------------------------------
// CLI

function usage() {
  return [
    'usage: node test/conformance/generate.mjs [--ext NAME[,NAME]] [--file NAME[,NAME]]',
    '                                          [--check [--sample N [--seed S]]]',
    '  no selection       regenerate every golden (and drop goldens whose source is gone)',
    '  --ext NAMES        only ext/NAME.t',
    '  --file NAMES       only files/NAME.{v4,sh}',
    '  --check            regenerate in memory, compare with goldens, exit 1 on differences',
    '  --sample N         with --check: only N cases picked deterministically (seed S, default 1)',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { ext: null, file: null, check: false, sample: null, seed: 1 };
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const value = () => {
      if (inline !== null) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--ext':
        opts.ext = [...(opts.ext ?? []), ...list(value())];
        break;
      case '--file':
        opts.file = [...(opts.file ?? []), ...list(value()).map(normaliseFileCaseName)];
        break;
      case '--check':
        opts.check = true;
        break;
      case '--sample':
        opts.sample = Number(value());
        if (!Number.isInteger(opts.sample) || opts.sample < 1) throw new Error('--sample needs a positive integer');
        break;
      case '--seed':
        opts.seed = Number(value());
        if (!Number.isInteger(opts.seed)) throw new Error('--seed needs an integer');
        break;
      case '-h':
      case '--help':
        console.log(usage());
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (opts.sample !== null && !opts.check) throw new Error('--sample only makes sense with --check');
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${usage()}`);
    process.exit(2);
  }
  const why = preflight();
  if (why) {
    console.error(`generate.mjs: ${why}`);
    process.exit(2);
  }

  const allExt = listExtTables();
  const allFiles = listFileCases();
  const selective = opts.ext !== null || opts.file !== null;
  const ext = selective ? opts.ext ?? [] : allExt;
  const files = selective ? opts.file ?? [] : allFiles;
  const unknownExt = ext.filter((n) => !allExt.includes(n));
  const unknownFiles = files.filter((n) => !allFiles.includes(n));
  if (unknownExt.length || unknownFiles.length) {
    if (unknownExt.length) console.error(`unknown ext table(s): ${unknownExt.join(', ')}`);
    if (unknownFiles.length) console.error(`unknown file case(s): ${unknownFiles.join(', ')}`);
    process.exit(2);
  }

  const started = Date.now();
  const secs = (t) => ((Date.now() - t) / 1000).toFixed(1);

  if (opts.check) {
    const diffs = await check({ ext, files, sample: opts.sample, seed: opts.seed, log: (m) => console.error(m) });
    if (!selective && opts.sample === null) {
      for (const kind of ['ext', 'files']) {
        const dir = path.join(GOLDEN_DIR, kind);
        const known = kind === 'ext' ? allExt : allFiles;
        for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
          if (f.endsWith('.json') && !known.includes(f.slice(0, -5))) diffs.push(`golden/${kind}/${f}: no source any more`);
        }
      }
    }
    for (const d of diffs) console.log(d);
    console.error(`${diffs.length ? diffs.length + ' difference(s)' : 'goldens match'} (${secs(started)}s)`);
    process.exit(diffs.length ? 1 : 0);
  }

  const version = iptablesVersion();
  console.error(`recording with ${version}`);
  for (const name of ext) {
    await tick();
    const t0 = Date.now();
    const g = generateExtTable(name);
    writeGolden('ext', name, g);
    const ok = g.cases.filter((c) => c.ok).length;
    console.error(`ext/${name}.t: ${g.cases.length} cases (${ok} accepted, ${g.cases.length - ok} rejected) ${secs(t0)}s`);
  }
  for (const name of files) {
    await tick();
    const t0 = Date.now();
    const g = generateFileCase(name);
    writeGolden('files', name, g);
    console.error(`files/${name}: ${g.ok ? 'accepted' : 'rejected'} ${secs(t0)}s`);
  }
  if (!selective) {
    for (const kind of ['ext', 'files']) {
      const dir = path.join(GOLDEN_DIR, kind);
      const known = kind === 'ext' ? allExt : allFiles;
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        if (f.endsWith('.json') && !known.includes(f.slice(0, -5))) {
          fs.rmSync(path.join(dir, f));
          console.error(`removed golden/${kind}/${f} (source gone)`);
        }
      }
    }
  }
  const counts = corpusCounts();
  const text = countsText(counts);
  updateReadmeCounts(text);
  console.log(`corpus:\n${text}recorded in ${secs(started)}s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    if (e && e.interrupted) {
      console.error(`generate.mjs: ${e.message}`);
      process.exit(130);
    }
    console.error(e);
    process.exit(1);
  });
}
