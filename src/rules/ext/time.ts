/**
 * time match (libxt_time / kernel xt_time): date range, time of day, days of the month
 * and days of the week, evaluated in UTC unless --kerneltz (the kernel's timezone).
 * Dates are stored as the kernel holds them: 32-bit seconds since the epoch, computed by
 * mktime() under TZ=UTC, so out-of-range fields roll over ("2001-02-31" is March 3rd).
 */
import { ParamError } from '../errors.js';
import { cStrtoul } from './common/numbers.js';
import { defineMatch } from './types.js';

/** flags (XT_TIME_*). */
export const TIME_FLAG = { LOCAL_TZ: 1 << 0, CONTIGUOUS: 1 << 1 } as const;

/** Bits 1..31 (bit 0 is never tested). */
export const ALL_MONTHDAYS = 0xfffffffe;
/** Bits 1 (Monday) .. 7 (Sunday). */
export const ALL_WEEKDAYS = 0xfe;
const MAX_DAYTIME = 24 * 60 * 60 - 1;
/** date_stop default: INT_MAX, 2038-01-19T03:14:07. */
const DATE_STOP_DEFAULT = 0x7fffffff;

export interface TimeState {
  /** Seconds since the epoch (uint32). */
  dateStart: number;
  dateStop: number;
  /** Seconds since midnight. */
  daytimeStart: number;
  daytimeStop: number;
  /** Bit n = day n of the month. */
  monthdays: number;
  /** Bit n = ISO weekday n (1 = Monday); a uint8 in the kernel's struct. */
  weekdays: number;
  /** TIME_FLAG bits. */
  flags: number;
}

const WEEK_DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** strtoul(s, &e, 10) truncated to unsigned int, as the date and time parsers use it. */
function field(text: string, from: number): { value: number; end: number } {
  const r = cStrtoul(text.slice(from), 10);
  return { value: Number(r.value & 0xffffffffn), end: from + r.end };
}

/**
 * time_parse_date: YYYY[-MM[-DD[Thh[:mm[:ss]]]]] with the bounds checked per field (month
 * and day may be 0), then mktime in UTC.
 */
function parseDate(text: string): number {
  const bad = (): ParamError =>
    new ParamError(`Invalid date "${text}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`);
  // [separator that may follow, upper bound, lower bound] per field
  const spec: ReadonlyArray<readonly [string, number, number]> = [
    ['-', 2038, 1970],
    ['-', 12, 0],
    ['T', 31, 0],
    [':', 23, 0],
    [':', 59, 0],
    ['', 59, 0],
  ];
  const values = [0, 1, 1, 0, 0, 0];
  let pos = 0;
  for (let k = 0; k < spec.length; k++) {
    const [sep, max, min] = spec[k]!;
    const f = field(text, pos);
    const next = text[f.end];
    if ((next !== undefined && next !== sep) || f.value > max || f.value < min) throw bad();
    values[k] = f.value;
    if (next === undefined) break;
    pos = f.end + 1;
  }
  const [year, month, day, hour, minute, second] = values as [number, number, number, number, number, number];
  const t = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (t < 0) throw new ParamError('mktime returned an error');
  return t >>> 0;
}

/** time_parse_minutes: hh:mm[:ss]; the message quotes the text from the failing field. */
function parseDaytime(text: string): number {
  const bad = (from: number): ParamError =>
    new ParamError(
      `invalid time "${text.slice(from)}" specified, should be hh:mm[:ss] format and within the boundaries`,
    );
  const hour = field(text, 0);
  if (text[hour.end] !== ':' || hour.value > 23) throw bad(0);
  let pos = hour.end + 1;
  const minute = field(text, pos);
  const afterMinute = text[minute.end];
  if ((afterMinute !== undefined && afterMinute !== ':') || minute.value > 59) throw bad(pos);
  let second = 0;
  if (afterMinute !== undefined) {
    pos = minute.end + 1;
    const s = field(text, pos);
    if (s.end !== text.length || s.value > 59) throw bad(pos);
    second = s.value;
  }
  return hour.value * 3600 + minute.value * 60 + second;
}

/**
 * my_strseg: comma-separated items, each cut to `size - 1` characters (the C buffer);
 * an empty item in the middle is kept, a trailing empty one ends the list.
 */
function segments(text: string, size: number): string[] {
  const out: string[] = [];
  let rest: string | undefined = text;
  while (rest !== undefined && rest !== '') {
    const comma: number = rest.indexOf(',');
    const item: string = comma < 0 ? rest : rest.slice(0, comma);
    out.push(item.slice(0, size - 1));
    rest = comma < 0 ? undefined : rest.slice(comma + 1);
  }
  return out;
}

/** time_parse_monthdays: base-0 numbers 0..31 from 2-character items. */
function parseMonthdays(text: string): number {
  let mask = 0;
  for (const day of segments(text, 3)) {
    const r = cStrtoul(day, 0);
    const value = Number(r.value & 0xffffffffn);
    if (r.end !== day.length || value > 31) throw new ParamError(`${day} is not a valid day for --monthdays`);
    mask |= 1 << value;
  }
  return mask >>> 0;
}

