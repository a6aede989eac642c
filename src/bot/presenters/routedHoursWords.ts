/**
 * Which hours a safeguarding alert was routed for, and why, in words: the council's clock can override the
 * practitioner's answer (the manager may have gone home), and the cards say so rather than contradict it.
 */
import { londonDayTime } from '../../domain/londonTime';
import { describeHours, type RoutedHours } from '../../domain/workingHours';
import { practitionerInSentence } from './factSentences';

/**
 * "Routed out of hours: it was Tue 3 Mar, 18:20 GMT, outside the council's hours (Mon–Fri 09:00–17:00 (UK
 * time)), although Pat said the contact was within their working hours." For the practitioner, "you said …
 * your working hours". Null when the alert predates this being kept.
 */
export function routedHoursText(routed: RoutedHours | null, reader: 'manager' | 'practitioner', practitionerName: string | null): string | null {
  if (routed === null) return null;
  const who = reader === 'practitioner' ? 'you' : practitionerInSentence(practitionerName);
  const their = reader === 'practitioner' ? 'your' : 'their';
  const said = (within: boolean) => `${who} said the contact was ${within ? 'within' : 'outside'} ${their} working hours`;
  const clock = londonDayTime(new Date(routed.at));
  const hours = `the council's hours (${describeHours(routed.hours)})`;
  switch (routed.basis) {
    case 'clock_out_of_hours':
      return `Routed out of hours: it was ${clock}, outside ${hours}, although ${said(true)}.`;
    case 'both_out_of_hours':
      return `Routed out of hours: it was ${clock}, outside ${hours}, and ${said(false)}.`;
    case 'answered_out_of_hours':
      return `Routed out of hours because ${said(false)} (it was ${clock}, within ${hours}).`;
    case 'answer_and_clock_within':
      return `Routed in working hours: it was ${clock}, within ${hours}, and ${said(true)}.`;
  }
}
