/** The facts of a check that matter to a manager, in words, for the approval and alert cards. */
import { FACT_FLAGS, type Facts } from '../../domain/facts';
import { QUESTIONS } from '../../domain/wizard/questions';

function choiceTitle(id: 'contactType' | 'purpose' | 'initiatedBy' | 'consent' | 'device' | 'account', value: string): string {
  const t = QUESTIONS[id].type;
  return t.kind === 'choice' ? (t.choices.find((c) => c.value === value)?.title ?? value) : value;
}

export function factSummary(f: Facts): Array<{ title: string; value: string }> {
  const rows: Array<{ title: string; value: string }> = [
    { title: 'Contact', value: choiceTitle('contactType', f.contactType) + (f.age !== null && f.contactType === 'young_person' ? `, aged ${f.age}` : '') },
    { title: 'For', value: choiceTitle('purpose', f.purpose) },
    { title: 'Started by', value: choiceTitle('initiatedBy', f.initiatedBy) },
    { title: 'Device / account', value: `${choiceTitle('device', f.device)}; ${choiceTitle('account', f.account)}` },
    { title: 'Agreed to WhatsApp', value: choiceTitle('consent', f.consent) },
    { title: 'Working hours', value: f.withinWorkingHours ? 'Yes' : 'No, out of hours' },
  ];
  const flags = FACT_FLAGS.filter((x) => f[x.fact] === true).map((x) => x.title);
  if (flags.length > 0) rows.push({ title: 'Flags', value: flags.join('; ') });
  if (f.parentalConsent !== null) rows.push({ title: 'Parental consent', value: f.parentalConsent ? 'Yes' : 'No' });
  if (f.managerAgreement !== null) rows.push({ title: 'Manager agreement', value: f.managerAgreement ? 'Already given' : 'Not given' });
  return rows;
}
