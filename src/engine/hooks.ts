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

/**
 * Hook sequences: a received packet passes PREROUTING, then routing sends it to INPUT or
 * to FORWARD and POSTROUTING; a locally generated one passes OUTPUT and POSTROUTING.
 */
export const PATHS = {
  prerouting: ['PREROUTING'],
  input: ['INPUT'],
  forward: ['FORWARD', 'POSTROUTING'],
  outputOnly: ['OUTPUT'],
  postrouting: ['POSTROUTING'],
} as const satisfies Record<string, readonly Hook[]>;
