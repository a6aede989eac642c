/**
 * The bot's presenters and the Adaptive Cards renderer, loaded only when someone opens a card (they are
 * most of the page's weight): each view's card, made by the same presenter as in Teams.
 */
import { presentAlert } from '../../bot/presenters/alertPresenter';
import { presentApproval } from '../../bot/presenters/approvalPresenter';
import { presentOutcome } from '../../bot/presenters/outcomePresenter';
import type { AlertView, ApprovalView, DecisionView } from '../../domain/views';
import { renderCard } from './cards';

export const outcomeCard = (view: DecisionView, label: string) => renderCard(presentOutcome(view), label);
export const approvalCard = (view: ApprovalView, label: string) => renderCard(presentApproval(view), label);
export const alertCard = (view: AlertView, label: string) => renderCard(presentAlert(view), label);
