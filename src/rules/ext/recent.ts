/**
 * recent match, revision 1 (libxt_recent / kernel xt_recent): a named list of recently
 * seen addresses (source or destination, under a netmask) that a rule adds to, checks,
 * refreshes or removes from. Lists are shared by every rule naming them.
 */
import type { PacketState } from '../../engine/packet.js';
import { ParamError } from '../errors.js';
import { HZ, jiffiesAt, timeAfter } from './common/kernel.js';
import { ipToString } from '../values.js';
import { parseXtHost } from './common/addresses.js';
import { parseXtUint } from './common/numbers.js';
import { defineMatch } from './types.js';

/** check_set bits (XT_RECENT_*). */
export const RECENT = {
  CHECK: 1 << 0,
  SET: 1 << 1,
  UPDATE: 1 << 2,
  REMOVE: 1 << 3,
  TTL: 1 << 4,
  REAP: 1 << 5,
} as const;

export const RECENT_SIDE = { SOURCE: 0, DEST: 1 } as const;

/** XT_RECENT_NAME_LEN: the name is copied into char[200]. */
const NAME_LEN = 200;
/**
 * Largest --hitcount the reference kernel accepts (XT_RECENT_MAX_NSTAMPS - 1; older
 * kernels allowed 255).
 */
const MAX_HITCOUNT = 65535;

export interface RecentState {
  /** RECENT bits: exactly one of CHECK/SET/UPDATE/REMOVE, plus TTL and REAP. */
  checkSet: number;
  invert: boolean;
  /** 0 = no age limit. */
  seconds: number;
  /** 0 = no hit count test. */
  hitCount: number;
  name: string;
  /** RECENT_SIDE */
  side: number;
  /** Applied to the address before it is stored or looked up. */
  mask: number;
}

/** xt_recent's ip_list_tot module parameter (default): addresses remembered per list. */
export const RECENT_LIST_TOT = 100;

/** One remembered address (struct recent_entry); also a node of the table's LRU list. */
class RecentEntry {
  addr = 0;
  ttl = 0;
  /** Where the next stamp goes, 1-based as the kernel keeps it (stamps[index - 1] is the newest). */
  index = 0;
  nstamps = 0;
  older: RecentEntry | undefined = undefined;
  newer: RecentEntry | undefined = undefined;
  /** The next entry in the same bucket (addresses equal in their low 30 bits). */
  next: RecentEntry | undefined = undefined;
  constructor(readonly stamps: Float64Array) {}
}

/**
 * A named list (struct recent_table), shared by every rule naming it. Its address mask is
 * the first rule's; its stamp ring grows to the largest any rule needs (the kernel
 * flushes the list then, which only happens while rules are being loaded).
 */
export class RecentTable {
  /**
   * Entries by their address's low 30 bits, chained: a small-integer key, so a lookup
   * allocates nothing (a full 32-bit address would be boxed).
   */
  private readonly buckets = new Map<number, RecentEntry>();
  size = 0;
  /** LRU order: oldest first. */
  private oldest: RecentEntry | undefined = undefined;
  private newest: RecentEntry | undefined = undefined;
  /** Entries removed, kept for reuse so a packet does not allocate. */
  private readonly free: RecentEntry[] = [];

  constructor(
    readonly mask: number,
    public nstampsMaxMask: number,
  ) {}

  get head(): RecentEntry | undefined {
    return this.oldest;
  }

  flush(): void {
    while (this.oldest) this.remove(this.oldest);
  }

  /**
   * recent_entry_lookup: the address, and a TTL that agrees unless either side is 0. An
   * address has one entry at most: only --set creates one, after a lookup ignoring TTLs.
   */
  lookup(addr: number, ttl: number): RecentEntry | undefined {
    let e = this.buckets.get(addr & 0x3fffffff);
    while (e !== undefined && e.addr !== addr) e = e.next;
    return e && (ttl === e.ttl || ttl === 0 || e.ttl === 0) ? e : undefined;
  }

  remove(e: RecentEntry): void {
    this.unlink(e);
    const key = e.addr & 0x3fffffff;
    let head = this.buckets.get(key);
    if (head === e) {
      head = e.next;
      if (head === undefined) this.buckets.delete(key);
      else this.buckets.set(key, head);
    } else {
      let p = head!;
      while (p.next !== e) p = p.next!;
      p.next = e.next;
    }
    e.next = undefined;
    this.size--;
    this.free.push(e);
  }

