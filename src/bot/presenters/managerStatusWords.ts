/** The line manager's part of a decision in the practitioner's words: the status line on the outcome card. */
import { londonDateTime as when } from '../../domain/londonTime';
import type { AlertCopyView, ManagerStatus } from '../../domain/views';

const LEVEL = { manager: 'your line manager', head_of_service: 'the Head of Service / on-call manager', escalation_channel: 'the escalation channel' } as const;

const at = (iso: string | null) => when(iso === null ? null : new Date(iso));
const said = (comment: string | null) => (comment ? `: "${comment}"` : '');

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
      return `${noManagerText(s.noManager)}An urgent safeguarding alert is being sent to ${reached.join(' and ')}: queued, not yet delivered. This card will say when it is delivered and acknowledged.${s.goesFurtherAfterMinutes !== null ? ` If nobody acknowledges it within ${s.goesFurtherAfterMinutes} minutes it goes further.` : ''}`;
    }
    case 'alert_unreachable':
      return `${noManagerText(s.noManager)}Nobody could be alerted through Teams: phone your line manager or the council's escalation contacts below now.`;
    case 'alert_open':
      return `An urgent safeguarding alert is with ${LEVEL[s.level]}; not yet acknowledged.${deliveryText(s.copies)}`;
    case 'alert_acknowledged':
      return `Safeguarding alert acknowledged${s.byName ? ` by ${s.byName}` : ''} at ${at(s.at)}.`;
    case 'phone_now':
      return s.reason === 'undelivered'
        ? `Not delivered to anyone in Teams after ${s.minutes} minute${s.minutes === 1 ? '' : 's'}: phone your line manager or the out-of-hours contact now: ${numbersText(s.numbers)}.`
        : `Not acknowledged after ${s.minutes} minutes: phone your line manager or the out-of-hours contact now: ${numbersText(s.numbers)}.`;
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
          return `Approved by ${by} at ${at(s.at)}${said(s.comment)}. Follow the conditions below.`;
        case 'declined':
          return `Declined by ${by} at ${at(s.at)}${said(s.comment)}. Do not use WhatsApp; use the alternatives.`;
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
