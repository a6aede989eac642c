/**
 * The decision wizard: which question comes next for a council's pack and the answers so far, and how a
 * submitted step is checked. Pure: the transport stores the state and renders it as a card.
 *
 * Branching is server-side: a question is asked only when the pack's rules read its fact (and, for the
 * last step, only when its answer could change the decision), and only when it makes sense for the answers
 * so far (age only for a young person, the broadcast phone only for a broadcast, parental consent only for
 * an under-16).
 */
import { checkCaseReference } from '../caseReference';
import { type Facts, type FactName, MAX_AGE, MIN_AGE, parseFacts } from '../facts';
import { type CouncilPolicy, evaluate } from '../policy/evaluate';
import { isWithinWorkingHours } from '../workingHours';
import { probeOnce, relevanceOf } from './packRelevance';
import { type Question, type QuestionId, QUESTIONS, YOUNGEST_AGE_QUESTION } from './questions';

export type AnswerValue = string | number | boolean | null;
export type Answers = Partial<Record<QuestionId, AnswerValue>>;

export const STEP_IDS = ['contact', 'age', 'channel', 'concerns', 'agreements'] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface WizardState {
  step: StepId;
  answers: Answers;
  /** Steps answered so far, for Back. */
  history: StepId[];
}

interface StepDef {
  id: StepId;
  title: string;
  questions: QuestionId[];
}

export const STEPS: readonly StepDef[] = [
  { id: 'contact', title: 'About the contact', questions: ['contactType', 'purpose', 'initiatedBy', 'immediateRiskToLife', 'safeguardingConcern'] },
  // The case reference is asked once the contact type is known: a colleague check has no case.
  { id: 'age', title: 'About the young person', questions: ['age', 'ageUnknown', 'caseRef'] },
  { id: 'channel', title: 'How you would contact them', questions: ['device', 'account', 'teamsAvailable', 'consent', 'withinWorkingHours', 'dedicatedBroadcastDevice', 'serviceInScope'] },
  { id: 'concerns', title: 'Anything that changes the answer', questions: ['riskPhoneAccessByAbuser', 'sensitiveContent', 'inappropriateContentReceived', 'dataIncident', 'practitionerUncertain'] },
  { id: 'agreements', title: 'Agreements already in place', questions: ['parentalConsent', 'managerAgreement'] },
];

/** Facts whose answer is probed: asked only if it could change the decision. */
const PROBED: readonly FactName[] = ['parentalConsent', 'managerAgreement'];

/** Longest text any card field may carry back. */
export const MAX_TEXT_LENGTH = 200;

/** The facts the pack's rules read (worked out once per pack: packRelevance.ts). */
export function referencedFacts(policy: CouncilPolicy): ReadonlySet<string> {
  return relevanceOf(policy).referenced;
}

/** The answers with the documented defaults filled in, as raw facts (no case reference). */
function rawFacts(answers: Answers): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(answers)) if (k !== 'caseRef' && v !== undefined) raw[k] = v;
  // "Not sure", or only that the youngest of a group is under 16: an unknown age, treated as under 16.
  if (raw.ageUnknown === true || raw.age === 'under_16' || raw.age === 'not_sure') Object.assign(raw, { age: null, ageUnknown: true });
  else if (raw.age === '16_plus') raw.age = 16;
  return raw;
}

const isGroup = (a: Answers) => a.purpose === 'group_chat' || a.purpose === 'broadcast';
const underSixteen = (a: Answers) => (typeof a.age === 'number' && a.age < 16) || a.ageUnknown === true || a.age === 'under_16' || a.age === 'not_sure';

function tryFacts(answers: Answers): Facts | undefined {
  try {
    return parseFacts(rawFacts(answers));
  } catch {
    return undefined;
  }
}

/** Could `fact`'s answer change the decision, whatever the other probed answers are? Remembered per pack and answers. */
function mattersToDecision(policy: CouncilPolicy, answers: Answers, fact: FactName): boolean {
  return probeOnce(policy, fact, rawFacts(answers), () => probeDecision(policy, answers, fact));
}

