/**
 * Which tables a packet meets at each hook, in the kernel's priority order
 * (NF_IP_PRI_RAW < MANGLE < NAT_DST < FILTER < NAT_SRC, include/uapi/linux/netfilter_ipv4.h).
 * The nat table is consulted only by the first packet of a conntrack entry; without the
 * conntrack stage it is skipped and the packets it would have seen are reported.
 */
import type { Hook, TableName } from '../rules/model.js';

export const HOOK_TABLES: Readonly<Record<Hook, readonly TableName[]>> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

/** Hooks by number (the compiled matcher's entry takes the same numbering). */
export const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
export const PRE_ROUTING = 0;
export const LOCAL_IN = 1;
export const FORWARD = 2;
export const LOCAL_OUT = 3;
export const POST_ROUTING = 4;
