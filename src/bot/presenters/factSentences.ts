/**
 * A check's facts as the line manager reads them: in the third person ("Pat is starting the contact",
 * "Pat's council-issued work device"), the facts that decided the check first, every fact that can matter
 * shown (Teams unavailable, Leicester's service question), never the practitioner's own first-person
 * answers. Pure: the approval and alert presenters and the tab use the same words.
 */
import type { FactName, Facts } from '../../domain/facts';

export interface FactSentence {
  fact: FactName | 'flags';
  title: string;
  value: string;
  /** A fact a decisive rule read: why the check needs the manager. */
  deciding: boolean;
}

const CONTACT: Record<Facts['contactType'], string> = {
  young_person: 'A young person',
  parent_carer: 'A parent or carer',
  staff: 'A colleague',
  foster_carer_volunteer: 'A foster carer or volunteer',
};

const PURPOSE: Record<Facts['purpose'], string> = {
  keep_in_touch: 'Keeping in touch',
  appointment: 'Arranging or confirming an appointment',
  video_visit: 'A video call or virtual visit',
  assessment_or_review: 'An assessment or review conversation',
  share_documents: 'Sending documents or photos of them',
  group_chat: 'A group chat',
  broadcast: 'A broadcast message to many people',
  colleague_chat: 'Chat with colleagues',
  allocate_work: 'Allocating work or tasks',
};

const CONSENT: Record<Facts['consent'], string> = {
  given: 'Yes, they said yes explicitly',
  not_asked: 'Not asked yet',
  declined: 'No, or no explicit yes',
};

/** The true/false flags, as a sentence about the practitioner where they are the subject. */
const FLAGS: ReadonlyArray<{ fact: FactName; words: (who: string) => string }> = [
  { fact: 'immediateRiskToLife', words: () => 'someone is at immediate risk of harm or risk to life' },
  { fact: 'safeguardingConcern', words: () => 'new information suggests a risk of harm (safeguarding concern)' },
  { fact: 'riskPhoneAccessByAbuser', words: () => 'someone with access to their phone poses a risk' },
  { fact: 'inappropriateContentReceived', words: (who) => `${who} has received inappropriate or concerning content` },
  { fact: 'sensitiveContent', words: () => 'the messages would carry personal, sensitive or case-document content' },
  { fact: 'dataIncident', words: () => 'personal data has already gone to the wrong person or channel' },
  { fact: 'practitionerUncertain', words: (who) => `${who} is unsure or has concerns about using WhatsApp here` },
  { fact: 'ageUnknown', words: (who) => `${who} is not sure of their age (treated as under 16)` },
];

const yesNo = (v: boolean | null, yes: string, no: string, unknown: string): string => (v === null ? unknown : v ? yes : no);

/** The first name people use: "Pat" from "Pat Example" (the whole name when it is one word). */
export function firstName(displayName: string): string {
  const first = displayName.trim().split(/\s+/)[0];
  return first && first.length > 0 ? first : 'The practitioner';
}

export function factSentences(f: Facts, practitionerName: string, deciding: readonly FactName[] = []): FactSentence[] {
  const who = firstName(practitionerName);
  const decides = (...facts: FactName[]) => facts.some((x) => deciding.includes(x));
  const rows: FactSentence[] = [];
  const add = (fact: FactSentence['fact'], title: string, value: string, ...reads: FactName[]) =>
    rows.push({ fact, title, value, deciding: decides(...(reads.length > 0 ? reads : fact === 'flags' ? [] : [fact])) });

  const age = f.contactType !== 'young_person' ? '' : f.ageUnknown || f.age === null || f.age === undefined ? ', age not known (treated as under 16)' : `, aged ${f.age}`;
  add('contactType', 'Contact', `${CONTACT[f.contactType]}${age}`, 'contactType', 'age', 'ageUnknown');
  add('purpose', 'For', PURPOSE[f.purpose]);
  const started = f.initiatedBy === 'practitioner'
    ? `${who} is starting the contact`
    : f.initiatedBy === 'young_person' ? `The young person contacted ${who}`
      : f.initiatedBy === 'parent_carer' ? `A parent or carer contacted ${who}` : `A colleague contacted ${who}`;
  add('initiatedBy', 'Started by', started);
  add('device', 'Device', f.device === 'work_issued' ? `${who}'s council-issued work device` : `${who}'s personal phone or device`);
  add('account', 'Account', f.account === 'work' ? `${who}'s work account` : `${who}'s personal account`);
  add('teamsAvailable', 'Microsoft Teams', f.teamsAvailable ? 'They can realistically use Teams' : 'They cannot realistically use Teams');
  add('consent', 'Agreed to WhatsApp', CONSENT[f.consent]);
  add('withinWorkingHours', 'Working hours', f.withinWorkingHours ? `Within ${who}'s working hours` : `Outside ${who}'s working hours`);
  if (f.serviceInScope !== null || decides('serviceInScope')) {
    add('serviceInScope', 'Service', yesNo(f.serviceInScope, `${who} works in the service the document covers`, `${who} does not work in the service the document covers`, `${who} has not confirmed working in the service the document covers`));
  }
  if (f.parentalConsent !== null || decides('parentalConsent')) add('parentalConsent', 'Parental consent', yesNo(f.parentalConsent, 'Given', 'Not given', 'Not known'));
  if (f.managerAgreement !== null || decides('managerAgreement')) add('managerAgreement', 'Manager agreement', yesNo(f.managerAgreement, 'Already given', 'Not given', 'Not known'));
  if (f.dedicatedBroadcastDevice !== null || decides('dedicatedBroadcastDevice')) add('dedicatedBroadcastDevice', 'Broadcast device', yesNo(f.dedicatedBroadcastDevice, 'A dedicated device', 'Not a dedicated device', 'Not known'));
  const flags = FLAGS.filter((x) => f[x.fact] === true);
  if (flags.length > 0) {
    const text = flags.map((x) => x.words(who)).join('; ');
    add('flags', 'Also', text.charAt(0).toUpperCase() + text.slice(1), ...flags.map((x) => x.fact));
  }
  // The deciding facts first, each group in the vocabulary's order.
  return [...rows.filter((r) => r.deciding), ...rows.filter((r) => !r.deciding)];
}

/**
 * Whether a condition is an instruction to the practitioner about asking their line manager: on the line
 * manager's own card it is left off (they are the line manager, deciding now).
 */
export function addressedToPractitionerAboutManager(text: string): boolean {
  return /\b(check|discuss it) with your line manager\b|\bask your line manager\b/i.test(text);
}