function probeDecision(policy: CouncilPolicy, answers: Answers, fact: FactName): boolean {
  const others = PROBED.filter((f) => f !== fact);
  const combos: Array<Partial<Facts>> = [{}];
  for (const o of others) {
    const next: Array<Partial<Facts>> = [];
    for (const c of combos) for (const v of [null, true, false]) next.push({ ...c, [o]: v });
    combos.splice(0, combos.length, ...next);
  }
  for (const combo of combos) {
    const f0 = tryFacts({ ...answers, ...combo, [fact]: null } as Answers);
    const f1 = tryFacts({ ...answers, ...combo, [fact]: true } as Answers);
    if (!f0 || !f1) continue;
    const d0 = evaluate(policy, f0);
    const d1 = evaluate(policy, f1);
    if (d0.outcome !== d1.outcome || d0.channel !== d1.channel) return true;
  }
  return false;
}

function makesSense(id: QuestionId, a: Answers): boolean {
  switch (id) {
    case 'age':
      return a.contactType === 'young_person';
    case 'caseRef':
      return a.contactType !== undefined && a.contactType !== 'staff';
    case 'consent':
      return a.contactType !== 'staff';
    case 'dedicatedBroadcastDevice':
      return a.purpose === 'broadcast';
    case 'ageUnknown':
      return a.contactType === 'young_person' && !isGroup(a);
    case 'parentalConsent':
      return a.contactType === 'young_person' && underSixteen(a);
    default:
      return true;
  }
}

/** The questions a step shows for this pack and these answers (empty: the step is skipped). */
export function questionsFor(policy: CouncilPolicy, step: StepId, answers: Answers): Question[] {
  const def = STEPS.find((s) => s.id === step);
  if (!def) return [];
  const refs = referencedFacts(policy);
  return def.questions
    .filter((id) => id === 'caseRef' || id === 'contactType' || id === 'purpose' || refs.has(id === 'ageUnknown' ? 'age' : id))
    .filter((id) => makesSense(id, answers))
    .filter((id) => !(PROBED as readonly string[]).includes(id) || mattersToDecision(policy, answers, id as FactName))
    .map((id) => (id === 'age' && isGroup(answers) ? YOUNGEST_AGE_QUESTION : QUESTIONS[id]));
}

/** The first step after `from` that has questions, or undefined when the wizard is complete. */
export function nextStep(policy: CouncilPolicy, from: StepId | undefined, answers: Answers): StepId | undefined {
  const start = from === undefined ? 0 : STEP_IDS.indexOf(from) + 1;
  for (const step of STEP_IDS.slice(start)) if (questionsFor(policy, step, answers).length > 0) return step;
  return undefined;
}

export function startWizard(policy: CouncilPolicy, now: Date): WizardState {
  return {
    step: 'contact',
    answers: { withinWorkingHours: isWithinWorkingHours(policy.council.data.workingHours, now) },
    history: [],
  };
}

/** The step's title for these answers: the second step is about the young person only when there is one. */
export function stepTitle(step: StepId, answers: Answers): string {
  if (step === 'age' && answers.contactType !== 'young_person') return 'About the case';
  return STEPS.find((s) => s.id === step)?.title ?? 'Check';
}

export function stepNumber(policy: CouncilPolicy, state: WizardState): { index: number; total: number } {
  // Steps still to come are counted with the answers so far; the count can shrink as answers arrive.
  const remaining: StepId[] = [];
  let s: StepId | undefined = state.step;
  while (s) {
    remaining.push(s);
    s = nextStep(policy, s, state.answers);
  }
  return { index: state.history.length + 1, total: state.history.length + remaining.length };
}

export type StepResult =
  | { ok: true; state: WizardState; done: false }
  | { ok: true; state: WizardState; done: true; facts: Facts; caseRef: string | null }
  /**
   * Refused: `errors` by question id, the reason for each. `answers` are the answers so far with every valid
   * answer given on this step applied, and `typed` what was sent for each refused question, so the step can
   * be shown again with everything the practitioner gave. Nothing of it is stored.
   */
  | { ok: false; errors: Partial<Record<QuestionId, string>>; answers: Answers; typed: Partial<Record<QuestionId, string>> };