  /** recent_entry_init: a full list first forgets its least recently used address. */
  add(addr: number, ttl: number, now: number): RecentEntry {
    if (this.size >= RECENT_LIST_TOT) this.remove(this.oldest!);
    let e = this.free.pop();
    if (e === undefined || e.stamps.length !== this.nstampsMaxMask + 1) {
      e = new RecentEntry(new Float64Array(this.nstampsMaxMask + 1));
    }
    e.addr = addr;
    e.ttl = ttl;
    e.stamps[0] = now;
    e.nstamps = 1;
    e.index = 1;
    const key = addr & 0x3fffffff;
    e.next = this.buckets.get(key);
    this.buckets.set(key, e);
    this.size++;
    this.link(e);
    return e;
  }

  /** recent_entry_update: a new stamp in the ring, and the entry becomes the newest. */
  update(e: RecentEntry, now: number): void {
    e.index &= this.nstampsMaxMask;
    e.stamps[e.index++] = now;
    if (e.index > e.nstamps) e.nstamps = e.index;
    this.unlink(e);
    this.link(e);
  }

  private link(e: RecentEntry): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  private unlink(e: RecentEntry): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }
}

/** recent_mt_check: stamps kept per address, a power of two minus one (ip_pkt_list_tot is 0). */
function nstampMask(hitCount: number): number {
  if (hitCount === 0) return 32 - 1;
  let p = 1;
  while (p < hitCount) p *= 2;
  return p - 1;
}

/**
 * recent_mt. The TTL is the one the packet had before this host forwarded it: one more
 * when the hook has an output device and the packet is not the host's own (u8, so 255
 * becomes 0). CHECK and UPDATE count the stamps within --seconds (all when 0) up to
 * --hitcount; --reap then may forget the least recently used address if it is too old.
 * The entry is refreshed by SET, and by UPDATE when the answer (after "!") is a match.
 */
export function recentMatch(s: RecentState, t: RecentTable, pkt: PacketState): boolean {
  const v = pkt.view;
  let ret = s.invert;
  let ttl = pkt.ttl;
  if (pkt.outIface !== '' && !pkt.local) ttl = (ttl + 1) & 0xff;
  const addr = ((s.side === RECENT_SIDE.DEST ? v.dstAddr : v.srcAddr) & t.mask) >>> 0;
  const now = jiffiesAt(pkt.nowNs);
  const e = t.lookup(addr, s.checkSet & RECENT.TTL ? ttl : 0);
  if (e === undefined) {
    if (!(s.checkSet & RECENT.SET)) return ret;
    t.add(addr, ttl, now);
    return !ret;
  }
  if (s.checkSet & RECENT.SET) {
    ret = !ret;
  } else if (s.checkSet & RECENT.REMOVE) {
    t.remove(e);
    ret = !ret;
  } else if (s.checkSet & (RECENT.CHECK | RECENT.UPDATE)) {
    // info->seconds * HZ is an unsigned int product.
    const time = now - (Math.imul(s.seconds, HZ) >>> 0);
    let hits = 0;
    for (let i = 0; i < e.nstamps; i++) {
      if (s.seconds && timeAfter(time, e.stamps[i]!)) continue;
      if (!s.hitCount || ++hits >= s.hitCount) {
        ret = !ret;
        break;
      }
    }
    if (s.checkSet & RECENT.REAP) {
      // recent_entry_reap: only the oldest entry, and not the one about to be refreshed.
      const old = t.head!;
      const updating = (s.checkSet & RECENT.UPDATE) !== 0 && ret;
      if (!(old === e && updating) && timeAfter(time, old.stamps[old.index - 1]!)) t.remove(old);
    }
  }
  if (s.checkSet & RECENT.SET || (s.checkSet & RECENT.UPDATE && ret)) {
    t.update(e, now);
    e.ttl = ttl;
  }
  return ret;
}

const OPS = ['set', 'rcheck', 'update', 'remove'];

function opsExcept(name: string): string[] {
  return OPS.filter((o) => o !== name);
}

