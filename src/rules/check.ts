/**
 * What the kernel checks when a table is committed (translate_table): chain loops, and
 * every match's and target's checkentry with the set of hooks the rule is reachable from
 * (mark_source_chains). iptables-restore only says "line N failed" at the COMMIT line for
 * these; nfreplay names the rule and the reason.
 */
import { ErrorCodes, ParamError } from './errors.js';
import type { KernelContext } from './ext/types.js';
import type { Chain, Hook, Rule, Table } from './model.js';
import { BUILTIN_CHAINS } from './model.js';

export interface KernelRejection {
  rule: Rule | undefined;
  chain: Chain;
  reason: string;
}

/**
 * Hooks each chain is reachable from. A chain reached again while it is still being
 * walked is a loop (ELOOP); chains nothing reaches get an empty set, and the kernel does
 * not restrict their rules (their hook mask is 0).
 */
function reachability(table: Table): { hooks: Map<string, Set<Hook>>; loop: Chain | undefined } {
  const succ = new Map<string, Chain[]>();
  for (const chain of table.chains.values()) {
    const next: Chain[] = [];
    for (const r of chain.rules) if (r.target.kind === 'jump') next.push(table.chains.get(r.target.chain)!);
    succ.set(chain.name, next);
  }

  // Hook sets as bit masks while walking; turned into sets once at the end.
  const builtins = BUILTIN_CHAINS[table.name];
  const masks = new Map<string, number>();
  builtins.forEach((hook, bit) => {
    const stack = [table.chains.get(hook)!];
    while (stack.length > 0) {
      const c = stack.pop()!;
      const m = masks.get(c.name) ?? 0;
      if (m & (1 << bit)) continue;
      masks.set(c.name, m | (1 << bit));
      for (const next of succ.get(c.name)!) stack.push(next);
    }
  });
  const hooks = new Map<string, Set<Hook>>();
  const setForMask = new Map<number, Set<Hook>>();
  for (const name of table.chains.keys()) {
    const m = masks.get(name) ?? 0;
    let set = setForMask.get(m);
    if (!set) {
      set = new Set(builtins.filter((_, bit) => m & (1 << bit)));
      setForMask.set(m, set);
    }
    hooks.set(name, set);
  }

  // Depth-first search with colours: reaching a chain that is still open is a loop.
  const state = new Map<string, 'open' | 'done'>();
  let loop: Chain | undefined;
  const visit = (c: Chain): void => {
    state.set(c.name, 'open');
    for (const next of succ.get(c.name)!) {
      if (loop) return;
      const s = state.get(next.name);
      if (s === 'open') loop = next;
      else if (s === undefined) visit(next);
    }
    state.set(c.name, 'done');
  };
  for (const hook of builtins) {
    const c = table.chains.get(hook)!;
    if (!loop && !state.has(c.name)) visit(c);
  }
  return { hooks, loop };
}

function checkOne(
  ext: { name: string; tables?: readonly string[]; hooks?: readonly Hook[]; proto?: number },
  kind: 'match' | 'target',
  ctx: KernelContext,
): string | undefined {
  const label = `${ext.name} ${kind}`;
  if (ext.tables && !ext.tables.includes(ctx.table)) {
    return `${label}: only valid in table${ext.tables.length > 1 ? 's' : ''} ${ext.tables.join(', ')}, not in ${ctx.table}`;
  }
  if (ext.hooks) {
    const bad = [...ctx.hooks].filter((h) => !ext.hooks!.includes(h));
    if (bad.length > 0) return `${label}: used from hook ${bad.join(', ')}; only valid from ${ext.hooks.join(', ')}`;
  }
  if (ext.proto !== undefined && (ctx.ip.proto !== ext.proto || ctx.ip.invProto)) {
    return `${label}: only valid for protocol ${ext.proto} (add -p before it)`;
  }
  return undefined;
}

/** Returns the first reason the kernel would refuse this table, or undefined. */
export function kernelCheckTable(table: Table): KernelRejection | undefined {
  const { hooks, loop } = reachability(table);
  if (loop) return { rule: undefined, chain: loop, reason: `Loop found in table ${table.name}: chain ${loop.name} is reached from itself` };
  for (const chain of table.chains.values()) {
    const reach = hooks.get(chain.name)!;
    for (const rule of chain.rules) {
      const ctx: KernelContext = { ip: rule.ip, table: table.name, hooks: reach, matches: rule.matches };
      for (const m of rule.matches) {
        const reason = checkOne(m.ext, 'match', ctx) ?? m.ext.kernelCheck?.(m.state, ctx);
        if (reason) return { rule, chain, reason };
      }
      if (rule.target.kind === 'ext') {
        const t = rule.target.instance;
        const reason = checkOne(t.ext, 'target', ctx) ?? t.ext.kernelCheck?.(t.state, ctx);
        if (reason) return { rule, chain, reason };
      }
    }
  }
  return undefined;
}

export function kernelError(r: KernelRejection): ParamError {
  return new ParamError(`the kernel refuses this rule: ${r.reason}`, ErrorCodes.KERNEL);
}
