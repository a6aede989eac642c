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
  approval?: { status: 'approved' | 'declined'; byName: string | null; at: Date | null; comment?: string | null } | null;
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

/** The outcome line: what the check said and, once a manager has decided, what they decided. */
function outcomeLines(source: CaseNoteSource): string[] {
  const headline = oneLine(source.decision.headline);
  const a = source.approval;
  if (!a) return [`Outcome: ${headline}`];
  const by = a.byName ? ` by ${oneLine(a.byName)}` : '';
  const when = a.at ? `, ${formatLondonTime(a.at)}` : '';
  const verdict = a.status === 'approved' ? 'WhatsApp approved' : 'WhatsApp declined';
  const lines = [`Outcome: ${verdict} by the line manager${by.replace(/^ by/, ',')}${when}`];
  if (a.comment && oneLine(a.comment)) lines.push(`Line manager's comment: "${oneLine(a.comment)}"`);
  lines.push(`The check asked for: ${headline} (the manager's decision is in ChannelCheck's audit trail)`);
  return lines;
}

/**
 * Only what is true: conditions are "to follow" (nothing is agreed yet), scripts are "to send (not yet sent)",
 * and no line appears twice (a clause quoted both as the council's recording instruction and as a rule).
 */
export function caseNoteText(source: CaseNoteSource): string {
  const { decision } = source;
  const policy = decision.policy;
  const seen = new Set<string>();
  const fresh = (text: string): boolean => {
    const key = oneLine(text).toLowerCase().replace(/\([^)]*\)/g, ' ').replace(/[^a-z0-9]+/g, ' ').trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const bullets = (items: ReadonlyArray<{ text: string; citation?: string }>): string[] =>
    items.filter((i) => fresh(i.text)).map((i) => bullet(i.text, i.citation));

  const lines: string[] = [
    'ChannelCheck: WhatsApp use decision',
    `Case reference: ${source.caseRef === null ? 'none (not about a case)' : oneLine(source.caseRef)}`,
    `Recorded: ${formatLondonTime(source.createdAt)} by ${oneLine(source.practitionerDisplayName)}`,
    `Policy: ${oneLine(policy.title)} (${oneLine(policy.council)}), version ${oneLine(policy.version)}, pack ${policy.contentHash.slice(0, SHORT_HASH_LENGTH)}`,
    ...outcomeLines(source),
  ];

  if (decision.actNow.length > 0) {
    lines.push('', 'What to do now:', ...bullets(decision.actNow));
  }
  const decisive = decision.reasons.filter((r) => r.decisive && !r.later);
  lines.push('', 'Why:');
  lines.push(...(decisive.length > 0 ? bullets(decisive) : ['- (no decisive rule recorded)']));

  const conditions = bullets(decision.conditions);
  if (conditions.length > 0) lines.push('', 'Conditions to follow:', ...conditions);
  if (decision.scripts.length > 0) {
    lines.push('', decision.scripts.length === 1 ? 'Script to send (not yet sent):' : 'Scripts to send (not yet sent):');
    lines.push(...decision.scripts.map((s) => bullet(s.title, s.citation)));
  }

  // A crisis note records what was done now; for routine contact later only the verdict and the clause it
  // rests on (its checklist is not agreed now, and is left out).
  const later = decision.routineLater;
  if (later) {
    lines.push('', `${oneLine(later.title.replace(/, with the conditions below$|; use the alternatives below$/, ''))}:`);
    lines.push(...bullets(decision.reasons.filter((r) => r.decisive && r.later)));
  }

  if (source.consentRegister && source.consentRegister.length > 0) {
    lines.push('', 'Consent register:', ...source.consentRegister.map((e) => bullet(describeConsentEntry(e))));
  }

  lines.push('', `Record this in: ${decision.record.system ? oneLine(decision.record.system) : 'the case record (the council\'s pack does not name a system)'}`);
  const specific = bullets(decision.record.instructions);
  // The council's general instruction, less any sentence a rule that fired already says.
  const general = (decision.record.instruction ?? '')
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => sentence.trim() && !decision.record.instructions.some((i) => alreadySays(i.text, sentence)));
  if (general.length > 0) lines.push(oneLine(general.join(' ')));
  lines.push(...specific);
  return lines.join('\n');
}

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z]{3,}/g) ?? []);

/** Whether `text` already says `sentence`: nearly every word of the sentence, less its citation in brackets, is in it. */
export function alreadySays(text: string, sentence: string): boolean {
  const [have, want] = [words(text), words(sentence.replace(/\([^)]*\)/g, ' '))];
  if (want.size === 0) return false;
  return [...want].filter((w) => have.has(w)).length / want.size >= 0.75;
}
