/**
 * `nfreplay order CAPTURE --rules RULES`: what the ruleset costs on this traffic today (rules
 * evaluated per packet under the kernel's linear walk, hot rules, rules never hit), the
 * shadowed and redundant rules found statically, and an order of each chain that keeps
 * every packet's outcome and lowers the cost (as iptables-restore text and a diff).
 *
 * The steps are separate: one replay for the counters (observe), the static analysis and
 * the proposal (propose), a check of the analysis against the counters, then the outputs.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { chainAnomalies, type Anomaly } from '../analysis/anomalies.js';
import { analyseRuleset } from '../analysis/dependencies.js';
import { proposeOrdering, reorderedRuleset, type ChainProposal } from '../analysis/ordering.js';
import { chainCosts, ReplayHistograms } from '../engine/histograms.js';
import { replayCapture, replayedTables, type ReplaySummary } from '../engine/replay.js';
import { createClassifier, type Host } from '../netfilter/index.js';
import { compareRulesets, type RulesetComparison } from '../analysis/compare.js';
import { comparisonText } from '../report/diff.js';
import { orderingReport, type OrderingReport } from '../report/ordering.js';
import { unifiedDiff } from '../report/unified-diff.js';
import { counterTablesWithText } from '../report/counters.js';
import { renderHtmlReport } from '../report/html.js';
import { isoText } from '../report/html-kit.js';
import { kubeBalance } from '../report/kube.js';
import { Traffic } from '../engine/traffic.js';
import { loadRulesetFile, loadRulesetText, saveRuleset, type Ruleset, type TableName } from '../rules/index.js';
import { ExitCode, type Io } from './io.js';
import { ProgressLine } from './progress.js';
import { AtomicFile } from './replay-outputs.js';
import { hostFor, loadRules, replayingCommand, reportInvalidInput, UNMODELLED_POLICIES, type ReplayInputOptions } from './replay-setup.js';
import { rulesetRunners, type RulesetRunners } from '../engine/setup.js';
import { summaryText } from './replay.js';

export interface OrderCliOptions extends ReplayInputOptions {
  output: string;
  write?: string;
  diff?: string;
  report?: string;
  top: string;
  seed: string;
  quiet?: boolean;
}

export function registerOrderCommand(program: Command, io: Io): void {
  replayingCommand(program, 'order', 'cost of the ruleset on a capture, shadowed and redundant rules, and a cheaper rule order that keeps every outcome')
    .option('--output <kind>', 'text or json', 'text')
    .option('--write <file>', 'the proposed ruleset, as iptables-restore reads it')
    .option('--diff <file>', 'unified diff (diff -u) of the ruleset and the proposal (- for standard output, instead of the report)')
    .option('--report <file>', 'the results as one self-contained HTML page: rule hits, cost histograms, the proposal and its savings, shadowed and redundant rules')
    .option('--top <n>', 'rules listed in each part of the text report (hot rules, never hit, anomalies)', '10')
    .option('--interpreter', 'use the reference interpreter instead of the compiled matcher')
    .option('-q, --quiet', 'no replay summary on stderr')
    .action((capture: string, opts: OrderCliOptions) => runOrder(capture, opts, io));
}

/** What one replay measured. */
interface Observed {
  ruleset: Ruleset;
  host: Host;
  summary: ReplaySummary;
  histograms: ReplayHistograms;
  runners: RulesetRunners;
}

/** The capture through the ruleset once: the counters, rules evaluated per packet and per chain. */
async function observe(capture: string | Uint8Array, opts: OrderCliOptions, io: Io): Promise<Observed> {
  const ruleset = loadRules(opts.rules, io);
  const host = await hostFor(capture, opts, io);
  const histograms = new ReplayHistograms();
  const runners = rulesetRunners(ruleset, { unmodelled: opts.unmodelled, interpreter: opts.interpreter, chainCost: true });
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  const progress = io.errIsTty === true && !opts.quiet ? new ProgressLine((t) => io.err(t)) : undefined;
  try {
    const classify = createClassifier(host);
    const summary = await replayCapture({
      capture,
      ruleset,
      host,
      classify,
      seed: Number(opts.seed),
      runner: runners.runner,
      histograms,
      // The HTML report's conntrack occupancy and traffic over time.
      occupancy: opts.report !== undefined,
      traffic: opts.report !== undefined ? new Traffic() : undefined,
      signal: controller.signal,
      onProgress: progress?.update,
    });
    for (const w of classify.warnings) io.err(`nfreplay: warning: ${w}\n`);
    return { ruleset, host, summary, histograms, runners };
  } finally {
    process.removeListener('SIGINT', interrupt);
    progress?.clear();
  }
}

