/** The line manager's part of a decision in the practitioner's words: the status line on the outcome card. */
import { londonDateTime as when } from '../../domain/londonTime';
import { endingWithQuote, minutesText } from '../../domain/sentenceWords';
import type { AlertCopyView, ManagerStatus } from '../../domain/views';
import { routedHoursText } from './routedHoursWords';

const LEVEL = { manager: 'your line manager', head_of_service: 'the Head of Service / on-call manager', escalation_channel: 'the escalation channel' } as const;

const at = (iso: string | null) => when(iso === null ? null : new Date(iso));

function noManagerText(n: 'not_on_record' | 'lookup_failed' | null): string {
  if (n === null) return '';
  return `${n === 'lookup_failed' ? 'Your line manager could not be looked up' : 'ChannelCheck has no line manager on record for you'}: tell your manager or the duty manager yourself now, and use the contacts below. `;
}

/** Who a copy of an alert is for: "your line manager Lee Manager", "the Head of Service Sam Head", "the escalation channel". */
export function copyRecipient(r: AlertCopyView['recipient']): string {
  if (r.level === 'manager' && r.name) return `your line manager ${r.name}`;
  if (r.level === 'head_of_service' && r.name) return `the Head of Service ${r.name}`;
  if (r.level === 'escalation_channel') return 'the escalation channel';
  return r.description ?? 'a manager';
}

function deliveryText(copies: readonly AlertCopyView[]): string {
  const lines = copies.map((c) => {
    const who = copyRecipient(c.recipient);
    if (c.delivery === 'delivered') return `delivered to ${who} at ${at(c.deliveredAt)}`;
    if (c.delivery === 'failed') return `could not be delivered to ${who}`;
    return `not yet delivered to ${who} (Teams has not accepted it yet; ChannelCheck keeps trying)`;
  });
  if (lines.length === 0) return '';
  const text = lines.join('; ');
  return ` ${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function numbersText(numbers: ReadonlyArray<{ label: string; phone: string }>): string {
  return numbers.length === 0 ? "the numbers in your council's safeguarding procedure" : numbers.map((c) => `${c.label} ${c.phone}`).join('; ');
}

function sentence(s: ManagerStatus): string {
  switch (s.kind) {
    case 'alert_sending': {
      const reached = s.reached.map((r) => (r.level === 'escalation_channel' ? LEVEL.escalation_channel : `${LEVEL[r.level]} ${r.name ?? ''}`.trim()));
      // Said only when it was routed out of hours: why the Head of Service / on-call manager has it too.
      const hours = s.routedHours && s.routedHours.basis !== 'answer_and_clock_within' ? ` ${routedHoursText(s.routedHours, 'practitioner', null)}` : '';
      return `${noManagerText(s.noManager)}An urgent safeguarding alert is being sent to ${reached.join(' and ')}: queued, not yet delivered.${hours} This card will say when it is delivered and acknowledged.${s.goesFurtherAfterMinutes !== null ? ` If nobody acknowledges it within ${minutesText(s.goesFurtherAfterMinutes)} it goes further.` : ''}`;
    }
    case 'alert_unreachable':
      return `${noManagerText(s.noManager)}Nobody could be alerted through Teams: phone your line manager or the council's escalation contacts below now.`;
    case 'alert_open':
      return `An urgent safeguarding alert is with ${LEVEL[s.level]}; not yet acknowledged.${deliveryText(s.copies)}`;
    case 'alert_acknowledged':
      return `Acknowledged by ${s.byName ?? 'a manager'} at ${at(s.at)}: your safeguarding alert is being dealt with.`;
    case 'phone_now':
      return s.reason === 'undelivered'
        ? `Not delivered to anyone in Teams after ${minutesText(s.minutes)}: phone your line manager or the out-of-hours contact now: ${numbersText(s.numbers)}.`
        : `Not acknowledged after ${minutesText(s.minutes)}: phone your line manager or the out-of-hours contact now: ${numbersText(s.numbers)}.`;
    case 'approval_sending':
      return `An approval request is being sent to your line manager ${s.managerName}. Do not use WhatsApp until they agree; this card will update when they decide.`;
    case 'approval_no_manager':
      return `ChannelCheck has no line manager on record for you, so no approval request could be sent${s.channelTold ? ' (the escalation channel has been told)' : ''}. Ask your line manager directly before using WhatsApp.`;
    case 'approval': {
      const by = s.byName ?? 'your line manager';
      switch (s.status) {
        case 'open':
          return 'An approval request has gone to your line manager. Do not use WhatsApp until they agree.';
        case 'approved':
          return `${endingWithQuote(`Approved by ${by} at ${at(s.at)}`, s.comment)} Follow the conditions below.`;
        case 'declined':
          return `${endingWithQuote(`Declined by ${by} at ${at(s.at)}`, s.comment)} Do not use WhatsApp; use the alternatives.`;
        case 'cancelled':
          return 'You withdrew the approval request.';
      }
      break;
    }
    case 'notice_sent':
      return s.managerName ? `Your line manager ${s.managerName} has been notified.` : 'Your line manager has been notified.';
    case 'notice_no_manager':
      return `Your line manager should know about this, but ChannelCheck has no line manager on record for you: tell them yourself${s.channelTold ? ' (the escalation channel has been told)' : ''}.`;
  }
  return '';
}

/** The status facts as one line; null when there is nothing to say. */
export function managerStatusText(status: readonly ManagerStatus[]): string | null {
  const text = status.map(sentence).filter(Boolean).join(' ');
  return text === '' ? null : text;
}
