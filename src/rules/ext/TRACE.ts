/**
 * TRACE target (libxt_TRACE / kernel xt_TRACE): marks the packet so every rule it then
 * traverses, in every table, is logged. No options.
 */
import { Verdict } from '../../engine/packet.js';
import { defineTarget } from './types.js';

export type TraceState = Record<string, never>;

export const TRACE = defineTarget<TraceState>({
  name: 'TRACE',
  modelled: true,
  options: [],
  // xt_TRACE: .table = "raw", so tracing starts before conntrack.
  tables: ['raw'],
  create: () => ({}),
  parse() {},
  save: () => '',
  print: () => '',
  // trace_tg sets skb->nf_trace; the engine's tracer (src/engine/trace.ts) sees the rule
  // and writes the kernel's per-rule TRACE lines to the log file when one is asked for.
  applyTarget() {
    return Verdict.CONTINUE;
  },
});
