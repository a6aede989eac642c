/** The urgent safeguarding alert to a line manager, Head of Service or the escalation channel. */
import { LEVEL_WORDS } from '../../domain/escalations';
import { londonDateTime } from '../../domain/londonTime';
import { minutesText } from '../../domain/sentenceWords';
import type { AlertView } from '../../domain/views';
import { factBlocks } from './factSentences';
import { citeText, contactDetail } from './outcomePresenter';
import { type CardJson, renderTemplate } from './renderTemplate';
import { routedHoursText } from './routedHoursWords';

/** Why this copy came to its reader: "Not acknowledged within 15 minutes by the line manager: escalated to you." */
export function routingNoteText(note: AlertView['routingNote']): string | null {
  if (!note) return null;
  const to = note.toLevel === 'escalation_channel' ? 'this channel' : 'you';
  switch (note.reason) {
    case 'undelivered':
      return `Not delivered to ${LEVEL_WORDS[note.fromLevel]} within ${minutesText(note.minutes)}: sent to ${to} as well.`;
    case 'unacknowledged':
      return `Not acknowledged within ${minutesText(note.minutes)} by ${LEVEL_WORDS[note.fromLevel]}: escalated to ${to}.`;
    case 'reminder':
      return `REMINDER: not acknowledged after ${minutesText(note.minutes)}, and there is nobody further to send it to. Acknowledge it, or phone the practitioner.`;
  }
}

/** The data the safeguarding-alert template is bound to. */
export function alertCardData(view: AlertView) {
  const open = view.status !== 'acknowledged';
  const at = londonDateTime(view.acknowledgedAt === null ? null : new Date(view.acknowledgedAt));
  return {
    escalationId: view.escalationId,
    title: view.facts.immediateRiskToLife ? 'URGENT: immediate risk reported' : 'URGENT: safeguarding alert',
    subtitle: `From ${view.practitioner.name ?? '(erased)'} · ${view.council} · case ${view.caseRef ?? 'not given'} · raised ${londonDateTime(new Date(view.raisedAt))}`,
    escalationNote: routingNoteText(view.routingNote),
    routedHoursNote: routedHoursText(view.routedHours, 'manager', view.practitioner.name),
    ...factBlocks(view),
    reasons: view.reasons.map((r) => ({ text: r.text, cite: citeText(r) })),
    contacts: view.contacts.map((c) => ({ label: c.label, detail: contactDetail(c) })),
    status: open ? 'Not yet acknowledged. Acknowledge when you are dealing with it: the practitioner sees who did.' : `Acknowledged by ${view.acknowledgedBy?.name ?? 'another manager'} at ${at}.`,
    statusColor: open ? 'Attention' : 'Good',
    canAcknowledge: open,
  };
}

export function presentAlert(view: AlertView): CardJson {
  return renderTemplate('safeguarding-alert', alertCardData(view));
}
