/** The decision wizard's current step as a card. */
import { FACT_DEFAULTS, isFactName } from '../domain/facts';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import type { Question, QuestionId } from '../domain/wizard/questions';
import { type Answers, questionsFor, safetyBanner, stepNumber, stepTitle, type WizardState } from '../domain/wizard/wizard';
import { type CardJson, renderTemplate } from './renderTemplate';

export interface WizardCardInput {
  policy: CouncilPolicy;
  state: WizardState;
  sessionId: string;
  version: number;
  errors?: Partial<Record<QuestionId, string>>;
  /** Where the case's consent register stands, shown under the consent question. */
  consentNote?: string | null;
  /** What was sent for each refused answer, shown again so the practitioner can correct it. */
  typed?: Partial<Record<QuestionId, string>>;
}

function questionData(q: Question, answers: Answers, error: string | undefined, typed: string | undefined) {
  // A refused case reference is shown as typed; an unanswered question shows the fact's documented default,
  // as the engine would apply it.
  const current = typed !== undefined && q.type.kind === 'caseRef' ? typed : (answers[q.id] ?? (isFactName(q.id) ? FACT_DEFAULTS[q.id] : undefined));
  const base = {
    id: q.id,
    label: q.label,
    hint: q.hint ?? null,
    required: q.required,
    // A refused answer carries its reason in the input's own error message as well as in the text below it.
    errorMessage: error ?? (q.errorMessage || 'Check this answer.'),
    error: error ?? null,
    kind: q.type.kind,
    style: 'expanded',
    choices: [] as Array<{ title: string; value: string }>,
    value: '',
    numberValue: null as number | null,
    toggleTitle: '',
    unknownTitle: '',
  };
  switch (q.type.kind) {
    case 'choice':
      return { ...base, choices: [...q.type.choices], style: q.type.choices.length > 4 ? 'compact' : 'expanded', value: typeof current === 'string' ? current : '' };
    case 'toggle':
      return { ...base, toggleTitle: q.type.title, value: current === true ? 'true' : 'false' };
    case 'yesNoUnknown':
      return { ...base, unknownTitle: q.type.unknownTitle, value: current === true ? 'yes' : current === false ? 'no' : 'unknown' };
    case 'age':
      return { ...base, numberValue: typeof current === 'number' ? current : typed !== undefined && Number.isFinite(Number(typed)) && typed.trim() !== '' ? Number(typed) : null };
    case 'caseRef':
      return { ...base, value: typeof current === 'string' ? current : '' };
  }
}

export function wizardCard({ policy, state, sessionId, version, errors = {}, consentNote = null, typed = {} }: WizardCardInput): CardJson {
  const { index, total } = stepNumber(policy, state);
  const questions = questionsFor(policy, state.step, state.answers);
  const errorCount = Object.keys(errors).length;
  return renderTemplate('wizard-step', {
    title: stepTitle(state.step, state.answers),
    progress: `Step ${index} of ${total}`,
    council: policy.council.data.metadata.council,
    banner: safetyBanner(state.answers),
    errorSummary: errorCount > 0 ? `Please check ${errorCount === 1 ? 'the answer' : `${errorCount} answers`} marked below.` : null,
    questions: questions.map((q) => ({ ...questionData(q, state.answers, errors[q.id], typed[q.id]), ...(q.id === 'consent' && consentNote ? { hint: consentNote } : {}) })),
    nextTitle: index === total ? 'Get the answer' : 'Next',
    canGoBack: state.history.length > 0,
    sessionId,
    version,
  });
}
