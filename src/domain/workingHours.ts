/** Whether a moment falls inside a council's working hours, in the council's time zone. Pure: `now` is passed in. */
import type { PackData } from './policy/packSchema';
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

export type HoursBasis = 'answer_and_clock_within' | 'answered_out_of_hours' | 'clock_out_of_hours' | 'both_out_of_hours';

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
export function describeHours(hours: WorkingHours | undefined): string {
  const h = hours ?? DEFAULT_WORKING_HOURS;
  const names: Record<WorkingHours['days'][number], string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
  const days = h.days.length === 5 && ['mon', 'tue', 'wed', 'thu', 'fri'].every((d) => h.days.includes(d as WorkingHours['days'][number])) ? 'Mon–Fri' : h.days.map((d) => names[d]).join(', ');
  return `${days} ${h.start}–${h.end}${h.timezone === 'Europe/London' ? ' (UK time)' : ` (${h.timezone})`}`;
}
