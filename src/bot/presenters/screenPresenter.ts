/** Any view a service answers with, as its card; and a queued card's content, rendered at send time. */
import type { CardContent } from '../../domain/ports/outboxMessages';
import type { Screen } from '../../domain/views';
import { presentAlert } from './alertPresenter';
import { presentApproval } from './approvalPresenter';
import { presentChecksList } from './checksListPresenter';
import { presentMessage } from './messagePresenter';
import { presentOutcome } from './outcomePresenter';
import type { CardJson } from './renderTemplate';
import { presentWizardStep } from './wizardPresenter';

export function presentScreen(screen: Screen): CardJson {
  switch (screen.kind) {
    case 'outcome':
      return presentOutcome(screen.view);
    case 'approval':
      return presentApproval(screen.view);
    case 'alert':
      return presentAlert(screen.view);
    case 'checks':
      return presentChecksList(screen.view);
    case 'wizard_step':
      return presentWizardStep(screen.view);
    case 'message':
      return presentMessage(screen.view);
  }
}

/** An outbox card: its view presented now, or (a row queued before rows carried views) the card it carries. */
export function presentCardContent(content: CardContent): CardJson {
  return content.kind === 'rendered' ? content.card : presentScreen(content);
}