/** The static analysis and the proposal, weighted by the observed counters. */
function propose(ruleset: Ruleset): { anomalies: Anomaly[]; proposals: ChainProposal[]; proposed: Ruleset } {
  const analysis = analyseRuleset(ruleset.tables);
  const anomalies = analysis.chains.flatMap(chainAnomalies);
  const proposals = proposeOrdering(ruleset, analysis);
  return { anomalies, proposals, proposed: reorderedRuleset(ruleset, proposals) };
}

/**
 * A rule proven unreachable that the replay saw match would be a fault of the analysis, and
 * everything it proposed is then in doubt: stop rather than print it.
 */
function checkAgainstCounters(ruleset: Ruleset, anomalies: readonly Anomaly[], replayed: readonly TableName[]): void {
  for (const a of anomalies) {
    if (!a.unreachable || !replayed.includes(a.table)) continue;
    const rule = ruleset.tables.find((t) => t.name === a.table)!.chains.get(a.chain)!.rules[a.rule - 1]!;
    if (rule.counters.packets > 0n) {
      throw new Error(`internal error: ${a.table} ${a.chain} rule ${a.rule} was proven unreachable but the replay matched ${rule.counters.packets} packets with it`);
    }
  }
}

/**
 * The proof on the traffic: the capture replayed through the ruleset as loaded and through
 * the proposal as written (its iptables-restore text loaded back), every packet's verdict,
 * NAT, mark, LOG lines and rewrites and the final conntrack table compared. Fresh rulesets
 * on both sides keep the observed counters as they are.
 */
async function prove(observed: Observed, proposedText: string, capture: string | Uint8Array, opts: OrderCliOptions): Promise<RulesetComparison> {
  const original = loadRulesetFile(opts.rules).ruleset;
  const proposed = loadRulesetText(proposedText, { source: opts.write ?? `${opts.rules} (proposed)` }).ruleset;
  return compareRulesets(original, proposed, { capture, host: observed.host, seed: Number(opts.seed), unmodelled: opts.unmodelled });
}

/** The proof's figures into the report: the measured cost after replaces the estimate. */
function withProof(ordering: OrderingReport, proof: RulesetComparison): void {
  ordering.proof = { identical: proof.identical, replayed: proof.replayed, differingPackets: proof.differing.packets };
  ordering.costAfter = proof.cost.b.mean;
  const measured = new Map(proof.cost.b.chains.map((c) => [`${c.table} ${c.chain}`, c.perPacket]));
  for (const c of ordering.chains) c.after = measured.get(`${c.table} ${c.chain}`) ?? 0;
}

const fixed = (x: number): string => x.toFixed(2);

/** The report as text, each list cut to `top` entries. */
function reportText(r: OrderingReport, top: number): string {
  const w = r.window;
  const more = (n: number): string => (n > top ? `  ... ${n - top} more (--output json lists all)\n` : '');
  let out =
    `observation window: ${w.packets} packets replayed of ${w.read} read` +
    (w.packets > 0 ? `, ${isoText(w.firstSec)} to ${isoText(w.lastSec)} (${w.spanSec} s)` : '') +
    `; a rule with no packets was not hit in this window, nothing more\n` +
    (r.notReplayed.length > 0 ? `not replayed (no connection tracking in the ruleset): ${r.notReplayed.join(', ')}\n` : '');
  const p = r.costPercentiles;
  out += `\ncost today: ${fixed(r.costBefore)} rules evaluated per packet (mean; p50 ${p.p50}, p90 ${p.p90}, p99 ${p.p99}, max ${p.max})\n`;
  const costly = r.chains.filter((c) => c.before > 0).sort((a, b) => b.before - a.before);
  for (const c of costly.slice(0, top)) out += `  ${c.table} ${c.chain}: ${fixed(c.before)} per packet (${c.rules} rule${c.rules === 1 ? '' : 's'})\n`;
  out += more(costly.length);
  out += `\nhot rules (most packets):\n`;
  for (const h of r.hot.slice(0, top)) out += `  ${h.table} ${h.chain} #${h.rule}: ${h.packets} packets  ${h.text}\n`;
  if (r.hot.length === 0) out += '  none\n';
  out += `\nrules never hit in this window: ${r.neverHit.length}\n`;
  for (const n of r.neverHit.slice(0, top)) out += `  ${n.table} ${n.chain} #${n.rule}: ${n.text}\n`;
  out += more(r.neverHit.length);
  const shadowed = r.anomalies.filter((a) => a.kind === 'shadowed').length;
  out += `\nshadowed and redundant rules (proven from the rules alone): ${shadowed} shadowed, ${r.anomalies.length - shadowed} redundant\n`;
  for (const a of r.anomalies.slice(0, top)) {
    out += `  ${a.table} ${a.chain} #${a.rule} ${a.kind}: ${a.text}\n`;
    for (const b of a.by) out += `      by #${b.rule}: ${b.text}\n`;
  }
  out += more(r.anomalies.length);
  const proof = r.proof!;
  out += `\nproposal: ${fixed(r.costBefore)} -> ${fixed(r.costAfter)} rules evaluated per packet, measured by replaying the capture through it (${fixed(r.costAfterEstimate)} estimated from the counters)\n`;
  out += `proof: ${proof.replayed} packets replayed through both rulesets: verdicts, NAT, marks, LOG lines, rewrites and the final conntrack table identical\n`;
  const moved = r.chains.filter((c) => c.moves > 0);
  for (const c of moved) out += `  ${c.table} ${c.chain}: ${fixed(c.before)} -> ${fixed(c.after)} per packet, ${c.moves} of ${c.rules} rules moved${c.pinned > 0 ? `, ${c.pinned} kept in place` : ''}\n`;
  if (moved.length === 0) out += '  no order evaluates fewer rules on this traffic\n';
  return out;
}

