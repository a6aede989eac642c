/**
 * The case-note summary for the case record (running record, Mosaic step, ...), generated from a decision
 * record. Plain text, shown on the outcome card to copy into the council's system. It names the practitioner,
 * never the child or family: there is only a case reference.
 */
import type { Decision } from './policy/decision';
import type { ConsentEntry } from './ports/store';

export interface CaseNoteSource {
  practitionerDisplayName: string;
  createdAt: Date;
  /** Null when the contact is not about a case (e.g. a colleague). */
  caseRef: string | null;
  decision: Decision;
  /** The case's consent register (oldest first), when there is a case reference. */
  consentRegister?: readonly ConsentEntry[];
  /** The line manager's settled approval, for the record (Warwickshire 5.1: the logged sign-off). */
  approval?: { status: 'approved' | 'declined'; byName: string | null; at: Date | null } | null;
}

export const CASE_NOTE_TIME_ZONE = 'Europe/London';
const SHORT_HASH_LENGTH = 12;

const londonTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: CASE_NOTE_TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** "Tuesday 3 March 2026, 14:05 GMT" (BST in summer). */
export function formatLondonTime(at: Date): string {
  const parts = londonTime.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

export function describeConsentEntry(e: ConsentEntry): string {
  const what = e.status === 'given' ? 'Consent given' : 'Consent withdrawn';
  return `${what} ${formatLondonTime(e.recordedAt)}, recorded by ${e.recordedByName ?? '(erased)'}${e.scriptId ? `, script ${e.scriptId}` : ''}, policy version ${e.scriptVersion}`;
}

/** One line of free text: no line breaks or control characters that could fake another line of the note. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function bullet(text: string, citation?: string): string {
  return `- ${oneLine(text)}${citation ? ` [${oneLine(citation)}]` : ''}`;
}

export function caseNoteText(source: CaseNoteSource): string {
  const { decision } = source;
  const policy = decision.policy;
  const lines: string[] = [
    'ChannelCheck: WhatsApp use decision',
    `Case reference: ${source.caseRef === null ? 'none (not about a case)' : oneLine(source.caseRef)}`,
    `Recorded: ${formatLondonTime(source.createdAt)} by ${oneLine(source.practitionerDisplayName)}`,
    `Policy: ${oneLine(policy.title)} (${oneLine(policy.council)}), version ${oneLine(policy.version)}, pack ${policy.contentHash.slice(0, SHORT_HASH_LENGTH)}`,
    `Outcome: ${oneLine(decision.headline)}`,
  ];

  if (decision.actNow.length > 0) {
    lines.push('', 'What to do now:', ...decision.actNow.map((a) => bullet(a.text, a.citation)));
  }
  const decisive = decision.reasons.filter((r) => r.decisive && !r.later);
  lines.push('', 'Why:');
  lines.push(...(decisive.length > 0 ? decisive.map((r) => bullet(r.text, r.citation)) : ['- (no decisive rule recorded)']));

  if (decision.conditions.length > 0) {
    lines.push('', 'Conditions agreed:', ...decision.conditions.map((c) => bullet(c.text, c.citation)));
  }
  if (decision.scripts.length > 0) {
    lines.push('', 'Scripts sent:', ...decision.scripts.map((s) => bullet(s.title, s.citation)));
  }

  // A crisis note records what was done now; for routine contact later only the verdict and the clause it
  // rests on (its checklist is not agreed now, and is left out).
  const later = decision.routineLater;
  if (later) {
    lines.push('', `${oneLine(later.title.replace(/, with the conditions below$|; use the alternatives below$/, ''))}:`);
    lines.push(...decision.reasons.filter((r) => r.decisive && r.later).map((r) => bullet(r.text, r.citation)));
  }

  if (source.approval) {
    const a = source.approval;
    lines.push('', `Line manager's decision: ${a.status}${a.byName ? ` by ${oneLine(a.byName)}` : ''}${a.at ? `, ${formatLondonTime(a.at)}` : ''} (recorded in ChannelCheck's audit trail)`);
  }
  if (source.consentRegister && source.consentRegister.length > 0) {
    lines.push('', 'Consent register:', ...source.consentRegister.map((e) => bullet(describeConsentEntry(e))));
  }

  lines.push('', `Record this in: ${decision.record.system ? oneLine(decision.record.system) : 'the case record (the council\'s pack does not name a system)'}`);
  if (decision.record.instruction) lines.push(oneLine(decision.record.instruction));
  lines.push(...decision.record.instructions.map((i) => bullet(i.text, i.citation)));
  return lines.join('\n');
}