function parseAnswer(question: Question, value: unknown, caseRefPattern: RegExp): { ok: true; value: AnswerValue } | { ok: false; message: string } {
  if (typeof value === 'string' && value.length > MAX_TEXT_LENGTH) return { ok: false, message: `is too long (at most ${MAX_TEXT_LENGTH} characters)` };
  const t = question.type;
  switch (t.kind) {
    case 'choice': {
      if (typeof value === 'string' && t.choices.some((c) => c.value === value)) return { ok: true, value };
      return { ok: false, message: question.errorMessage };
    }
    case 'toggle':
      if (value === true || value === 'true') return { ok: true, value: true };
      if (value === false || value === 'false') return { ok: true, value: false };
      return { ok: false, message: 'must be ticked or not ticked' };
    case 'yesNoUnknown':
      if (value === 'yes' || value === true) return { ok: true, value: true };
      if (value === 'no' || value === false) return { ok: true, value: false };
      if (value === 'unknown' || value === null) return { ok: true, value: null };
      return { ok: false, message: question.errorMessage };
    case 'age': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
      if (Number.isInteger(n) && n >= MIN_AGE && n <= MAX_AGE) return { ok: true, value: n };
      // Never clamped: an age out of range is refused with the number given, so nothing is saved that was not said.
      if (Number.isFinite(n)) return { ok: false, message: `${n} is not a possible age. ${question.errorMessage}` };
      return { ok: false, message: question.errorMessage };
    }
    case 'caseRef': {
      if (value === '' || value === null) return { ok: true, value: null };
      const c = checkCaseReference(value, caseRefPattern);
      return c.ok ? { ok: true, value: c.value } : { ok: false, message: `Case reference ${c.message}.` };
    }
  }
}

/**
 * Checks one submitted step. Only the current step's questions are read from the submission; anything
 * else in it is ignored and never stored. A required question with no answer, or any malformed answer,
 * returns the errors by question id and leaves the state as it was.
 */
export function submitStep(policy: CouncilPolicy, state: WizardState, submitted: Record<string, unknown>, caseRefPattern: RegExp): StepResult {
  const questions = questionsFor(policy, state.step, state.answers);
  const errors: Partial<Record<QuestionId, string>> = {};
  const answers: Answers = { ...state.answers };
  const typed: Partial<Record<QuestionId, string>> = {};
  for (const question of questions) {
    const value = submitted[question.id];
    if (value === undefined || value === '') {
      if (question.required) errors[question.id] = question.errorMessage;
      else if (question.type.kind === 'caseRef') answers.caseRef = null;
      continue;
    }
    const parsed = parseAnswer(question, value, caseRefPattern);
    if (parsed.ok) {
      answers[question.id] = parsed.value;
    } else {
      errors[question.id] = parsed.message;
      delete answers[question.id];
      if (typeof value === 'string' || typeof value === 'number') typed[question.id] = String(value).slice(0, MAX_TEXT_LENGTH);
    }
  }
  // A young person's age, or "Not sure": one of the two.
  if (questions.some((q) => q.id === 'ageUnknown')) {
    if (answers.ageUnknown === true) answers.age = null;
    else if (typeof answers.age !== 'number' && errors.age === undefined) errors.age = QUESTIONS.age.errorMessage;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, answers, typed };
  // Answers to questions that no longer apply (age after switching to a parent) are dropped.
  for (const id of Object.keys(answers) as QuestionId[]) {
    if (id !== 'withinWorkingHours' && !makesSense(id, answers)) delete answers[id];
  }
  const next = nextStep(policy, state.step, answers);
  const history = [...state.history, state.step];
  if (next === undefined) {
    const facts = parseFacts(rawFacts(answers));
    const caseRef = typeof answers.caseRef === 'string' ? answers.caseRef : null;
    return { ok: true, done: true, state: { step: state.step, answers, history }, facts, caseRef };
  }
  return { ok: true, done: false, state: { step: next, answers, history } };
}

export function goBack(state: WizardState): WizardState {
  const previous = state.history[state.history.length - 1];
  if (previous === undefined) return state;
  return { step: previous, answers: state.answers, history: state.history.slice(0, -1) };
}

/** A safety banner for the steps that follow a tick on immediate risk or a safeguarding concern. */
export function safetyBanner(answers: Answers): string | null {
  if (answers.immediateRiskToLife === true) return 'If anyone is at immediate risk, call 999 now. Then finish this check: your line manager will be alerted.';
  if (answers.safeguardingConcern === true) return 'Safeguarding concern: tell your line manager now. Finishing this check alerts them too.';
  return null;
}
