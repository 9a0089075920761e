import {
  endOfDay,
  formatDistanceStrict,
  isValid,
  parseISO,
  startOfDay,
  subDays,
  subHours,
  subMinutes,
  subWeeks,
} from 'date-fns';

/**
 * The dates the command line reads (`--since`, `--until`) and the ages it prints, in local time,
 * through date-fns. `now` is always passed in, so tests pin it.
 */

/** Which end of a day-sized value (a bare date, `today`, `yesterday`) a bound takes. */
export type DateBound = 'start' | 'end';

/** The forms accepted, for messages. */
export const DATE_FORMS = '2026-11-21, 2026-11-21T10:00Z, 7d, 12h, yesterday or today';

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const RELATIVE_RE = /^(\d{1,9})([mhdw])$/;
const BACK = { m: subMinutes, h: subHours, d: subDays, w: subWeeks } as const;

/**
 * The instant a date option names, or undefined when the text is none of the accepted forms:
 * - `2026-11-21`, `today`, `yesterday`: that local day, from its first millisecond for a `start`
 *   bound, to its last for an `end` bound (so `--until 2026-11-21` includes the 21st);
 * - `2026-11-21T10:00[:30[.250]]`: that local time; with `Z` or an offset (`+02:00`): that instant;
 * - `30m`, `12h`, `3d`, `2w`: that long before `now`; days and weeks are calendar days, so `1d`
 *   across a daylight-saving change is the same clock time yesterday, not 24 hours.
 */
export function parseWhen(text: string, now: Date, bound: DateBound): Date | undefined {
  const day = (d: Date): Date => (bound === 'start' ? startOfDay(d) : endOfDay(d));
  const word = text.toLowerCase();
  let date: Date | undefined;
  if (word === 'today') date = day(now);
  else if (word === 'yesterday') date = day(subDays(now, 1));
  else if (RELATIVE_RE.test(text)) {
    const [, n, unit] = RELATIVE_RE.exec(text) as unknown as [string, string, keyof typeof BACK];
    date = BACK[unit](now, Number(n));
  } else if (ISO_RE.test(text)) {
    const parsed = parseISO(text);
    date = text.length === 10 ? day(parsed) : parsed;
  }
  return date !== undefined && isValid(date) ? date : undefined;
}

/**
 * How long before `now` the instant `iso` is, in the largest whole unit: `45 seconds`, `3 hours`,
 * `13 days`, `2 months`, `1 year`; `in 5 minutes` for a time ahead of `now` (a skewed clock), and
 * an empty string for text that is not a date.
 */
export function age(iso: string, now: Date): string {
  const date = new Date(iso);
  if (!isValid(date)) return '';
  return formatDistanceStrict(date, now, { roundingMethod: 'floor', addSuffix: date > now });
}

/** {@link age} as a phrase: `3 hours ago`, `in 5 minutes`. */
export function ago(iso: string, now: Date): string {
  const date = new Date(iso);
  if (!isValid(date)) return '';
  return formatDistanceStrict(date, now, { roundingMethod: 'floor', addSuffix: true });
}
