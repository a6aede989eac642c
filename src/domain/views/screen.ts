/**
 * Whatever a service answers a user's action with, keyed on `kind`: the bot presents it as a card
 * (src/bot/presenters), the tab returns it as JSON. The outbox carries the card kinds (`CardView`).
 */
import { z } from 'zod';
import { alertViewSchema } from './alertView';
import { approvalViewSchema } from './approvalView';
import { checksListViewSchema } from './checksListView';
import { decisionViewSchema } from './decisionView';
import { messageViewSchema } from './messageView';
import { wizardStepViewSchema } from './wizardStepView';

export const outcomeScreen = z.object({ kind: z.literal('outcome'), view: decisionViewSchema });
export const approvalScreen = z.object({ kind: z.literal('approval'), view: approvalViewSchema });
export const alertScreen = z.object({ kind: z.literal('alert'), view: alertViewSchema });

/** The views sent proactively or updated in place: the outcome, the approval request, the alert. */
export const cardViewSchema = z.discriminatedUnion('kind', [outcomeScreen, approvalScreen, alertScreen]);

export const screenSchema = z.discriminatedUnion('kind', [
  outcomeScreen,
  approvalScreen,
  alertScreen,
  z.object({ kind: z.literal('checks'), view: checksListViewSchema }),
  z.object({ kind: z.literal('wizard_step'), view: wizardStepViewSchema }),
  z.object({ kind: z.literal('message'), view: messageViewSchema }),
]);

export type CardView = z.infer<typeof cardViewSchema>;
export type Screen = z.infer<typeof screenSchema>;
