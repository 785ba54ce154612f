/**
 * `iptables -L` listings (list_entries, print_header, print_firewall) with -n, -v, -x and
 * --line-numbers. Column widths and the odd spacing are iptables' own; K/M/G suffixes
 * come from xtables_print_num.
 */
import type { Chain, Rule, Table } from './model.js';
import { chainReferences, sortedChains, targetName } from './model.js';
import { addrMaskToListing, formatCounter, formatFraction, protoToName, type CounterValues } from './values.js';
import type { Counters } from './model.js';

export interface ListOptions {
  numeric?: boolean;
  verbose?: boolean;
  exact?: boolean;
  lineNumbers?: boolean;
  /** Only this chain. */
  chain?: string;
  /** Only this rule of the chain (no header), like `iptables -L CHAIN N`. */
  rulenum?: number;
  /** Counters to print instead of the model's (fractional expectations). */
  values?: CounterValues;
}

interface Format {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  values: CounterValues | undefined;
}

/** Packets (0) or bytes (1) of `c` in table layout. */
function counterCell(c: Counters, which: 0 | 1, f: Format): string {
  if (f.values !== undefined) return formatFraction(f.values(c)[which], f.exact);
  return formatCounter(which === 0 ? c.packets : c.bytes, f.exact);
}

/** xtables_print_num without table layout (policy counters in the header). */
function headerCounter(c: Counters, which: 0 | 1, f: Format): string {
  return counterCell(c, which, f).trimStart();
}

function header(f: Format, chain: Chain, refs: number): string {
  let out = `Chain ${chain.name}`;
  if (chain.builtin) {
    out += ` (policy ${chain.policy}`;
    if (f.verbose) {
      out += ' ' + headerCounter(chain.policyCounters, 0, f) + 'packets, ';
      out += headerCounter(chain.policyCounters, 1, f) + 'bytes';
    }
    out += ')\n';
  } else {
    out += ` (${refs} references)\n`;
  }
  if (f.lineNumbers) out += 'num'.padEnd(4) + ' ';
  if (f.verbose) {
    out += f.exact ? 'pkts'.padStart(8) + ' ' + 'bytes'.padStart(10) + ' ' : 'pkts'.padStart(5) + ' ' + 'bytes'.padStart(5) + ' ';
  }
  out += 'target'.padEnd(9) + ' ';
  out += ' prot ';
  out += 'opt';
  if (f.verbose) out += ' ' + 'in'.padEnd(6) + ' ' + 'out'.padEnd(6) + ' ';
  out += ' ' + 'source'.padEnd(19) + ' ';
  out += ' ' + 'destination'.padEnd(19) + ' ';
  return out + '\n';
}

function ruleLine(f: Format, rule: Rule, num: number): string {
  const ip = rule.ip;
  let out = '';
  if (f.lineNumbers) out += String(num).padEnd(4) + ' ';
  if (f.verbose) out += counterCell(rule.counters, 0, f) + counterCell(rule.counters, 1, f);
  out += targetName(rule.target).padEnd(9) + ' ';
  out += ip.invProto ? '!' : ' ';
  // iptables 1.8.9 prints the protocol number whenever -n is given, even for tcp and 0.
  const pname = f.numeric ? undefined : protoToName(ip.proto, false);
  out += (pname ?? String(ip.proto)).padEnd(4) + ' ';
  out += (ip.invFrag ? '!' : '-') + (ip.fragment ? 'f' : '-') + ' ';
  if (f.verbose) {
    const any = f.numeric ? '*' : 'any';
    out += ' ' + ((ip.invIn ? '!' : '') + (ip.iniface || any)).padEnd(6) + ' ';
    out += ((ip.invOut ? '!' : '') + (ip.outiface || any)).padEnd(6) + ' ';
  }
  out += (ip.invSrc ? '!' : ' ') + addrMaskToListing(ip.src, ip.smsk, f.numeric).padEnd(19) + ' ';
  out += (ip.invDst ? '!' : ' ') + addrMaskToListing(ip.dst, ip.dmsk, f.numeric).padEnd(19) + ' ';
  if (ip.goto) out += '[goto] ';
  for (const m of rule.matches) out += m.ext.print(m.state, ip, f.numeric);
  if (rule.target.kind === 'ext') {
    const t = rule.target.instance;
    out += t.ext.print(t.state, ip, f.numeric);
  }
  return out + '\n';
}

/**
 * The listing of one table. Returns undefined when a chain was asked for and does not
 * exist (iptables: "No chain/target/match by that name").
 */
export function listTable(table: Table, opts: ListOptions = {}): string | undefined {
  const f: Format = {
    numeric: opts.numeric ?? false,
    verbose: opts.verbose ?? false,
    exact: opts.exact ?? false,
    lineNumbers: opts.lineNumbers ?? false,
    values: opts.values,
  };
  let out = '';
  let found = false;
  // Counted once for the table: a count per chain walked every rule once per chain
  // (seconds for a kube-proxy table of 20,000 chains).
  const references = chainReferences(table);
  for (const chain of sortedChains(table)) {
    if (opts.chain !== undefined && chain.name !== opts.chain) continue;
    if (found) out += '\n';
    if (opts.rulenum === undefined) out += header(f, chain, references.get(chain.name) ?? 0);
    chain.rules.forEach((rule, i) => {
      if (opts.rulenum === undefined || opts.rulenum === i + 1) out += ruleLine(f, rule, i + 1);
    });
    found = true;
  }
  return found ? out : undefined;
}
