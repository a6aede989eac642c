/** The decision wizard's current step as a card. */
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
  /** What was sent for each refused answer, shown again so the practitioner can correct it. */
  typed?: Partial<Record<QuestionId, string>>;
}

function questionData(q: Question, answers: Answers, error: string | undefined, typed: string | undefined) {
  const current = typed !== undefined && q.type.kind === 'caseRef' ? typed : answers[q.id];
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
      return { ...base, choices: [...q.type.choices], style: q.type.choices.length > 4 ? 'compact' : 'expanded', value: typeof current === 'string' ? current : q.id === 'initiatedBy' ? 'practitioner' : q.id === 'consent' ? 'not_asked' : '' };
    case 'toggle':
      return { ...base, toggleTitle: q.type.title, value: current === true || (current === undefined && q.id === 'teamsAvailable') ? 'true' : 'false' };
    case 'yesNoUnknown':
      return { ...base, unknownTitle: q.type.unknownTitle, value: current === true ? 'yes' : current === false ? 'no' : 'unknown' };
    case 'age':
      return { ...base, numberValue: typeof current === 'number' ? current : typed !== undefined && Number.isFinite(Number(typed)) && typed.trim() !== '' ? Number(typed) : null };
    case 'caseRef':
      return { ...base, value: typeof current === 'string' ? current : '' };
  }
}

export function wizardCard({ policy, state, sessionId, version, errors = {}, typed = {} }: WizardCardInput): CardJson {
  const { index, total } = stepNumber(policy, state);
  const questions = questionsFor(policy, state.step, state.answers);
  const errorCount = Object.keys(errors).length;
  return renderTemplate('wizard-step', {
    title: stepTitle(state.step, state.answers),
    progress: `Step ${index} of ${total}`,
    council: policy.council.data.metadata.council,
    banner: safetyBanner(state.answers),
    errorSummary: errorCount > 0 ? `Please check ${errorCount === 1 ? 'the answer' : `${errorCount} answers`} marked below.` : null,
    questions: questions.map((q) => questionData(q, state.answers, errors[q.id], typed[q.id])),
    nextTitle: index === total ? 'Get the answer' : 'Next',
    canGoBack: state.history.length > 0,
    sessionId,
    version,
  });
}
