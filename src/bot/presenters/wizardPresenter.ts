/** The decision wizard's current step as a card. */
import type { WizardQuestionView, WizardStepView } from '../../domain/views';
import { type CardJson, renderTemplate } from './renderTemplate';

function questionData(q: WizardQuestionView) {
  const current = q.value;
  const typed = q.typed ?? undefined;
  const base = {
    id: q.id,
    label: q.label,
    hint: q.hint,
    required: q.required,
    // A refused answer carries its reason in the input's own error message as well as in the text below it.
    errorMessage: q.error ?? (q.errorMessage || 'Check this answer.'),
    error: q.error,
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
      return { ...base, value: typed ?? (typeof current === 'string' ? current : '') };
  }
}

/** The data the wizard-step template is bound to. */
export function wizardStepData(view: WizardStepView) {
  const errorCount = view.questions.filter((q) => q.error !== null).length;
  return {
    title: view.title,
    progress: `Step ${view.stepIndex} of ${view.stepTotal}`,
    council: view.council,
    banner: view.banner,
    errorSummary: errorCount > 0 ? `Please check ${errorCount === 1 ? 'the answer' : `${errorCount} answers`} marked below.` : null,
    questions: view.questions.map(questionData),
    nextTitle: view.stepIndex === view.stepTotal ? 'Get the answer' : 'Next',
    canGoBack: view.canGoBack,
    sessionId: view.sessionId,
    version: view.version,
  };
}

export function presentWizardStep(view: WizardStepView): CardJson {
  return renderTemplate('wizard-step', wizardStepData(view));
}
