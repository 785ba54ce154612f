/**
 * The text of a ruleset comparison (analysis/compare.ts): a summary line, each group of
 * differing connections with the rules responsible under each ruleset and example
 * connections, the final conntrack lines only one side has (`-` A, `+` B, as diff -u marks
 * them), and the rules evaluated per packet before and after.
 */
import type { ConnectionExample, DiffGroup, RulesetComparison } from '../analysis/compare.js';
import type { DifferenceKind, PacketDetails, RuleRef, RulesCost } from '../analysis/outcomes.js';
import { DIFFERENCE_KINDS } from '../analysis/outcomes.js';

/** Chains listed in the cost section (all of them are in the JSON). */
const COST_CHAINS = 8;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "filter INPUT rule 3", "filter LOGDROP rule 1 (from INPUT)", "filter FORWARD policy". */
function ruleName(r: RuleRef): string {
  const where = r.rule === null ? 'policy' : `rule ${r.rule}`;
  return `${r.table} ${r.chain} ${where}${r.chain !== r.hook ? ` (from ${r.hook})` : ''}`;
}

function rulesText(label: string, rules: readonly RuleRef[]): string {
  if (rules.length === 0) return `  ${label}: none\n`;
  return `  ${label}:\n` + rules.map((r) => `    ${ruleName(r)}: ${r.text}\n`).join('');
}

/** Where the packet went on to: an interface, the host, or user space. */
function afterText(d: PacketDetails): string {
  const a = d.after;
  if (a === null) return verdictText(d);
  if (a.iface !== null) return `left by ${a.iface} as ${a.flow}`;
  return `${d.verdict === 'QUEUE' ? 'queued' : 'delivered'} as ${a.flow}`;
}

function verdictText(d: PacketDetails): string {
  if (d.after !== null) return `${d.verdict}, ${afterText(d)}`;
  if (d.droppedAt !== null) return `${d.verdict} at ${d.droppedAt.table} ${d.droppedAt.hook}`;
  return d.reason !== null ? `${d.verdict} (${d.reason})` : d.verdict;
}

function mangleText(d: PacketDetails): string {
  const a = d.after;
  if (a === null) return verdictText(d);
  return `TTL ${a.ttl}, TOS 0x${a.tos.toString(16).padStart(2, '0')}, ${a.mss === null ? 'no MSS' : `MSS ${a.mss}`}`;
}

/** `lines` less those of `other` (each line of `other` takes out one equal line). */
function linesNotIn(lines: readonly string[], other: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const l of other) left.set(l, (left.get(l) ?? 0) + 1);
  return lines.filter((l) => {
    const n = left.get(l) ?? 0;
    if (n > 0) left.set(l, n - 1);
    return n === 0;
  });
}

/** One side of a kind, as lines; for the log, the lines the other side has not. */
function sideLines(kind: DifferenceKind, d: PacketDetails, other: PacketDetails): string[] {
  switch (kind) {
    case 'verdict':
      return [verdictText(d)];
    case 'nat':
      return [afterText(d)];
    case 'mark':
      return [`mark 0x${d.mark.toString(16)}`];
    case 'log': {
      const only = linesNotIn(d.log, other.log);
      return only.length === 0 ? ['no other line'] : only;
    }
    case 'mangle':
      return [mangleText(d)];
  }
}

function exampleText(e: ConnectionExample): string {
  let out = `  ${e.connection}: ${plural(e.packets, 'packet')} differ${e.packets === 1 ? 's' : ''}, the first #${e.firstPacket}\n`;
  for (const kind of e.kinds) {
    const label = `${kind}:`.padEnd(9);
    for (const [side, d, other] of [['A', e.a, e.b], ['B', e.b, e.a]] as const) {
      sideLines(kind, d, other).forEach((line, i) => {
        out += `    ${i === 0 && side === 'A' ? label : ' '.repeat(9)}${i === 0 ? `${side} ` : '  '}${line}\n`;
      });
    }
  }
  return out;
}

