/**
 * ipset references, as the set match and the SET target take them (libxt_set.h):
 * "NAME DIRS" given as two words, the set looked up in the kernel while parsing.
 *
 * iptables refuses unknown names ("Set NAME doesn't exist."). The lookup goes through
 * the resolver installed with setIpsetResolver(); by default no set exists, which is
 * what a fresh network namespace shows.
 */
import { ParamError } from '../../errors.js';
import type { ParseContext } from '../types.js';

export interface IpsetInfo {
  name: string;
  /** The set's address family; an inet6 set cannot be used from iptables. */
  family: 'inet' | 'inet6' | 'unspec';
}

export type IpsetResolver = (name: string) => IpsetInfo | undefined;

let resolveIpset: IpsetResolver = () => undefined;

/** Installs the lookup --match-set, --add-set, --del-set and --map-set use (get_set_byname). */
export function setIpsetResolver(resolver: IpsetResolver): void {
  resolveIpset = resolver;
}

export type SetDir = 'src' | 'dst';

export interface SetRef {
  name: string;
  /** One direction per set dimension, at most six. */
  dirs: SetDir[];
}

/** IPSET_MAXNAMELEN - 1 */
const MAX_SETNAME = 31;
/** IPSET_DIM_MAX */
const DIM_MAX = 6;

/** parse_dirs: up to six comma-separated items, each only needing to start with "src" or "dst". */
function parseDirs(text: string): SetDir[] {
  const items = text.split(',');
  const dirs: SetDir[] = [];
  for (const item of items.slice(0, DIM_MAX)) {
    if (item.startsWith('src')) dirs.push('src');
    else if (item.startsWith('dst')) dirs.push('dst');
    else throw new ParamError("You must spefify (the comma separated list of) 'src' or 'dst'.");
  }
  if (items.length > DIM_MAX) throw new ParamError(`Can't be more src/dst options than ${DIM_MAX}.`);
  return dirs;
}

/**
 * The "NAME DIRS" arguments of --match-set (set_parse_v4) and --add-set/--del-set/
 * --map-set (parse_target): the directions are the next word, which must not look like
 * an option; then the name's length, get_set_byname (existence, then family), and
 * parse_dirs, in that order. `option` is the name the messages use.
 */
export function parseSetRef(name: string, option: string, ctx: ParseContext): SetRef {
  const dirs = ctx.peekArg();
  if (dirs === undefined || dirs.startsWith('-') || dirs.startsWith('!')) {
    throw new ParamError(`--${option} requires two args.`);
  }
  if (name.length > MAX_SETNAME) throw new ParamError(`setname \`${name}' too long, max ${MAX_SETNAME} characters.`);
  const info = resolveIpset(name);
  if (!info) throw new ParamError(`Set ${name} doesn't exist.\n`);
  if (info.family === 'inet6') {
    throw new ParamError(`The protocol family of set ${name} is IPv6, which is not applicable.\n`);
  }
  const ref = { name: info.name, dirs: parseDirs(dirs) };
  ctx.takeArg();
  return ref;
}
