/**
 * Short UK times for cards and messages, always with the zone, whatever the server's time zone:
 * "3 Mar, 14:05 GMT" in winter, "1 Jul, 15:05 BST" in summer; "14:05 GMT".
 */
export const UK_TIME_ZONE = 'Europe/London';

const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: UK_TIME_ZONE, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: UK_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });

function zoned(format: Intl.DateTimeFormat, d: Date, withDate: boolean): string {
  const parts = format.formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
  return withDate ? `${part('day')} ${part('month')}, ${time}` : time;
}

/** "3 Mar, 14:05 GMT"; empty for no date. */
export function londonDateTime(d: Date | null | undefined): string {
  return d ? zoned(dateTime, d, true) : '';
}

/** "14:05 GMT". */
export function londonClock(d: Date): string {
  return zoned(clock, d, false);
}
