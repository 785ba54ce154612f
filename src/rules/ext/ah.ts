/**
 * ah match (libipt_ah / kernel ipt_ah): the SPI of the AH header, a value or an
 * inclusive range, optionally negated. The kernel accepts it only for -p ah.
 */
import { parseSpiRange, spiListText, spiMatch, spiSaveText, type SpiRange } from './esp.js';
import { defineMatch } from './types.js';

export interface AhState {
  spi: SpiRange;
}

export const ah = defineMatch<AhState>({
  name: 'ah',
  modelled: true,
  proto: 51,
  options: [{ name: 'ahspi', arg: 'required', invert: true }],
  create: () => ({ spi: { min: 0, max: 0xffffffff, invert: false } }),
  parse(s, call) {
    s.spi = parseSpiRange('ah', call.name, call.arg ?? '', call.invert);
  },
  save: (s) => spiSaveText('ahspi', s.spi),
  // ah_print leaves its trailing space even when no SPI test follows.
  print: (s) => ' ah ' + spiListText(s.spi),
  // ah_mt (ipt_ah.c): struct ip_auth_hdr is 12 bytes, the SPI at offset 4.
  matchPacket: (s, pkt) => spiMatch(s.spi, pkt, 12, 4, 4),
});
