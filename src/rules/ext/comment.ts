/**
 * comment match (libxt_comment / kernel xt_comment): free text attached to a rule. It
 * always matches; the text only shows in listings and saves.
 */
import { code } from '../../compile/builder.js';
import { saveString } from '../values.js';
import { truncateBytes } from './common/strings.js';
import { defineMatch } from './types.js';

export interface CommentState {
  text: string;
}

/** struct xt_comment_info holds char[XT_MAX_COMMENT_LEN = 256]: longer text is cut, not refused. */
const MAX_COMMENT_BYTES = 255;

export const comment = defineMatch<CommentState>({
  name: 'comment',
  modelled: true,
  options: [{ name: 'comment', arg: 'required', mandatory: true }],
  create: () => ({ text: '' }),
  parse(s, call) {
    s.text = truncateBytes(call.arg ?? '', MAX_COMMENT_BYTES);
  },
  save: (s) => ' --comment' + saveString(s.text),
  // comment_print puts the text between C comment markers verbatim, even if it contains "*/".
  print: (s) => ` /* ${s.text} */`,
  // comment_mt: always true.
  matchPacket: () => true,
  compileMatch: () => code`true`,
});
