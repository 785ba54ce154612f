/**
 * "value[/mask]" options (xtables_parse_val_mask / xtables_print_val_mask), with or
 * without iproute2's id-to-name maps (xtables_lmap). Marks (XTTYPE_MARKMASK32, through
 * xtables_parse_mark_mask) are the case without a map; device groups and realms pass one.
 */
import { readFileSync } from 'node:fs';
import { ParamError } from '../../errors.js';
import { hex, strtoulPrefix } from '../../values.js';

export interface ValueMask {
  value: number;
  /** 0xffffffff when no "/mask" was given. */
  mask: number;
}

export interface LmapEntry {
  id: number;
  name: string;
}

/**
 * xtables_lmap_init: "id name" lines (id decimal, or hex after "0x", 0-255), '#' comments;
 * malformed lines are skipped. A missing file gives an empty map, so only numbers work.
 */
export function readLmap(path: string): LmapEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return [];
  }
  const out: LmapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^[ \t\v\f\r]*(0x[0-9a-fA-F]+|[0-9]+)([ \t\v\f\r]+)([^ \t\v\f\r#][^ \t\v\f\r]*)?/.exec(line);
    if (!m || m[3] === undefined) continue;
    const id = parseInt(m[1]!, m[1]!.startsWith('0x') ? 16 : 10);
    if (id > 255) continue;
    out.push({ id, name: m[3] });
  }
  return out;
}

/**
 * xtables_parse_val_mask: "value[/mask]", both base-0 32-bit numbers (xtables_strtoui, so
 * no minus sign). Without a map, a missing or out-of-range number is a "bad integer
 * value" and a number followed by anything but "/" is "trailing garbage". With a map
 * (even an empty one), whatever does not start as a number, or continues with anything
 * but "/", is looked up whole as a name ("1x" too); only the mask part keeps the errors.
 */
export function parseValueMask(ext: string, option: string, text: string, lmap?: readonly LmapEntry[]): ValueMask {
  const bad = (): ParamError => new ParamError(`${ext}: bad integer value for option "--${option}", or out of range.\n`);
  const garbage = (): ParamError => new ParamError(`${ext}: trailing garbage after value for option "--${option}".\n`);
  const byName = (map: readonly LmapEntry[]): ValueMask => {
    const entry = map.find((e) => e.name === text);
    if (!entry) {
      throw new ParamError(`${ext}: could not map name ${text} to an integer value for option "--${option}".\n`);
    }
    return { value: entry.id, mask: 0xffffffff };
  };

  const value = strtoulPrefix(text);
  if (value === undefined || value.value > 0xffffffff) {
    if (lmap) return byName(lmap);
    throw bad();
  }
  if (value.end === text.length) return { value: value.value, mask: 0xffffffff };
  if (text[value.end] !== '/') {
    if (lmap) return byName(lmap);
    throw garbage();
  }
  const maskText = text.slice(value.end + 1);
  const mask = strtoulPrefix(maskText);
  if (mask === undefined || mask.value > 0xffffffff) throw bad();
  if (mask.end !== maskText.length) throw garbage();
  return { value: value.value, mask: mask.value };
}

/**
 * xtables_print_val_mask: " 0xV/0xM", or for a full mask " 0xV", or the name when a map
 * is given and has one (xtables_print_mark_mask is the case without a map).
 */
export function valMaskText(value: number, mask: number, lmap?: readonly LmapEntry[]): string {
  if (mask !== 0xffffffff) return ` ${hex(value)}/${hex(mask)}`;
  const name = lmap?.find((e) => e.id === value)?.name;
  return ' ' + (name ?? hex(value));
}
