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