function checkOptions(opts: OrderCliOptions): string | undefined {
  if (opts.output !== 'text' && opts.output !== 'json') return '--output must be text or json';
  if (!UNMODELLED_POLICIES.includes(opts.unmodelled)) return '--unmodelled must be refuse, assume-match or assume-nomatch';
  if (!/^\d{1,9}$/.test(opts.top)) return '--top must be a number';
  if (opts.diff === '-' && opts.output === 'json') return '--diff - prints the diff instead of the report: not with --output json';
  return undefined;
}

/** A plan: the anomalies and the proposal, and the ruleset as proposed. */
type Plan = ReturnType<typeof propose>;

/** The report (stdout), the proposed ruleset and the diff (files), from the replay and the plan. */
function report(captureName: string, observed: Observed, plan: Plan, proof: RulesetComparison, opts: OrderCliOptions, io: Io, files: AtomicFile[]): void {
  const { ruleset, summary, histograms, runners } = observed;
  const chains = chainCosts(runners.prepared()!, summary.replayed);
  summary.histograms = { ...histograms.json(), chains };
  const ordering = orderingReport({
    ruleset,
    replayedTables: replayedTables(ruleset),
    packetsRead: summary.packetsRead,
    replayed: summary.replayed,
    window: summary.window,
    rulesEvaluated: summary.histograms.rulesEvaluated,
    chainCosts: chains,
    proposals: plan.proposals,
    anomalies: plan.anomalies,
    top: Number(opts.top),
  });
  withProof(ordering, proof);
  const proposedText = saveRuleset(plan.proposed);
  const page =
    opts.report !== undefined
      ? renderHtmlReport({ capture: captureName, rules: opts.rules, statistic: 'sample', summary, tables: counterTablesWithText(ruleset, undefined), services: kubeBalance(ruleset, undefined), ordering })
      : undefined;
  const diff = unifiedDiff(saveRuleset(reorderedRuleset(ruleset, [])), proposedText, opts.rules, opts.write ?? `${opts.rules} (proposed)`);
  for (const [path, text] of [
    [opts.write, proposedText],
    [opts.diff === '-' ? undefined : opts.diff, diff],
    [opts.report, page],
  ] as const) {
    if (path === undefined || text === undefined) continue;
    const f = new AtomicFile(path);
    files.push(f);
    f.write(text);
  }
  for (const f of files) f.commit();
  files.length = 0;
  if (opts.output === 'json') io.out(JSON.stringify({ summary, ordering }, null, 2) + '\n');
  else if (opts.diff === '-') io.out(diff);
  else io.out(reportText(ordering, Number(opts.top)));
  if (!opts.quiet) io.err(summaryText(summary));
}

export async function runOrder(capture: string, opts: OrderCliOptions, io: Io): Promise<void> {
  const usage = checkOptions(opts);
  if (usage !== undefined) {
    io.err(`nfreplay: ${usage}\n`);
    return io.exit(ExitCode.Usage);
  }
  const files: AtomicFile[] = [];
  try {
    // Standard input is read once: the proof replays the capture twice more.
    const input = capture === '-' ? new Uint8Array(readFileSync(0)) : capture;
    const observed = await observe(input, opts, io);
    const plan = propose(observed.ruleset);
    checkAgainstCounters(observed.ruleset, plan.anomalies, replayedTables(observed.ruleset));
    if (observed.summary.interrupted) {
      io.err('nfreplay: interrupted: no proposal from part of the capture\n');
      return io.exit(ExitCode.Interrupted);
    }
    const proof = await prove(observed, saveRuleset(plan.proposed), input, opts);
    if (!proof.identical) {
      // The analysis proved every outcome kept: a difference is its fault. Nothing is written.
      io.err(`nfreplay: internal error: the proposed order changes outcomes on this capture; no proposal written\n${comparisonText(proof, opts.rules, 'proposed')}`);
      return io.exit(ExitCode.Internal);
    }
    report(capture === '-' ? 'standard input' : capture, observed, plan, proof, opts, io, files);
    if (observed.summary.damage) io.exit(3);
  } catch (e) {
    for (const f of files) f.abort();
    if (reportInvalidInput(e, io)) return;
    throw e;
  }
}
