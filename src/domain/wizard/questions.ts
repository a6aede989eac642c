/**
 * The questions the decision card can ask: one per fact (the card input id IS the fact name) plus the
 * optional case reference. Labels are short so they read well on a phone.
 */
import type { FactName } from '../facts';

export type QuestionId = FactName | 'caseRef';

export type QuestionKind =
  | { kind: 'choice'; choices: ReadonlyArray<{ value: string; title: string }> }
  | { kind: 'toggle'; title: string }
  /** A nullable boolean: yes / no / not yet (null). */
  | { kind: 'yesNoUnknown'; unknownTitle: string }
  | { kind: 'age' }
  | { kind: 'caseRef' };

export interface Question {
  id: QuestionId;
  label: string;
  hint?: string;
  /** Required answers have no default; the card marks them isRequired. */
  required: boolean;
  errorMessage: string;
  type: QuestionKind;
}

const q = (id: QuestionId, label: string, type: QuestionKind, required: boolean, errorMessage: string, hint?: string): Question =>
  hint === undefined ? { id, label, type, required, errorMessage } : { id, label, type, required, errorMessage, hint };

export const QUESTIONS: Record<QuestionId, Question> = {
  contactType: q('contactType', 'Who is the contact?', {
    kind: 'choice',
    choices: [
      { value: 'young_person', title: 'A young person (or a group of young people)' },
      { value: 'parent_carer', title: 'A parent or carer' },
      { value: 'staff', title: 'A colleague' },
      { value: 'foster_carer_volunteer', title: 'A foster carer or volunteer' },
    ],
  }, true, 'Choose who the contact is.'),
  purpose: q('purpose', 'What is the contact for?', {
    kind: 'choice',
    choices: [
      { value: 'keep_in_touch', title: 'Keeping in touch' },
      { value: 'appointment', title: 'Arranging or confirming an appointment' },
      { value: 'video_visit', title: 'A video call or virtual visit' },
      { value: 'assessment_or_review', title: 'An assessment or review conversation' },
      { value: 'share_documents', title: 'Sending documents or photos of them' },
      { value: 'group_chat', title: 'A group chat' },
      { value: 'broadcast', title: 'A broadcast message to many people' },
      { value: 'colleague_chat', title: 'Chat with colleagues' },
      { value: 'allocate_work', title: 'Allocating work or tasks' },
    ],
  }, true, 'Choose what the contact is for.'),
  initiatedBy: q('initiatedBy', 'Who started the contact?', {
    kind: 'choice',
    choices: [
      { value: 'practitioner', title: 'I am starting it' },
      { value: 'young_person', title: 'The young person contacted me' },
      { value: 'parent_carer', title: 'A parent or carer contacted me' },
      { value: 'colleague', title: 'A colleague contacted me' },
    ],
  }, false, 'Choose who started the contact.'),
  immediateRiskToLife: q('immediateRiskToLife', 'Immediate risk', { kind: 'toggle', title: 'Someone is at immediate risk of harm or risk to life' }, false, ''),
  safeguardingConcern: q('safeguardingConcern', 'Safeguarding', { kind: 'toggle', title: 'New information suggests a risk of harm (a safeguarding concern)' }, false, ''),
  caseRef: q('caseRef', 'Case reference (optional)', { kind: 'caseRef' }, false, 'Enter the case number only, never a name.', 'The case number from the case record. Never a name.'),
  // Not required on the card, so "Not sure" can be ticked instead; the wizard asks for one or the other.
  age: q('age', "Young person's age", { kind: 'age' }, false, 'Enter a whole number from 0 to 120, or tick "Not sure of their age".', 'For a group, the youngest member.'),
  ageUnknown: q('ageUnknown', 'Not sure?', { kind: 'toggle', title: 'Not sure of their age (ChannelCheck treats it as under 16 until you confirm it)' }, false, ''),
  device: q('device', 'Which phone or device?', {
    kind: 'choice',
    choices: [
      { value: 'work_issued', title: 'My council-issued work device' },
      { value: 'personal', title: 'My personal phone or device' },
    ],
  }, true, 'Choose the device.'),
  account: q('account', 'Which account?', {
    kind: 'choice',
    choices: [
      { value: 'work', title: 'My work account' },
      { value: 'personal', title: 'My personal account' },
    ],
  }, true, 'Choose the account.'),
  teamsAvailable: q('teamsAvailable', 'Microsoft Teams', { kind: 'toggle', title: 'They can realistically use Microsoft Teams' }, false, ''),
  consent: q('consent', 'Have they agreed to WhatsApp?', {
    kind: 'choice',
    choices: [
      { value: 'given', title: 'Yes, they said yes explicitly' },
      { value: 'not_asked', title: 'Not asked yet' },
      { value: 'declined', title: 'No, or no explicit yes' },
    ],
  }, false, 'Choose whether they agreed.'),
  withinWorkingHours: q('withinWorkingHours', 'Working hours', { kind: 'toggle', title: 'This contact is within my working hours' }, false, ''),
  dedicatedBroadcastDevice: q('dedicatedBroadcastDevice', 'Broadcast phone', { kind: 'yesNoUnknown', unknownTitle: 'Not sure' }, false, 'Choose an answer.', 'Is it sent from a phone kept only for broadcasts?'),
  serviceInScope: q('serviceInScope', 'Your service', { kind: 'yesNoUnknown', unknownTitle: 'Not sure' }, false, 'Choose an answer.', 'Is your service covered by this policy?'),
  riskPhoneAccessByAbuser: q('riskPhoneAccessByAbuser', 'Phone access', { kind: 'toggle', title: 'Someone with access to their phone poses a risk' }, false, ''),
  sensitiveContent: q('sensitiveContent', 'Content', { kind: 'toggle', title: 'The message would carry personal, sensitive or case-document content' }, false, ''),
  inappropriateContentReceived: q('inappropriateContentReceived', 'Content received', { kind: 'toggle', title: 'I have received inappropriate or concerning content' }, false, ''),
  dataIncident: q('dataIncident', 'Data incident', { kind: 'toggle', title: 'Personal data has already gone to the wrong person or channel' }, false, ''),
  practitionerUncertain: q('practitionerUncertain', 'Your judgement', { kind: 'toggle', title: 'I am unsure or have concerns about using WhatsApp here' }, false, ''),
  parentalConsent: q('parentalConsent', 'Parental consent', { kind: 'yesNoUnknown', unknownTitle: 'Not asked' }, false, 'Choose an answer.', 'Has a parent or guardian consented?'),
  managerAgreement: q('managerAgreement', 'Manager agreement', { kind: 'yesNoUnknown', unknownTitle: 'Not yet' }, false, 'Choose an answer.', 'Has your line manager or Team Manager already agreed?'),
};

/** For a group or a broadcast the age question asks about the youngest member, in bands. */
export const YOUNGEST_AGE_BANDS = { under_16: 'The youngest is under 16', '16_plus': 'The youngest is 16 or over', not_sure: 'Not sure' } as const;
export type YoungestAgeBand = keyof typeof YOUNGEST_AGE_BANDS;

export const YOUNGEST_AGE_QUESTION: Question = q(
  'age',
  'How old is the youngest member?',
  { kind: 'choice', choices: Object.entries(YOUNGEST_AGE_BANDS).map(([value, title]) => ({ value, title })) },
  true,
  'Choose the youngest member\'s age.',
  '"Under 16" and "Not sure" are treated as under 16 until you confirm the age.',
);
