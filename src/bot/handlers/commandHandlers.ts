/** The text commands' handlers: new check, cancel, my checks, team checks, approvals, help, and the fallback. */
import { messageCard } from '../presenters/messagePresenter';
import type { CardJson } from '../presenters/renderTemplate';
import type { CommandName } from '../../domain/commandIntent';
import type { CouncilPolicy } from '../../domain/policy/evaluate';
import type { ChecksService } from '../../services/checksService';
import type { WizardService } from '../../services/wizardService';
import type { CommandRoute, CommandRoutes } from '../commands';
import { presentChecksList } from '../presenters/checksListPresenter';
import { presentMessage } from '../presenters/messagePresenter';
import { presentScreen } from '../presenters/screenPresenter';
import { presentWizardStep } from '../presenters/wizardPresenter';

/** What can be typed, in the order shown; the manifest's command list is the same. */
export const COMMAND_HELP: ReadonlyArray<{ command: CommandName; name: string; description: string }> = [
  { command: 'new_check', name: 'new check', description: 'Check whether you may use WhatsApp with one contact, and how.' },
  { command: 'cancel', name: 'cancel', description: 'Stop the check you are doing. Nothing is recorded.' },
  { command: 'my_checks', name: 'my checks', description: 'Your recent checks and what happened to them.' },
  { command: 'team_checks', name: 'team checks', description: 'For line managers: your team\'s recent checks.' },
  { command: 'approvals', name: 'approvals', description: 'For line managers: requests waiting for your approval and open safeguarding alerts.' },
  { command: 'help', name: 'help', description: 'What ChannelCheck does, what it records and who is told.' },
];

const COMMAND_ITEMS = COMMAND_HELP.map((c) => `**${c.name}**: ${c.description}`);

/** The greeting on installation: what ChannelCheck is for and what to type. */
export function welcomeCard(councilName: string | null): CardJson {
  return messageCard({
    title: 'ChannelCheck: can I use WhatsApp for this contact?',
    paragraphs: [
      `ChannelCheck answers from ${councilName ?? 'your council\'s'} document: whether you may use WhatsApp with one young person, parent, carer or colleague, or must use Microsoft Teams, another channel, or nothing at all, with the reasons, the conditions, the exact messages to send and what to record.`,
      'If anyone is at immediate risk, call 999 first. ChannelCheck alerts your line manager when a check needs their approval or raises a safeguarding concern.',
      'Type one of these:',
    ],
    items: COMMAND_ITEMS,
    showStart: true,
  });
}

const STATUS_WORDS: Record<CouncilPolicy['council']['data']['metadata']['status'], string> = {
  policy: 'policy',
  guidance: 'guidance',
  guidance_not_enforceable: 'guidance (not enforceable)',
  temporary_guidance: 'temporary guidance',
};

/** `help`: briefly, what ChannelCheck does, what it records, who is told, and where the council's document is. */
export function helpCard(policy: CouncilPolicy | null): CardJson {
  const meta = policy?.council.data.metadata;
  const recordDays = policy?.council.data.retention?.decisionRecordDays;
  const document = meta
    ? `**The council's document**: "${meta.title}", ${meta.council}${meta.service ? `, ${meta.service}` : ''}, ${STATUS_WORDS[meta.status]}, version: ${meta.version}. ${meta.owner ? `It is owned by ${meta.owner}; ask them` : 'Ask your team manager'} for the current copy. ChannelCheck answers from its copy, policies/sources/${meta.sourceFile}.`
    : '**The council\'s document**: ChannelCheck is not set up for your organisation yet; ask your IT team which council document it should use.';
  return messageCard({
    title: 'How ChannelCheck works',
    paragraphs: [
      `**What it does**: you answer a few questions about one contact, and ChannelCheck says from ${meta?.council ?? 'your council'}'s document whether you may use WhatsApp, or must use Teams or another channel, with the conditions, the messages to send and a case note to copy.`,
      `**What it records**: each finished check: your name, your answers, the answer given, the document's version and the case reference if you gave one (never a name). A cancelled check records nothing.${recordDays ? ` Records are kept for ${recordDays} days.` : ''}`,
      '**Who is told**: your line manager, when a check needs their approval or raises a safeguarding concern. An urgent alert nobody acknowledges in time goes on to the Head of Service or on-call contact. Nobody else is told.',
      document,
      'If anyone is at immediate risk, call 999 first. You can type:',
    ],
    items: COMMAND_ITEMS,
    showStart: true,
  });
}

/** Anything that is not a command: a short list of what can be said, and a button to start. */
export function notUnderstoodCard(): CardJson {
  return messageCard({
    title: 'I did not catch that',
    paragraphs: ['You can type:'],
    items: COMMAND_HELP.map((c) => `**${c.name}**`),
    showStart: true,
  });
}

export function buildCommandRoutes(deps: { wizard: WizardService; checks: ChecksService; councilPolicy: (tenantId: string) => CouncilPolicy | null }): CommandRoutes {
  const routes: CommandRoute[] = [
    {
      command: 'new_check',
      handler: async ({ actor, conversationRef }) => {
        const { sessionId, view } = await deps.wizard.start(actor, conversationRef);
        return { card: presentWizardStep(view), onSent: (activityId) => deps.wizard.attachCard(sessionId, activityId, conversationRef) };
      },
    },
    {
      command: 'cancel',
      handler: async ({ actor }) => {
        const { view, cardUpdates } = await deps.wizard.cancelActive(actor);
        return { card: presentMessage(view), cardUpdates: cardUpdates.map((u) => ({ card: u.card, replacement: presentScreen(u.replacement) })) };
      },
    },
    { command: 'my_checks', handler: async ({ actor }) => ({ card: presentChecksList(await deps.checks.mine(actor)) }) },
    { command: 'team_checks', handler: async ({ actor }) => ({ card: presentChecksList(await deps.checks.team(actor)) }) },
    { command: 'approvals', handler: async ({ actor }) => ({ card: presentChecksList(await deps.checks.waitingFor(actor)) }) },
    { command: 'help', handler: async ({ actor }) => ({ card: helpCard(deps.councilPolicy(actor.tenantId)) }) },
  ];
  return { routes, fallback: async () => ({ card: notUnderstoodCard() }) };
}
