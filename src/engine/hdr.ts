/**
 * hdr-histogram-js, loaded when a histogram is first made or read rather than when the
 * command starts: its import took about 30 ms, a sixth of every command's start (README,
 * Performance), and only --histograms, --report, order and capacity use it.
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
let loaded: typeof Hdr | undefined;

export function hdr(): typeof Hdr {
  return (loaded ??= require('hdr-histogram-js') as typeof Hdr);
}
