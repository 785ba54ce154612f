/**
 * helper match (libxt_helper / kernel xt_helper): the name of the conntrack helper
 * attached to the packet's connection (or to its master connection).
 */
import { saveString } from '../values.js';
import { truncateBytes } from './common/strings.js';
import { defineMatch } from './types.js';

export interface HelperState {
  name: string;
  invert: boolean;
}

/** struct xt_helper_info holds char name[30]: XTTYPE_STRING cuts longer text silently. */
const MAX_HELPER_BYTES = 29;

export const helper = defineMatch<HelperState>({
  name: 'helper',
  modelled: false,
  needs: 'conntrack',
  options: [{ name: 'helper', arg: 'required', invert: true, mandatory: true }],
  create: () => ({ name: '', invert: false }),
  parse(s, call) {
    s.name = truncateBytes(call.arg ?? '', MAX_HELPER_BYTES);
    s.invert = call.invert;
  },
  save: (s) => `${s.invert ? ' !' : ''} --helper${saveString(s.name)}`,
  // helper_print quotes the name verbatim, embedded quotes included.
  print: (s) => ` helper match ${s.invert ? '! ' : ''}"${s.name}"`,
});
