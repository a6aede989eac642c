/** wizard.start / wizard.next / wizard.back / wizard.cancel: one handler per verb, payload checked first. */
import { z } from 'zod';
import type { WizardService } from '../../services/wizardService';
import { UserFacingError } from '../../services/userFacingError';
import { presentScreen } from '../presenters/screenPresenter';
import { presentWizardStep } from '../presenters/wizardPresenter';
import type { VerbHandler } from '../verbs';

const CONTROL_FIELDS = new Set(['verb', 'sessionId', 'version', 'msteams']);

const wizardPayload = z.object({
  sessionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/),
  version: z.coerce.number().int().min(1).max(1_000_000),
});

export function parseWizardPayload(data: Record<string, unknown>) {
  const parsed = wizardPayload.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new UserFacingError('bad_payload', 'That card action could not be read', `The card sent an invalid ${fields}. Start a new check.`, 400);
  }
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!CONTROL_FIELDS.has(k)) inputs[k] = v;
  return { sessionId: parsed.data.sessionId, version: parsed.data.version, inputs };
}

export function wizardStartHandler(wizard: WizardService): VerbHandler {
  return async ({ actor, conversationRef }) => {
    const { sessionId, view } = await wizard.start(actor, conversationRef);
    return {
      kind: 'newCard',
      card: presentWizardStep(view),
      toast: 'A new check has started below.',
      onSent: (activityId) => wizard.attachCard(sessionId, activityId, conversationRef),
    };
  };
}

export function wizardNextHandler(wizard: WizardService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentScreen(await wizard.next(actor, parseWizardPayload(data))) });
}

export function wizardBackHandler(wizard: WizardService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentScreen(await wizard.back(actor, parseWizardPayload(data))) });
}

export function wizardCancelHandler(wizard: WizardService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentScreen(await wizard.cancel(actor, parseWizardPayload(data))) });
}
