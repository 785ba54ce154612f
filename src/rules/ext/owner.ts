/**
 * owner match, revision 1 (libxt_owner / kernel xt_owner): the local socket's owner UID
 * or GID range (optionally counting supplementary groups), or whether a socket exists.
 * The kernel only allows it where packets come from local sockets: OUTPUT and
 * POSTROUTING.
 *
 * User and group names are resolved as glibc's "files" NSS backend does, from
 * /etc/passwd and /etc/group (sysdb.ts), both when parsing and for the listing.
 */
import { ParamError } from '../errors.js';
import { systemDatabases, type IdEntry } from '../sysdb.js';
import { strtoulPrefix } from '../values.js';
import { defineMatch } from './types.js';

/** match / invert bits (XT_OWNER_*). */
export const OWNER = {
  UID: 1 << 0,
  GID: 1 << 1,
  SOCKET: 1 << 2,
  SUPPL_GROUPS: 1 << 3,
} as const;

function users(): IdEntry[] {
  return systemDatabases().users;
}

function groups(): IdEntry[] {
  return systemDatabases().groups;
}

/** getpwnam / getgrnam: the first entry with that name. */
function idByName(db: IdEntry[], name: string): number | undefined {
  return db.find((e) => e.name === name)?.id;
}

/** getpwuid / getgrgid: the first entry with that id. */
function nameById(db: IdEntry[], id: number): string | undefined {
  return db.find((e) => e.id === id)?.name;
}

export interface IdRange {
  min: number;
  max: number;
}

export interface OwnerState {
  /** OWNER bits of the tests made. */
  match: number;
  /** OWNER bits of the negated tests. */
  invert: number;
  uid: IdRange;
  gid: IdRange;
}

/** The largest id: (uid_t)-1 is reserved. */
const MAX_ID = 0xfffffffe;

/**
 * owner_parse_range: "id", "id-id" or "id:id", each a base-0 number; anything else is a
 * bad value quoting the whole argument.
 */
function parseIdRange(text: string, option: string): IdRange {
  const bad = (): ParamError => new ParamError(`owner: Bad value for "${option}" option: "${text}"`);
  const number = (from: number): { value: number; end: number } => {
    // xtables_strtoui with an end pointer: base 0, a minus sign is refused.
    const r = strtoulPrefix(text.slice(from));
    if (r === undefined || r.value > MAX_ID) throw bad();
    return { value: r.value, end: from + r.end };
  };
  const first = number(0);
  let max = first.value;
  let end = first.end;
  if (text[end] === '-' || text[end] === ':') {
    const second = number(end + 1);
    max = second.value;
    end = second.end;
  }
  if (end !== text.length) throw bad();
  return { min: first.value, max };
}

function idText(r: IdRange, db: () => IdEntry[], numeric: boolean): string {
  if (r.min !== r.max) return `${r.min}-${r.max}`;
  if (!numeric) {
    const name = nameById(db(), r.min);
    if (name !== undefined) return name;
  }
  return `${r.min}`;
}

/** owner_mt_print / owner_mt_save: socket-exists, UID, GID, supplementary groups. */
function ownerText(s: OwnerState, labels: readonly string[], numeric: boolean): string {
  const item = (flag: number, label: string, value: string): string => {
    if (!(s.match & flag)) return '';
    return `${s.invert & flag ? ' !' : ''} ${label}${value}`;
  };
  return (
    item(OWNER.SOCKET, labels[0]!, '') +
    item(OWNER.UID, labels[1]!, ' ' + idText(s.uid, users, numeric)) +
    item(OWNER.GID, labels[2]!, ' ' + idText(s.gid, groups, numeric)) +
    item(OWNER.SUPPL_GROUPS, labels[3]!, '')
  );
}

export const owner = defineMatch<OwnerState>({
  name: 'owner',
  modelled: false,
  needs: 'socket',
  hooks: ['OUTPUT', 'POSTROUTING'],
  options: [
    { name: 'uid-owner', arg: 'required', invert: true },
    { name: 'gid-owner', arg: 'required', invert: true },
    { name: 'socket-exists', arg: 'none', invert: true },
    { name: 'suppl-groups', arg: 'none' },
  ],
  create: () => ({ match: 0, invert: 0, uid: { min: 0, max: 0 }, gid: { min: 0, max: 0 } }),
  parse(s, call) {
    const arg = call.arg ?? '';
    const set = (flag: number): void => {
      s.match |= flag;
      if (call.invert) s.invert |= flag;
    };
    switch (call.name) {
      case 'uid-owner': {
        const id = idByName(users(), arg);
        s.uid = id !== undefined ? { min: id, max: id } : parseIdRange(arg, '--uid-owner');
        set(OWNER.UID);
        return;
      }
      case 'gid-owner': {
        const id = idByName(groups(), arg);
        s.gid = id !== undefined ? { min: id, max: id } : parseIdRange(arg, '--gid-owner');
        set(OWNER.GID);
        return;
      }
      case 'socket-exists':
        set(OWNER.SOCKET);
        return;
      case 'suppl-groups':
        if (!(s.match & OWNER.GID)) {
          throw new ParamError('owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"');
        }
        set(OWNER.SUPPL_GROUPS);
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (ctx.seen.size === 0) {
      throw new ParamError('owner: At least one of --uid-owner, --gid-owner or --socket-exists is required');
    }
  },
  save: (s) => ownerText(s, ['--socket-exists', '--uid-owner', '--gid-owner', '--suppl-groups'], true),
  print: (s, _ip, numeric) =>
    ownerText(s, ['owner socket exists', 'owner UID match', 'owner GID match', 'incl. suppl. groups'], numeric),
  kernelCheck(s) {
    // owner_check: ranges must not be reversed.
    if (s.match & OWNER.UID && s.uid.max < s.uid.min) return `owner: UID range ${s.uid.min}-${s.uid.max} is reversed`;
    if (s.match & OWNER.GID && s.gid.max < s.gid.min) return `owner: GID range ${s.gid.min}-${s.gid.max} is reversed`;
    return undefined;
  },
});
