/** Short labels the tab shows beside the presenters' own words: times, waiting times and status badges. */
import type { ChecksEntryView, DecisionView } from '../../domain/views';

const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

export function londonTime(iso: string | null): string {
  return iso ? LONDON.format(new Date(iso)) : '';
}

/** "3 minutes", "1 hour 5 minutes", "2 days": how long something has waited, from the server's clock. */
export function waited(sinceIso: string, nowIso: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(nowIso) - Date.parse(sinceIso)) / 60_000));
  if (minutes < 1) return 'less than a minute';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${plural(hours, 'hour')}${minutes % 60 ? ` ${plural(minutes % 60, 'minute')}` : ''}`;
  return plural(Math.floor(hours / 24), 'day');
}

export type Tone = 'pending' | 'good' | 'bad' | 'neutral';

/** Where a decision's line-manager part stands, as a badge. */
export function decisionBadge(d: DecisionView): { text: string; tone: Tone } {
  if (d.alert) {
    if (d.alert.status === 'acknowledged') return { text: `Alert acknowledged${d.alert.acknowledgedBy?.name ? ` by ${d.alert.acknowledgedBy.name}` : ''}`, tone: 'good' };
    return { text: 'Alert not yet acknowledged', tone: 'bad' };
  }
  if (d.approval) {
    const by = d.approval.settledBy?.name ? ` by ${d.approval.settledBy.name}` : '';
    if (d.approval.status === 'approved') return { text: `Approved${by}`, tone: 'good' };
    if (d.approval.status === 'declined') return { text: `Declined${by}`, tone: 'bad' };
    if (d.approval.status === 'cancelled') return { text: 'Approval request withdrawn', tone: 'neutral' };
    return { text: 'Approval pending', tone: 'pending' };
  }
  return { text: 'Recorded', tone: 'neutral' };
}

const STATE: Record<ChecksEntryView['state'], { text: string; tone: Tone }> = {
  recorded: { text: 'Recorded', tone: 'neutral' },
  awaiting_approval: { text: 'Approval pending', tone: 'pending' },
  approved: { text: 'Approved', tone: 'good' },
  declined: { text: 'Declined', tone: 'bad' },
  approval_cancelled: { text: 'Approval request withdrawn', tone: 'neutral' },
  escalation_open: { text: 'Alert not yet acknowledged', tone: 'bad' },
  escalation_acknowledged: { text: 'Alert acknowledged', tone: 'good' },
};

export function entryBadge(e: ChecksEntryView): { text: string; tone: Tone } {
  return STATE[e.state];
}
