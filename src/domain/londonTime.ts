/** Short UK times for cards and messages ("3 Mar, 14:05"; "14:05"), whatever the server's time zone. */
export const UK_TIME_ZONE = 'Europe/London';

const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: UK_TIME_ZONE, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: UK_TIME_ZONE, hour: '2-digit', minute: '2-digit' });

/** "3 Mar, 14:05"; empty for no date. */
export function londonDateTime(d: Date | null | undefined): string {
  return d ? dateTime.format(d) : '';
}

/** "14:05". */
export function londonClock(d: Date): string {
  return clock.format(d);
}