export const recent = defineMatch<RecentState>({
  name: 'recent',
  modelled: true,
  options: [
    { name: 'set', arg: 'none', invert: true, excl: opsExcept('set') },
    { name: 'rcheck', arg: 'none', invert: true, excl: opsExcept('rcheck') },
    { name: 'update', arg: 'none', invert: true, excl: opsExcept('update') },
    { name: 'remove', arg: 'none', invert: true, excl: opsExcept('remove') },
    { name: 'seconds', arg: 'required' },
    { name: 'reap', arg: 'none', also: ['seconds'] },
    { name: 'hitcount', arg: 'required' },
    { name: 'rttl', arg: 'none', excl: ['set', 'remove'] },
    { name: 'name', arg: 'required' },
    { name: 'rsource', arg: 'none' },
    { name: 'rdest', arg: 'none' },
    { name: 'mask', arg: 'required' },
  ],
  // recent_init: list DEFAULT, source side, all-ones mask.
  create: () => ({
    checkSet: 0,
    invert: false,
    seconds: 0,
    hitCount: 0,
    name: 'DEFAULT',
    side: RECENT_SIDE.SOURCE,
    mask: 0xffffffff,
  }),
  parse(s, call) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'set':
      case 'rcheck':
      case 'update':
      case 'remove': {
        const bits = { set: RECENT.SET, rcheck: RECENT.CHECK, update: RECENT.UPDATE, remove: RECENT.REMOVE };
        s.checkSet |= bits[call.name];
        if (call.invert) s.invert = true;
        return;
      }
      case 'seconds':
        s.seconds = parseXtUint('recent', 'seconds', arg, 1, 0xffffffff);
        return;
      case 'reap':
        s.checkSet |= RECENT.REAP;
        return;
      case 'hitcount':
        s.hitCount = parseXtUint('recent', 'hitcount', arg, 0, 0xffffffff);
        return;
      case 'rttl':
        s.checkSet |= RECENT.TTL;
        return;
      case 'name':
        s.name = arg.slice(0, NAME_LEN - 1);
        return;
      case 'rsource':
        s.side = RECENT_SIDE.SOURCE;
        return;
      case 'rdest':
        s.side = RECENT_SIDE.DEST;
        return;
      case 'mask':
        s.mask = parseXtHost(arg);
        return;
    }
  },
  finalCheck(_s, ctx) {
    if (!OPS.some((o) => ctx.seen.has(o))) {
      throw new ParamError("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
    }
  },
  save(s) {
    let out = s.invert ? ' !' : '';
    if (s.checkSet & RECENT.SET) out += ' --set';
    if (s.checkSet & RECENT.CHECK) out += ' --rcheck';
    if (s.checkSet & RECENT.UPDATE) out += ' --update';
    if (s.checkSet & RECENT.REMOVE) out += ' --remove';
    if (s.seconds) out += ` --seconds ${s.seconds}`;
    if (s.checkSet & RECENT.REAP) out += ' --reap';
    if (s.hitCount) out += ` --hitcount ${s.hitCount}`;
    if (s.checkSet & RECENT.TTL) out += ' --rttl';
    out += ` --name ${s.name} --mask ${ipToString(s.mask)}`;
    return out + (s.side === RECENT_SIDE.SOURCE ? ' --rsource' : ' --rdest');
  },
  print(s) {
    let out = (s.invert ? ' !' : '') + ' recent:';
    if (s.checkSet & RECENT.SET) out += ' SET';
    if (s.checkSet & RECENT.CHECK) out += ' CHECK';
    if (s.checkSet & RECENT.UPDATE) out += ' UPDATE';
    if (s.checkSet & RECENT.REMOVE) out += ' REMOVE';
    if (s.seconds) out += ` seconds: ${s.seconds}`;
    if (s.checkSet & RECENT.REAP) out += ' reap';
    if (s.hitCount) out += ` hit_count: ${s.hitCount}`;
    if (s.checkSet & RECENT.TTL) out += ' TTL-Match';
    out += ` name: ${s.name}`;
    out += s.side === RECENT_SIDE.SOURCE ? ' side: source' : ' side: dest';
    return out + ` mask: ${ipToString(s.mask)}`;
  },
  kernelCheck(s) {
    // recent_mt_check
    if (s.checkSet & (RECENT.SET | RECENT.REMOVE) && (s.seconds || s.hitCount || s.checkSet & (RECENT.TTL | RECENT.REAP))) {
      return 'recent: --set and --remove take no --seconds, --hitcount, --rttl or --reap';
    }
    if (s.checkSet & RECENT.REAP && !s.seconds) return 'recent: --reap needs --seconds';
    if (s.hitCount > MAX_HITCOUNT) {
      return `recent: hitcount (${s.hitCount}) is larger than allowed maximum (${MAX_HITCOUNT})`;
    }
    // xt_check_proc_name
    if (s.name === '' || s.name === '.' || s.name === '..' || s.name.includes('/')) {
      return `recent: invalid list name "${s.name}"`;
    }
    return undefined;
  },
  instantiate(s, rt) {
    const mask = nstampMask(s.hitCount);
    const t = rt.shared('recent', s.name, () => new RecentTable(s.mask, mask));
    if (mask > t.nstampsMaxMask) {
      t.flush();
      t.nstampsMaxMask = mask;
    }
    return t;
  },
  matchPacket: (s, pkt, _rt, inst) => recentMatch(s, inst as RecentTable, pkt),
});
