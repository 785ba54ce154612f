/**
 * nfacct match, revision 1 (libxt_nfacct / kernel xt_nfacct): counts the packet into a
 * named extended-accounting object and always matches. The kernel refuses a rule naming
 * an object that does not exist; objects are looked up through the resolver installed
 * with setNfacctResolver(), and by default none exists, as in a fresh network namespace.
 */
import { ParamError } from '../errors.js';
import { saveString } from '../values.js';
import { checkMinLength, truncateBytes } from './common/strings.js';
import { defineMatch } from './types.js';

/** Answers whether an accounting object of that name exists (nfnl_acct_find_get). */
export type NfacctResolver = (name: string) => boolean;

let nfacctExists: NfacctResolver = () => false;

export function setNfacctResolver(resolver: NfacctResolver): void {
  nfacctExists = resolver;
}

export interface NfacctState {
  name: string;
}

/** char name[NFACCT_NAME_MAX = 32]: longer names are cut to 31 bytes. */
const MAX_NAME_BYTES = 31;

export const nfacct = defineMatch<NfacctState>({
  name: 'nfacct',
  modelled: false,
  needs: 'host',
  options: [{ name: 'nfacct-name', arg: 'required', mandatory: true }],
  create: () => ({ name: '' }),
  parse(s, call) {
    const arg = call.arg ?? '';
    // XTTYPE_STRING with .min = 1
    checkMinLength(arg, 1);
    if (arg.includes('\n')) throw new ParamError('Newlines not allowed in --nfacct-name');
    s.name = truncateBytes(arg, MAX_NAME_BYTES);
  },
  kernelCheck: (s) => (nfacctExists(s.name) ? undefined : `nfacct: accounting object \`${s.name}' does not exist`),
  // nfacct_print_name ends with a space and xtables_save_string starts with one.
  save: (s) => ' --nfacct-name ' + saveString(s.name),
  print: (s) => ' nfacct-name ' + saveString(s.name),
});