function groupText(g: DiffGroup, n: number): string {
  const more = g.connections - g.examples.length;
  return (
    `[${n}] ${plural(g.connections, 'connection')}, ${plural(g.packets, 'packet')}: ${g.kinds.join(', ')}\n` +
    (g.a.length === 0 && g.b.length === 0
      ? '  the same rules matched under both: the difference comes from state kept across packets (conntrack, NAT bindings, recent, limit, statistic)\n'
      : rulesText('only under A', g.a) + rulesText('only under B', g.b)) +
    g.examples.map(exampleText).join('') +
    (more > 0 ? `  (and ${plural(more, 'more connection')})\n` : '')
  );
}

function kindsText(byKind: Record<DifferenceKind, number>): string {
  return DIFFERENCE_KINDS.filter((k) => byKind[k] > 0)
    .map((k) => `${k} ${byKind[k]}`)
    .join(', ');
}

function conntrackText(c: RulesetComparison['conntrack']): string {
  const side = (s: RulesetComparison['conntrack']['a']): string => (s.tracked ? plural(s.entries, 'entry', 'entries') : 'no conntrack (no rule uses it)');
  let out = `final conntrack: A ${side(c.a)}, B ${side(c.b)}`;
  if (c.identical) return `${out}: the same\n`;
  out += `: ${c.a.only.count} only under A, ${c.b.only.count} only under B\n`;
  for (const [mark, s] of [['-', c.a], ['+', c.b]] as const) {
    for (const l of s.only.lines) out += `${mark} ${l}\n`;
    if (s.only.count > s.only.lines.length) out += `${mark} (${s.only.count - s.only.lines.length} more)\n`;
  }
  return out;
}

function costLine(c: RulesCost): string {
  return `mean ${c.mean} (p50 ${c.p50}, p99 ${c.p99}, max ${c.max})`;
}

function costText(cost: RulesetComparison['cost']): string {
  const chains = new Map<string, { a: number; b: number }>();
  for (const [side, c] of [['a', cost.a], ['b', cost.b]] as const) {
    for (const ch of c.chains) {
      const key = `${ch.table} ${ch.chain}`;
      const row = chains.get(key) ?? { a: 0, b: 0 };
      row[side] = ch.perPacket;
      chains.set(key, row);
    }
  }
  const rows = [...chains.entries()]
    .filter(([, r]) => r.a > 0 || r.b > 0)
    .sort(([ka, x], [kb, y]) => Math.max(y.a, y.b) - Math.max(x.a, x.b) || (ka < kb ? -1 : 1));
  const shown = rows.slice(0, COST_CHAINS).map(([k, r]) => `  ${k}: A ${r.a}, B ${r.b}\n`);
  const more = rows.length > COST_CHAINS ? `  (${rows.length - COST_CHAINS} more chains in --output json)\n` : '';
  return `rules evaluated per packet (the kernel's linear walk): A ${costLine(cost.a)}; B ${costLine(cost.b)}\n` + shown.join('') + more;
}

function countsText(m: Record<string, number>): string {
  const parts = Object.entries(m)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The report; `a` and `b` name the two rulesets (their files). */
export function comparisonText(r: RulesetComparison, a: string, b: string): string {
  const d = r.differing;
  let out = `A: ${a}\nB: ${b}\n`;
  const partial = r.damage !== null ? `partial: the capture is damaged at byte ${r.damage.offset} (${r.damage.message}); ` : '';
  const packets = `${partial}${plural(r.replayed, 'packet')} replayed of ${r.packetsRead} read`;
  if (r.identical) {
    out += `${packets}: the same under both rulesets (verdicts, NAT, marks, LOG lines, TTL/TOS/MSS, final conntrack)\n`;
  } else {
    const ct = r.conntrack.identical ? 'the final conntrack tables are the same' : 'the final conntrack tables differ';
    const differ = d.packets > 0 ? `${d.packets} differ (${kindsText(d.byKind)}), in ${plural(d.connections, 'connection')}` : "no packet's outcome differs";
    out += `${packets}: ${differ}; ${ct}\n`;
  }
  out += r.groups.map((g, i) => `\n${groupText(g, i + 1)}`).join('');
  out += `\n${conntrackText(r.conntrack)}`;
  out += costText(r.cost);
  out += `verdicts: A ${countsText(r.verdicts.a)}; B ${countsText(r.verdicts.b)}\n`;
  if (Object.keys(r.notes.a).length + Object.keys(r.notes.b).length > 0) {
    out += `not modelled, counted: A ${countsText(r.notes.a)}; B ${countsText(r.notes.b)}\n`;
  }
  return out;
}