/**
 * time_parse_weekdays: base-0 numbers (1 << n, the shift count taken modulo 32 as x86
 * does) or names by their first two letters, from 3-character items.
 */
function parseWeekdays(text: string): number {
  let mask = 0;
  for (const day of segments(text, 4)) {
    const r = cStrtoul(day, 0);
    if (r.end === day.length) {
      const value = Number(r.value & 0xffffffffn);
      if (value === 0) throw new ParamError('No, the week does NOT begin with Sunday.');
      mask |= 1 << (value & 31);
      continue;
    }
    let valid = false;
    for (let i = 1; i < WEEK_DAYS.length; i++) {
      if (day.slice(0, 2) === WEEK_DAYS[i]!.slice(0, 2) && day.length >= 2) {
        mask |= 1 << i;
        valid = true;
      }
    }
    if (!valid) throw new ParamError(`${day} is not a valid day specifier`);
  }
  return mask >>> 0;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function daytimeText(t: number): string {
  return `${pad2(Math.floor(t / 3600))}:${pad2(Math.floor(t / 60) % 60)}:${pad2(t % 60)}`;
}

/** gmtime, printed "YYYY-MM-DD<sep>hh:mm:ss". */
function dateText(t: number, sep: string): string {
  const d = new Date(t * 1000);
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return `${date}${sep}${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function weekdaysText(mask: number): string {
  return WEEK_DAYS.filter((_, i) => i > 0 && mask & (1 << i)).join(',');
}

/** time_print_monthdays; the listing adds English ordinal suffixes by the last digit. */
function monthdaysText(mask: number, human: boolean): string {
  const days: string[] = [];
  for (let i = 1; i <= 31; i++) {
    if (!(mask & (1 << i))) continue;
    const suffix = ['th', 'st', 'nd', 'rd'][i % 10] ?? 'th';
    days.push(human ? `${i}${suffix}` : `${i}`);
  }
  return days.join(',');
}

const SECONDS_PER_DAY = 86400;

/**
 * sys_tz.tz_minuteswest, the kernel timezone --kerneltz applies. It is 0 unless something
 * set it with settimeofday() (systemd does only for a hardware clock kept in local time),
 * which a capture does not record.
 */
const KERNEL_TZ_MINUTES_WEST = 0;

/** xt_time's days_since_epoch: 1 January of 2039 down to 1970, in days since the epoch. */
const DSE_FIRST = 2039;
const DAYS_SINCE_EPOCH: readonly number[] = Array.from(
  { length: DSE_FIRST - 1970 + 1 },
  (_, i) => Date.UTC(DSE_FIRST - i, 0, 1) / 86400000,
);
const DAYS_SINCE_YEAR = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_SINCE_LEAPYEAR = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/**
 * localtime_3: the day of the month of `dse` through the kernel's tables, which end in
 * 2039: a later date is counted from 1 January 2039 (and the u8 wraps), as the kernel does.
 */
function monthday(dse: number): number {
  let i = 0;
  let year = DSE_FIRST;
  while (DAYS_SINCE_EPOCH[i]! > dse) {
    i++;
    year--;
  }
  const w = dse - DAYS_SINCE_EPOCH[i]!;
  const table = isLeap(year) ? DAYS_SINCE_LEAPYEAR : DAYS_SINCE_YEAR;
  let m = table.length - 1;
  while (m > 0 && table[m]! > w) m--;
  return (w - table[m]! + 1) & 0xff;
}

/**
 * time_mt: the time is the packet's capture time (the kernel uses the time it processes
 * the packet, ktime_get_real_seconds), in UTC unless --kerneltz. Date range first, then
 * the time of day (a range that wraps midnight when start > stop; with --contiguous the
 * part after midnight belongs to the previous day), then weekday, then day of the month.
 */
export function timeMatch(s: TimeState, tsSec: number): boolean {
  let stamp = tsSec;
  if (s.flags & TIME_FLAG.LOCAL_TZ) stamp -= 60 * KERNEL_TZ_MINUTES_WEST;
  if (stamp < s.dateStart || stamp > s.dateStop) return false;
  const packetTime = ((stamp % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
  if (s.daytimeStart < s.daytimeStop) {
    if (packetTime < s.daytimeStart || packetTime > s.daytimeStop) return false;
  } else {
    if (packetTime < s.daytimeStart && packetTime > s.daytimeStop) return false;
    if (s.flags & TIME_FLAG.CONTIGUOUS && packetTime <= s.daytimeStop) stamp -= SECONDS_PER_DAY;
  }
  const dse = Math.floor(stamp / SECONDS_PER_DAY);
  const weekday = ((4 + dse - 1) % 7) + 1;
  if ((s.weekdays & (1 << weekday)) === 0) return false;
  if (s.monthdays === ALL_MONTHDAYS) return true;
  return (s.monthdays & (1 << monthday(dse))) !== 0;
}

export const time = defineMatch<TimeState>({
  name: 'time',
  modelled: true,
  options: [
    { name: 'datestart', arg: 'required' },
    { name: 'datestop', arg: 'required' },
    { name: 'timestart', arg: 'required' },
    { name: 'timestop', arg: 'required' },
    { name: 'contiguous', arg: 'none' },
    { name: 'weekdays', arg: 'required', invert: true },
    { name: 'monthdays', arg: 'required', invert: true },
    { name: 'localtz', arg: 'none', excl: ['utc'] },
    { name: 'utc', arg: 'none', excl: ['localtz', 'kerneltz'] },
    { name: 'kerneltz', arg: 'none', excl: ['utc'] },
  ],
  // time_init: every day, all day, no date bounds.
  create: () => ({
    dateStart: 0,
    dateStop: DATE_STOP_DEFAULT,
    daytimeStart: 0,
    daytimeStop: MAX_DAYTIME,
    monthdays: ALL_MONTHDAYS,
    weekdays: ALL_WEEKDAYS,
    flags: 0,
  }),
  parse(s, call, ctx) {
    const arg = call.arg ?? '';
    switch (call.name) {
      case 'datestart':
        s.dateStart = parseDate(arg);
        return;
      case 'datestop':
        s.dateStop = parseDate(arg);
        return;
      case 'timestart':
        s.daytimeStart = parseDaytime(arg);
        return;
      case 'timestop':
        s.daytimeStop = parseDaytime(arg);
        return;
      case 'contiguous':
        s.flags |= TIME_FLAG.CONTIGUOUS;
        return;
      case 'localtz':
        ctx.warn(
          'WARNING: --localtz is being replaced by --kerneltz, since "local" is ambiguous. Note the kernel timezone has caveats - see manpage for details.',
        );
        s.flags |= TIME_FLAG.LOCAL_TZ;
        return;
      case 'kerneltz':
        s.flags |= TIME_FLAG.LOCAL_TZ;
        return;
      case 'monthdays':
        s.monthdays = parseMonthdays(arg);
        if (call.invert) s.monthdays = (s.monthdays ^ ALL_MONTHDAYS) >>> 0;
        return;
      case 'weekdays':
        s.weekdays = parseWeekdays(arg) & 0xff;
        if (call.invert) s.weekdays ^= ALL_WEEKDAYS;
        return;
    }
  },
  finalCheck(s, ctx) {
    if (ctx.seen.has('contiguous') && s.daytimeStart < s.daytimeStop) {
      throw new ParamError('time: --contiguous only makes sense when stoptime is smaller than starttime');
    }
  },
  save(s) {
    let out = '';
    if (s.daytimeStart !== 0 || s.daytimeStop !== MAX_DAYTIME) {
      out += ` --timestart ${daytimeText(s.daytimeStart)} --timestop ${daytimeText(s.daytimeStop)}`;
    }
    if (s.monthdays !== ALL_MONTHDAYS) out += ` --monthdays ${monthdaysText(s.monthdays, false)}`;
    if (s.weekdays !== ALL_WEEKDAYS) out += ` --weekdays ${weekdaysText(s.weekdays)}`;
    // time_print_date skips 0 and LONG_MAX, so the INT_MAX default stop date is saved.
    if (s.dateStart !== 0) out += ` --datestart ${dateText(s.dateStart, 'T')}`;
    if (s.dateStop !== 0) out += ` --datestop ${dateText(s.dateStop, 'T')}`;
    if (s.flags & TIME_FLAG.LOCAL_TZ) out += ' --kerneltz';
    if (s.flags & TIME_FLAG.CONTIGUOUS) out += ' --contiguous';
    return out;
  },
  print(s) {
    let out = ' TIME';
    if (s.daytimeStart !== 0 || s.daytimeStop !== MAX_DAYTIME) {
      out += ` from ${daytimeText(s.daytimeStart)} to ${daytimeText(s.daytimeStop)}`;
    }
    if (s.weekdays !== ALL_WEEKDAYS) out += ` on ${weekdaysText(s.weekdays)}`;
    if (s.monthdays !== ALL_MONTHDAYS) out += ` on ${monthdaysText(s.monthdays, true)}`;
    if (s.dateStart !== 0) out += ` starting from ${dateText(s.dateStart, ' ')}`;
    // time_print_date prints nothing for 0, leaving a bare "until date".
    if (s.dateStop !== DATE_STOP_DEFAULT) out += ' until date' + (s.dateStop !== 0 ? ` ${dateText(s.dateStop, ' ')}` : '');
    if (!(s.flags & TIME_FLAG.LOCAL_TZ)) out += ' UTC';
    if (s.flags & TIME_FLAG.CONTIGUOUS) out += ' contiguous';
    return out;
  },
  matchPacket: (s, pkt) => timeMatch(s, pkt.tsSec),
});
