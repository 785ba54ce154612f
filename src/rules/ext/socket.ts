/**
 * socket match, revision 3 (libxt_socket / kernel xt_socket): a local socket exists for
 * the packet, optionally only a transparent one, optionally counting wildcard listeners,
 * optionally copying the socket mark to the packet. The kernel allows it from
 * PREROUTING and INPUT only.
 */
import { defineMatch } from './types.js';

/** XT_SOCKET_* bits, in the order socket_mt_save_v3 prints them. */
export const SOCKET = {
  TRANSPARENT: 1 << 0,
  NOWILDCARD: 1 << 1,
  RESTORESKMARK: 1 << 2,
} as const;

const FLAG_OPTIONS: ReadonlyArray<readonly [string, number]> = [
  ['transparent', SOCKET.TRANSPARENT],
  ['nowildcard', SOCKET.NOWILDCARD],
  ['restore-skmark', SOCKET.RESTORESKMARK],
];

export interface SocketState {
  /** SOCKET bits. */
  flags: number;
}

function flagsText(flags: number): string {
  return FLAG_OPTIONS.filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => ` --${name}`)
    .join('');
}

export const socket = defineMatch<SocketState>({
  name: 'socket',
  modelled: false,
  needs: 'socket',
  hooks: ['PREROUTING', 'INPUT'],
  options: FLAG_OPTIONS.map(([name]) => ({ name, arg: 'none' as const })),
  create: () => ({ flags: 0 }),
  parse(s, call) {
    s.flags |= FLAG_OPTIONS.find(([name]) => name === call.name)![1];
  },
  save: (s) => flagsText(s.flags),
  print: (s) => ' socket' + flagsText(s.flags),
});
