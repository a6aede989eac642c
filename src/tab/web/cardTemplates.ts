/**
 * The card templates of cards/, for the page: the same files the bot binds, bundled into the page so that
 * the presenters (src/bot/presenters) make the same cards here. scripts/buildTab.mjs puts this module in
 * place of the presenters' renderTemplate.ts, which reads the files from disk.
 */
import * as ACData from 'adaptivecards-templating';
import approvalRequest from '../../../cards/approval-request.json';
import checksList from '../../../cards/checks-list.json';
import error from '../../../cards/error.json';
import message from '../../../cards/message.json';
import outcome from '../../../cards/outcome.json';
import safeguardingAlert from '../../../cards/safeguarding-alert.json';
import wizardStep from '../../../cards/wizard-step.json';

export type CardJson = Record<string, unknown>;

const TEMPLATES = {
  'wizard-step': wizardStep,
  outcome,
  error,
  message,
  'checks-list': checksList,
  'approval-request': approvalRequest,
  'safeguarding-alert': safeguardingAlert,
} as const;
export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function renderTemplate(name: TemplateName, data: object): CardJson {
  return new ACData.Template(TEMPLATES[name]).expand({ $root: data }) as CardJson;
}
