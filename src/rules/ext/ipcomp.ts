/**
 * ipcomp match (libxt_ipcomp / kernel xt_ipcomp): the CPI of the IPComp header, a value
 * or an inclusive range, optionally negated; --compres asks for a non-zero reserved
 * field, which the kernel ignores. The kernel accepts it only for -p ipcomp.
 */
import { parseSpiRange, spiListText, spiMatch, spiSaveText, type SpiRange } from './esp.js';
import { defineMatch } from './types.js';

export interface IpcompState {
  /** libxt_ipcomp has no init: without --ipcompspi the range is 0:0. */
  spi: SpiRange;
  hdrres: boolean;
}

export const ipcomp = defineMatch<IpcompState>({
  name: 'ipcomp',
  modelled: true,
  proto: 108,
  options: [
    { name: 'ipcompspi', arg: 'required', invert: true },
    { name: 'compres', arg: 'none' },
  ],
  create: () => ({ spi: { min: 0, max: 0, invert: false }, hdrres: false }),
  parse(s, call) {
    if (call.name === 'compres') s.hdrres = true;
    else s.spi = parseSpiRange('ipcomp', call.name, call.arg ?? '', call.invert);
  },
  save: (s) => spiSaveText('ipcompspi', s.spi) + (s.hdrres ? ' --compres' : ''),
  print: (s) => ' comp ' + spiListText(s.spi) + (s.hdrres ? ' reserved' : ''),
  // comp_mt: struct ip_comp_hdr is 4 bytes, the 16-bit CPI at offset 2; --compres is
  // not looked at.
  matchPacket: (s, pkt) => spiMatch(s.spi, pkt, 4, 2, 2),
});
