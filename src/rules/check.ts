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
 * Hooks each chain is reachable from, as a bit mask per chain (bit i = the table's i-th
 * built-in chain). A chain reached again while it is still being walked is a loop (ELOOP);
 * chains nothing reaches get 0, and the kernel does not restrict their rules (their hook
 * mask is 0). Chains are numbered once so the walks use arrays, not name lookups: a
 * kube-proxy nat table has tens of thousands of chains.
 */
function reachability(table: Table): { chains: Chain[]; masks: Uint8Array; loop: Chain | undefined } {
  const chains = [...table.chains.values()];
  const index = new Map<string, number>();
  chains.forEach((c, i) => index.set(c.name, i));
  const succ: number[][] = chains.map((c) => {
    const next: number[] = [];
    for (const r of c.rules) if (r.target.kind === 'jump') next.push(index.get(r.target.chain)!);
    return next;
  });

  const builtins = BUILTIN_CHAINS[table.name];
  const masks = new Uint8Array(chains.length);
  const stack: number[] = [];
  builtins.forEach((hook, bit) => {
    const flag = 1 << bit;
    stack.push(index.get(hook)!);
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (masks[c]! & flag) continue;
      masks[c]! |= flag;
      for (const next of succ[c]!) if (!(masks[next]! & flag)) stack.push(next);
    }
  });

  // Iterative depth-first search with colours: reaching a chain still open is a loop.
  const OPEN = 1;
  const DONE = 2;
  const colour = new Uint8Array(chains.length);
  const pos: number[] = [];
  const path: number[] = [];
  for (const hook of builtins) {
    const root = index.get(hook)!;
    if (colour[root]) continue;
    colour[root] = OPEN;
    path.push(root);
    pos.push(0);
    while (path.length > 0) {
      const c = path[path.length - 1]!;
      const k = pos[pos.length - 1]!;
      const next = succ[c]![k];
      if (next === undefined) {
        colour[c] = DONE;
        path.pop();
        pos.pop();
        continue;
      }
      pos[pos.length - 1] = k + 1;
      if (colour[next] === OPEN) return { chains, masks, loop: chains[next] };
      if (colour[next] === 0) {
        colour[next] = OPEN;
        path.push(next);
        pos.push(0);
      }
    }
  }
  return { chains, masks, loop: undefined };
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
  const { chains, masks, loop } = reachability(table);
  if (loop) return { rule: undefined, chain: loop, reason: `Loop found in table ${table.name}: chain ${loop.name} is reached from itself` };
  const builtins = BUILTIN_CHAINS[table.name];
  const setForMask = new Map<number, Set<Hook>>();
  for (let i = 0; i < chains.length; i++) {
    const chain = chains[i]!;
    if (chain.rules.length === 0) continue;
    const m = masks[i]!;
    let hooks = setForMask.get(m);
    if (!hooks) {
      hooks = new Set(builtins.filter((_, bit) => m & (1 << bit)));
      setForMask.set(m, hooks);
    }
    for (const rule of chain.rules) {
      const ctx: KernelContext = { ip: rule.ip, table: table.name, hooks, matches: rule.matches };
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
