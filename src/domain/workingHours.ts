/** Whether a moment falls inside a council's working hours, in the council's time zone. Pure: `now` is passed in. */
import { z } from 'zod';
import { WEEKDAYS, type PackData } from './policy/packSchema';
import { LruMap } from './lruMap';

export type WorkingHours = NonNullable<PackData['workingHours']>;

/** ChannelCheck's default where a council sets no hours: Monday to Friday, 09:00 to 17:00, UK time. */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  timezone: 'Europe/London',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '17:00',
  basis: 'ChannelCheck default',
};

const WEEKDAY: Record<string, WorkingHours['days'][number]> = {
  Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun',
};

/** Building an Intl.DateTimeFormat costs far more than using one: one per time zone is kept. */
const formatters = new LruMap<string, Intl.DateTimeFormat>(64);

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isWithinWorkingHours(hours: WorkingHours | undefined, now: Date): boolean {
  const h = hours ?? DEFAULT_WORKING_HOURS;
  const parts = formatterFor(h.timezone).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAY[get('weekday')];
  const time = `${get('hour')}:${get('minute')}`;
  return day !== undefined && h.days.includes(day) && time >= h.start && time < h.end;
}

export const HOURS_BASES = ['answer_and_clock_within', 'answered_out_of_hours', 'clock_out_of_hours', 'both_out_of_hours'] as const;
export type HoursBasis = (typeof HOURS_BASES)[number];

/**
 * The hours an alert was routed for, kept with the alert (migration 008) so every card can say which were
 * used and why: the basis, the moment it was routed, and the council's hours then.
 */
export const routedHoursSchema = z.strictObject({
  basis: z.enum(HOURS_BASES),
  at: z.iso.datetime({ offset: true }),
  hours: z.strictObject({ timezone: z.string().min(1).max(64), days: z.array(z.enum(WEEKDAYS)).min(1).max(7), start: z.string().regex(/^\d\d:\d\d$/), end: z.string().regex(/^\d\d:\d\d$/) }),
});
export type RoutedHours = z.infer<typeof routedHoursSchema>;

/** What an alert raised at `now` records about its hours (see routingHours). */
export function routedHoursAt(answeredWithin: boolean, hours: WorkingHours | undefined, now: Date): RoutedHours {
  const h = hours ?? DEFAULT_WORKING_HOURS;
  return { basis: routingHours(answeredWithin, h, now).basis, at: now.toISOString(), hours: { timezone: h.timezone, days: [...h.days], start: h.start, end: h.end } };
}

/**
 * Which hours an alert was routed for, and why: out of hours when the practitioner said so or when the
 * council's clock says so (the clock wins over an answer of "within my hours", because the manager may
 * have gone home). The alert and the practitioner's card say which was used.
 */
export function routingHours(answeredWithin: boolean, hours: WorkingHours | undefined, now: Date): { outOfHours: boolean; basis: HoursBasis } {
  const clockWithin = isWithinWorkingHours(hours, now);
  const basis: HoursBasis = answeredWithin ? (clockWithin ? 'answer_and_clock_within' : 'clock_out_of_hours') : clockWithin ? 'answered_out_of_hours' : 'both_out_of_hours';
  return { outOfHours: basis !== 'answer_and_clock_within', basis };
}

/** "Mon–Fri 09:00–17:00 (UK time)": the hours in words, for the reason given on a card. */
export function describeHours(hours: Pick<WorkingHours, 'timezone' | 'days' | 'start' | 'end'> | undefined): string {
  const h = hours ?? DEFAULT_WORKING_HOURS;
  const names: Record<WorkingHours['days'][number], string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
  const days = h.days.length === 5 && ['mon', 'tue', 'wed', 'thu', 'fri'].every((d) => h.days.includes(d as WorkingHours['days'][number])) ? 'Mon–Fri' : h.days.map((d) => names[d]).join(', ');
  return `${days} ${h.start}–${h.end}${h.timezone === 'Europe/London' ? ' (UK time)' : ` (${h.timezone})`}`;
}
