/**
 * esp match (libxt_esp / kernel xt_esp): the SPI of the ESP header, a value or an
 * inclusive range, optionally negated. The kernel accepts it only for -p esp.
 *
 * Also home of the SPI range helpers ah and ipcomp share.
 */
import type { PacketState } from '../../engine/packet.js';
import { Header, header, thoff, u16At, u32At } from './common/header.js';
import { hotdrop } from './common/hotdrop.js';
import { inRange } from './common/match.js';
import { parseXtUintRange, rangeOptionText } from './common/numbers.js';
import { defineMatch } from './types.js';

export interface SpiRange {
  min: number;
  max: number;
  invert: boolean;
}

/** XTTYPE_UINT32RC: "a" is a:a, missing ends are 0 and 2^32-1; 1.8.9 keeps "4:3" as given. */
export function parseSpiRange(ext: string, option: string, text: string, invert: boolean): SpiRange {
  const [min, max = min] = parseXtUintRange(ext, option, text, 0xffffffff);
  return { min, max, invert };
}

/** The full range is not saved, even when negated (esp_save / ah_save / comp_save). */
export function isFullSpiRange(r: SpiRange): boolean {
  return r.min === 0 && r.max === 0xffffffff;
}

/** esp_save / ah_save / comp_save: " [!] --OPTspi min[:max]", unless the range is full. */
export function spiSaveText(option: string, r: SpiRange): string {
  return isFullSpiRange(r) ? '' : rangeOptionText(option, r.min, r.max, r.invert);
}

/** print_spis: "spi:N" / "spis:A:B" with "!" after the colon, nothing for the full range. */
export function spiListText(r: SpiRange): string {
  if (isFullSpiRange(r) && !r.invert) return '';
  const inv = r.invert ? '!' : '';
  return r.min === r.max ? `spi:${inv}${r.min}` : `spis:${inv}${r.min}:${r.max}`;
}

/**
 * The common shape of esp_mt, ah_mt and comp_mt: not a later fragment; the protocol's
 * fixed header (`hlen` bytes) must be in the packet or the packet is dropped ("evil
 * tinygram"); then spi_match on the SPI (or CPI) of `width` bytes at `at`.
 */
export function spiMatch(r: SpiRange, pkt: PacketState, hlen: number, at: number, width: 2 | 4): boolean {
  const v = pkt.view;
  if (v.fragOffset !== 0) return false;
  const off = thoff(v);
  const h = header(v, off, hlen);
  if (h === Header.SHORT) return hotdrop(pkt);
  if (h === Header.CUT) return false;
  const spi = width === 4 ? u32At(pkt, off + at) : u16At(pkt, off + at);
  return inRange(r.min, r.max, spi, r.invert);
}

export interface EspState {
  spi: SpiRange;
}

export const esp = defineMatch<EspState>({
  name: 'esp',
  modelled: true,
  proto: 50,
  options: [{ name: 'espspi', arg: 'required', invert: true }],
  create: () => ({ spi: { min: 0, max: 0xffffffff, invert: false } }),
  parse(s, call) {
    s.spi = parseSpiRange('esp', call.name, call.arg ?? '', call.invert);
  },
  save: (s) => spiSaveText('espspi', s.spi),
  print(s) {
    const text = spiListText(s.spi);
    return ' esp' + (text ? ' ' + text : '');
  },
  // esp_mt: struct ip_esp_hdr is the SPI and the sequence number, 8 bytes.
  matchPacket: (s, pkt) => spiMatch(s.spi, pkt, 8, 0, 4),
});
